import { describe } from 'vitest'
import { expressAdapterSuite } from './adapter/expressAdapterSuite.js'
import { EXPRESS_4 } from './frameworks/expressVersions.js'

describe(`${EXPRESS_4.name} adapter`, () => expressAdapterSuite(EXPRESS_4))
