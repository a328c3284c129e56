import { describe, expect, it } from 'vitest'
import { createAlertEngine, filesystemFor, Hysteresis } from '../../../../src-main/core/alerts'
import {
  DEFAULT_ALERT_CONFIG,
  resolveAlertConfig,
  type AlertConfig
} from '../../../../src-main/shared/alerts'
import { ok } from '../../../../src-main/shared/reading'
import type { Inventory, Snapshot } from '../../../../src-main/shared/telemetry'
import {
  gpuInfo,
  gpuSample,
  inventory,
  memorySample,
  snapshot,
  storageDevice,
  STREAM_T0,
  type GpuSampleOptions,
  type SnapshotOptions
} from '../../../helpers/snapshot-builder'

const GiB = 1024 ** 3
const inv: Inventory = inventory({
  gpus: [gpuInfo({ id: 'nvidia:0', tempSlowdownCelsius: ok(89) })]
})

/** Runs a scripted stream (one sample per second) and returns the transitions with their second. */
function run(
  config: AlertConfig,
  n: number,
  at: (i: number) => SnapshotOptions,
  i0 = inv
): { t: number; kind: string; rule: string; device: string; message: string }[] {
  const e = createAlertEngine(config, i0)
  const out: { t: number; kind: string; rule: string; device: string; message: string }[] = []
  for (let i = 0; i < n; i++) {
    const s = snapshot({ seq: i, t: STREAM_T0 + i * 1000, ...at(i) })
    for (const a of e.push(s))
      out.push({ t: i, kind: a.kind, rule: a.rule, device: a.device, message: a.message })
  }
  return out
}

const only = (rule: keyof AlertConfig): AlertConfig => {
  const c = structuredClone(DEFAULT_ALERT_CONFIG) as AlertConfig
  for (const k of Object.keys(c) as (keyof AlertConfig)[])
    (c[k] as { enabled: boolean }).enabled = k === rule
  return c
}
const gpu = (o: GpuSampleOptions): SnapshotOptions => ({
  gpus: [gpuSample({ id: 'nvidia:0', ...o })]
})

describe('core/alerts hysteresis', () => {
  it('raises after forSeconds, holds inside the band, clears after clearSeconds, then cools down', () => {
    const h = new Hysteresis({ forSeconds: 2, clearSeconds: 3, cooldownSeconds: 10 })
    const steps: (string | null)[] = []
    // firing 0–4, inside band 5–6, clearing 7–11, firing again 12–30
    for (let s = 0; s <= 30; s++) {
      const firing = s <= 4 || s >= 12
      const clearing = s >= 7 && s <= 11
      steps.push(h.step({ firing, clearing }, s * 1000))
    }
    expect(steps.map((x, s) => (x ? `${s}:${x}` : null)).filter(Boolean)).toEqual([
      '2:raise',
      '10:clear',
      // the clear at 10 s starts a 10 s cool-down: firing from 12 s raises only at 20 s
      '20:raise'
    ])
  })

  it('ignores unknown inputs: neither raises nor clears', () => {
    const h = new Hysteresis({ forSeconds: 0, clearSeconds: 0, cooldownSeconds: 0 })
    expect(h.step({ firing: null, clearing: false }, 0)).toBeNull()
    expect(h.step({ firing: true, clearing: false }, 1)).toBe('raise')
    expect(h.step({ firing: null, clearing: true }, 2)).toBeNull()
    expect(h.active).toBe(true)
  })
})

