import { describe } from 'vitest'
import { expressBuilders } from './contract/expressBuilders.js'
import { middlewareContracts } from './contract/middlewareContracts.js'
import { EXPRESS_5 } from './frameworks/expressVersions.js'

describe(EXPRESS_5.name, () => middlewareContracts(expressBuilders(EXPRESS_5)))
