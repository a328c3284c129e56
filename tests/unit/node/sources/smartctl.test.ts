import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeSmartctlExit,
  interpretSmartctlResult,
  parseSmartctlJson
} from '../../../../src-main/node/sources/smartctl'

const FIX = resolve(__dirname, '../../../fixtures/smartctl')
const read = (f: string): string => readFileSync(resolve(FIX, f), 'utf8')

describe('smartctl', () => {
  it('decodes the exit status bitmask', () => {
    expect(decodeSmartctlExit(2)).toMatchObject({ openFailed: true, commandLineError: false })
    expect(decodeSmartctlExit(0xc0)).toMatchObject({
      errorLogHasErrors: true,
      selfTestLogHasErrors: true,
      diskFailing: false
    })
    expect(decodeSmartctlExit(8).diskFailing).toBe(true)
  })

  it('reads NVMe health, thermal-management counters and times from a partial JSON (exit bit 2)', () => {
    const r = interpretSmartctlResult(
      {
        kind: 'exit',
        code: 4,
        signal: null,
        stdout: read('nvme-990pro-hot-partial.json'),
        stderr: ''
      },
      42
    )
    expect(r.status).toBe('ok')
    if (r.status !== 'ok') return
    expect(r.value).toMatchObject({
      collectedAtMs: 42,
      passed: { status: 'ok', value: true },
      temperatureCelsius: { status: 'ok', value: 82 },
      criticalWarning: { status: 'ok', value: 2 },
      percentageUsed: { status: 'ok', value: 3 },
      availableSparePct: { status: 'ok', value: 100 },
      availableSpareThresholdPct: { status: 'ok', value: 10 },
      warningTempTimeMinutes: { status: 'ok', value: 37 },
      criticalCompTimeMinutes: { status: 'ok', value: 2 },
      thermalTransitionCount: { status: 'ok', value: 127 },
      thermalTotalTimeSeconds: { status: 'ok', value: 3761 },
      powerOnHours: { status: 'ok', value: 1412 }
    })
    expect(r.value.reallocatedSectors).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
  })

  it('says permission denied when not root (exit bit 1, message in the JSON)', () => {
    const r = interpretSmartctlResult(
      {
        kind: 'exit',
        code: 2,
        signal: null,
        stdout: read('nvme-permission-denied.json'),
        stderr: ''
      },
      0
    )
    expect(r).toMatchObject({ status: 'unavailable', reason: 'permission-denied' })
  })

  it('says permission denied when only stderr says so', () => {
    const r = interpretSmartctlResult(
      {
        kind: 'exit',
        code: 2,
        signal: null,
        stdout: '',
        stderr: 'Smartctl open device: /dev/sda failed: Permission denied'
      },
      0
    )
    expect(r).toMatchObject({ status: 'unavailable', reason: 'permission-denied' })
  })

  it('reports a missing tool, a hang past the timeout, garbage and empty output with distinct reasons', () => {
    expect(
      interpretSmartctlResult({ kind: 'not-found', message: 'smartctl: not found' }, 0)
    ).toMatchObject({ reason: 'tool-missing' })
    expect(
      interpretSmartctlResult({ kind: 'timeout', timeoutMs: 15000, stdout: '{"smartctl":' }, 0)
    ).toMatchObject({ reason: 'timeout' })
    expect(
      interpretSmartctlResult(
        { kind: 'ok', stdout: 'Segmentation fault', stderr: '', durationMs: 1 },
        0
      )
    ).toMatchObject({ reason: 'parse-error' })
    expect(
      interpretSmartctlResult({ kind: 'ok', stdout: '', stderr: '', durationMs: 1 }, 0)
    ).toMatchObject({ reason: 'parse-error', detail: 'empty output' })
    expect(
      interpretSmartctlResult(
        { kind: 'exit', code: 1, signal: null, stdout: '', stderr: 'bad option' },
        0
      )
    ).toMatchObject({ reason: 'failed' })
  })

  it('still reads the JSON of a failing disk (exit bit 3)', () => {
    const json = JSON.stringify({
      smart_status: { passed: false },
      temperature: { current: 41 },
      ata_smart_attributes: {
        table: [
          { id: 5, raw: { value: 304 } },
          { id: 197, raw: { value: 8 } }
        ]
      }
    })
    const r = interpretSmartctlResult(
      { kind: 'exit', code: 8, signal: null, stdout: json, stderr: '' },
      0
    )
    expect(r).toMatchObject({
      status: 'ok',
      value: {
        passed: { value: false },
        reallocatedSectors: { value: 304 },
        pendingSectors: { value: 8 },
        temperatureCelsius: { value: 41 }
      }
    })
  })

  it('never throws on random JSON values, random text or truncated real output', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => void parseSmartctlJson(JSON.stringify(v), 0)))
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void parseSmartctlJson(s, 0)))
    const real = read('nvme-990pro-hot-partial.json')
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: real.length }),
        (n) => void parseSmartctlJson(real.slice(0, n), 0)
      )
    )
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 300 }), fc.string({ maxLength: 80 }), (code, out) => {
        interpretSmartctlResult({ kind: 'exit', code, signal: null, stdout: out, stderr: out }, 0)
      })
    )
  })
})
