import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import {
  createCpuCollector,
  pickPackageTemperature,
  raplPowerWatts
} from '../../../../src-main/node/collectors/cpu'
import {
  parseCpuList,
  parseProcStat,
  utilizationBetween
} from '../../../../src-main/node/sources/procfs'
import type { TemperatureSensor } from '../../../../src-main/shared/telemetry'
import { fsCollectorDeps } from '../../../helpers/fs-collector-deps'

const due = { slow: false, rare: false }
const signal = new AbortController().signal
let tmp: string | null = null

async function scratchTree(): Promise<{ sys: string; proc: string }> {
  tmp = await mkdtemp(join(tmpdir(), 'rigready-cpu-'))
  await cp('tests/fixtures/sysfs/ryzen-7950x-desktop', join(tmp, 'sys'), {
    recursive: true,
    verbatimSymlinks: true
  })
  await cp('tests/fixtures/procfs/ryzen-7950x-desktop', join(tmp, 'proc'), { recursive: true })
  return { sys: join(tmp, 'sys'), proc: join(tmp, 'proc') }
}

const deps = fsCollectorDeps

function temp(label: string, value: number): TemperatureSensor {
  const na = { status: 'unavailable' as const, reason: 'unsupported' as const }
  return {
    chip: 'c',
    chipName: 'coretemp',
    sensor: 'temp1',
    label,
    temperatureCelsius: { status: 'ok', value },
    maxCelsius: na,
    critCelsius: na,
    emergencyCelsius: na,
    critAlarm: na
  }
}

afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
  tmp = null
})

