import { describe } from 'vitest'
import { expressBuilders } from './contract/expressBuilders.js'
import { middlewareContracts } from './contract/middlewareContracts.js'
import { EXPRESS_4 } from './frameworks/expressVersions.js'

describe(EXPRESS_4.name, () => middlewareContracts(expressBuilders(EXPRESS_4)))
