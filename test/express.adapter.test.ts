import { describe } from 'vitest'
import { expressAdapterSuite } from './adapter/expressAdapterSuite.js'
import { EXPRESS_5 } from './frameworks/expressVersions.js'

describe(`${EXPRESS_5.name} adapter`, () => expressAdapterSuite(EXPRESS_5))