describe('cpu', () => {
  it('computes utilisation from /proc/stat deltas and warms up on the first tick', async () => {
    const { sys, proc } = await scratchTree()
    const fs = createFileReader({ sysRoot: sys, procRoot: proc })
    const clock = { t: 0 }
    const c = createCpuCollector(deps(fs, clock))
    const probe = await c.probe(signal)
    expect(probe.status).toBe('present')
    if (probe.status === 'present') {
      expect(probe.inventory.cpu?.logicalCores).toEqual({ status: 'ok', value: 2 })
      expect(probe.inventory.cpu?.maxMhz).toEqual({ status: 'ok', value: 5881 })
      expect(probe.inventory.cpu?.scalingDriver).toEqual({ status: 'ok', value: 'amd-pstate-epp' })
      expect(probe.inventory.cpu?.hasThrottleCounters).toBe(false)
    }
    // Probe read the first /proc/stat; the next one adds 300 busy + 100 idle jiffies (cpu0 all busy).
    await writeFile(
      join(proc, 'stat'),
      'cpu  1300 0 500 8100 100 0 0 0 0 0\ncpu0 750 0 250 4000 50 0 0 0 0 0\ncpu1 550 0 250 4100 50 0 0 0 0 0\nintr 1\n'
    )
    clock.t += 1000
    const s = (await c.sample({ signal, due })).cpu!
    expect(s.utilizationPct).toEqual({ status: 'ok', value: 75 })
    expect(s.perCoreUtilizationPct).toEqual({ status: 'ok', value: [100, (50 / 150) * 100] })
    expect(s.frequencyMhz).toEqual({ status: 'ok', value: (5300 + 4100) / 2 })
    expect(s.governor).toEqual({ status: 'ok', value: 'performance' })
    expect(s.packageTemperatureCelsius).toEqual({ status: 'ok', value: 88.125 })
    // An AMD CPU has no thermal_throttle counters at all: they do not apply, nothing is missing.
    expect(s.coreThrottle).toMatchObject({
      status: 'unavailable',
      reason: 'not-applicable',
      detail: 'thermal_throttle counters are Intel-only (AuthenticAMD)'
    })
    expect(s.packagePowerWatts).toMatchObject({ status: 'unavailable', reason: 'no-device' })
    await fs.close()
  })

  it('reports RAPL power from energy deltas and root-only energy_uj as permission denied', async () => {
    const { sys, proc } = await scratchTree()
    const zone = join(sys, 'class/powercap/intel-rapl:0')
    await mkdir(zone, { recursive: true })
    await writeFile(join(zone, 'name'), 'package-0\n')
    await writeFile(join(zone, 'max_energy_range_uj'), '262143328850\n')
    await writeFile(join(zone, 'energy_uj'), '262143000000\n')
    const fs = createFileReader({ sysRoot: sys, procRoot: proc })
    const clock = { t: 0 }
    const c = createCpuCollector(deps(fs, clock))
    await c.probe(signal)
    expect((await c.sample({ signal, due })).cpu!.packagePowerWatts).toMatchObject({
      reason: 'warming-up',
      detail: 'package power needs two energy readings'
    })
    // Wraps past max_energy_range_uj: 328850 + 2e6 µJ in 0.5 s.
    await writeFile(join(zone, 'energy_uj'), '2000000\n')
    clock.t += 500
    const w = (await c.sample({ signal, due })).cpu!.packagePowerWatts
    expect(w.status).toBe('ok')
    expect((w as { value: number }).value).toBeCloseTo((328850 + 2000000) / 1e6 / 0.5, 9)

    const denied: FileReader = {
      ...fs,
      readPolled: async (p) =>
        p.endsWith('energy_uj')
          ? { ok: false, code: 'permission-denied', message: 'EACCES' }
          : fs.readPolled(p)
    }
    const c2 = createCpuCollector(deps(denied, clock))
    await c2.probe(signal)
    expect((await c2.sample({ signal, due })).cpu!.packagePowerWatts).toEqual({
      status: 'unavailable',
      reason: 'permission-denied',
      detail: 'energy_uj is root-only on current kernels'
    })
    await fs.close()
  })

  it('degrades to unavailable readings on an empty machine instead of throwing', async () => {
    const fs = createFileReader({
      sysRoot: 'tests/fixtures/sysfs/none',
      procRoot: 'tests/fixtures/procfs/none'
    })
    const c = createCpuCollector(deps(fs))
    expect((await c.probe(signal)).status).toBe('absent')
    const s = (await c.sample({ signal, due: { slow: true, rare: false } })).cpu!
    expect(s.utilizationPct).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect(s.temperatures).toMatchObject({ status: 'unavailable', reason: 'no-device' })
    expect(s.frequencies.status).toBe('unavailable')
  })

  it('computes RAPL power and rejects impossible deltas', () => {
    expect(raplPowerWatts(1_000_000, 51_000_000, 1000, null)).toEqual({ status: 'ok', value: 50 })
    expect(raplPowerWatts(10, 5, 1000, null).status).toBe('unavailable')
    expect(raplPowerWatts(10, 20, 0, 100).status).toBe('unavailable')
  })

  it('picks the package sensor, else Tdie, else Tctl', () => {
    expect(
      pickPackageTemperature([
        temp('Core 0', 90),
        temp('Package id 0', 80),
        temp('Package id 1', 85)
      ])
    ).toEqual({ status: 'ok', value: 85 })
    expect(pickPackageTemperature([temp('Tctl', 70), temp('Tdie', 60), temp('Tccd1', 75)])).toEqual(
      { status: 'ok', value: 60 }
    )
    expect(pickPackageTemperature([temp('Tctl', 70), temp('Tccd1', 75)])).toEqual({
      status: 'ok',
      value: 70
    })
    expect(pickPackageTemperature([]).status).toBe('unavailable')
  })

  it('parses /proc/stat and CPU lists without throwing on garbage or truncation', () => {
    const good = 'cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 10 0 10 80 0 0 0 0 0 0\nintr 5\n'
    fc.assert(
      fc.property(fc.string(), fc.nat(good.length), (junk, cut) => {
        const a = parseProcStat(junk)
        const b = parseProcStat(good.slice(0, cut) + junk)
        for (const p of [a, b])
          for (const t of p.perCpu.values()) expect(Number.isFinite(t.total)).toBe(true)
        expect(Array.isArray(parseCpuList(junk))).toBe(true)
      })
    )
    expect(parseProcStat(good).total).toEqual({ busy: 20, total: 100 })
    expect(parseCpuList('0-3,5')).toEqual([0, 1, 2, 3, 5])
    expect(utilizationBetween({ busy: 10, total: 100 }, { busy: 5, total: 90 }).status).toBe(
      'unavailable'
    )
  })
})
