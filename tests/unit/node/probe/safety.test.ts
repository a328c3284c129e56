import { describe, expect, it } from 'vitest'
import { checkSafety } from '../../../../src-main/node/probe/safety'
import { ok } from '../../../../src-main/shared/reading'
import {
  cpuSample,
  gpuInfo,
  gpuSample,
  inventory,
  snapshot,
  storageDevice
} from '../../../helpers/snapshot-builder'

const inv = inventory({ gpus: [gpuInfo({ tempSlowdownCelsius: ok(90) })] })

describe('node/probe/safety', () => {
  it('lets a healthy machine run', () => {
    expect(checkSafety(snapshot({ gpus: [gpuSample({ temperatureCelsius: 70 })] }), inv)).toBeNull()
  })

  it('stops on battery power', () => {
    expect(checkSafety(snapshot({ power: 'battery' }), inv)).toMatchObject({ reason: 'battery' })
  })

  it('stops a GPU at its slowdown threshold minus the margin', () => {
    expect(
      checkSafety(snapshot({ gpus: [gpuSample({ temperatureCelsius: 84.9 })] }), inv, 5)
    ).toBeNull()
    const stop = checkSafety(snapshot({ gpus: [gpuSample({ temperatureCelsius: 85 })] }), inv, 5)
    expect(stop).toMatchObject({ reason: 'threshold' })
    expect(stop!.detail).toBe(
      'GPU0 NVIDIA GeForce RTX 4090 reached 85 °C, within 5 °C of its slowdown threshold 90 °C'
    )
  })

  it('uses the reported headroom when the slowdown temperature is not in the inventory', () => {
    const noLimit = inventory({
      gpus: [gpuInfo({ tempSlowdownCelsius: { status: 'unavailable', reason: 'unsupported' } })]
    })
    const s = snapshot({
      gpus: [gpuSample({ temperatureCelsius: 80, temperatureHeadroomCelsius: 3 })]
    })
    expect(checkSafety(s, noLimit, 5)).toMatchObject({ reason: 'threshold' })
    const cool = snapshot({
      gpus: [gpuSample({ temperatureCelsius: 60, temperatureHeadroomCelsius: 23 })]
    })
    expect(checkSafety(cool, noLimit, 5)).toBeNull()
  })

  it('stops on a hot CPU package (crit, else max) and a hot drive', () => {
    const sensor = (crit: number | null, max: number) => ({
      chip: 'coretemp',
      chipName: 'coretemp',
      sensor: 'temp1',
      label: 'Package id 0',
      temperatureCelsius: ok(96),
      maxCelsius: ok(max),
      critCelsius:
        crit === null ? ({ status: 'unavailable', reason: 'unsupported' } as const) : ok(crit),
      emergencyCelsius: { status: 'unavailable', reason: 'unsupported' } as const,
      critAlarm: ok(false)
    })
    const hot = snapshot({
      cpu: cpuSample({ packageTemperatureCelsius: 96, temperatures: ok([sensor(100, 90)]) })
    })
    expect(checkSafety(hot, inv)).toMatchObject({ reason: 'threshold' })
    const fine = snapshot({
      cpu: cpuSample({ packageTemperatureCelsius: 94, temperatures: ok([sensor(100, 90)]) })
    })
    expect(checkSafety(fine, inv)).toBeNull()
    const noCrit = snapshot({
      cpu: cpuSample({ packageTemperatureCelsius: 86, temperatures: ok([sensor(null, 90)]) })
    })
    expect(checkSafety(noCrit, inv)).toMatchObject({ reason: 'threshold' })
    const drive = snapshot({
      storage: [storageDevice({ temperatureCelsius: 79, tempMaxCelsius: 83 })]
    })
    expect(checkSafety(drive, inv)!.detail).toMatch(
      /nvme0n1 reached 79 °C, within 5 °C of its warning temperature 83 °C/
    )
  })

  it('treats unknown temperatures as unknown, not as cold or hot', () => {
    const s = snapshot({
      gpus: [gpuSample({ temperatureCelsius: { status: 'unavailable', reason: 'timeout' } })],
      cpu: { status: 'unavailable', reason: 'failed' },
      storage: { status: 'unavailable', reason: 'permission-denied' },
      power: { status: 'unavailable', reason: 'unsupported' }
    })
    expect(checkSafety(s, inv)).toBeNull()
  })
})
