/**
 * Conformance on prometheus/procfs's fixture tree and telegraf's hwmon temp test cases: the awkward real-world
 * shapes (negative acpitz temperature, cooling devices without cur_state or at -1, an offline CPU with an empty
 * dir, cpufreq symlinks, cpuinfo_avg_freq, meminfo without MemAvailable, NVMe threshold sentinels, k10temp with a
 * non-contiguous temp index, dangling device links).
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createFileReader, type FileReader } from '../../src-main/node/platform/file-reader'
import type { CollectorDeps, SnapshotPart } from '../../src-main/node/collectors/types'
import { createCpuCollector } from '../../src-main/node/collectors/cpu'
import { createMemoryCollector } from '../../src-main/node/collectors/memory'
import { createThermalCollector } from '../../src-main/node/collectors/thermal'
import { createPowerCollector } from '../../src-main/node/collectors/power'
import {
  discoverHwmonChips,
  inputCelsius,
  parseMillidegrees,
  readHwmonChip
} from '../../src-main/node/sources/hwmon'
import type {
  CpuSample,
  HwmonChip,
  MemorySample,
  PowerSample,
  ThermalSample
} from '../../src-main/shared/telemetry'
import { describePeer, peer } from '../helpers/peer-fixtures'
import { materializePeerTree, type PeerTree } from '../helpers/peer-tree'
import { fsCollectorDeps } from '../helpers/fs-collector-deps'

function depsFor(fs: FileReader): CollectorDeps & { tick(): void } {
  const clock = { t: 5_000 }
  return { ...fsCollectorDeps(fs, clock), tick: () => void (clock.t += 1000) }
}

describePeer('procfs fixture conformance', () => {
  let tree: PeerTree
  let fs: FileReader
  let cpu: CpuSample
  let memory: MemorySample
  let thermal: ThermalSample
  let power: PowerSample
  let cpuProbe: Awaited<ReturnType<ReturnType<typeof createCpuCollector>['probe']>>

  beforeAll(async () => {
    tree = await materializePeerTree('prometheus__procfs/fixtures')
    fs = createFileReader({ sysRoot: `${tree.root}/sys`, procRoot: `${tree.root}/proc` })
    const deps = depsFor(fs)
    const cpuC = createCpuCollector(deps)
    const collectors = [
      cpuC,
      createMemoryCollector(deps),
      createThermalCollector(deps),
      createPowerCollector(deps)
    ]
    const signal = new AbortController().signal
    const probes = await Promise.all(collectors.map((c) => c.probe(signal)))
    cpuProbe = probes[0]
    let merged: SnapshotPart = {}
    for (let i = 0; i < 2; i++) {
      deps.tick()
      const parts = await Promise.all(
        collectors.map((c) => c.sample({ signal, due: { slow: i === 0, rare: false } }))
      )
      merged = Object.assign({}, ...parts) as SnapshotPart
    }
    cpu = merged.cpu!
    memory = merged.memory!
    thermal = merged.thermal!
    power = merged.power!
  })

  afterAll(async () => {
    await fs?.close()
    await tree?.cleanup()
  })

  it('accepts a negative thermal zone temperature (acpitz -44 °C)', () => {
    const zones = new Map(thermal.zones.map((z) => [z.type, z.temperatureCelsius]))
    expect(zones.get('bcm2835_thermal')).toEqual({ status: 'ok', value: 49.925 })
    expect(zones.get('acpitz')).toEqual({ status: 'ok', value: -44 })
  })

  it('marks a cooling device without cur_state, or at -1, as unavailable instead of 0', () => {
    const byType = new Map(thermal.cooling.map((c) => [c.type, c]))
    expect(byType.get('Processor')?.curState).toEqual({ status: 'ok', value: 0 })
    expect(byType.get('Processor')?.maxState).toEqual({ status: 'ok', value: 50 })
    expect(byType.get('TFN1')?.curState.status).toBe('unavailable')
    expect(byType.get('TFN1')?.maxState).toEqual({ status: 'ok', value: 50 })
    expect(byType.get('intel_powerclamp')?.curState.status).toBe('unavailable')
    expect(byType.get('intel_powerclamp')?.maxState).toEqual({ status: 'ok', value: 27 })
  })

  it('follows the cpu0/cpufreq symlink, uses cpuinfo_cur_freq where scaling_cur_freq is missing and tolerates the empty offline cpu2', () => {
    expect(cpu.frequencies.status).toBe('ok')
    const f = new Map(
      (cpu.frequencies.status === 'ok' ? cpu.frequencies.value : []).map((x) => [x.cpu, x])
    )
    expect(f.get(0)?.curMhz).toEqual({ status: 'ok', value: 1219.917 })
    expect(f.get(0)?.maxMhz).toEqual({ status: 'ok', value: 2400 })
    expect(f.get(0)?.governor).toEqual({ status: 'ok', value: 'powersave' })
    expect(f.get(0)?.driver).toEqual({ status: 'ok', value: 'intel_pstate' })
    expect(f.get(1)?.curMhz).toEqual({ status: 'ok', value: 1200.195 })
    expect(f.get(1)?.maxMhz).toEqual({ status: 'ok', value: 3300 })
    // cpu2 has an empty sysfs dir: its frequency comes from /proc/cpuinfo, never from a guess.
    expect(f.get(2)?.scalingMaxMhz.status).toBe('unavailable')
    expect(f.get(2)?.curMhz.status).toBe('ok')
    // cpuinfo_avg_freq (above max on this kernel) is not used as the current frequency.
    expect(cpu.frequencyMaxMhz).toEqual({ status: 'ok', value: 3300 })
    expect(cpuProbe.status).toBe('present')
  })

  it('reads thermal_throttle counters with topology', () => {
    expect(cpu.coreThrottle).toEqual({
      status: 'ok',
      value: [
        {
          cpu: 0,
          packageId: 0,
          coreId: 0,
          count: { status: 'ok', value: 10084 },
          totalTimeMs: expect.objectContaining({ status: 'unavailable' })
        },
        {
          cpu: 1,
          packageId: 0,
          coreId: 1,
          count: { status: 'ok', value: 523 },
          totalTimeMs: expect.objectContaining({ status: 'unavailable' })
        }
      ]
    })
    expect(
      cpu.packageThrottle.status === 'ok' && cpu.packageThrottle.value.map((p) => p.count)
    ).toEqual([{ status: 'ok', value: 34818 }])
  })

  it('estimates available memory when MemAvailable is missing and reads PSI', () => {
    expect(memory.totalBytes).toEqual({ status: 'ok', value: 15666184 * 1024 })
    expect(memory.availableIsEstimate).toBe(true)
    expect(memory.pressureSomeAvg10Pct).toEqual({ status: 'ok', value: 0.1 })
    expect(memory.pressureFullAvg10Pct).toEqual({ status: 'ok', value: 0.2 })
  })

  it('reads BAT0 through its LNXSYSTM symlink target', () => {
    const bat = power.batteries.find((b) => b.name === 'BAT0')!
    expect(bat.capacityPct).toEqual({ status: 'ok', value: 98 })
    expect(bat.status).toEqual({ status: 'ok', value: 'Discharging' })
    expect(bat.powerWatts).toEqual({ status: 'ok', value: 4.83 })
    expect(power.acOnline).toEqual({ status: 'ok', value: false })
    expect(power.source).toEqual({ status: 'ok', value: 'battery' })
  })
})

describePeer('telegraf hwmon temp testcases', () => {
  let tree: PeerTree
  let chips: HwmonChip[]
  let fs: FileReader

  beforeAll(async () => {
    tree = await materializePeerTree(
      'influxdata__telegraf/plugins/inputs/temp/testcases/with_device_tag'
    )
    fs = createFileReader({ sysRoot: `${tree.root}/sys`, procRoot: `${tree.root}/proc` })
    const handles = await discoverHwmonChips(fs)
    chips = await Promise.all(handles.map((h) => readHwmonChip(fs, h)))
  })

  afterAll(async () => {
    await fs?.close()
    await tree?.cleanup()
  })

  it('matches the expected device and temperature of every sensor', async () => {
    const expected = (
      await readFile(
        peer('influxdata__telegraf/plugins/inputs/temp/testcases/with_device_tag/expected_v2.out'),
        'utf8'
      )
    )
      .split('\n')
      .flatMap((l) => {
        const m = /^temp,device=([^,]+),sensor=(\S+) temp=(\S+)$/.exec(l.trim())
        return m ? [{ device: m[1], sensor: m[2], temp: Number(m[3]) }] : []
      })
    expect(expected.length).toBe(8)
    const ours = chips.flatMap((c) =>
      c.temperatures.map((t) => ({
        device: c.device.status === 'ok' ? c.device.value : '',
        sensor: `${c.chipName}_${t.label}`.toLowerCase().replace(/ /g, '_'),
        temp: t.temperatureCelsius.status === 'ok' ? t.temperatureCelsius.value : NaN
      }))
    )
    expect(ours).toEqual(expect.arrayContaining(expected))
    expect(ours).toHaveLength(expected.length)
  })

  it('treats the NVMe 65261850 max as a sentinel and keeps the real Composite limits', () => {
    const nvme = chips.find((c) => c.device.status === 'ok' && c.device.value === 'nvme0')!
    const composite = nvme.temperatures.find((t) => t.label === 'Composite')!
    expect(composite.maxCelsius).toEqual({ status: 'ok', value: 81.85 })
    expect(composite.critCelsius).toEqual({ status: 'ok', value: 84.85 })
    const s1 = nvme.temperatures.find((t) => t.label === 'Sensor 1')!
    expect(s1.maxCelsius).toEqual({
      status: 'unavailable',
      reason: 'unsupported',
      detail: 'sentinel value'
    })
  })

  it('keeps the k10temp non-contiguous temp3 (Tccd1) with its own index', () => {
    const k10 = chips.find((c) => c.chipName === 'k10temp')!
    expect(k10.temperatures.map((t) => [t.sensor, t.label])).toEqual([
      ['temp1', 'Tctl'],
      ['temp3', 'Tccd1']
    ])
  })

  it('parses the single-value edge cases: no newline, empty, too long', async () => {
    const dir = 'influxdata__telegraf/plugins/inputs/temp/testdata'
    expect(parseMillidegrees(await readFile(peer(dir, 'temp.normal'), 'utf8'))).toEqual({
      status: 'ok',
      value: 45
    })
    expect(parseMillidegrees(await readFile(peer(dir, 'temp.empty'), 'utf8')).status).toBe(
      'unavailable'
    )
    const long = parseMillidegrees(await readFile(peer(dir, 'temp.too_long'), 'utf8'))
    // 9999999911 m°C parses as a number but is no temperature: the input guard rejects it.
    expect(long.status).toBe('ok')
    expect(inputCelsius(long).status).toBe('unavailable')
  })
})
