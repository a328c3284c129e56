/**
 * Session statistics: per-series min/mean/p95/max, time above thresholds, and a display downsampler.
 *
 * Used by `rigready report` and the UI on a recorded session (a Snapshot array). Pure: no I/O, no clock.
 * Samples are weighted by their spacing to the previous sample (capped: a gap longer than `maxGapMs` is not
 * attributed, the sample then weighs `nominalIntervalMs`), the same rule the throttle detector uses.
 *
 * The downsampler keeps **min/max envelopes** per time bucket (not LTTB): a one-sample clock dip or
 * temperature spike must survive downsampling for a throttle review, and LTTB may drop it.
 */
import { isOk, ok, unavailable, type Reading, type ReadingUnavailable } from '../shared/reading'
import type { GpuSample, Snapshot } from '../shared/telemetry'

/** Unit of a series (display and threshold semantics). */
export type SeriesUnit = 'pct' | 'celsius' | 'watts' | 'mhz' | 'bytes' | 'bytes-per-sec'

/** A named series extracted from a session. */
export interface ExtractedSeries {
  /** Stable key: `gpu0.temperatureCelsius`, `cpu.utilizationPct`, `storage.nvme0n1.temperatureCelsius`. */
  key: string
  label: string
  unit: SeriesUnit
  /** Sample times (epoch ms) and values, for samples where the reading was ok. */
  tMs: number[]
  values: number[]
  /** Weight of each kept sample (s), from the spacing rule above. */
  weightsS: number[]
  /** Samples in which the series' device was present but the reading unavailable, and the last reason. */
  unavailableSamples: number
  lastUnavailable: ReadingUnavailable | null
}

/** Time spent at or above one threshold. */
export interface ThresholdTime {
  threshold: number
  seconds: number
  /** Fraction of the series' observed time (0–1). */
  fraction: number
}

/** Statistics of one series. */
export interface SeriesStats {
  key: string
  label: string
  unit: SeriesUnit
  samples: number
  unavailableSamples: number
  observedSeconds: number
  min: Reading<number>
  /** Time-weighted mean. */
  mean: Reading<number>
  /** 95th percentile (nearest rank over samples). */
  p95: Reading<number>
  max: Reading<number>
  timeAbove: ThresholdTime[]
}

/** Summary of a recorded session. */
export interface SessionSummary {
  startMs: Reading<number>
  endMs: Reading<number>
  /** Wall span from first to last sample (s). */
  spanSeconds: number
  /** Time covered by samples (s); less than the span when the recording has gaps. */
  observedSeconds: number
  sampleCount: number
  /** Gaps longer than `maxGapMs` (recorder paused, machine asleep). */
  gaps: { startMs: number; endMs: number }[]
  series: SeriesStats[]
}

/** Options for session statistics. */
export interface SessionStatsOptions {
  /** Threshold lists by series key; `*` matches any run of characters (`gpu*.temperatureCelsius`). */
  thresholds: Record<string, number[]>
  nominalIntervalMs: number
  maxGapMs: number
}

/** Default thresholds: GPU hot/very hot, GPU saturated, CPU package hot, NVMe warm, RAM nearly full. */
export const DEFAULT_SESSION_THRESHOLDS: Readonly<Record<string, number[]>> = {
  'gpu*.temperatureCelsius': [80, 85],
  'gpu*.utilizationPct': [90],
  'gpu*.memoryUsedPct': [95],
  'cpu.packageTemperatureCelsius': [90],
  'cpu.utilizationPct': [90],
  'memory.usedPct': [90],
  'storage.*.temperatureCelsius': [70]
}

const DEFAULTS: SessionStatsOptions = {
  thresholds: { ...DEFAULT_SESSION_THRESHOLDS },
  nominalIntervalMs: 1000,
  maxGapMs: 10_000
}

const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)

interface SeriesAcc {
  s: ExtractedSeries
  prevTs: number | undefined
}

