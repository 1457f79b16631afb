import { describe } from 'vitest'
import { koaBuilders } from './contract/koaBuilders.js'
import { middlewareContracts } from './contract/middlewareContracts.js'
import { KOA_3 } from './frameworks/koaVersions.js'

describe(KOA_3.name, () => middlewareContracts(koaBuilders(KOA_3)))
