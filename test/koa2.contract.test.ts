import { describe } from 'vitest'
import { koaContracts } from './contract/koaContracts.js'
import { KOA_2 } from './frameworks/koaVersions.js'

describe(KOA_2.name, () => koaContracts(KOA_2))
