/**
 * Segment summaries: what the session reviewer accumulated over one segment of a version-2 session, written
 * by the recorder as the segment's last record so a review of a long run merges a few hundred summaries
 * instead of decoding every tick (a 72 h run at 1 Hz is 259 200 ticks and 432 summaries).
 *
 * A summary is mergeable, not a digest: per series the time-weighted value histogram the median and p95
 * come from (exact values while a segment has at most 2048 distinct ones, else 0.1 % log buckets, as in
 * `WeightedQuantiles`), min/max, the unavailable reasons with their seconds; per device the time above each
 * threshold, the busy-clock ratio histogram and the seconds its throttle reasons were observable; the
 * segment's samples, observed seconds and gaps; and per series min/max/sum/count per `binMs` bin aligned
 * to the session start (for whole-run charts). Merging every summary in order gives the review a full pass
 * gives (`tests/unit/core/session-summary.test.ts` checks it on the real writer's output).
 *
 * Plain JSON; `checkSegmentSummary` validates one read from a file before anything is merged. Pure.
 */
import type { Reading } from '../shared/reading'
import type { DeviceReview, GapReview, ReviewUnit } from '../shared/session-format'

/** Version of the summary record's JSON. */
export const SEGMENT_SUMMARY_VERSION = 1
/** Chart bin of summaries (ms): whole-run envelopes whose bucket is a multiple of it come from summaries. */
export const SUMMARY_BIN_MS = 60_000

/**
 * Time-weighted histogram state of one series: exact `[values, weights]` (weights in seconds), or log
 * buckets (`pos`/`neg` as `[firstIndex, weights…]`, bucket i covering (γ^(i-1), γ^i], γ = 1.001/0.999).
 */
export type QuantileState =
  | { e: number[]; w: number[] }
  | { lo: number; hi: number; zero: number; pos: number[]; neg: number[] }

/** The reviewer options a summary was computed with (a review with other options decodes the ticks). */
export interface SummaryOptions {
  /** Gap limit (ms). */
  maxGapMs: number
  /** Busy utilisation (%). */
  busyUtilizationPct: number
  /** Share of the power limit counted as "at the limit". */
  powerLimitFraction: number
  /** Nearly-full memory share (%). */
  memoryFullPct: number
}

/** One series of a device in a summary (in the device's field order). */
export interface SeriesSummary {
  q: QuantileState
  /** Unavailable time by reason: `[reason, detail or null, seconds]`, at most 8. */
  r: [string, string | null, number][]
}

/** Time above one threshold (seconds; `last` is the last threshold value seen). */
export interface ThresholdSummary {
  label: string
  seriesKey: string
  unit: ReviewUnit
  missing: string
  seconds: number
  observed: number
  last: number | null
}

/** One device's accumulators over a segment. */
export interface DeviceSummary {
  key: string
  kind: DeviceReview['kind']
  label: string
  series: SeriesSummary[]
  /** By threshold slot (null where the slot was never reached). */
  thresholds: (ThresholdSummary | null)[]
  /** Busy SM/CPU clock ÷ maximum, time-weighted (null for devices without one). */
  ratio: QuantileState | null
  /** Why the ratio is unknown, as last set while no busy sample had been seen in the segment. */
  ratioWhyNot: Reading<never> | null
  throttleObservedS: number
  throttleWhyNot: Reading<never> | null
}

/** Chart bins of one series: `[firstBin, min[], max[], sum[], n[]]` (null where no sample fell). */
export type SeriesBins = [number, (number | null)[], (number | null)[], number[], number[]]

/** One segment's summary (the JSON of the recorder's summary record). */
export interface SegmentSummary {
  v: typeof SEGMENT_SUMMARY_VERSION
  options: SummaryOptions
  binMs: number
  /** The tick before the segment's first, as the recorder saw it (null at the start of the session). */
  fromMs: number | null
  /** First and last tick of the segment (epoch ms). */
  firstMs: number
  lastMs: number
  /** The segment's last tick in file order (the next tick's spacing is measured from it). */
  tailMs: number
  samples: number
  /** Seconds the samples weigh. */
  observed: number
  gapCount: number
  gapSeconds: number
  /** The longest gaps (at most 100). */
  gaps: GapReview[]
  devices: DeviceSummary[]
  /** Chart bins by series key. */
  bins: Record<string, SeriesBins>
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const isNumOrNull = (x: unknown): boolean => x === null || isNum(x)
const isStr = (x: unknown): x is string => typeof x === 'string'
const obj = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)
const nums = (x: unknown, max: number): boolean =>
  Array.isArray(x) && x.length <= max && x.every(isNum)

const MAX_ENTRIES = 1_000_000
const KINDS = new Set(['gpu', 'cpu', 'memory', 'storage'])

