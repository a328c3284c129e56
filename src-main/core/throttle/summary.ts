/**
 * Window summaries and sustained-operation evidence from the per-tick records the tracker keeps.
 *
 * Unknown is a state: every summary carries its coverage (seconds observed of seconds asked). "Not throttled"
 * is said only about observed time, the headline names the coverage when part of the window was not
 * observed, and a device observed for none of it is `unknown` with the reason.
 */
import {
  describeReason,
  ok,
  unavailable,
  type Reading,
  type ReadingUnavailable
} from '../../shared/reading'
import type { Coverage, SustainedEvidence, ThrottleSummary } from '../../shared/readiness'
import { describeThrottleCause } from '../../shared/throttle-causes'
import type { ThrottleCause } from '../../shared/telemetry'
import type { DeviceKind, RuleTick, TickFacts } from './rule'

/** What one tick contributed for one device. */
export interface TickRecord {
  tMs: number
  /** Seconds the tick stands for. */
  weightS: number
  observed: boolean
  /** Why the tick was not observed. */
  reason?: ReadingUnavailable
  /** Seconds per cause (each at most `weightS`). */
  causeS: Partial<Record<ThrottleCause, number>>
  /** Seconds throttled by any cause (at most `weightS`). */
  throttledS: number
  facts: TickFacts
}

/** A device as the summaries name it. */
export interface SummaryDevice {
  key: string
  kind: DeviceKind
  label: string
  shortLabel: string
}

/** Builds the record of one tick from a rule's result, clamping attributions to the tick's weight. */
export function tickRecord(tMs: number, weightS: number, tick: RuleTick): TickRecord {
  const causeS: Partial<Record<ThrottleCause, number>> = {}
  let sum = 0
  if (tick.observation.observed) {
    for (const h of tick.hits) {
      if (!(h.seconds > 0)) continue
      causeS[h.cause] = Math.min(weightS, (causeS[h.cause] ?? 0) + h.seconds)
    }
    for (const v of Object.values(causeS)) sum += v ?? 0
  }
  return {
    tMs,
    weightS,
    observed: tick.observation.observed,
    reason: tick.observation.observed ? undefined : tick.observation.reason,
    causeS,
    throttledS: Math.min(weightS, sum),
    facts: tick.observation.observed ? tick.facts : {}
  }
}

/** An unobserved record (device listed in no rule output this tick, or its input unavailable). */
export function unobservedRecord(
  tMs: number,
  weightS: number,
  reason: ReadingUnavailable
): TickRecord {
  return { tMs, weightS, observed: false, reason, causeS: {}, throttledS: 0, facts: {} }
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0)

/** Seconds observed and asked over a device's records. */
export function coverageOf(recs: readonly TickRecord[]): Coverage {
  let observed = 0
  let requested = 0
  for (const r of recs) {
    requested += r.weightS
    if (r.observed) observed += r.weightS
  }
  return { observedSeconds: observed, requestedSeconds: requested }
}

/** True when (almost) the whole window was observed. */
export function fullyObserved(c: Coverage): boolean {
  return c.observedSeconds >= c.requestedSeconds * (1 - 1e-9) - 1e-9
}

/** The reason of the most recent unobserved record. */
function lastReason(recs: readonly TickRecord[]): ReadingUnavailable | undefined {
  for (let i = recs.length - 1; i >= 0; i--) if (!recs[i].observed) return recs[i].reason
  return undefined
}

/** "the last hour", "the last 2 min", "the last 45 s". */
export function describeSpan(seconds: number): string {
  if (seconds >= 3540 && seconds <= 3660) return 'the last hour'
  if (seconds >= 86400 - 60 && seconds <= 86400 + 60) return 'the last day'
  return `the last ${formatSeconds(seconds)}`
}

/** "45 s", "12 min", "3.5 h". */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.max(1, Math.round(seconds))} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  const h = seconds / 3600
  return `${h < 10 ? h.toFixed(1).replace(/\.0$/, '') : Math.round(h)} h`
}

function pct(fraction: number): string {
  const p = fraction * 100
  if (p > 0 && p < 1) return '<1%'
  return `${Math.round(p)}%`
}

/** Words for why something was not observed: the reading's detail, else its reason. */
export function reasonText(r: ReadingUnavailable | undefined): string {
  if (!r) return 'not observed'
  return r.detail ? r.detail : describeReason(r)
}

