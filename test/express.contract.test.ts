import { describe } from 'vitest'
import { expressContracts } from './contract/expressContracts.js'
import { EXPRESS_5 } from './frameworks/expressVersions.js'

describe(EXPRESS_5.name, () => expressContracts(EXPRESS_5))
