import { describe, expect, it } from 'vitest'
import {
  createThrottleAccounting,
  throttleStates
} from '../../../../src-main/node/metrics/throttle-accounting'
import {
  cpuSample,
  gpuSample,
  packageThrottle,
  snapshot,
  storageDevice
} from '../../../helpers/snapshot-builder'

describe('throttle-accounting', () => {
  it('derives states per device class and leaves unobservable devices out', () => {
    const prev = snapshot({
      t: 0,
      cpu: cpuSample({ packageThrottle: [packageThrottle(0, 10, undefined)] })
    })
    const s = snapshot({
      t: 1000,
      gpus: [gpuSample({ index: 0, throttle: ['sw_power_cap', 'gpu_idle'] })],
      cpu: cpuSample({ packageThrottle: [packageThrottle(0, 12, undefined)] }),
      storage: [storageDevice({ name: 'nvme0n1', temperatureCelsius: 85, tempMaxCelsius: 84 })],
      power: 'battery'
    })
    const states = throttleStates(s, prev)
    const by = Object.fromEntries(states.map((x) => [x.device, [...x.causes]]))
    expect(by).toEqual({
      gpu0: ['power'],
      cpu: ['thermal'],
      nvme0n1: ['storage-thermal'],
      host: ['battery']
    })
    // Without a previous snapshot the CPU counter has no baseline: not observed.
    expect(throttleStates(s, null).some((x) => x.device === 'cpu')).toBe(false)
  })

  it('skips gaps longer than the limit', () => {
    const acc = createThrottleAccounting({ maxGapMs: 5000 })
    acc.push(snapshot({ t: 0, gpus: [gpuSample({ index: 0, throttle: ['sw_power_cap'] })] }))
    acc.push(snapshot({ t: 1000, gpus: [gpuSample({ index: 0, throttle: ['sw_power_cap'] })] }))
    acc.push(snapshot({ t: 60_000, gpus: [gpuSample({ index: 0, throttle: ['sw_power_cap'] })] }))
    const gpu = acc.totals().find((t) => t.device === 'gpu0')!
    expect(gpu.observedSeconds).toBe(1)
    expect(gpu.secondsByCause.power).toBe(1)
  })
})