/** Median of a non-empty list (mean of the middle pair for even lengths). */
function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Median busy clock ÷ max clock over the records. */
export function clockRatio(recs: readonly TickRecord[], kind: DeviceKind): Reading<number> {
  if (kind === 'storage' || kind === 'power')
    return unavailable('not-applicable', 'no clock for this device')
  const observed = recs.filter((r) => r.observed)
  if (observed.length === 0)
    return lastReason(recs) ?? unavailable('no-device', 'no samples in the window')
  const busy = observed.filter((r) => r.facts.busyClockMhz !== undefined)
  if (busy.length === 0)
    return unavailable(
      'not-applicable',
      'not busy in the window (the ratio is measured under load)'
    )
  const ratios = busy
    .filter((r) => r.facts.maxClockMhz !== undefined)
    .map((r) => (r.facts.busyClockMhz as number) / (r.facts.maxClockMhz as number))
  if (ratios.length === 0) return unavailable('unsupported', 'maximum clock unknown')
  return ok(median(ratios))
}

/**
 * Median busy clock while thermally throttled ÷ median busy clock while busy and not thermally throttled:
 * the clock that cooling would give back (power capping and other causes stay in the denominator).
 */
export function thermalClockRatio(recs: readonly TickRecord[]): Reading<number> {
  const busy = recs.filter((r) => r.observed && r.facts.busyClockMhz !== undefined)
  const hot = busy.filter((r) => (r.causeS.thermal ?? 0) > 0)
  const cool = busy.filter((r) => !((r.causeS.thermal ?? 0) > 0))
  if (hot.length === 0)
    return unavailable('not-applicable', 'no busy sample was thermally throttled')
  if (cool.length === 0)
    return unavailable(
      'unsupported',
      'every busy sample was thermally throttled: no clock to compare'
    )
  const clock = (xs: TickRecord[]): number => median(xs.map((r) => r.facts.busyClockMhz as number))
  return ok(clock(hot) / clock(cool))
}

/** Seconds per cause over the records, as fractions of the observed time. */
function fractionsByCause(
  recs: readonly TickRecord[],
  observedSeconds: number
): Partial<Record<ThrottleCause, number>> {
  const causeS: Partial<Record<ThrottleCause, number>> = {}
  for (const r of recs)
    for (const [k, v] of Object.entries(r.causeS) as [ThrottleCause, number][])
      causeS[k] = (causeS[k] ?? 0) + v
  const out: Partial<Record<ThrottleCause, number>> = {}
  for (const [k, v] of Object.entries(causeS) as [ThrottleCause, number][])
    if (v > 0 && observedSeconds > 0) out[k] = clamp01(v / observedSeconds)
  return out
}

