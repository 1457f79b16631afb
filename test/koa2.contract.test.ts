import { describe } from 'vitest'
import { koaBuilders } from './contract/koaBuilders.js'
import { middlewareContracts } from './contract/middlewareContracts.js'
import { KOA_2 } from './frameworks/koaVersions.js'

describe(KOA_2.name, () => middlewareContracts(koaBuilders(KOA_2)))
