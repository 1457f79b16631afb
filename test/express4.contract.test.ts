import { describe } from 'vitest'
import { expressContracts } from './contract/expressContracts.js'
import { EXPRESS_4 } from './frameworks/expressVersions.js'

describe(EXPRESS_4.name, () => expressContracts(EXPRESS_4))
