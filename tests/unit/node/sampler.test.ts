import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isOk } from '../../../src-main/shared/reading'
import type { CollectorId, CpuSample, MemorySample } from '../../../src-main/shared/telemetry'
import type {
  Collector,
  SampleContext,
  SnapshotPart
} from '../../../src-main/node/collectors/types'
import { silentLogger } from '../../../src-main/node/platform/logger'
import { createSampler } from '../../../src-main/node/sampler'
import { fakeTimerClock } from '../../helpers/fake-clock'

function collector(
  id: CollectorId,
  sample: (ctx: SampleContext) => Promise<SnapshotPart>
): Collector & { calls: SampleContext[] } {
  const calls: SampleContext[] = []
  return {
    id,
    calls,
    probe: async () => ({ status: 'present', inventory: {} }),
    sample: (ctx) => {
      calls.push(ctx)
      return sample(ctx)
    },
    close: async () => {}
  }
}

const mem = { totalBytes: { status: 'ok', value: 1 } } as unknown as MemorySample
const cpu = { utilizationPct: { status: 'ok', value: 5 } } as unknown as CpuSample

describe('sampler', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }))
  afterEach(() => vi.useRealTimers())

  it('assembles a snapshot from every collector and records health', async () => {
    const s = createSampler({
      collectors: [
        collector('memory', async () => ({ memory: mem })),
        collector('cpu', async () => ({ cpu }))
      ],
      absent: ['gpu-nvidia'],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000
    })
    const snap = await s.tick()
    expect(isOk(snap.memory)).toBe(true)
    expect(isOk(snap.cpu)).toBe(true)
    expect(snap.storage).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect(snap.health.find((h) => h.collector === 'gpu-nvidia')?.status).toBe('absent')
    expect(snap.health.find((h) => h.collector === 'cpu')?.status).toBe('ok')
  })

  it('gives sections of absent collectors the reason their probe found', async () => {
    const s = createSampler({
      collectors: [collector('cpu', async () => ({ cpu }))],
      absent: ['thermal'],
      absentReasons: {
        thermal: {
          status: 'unavailable',
          reason: 'no-device',
          detail: 'no hwmon chips or thermal zones'
        }
      },
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000
    })
    const snap = await s.tick()
    expect(snap.thermal).toEqual({
      status: 'unavailable',
      reason: 'no-device',
      detail: 'no hwmon chips or thermal zones'
    })
  })

  it('marks a hung collector as timed out without delaying the others or the tick', async () => {
    const hung = collector('cpu', () => new Promise(() => {}))
    const s = createSampler({
      collectors: [hung, collector('memory', async () => ({ memory: mem }))],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000,
      collectorTimeoutMs: 300
    })
    const p = s.tick()
    await vi.advanceTimersByTimeAsync(301)
    const snap = await p
    expect(isOk(snap.memory)).toBe(true)
    expect(snap.health.find((h) => h.collector === 'cpu')).toMatchObject({
      status: 'timeout',
      consecutiveFailures: 1
    })
    expect(hung.calls[0].signal.aborted).toBe(true)
  })

  it('contains a collector that throws and keeps its last section unavailable with the reason', async () => {
    let fail = false
    const s = createSampler({
      collectors: [
        collector('cpu', async () => {
          if (fail) throw new Error('boom')
          return { cpu }
        }),
        collector('memory', async () => ({ memory: mem }))
      ],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000
    })
    await s.tick()
    fail = true
    const snap = await s.tick()
    expect(snap.cpu).toMatchObject({ status: 'unavailable', reason: 'failed' })
    expect(isOk(snap.memory)).toBe(true)
    expect(snap.health.find((h) => h.collector === 'cpu')).toMatchObject({
      status: 'failed',
      lastError: 'boom'
    })
  })

  it('never overlaps ticks: a tick requested while one runs joins it', async () => {
    let resolveIt: (p: SnapshotPart) => void = () => {}
    const c = collector('cpu', () => new Promise((r) => (resolveIt = r)))
    const s = createSampler({
      collectors: [c],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000
    })
    const a = s.tick()
    const b = s.tick()
    expect(a).toBe(b)
    resolveIt({ cpu })
    await a
    expect(c.calls).toHaveLength(1)
  })

  it('holds the cadence and runs the slow and rare tiers on their own periods', async () => {
    const c = collector('cpu', async () => ({ cpu }))
    const s = createSampler({
      collectors: [c],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000,
      slowEveryMs: 5000,
      rareEveryMs: 10_000
    })
    s.start()
    await vi.advanceTimersByTimeAsync(10_500)
    await s.stop()
    expect(c.calls.length).toBe(11)
    expect(c.calls.filter((x) => x.due.slow).length).toBe(3)
    expect(c.calls.filter((x) => x.due.rare).length).toBe(2)
  })

  it('skips ticks missed during an overrun instead of bursting', async () => {
    let slow = true
    const c = collector('cpu', () =>
      slow ? new Promise((r) => setTimeout(() => r({ cpu }), 3500)) : Promise.resolve({ cpu })
    )
    const s = createSampler({
      collectors: [c],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000,
      collectorTimeoutMs: 5000
    })
    s.start()
    await vi.advanceTimersByTimeAsync(3600)
    slow = false
    await vi.advanceTimersByTimeAsync(1000)
    await s.stop()
    // One long tick (0–3.5 s), then the next on the 4 s boundary: not three catch-up ticks.
    expect(c.calls.length).toBe(2)
  })

  it('keeps a bounded history and serves windows from it', async () => {
    const s = createSampler({
      collectors: [collector('cpu', async () => ({ cpu }))],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000,
      historySize: 5,
      coarseEveryMs: 3000,
      coarseSize: 3
    })
    s.start()
    await vi.advanceTimersByTimeAsync(20_000)
    await s.stop()
    const all = s.history(0)
    expect(s.history(Date.now() - 4500).length).toBe(5)
    expect(all.length).toBeLessThanOrEqual(8)
    expect(all.map((x) => x.timestampMs)).toEqual(
      [...all.map((x) => x.timestampMs)].sort((a, b) => a - b)
    )
  })
})
