/**
 * One valid and one malformed argument list per invoke channel, with the text the rejection must contain.
 * Shared by the validator tests and the Electron IPC handler tests.
 */
import type { InvokeChannel } from '../../../src-main/shared/ipc-contract'

/** Per channel: a valid list, a malformed list and the text its rejection names. */
export const CHANNEL_CASES: Record<
  InvokeChannel,
  { valid: unknown[]; malformed: unknown[]; names: string }
> = {
  'app:get-info': { valid: [], malformed: [1], names: 'expected 0 arguments' },
  'telemetry:get-inventory': { valid: [], malformed: ['x'], names: 'expected 0 arguments' },
  'telemetry:get-snapshot': { valid: [], malformed: [{}], names: 'expected 0 arguments' },
  'telemetry:get-history': {
    valid: [{ windowMs: 60_000, maxPoints: 600 }],
    malformed: [{ windowMs: -5, maxPoints: 600 }],
    names: 'windowMs must be a positive number ≤ 7 days'
  },
  'readiness:get-report': { valid: [], malformed: [null], names: 'expected 0 arguments' },
  'readiness:list-profiles': { valid: [], malformed: [[]], names: 'expected 0 arguments' },
  'readiness:list-models': { valid: [], malformed: [[]], names: 'expected 0 arguments' },
  'readiness:what-if': {
    valid: [
      {
        profileId: 'serve-70b-q4',
        weightFormat: 'q4_k_m',
        ctxTokens: 8192,
        method: 'qlora',
        gpuCount: 2
      }
    ],
    malformed: [{ profileId: 'serve-70b-q4', gpuCount: 0 }],
    names: 'gpuCount must be an integer from 1 to 64'
  },
  'readiness:add-profile': {
    valid: [{ id: 'my-profile', label: 'Mine', model: { paramsTotalB: 8 } }],
    malformed: [[{ id: 'x' }]],
    names: 'profile must be a JSON object'
  },
  'settings:get': { valid: [], malformed: [undefined], names: 'expected 0 arguments' },
  'settings:set': {
    valid: [{ theme: 'dark', sampleIntervalMs: 2000, selectedProfileIds: ['a', 'b'] }],
    malformed: [{ theme: 'neon' }],
    names: 'theme must be "light", "dark" or "system"'
  },
  'report:export': {
    valid: ['markdown'],
    malformed: ['pdf'],
    names: 'format must be "markdown" or "json"'
  },
  'report:print-pdf': { valid: [], malformed: ['/tmp/x.pdf'], names: 'expected 0 arguments' },
  'telemetry:get-series': {
    valid: [{ rangeMs: 3_600_000, points: 600, series: ['gpu.0.temperatureCelsius'] }],
    malformed: [{ rangeMs: 3_600_000, points: 5000, series: [] }],
    names: 'points must be an integer from 1 to 2000'
  },
  'fleet:get-config': { valid: [], malformed: [1], names: 'expected 0 arguments' },
  'fleet:set-config': {
    valid: [
      {
        prometheusUrl: 'https://prometheus.lan:9090',
        auth: { kind: 'basic', username: 'grafana', password: 's3cret pass' }
      }
    ],
    malformed: [{ prometheusUrl: 'file:///etc/passwd', auth: { kind: 'none' } }],
    names: 'prometheusUrl must be an http:// or https:// URL'
  },
  'fleet:list': { valid: [], malformed: [{}], names: 'expected 0 arguments' },
  'sessions:list': { valid: [], malformed: ['x'], names: 'expected 0 arguments' },
  'sessions:open': {
    valid: ['2026-01-05T20-00-00Z-train.rrs'],
    malformed: ['../etc/passwd'],
    names: 'id must be a session file name (no folders)'
  },
  'sessions:range': {
    valid: [
      { id: 'a.rrs', startMs: 0, endMs: 1000, maxPoints: 500, keys: ['gpu0.temperatureCelsius'] }
    ],
    malformed: [{ id: 'a.rrs', startMs: 0, endMs: 1000, maxPoints: 100_000 }],
    names: 'maxPoints must be an integer from 1 to 4000'
  },
  'probe:start': {
    valid: [{ durationS: 60, cpu: true, memory: true, storage: false, gpu: true }],
    malformed: [{ durationS: 60, cpu: true, memory: true, storage: '/etc', gpu: true }],
    names: 'storage must be true or false'
  },
  'probe:cancel': { valid: [], malformed: [true], names: 'expected 0 arguments' }
}
