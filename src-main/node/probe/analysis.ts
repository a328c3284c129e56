/**
 * How each device behaved under its phase's load, from the Snapshots recorded during the probe (pure).
 *
 * Per device: peak and sustained clock (median over the second half of the phase) against the device's
 * own maximum; temperature at the start, peak, rise, time to thermal steady state and headroom to the
 * device's own slowdown threshold; power against its limit; for GPUs the PCIe link reached under load; and
 * the time throttled by cause, from the throttle tracker's events clipped to the phase window.
 */
import { ok, unavailable, type Reading, type ReadingOk } from '../../shared/reading'
import {
  MAX_DEVICE_SERIES_POINTS,
  type DeviceUnderLoad,
  type ProbePhaseId,
  type RatePoint
} from '../../shared/probe'
import type { ThrottleEvent } from '../../shared/readiness'
import type {
  FilesystemInfo,
  Inventory,
  Snapshot,
  TemperatureSensor,
  ThrottleCause
} from '../../shared/telemetry'
import { median } from './phase-context'

/** A phase's time window (epoch ms). */
export interface PhaseWindow {
  phase: ProbePhaseId
  startMs: number
  endMs: number
}

/** Keeps at most `max` points, evenly spread, always the last. */
export function thin(points: Point[], max: number = MAX_DEVICE_SERIES_POINTS): RatePoint[] {
  if (points.length <= max) return points
  const out: RatePoint[] = []
  const step = points.length / max
  for (let i = 0; i < max; i++) out.push(points[Math.floor(i * step)])
  out[out.length - 1] = points[points.length - 1]
  return out
}

/** Tolerance of the thermal plateau (°C). */
export const STEADY_BAND_CELSIUS = 1.5

/** A time series of one reading (seconds from the window start). */
export interface Point {
  tSeconds: number
  value: number
}

/**
 * Seconds until a temperature series stayed within ±`STEADY_BAND_CELSIUS` of its plateau (the median of the
 * last quarter). Unavailable when fewer than 8 samples exist, or when the series only settles in its last
 * quarter (the device was still heating up when the phase ended).
 */
export function steadyStateSeconds(series: Point[]): Reading<number> {
  if (series.length < 8)
    return unavailable('warming-up', `only ${series.length} temperature samples in the phase`)
  const tail = series.slice(Math.floor(series.length * 0.75))
  const plateau = median(tail.map((p) => p.value))!
  let first = series.length
  for (let i = series.length - 1; i >= 0; i--) {
    if (Math.abs(series[i].value - plateau) > STEADY_BAND_CELSIUS) break
    first = i
  }
  if (first >= Math.floor(series.length * 0.75)) {
    const rise = tail[tail.length - 1].value - tail[0].value
    return unavailable(
      'warming-up',
      `not steady within the phase (${rise >= 0 ? '+' : ''}${rise.toFixed(1)} °C over its last quarter); run a longer probe (--long)`
    )
  }
  return ok(series[first].tSeconds)
}

function seriesOf(
  snaps: Snapshot[],
  startMs: number,
  pick: (s: Snapshot) => Reading<number> | undefined
): Point[] {
  const out: Point[] = []
  for (const s of snaps) {
    const r = pick(s)
    if (r?.status === 'ok' && Number.isFinite(r.value))
      out.push({ tSeconds: (s.timestampMs - startMs) / 1000, value: r.value })
  }
  return out
}

const notSampled = (what: string): Reading<number> =>
  unavailable('unsupported', `${what} not sampled`)

function clockBlock(clock: Point[], max: Reading<number>, what: string): DeviceUnderLoad['clock'] {
  const values = clock.map((p) => p.value)
  const second = values.slice(Math.floor(values.length / 2))
  const sustained = median(second)
  const peakMhz = values.length > 0 ? ok(Math.max(...values)) : notSampled(what)
  const sustainedMhz = sustained !== undefined ? ok(sustained) : notSampled(what)
  const sustainedRatio: Reading<number> =
    sustained === undefined
      ? notSampled(what)
      : max.status === 'ok' && max.value > 0
        ? ok(sustained / max.value)
        : max.status === 'ok'
          ? unavailable('parse-error', 'maximum clock reads 0')
          : max
  return { peakMhz, sustainedMhz, maxMhz: max, sustainedRatio }
}