/** Extracts the standard series from a session, in first-seen order. Never throws on malformed input. */
export function extractSeries(
  snapshots: Snapshot[],
  options?: Partial<Pick<SessionStatsOptions, 'nominalIntervalMs' | 'maxGapMs'>>
): ExtractedSeries[] {
  const o = { ...DEFAULTS, ...(options ?? {}) }
  const acc = new Map<string, SeriesAcc>()
  const put = (
    key: string,
    label: string,
    unit: SeriesUnit,
    ts: number,
    r: Reading<number> | undefined
  ): void => {
    let a = acc.get(key)
    if (!a) {
      a = {
        s: {
          key,
          label,
          unit,
          tMs: [],
          values: [],
          weightsS: [],
          unavailableSamples: 0,
          lastUnavailable: null
        },
        prevTs: undefined
      }
      acc.set(key, a)
    }
    if (r && r.status === 'ok' && fin(r.value)) {
      const prev = a.prevTs
      const dt = prev === undefined ? NaN : ts - prev
      a.s.tMs.push(ts)
      a.s.values.push(r.value)
      a.s.weightsS.push(dt > 0 && dt <= o.maxGapMs ? dt / 1000 : o.nominalIntervalMs / 1000)
      a.prevTs = ts
    } else {
      a.s.unavailableSamples++
      a.s.lastUnavailable =
        r && r.status === 'unavailable' ? r : unavailable('parse-error', 'not a finite number')
    }
  }
  const ratio = (a: Reading<number>, b: Reading<number>): Reading<number> =>
    isOk(a) && isOk(b) && fin(a.value) && fin(b.value) && b.value > 0
      ? ok((a.value / b.value) * 100)
      : isOk(a)
        ? isOk(b)
          ? unavailable('parse-error', 'total is zero')
          : b
        : a

  const ordered = snapshots.filter((s) => s && typeof s === 'object' && fin(s.timestampMs))
  for (const snap of ordered) {
    const ts = snap.timestampMs
    for (const g of Array.isArray(snap.gpus) ? (snap.gpus as GpuSample[]) : []) {
      if (!g || typeof g !== 'object') continue
      const p = `gpu${fin(g.index) ? g.index : '?'}`
      const L = p.toUpperCase()
      put(`${p}.utilizationPct`, `${L} utilisation`, 'pct', ts, g.utilizationPct)
      put(`${p}.temperatureCelsius`, `${L} temperature`, 'celsius', ts, g.temperatureCelsius)
      put(`${p}.powerDrawWatts`, `${L} power`, 'watts', ts, g.powerDrawWatts)
      put(`${p}.clockSmMhz`, `${L} SM clock`, 'mhz', ts, g.clockSmMhz)
      put(`${p}.memoryUsedBytes`, `${L} memory used`, 'bytes', ts, g.memoryUsedBytes)
      put(
        `${p}.memoryUsedPct`,
        `${L} memory used`,
        'pct',
        ts,
        g.memoryUsedBytes && g.memoryTotalBytes
          ? ratio(g.memoryUsedBytes, g.memoryTotalBytes)
          : undefined
      )
    }
    const cpu = snap.cpu
    if (cpu && cpu.status === 'ok' && cpu.value && typeof cpu.value === 'object') {
      const c = cpu.value
      put('cpu.utilizationPct', 'CPU utilisation', 'pct', ts, c.utilizationPct)
      put('cpu.frequencyMhz', 'CPU clock', 'mhz', ts, c.frequencyMhz)
      put(
        'cpu.packageTemperatureCelsius',
        'CPU package temperature',
        'celsius',
        ts,
        c.packageTemperatureCelsius
      )
      put('cpu.packagePowerWatts', 'CPU package power', 'watts', ts, c.packagePowerWatts)
    }
    const mem = snap.memory
    if (mem && mem.status === 'ok' && mem.value && typeof mem.value === 'object') {
      const m = mem.value
      put('memory.usedBytes', 'RAM used', 'bytes', ts, m.usedBytes)
      put(
        'memory.usedPct',
        'RAM used',
        'pct',
        ts,
        m.usedBytes && m.totalBytes ? ratio(m.usedBytes, m.totalBytes) : undefined
      )
      put('memory.swapUsedBytes', 'Swap used', 'bytes', ts, m.swapUsedBytes)
    }
    const st = snap.storage
    if (st && st.status === 'ok' && st.value && Array.isArray(st.value.devices)) {
      for (const d of st.value.devices) {
        if (!d || typeof d.name !== 'string') continue
        put(
          `storage.${d.name}.temperatureCelsius`,
          `${d.name} temperature`,
          'celsius',
          ts,
          d.temperatureCelsius
        )
        put(
          `storage.${d.name}.readBytesPerSec`,
          `${d.name} read`,
          'bytes-per-sec',
          ts,
          d.readBytesPerSec
        )
        put(
          `storage.${d.name}.writeBytesPerSec`,
          `${d.name} write`,
          'bytes-per-sec',
          ts,
          d.writeBytesPerSec
        )
      }
    }
  }
  return [...acc.values()].map((a) => a.s)
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$'
  )
}

