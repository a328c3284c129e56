import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ok, unavailable } from '../../../../src-main/shared/reading'
import {
  cpuThrottleState,
  deviceStatuses,
  gpuLimits,
  noGpuReason
} from '../../../../src-main/shared/present/devices'
import {
  causeCode,
  causeFromCode,
  describeThrottleState,
  dominantCause,
  stateFromFlags,
  throttleSeverity
} from '../../../../src-main/shared/present/causes'
import { parseSession } from '../../../../src-main/node/recorder/session'
import type { Inventory, Snapshot } from '../../../../src-main/shared/telemetry'

const FILE = resolve(__dirname, '../../../fixtures/sessions/rtx4090-training-run.jsonl')
const session = parseSession(readFileSync(FILE, 'utf8'), FILE)
const inv = session.header.inventory
const snaps = session.snapshots

describe('present/causes', () => {
  it('picks the worst cause and round-trips it through a series code', () => {
    expect(dominantCause(['power', 'thermal'])).toBe('thermal')
    expect(dominantCause(['idle', 'config'])).toBeNull()
    for (const c of ['psu', 'thermal', 'power', 'other'] as const)
      expect(causeFromCode(causeCode(c))).toBe(c)
    expect(causeCode(null)).toBe(0)
    expect(causeCode('psu')).toBeGreaterThan(causeCode('thermal'))
    expect(causeCode('thermal')).toBeGreaterThan(causeCode('power'))
  })

  it('reads vendor flags as throttled or not, ignoring idle and clock settings', () => {
    const s = stateFromFlags([
      { name: 'sw_power_cap', cause: 'power' },
      { name: 'gpu_idle', cause: 'idle' }
    ])
    expect(s).toEqual({ state: 'throttled', causes: ['power'], flags: ['sw_power_cap'] })
    expect(stateFromFlags([{ name: 'gpu_idle', cause: 'idle' }])).toEqual({
      state: 'not-throttled'
    })
    expect(describeThrottleState(s)).toBe('power cap')
    expect(throttleSeverity({ state: 'unknown', reason: 'x' })).toBe('unknown')
  })
})

describe('present/devices', () => {
  it('takes a GPU’s slowdown limit from the inventory, whatever the live headroom says', () => {
    const g = snaps.at(-1)!.gpus[0]!
    const info = inv.gpus[0]!
    const lim = gpuLimits(info, g)
    expect(lim.slowdownCelsius).toEqual(info.tempSlowdownCelsius)
    // A sample whose headroom disagrees by a degree does not change the limit shown.
    const skewed = { ...g, temperatureHeadroomCelsius: ok(5.4), temperatureCelsius: ok(84.9) }
    expect(gpuLimits(info, skewed).slowdownCelsius).toEqual(info.tempSlowdownCelsius)
    // Without an inventory value, temperature + headroom, rounded.
    const noInv = { ...info, tempSlowdownCelsius: unavailable('unsupported') }
    expect(gpuLimits(noInv, skewed).slowdownCelsius).toEqual(ok(90))
  })

  it('lists GPUs first with their throttle state from the latest sample', () => {
    const last = snaps.at(-1)!
    const list = deviceStatuses(inv, last, snaps.at(-2)!)
    expect(list[0]!.kind).toBe('gpu')
    const flags = last.gpus[0]!.throttleFlags
    expect(flags.status).toBe('ok')
    const active =
      flags.status === 'ok'
        ? flags.value.filter((f) => f.cause !== 'idle' && f.cause !== 'config')
        : []
    expect(list[0]!.throttle.state).toBe(active.length > 0 ? 'throttled' : 'not-throttled')
  })

  it('never calls a CPU without throttle counters "not throttled"', () => {
    const noCounters: Inventory = { ...inv, cpu: { ...inv.cpu, hasThrottleCounters: false } }
    const s = cpuThrottleState(noCounters, snaps.at(-1)!, snaps.at(-2)!)
    expect(s.state).toBe('unknown')
  })

  it('sees a rising Intel throttle counter as thermal throttling and a flat one as none', () => {
    const base = snaps.at(-1)!
    if (base.cpu.status !== 'ok') throw new Error('fixture has CPU readings')
    const cpuValue = base.cpu.value
    const withCount = (n: number): Snapshot => ({
      ...base,
      cpu: ok({
        ...cpuValue,
        packageThrottle: ok([{ packageId: 0, count: ok(n), totalTimeMs: ok(0) }])
      })
    })
    const intel: Inventory = { ...inv, cpu: { ...inv.cpu, hasThrottleCounters: true } }
    expect(cpuThrottleState(intel, withCount(5), withCount(3)).state).toBe('throttled')
    expect(cpuThrottleState(intel, withCount(3), withCount(3)).state).toBe('not-throttled')
    expect(cpuThrottleState(intel, withCount(3), null).state).toBe('unknown')
  })

  it('says why there is no GPU, per vendor', () => {
    const none: Inventory = {
      ...inv,
      gpus: [],
      absent: [
        { deviceClass: 'gpu-nvidia', reason: unavailable('tool-missing', 'nvidia-smi not found') },
        { deviceClass: 'gpu-amd', reason: unavailable('no-device', 'no amdgpu device') }
      ]
    }
    expect(noGpuReason(none)).toBe(
      'NVIDIA: tool not installed: nvidia-smi not found; AMD: no such device: no amdgpu device'
    )
  })
})
