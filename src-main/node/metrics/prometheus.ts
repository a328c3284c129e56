/**
 * Prometheus text exposition (format 0.0.4) of the latest Snapshot.
 *
 * Names follow `rigready_<subsystem>_<name>_<base unit>`. An unavailable reading never becomes 0: its series is
 * omitted and `rigready_reading_unavailable{series,device,reason} 1` says why, next to node_exporter-style
 * `rigready_collector_success{collector}` and `rigready_collector_duration_seconds{collector}`.
 */
import { isOk, type Reading } from '../../shared/reading'
import type { Inventory, Snapshot } from '../../shared/telemetry'

interface Family {
  help: string
  type: 'gauge' | 'counter'
  lines: string[]
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function labels(l: Record<string, string | number>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(String(v))}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

function fmtNum(n: number): string {
  if (Number.isInteger(n)) return String(n)
  return String(n)
}

/** Builds the exposition text. */
export function formatPrometheus(
  inv: Inventory | null,
  s: Snapshot | null,
  ns = 'rigready'
): string {
  const fams = new Map<string, Family>()
  const unavail: string[] = []
  const add = (
    name: string,
    help: string,
    l: Record<string, string | number>,
    v: number,
    type: Family['type'] = 'gauge'
  ): void => {
    const full = `${ns}_${name}`
    let f = fams.get(full)
    if (!f) fams.set(full, (f = { help, type, lines: [] }))
    f.lines.push(`${full}${labels(l)} ${fmtNum(v)}`)
  }
  const r = (
    name: string,
    help: string,
    l: Record<string, string | number>,
    reading: Reading<number> | undefined,
    type: Family['type'] = 'gauge'
  ): void => {
    if (!reading) return
    if (isOk(reading)) add(name, help, l, reading.value, type)
    else
      unavail.push(
        `${ns}_reading_unavailable${labels({ series: name, ...l, reason: reading.reason })} 1`
      )
  }
  if (s) {
    add('snapshot_timestamp_seconds', 'Time of the latest snapshot.', {}, s.timestampMs / 1000)
    for (const h of s.health) {
      add(
        'collector_success',
        'Whether the collector succeeded on the last tick (absent collectors report 0).',
        { collector: h.collector },
        h.status === 'ok' ? 1 : 0
      )
      add(
        'collector_duration_seconds',
        'Duration of the collector on the last tick.',
        { collector: h.collector },
        h.lastDurationMs / 1000
      )
    }
    for (const g of s.gpus) {
      const l = { gpu: String(g.index), vendor: g.vendor, name: g.name }
      add(
        'gpu_asleep',
        'GPU is runtime-suspended and was not woken.',
        l,
        g.state === 'asleep' ? 1 : 0
      )
      r(
        'gpu_utilization_ratio',
        'GPU utilisation (0–1).',
        l,
        isOk(g.utilizationPct)
          ? { status: 'ok', value: g.utilizationPct.value / 100 }
          : g.utilizationPct
      )
      r('gpu_temperature_celsius', 'GPU core temperature.', l, g.temperatureCelsius)
      r(
        'gpu_hotspot_temperature_celsius',
        'GPU junction/hotspot temperature.',
        l,
        g.hotspotTemperatureCelsius
      )
      r('gpu_memory_temperature_celsius', 'GPU memory temperature.', l, g.memoryTemperatureCelsius)
      r('gpu_power_draw_watts', 'GPU board power draw.', l, g.powerDrawWatts)
      r('gpu_power_limit_watts', 'Enforced GPU power limit.', l, g.powerLimitWatts)
      r(
        'gpu_sm_clock_hertz',
        'SM clock.',
        l,
        isOk(g.clockSmMhz) ? { status: 'ok', value: g.clockSmMhz.value * 1e6 } : g.clockSmMhz
      )
      r(
        'gpu_sm_clock_max_hertz',
        'Maximum SM clock.',
        l,
        isOk(g.clockMaxSmMhz)
          ? { status: 'ok', value: g.clockMaxSmMhz.value * 1e6 }
          : g.clockMaxSmMhz
      )
      r('gpu_memory_used_bytes', 'GPU memory used.', l, g.memoryUsedBytes)
      r('gpu_memory_total_bytes', 'GPU memory total.', l, g.memoryTotalBytes)
      r('gpu_pcie_link_gen', 'Current PCIe link generation.', l, g.pcieGen)
      r('gpu_pcie_link_width', 'Current PCIe link width.', l, g.pcieWidth)
      r(
        'gpu_fan_ratio',
        'Fan speed (0–1, intended).',
        l,
        isOk(g.fanPct) ? { status: 'ok', value: g.fanPct.value / 100 } : g.fanPct
      )
      if (isOk(g.throttleFlags)) {
        for (const f of g.throttleFlags.value)
          add(
            'gpu_throttle_reason_active',
            'Active clock-event/throttle reason.',
            { ...l, reason: f.name, cause: f.cause },
            1
          )
      } else
        unavail.push(
          `${ns}_reading_unavailable${labels({ series: 'gpu_throttle_reason_active', ...l, reason: g.throttleFlags.reason })} 1`
        )
      if (isOk(g.throttleCountersSeconds))
        for (const [k, v] of Object.entries(g.throttleCountersSeconds.value))
          add(
            'gpu_throttle_seconds_total',
            'Cumulative time in a throttle reason.',
            { ...l, reason: k },
            v,
            'counter'
          )
    }
    if (isOk(s.cpu)) {
      const c = s.cpu.value
      r(
        'cpu_utilization_ratio',
        'CPU utilisation (0–1).',
        {},
        isOk(c.utilizationPct)
          ? { status: 'ok', value: c.utilizationPct.value / 100 }
          : c.utilizationPct
      )
      r(
        'cpu_frequency_hertz',
        'Mean CPU frequency.',
        {},
        isOk(c.frequencyMhz) ? { status: 'ok', value: c.frequencyMhz.value * 1e6 } : c.frequencyMhz
      )
      r(
        'cpu_package_temperature_celsius',
        'Hottest CPU package temperature.',
        {},
        c.packageTemperatureCelsius
      )
      r('cpu_package_power_watts', 'CPU package power (RAPL).', {}, c.packagePowerWatts)
      if (isOk(c.packageThrottle))
        for (const p of c.packageThrottle.value)
          r(
            'cpu_package_throttles_total',
            'Package thermal throttle events.',
            { package: p.packageId },
            p.count,
            'counter'
          )
      if (isOk(c.coreThrottle))
        for (const p of c.coreThrottle.value)
          r(
            'cpu_core_throttles_total',
            'Core thermal throttle events.',
            { package: p.packageId, core: p.coreId },
            p.count,
            'counter'
          )
    } else
      unavail.push(`${ns}_reading_unavailable${labels({ series: 'cpu', reason: s.cpu.reason })} 1`)
    if (isOk(s.memory)) {
      const m = s.memory.value
      r('memory_total_bytes', 'Physical memory.', {}, m.totalBytes)
      r('memory_available_bytes', 'Available memory.', {}, m.availableBytes)
      r('memory_swap_used_bytes', 'Swap in use.', {}, m.swapUsedBytes)
    }
    if (isOk(s.storage)) {
      for (const d of s.storage.value.devices) {
        const l = { device: d.name, kind: d.kind }
        r('disk_read_bytes_per_second', 'Disk read rate.', l, d.readBytesPerSec)
        r('disk_written_bytes_per_second', 'Disk write rate.', l, d.writeBytesPerSec)
        r(
          'disk_temperature_celsius',
          'Drive temperature (NVMe Composite).',
          l,
          d.temperatureCelsius
        )
        r('disk_temperature_max_celsius', "Drive's own warning temperature.", l, d.tempMaxCelsius)
      }
      for (const f of s.storage.value.filesystems)
        r('filesystem_free_bytes', 'Free space.', { mount: f.mount }, f.freeBytes)
    }
    if (isOk(s.thermal)) {
      for (const chip of s.thermal.value.chips)
        for (const t of chip.temperatures) {
          const l = { chip: chip.chip, sensor: t.sensor, label: t.label }
          r('hwmon_temperature_celsius', 'hwmon temperature.', l, t.temperatureCelsius)
          r('hwmon_temperature_max_celsius', 'hwmon max threshold.', l, t.maxCelsius)
          r('hwmon_temperature_crit_celsius', 'hwmon critical threshold.', l, t.critCelsius)
        }
      for (const z of s.thermal.value.zones)
        r(
          'thermal_zone_temperature_celsius',
          'Thermal zone temperature.',
          { zone: z.zone, type: z.type },
          z.temperatureCelsius
        )
    }
    if (isOk(s.power) && isOk(s.power.value.source))
      add(
        'power_on_battery',
        'Running on battery.',
        {},
        s.power.value.source.value === 'battery' ? 1 : 0
      )
  }
  if (inv)
    add(
      'info',
      'RigReady host info.',
      { hostname: inv.host.hostname, platform: inv.host.platform, arch: inv.host.arch },
      1
    )
  const out: string[] = []
  for (const [name, f] of [...fams.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.lines)
  }
  if (unavail.length) {
    out.push(
      `# HELP ${ns}_reading_unavailable A reading that could not be taken, with the reason (the series itself is omitted).`
    )
    out.push(`# TYPE ${ns}_reading_unavailable gauge`, ...unavail)
  }
  return out.join('\n') + '\n'
}
