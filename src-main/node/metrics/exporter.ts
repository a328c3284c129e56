/**
 * `/metrics`: the latest Snapshot, the inventory's limits, throttle time per cause and the readiness report
 * as Prometheus metrics, through `prom-client`.
 *
 * Names follow `rigready_<subsystem>_<name>_<base unit>` (celsius, hertz, watts, bytes, seconds, ratio 0–1;
 * `_total` for counters). An unavailable reading never becomes 0: its series is omitted and
 * `rigready_reading_unavailable{series,…,reason} 1` says why, next to node_exporter's
 * `rigready_collector_success{collector}` and `rigready_collector_duration_seconds{collector}`.
 *
 * Every scrape builds a fresh prom-client registry from the current data (so a device or reading that
 * went away leaves no stale series, and no labelless gauge ever shows prom-client's default 0); concurrent
 * scrapes share one rendering. Input is treated as untrusted: a snapshot read back from a session may have
 * a wrongly typed field, which then becomes `reason="parse-error"` for that one series instead of an
 * exception, and `rigready_snapshot_valid 0` says the snapshot failed schema validation.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { ok, type Reading } from '../../shared/reading'
import type { ReadinessReport } from '../../shared/readiness'
import { isFiniteReading, parseSnapshot } from '../../shared/snapshot-schema'
import type { GpuInfo, Inventory, Snapshot } from '../../shared/telemetry'
import { createThrottleAccounting, type ThrottleAccounting } from './throttle-accounting'

type Labels = Record<string, string>

/** Where the exporter reads its data. */
export interface MetricsSource {
  inventory(): Promise<Inventory | null>
  latest(): Promise<Snapshot | null>
  /** The readiness report, or null when it cannot be computed (the error is exported as unavailable). */
  report(): Promise<ReadinessReport | null>
  /** Subscribes to every new snapshot (feeds the throttle counters). */
  onSample(listener: (s: Snapshot) => void): () => void
  /** Snapshots retained before the exporter started (primes the throttle counters), oldest first. */
  history?(): Promise<Snapshot[]>
}

/** Options for the exporter. */
export interface MetricsExporterOptions {
  source: MetricsSource
  version: string
  /** Metric name prefix. */
  namespace?: string
  /** Also export prom-client's process metrics (`process_*`, `nodejs_*`) for the agent itself. */
  processMetrics?: boolean
}

/** A rendered exposition. */
export interface Exposition {
  contentType: string
  text: string
}

/** The exporter. */
export interface MetricsExporter {
  render(): Promise<Exposition>
  /** The throttle accumulator (for tests and diagnostics). */
  throttle: ThrottleAccounting
  close(): void
}

/** Builds metrics of one scrape into a fresh registry; creates each metric on first use. */
class ScrapeBuilder {
  readonly registry = new Registry()
  private readonly gauges = new Map<string, Gauge>()
  private readonly counters = new Map<string, Counter>()
  private readonly unavailable: { labels: Labels }[] = []

  constructor(private readonly ns: string) {}

  gauge(name: string, help: string, labels: Labels, value: number): void {
    const full = `${this.ns}_${name}`
    let g = this.gauges.get(full)
    if (g === undefined) {
      g = new Gauge({
        name: full,
        help,
        labelNames: Object.keys(labels),
        registers: [this.registry]
      })
      this.gauges.set(full, g)
    }
    g.set(labels, value)
  }

  counter(name: string, help: string, labels: Labels, value: number): void {
    if (!(value >= 0)) return
    const full = `${this.ns}_${name}`
    let c = this.counters.get(full)
    if (c === undefined) {
      c = new Counter({
        name: full,
        help,
        labelNames: Object.keys(labels),
        registers: [this.registry]
      })
      this.counters.set(full, c)
    }
    c.inc(labels, value)
  }

  /** Marks a series as unavailable with the reason (its value is omitted). */
  missing(series: string, labels: Labels, reason: string): void {
    this.unavailable.push({ labels: { series, ...labels, reason } })
  }