describe('core/alerts rules', () => {
  it('near-slowdown: within 5 °C of the GPU’s own slowdown for 10 s, clears 8 °C below after 30 s, never flaps', () => {
    const temps = (i: number): number => (i < 5 ? 80 : i < 40 ? 85 + (i % 2) : i < 50 ? 82 : 78)
    const got = run(only('nearSlowdown'), 120, (i) => gpu({ temperatureCelsius: temps(i) }))
    expect(got.map((x) => `${x.t}:${x.kind}`)).toEqual(['15:raise', '80:clear'])
    expect(got[0].message).toBe('GPU0 is 3 °C from its slowdown temperature (86 of 89 °C)')
  })

  it('throttled: a power cap over 20% of the window raises; it clears once below 10%', () => {
    const cfg = only('throttled')
    cfg.throttled.windowSeconds = 100
    // 60 s unthrottled and busy, 40 s power-capped, then 200 s clean.
    const got = run(cfg, 300, (i) =>
      gpu({ utilizationPct: 99, throttle: i >= 60 && i < 100 ? ['sw_power_cap'] : [] })
    )
    expect(got.map((x) => `${x.kind}:${x.device}`)).toEqual(['raise:gpu0', 'clear:gpu0'])
    // At 75 s the window holds 16 capped seconds of 76: 21% > 20%.
    expect(got[0].t).toBe(75)
    expect(got[0].message).toBe('GPU0 power cap 21% of the last 1 min')
    expect(got[1].t).toBeGreaterThan(190)
  })

  it('throttled: an idle flag (gpu_idle) never counts', () => {
    expect(run(only('throttled'), 200, () => gpu({ throttle: ['gpu_idle'] }))).toEqual([])
  })

  it('nvme-hot: at or above the drive’s own warning temperature, clears 3 °C under it', () => {
    const t = (i: number): number => (i < 10 ? 70 : i < 40 ? 83 : i < 100 ? 81 : 75)
    const got = run(only('nvmeHot'), 200, (i) => ({
      storage: [storageDevice({ temperatureCelsius: t(i), tempMaxCelsius: 83 })]
    }))
    expect(got.map((x) => `${x.t}:${x.kind}:${x.device}`)).toEqual([
      '20:raise:nvme0n1',
      '160:clear:nvme0n1'
    ])
  })

  it('vram-full and ram-full raise near full and clear with hysteresis', () => {
    const vram = run(only('vramFull'), 100, (i) =>
      gpu({
        memoryUsedBytes: (i < 10 || i > 50 ? 0.8 : 0.98) * 24 * GiB,
        memoryTotalBytes: 24 * GiB
      })
    )
    expect(vram.map((x) => `${x.t}:${x.kind}`)).toEqual(['20:raise', '81:clear'])
    const ram = run(only('ramFull'), 100, (i) => ({
      memory: memorySample({
        usedBytes: ok((i < 10 || i > 50 ? 0.5 : 0.96) * 64 * GiB),
        totalBytes: ok(64 * GiB)
      })
    }))
    expect(ram.map((x) => `${x.t}:${x.kind}`)).toEqual(['20:raise', '81:clear'])
    expect(ram[0].message).toBe('RAM 96% full (61.4 of 64.0 GiB)')
  })

  it('swap-storm: sustained swapping above the rate', () => {
    const got = run(only('swapStorm'), 100, (i) => ({
      memory: memorySample({
        swapInBytesPerSec: ok(i >= 10 && i < 40 ? 80e6 : 0),
        swapOutBytesPerSec: ok(i >= 10 && i < 40 ? 20e6 : 0)
      })
    }))
    expect(got.map((x) => `${x.t}:${x.kind}`)).toEqual(['20:raise', '70:clear'])
    expect(got[0].message).toBe('swapping 100 MB/s (in 80, out 20 MB/s)')
  })

  it('disk-full: the filesystem holding the data path, by free share or free bytes', () => {
    const cfg = only('diskFull')
    cfg.diskFull.dataPath = '/data/runs/exp1'
    const free = (i: number): number => (i < 10 ? 400 * GiB : i < 50 ? 20 * GiB : 200 * GiB)
    const got = run(cfg, 200, (i) => ({
      overrides: {
        storage: ok({
          devices: [],
          filesystems: [
            { mount: '/', sizeBytes: ok(100 * GiB), freeBytes: ok(90 * GiB) },
            { mount: '/data', sizeBytes: ok(1000 * GiB), freeBytes: ok(free(i)) }
          ]
        })
      }
    }))
    expect(got.map((x) => `${x.t}:${x.kind}:${x.device}`)).toEqual([
      '10:raise:fs:/data',
      '110:clear:fs:/data'
    ])
    expect(
      filesystemFor('/database', [{ mount: '/data', sizeBytes: ok(1), freeBytes: ok(1) }])
    ).toBeUndefined()
  })

  it('gpu-gone: a GPU of the inventory missing from the samples, and back', () => {
    const got = run(only('gpuGone'), 60, (i) => (i >= 10 && i < 30 ? { gpus: [] } : gpu({})))
    expect(got.map((x) => `${x.t}:${x.kind}`)).toEqual(['15:raise', '40:clear'])
    expect(got[0].message).toMatch(/^GPU0 gone: missing from the samples/)
  })

  it('gpu-gone: its tool failing counts as gone; an asleep GPU does not', () => {
    const failing = (i: number): Partial<Snapshot> =>
      i >= 5
        ? {
            health: [
              {
                collector: 'gpu-nvidia',
                status: 'timeout',
                lastDurationMs: 5000,
                lastSuccessMs: null,
                lastError: 'nvidia-smi timed out',
                consecutiveFailures: i
              }
            ]
          }
        : {}
    const got = run(only('gpuGone'), 20, (i) => ({ ...gpu({}), overrides: failing(i) }))
    expect(got[0]).toMatchObject({ t: 10, kind: 'raise' })
    expect(got[0].message).toMatch(/its tool timed out \(nvidia-smi timed out\)/)
    expect(run(only('gpuGone'), 20, () => gpu({ state: 'asleep' }))).toEqual([])
  })

  it('command-failed: a non-zero exit raises once; zero does not', () => {
    const e = createAlertEngine(DEFAULT_ALERT_CONFIG, inv)
    expect(e.commandEnded(0, 0, ['true'], 1000)).toEqual([])
    const [a] = e.commandEnded(137, 5000, ['python', 'train.py'], 3_600_000)
    expect(a).toMatchObject({
      rule: 'command-failed',
      kind: 'raise',
      severity: 'critical',
      value: 137
    })
    expect(a.message).toBe('command exited 137 after 1 h 0 min: python train.py')
    expect(e.active()).toHaveLength(1)
  })

  it('user configuration overrides defaults and turns rules off', () => {
    const cfg = resolveAlertConfig({
      nearSlowdown: { marginCelsius: 10, forSeconds: 0 },
      gpuGone: { enabled: false }
    })
    const got = run(cfg, 5, () => gpu({ temperatureCelsius: 80 }))
    expect(got.map((x) => `${x.t}:${x.rule}`)).toEqual(['0:near-slowdown'])
  })
})
