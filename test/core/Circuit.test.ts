import { describe, expect, it } from 'vitest'
import { resolveOptions } from '~core/options/resolveOptions.js'
import { RetryBudget } from '~core/policy/RetryBudget.js'
import { Circuit } from '~core/targets/Circuit.js'

const settings = resolveOptions({ circuit: { failures: 3, halfOpenAfter: 1000, maxHalfOpenAfter: 3000 } }).circuit
if (settings === undefined) throw new Error('circuit settings expected')

describe('Circuit', () => {
  it('opens after consecutive failures to connect, not fewer', () => {
    const circuit = new Circuit(settings)
    circuit.failed(0)
    circuit.failed(0)
    expect(circuit.available(0)).toBe(true)
    circuit.failed(0)
    expect(circuit.available(0)).toBe(false)
    expect(circuit.msUntilAvailable(400)).toBe(600)
  })

  it('a success in between resets the count', () => {
    const circuit = new Circuit(settings)
    circuit.failed(0)
    circuit.failed(0)
    circuit.succeeded()
    circuit.failed(0)
    expect(circuit.available(0)).toBe(true)
  })

  it('lets one trial through when the rest is over; success closes it', () => {
    const circuit = new Circuit(settings)
    for (let i = 0; i < 3; i++) circuit.failed(0)
    expect(circuit.available(1000)).toBe(true)
    circuit.claim(1000)
    expect(circuit.available(1000)).toBe(false)
    circuit.succeeded()
    expect(circuit.available(1000)).toBe(true)
  })

  it('a failed trial opens it again for twice as long, up to the longest rest', () => {
    const circuit = new Circuit(settings)
    for (let i = 0; i < 3; i++) circuit.failed(0)
    circuit.claim(1000)
    circuit.failed(1000)
    expect(circuit.msUntilAvailable(1000)).toBe(2000)
    circuit.claim(3000)
    circuit.failed(3000)
    expect(circuit.msUntilAvailable(3000)).toBe(3000)
  })
})

describe('RetryBudget', () => {
  it('allows the floor, then a percentage of active requests', () => {
    const budget = new RetryBudget(20, 3)
    for (let i = 0; i < 20; i++) budget.requestStarted()
    const tickets = [1, 2, 3, 4, 5].map(() => budget.acquire())
    expect(tickets.map((ticket) => ticket !== undefined)).toEqual([true, true, true, true, false])
    tickets[0]?.release()
    expect(budget.acquire()).toBeDefined()
  })

  it('a ticket released twice frees one place, not two', () => {
    const budget = new RetryBudget(0, 1)
    const ticket = budget.acquire()
    ticket?.release()
    ticket?.release()
    expect(budget.inFlight).toBe(0)
    expect(budget.acquire()).toBeDefined()
    expect(budget.acquire()).toBeUndefined()
  })
})
