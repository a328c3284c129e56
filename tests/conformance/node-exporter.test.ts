/**
 * Conformance with node_exporter's end-to-end test: our collectors, pointed at node_exporter's sysfs/procfs
 * fixture tree, must yield the values in its expected /metrics output (e2e-output.txt), which is parsed here.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { silentLogger } from '../../src-main/node/platform/logger'
import { createFileReader, type FileReader } from '../../src-main/node/platform/file-reader'
import type { Clock } from '../../src-main/node/platform/clock'
import type { StreamSpawner } from '../../src-main/node/platform/process-stream'
import type { CollectorDeps, SnapshotPart } from '../../src-main/node/collectors/types'
import { createCpuCollector } from '../../src-main/node/collectors/cpu'
import { createMemoryCollector } from '../../src-main/node/collectors/memory'
import { createThermalCollector } from '../../src-main/node/collectors/thermal'
import { createPowerCollector } from '../../src-main/node/collectors/power'
import { parseCpuinfo } from '../../src-main/node/sources/procfs'
import type {
  CpuSample,
  MemorySample,
  PowerSample,
  ThermalSample
} from '../../src-main/shared/telemetry'
import { createFakeRunner } from '../helpers/fake-runner'
import { describePeer, peer } from '../helpers/peer-fixtures'
import { materializePeerTree, type PeerTree } from '../helpers/peer-tree'

interface Metric {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses Prometheus text exposition lines (no escapes beyond `\"` are needed for these series). */
function parseExposition(text: string): Metric[] {
  const out: Metric[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]] = l[2]
    out.push({ name: m[1], labels, value: Number(m[3]) })
  }
  return out
}

function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 1_000_000
  return {
    now: () => t,
    monotonic: () => t,
    setTimeout: () => 0,
    clearTimeout: () => {},
    advance(ms) {
      t += ms
    }
  }
}

function depsFor(fs: FileReader, clock: Clock): CollectorDeps {
  return {
    run: createFakeRunner({}),
    spawnStream: (() => {
      throw new Error('no streams in procfs collectors')
    }) as unknown as StreamSpawner,
    fs,
    clock,
    log: silentLogger,
    platform: 'linux',
    intervalMs: 1000,
    env: {}
  }
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))

