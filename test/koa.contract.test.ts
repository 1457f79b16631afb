import { describe } from 'vitest'
import { koaContracts } from './contract/koaContracts.js'
import { KOA_3 } from './frameworks/koaVersions.js'

describe(KOA_3.name, () => koaContracts(KOA_3))
