/**
 * The sampling interval set in the UI changes the live sampler's cadence, through the engine service;
 * a replay keeps its recorded cadence.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CpuSample, Snapshot } from '../../../src-main/shared/telemetry'
import type { Collector } from '../../../src-main/node/collectors/types'
import type { Engine } from '../../../src-main/node/engine'
import { createEngineService } from '../../../src-main/node/engine-service'
import { silentLogger } from '../../../src-main/node/platform/logger'
import { createSampler } from '../../../src-main/node/sampler'
import { fakeTimerClock } from '../../helpers/fake-clock'
import { fakeInventory } from '../../helpers/fake-service'

const cpu = { utilizationPct: { status: 'ok', value: 5 } } as unknown as CpuSample
const cpuCollector: Collector = {
  id: 'cpu',
  probe: async () => ({ status: 'present', inventory: {} }),
  sample: async () => ({ cpu }),
  close: async () => {}
}

function spacings(snaps: Snapshot[]): number[] {
  return snaps.slice(1).map((s, i) => s.timestampMs - snaps[i]!.timestampMs)
}

describe('sampler interval', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }))
  afterEach(() => vi.useRealTimers())

  it('ticks on the new cadence from the next tick after setIntervalMs', async () => {
    const s = createSampler({
      collectors: [cpuCollector],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000
    })
    const seen: Snapshot[] = []
    s.subscribe((x) => seen.push(x))
    s.start()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(spacings(seen).every((d) => d === 1000)).toBe(true)
    s.setIntervalMs!(2500)
    seen.length = 0
    await vi.advanceTimersByTimeAsync(10_000)
    expect(seen.length).toBe(4)
    expect(spacings(seen)).toEqual([2500, 2500, 2500])
    s.setIntervalMs!(500)
    seen.length = 0
    await vi.advanceTimersByTimeAsync(3_000)
    expect(spacings(seen).every((d) => d === 500)).toBe(true)
    await s.stop()
  })

  it('applies settings:set sampleIntervalMs to the live engine and reports it back', async () => {
    const source = createSampler({
      collectors: [cpuCollector],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000
    })
    const engine: Engine = {
      mode: 'live',
      inventory: fakeInventory(),
      source,
      intervalMs: 1000,
      replayHeader: null,
      collectorIds: ['cpu'],
      close: () => source.stop()
    }
    const service = await createEngineService({ engine })
    const seen: Snapshot[] = []
    service.on('telemetry:did-sample', (x) => seen.push(x))
    await vi.advanceTimersByTimeAsync(3_000)
    const next = await service.handlers['settings:set']({ sampleIntervalMs: 2000 })
    expect(next.sampleIntervalMs).toBe(2000)
    expect((await service.handlers['settings:get']()).sampleIntervalMs).toBe(2000)
    seen.length = 0
    await vi.advanceTimersByTimeAsync(10_000)
    expect(spacings(seen).every((d) => d === 2000)).toBe(true)
    expect(seen.length).toBeGreaterThanOrEqual(4)
    await service.close()
  })

  it('keeps a replay on its recorded interval (the setting is not applied)', async () => {
    const source = createSampler({
      collectors: [cpuCollector],
      clock: fakeTimerClock(),
      log: silentLogger,
      intervalMs: 1000
    })
    // A source without setIntervalMs, as a replay is.
    const replayLike = { ...source, setIntervalMs: undefined }
    const engine: Engine = {
      mode: 'replay',
      inventory: fakeInventory(),
      source: replayLike,
      intervalMs: 1000,
      replayHeader: null,
      collectorIds: [],
      close: () => source.stop()
    }
    const service = await createEngineService({ engine })
    const next = await service.handlers['settings:set']({ sampleIntervalMs: 5000 })
    expect(next.sampleIntervalMs).toBe(1000)
    await service.close()
  })
})