describePeer('node-exporter conformance', () => {
  let tree: PeerTree
  let fs: FileReader
  let expected: Metric[]
  let cpu: CpuSample
  let memory: MemorySample
  let thermal: ThermalSample
  let power: PowerSample

  const series = (name: string): Metric[] => expected.filter((m) => m.name === name)

  beforeAll(async () => {
    tree = await materializePeerTree('prometheus__node_exporter')
    fs = createFileReader({ sysRoot: `${tree.root}/sys`, procRoot: `${tree.root}/proc` })
    expected = parseExposition(
      await readFile(peer('prometheus__node_exporter/e2e-output.txt'), 'utf8')
    )
    const clock = fakeClock()
    const deps = depsFor(fs, clock)
    const collectors = [
      createCpuCollector(deps),
      createMemoryCollector(deps),
      createThermalCollector(deps),
      createPowerCollector(deps)
    ]
    const signal = new AbortController().signal
    for (const c of collectors) await c.probe(signal)
    const parts: SnapshotPart[] = []
    for (let i = 0; i < 2; i++) {
      clock.advance(1000)
      parts.length = 0
      for (const c of collectors)
        parts.push(await c.sample({ signal, due: { slow: true, rare: false } }))
    }
    const merged = Object.assign({}, ...parts) as SnapshotPart
    cpu = merged.cpu!
    memory = merged.memory!
    thermal = merged.thermal!
    power = merged.power!
  })

  afterAll(async () => {
    await fs?.close()
    await tree?.cleanup()
  })

  it('reports every hwmon temperature, max and crit that node_exporter exports, per chip and sensor', () => {
    const ours = new Map<string, { t: number | null; max: number | null; crit: number | null }>()
    for (const chip of thermal.chips) {
      for (const s of chip.temperatures) {
        ours.set(`${chip.chip}/${s.sensor}`, {
          t: s.temperatureCelsius.status === 'ok' ? s.temperatureCelsius.value : null,
          max: s.maxCelsius.status === 'ok' ? s.maxCelsius.value : null,
          crit: s.critCelsius.status === 'ok' ? s.critCelsius.value : null
        })
      }
    }
    const checks: [string, 't' | 'max' | 'crit'][] = [
      ['node_hwmon_temp_celsius', 't'],
      ['node_hwmon_temp_max_celsius', 'max'],
      ['node_hwmon_temp_crit_celsius', 'crit']
    ]
    let compared = 0
    for (const [name, key] of checks) {
      const lines = series(name)
      expect(lines.length).toBeGreaterThan(0)
      for (const m of lines) {
        const got = ours.get(`${m.labels.chip}/${m.labels.sensor}`)
        expect(got, `${name} ${m.labels.chip}/${m.labels.sensor}`).toBeDefined()
        expect(got![key], `${name} ${m.labels.chip}/${m.labels.sensor}`).toBeCloseTo(m.value, 9)
        compared++
      }
    }
    // Every temperature we report exists upstream too (no invented sensors).
    expect(ours.size).toBe(series('node_hwmon_temp_celsius').length)
    expect(compared).toBeGreaterThan(30)
  })

  it('names chips and labels sensors exactly like node_exporter', () => {
    const names = new Map(thermal.chips.map((c) => [c.chip, c.chipName]))
    for (const m of series('node_hwmon_chip_names')) {
      if (!names.has(m.labels.chip)) continue
      expect(names.get(m.labels.chip)).toBe(m.labels.chip_name)
    }
    for (const chip of [
      'platform_coretemp_0',
      'platform_coretemp_1',
      'ieee80211_phy0_mt7996_phy0_0',
      'hwmon4',
      'platform_applesmc_768'
    ]) {
      expect(names.has(chip), chip).toBe(true)
    }
    const labels = new Map<string, string>()
    for (const c of thermal.chips) {
      for (const s of c.temperatures) labels.set(`${c.chip}/${s.sensor}`, s.label)
      for (const f of c.fans) labels.set(`${c.chip}/${f.sensor}`, f.label)
    }
    for (const m of series('node_hwmon_sensor_label')) {
      if (m.labels.sensor.startsWith('freq')) continue
      expect(labels.get(`${m.labels.chip}/${m.labels.sensor}`)).toBe(m.labels.label)
    }
  })

  it('reads fan rpm, min and max including the applesmc sensors that live in the device dir', () => {
    const fans = new Map(
      thermal.chips.flatMap((c) => c.fans.map((f) => [`${c.chip}/${f.sensor}`, f] as const))
    )
    for (const [name, key] of [
      ['node_hwmon_fan_rpm', 'rpm'],
      ['node_hwmon_fan_min_rpm', 'minRpm'],
      ['node_hwmon_fan_max_rpm', 'maxRpm']
    ] as const) {
      for (const m of series(name)) {
        const f = fans.get(`${m.labels.chip}/${m.labels.sensor}`)
        expect(f, `${name} ${m.labels.chip}/${m.labels.sensor}`).toBeDefined()
        expect(f![key]).toEqual({ status: 'ok', value: m.value })
      }
    }
  })

  it('reads thermal zones and cooling devices', () => {
    for (const m of series('node_thermal_zone_temp')) {
      const z = thermal.zones.find((x) => x.zone === m.labels.zone)
      expect(z?.type).toBe(m.labels.type)
      expect(z?.temperatureCelsius.status).toBe('ok')
      expect(close((z!.temperatureCelsius as { value: number }).value, m.value)).toBe(true)
    }
    for (const [name, key] of [
      ['node_cooling_device_cur_state', 'curState'],
      ['node_cooling_device_max_state', 'maxState']
    ] as const) {
      const lines = series(name)
      expect(lines.length).toBeGreaterThan(0)
      for (const m of lines) {
        const d = thermal.cooling.find((x) => x.id === m.labels.name)
        expect(d?.type).toBe(m.labels.type)
        expect(d![key]).toEqual({ status: 'ok', value: m.value })
      }
    }
  })

  it('reports core throttle counters once per (package, core) and package counters once per package', () => {
    expect(cpu.coreThrottle.status).toBe('ok')
    expect(cpu.packageThrottle.status).toBe('ok')
    const cores = cpu.coreThrottle.status === 'ok' ? cpu.coreThrottle.value : []
    const pkgs = cpu.packageThrottle.status === 'ok' ? cpu.packageThrottle.value : []
    const coreLines = series('node_cpu_core_throttles_total')
    expect(cores).toHaveLength(coreLines.length)
    for (const m of coreLines) {
      const c = cores.find(
        (x) => x.packageId === Number(m.labels.package) && x.coreId === Number(m.labels.core)
      )
      expect(c?.count).toEqual({ status: 'ok', value: m.value })
      expect(c?.totalTimeMs.status).toBe('unavailable')
    }
    const pkgLines = series('node_cpu_package_throttles_total')
    expect(pkgs).toHaveLength(pkgLines.length)
    for (const m of pkgLines) {
      expect(pkgs.find((p) => p.packageId === Number(m.labels.package))?.count).toEqual({
        status: 'ok',
        value: m.value
      })
    }
  })

  it('reads scaling frequencies, limits and governors per CPU', () => {
    const freqs = cpu.frequencies.status === 'ok' ? cpu.frequencies.value : []
    const byCpu = new Map(freqs.map((f) => [String(f.cpu), f]))
    for (const [name, key] of [
      ['node_cpu_scaling_frequency_hertz', 'curMhz'],
      ['node_cpu_scaling_frequency_min_hertz', 'scalingMinMhz'],
      ['node_cpu_scaling_frequency_max_hertz', 'scalingMaxMhz']
    ] as const) {
      const lines = series(name)
      expect(lines.length).toBeGreaterThan(0)
      for (const m of lines) {
        const r = byCpu.get(m.labels.cpu)?.[key]
        expect(r?.status, `${name} cpu${m.labels.cpu}`).toBe('ok')
        expect(close((r as { value: number }).value * 1e6, m.value)).toBe(true)
      }
    }
    for (const m of series('node_cpu_scaling_governor').filter((x) => x.value === 1)) {
      expect(byCpu.get(m.labels.cpu)?.governor).toEqual({ status: 'ok', value: m.labels.governor })
    }
    expect(cpu.governor).toEqual({ status: 'ok', value: 'powersave' })
  })

  it('falls back to /proc/cpuinfo "cpu MHz" for CPUs without cpufreq, matching node_cpu_frequency_hertz', async () => {
    const lines = series('node_cpu_frequency_hertz')
    expect(lines).toHaveLength(8)
    const text = await fs.readText('/proc/cpuinfo')
    const parsed = new Map(
      parseCpuinfo(text.ok ? text.value : '').map((e) => [String(e.processor), e])
    )
    const freqs = new Map(
      (cpu.frequencies.status === 'ok' ? cpu.frequencies.value : []).map((f) => [String(f.cpu), f])
    )
    for (const m of lines) {
      const e = parsed.get(m.labels.cpu)
      expect(close(e!.mhz! * 1e6, m.value)).toBe(true)
      expect(String(e!.physicalId)).toBe(m.labels.package)
      expect(String(e!.coreId)).toBe(m.labels.core)
      // cpu4..7 have no sysfs cpufreq in this tree: the collector must use the cpuinfo value.
      if (Number(m.labels.cpu) >= 4) {
        const f = freqs.get(m.labels.cpu)!
        expect(f.curMhz.status).toBe('ok')
        expect(close((f.curMhz as { value: number }).value * 1e6, m.value)).toBe(true)
      }
    }
  })

  it('reads memory totals in bytes like node_memory_*_bytes', async () => {
    const want = (n: string): number => series(`node_memory_${n}_bytes`)[0].value
    expect(memory.totalBytes).toEqual({ status: 'ok', value: want('MemTotal') })
    expect(memory.swapTotalBytes).toEqual({ status: 'ok', value: want('SwapTotal') })
    expect(memory.swapUsedBytes).toEqual({
      status: 'ok',
      value: want('SwapTotal') - want('SwapFree')
    })
    // This meminfo has no MemAvailable: the estimate is MemFree + Buffers + Cached + SReclaimable.
    expect(memory.availableIsEstimate).toBe(true)
    expect(memory.availableBytes).toEqual({
      status: 'ok',
      value: want('MemFree') + want('Buffers') + want('Cached') + want('SReclaimable')
    })
  })

  it('reads the battery and the mains adapter like node_power_supply_*', () => {
    const online = series('node_power_supply_online').find((m) => m.labels.power_supply === 'AC')!
    expect(power.acOnline).toEqual({ status: 'ok', value: online.value === 1 })
    const bat = power.batteries.find((b) => b.name === 'BAT0')!
    expect(bat.capacityPct).toEqual({
      status: 'ok',
      value: series('node_power_supply_capacity')[0].value
    })
    const info = series('node_power_supply_info').find((m) => m.labels.power_supply === 'BAT0')!
    expect(bat.status).toEqual({ status: 'ok', value: info.labels.status })
    expect(bat.powerWatts.status).toBe('ok')
    expect(
      close(
        (bat.powerWatts as { value: number }).value,
        series('node_power_supply_power_watt')[0].value
      )
    ).toBe(true)
    expect(power.source).toEqual({ status: 'ok', value: 'battery' })
  })

  it('warms up utilisation and RAPL power on the first tick and gives numbers on the second', () => {
    // The fixture files do not change between ticks: utilisation has no elapsed jiffies, RAPL 0 W.
    expect(cpu.utilizationPct.status).toBe('unavailable')
    expect(cpu.packagePowerWatts).toEqual({ status: 'ok', value: 0 })
    expect(cpu.packageTemperatureCelsius).toEqual({ status: 'ok', value: 55 })
  })
})