/** One device's summary over the records of the window. */
export function summarizeDevice(d: SummaryDevice, recs: readonly TickRecord[]): ThrottleSummary {
  const coverage = coverageOf(recs)
  const observed = coverage.observedSeconds
  const throttled = recs.reduce((s, r) => s + r.throttledS, 0)
  const byCause = fractionsByCause(recs, observed)
  const ratio = clockRatio(recs, d.kind)
  const span = describeSpan(coverage.requestedSeconds)
  const full = fullyObserved(coverage)
  const missing = full ? undefined : (lastReason(recs) ?? unavailable('no-device', 'no samples'))
  const base = {
    device: d.key,
    deviceLabel: d.label,
    windowSeconds: coverage.requestedSeconds,
    coverage,
    byCause,
    sustainedClockRatio: ratio
  }
  if (observed <= 0) {
    const reason = missing ?? unavailable('no-device', 'no samples in the window')
    return {
      ...base,
      state: 'unknown',
      unobservedReason: reason,
      throttledFraction: reason,
      headline:
        coverage.requestedSeconds > 0
          ? `${d.shortLabel}: throttle state unknown in ${span} (${reasonText(reason)})`
          : `${d.shortLabel}: no samples in the window`
    }
  }
  const fraction = clamp01(throttled / observed)
  // "of the last 2 min" when fully observed; "of the 60 s observed of the last 2 min (50%; rest unknown: …)".
  const scope = full
    ? span
    : `the ${formatSeconds(observed)} observed of ${span} (${pct(observed / coverage.requestedSeconds)}; rest unknown: ${reasonText(missing)})`
  let headline: string
  if (fraction <= 0) {
    headline = `${d.shortLabel} not throttled in ${scope}`
    if (ratio.status === 'ok')
      headline += ` (sustained clock ${Math.round(ratio.value * 100)}% of max)`
  } else {
    const parts = (Object.entries(byCause) as [ThrottleCause, number][])
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${pct(v)} ${describeThrottleCause(k)}`)
    headline = `${d.shortLabel} throttled ${pct(fraction)} of ${scope}: ${parts.join(', ')}`
  }
  return {
    ...base,
    state: fraction > 0 ? 'throttled' : 'not-throttled',
    ...(missing ? { unobservedReason: missing } : {}),
    throttledFraction: ok(fraction),
    headline
  }
}

/** Inputs of the sustained evidence: records of the window per device class. */
export interface SustainedInputs {
  /** Seconds the engine was sampling in the window. */
  requestedSeconds: number
  /** "Any GPU" records: per cause the worst GPU; observed only when every GPU was. */
  gpuAggregate: readonly TickRecord[]
  /** Each GPU's records. */
  gpus: readonly (readonly TickRecord[])[]
  cpu: readonly TickRecord[] | undefined
}

/**
 * Sustained-operation evidence for the readiness engine.
 *
 * `gpuThrottleFractionByCause` is, per cause, the fraction of observed time the worst GPU was throttled;
 * `sustainedClockRatio` the lowest per-GPU median busy clock ÷ max clock; `cpuThrottleEvents` the package
 * throttle assertions (the busiest core's where no package counter exists). Each says unknown with the
 * reason rather than 0 when nothing was observed.
 */
export function sustainedEvidence(i: SustainedInputs): SustainedEvidence {
  const noGpu = unavailable('no-device', 'no GPU samples')
  const gpuCoverage = { ...coverageOf(i.gpuAggregate), requestedSeconds: i.requestedSeconds }
  const gpuFractions: SustainedEvidence['gpuThrottleFractionByCause'] =
    i.gpus.length === 0
      ? noGpu
      : gpuCoverage.observedSeconds > 0
        ? ok(fractionsByCause(i.gpuAggregate, gpuCoverage.observedSeconds))
        : (lastReason(i.gpuAggregate) ?? noGpu)
  let headroom: number | undefined
  const ratios: Reading<number>[] = []
  const below: (boolean | undefined)[] = []
  for (const recs of i.gpus) {
    for (const r of recs)
      if (r.facts.headroomCelsius !== undefined)
        headroom =
          headroom === undefined
            ? r.facts.headroomCelsius
            : Math.min(headroom, r.facts.headroomCelsius)
    const lastObserved = [...recs].reverse().find((r) => r.observed)
    below.push(lastObserved?.facts.powerBelowDefault)
    ratios.push(clockRatio(recs, 'gpu'))
  }
  const okRatios = ratios.filter((r) => r.status === 'ok').map((r) => r.value)
  const thermal = i.gpus.map((recs) => thermalClockRatio(recs))
  const okThermal = thermal.filter((r) => r.status === 'ok').map((r) => r.value)
  const cpuRecs = i.cpu ?? []
  const cpuCoverage = { ...coverageOf(cpuRecs), requestedSeconds: i.requestedSeconds }
  const cpuReason = lastReason(cpuRecs) ?? unavailable('no-device', 'no CPU samples')
  const cpuThrottled = cpuRecs.reduce((s, r) => s + r.throttledS, 0)
  const counted = cpuRecs.filter((r) => r.facts.cpuThrottleCount !== undefined)
  const cpuEvents: Reading<number> =
    counted.length > 0
      ? ok(counted.reduce((n, r) => n + (r.facts.cpuThrottleCount ?? 0), 0))
      : cpuRecs.some((r) => r.facts.cpuHasCounters)
        ? unavailable('warming-up', 'throttle counters need a second sample')
        : cpuRecs.some((r) => r.observed)
          ? unavailable('unsupported', 'no throttle counters on this CPU')
          : cpuReason
  return {
    windowSeconds: i.requestedSeconds,
    gpuCoverage,
    gpuThrottleFractionByCause: gpuFractions,
    gpuThermalHeadroomCelsius:
      headroom !== undefined
        ? ok(headroom)
        : i.gpus.length
          ? unavailable('unsupported', 'no slowdown threshold or headroom reading')
          : noGpu,
    // The worst GPU binds a multi-GPU job.
    sustainedClockRatio:
      okRatios.length > 0
        ? ok(Math.min(...okRatios))
        : (ratios.find((r) => r.status === 'unavailable') ?? noGpu),
    cpuCoverage,
    cpuThrottleFraction:
      cpuCoverage.observedSeconds > 0
        ? ok(clamp01(cpuThrottled / cpuCoverage.observedSeconds))
        : cpuReason,
    cpuThrottleEvents: cpuEvents,
    gpuThermalClockRatio:
      okThermal.length > 0
        ? ok(Math.min(...okThermal))
        : (thermal.find((r) => r.status === 'unavailable') ?? noGpu),
    powerLimitBelowDefault:
      i.gpus.length === 0
        ? noGpu
        : below.some((b) => b === true)
          ? ok(true)
          : below.every((b) => b === false)
            ? ok(false)
            : unavailable('unsupported', 'enforced or default power limit unknown')
  }
}
