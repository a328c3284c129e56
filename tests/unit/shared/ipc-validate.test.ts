import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  INVOKE_CHANNELS,
  type InvokeChannel,
  type Settings,
  type WhatIfRequest
} from '../../../src-main/shared/ipc-contract'
import {
  ArgumentError,
  MAX_HISTORY_WINDOW_MS,
  isEventChannel,
  isInvokeChannel,
  validateInvokeArgs
} from '../../../src-main/shared/ipc-validate'
import { ArgumentError as ServiceArgumentError } from '../../../src-main/node/service-types'
import { CHANNEL_CASES } from './ipc-validate.cases'

function messageOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentError)
    return (e as Error).message
  }
  throw new Error('expected an ArgumentError')
}

describe('ipc-validate', () => {
  it.each(INVOKE_CHANNELS.map((c) => [c]))('accepts a valid argument list for %s', (channel) => {
    const { valid } = CHANNEL_CASES[channel]
    expect(validateInvokeArgs(channel, valid)).toEqual(valid)
  })

  it.each(INVOKE_CHANNELS.map((c) => [c]))(
    'rejects a malformed argument list for %s, naming the field',
    (channel) => {
      const { malformed, names } = CHANNEL_CASES[channel]
      const msg = messageOf(() => validateInvokeArgs(channel, malformed))
      expect(msg.startsWith(`${channel}: `)).toBe(true)
      expect(msg).toContain(names)
    }
  )

  it('has a case for every channel of the contract', () => {
    expect(Object.keys(CHANNEL_CASES).sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it('checks arity in both directions', () => {
    expect(messageOf(() => validateInvokeArgs('report:export', []))).toBe(
      'report:export: expected 1 argument, got 0'
    )
    expect(messageOf(() => validateInvokeArgs('report:export', ['json', 'json']))).toBe(
      'report:export: expected 1 argument, got 2'
    )
  })

  it('treats a missing argument list as no arguments and rejects a non-array', () => {
    expect(validateInvokeArgs('settings:get', undefined)).toEqual([])
    expect(messageOf(() => validateInvokeArgs('settings:get', { 0: 1 }))).toBe(
      'settings:get: arguments must be an array'
    )
  })

  it('rejects unknown channels', () => {
    expect(messageOf(() => validateInvokeArgs('shell:exec' as InvokeChannel, []))).toContain(
      'unknown channel'
    )
  })

  it('produces the documented history message for a window longer than 7 days', () => {
    expect(
      messageOf(() =>
        validateInvokeArgs('telemetry:get-history', [
          { windowMs: MAX_HISTORY_WINDOW_MS + 1, maxPoints: 10 }
        ])
      )
    ).toBe('telemetry:get-history: windowMs must be a positive number ≤ 7 days')
  })

  it('rejects non-finite numbers, missing fields and non-integer counts', () => {
    expect(
      messageOf(() =>
        validateInvokeArgs('telemetry:get-history', [{ windowMs: Number.NaN, maxPoints: 1 }])
      )
    ).toContain('windowMs')
    expect(
      messageOf(() =>
        validateInvokeArgs('telemetry:get-history', [{ windowMs: Infinity, maxPoints: 1 }])
      )
    ).toContain('windowMs')
    expect(
      messageOf(() => validateInvokeArgs('telemetry:get-history', [{ windowMs: 1000 }]))
    ).toContain('maxPoints')
    expect(
      messageOf(() =>
        validateInvokeArgs('telemetry:get-history', [{ windowMs: 1000, maxPoints: 1.5 }])
      )
    ).toContain('maxPoints must be an integer')
  })

  it('names the argument when the whole argument has the wrong type', () => {
    expect(messageOf(() => validateInvokeArgs('telemetry:get-history', ['60000']))).toBe(
      'telemetry:get-history: req must be an object'
    )
  })

  it('rejects unknown fields instead of passing them through', () => {
    expect(
      messageOf(() => validateInvokeArgs('settings:set', [{ theme: 'dark', isAdmin: true }]))
    ).toBe('settings:set: patch has unknown field "isAdmin"')
  })

  it('names nested array elements by index', () => {
    expect(
      messageOf(() => validateInvokeArgs('settings:set', [{ selectedProfileIds: ['ok', ''] }]))
    ).toContain('selectedProfileIds.1')
  })

  it('rejects profiles that are not plain bounded JSON', () => {
    expect(messageOf(() => validateInvokeArgs('readiness:add-profile', [new Date()]))).toContain(
      'must be a JSON object'
    )
    expect(
      messageOf(() => validateInvokeArgs('readiness:add-profile', [{ x: () => 1 }]))
    ).toContain('only JSON data')
    expect(
      messageOf(() => validateInvokeArgs('readiness:add-profile', [{ x: Infinity }]))
    ).toContain('finite')
    expect(
      messageOf(() =>
        validateInvokeArgs('readiness:add-profile', [
          JSON.parse('{"__proto__": {"polluted": true}}')
        ])
      )
    ).toContain('__proto__')
    let deep: unknown = 1
    for (let i = 0; i < 40; i++) deep = { d: deep }
    expect(messageOf(() => validateInvokeArgs('readiness:add-profile', [deep]))).toContain(
      'levels deep'
    )
    expect(
      messageOf(() => validateInvokeArgs('readiness:add-profile', [{ s: 'x'.repeat(70_000) }]))
    ).toContain('bytes')
  })

  it('is the same ArgumentError class the engine service exports', () => {
    expect(ServiceArgumentError).toBe(ArgumentError)
  })

  it('recognises contract channel names only', () => {
    expect(isInvokeChannel('settings:get')).toBe(true)
    expect(isInvokeChannel('settings:delete')).toBe(false)
    expect(isInvokeChannel(42)).toBe(false)
    expect(isEventChannel('telemetry:did-sample')).toBe(true)
    expect(isEventChannel('telemetry:get-snapshot')).toBe(false)
  })

  it('types its result as the channel parameters', () => {
    expectTypeOf(validateInvokeArgs<'settings:set'>).returns.toEqualTypeOf<
      [patch: Partial<Settings>]
    >()
    expectTypeOf(validateInvokeArgs<'readiness:what-if'>).returns.toEqualTypeOf<
      [req: WhatIfRequest]
    >()
    expectTypeOf(validateInvokeArgs<'settings:get'>).returns.toEqualTypeOf<[]>()
  })

  it('throws only ArgumentError on arbitrary input, for every channel', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INVOKE_CHANNELS), fc.anything(), (channel, args) => {
        try {
          validateInvokeArgs(channel, args)
        } catch (e) {
          if (!(e instanceof ArgumentError)) throw e
        }
      }),
      { numRuns: 2000 }
    )
  })

  it('throws only ArgumentError for argument lists of JSON values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INVOKE_CHANNELS),
        fc.array(fc.jsonValue(), { maxLength: 3 }),
        (channel, args) => {
          try {
            const out = validateInvokeArgs(channel, args)
            expect(Array.isArray(out)).toBe(true)
          } catch (e) {
            if (!(e instanceof ArgumentError)) throw e
          }
        }
      ),
      { numRuns: 2000 }
    )
  })
})