  /**
   * Exports a reading: its value (scaled) when ok, `reading_unavailable` with the reason otherwise, and
   * `parse-error` when it is not a well-formed reading at all.
   */
  reading(name: string, help: string, labels: Labels, reading: unknown, scale = 1): void {
    if (reading === undefined) return
    if (isFiniteReading(reading)) {
      this.gauge(name, help, labels, reading.value * scale)
      return
    }
    const r = reading as { status?: unknown; reason?: unknown }
    const reason =
      typeof r === 'object' &&
      r !== null &&
      r.status === 'unavailable' &&
      typeof r.reason === 'string'
        ? r.reason
        : 'parse-error'
    this.missing(name, labels, reason)
  }

  counterReading(name: string, help: string, labels: Labels, reading: unknown, scale = 1): void {
    if (isFiniteReading(reading)) this.counter(name, help, labels, reading.value * scale)
    else if (reading !== undefined) {
      const r = reading as { status?: unknown; reason?: unknown }
      this.missing(
        name,
        labels,
        r?.status === 'unavailable' && typeof r.reason === 'string' ? r.reason : 'parse-error'
      )
    }
  }

  finish(): void {
    if (this.unavailable.length === 0) return
    // Label sets differ per series, so this family is written with the union of label names ('' = unset,
    // which Prometheus treats as absent).
    const names = new Set<string>()
    for (const u of this.unavailable) for (const k of Object.keys(u.labels)) names.add(k)
    const labelNames = [...names]
    const g = new Gauge({
      name: `${this.ns}_reading_unavailable`,
      help: 'A reading that could not be taken, with the reason (the series itself is omitted).',
      labelNames,
      registers: [this.registry]
    })
    for (const u of this.unavailable) {
      const full: Labels = {}
      for (const k of labelNames) full[k] = u.labels[k] ?? ''
      g.set(full, 1)
    }
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function okValue(r: unknown): unknown {
  return isRecord(r) && r.status === 'ok' ? r.value : undefined
}

/** Runs `fn`, turning a throw (a malformed part of the snapshot) into one `parse-error` marker. */
function guarded(b: ScrapeBuilder, series: string, labels: Labels, fn: () => void): void {
  try {
    fn()
  } catch {
    b.missing(series, labels, 'parse-error')
  }
}

function gpuLabels(g: { index?: unknown; vendor?: unknown; name?: unknown }): Labels {
  return {
    gpu: String(g.index),
    vendor: typeof g.vendor === 'string' ? g.vendor : 'other',
    name: typeof g.name === 'string' ? g.name : ''
  }
}

function exportInventory(b: ScrapeBuilder, inv: Inventory): void {
  guarded(b, 'host_info', {}, () =>
    b.gauge(
      'host_info',
      'Host facts as labels (value is always 1).',
      {
        hostname: String(inv.host.hostname),
        platform: String(inv.host.platform),
        arch: String(inv.host.arch),
        kernel: typeof okValue(inv.host.kernel) === 'string' ? String(okValue(inv.host.kernel)) : ''
      },
      1
    )
  )
  for (const g of Array.isArray(inv.gpus) ? inv.gpus : []) {
    const l = gpuLabels(g)
    guarded(b, 'gpu_info', l, () => exportGpuLimits(b, g, l))
  }
}

function exportGpuLimits(b: ScrapeBuilder, g: GpuInfo, l: Labels): void {
  b.reading(
    'gpu_temperature_slowdown_celsius',
    "The GPU's own slowdown temperature (clocks drop above it).",
    l,
    g.tempSlowdownCelsius
  )
  b.reading(
    'gpu_temperature_shutdown_celsius',
    "The GPU's own shutdown temperature.",
    l,
    g.tempShutdownCelsius
  )
  b.reading(
    'gpu_temperature_max_operating_celsius',
    "The GPU's maximum operating temperature (NVIDIA `temperature.gpu.max_operating`, when reported).",
    l,
    g.tempMaxOperatingCelsius
  )
  b.reading(
    'gpu_memory_temperature_max_celsius',
    "The GPU memory's maximum temperature.",
    l,
    g.tempMemoryMaxCelsius
  )
  b.reading(
    'gpu_power_default_limit_watts',
    'Default GPU power limit.',
    l,
    g.powerDefaultLimitWatts
  )
  b.reading(
    'gpu_power_max_limit_watts',
    'Largest settable GPU power limit.',
    l,
    g.powerMaxLimitWatts
  )
}

function exportGpus(b: ScrapeBuilder, s: Snapshot): void {
  for (const g of Array.isArray(s.gpus) ? (s.gpus as unknown[]) : []) {
    if (!isRecord(g)) continue
    const l = gpuLabels(g)
    guarded(b, 'gpu', l, () => {
      b.gauge(
        'gpu_asleep',
        'GPU is runtime-suspended and was not woken (1) or awake (0).',
        l,
        g.state === 'asleep' ? 1 : 0
      )
      b.reading('gpu_utilization_ratio', 'GPU utilisation (0–1).', l, g.utilizationPct, 0.01)
      b.reading(
        'gpu_memory_utilization_ratio',
        'GPU memory controller utilisation (0–1).',
        l,
        g.memoryUtilizationPct,
        0.01
      )
      b.reading('gpu_temperature_celsius', 'GPU core temperature.', l, g.temperatureCelsius)
      b.reading(
        'gpu_hotspot_temperature_celsius',
        'GPU junction (hotspot) temperature.',
        l,
        g.hotspotTemperatureCelsius
      )
      b.reading(
        'gpu_memory_temperature_celsius',
        'GPU memory temperature.',
        l,
        g.memoryTemperatureCelsius
      )
      b.reading(
        'gpu_temperature_headroom_celsius',
        'Distance to the GPU slowdown temperature (NVIDIA `temperature.gpu.tlimit`).',
        l,
        g.temperatureHeadroomCelsius
      )
      b.reading('gpu_power_draw_watts', 'GPU board power draw.', l, g.powerDrawWatts)
      b.reading('gpu_power_limit_watts', 'Enforced GPU power limit.', l, g.powerLimitWatts)
      b.reading('gpu_sm_clock_hertz', 'SM (shader) clock.', l, g.clockSmMhz, 1e6)
      b.reading('gpu_sm_clock_max_hertz', 'Maximum SM clock.', l, g.clockMaxSmMhz, 1e6)
      b.reading('gpu_memory_clock_hertz', 'Memory clock.', l, g.clockMemoryMhz, 1e6)
      b.reading('gpu_memory_clock_max_hertz', 'Maximum memory clock.', l, g.clockMaxMemoryMhz, 1e6)
      b.reading('gpu_memory_used_bytes', 'GPU memory used.', l, g.memoryUsedBytes)
      b.reading('gpu_memory_total_bytes', 'GPU memory total.', l, g.memoryTotalBytes)
      b.reading('gpu_pcie_link_gen', 'Current PCIe link generation.', l, g.pcieGen)
      b.reading('gpu_pcie_link_width', 'Current PCIe link width (lanes).', l, g.pcieWidth)
      b.reading(
        'gpu_pcie_link_max_gen',
        'Maximum PCIe link generation (GPU and slot).',
        l,
        g.pcieMaxGen
      )
      b.reading('gpu_pcie_link_max_width', 'Maximum PCIe link width (lanes).', l, g.pcieMaxWidth)
      b.reading(
        'gpu_fan_ratio',
        'Fan speed (0–1 of maximum, as intended by the driver).',
        l,
        g.fanPct,
        0.01
      )
      const flags = g.throttleFlags as unknown
      if (isRecord(flags) && flags.status === 'ok' && Array.isArray(flags.value)) {
        for (const f of flags.value as unknown[])
          if (isRecord(f) && typeof f.name === 'string' && typeof f.cause === 'string')
            b.gauge(
              'gpu_throttle_reason_active',
              'Active vendor clock-event (throttle) reason, with its cause class.',
              { ...l, reason: f.name, cause: f.cause },
              1
            )
      } else b.reading('gpu_throttle_reason_active', '', l, flags)
      const mask = g.throttleMaskHex as unknown
      if (isRecord(mask) && mask.status === 'ok' && typeof mask.value === 'string') {
        const n = Number.parseInt(mask.value.replace(/^0x/i, ''), 16)
        if (Number.isSafeInteger(n) && /^(0x)?[0-9a-f]+$/i.test(mask.value))
          b.gauge(
            'gpu_throttle_reason_mask',
            'Raw active throttle-reason bit mask (NVIDIA clocks_event_reasons.active, AMD indep_throttle_status).',
            l,
            n
          )
        else b.missing('gpu_throttle_reason_mask', l, 'parse-error')
      } else b.reading('gpu_throttle_reason_mask', '', l, mask)
      const counters = g.throttleCountersSeconds as unknown
      if (isRecord(counters) && counters.status === 'ok' && isRecord(counters.value)) {
        for (const [reason, seconds] of Object.entries(counters.value))
          if (typeof seconds === 'number' && Number.isFinite(seconds))
            b.counter(
              'gpu_throttle_reason_seconds_total',
              "Cumulative time in a vendor throttle reason, from the driver's own counters.",
              { ...l, reason },
              seconds
            )
      }
    })
  }
}

function exportCpuMemory(b: ScrapeBuilder, s: Snapshot): void {
  const cpu = s.cpu as unknown
  if (isRecord(cpu) && cpu.status === 'ok' && isRecord(cpu.value)) {
    const c = cpu.value
    guarded(b, 'cpu', {}, () => {
      b.reading(
        'cpu_utilization_ratio',
        'CPU utilisation over all logical CPUs (0–1).',
        {},
        c.utilizationPct,
        0.01
      )
      b.reading('cpu_frequency_hertz', 'Mean current CPU frequency.', {}, c.frequencyMhz, 1e6)
      b.reading(
        'cpu_frequency_max_hertz',
        'Maximum CPU frequency (cpuinfo_max_freq).',
        {},
        c.frequencyMaxMhz,
        1e6
      )
      b.reading(
        'cpu_package_temperature_celsius',
        'Hottest CPU package temperature (Package id / Tctl).',
        {},
        c.packageTemperatureCelsius
      )
      b.reading('cpu_package_power_watts', 'CPU package power (RAPL).', {}, c.packagePowerWatts)
      const temps = okValue(c.temperatures)
      if (Array.isArray(temps))
        for (const t of temps as unknown[]) {
          if (!isRecord(t)) continue
          const l = { chip: String(t.chip), sensor: String(t.sensor), label: String(t.label) }
          b.reading(
            'cpu_temperature_celsius',
            'CPU sensor temperature (coretemp/k10temp).',
            l,
            t.temperatureCelsius
          )
          b.reading(
            'cpu_temperature_max_celsius',
            "The CPU sensor's own high threshold.",
            l,
            t.maxCelsius
          )
          b.reading(
            'cpu_temperature_crit_celsius',
            "The CPU sensor's own critical threshold.",
            l,
            t.critCelsius
          )
        }
      const pkg = okValue(c.packageThrottle)
      if (Array.isArray(pkg)) {
        for (const p of pkg as unknown[])
          if (isRecord(p))
            b.counterReading(
              'cpu_package_throttles_total',
              'Package thermal throttle events (Intel thermal_throttle/package_throttle_count).',
              { package: String(p.packageId) },
              p.count
            )
      } else b.reading('cpu_package_throttles_total', '', {}, c.packageThrottle)
    })
  } else b.reading('cpu', '', {}, cpu)

  const mem = s.memory as unknown
  if (isRecord(mem) && mem.status === 'ok' && isRecord(mem.value)) {
    const m = mem.value
    guarded(b, 'memory', {}, () => {
      b.reading('memory_total_bytes', 'Physical memory.', {}, m.totalBytes)
      b.reading('memory_available_bytes', 'Available memory (MemAvailable).', {}, m.availableBytes)
      b.reading('memory_used_bytes', 'Memory in use (total − available).', {}, m.usedBytes)
      b.reading('memory_swap_total_bytes', 'Swap space.', {}, m.swapTotalBytes)
      b.reading('memory_swap_used_bytes', 'Swap in use.', {}, m.swapUsedBytes)
      b.reading(
        'memory_pressure_some_ratio',
        'PSI memory "some" avg10 (0–1).',
        {},
        m.pressureSomeAvg10Pct,
        0.01
      )
      b.reading(
        'memory_pressure_full_ratio',
        'PSI memory "full" avg10 (0–1).',
        {},
        m.pressureFullAvg10Pct,
        0.01
      )
    })
  } else b.reading('memory', '', {}, mem)
}

function exportStorageThermalPower(b: ScrapeBuilder, s: Snapshot): void {
  const storage = okValue(s.storage)
  if (isRecord(storage)) {
    for (const d of Array.isArray(storage.devices) ? (storage.devices as unknown[]) : []) {
      if (!isRecord(d)) continue
      const l = { device: String(d.name), kind: String(d.kind) }
      guarded(b, 'disk', l, () => {
        b.reading('disk_read_bytes_per_second', 'Disk read rate.', l, d.readBytesPerSec)
        b.reading('disk_written_bytes_per_second', 'Disk write rate.', l, d.writeBytesPerSec)
        b.reading(
          'disk_busy_ratio',
          'Fraction of time the disk was busy (0–1).',
          l,
          d.busyPct,
          0.01
        )
        b.reading(
          'disk_temperature_celsius',
          'Drive temperature (NVMe Composite).',
          l,
          d.temperatureCelsius
        )
        b.reading(
          'disk_temperature_max_celsius',
          "The drive's own warning temperature (NVMe WCTEMP).",
          l,
          d.tempMaxCelsius
        )
        b.reading(
          'disk_temperature_crit_celsius',
          "The drive's own critical temperature (NVMe CCTEMP).",
          l,
          d.tempCritCelsius
        )
        const smart = okValue(d.smart)
        if (isRecord(smart)) {
          const passed = okValue(smart.passed)
          if (typeof passed === 'boolean')
            b.gauge(
              'disk_smart_passed',
              'SMART overall health self-assessment passed (1) or failed (0).',
              l,
              passed ? 1 : 0
            )
          b.reading(
            'disk_wear_ratio',
            'NVMe Percentage Used (0–1, may exceed 1).',
            l,
            smart.percentageUsed,
            0.01
          )
          b.reading(
            'disk_available_spare_ratio',
            'NVMe Available Spare (0–1).',
            l,
            smart.availableSparePct,
            0.01
          )
          b.counterReading(
            'disk_media_errors_total',
            'NVMe media and data integrity errors.',
            l,
            smart.mediaErrors
          )
          b.counterReading(
            'disk_warning_temperature_seconds_total',
            'Time the drive spent above its warning temperature (NVMe Warning Composite Temperature Time).',
            l,
            smart.warningTempTimeMinutes,
            60
          )
        }
      })
    }
    for (const f of Array.isArray(storage.filesystems) ? (storage.filesystems as unknown[]) : []) {
      if (!isRecord(f)) continue
      const l = { mount: String(f.mount) }
      b.reading('filesystem_size_bytes', 'Filesystem size.', l, f.sizeBytes)
      b.reading('filesystem_free_bytes', 'Filesystem free space.', l, f.freeBytes)
    }
  } else b.reading('disk', '', {}, s.storage)

  const thermal = okValue(s.thermal)
  if (isRecord(thermal)) {
    for (const chip of Array.isArray(thermal.chips) ? (thermal.chips as unknown[]) : []) {
      if (!isRecord(chip)) continue
      for (const t of Array.isArray(chip.temperatures) ? (chip.temperatures as unknown[]) : []) {
        if (!isRecord(t)) continue
        const l = { chip: String(chip.chip), sensor: String(t.sensor), label: String(t.label) }
        b.reading('hwmon_temperature_celsius', 'hwmon temperature.', l, t.temperatureCelsius)
        b.reading(
          'hwmon_temperature_max_celsius',
          "The sensor's own max threshold.",
          l,
          t.maxCelsius
        )
        b.reading(
          'hwmon_temperature_crit_celsius',
          "The sensor's own critical threshold.",
          l,
          t.critCelsius
        )
      }
    }
    for (const z of Array.isArray(thermal.zones) ? (thermal.zones as unknown[]) : [])
      if (isRecord(z))
        b.reading(
          'thermal_zone_temperature_celsius',
          'Thermal zone temperature.',
          { zone: String(z.zone), type: String(z.type) },
          z.temperatureCelsius
        )
  }

  const power = okValue(s.power)
  if (isRecord(power)) {
    const source = power.source as unknown
    if (isRecord(source) && source.status === 'ok' && typeof source.value === 'string')
      b.gauge(
        'power_on_battery',
        'Running on battery (1) or mains (0).',
        {},
        source.value === 'battery' ? 1 : 0
      )
    else b.reading('power_on_battery', '', {}, source)
  }
}

function exportHealth(b: ScrapeBuilder, s: Snapshot): void {
  for (const h of Array.isArray(s.health) ? (s.health as unknown[]) : []) {
    if (!isRecord(h) || typeof h.collector !== 'string') continue
    const l = { collector: h.collector }
    b.gauge(
      'collector_success',
      'Whether the collector succeeded on the last tick (1), failed or timed out (0); absent collectors (nothing to read) are 0 too.',
      l,
      h.status === 'ok' ? 1 : 0
    )
    if (typeof h.lastDurationMs === 'number' && Number.isFinite(h.lastDurationMs))
      b.gauge(
        'collector_duration_seconds',
        'Duration of the collector on the last tick.',
        l,
        h.lastDurationMs / 1000
      )
  }
}

function exportThrottle(b: ScrapeBuilder, acc: ThrottleAccounting): void {
  for (const t of acc.totals()) {
    b.counter(
      'throttle_observed_seconds_total',
      "Time the device's throttle state was observed (the denominator for throttle fractions).",
      { device: t.device },
      t.observedSeconds
    )
    for (const [cause, seconds] of Object.entries(t.secondsByCause))
      b.counter(
        'throttle_seconds_total',
        'Observed time the device was throttled, by cause (power, thermal, psu, current, hw-slowdown, storage-thermal, battery, other).',
        { device: t.device, cause },
        seconds ?? 0
      )
  }
  for (const st of acc.current())
    for (const cause of st.tracked)
      b.gauge(
        'throttle_active',
        'Whether the device is throttled by the cause in the latest snapshot (1) or not (0); absent when not observed.',
        { device: st.device, cause },
        st.causes.has(cause) ? 1 : 0
      )
}

function exportReport(b: ScrapeBuilder, r: ReadinessReport): void {
  b.gauge(
    'readiness_report_timestamp_seconds',
    'When the readiness report was composed.',
    {},
    r.generatedAtMs / 1000
  )
  for (const kind of ['training', 'inference'] as const) {
    const m = r[kind] as unknown
    if (isRecord(m))
      b.reading(
        'readiness_score',
        'Machine readiness score (0–100) for training or inference over the selected profiles.',
        { kind },
        m.score
      )
  }
  for (const p of Array.isArray(r.profiles) ? (r.profiles as unknown[]) : []) {
    if (!isRecord(p) || typeof p.profileId !== 'string') continue
    const l = { profile: p.profileId, kind: String(p.kind) }
    b.reading(
      'profile_readiness_score',
      'Readiness score (0–100) of one workload profile on this machine.',
      l,
      p.score
    )
    if (typeof p.verdict === 'string') {
      b.gauge(
        'profile_fits',
        'Whether the workload profile fits this machine (1, possibly with offload) or not (0).',
        l,
        p.verdict === 'does-not-fit' ? 0 : 1
      )
      b.gauge(
        'profile_verdict',
        'Verdict of one workload profile as a label (value is always 1).',
        { ...l, verdict: p.verdict },
        1
      )
    }
  }
}

/** Builds the metrics of one scrape from the data (pure apart from prom-client objects). */
export async function buildExposition(data: {
  ns: string
  version: string
  inventory: Inventory | null
  snapshot: Snapshot | null
  report: Reading<ReadinessReport>
  throttle: ThrottleAccounting
}): Promise<Exposition> {
  const b = new ScrapeBuilder(data.ns)
  b.gauge(
    'build_info',
    'RigReady build facts as labels (value is always 1).',
    { version: data.version, node_version: process.versions.node },
    1
  )
  if (data.inventory) exportInventory(b, data.inventory)
  const s = data.snapshot
  if (s) {
    const valid = parseSnapshot(s)
    b.gauge(
      'snapshot_valid',
      'Whether the latest snapshot passed schema validation (1) or not (0).',
      {},
      valid.ok ? 1 : 0
    )
    if (typeof s.timestampMs === 'number' && Number.isFinite(s.timestampMs))
      b.gauge(
        'snapshot_timestamp_seconds',
        'Time of the latest snapshot.',
        {},
        s.timestampMs / 1000
      )
    if (typeof s.seq === 'number' && Number.isFinite(s.seq))
      b.gauge(
        'snapshot_sequence',
        'Sequence number of the latest snapshot (stops changing when sampling stalls).',
        {},
        s.seq
      )
    exportHealth(b, s)
    exportGpus(b, s)
    exportCpuMemory(b, s)
    exportStorageThermalPower(b, s)
  } else b.missing('snapshot', {}, 'warming-up')
  exportThrottle(b, data.throttle)
  const report = data.report
  if (report.status === 'ok') {
    const r = report.value
    guarded(b, 'readiness_score', {}, () => exportReport(b, r))
  } else b.missing('readiness_score', {}, report.reason)
  b.finish()
  return { contentType: b.registry.contentType, text: await b.registry.metrics() }
}

/** Creates the exporter and subscribes it to the snapshot stream. */
export function createMetricsExporter(options: MetricsExporterOptions): MetricsExporter {
  const ns = options.namespace ?? 'rigready'
  const throttle = createThrottleAccounting()
  // Snapshots arriving while the retained history is read are held back, so the accumulator sees the
  // stream in order: history first, then everything newer.
  let pending: Snapshot[] | null = options.source.history ? [] : null
  const unsubscribe = options.source.onSample((s) => {
    if (pending !== null) pending.push(s)
    else throttle.push(s)
  })
  const primed: Promise<void> = options.source.history
    ? options.source
        .history()
        .catch(() => [] as Snapshot[])
        .then((past) => {
          const firstLive = pending?.[0]?.timestampMs ?? Infinity
          for (const s of past) if (s.timestampMs < firstLive) throttle.push(s)
          for (const s of pending ?? []) throttle.push(s)
          pending = null
        })
    : Promise.resolve()
  const processRegistry = options.processMetrics ? new Registry() : null
  if (processRegistry) {
    collectDefaultMetrics({ register: processRegistry })
    // Gauges prom-client names `_total` (which promtool rejects for non-counters); their unsuffixed twins
    // (`nodejs_active_handles` …) carry the same numbers.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total'
    ])
      processRegistry.removeSingleMetric(name)
  }
  let inflight: Promise<Exposition> | null = null

  const renderOnce = async (): Promise<Exposition> => {
    await primed
    const [inventory, snapshot, report] = await Promise.all([
      options.source.inventory().catch(() => null),
      options.source.latest().catch(() => null),
      options.source
        .report()
        .then((r): Reading<ReadinessReport> =>
          r === null ? { status: 'unavailable', reason: 'warming-up' } : ok(r)
        )
        .catch((): Reading<ReadinessReport> => ({ status: 'unavailable', reason: 'failed' }))
    ])
    if (snapshot !== null && throttle.current().length === 0) throttle.push(snapshot)
    const main = await buildExposition({
      ns,
      version: options.version,
      inventory,
      snapshot,
      report,
      throttle
    })
    if (processRegistry === null) return main
    return { contentType: main.contentType, text: main.text + (await processRegistry.metrics()) }
  }

  return {
    throttle,
    render() {
      inflight ??= renderOnce().finally(() => {
        inflight = null
      })
      return inflight
    },
    close() {
      unsubscribe()
      processRegistry?.clear()
    }
  }
}