function quantileProblem(q: unknown): string | null {
  if (!obj(q)) return 'histogram is not an object'
  if ('e' in q) {
    if (!nums(q.e, MAX_ENTRIES) || !nums(q.w, MAX_ENTRIES)) return 'histogram values malformed'
    if ((q.e as number[]).length !== (q.w as number[]).length) return 'histogram lengths differ'
    if ((q.w as number[]).some((w) => !(w > 0))) return 'histogram weight not positive'
    return null
  }
  if (!isNum(q.lo) || !isNum(q.hi) || !isNum(q.zero)) return 'histogram bounds malformed'
  for (const b of [q.pos, q.neg])
    if (!nums(b, MAX_ENTRIES) || (b as number[]).slice(1).some((w) => w < 0))
      return 'histogram buckets malformed'
  return null
}

function readingProblem(r: unknown): string | null {
  if (r === null) return null
  if (!obj(r) || r.status !== 'unavailable' || !isStr(r.reason)) return 'reason malformed'
  return null
}

/**
 * Why `x` is not a usable segment summary (null when it is). Checks every field a merge reads, so a damaged
 * or foreign record is refused whole and that segment's ticks are decoded instead.
 */
export function checkSegmentSummary(x: unknown): string | null {
  if (!obj(x)) return 'not an object'
  if (x.v !== SEGMENT_SUMMARY_VERSION) return `summary version ${String(x.v)} not supported`
  const o = x.options
  if (
    !obj(o) ||
    !isNum(o.maxGapMs) ||
    !isNum(o.busyUtilizationPct) ||
    !isNum(o.powerLimitFraction) ||
    !isNum(o.memoryFullPct)
  )
    return 'options malformed'
  for (const k of [
    'binMs',
    'firstMs',
    'lastMs',
    'tailMs',
    'samples',
    'observed',
    'gapCount',
    'gapSeconds'
  ])
    if (!isNum(x[k])) return `${k} is not a number`
  if (!isNumOrNull(x.fromMs)) return 'fromMs is not a number'
  if (!((x.binMs as number) > 0)) return 'binMs not positive'
  if (!((x.lastMs as number) >= (x.firstMs as number))) return 'lastMs before firstMs'
  if (
    !Array.isArray(x.gaps) ||
    x.gaps.length > 1000 ||
    !x.gaps.every((g) => obj(g) && isNum(g.startMs) && isNum(g.endMs) && isNum(g.seconds))
  )
    return 'gaps malformed'
  if (!Array.isArray(x.devices) || x.devices.length > 10_000) return 'devices malformed'
  for (const d of x.devices) {
    if (!obj(d) || !isStr(d.key) || !isStr(d.label) || !KINDS.has(d.kind as string))
      return 'device malformed'
    if (!Array.isArray(d.series) || d.series.length > 64) return `${d.key}: series malformed`
    for (const s of d.series) {
      if (!obj(s)) return `${d.key}: series malformed`
      const q = quantileProblem(s.q)
      if (q) return `${d.key}: ${q}`
      if (
        !Array.isArray(s.r) ||
        s.r.length > 8 ||
        !s.r.every(
          (e) =>
            Array.isArray(e) &&
            e.length === 3 &&
            isStr(e[0]) &&
            (e[1] === null || isStr(e[1])) &&
            isNum(e[2])
        )
      )
        return `${d.key}: reasons malformed`
    }
    if (!Array.isArray(d.thresholds) || d.thresholds.length > 16)
      return `${d.key}: thresholds malformed`
    for (const t of d.thresholds)
      if (
        t !== null &&
        !(
          obj(t) &&
          isStr(t.label) &&
          isStr(t.seriesKey) &&
          isStr(t.unit) &&
          isStr(t.missing) &&
          isNum(t.seconds) &&
          isNum(t.observed) &&
          isNumOrNull(t.last)
        )
      )
        return `${d.key}: threshold malformed`
    if (d.ratio !== null) {
      const q = quantileProblem(d.ratio)
      if (q) return `${d.key}: ratio ${q}`
    }
    const rr = readingProblem(d.ratioWhyNot) ?? readingProblem(d.throttleWhyNot)
    if (rr) return `${d.key}: ${rr}`
    if (!isNum(d.throttleObservedS)) return `${d.key}: throttleObservedS malformed`
  }
  if (!obj(x.bins)) return 'bins malformed'
  for (const [k, b] of Object.entries(x.bins)) {
    if (!Array.isArray(b) || b.length !== 5 || !isNum(b[0])) return `bins of ${k} malformed`
    const n = (b[1] as unknown[]).length
    if (
      !Array.isArray(b[1]) ||
      !Array.isArray(b[2]) ||
      n > 100_000 ||
      !b[1].every(isNumOrNull) ||
      !b[2].every(isNumOrNull) ||
      (b[2] as unknown[]).length !== n ||
      !nums(b[3], n) ||
      !nums(b[4], n) ||
      (b[3] as number[]).length !== n ||
      (b[4] as number[]).length !== n
    )
      return `bins of ${k} malformed`
  }
  return null
}