function temperatureBlock(
  temp: Point[],
  slowdown: Reading<number>,
  what: string
): DeviceUnderLoad['temperature'] {
  const v = temp.map((p) => p.value)
  const start = v.length > 0 ? ok(v[0]) : notSampled(what)
  const peak = v.length > 0 ? ok(Math.max(...v)) : notSampled(what)
  return {
    startCelsius: start,
    peakCelsius: peak,
    riseCelsius: v.length > 0 ? ok(Math.max(...v) - v[0]) : notSampled(what),
    steadyStateSeconds: v.length > 0 ? steadyStateSeconds(temp) : notSampled(what),
    slowdownCelsius: slowdown,
    headroomCelsius:
      peak.status === 'ok' && slowdown.status === 'ok'
        ? ok(slowdown.value - peak.value)
        : peak.status !== 'ok'
          ? peak
          : slowdown
  }
}

function powerBlock(
  power: Point[],
  limit: Reading<number>,
  what: string
): DeviceUnderLoad['power'] {
  const v = power.map((p) => p.value)
  const med = median(v)
  return {
    medianWatts: med !== undefined ? ok(med) : notSampled(what),
    peakWatts: v.length > 0 ? ok(Math.max(...v)) : notSampled(what),
    limitWatts: limit,
    fractionOfLimit:
      med === undefined
        ? notSampled(what)
        : limit.status === 'ok' && limit.value > 0
          ? ok(med / limit.value)
          : limit.status === 'ok'
            ? unavailable('parse-error', 'limit reads 0')
            : limit
  }
}

function throttleIn(
  events: ThrottleEvent[],
  device: string,
  w: PhaseWindow
): { byCause: Partial<Record<ThrottleCause, number>>; count: number } {
  const byCause: Partial<Record<ThrottleCause, number>> = {}
  let count = 0
  for (const e of events) {
    if (e.device !== device) continue
    const end = e.endMs ?? w.endMs
    const overlap = Math.min(end, w.endMs) - Math.max(e.startMs, w.startMs)
    if (overlap <= 0 && !(e.startMs >= w.startMs && e.startMs <= w.endMs)) continue
    const span = Math.max(1, end - e.startMs)
    const seconds = e.durationSeconds * Math.min(1, Math.max(0, overlap) / span)
    byCause[e.cause] = (byCause[e.cause] ?? 0) + seconds
    count++
  }
  return { byCause, count }
}

function lastOk<T>(
  snaps: Snapshot[],
  pick: (s: Snapshot) => Reading<T> | undefined
): ReadingOk<T> | undefined {
  for (let i = snaps.length - 1; i >= 0; i--) {
    const r = pick(snaps[i])
    if (r?.status === 'ok') return r
  }
  return undefined
}

function maxOf(points: Point[]): Reading<number> {
  return points.length > 0
    ? ok(Math.max(...points.map((p) => p.value)))
    : notSampled('link under load')
}

function throttleText(byCause: Partial<Record<ThrottleCause, number>>): string {
  const parts = Object.entries(byCause)
    .filter(([, s]) => (s ?? 0) >= 0.5)
    .map(([c, s]) => `${Math.round(s!)} s ${c}`)
  return parts.length > 0 ? `throttled ${parts.join(', ')}` : 'no throttling seen'
}

function headline(d: Omit<DeviceUnderLoad, 'headline'>): string {
  const parts: string[] = []
  const r = d.clock.sustainedRatio
  if (r.status === 'ok') parts.push(`held ${Math.round(r.value * 100)}% of its max clock`)
  else if (d.clock.sustainedMhz.status === 'ok')
    parts.push(`sustained ${Math.round(d.clock.sustainedMhz.value)} MHz`)
  const h = d.temperature.headroomCelsius
  if (h.status === 'ok') parts.push(`${h.value.toFixed(0)} °C below its slowdown threshold`)
  else if (d.temperature.peakCelsius.status === 'ok')
    parts.push(`peak ${d.temperature.peakCelsius.value.toFixed(0)} °C`)
  const f = d.power.fractionOfLimit
  if (f.status === 'ok') parts.push(`${Math.round(f.value * 100)}% of its power limit`)
  if (d.pcie && d.pcie.genReached.status === 'ok' && d.pcie.widthReached.status === 'ok') {
    const down =
      (d.pcie.maxGen.status === 'ok' && d.pcie.genReached.value < d.pcie.maxGen.value) ||
      (d.pcie.maxWidth.status === 'ok' && d.pcie.widthReached.value < d.pcie.maxWidth.value)
    parts.push(
      `PCIe Gen${d.pcie.genReached.value} x${d.pcie.widthReached.value}${down ? ' (below its maximum)' : ''}`
    )
  }
  parts.push(throttleText(d.throttleSecondsByCause))
  return `${d.label}: ${parts.join('; ')}`
}

