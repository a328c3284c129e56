import { describe, expect, it } from 'vitest'
import { THROTTLE_MARKER, summarizeForTray } from '../../../src-main/electron-main/tray-summary'
import { ok, unavailable, type Reading } from '../../../src-main/shared/reading'
import type { GpuSample, Snapshot, ThrottleFlag } from '../../../src-main/shared/telemetry'

const na = unavailable('unsupported')

function gpu(name: string, temp: Reading<number>, flags: ThrottleFlag[] = []): GpuSample {
  return {
    id: `nvidia:${name}`,
    index: 0,
    vendor: 'nvidia',
    name,
    state: 'active',
    temperatureCelsius: temp,
    throttleFlags: ok(flags)
  } as unknown as GpuSample
}

function snapshot(
  over: Partial<Snapshot> = {},
  cpuTemp: Reading<number> = na,
  throttleCount?: number
): Snapshot {
  return {
    schemaVersion: 1,
    seq: 1,
    timestampMs: 0,
    cpu: ok({
      packageTemperatureCelsius: cpuTemp,
      packageThrottle:
        throttleCount === undefined
          ? na
          : ok([{ packageId: 0, count: ok(throttleCount), totalTimeMs: ok(0) }])
    }) as never,
    memory: na,
    gpus: [],
    storage: na,
    thermal: na,
    power: na,
    health: [],
    ...over
  }
}

describe('tray-summary', () => {
  it('shows the hottest device across GPUs, CPU and NVMe', () => {
    const s = snapshot(
      {
        gpus: [gpu('RTX 4090', ok(71.4)), gpu('RTX 3090', ok(83.6))],
        storage: ok({
          devices: [
            { name: 'nvme0n1', temperatureCelsius: ok(52), tempMaxCelsius: ok(80) } as never
          ],
          filesystems: []
        })
      },
      ok(66)
    )
    const t = summarizeForTray(s)
    expect(t.hottest).toEqual({ label: 'RTX 3090', temperatureCelsius: 83.6 })
    expect(t.title).toBe('84°C')
    expect(t.tooltip).toContain('Hottest: RTX 3090 84°C')
    expect(t.tooltip).toContain('No throttling')
  })

  it('says throttling is unknown, not absent, when no throttle signal was read', () => {
    const blind = gpu('RTX 4090', ok(60))
    const t = summarizeForTray(
      snapshot({ gpus: [{ ...blind, throttleFlags: unavailable('timeout', 'nvidia-smi') }] })
    )
    expect(t.tooltip).toContain('Throttling: unknown (no throttle readings)')
    expect(t.tooltip).not.toContain('No throttling')
  })

  it('adds the throttle marker for real throttle causes and names them', () => {
    const t = summarizeForTray(
      snapshot({ gpus: [gpu('A100', ok(64), [{ name: 'sw_power_cap', cause: 'power' }])] })
    )
    expect(t.title).toBe(`64°C ${THROTTLE_MARKER}`)
    expect(t.throttling).toEqual(['A100: power'])
    expect(t.tooltip).toContain('Throttling: A100: power')
  })

  it('does not flag idle, application-clock or transient HW slowdown reasons', () => {
    const flags: ThrottleFlag[] = [
      { name: 'gpu_idle', cause: 'idle' },
      { name: 'applications_clocks_setting', cause: 'config' },
      { name: 'hw_slowdown', cause: 'hw-slowdown' }
    ]
    expect(summarizeForTray(snapshot({ gpus: [gpu('L4', ok(40), flags)] })).title).toBe('40°C')
  })

  it('flags CPU thermal throttling only when the package counter rose since the last snapshot', () => {
    const before = snapshot({}, ok(90), 10)
    expect(summarizeForTray(snapshot({}, ok(95), 10), before).throttling).toEqual([])
    expect(summarizeForTray(snapshot({}, ok(95), 12), before).throttling).toEqual(['CPU: thermal'])
    expect(summarizeForTray(snapshot({}, ok(95), 12), null).throttling).toEqual([])
  })

  it('flags an NVMe drive at or above its own limit', () => {
    const s = snapshot({
      storage: ok({
        devices: [{ name: 'nvme0n1', temperatureCelsius: ok(81), tempMaxCelsius: ok(80) } as never],
        filesystems: []
      })
    })
    expect(summarizeForTray(s).throttling).toEqual(['nvme0n1: storage-thermal'])
  })

  it('says so when no temperature is known instead of showing 0', () => {
    const t = summarizeForTray(snapshot({ gpus: [gpu('Arc', unavailable('permission-denied'))] }))
    expect(t.hottest).toBeNull()
    expect(t.title).toBe('')
    expect(t.tooltip).toContain('No temperature readings')
  })

  it('honours the Fahrenheit setting', () => {
    expect(
      summarizeForTray(snapshot({ gpus: [gpu('RTX 4090', ok(80))] }), null, 'fahrenheit').title
    ).toBe('176°F')
  })
})
