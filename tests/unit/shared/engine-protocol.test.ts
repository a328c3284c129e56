import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  parseEngineRequest,
  parseEngineResponse,
  toErrorPayload
} from '../../../src-main/shared/engine-protocol'
import { ArgumentError } from '../../../src-main/shared/ipc-validate'

describe('engine-protocol', () => {
  it('parses well-formed requests', () => {
    expect(
      parseEngineRequest({ type: 'init', options: { replayFile: 'a.ndjson', intervalMs: 500 } })
    ).toEqual({
      type: 'init',
      options: { replayFile: 'a.ndjson', intervalMs: 500 }
    })
    expect(
      parseEngineRequest({ type: 'invoke', id: 3, channel: 'settings:get', args: [] })
    ).toEqual({
      type: 'invoke',
      id: 3,
      channel: 'settings:get',
      args: []
    })
    expect(parseEngineRequest({ type: 'shutdown' })).toEqual({ type: 'shutdown' })
  })

  it('rejects requests with unknown channels, bad ids or bad options', () => {
    expect(parseEngineRequest({ type: 'invoke', id: 1, channel: 'fs:write', args: [] })).toBeNull()
    expect(
      parseEngineRequest({ type: 'invoke', id: -1, channel: 'settings:get', args: [] })
    ).toBeNull()
    expect(
      parseEngineRequest({ type: 'invoke', id: 1, channel: 'settings:get', args: 'x' })
    ).toBeNull()
    expect(parseEngineRequest({ type: 'init', options: { intervalMs: -5 } })).toBeNull()
    expect(parseEngineRequest({ type: 'init', options: { sysRoot: 7 } })).toBeNull()
  })

  it('drops unknown option fields from init', () => {
    expect(parseEngineRequest({ type: 'init', options: { sysRoot: '/s', extra: 1 } })).toEqual({
      type: 'init',
      options: { sysRoot: '/s' }
    })
  })

  it('parses responses and rejects malformed ones', () => {
    expect(parseEngineResponse({ type: 'result', id: 1, ok: true, value: null })).toEqual({
      type: 'result',
      id: 1,
      ok: true,
      value: null
    })
    expect(parseEngineResponse({ type: 'result', id: 1, ok: false })).toBeNull()
    expect(parseEngineResponse({ type: 'event', channel: 'settings:get', payload: {} })).toBeNull()
    expect(
      parseEngineResponse({ type: 'event', channel: 'telemetry:did-sample', payload: { seq: 1 } })
    ).toMatchObject({
      channel: 'telemetry:did-sample'
    })
  })

  it('carries errors as plain data', () => {
    expect(toErrorPayload(new ArgumentError('bad'))).toEqual({
      name: 'ArgumentError',
      message: 'bad'
    })
    expect(toErrorPayload('text')).toEqual({ name: 'Error', message: 'text' })
    expect(toErrorPayload(42)).toEqual({ name: 'Error', message: 'unknown error' })
  })

  it('never throws on arbitrary messages', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        parseEngineRequest(x)
        parseEngineResponse(x)
      }),
      { numRuns: 2000 }
    )
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.constantFrom(
              'init',
              'invoke',
              'shutdown',
              'result',
              'event',
              'fatal',
              'ready'
            ),
            id: fc.anything(),
            channel: fc.string(),
            args: fc.anything(),
            options: fc.anything(),
            ok: fc.anything(),
            error: fc.anything(),
            payload: fc.anything()
          },
          { requiredKeys: ['type'] }
        ),
        (x) => {
          parseEngineRequest(x)
          parseEngineResponse(x)
        }
      ),
      { numRuns: 2000 }
    )
  })
})
