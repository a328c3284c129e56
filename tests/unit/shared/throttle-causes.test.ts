import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  classifyThrottleReason,
  describeThrottleCause
} from '../../../src-main/shared/throttle-causes'
import { THROTTLE_BITS } from '../../../src-main/node/sources/nvidia-smi-csv'

describe('throttle-causes', () => {
  it('classifies NVIDIA, AMD and Intel reason names', () => {
    expect(classifyThrottleReason('gpu_idle')).toBe('idle')
    expect(classifyThrottleReason('clocks_event_reasons_counters.sw_power_cap')).toBe('power')
    expect(classifyThrottleReason('clocks_throttle_reasons.hw_thermal_slowdown')).toBe('thermal')
    expect(classifyThrottleReason('hw_power_brake_slowdown')).toBe('psu')
    expect(classifyThrottleReason('hw_slowdown')).toBe('hw-slowdown')
    expect(classifyThrottleReason('sync_boost')).toBe('config')
    expect(classifyThrottleReason('PPT0')).toBe('power')
    expect(classifyThrottleReason('TDC_GFX')).toBe('current')
    expect(classifyThrottleReason('TEMP_HOTSPOT')).toBe('thermal')
    expect(classifyThrottleReason('reason_pl1')).toBe('power')
    expect(classifyThrottleReason('throttle_reason_thermal')).toBe('thermal')
    expect(classifyThrottleReason('FIT')).toBe('other')
    expect(classifyThrottleReason('constructor')).toBe('other')
  })

  it('gives every NVIDIA bit a cause and every cause its words', () => {
    expect(THROTTLE_BITS.map((b) => [b.name, b.cause])).toEqual([
      ['gpu_idle', 'idle'],
      ['applications_clocks_setting', 'config'],
      ['sw_power_cap', 'power'],
      ['hw_slowdown', 'hw-slowdown'],
      ['sync_boost', 'config'],
      ['sw_thermal_slowdown', 'thermal'],
      ['hw_thermal_slowdown', 'thermal'],
      ['hw_power_brake_slowdown', 'psu'],
      ['display_clock_setting', 'config']
    ])
    expect(describeThrottleCause('psu')).toBe('PSU power brake')
  })

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(typeof classifyThrottleReason(s)).toBe('string')
      })
    )
  })
})
