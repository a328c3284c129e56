/**
 * The engine service's report: one live tracker feeds the summaries, the events and the sustained evidence,
 * all over the report's window.
 */
import { describe, expect, it } from 'vitest'
import type { Engine } from '../../../src-main/node/engine'
import { createEngineService } from '../../../src-main/node/engine-service'
import type { TelemetrySource } from '../../../src-main/node/telemetry-source'
import type { Snapshot } from '../../../src-main/shared/telemetry'
import { gpuInfo, gpuSample, inventory, stream, STREAM_T0 } from '../../helpers/snapshot-builder'

/** An engine whose source emits the snapshots it is given, when told to. */
function fakeEngine(): { engine: Engine; emit(s: Snapshot): void } {
  const seen: Snapshot[] = []
  const listeners = new Set<(s: Snapshot) => void>()
  const source: TelemetrySource = {
    start() {},
    async stop() {},
    async tick() {
      throw new Error('not used')
    },
    latest: () => seen[seen.length - 1] ?? null,
    history: (sinceMs) => seen.filter((s) => s.timestampMs > sinceMs),
    health: () => [],
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    }
  }
  return {
    engine: {
      mode: 'fixture',
      inventory: inventory({ gpus: [gpuInfo()] }),
      source,
      intervalMs: 1000,
      replayHeader: null,
      collectorIds: [],
      async close() {}
    },
    emit(s) {
      seen.push(s)
      for (const l of listeners) l(s)
    }
  }
}

describe('node/engine-service report', () => {
  it('reports the events of its analysis window, consistent with its summaries and sustained evidence', async () => {
    const { engine, emit } = fakeEngine()
    const service = await createEngineService({ engine, analysisWindowSeconds: 600 })
    // One hour at 1 Hz: thermal throttling in the first five minutes, a power cap in the last minute.
    for (const s of stream(3600, 1000, (i) => ({
      gpus: [
        gpuSample({
          utilizationPct: 98,
          clockSmMhz: 2520,
          powerDrawWatts: 440,
          throttle: i < 300 ? ['hw_thermal_slowdown'] : i >= 3540 ? ['sw_power_cap'] : []
        })
      ]
    })))
      emit(s)
    const r = await service.handlers['readiness:get-report']()
    expect(r.throttling.windowSeconds).toBe(600)
    expect(r.throttling.events.map((e) => e.cause)).toEqual(['power'])
    const gpu = r.throttling.summaries.find((s) => s.device === 'nvidia:0')
    expect(gpu?.coverage).toEqual({ observedSeconds: 600, requestedSeconds: 600 })
    expect(gpu?.byCause.thermal).toBeUndefined()
    expect(gpu?.byCause.power).toBeCloseTo(60 / 600, 5)
    expect(r.machine.sustained?.windowSeconds).toBe(600)
    expect(r.machine.sustained?.gpuThrottleFractionByCause).toEqual({
      status: 'ok',
      value: { power: gpu?.byCause.power }
    })
    for (const e of r.throttling.events)
      expect(e.startMs).toBeGreaterThan(STREAM_T0 + 3599_000 - 600_000)
    await service.close()
  })

  it('says sustained evidence is warming up before two snapshots', async () => {
    const { engine } = fakeEngine()
    const service = await createEngineService({ engine })
    const r = await service.handlers['readiness:get-report']()
    expect(r.machine.sustained).toBeNull()
    expect(r.throttling).toEqual({ windowSeconds: 0, events: [], summaries: [] })
    expect(
      r.unavailable.find((u) => u.item === 'sustained-operation evidence')?.reason.reason
    ).toBe('warming-up')
    await service.close()
  })
})