/** Thresholds for a series key: an exact key wins over patterns; patterns' lists are merged. */
export function thresholdsFor(key: string, thresholds: Record<string, number[]>): number[] {
  const exact = thresholds[key]
  if (Array.isArray(exact)) return exact.filter(fin)
  const out = new Set<number>()
  for (const [pattern, list] of Object.entries(thresholds)) {
    if (pattern.includes('*') && globToRegExp(pattern).test(key) && Array.isArray(list))
      for (const t of list) if (fin(t)) out.add(t)
  }
  return [...out].sort((a, b) => a - b)
}

/** Statistics of one extracted series. */
export function seriesStats(s: ExtractedSeries, thresholds: number[] = []): SeriesStats {
  const n = s.values.length
  const missing = s.lastUnavailable ?? unavailable('unsupported', 'no samples')
  let observed = 0
  let weighted = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < n; i++) {
    const v = s.values[i]
    const w = s.weightsS[i]
    observed += w
    weighted += v * w
    if (v < min) min = v
    if (v > max) max = v
  }
  const sorted = s.values.slice().sort((a, b) => a - b)
  const p95 = n > 0 ? sorted[Math.min(n - 1, Math.max(0, Math.ceil(0.95 * n) - 1))] : NaN
  const timeAbove = thresholds.map((threshold) => {
    let seconds = 0
    for (let i = 0; i < n; i++) if (s.values[i] >= threshold) seconds += s.weightsS[i]
    return { threshold, seconds, fraction: observed > 0 ? Math.min(1, seconds / observed) : 0 }
  })
  const val = (x: number): Reading<number> => (n > 0 && fin(x) ? ok(x) : missing)
  return {
    key: s.key,
    label: s.label,
    unit: s.unit,
    samples: n,
    unavailableSamples: s.unavailableSamples,
    observedSeconds: observed,
    min: val(min),
    mean: val(observed > 0 ? weighted / observed : NaN),
    p95: val(p95),
    max: val(max),
    timeAbove
  }
}