function cpuSlowdown(sensors: TemperatureSensor[] | undefined): Reading<number> {
  if (!sensors || sensors.length === 0)
    return unavailable('unsupported', 'no CPU temperature sensor')
  const pkg = sensors.find((s) => /package|tctl|tdie/i.test(s.label)) ?? sensors[0]
  if (pkg.critCelsius.status === 'ok') return pkg.critCelsius
  if (pkg.maxCelsius.status === 'ok') return pkg.maxCelsius
  return unavailable('unsupported', `${pkg.label}: no crit or max threshold`)
}

function series(clock: Point[], temp: Point[], power: Point[]): DeviceUnderLoad['series'] {
  return { clockMhz: thin(clock), temperatureCelsius: thin(temp), powerWatts: thin(power) }
}

/** The filesystem holding `path` (longest mount prefix). */
export function filesystemOf(path: string, filesystems: FilesystemInfo[]): FilesystemInfo | null {
  let best: FilesystemInfo | null = null
  for (const f of filesystems) {
    const m = f.mount.endsWith('/') ? f.mount : `${f.mount}/`
    if (
      (path === f.mount || path.startsWith(m) || f.mount === '/') &&
      (best === null || f.mount.length > best.mount.length)
    )
      best = f
  }
  return best
}

/** Block-device name of a filesystem device (`/dev/nvme0n1p2` → `nvme0n1`, `/dev/sda1` → `sda`). */
export function diskOf(device: string): string {
  const base = device.replace(/^\/dev\//, '')
  const nvme = /^(nvme\d+n\d+)(p\d+)?$/.exec(base)
  if (nvme) return nvme[1]
  const mmc = /^(mmcblk\d+)(p\d+)?$/.exec(base)
  if (mmc) return mmc[1]
  return base.replace(/\d+$/, '')
}

/** Inputs of the analysis. */
export interface AnalysisInput {
  inventory: Inventory
  snapshots: Snapshot[]
  windows: PhaseWindow[]
  events: ThrottleEvent[]
  /** Storage phase's path, to find its drive. */
  storagePath: string | null
}

/** Analyses every device that had a load phase. */
export function analyzeDevices(input: AnalysisInput): DeviceUnderLoad[] {
  const out: DeviceUnderLoad[] = []
  const finish = (d: Omit<DeviceUnderLoad, 'headline'>): void => {
    out.push({ ...d, headline: headline(d) })
  }
  for (const w of input.windows) {
    const snaps = input.snapshots.filter(
      (s) => s.timestampMs >= w.startMs && s.timestampMs <= w.endMs
    )
    const windowSeconds = (w.endMs - w.startMs) / 1000
    // A user command loads whatever it loads: the CPU and every GPU are analysed for it.
    if (w.phase === 'cpu' || w.phase === 'command') {
      const cpu = (s: Snapshot) => (s.cpu.status === 'ok' ? s.cpu.value : null)
      const max = lastOk(snaps, (s) => cpu(s)?.frequencyMaxMhz) ?? input.inventory.cpu.maxMhz
      const temps = lastOk(snaps, (s) => cpu(s)?.temperatures)
      const t = throttleIn(input.events, 'cpu', w)
      const clock = seriesOf(snaps, w.startMs, (s) => cpu(s)?.frequencyMhz)
      const temp = seriesOf(snaps, w.startMs, (s) => cpu(s)?.packageTemperatureCelsius)
      const power = seriesOf(snaps, w.startMs, (s) => cpu(s)?.packagePowerWatts)
      finish({
        device: 'cpu',
        label: input.inventory.cpu.model.status === 'ok' ? input.inventory.cpu.model.value : 'CPU',
        phase: w.phase,
        windowSeconds,
        samples: snaps.length,
        clock: clockBlock(clock, max, 'CPU clock'),
        temperature: temperatureBlock(
          temp,
          temps
            ? cpuSlowdown(temps.value)
            : unavailable('unsupported', 'no CPU temperature sensor'),
          'CPU temperature'
        ),
        power: powerBlock(
          power,
          unavailable('unsupported', 'the package power limit (RAPL constraint) is not read'),
          'CPU package power'
        ),
        series: series(clock, temp, power),
        pcie: null,
        throttleSecondsByCause: t.byCause,
        throttleEvents: t.count
      })
    }
    if (w.phase === 'gpu' || w.phase === 'command') {
      for (const info of input.inventory.gpus) {
        const g = (s: Snapshot) => s.gpus.find((x) => x.id === info.id)
        const max =
          info.clockMaxSmMhz.status === 'ok'
            ? info.clockMaxSmMhz
            : (lastOk(snaps, (s) => g(s)?.clockMaxSmMhz) ?? info.clockMaxSmMhz)
        const slowdown =
          info.tempSlowdownCelsius.status === 'ok'
            ? info.tempSlowdownCelsius
            : (() => {
                const last = snaps.at(-1)
                const gs = last ? g(last) : undefined
                return gs &&
                  gs.temperatureCelsius.status === 'ok' &&
                  gs.temperatureHeadroomCelsius.status === 'ok'
                  ? ok(gs.temperatureCelsius.value + gs.temperatureHeadroomCelsius.value)
                  : info.tempSlowdownCelsius
              })()
        const limit = lastOk(snaps, (s) => g(s)?.powerLimitWatts) ?? info.powerDefaultLimitWatts
        const t = throttleIn(input.events, info.id, w)
        const clock = seriesOf(snaps, w.startMs, (s) => g(s)?.clockSmMhz)
        const temp = seriesOf(snaps, w.startMs, (s) => g(s)?.temperatureCelsius)
        const power = seriesOf(snaps, w.startMs, (s) => g(s)?.powerDrawWatts)
        finish({
          device: info.id,
          label: `GPU${info.index} ${info.name}`,
          phase: w.phase,
          windowSeconds,
          samples: snaps.length,
          clock: clockBlock(clock, max, 'GPU SM clock'),
          temperature: temperatureBlock(temp, slowdown, 'GPU temperature'),
          power: powerBlock(power, limit, 'GPU power'),
          series: series(clock, temp, power),
          pcie: {
            genReached: maxOf(seriesOf(snaps, w.startMs, (s) => g(s)?.pcieGen)),
            widthReached: maxOf(seriesOf(snaps, w.startMs, (s) => g(s)?.pcieWidth)),
            maxGen: info.pcieMaxGen,
            maxWidth: info.pcieMaxWidth
          },
          throttleSecondsByCause: t.byCause,
          throttleEvents: t.count
        })
      }
    }
    if (w.phase === 'storage' && input.storagePath !== null) {
      const fsys = filesystemOf(input.storagePath, input.inventory.filesystems)
      const disk = fsys ? diskOf(fsys.device) : null
      const dev = disk !== null ? input.inventory.storage.find((s) => s.name === disk) : undefined
      if (!dev) continue
      const st = (s: Snapshot) =>
        s.storage.status === 'ok'
          ? s.storage.value.devices.find((d) => d.name === dev.name)
          : undefined
      const t = throttleIn(input.events, `storage:${dev.name}`, w)
      const tmax =
        lastOk(snaps, (s) => st(s)?.tempMaxCelsius) ??
        unavailable('unsupported', `${dev.name}: no temp1_max threshold`)
      const temp = seriesOf(snaps, w.startMs, (s) => st(s)?.temperatureCelsius)
      finish({
        device: `storage:${dev.name}`,
        label: dev.model.status === 'ok' ? `${dev.name} ${dev.model.value}` : dev.name,
        phase: w.phase,
        windowSeconds,
        samples: snaps.length,
        clock: {
          peakMhz: unavailable('not-applicable', 'drives report no clock'),
          sustainedMhz: unavailable('not-applicable', 'drives report no clock'),
          maxMhz: unavailable('not-applicable', 'drives report no clock'),
          sustainedRatio: unavailable('not-applicable', 'drives report no clock')
        },
        temperature: temperatureBlock(temp, tmax, 'drive temperature'),
        series: series([], temp, []),
        power: {
          medianWatts: unavailable('unsupported', 'drive power is not sampled'),
          peakWatts: unavailable('unsupported', 'drive power is not sampled'),
          limitWatts: unavailable('unsupported', 'drive power is not sampled'),
          fractionOfLimit: unavailable('unsupported', 'drive power is not sampled')
        },
        pcie: null,
        throttleSecondsByCause: t.byCause,
        throttleEvents: t.count
      })
    }
  }
  return out
}
