import { describe, expect, it } from 'vitest'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import { createThermalCollector } from '../../../../src-main/node/collectors/thermal'
import { fsCollectorDeps } from '../../../helpers/fs-collector-deps'

const signal = new AbortController().signal

const deps = fsCollectorDeps

describe('thermal', () => {
  it('reads hwmon chips, zones with trip points and cooling devices', async () => {
    const fs = createFileReader({
      sysRoot: 'tests/fixtures/sysfs/ryzen-7950x-desktop',
      procRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop'
    })
    const c = createThermalCollector(deps(fs))
    expect((await c.probe(signal)).status).toBe('present')
    const s = (await c.sample({ signal, due: { slow: false, rare: false } })).thermal!
    expect(s.chips.map((x) => x.chipName)).toEqual(['k10temp', 'nct6798'])
    expect(s.chips[1].fans[0].rpm).toEqual({ status: 'ok', value: 1245 })
    expect(s.zones).toEqual([
      {
        zone: '0',
        type: 'acpitz',
        temperatureCelsius: { status: 'ok', value: 16.8 },
        trips: [{ type: 'critical', temperatureCelsius: 105 }]
      }
    ])
    expect(s.cooling).toEqual([
      {
        id: '0',
        type: 'Processor',
        curState: { status: 'ok', value: 0 },
        maxState: { status: 'ok', value: 3 }
      }
    ])
    // Fans come from the slow tier; fast ticks reuse the last reading.
    const fast = (await c.sample({ signal, due: { slow: false, rare: false } })).thermal!
    expect(fast.chips[1].fans[0].rpm).toEqual({ status: 'ok', value: 1245 })
    await fs.close()
  })

  it('is absent, not failing, when there is no thermal sysfs at all', async () => {
    const fs = createFileReader({
      sysRoot: 'tests/fixtures/sysfs/none',
      procRoot: 'tests/fixtures/procfs/none'
    })
    const c = createThermalCollector(deps(fs))
    expect(await c.probe(signal)).toMatchObject({
      status: 'absent',
      reason: { reason: 'no-device' }
    })
    expect((await c.sample({ signal, due: { slow: true, rare: false } })).thermal).toEqual({
      chips: [],
      zones: [],
      cooling: []
    })
  })

  it('maps unreadable, empty and garbage zone files to reasons', async () => {
    const real = createFileReader({
      sysRoot: 'tests/fixtures/sysfs/ryzen-7950x-desktop',
      procRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop'
    })
    const bad: FileReader = {
      ...real,
      readPolled: async (p) =>
        p.endsWith('/temp')
          ? { ok: true, value: '' }
          : p.endsWith('cur_state')
            ? { ok: false, code: 'permission-denied', message: 'EACCES' }
            : real.readPolled(p)
    }
    const c = createThermalCollector(deps(bad))
    await c.probe(signal)
    const s = (await c.sample({ signal, due: { slow: true, rare: false } })).thermal!
    // An empty file is an attribute with no value behind it (sources/sysfs.ts), not a parse error.
    expect(s.zones[0].temperatureCelsius).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported',
      detail: 'temp is empty'
    })
    expect(s.cooling[0].curState).toMatchObject({
      status: 'unavailable',
      reason: 'permission-denied'
    })
    await real.close()
  })
})