/** Summarises a recorded session. */
export function summarizeSession(
  snapshots: Snapshot[],
  options?: Partial<SessionStatsOptions>
): SessionSummary {
  const o: SessionStatsOptions = {
    ...DEFAULTS,
    ...(options ?? {}),
    thresholds: options?.thresholds ?? DEFAULTS.thresholds
  }
  const times = (Array.isArray(snapshots) ? snapshots : []).map((s) => s?.timestampMs).filter(fin)
  const gaps: { startMs: number; endMs: number }[] = []
  let observed = 0
  for (let i = 0; i < times.length; i++) {
    const dt = i === 0 ? NaN : times[i] - times[i - 1]
    if (i > 0 && dt > o.maxGapMs) gaps.push({ startMs: times[i - 1], endMs: times[i] })
    observed += dt > 0 && dt <= o.maxGapMs ? dt / 1000 : o.nominalIntervalMs / 1000
  }
  const start = times.length ? Math.min(...times) : NaN
  const end = times.length ? Math.max(...times) : NaN
  const series = extractSeries(Array.isArray(snapshots) ? snapshots : [], o).map((s) =>
    seriesStats(s, thresholdsFor(s.key, o.thresholds))
  )
  const none = unavailable('no-device', 'empty session')
  return {
    startMs: fin(start) ? ok(start) : none,
    endMs: fin(end) ? ok(end) : none,
    spanSeconds: fin(start) && fin(end) ? (end - start) / 1000 : 0,
    observedSeconds: observed,
    sampleCount: times.length,
    gaps,
    series
  }
}

// ---------------------------------------------------------------------------------------------------------
// Downsampling (min/max envelopes)
// ---------------------------------------------------------------------------------------------------------

/** One display bucket: the extremes and mean of the samples that fell in it. */
export interface EnvelopeBucket {
  /** Time of the bucket's first sample (epoch ms). */
  tMs: number
  min: number
  max: number
  mean: number
  count: number
}

/** A series downsampled for display. Buckets without samples are omitted (the UI draws a gap there). */
export interface DownsampledSeries {
  key: string
  label: string
  unit: SeriesUnit
  buckets: EnvelopeBucket[]
}

/**
 * Min/max envelope of one series in at most `maxPoints` equal-time buckets.
 *
 * Every sample lands in exactly one bucket, so the global min and max always survive. With no more samples
 * than `maxPoints`, each sample is its own bucket.
 */
export function downsampleEnvelope(
  tMs: readonly number[],
  values: readonly number[],
  maxPoints: number
): EnvelopeBucket[] {
  const n = Math.min(tMs.length, values.length)
  const limit = Math.max(1, Math.floor(fin(maxPoints) ? maxPoints : 1))
  const pts: { t: number; v: number }[] = []
  for (let i = 0; i < n; i++)
    if (fin(tMs[i]) && fin(values[i])) pts.push({ t: tMs[i], v: values[i] })
  if (pts.length === 0) return []
  if (pts.length <= limit)
    return pts.map((p) => ({ tMs: p.t, min: p.v, max: p.v, mean: p.v, count: 1 }))
  let t0 = Infinity
  let t1 = -Infinity
  for (const p of pts) {
    if (p.t < t0) t0 = p.t
    if (p.t > t1) t1 = p.t
  }
  const width = (t1 - t0) / limit
  const buckets: (EnvelopeBucket & { sum: number })[] = new Array(limit)
  for (const p of pts) {
    const i = width > 0 ? Math.min(limit - 1, Math.floor((p.t - t0) / width)) : 0
    const b = buckets[i]
    if (!b) buckets[i] = { tMs: p.t, min: p.v, max: p.v, mean: p.v, count: 1, sum: p.v }
    else {
      if (p.t < b.tMs) b.tMs = p.t
      if (p.v < b.min) b.min = p.v
      if (p.v > b.max) b.max = p.v
      b.count++
      b.sum += p.v
    }
  }
  const out: EnvelopeBucket[] = []
  for (const b of buckets)
    if (b) out.push({ tMs: b.tMs, min: b.min, max: b.max, mean: b.sum / b.count, count: b.count })
  return out
}

/** Downsamples every standard series of a session to at most `maxPoints` envelope buckets each. */
export function downsample(snapshots: Snapshot[], maxPoints: number): DownsampledSeries[] {
  return extractSeries(Array.isArray(snapshots) ? snapshots : []).map((s) => ({
    key: s.key,
    label: s.label,
    unit: s.unit,
    buckets: downsampleEnvelope(s.tMs, s.values, maxPoints)
  }))
}
