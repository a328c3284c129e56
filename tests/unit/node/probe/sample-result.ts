/**
 * A probe result as the runner stores it, for tests of the store, the schema and readiness.
 */
import {
  PROBE_FORMAT,
  PROBE_SCHEMA_VERSION,
  type ProbeResult
} from '../../../../src-main/shared/probe'
import { ok } from '../../../../src-main/shared/reading'

/** A stored result as the runner writes it (trimmed to the phases the loader reads). */
export function sampleResult(over: Partial<ProbeResult> = {}): ProbeResult {
  const kb = (best: number, n: number) => ({
    bestGBps: ok(best),
    medianGBps: ok(best * 0.95),
    trials: 5,
    countedBytesPerElement: n
  })
  return {
    format: PROBE_FORMAT,
    schemaVersion: PROBE_SCHEMA_VERSION,
    machineKey: 'abcdef0123456789',
    machineLabel: 'test-host: Test CPU',
    startedAtMs: Date.UTC(2026, 11, 2, 10, 0, 0),
    endedAtMs: Date.UTC(2026, 11, 2, 10, 1, 0),
    requestedDurationS: 60,
    complete: true,
    stop: null,
    sessionFile: null,
    cpu: {
      status: 'completed',
      detail: null,
      startedAtMs: 1,
      endedAtMs: 2,
      threads: 2,
      kernel: 'wasm-simd128-f64',
      gflopsPeak: ok(16),
      gflopsSustained: ok(15),
      gflopsSeries: []
    },
    memory: {
      status: 'completed',
      detail: null,
      startedAtMs: 2,
      endedAtMs: 3,
      threads: 2,
      arrayBytes: 2 ** 30,
      llcBytes: ok(32 * 2 ** 20),
      sizing: 'test',
      kernels: { read: kb(30, 8), write: kb(16, 8), copy: kb(26, 16), triad: kb(28, 24) }
    },
    storage: {
      status: 'completed',
      detail: null,
      startedAtMs: 3,
      endedAtMs: 4,
      path: '/data',
      method: 'direct-io',
      methodDetail: 'O_DIRECT',
      blockBytes: 2 ** 20,
      fileBytes: 2 ** 30,
      write: { meanMBps: ok(1900), series: [], bytes: 1, seconds: 1 },
      read: { meanMBps: ok(2000), series: [], bytes: 1, seconds: 1 },
      fileRemoved: true
    },
    gpu: null,
    command: null,
    devices: [],
    sustained: null,
    notes: [],
    ...over
  }
}
