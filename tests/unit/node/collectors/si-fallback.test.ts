import { describe, expect, it } from 'vitest'
import {
  createSiFallbackCollector,
  type SiLike
} from '../../../../src-main/node/collectors/si-fallback'
import type { CollectorDeps } from '../../../../src-main/node/collectors/types'

const deps = { platform: 'win32' } as unknown as CollectorDeps
const si: SiLike = {
  currentLoad: async () => ({ currentLoad: 37.5, cpus: [{ load: 30 }, { load: 45 }] }),
  cpuCurrentSpeed: async () => ({ avg: 3.6, max: 4.2 }),
  cpuTemperature: async () => ({ main: null, max: null }),
  mem: async () => ({ total: 32e9, available: 20e9, used: 12e9, swaptotal: 0, swapused: 0 }),
  fsSize: async () => [{ fs: 'C:', mount: 'C:', size: 1e12, available: 4e11 }],
  battery: async () => ({ hasBattery: true, isCharging: false, acConnected: false, percent: 64 })
}

describe('si-fallback collector (Windows/macOS)', () => {
  it('normalises systeminformation values and marks what the platform cannot give, with reasons', async () => {
    const c = createSiFallbackCollector(deps, si)
    const part = await c.sample({
      signal: new AbortController().signal,
      due: { slow: true, rare: true }
    })
    expect(part.cpu?.utilizationPct).toEqual({ status: 'ok', value: 37.5 })
    expect(part.cpu?.frequencyMhz).toEqual({ status: 'ok', value: 3600 })
    // null temperature is unknown, never 0
    expect(part.cpu?.packageTemperatureCelsius).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
    expect(part.cpu?.coreThrottle).toMatchObject({
      status: 'unavailable',
      detail: expect.stringMatching(/Windows/)
    })
    expect(part.memory?.availableBytes).toEqual({ status: 'ok', value: 20e9 })
    expect(part.power?.source).toEqual({ status: 'ok', value: 'battery' })
    expect(part.storage?.filesystems[0].freeBytes).toEqual({ status: 'ok', value: 4e11 })
  })

  it('turns a failing call into unavailable(failed) without losing the others', async () => {
    const c = createSiFallbackCollector(deps, {
      ...si,
      currentLoad: async () => {
        throw new Error('WMI query failed')
      }
    })
    const part = await c.sample({
      signal: new AbortController().signal,
      due: { slow: false, rare: false }
    })
    expect(part.cpu?.utilizationPct).toEqual({
      status: 'unavailable',
      reason: 'failed',
      detail: 'WMI query failed'
    })
    expect(part.memory?.totalBytes.status).toBe('ok')
  })
})
