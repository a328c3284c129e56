/**
 * CPU throttle rule.
 *
 * Intel `thermal_throttle` package and core counters first: a rising `*_count` or `*_total_time_ms` between
 * two contiguous samples is thermal throttling, with the time from `*_total_time_ms` (which grows only when
 * an episode de-asserts, so a rising count with no time yet attributes the interval). Without usable counter
 * deltas, a sensor at or above its own max (or critical) threshold is the reading-based signal.
 *
 * Observation: a tick is observed when the CPU has throttle counters or a temperature sensor with a limit. A
 * CPU with neither (most AMD desktops, other OSes) is unobserved: "no throttle counters on this CPU" — never
 * "not throttled".
 */
import { ok, unavailable, valueOf } from '../../shared/reading'
import type { CoreThrottleCounter, CpuSample, PackageThrottleCounter } from '../../shared/telemetry'
import {
  num,
  reasonOf,
  round,
  type CauseHit,
  type DeviceReading,
  type RuleTick,
  type ThrottleRule
} from './rule'

interface CounterPrev {
  count?: number
  totalTimeMs?: number
}

/** Per-CPU state between ticks. */
export interface CpuRuleState {
  prevCounters: Map<string, CounterPrev> | undefined
}

function readCounters(cpu: CpuSample): Map<string, CounterPrev> {
  const current = new Map<string, CounterPrev>()
  const pkgs = valueOf(cpu.packageThrottle)
  const cores = valueOf(cpu.coreThrottle)
  if (Array.isArray(pkgs)) {
    for (const p of pkgs as PackageThrottleCounter[]) {
      if (!p || typeof p !== 'object') continue
      const c = { count: num(p.count), totalTimeMs: num(p.totalTimeMs) }
      if (c.count !== undefined || c.totalTimeMs !== undefined)
        current.set(`pkg:${String(p.packageId)}`, c)
    }
  }
  if (Array.isArray(cores)) {
    for (const c of cores as CoreThrottleCounter[]) {
      if (!c || typeof c !== 'object') continue
      const v = { count: num(c.count), totalTimeMs: num(c.totalTimeMs) }
      if (v.count !== undefined || v.totalTimeMs !== undefined)
        current.set(`core:${String(c.cpu)}`, v)
    }
  }
  return current
}

/** Sensors with both a reading and their own limit (max, else critical). */
function sensorsWithLimit(
  cpu: CpuSample
): { label: string; temperatureCelsius: number; limitCelsius: number }[] {
  const sensors = valueOf(cpu.temperatures)
  if (!Array.isArray(sensors)) return []
  const out: { label: string; temperatureCelsius: number; limitCelsius: number }[] = []
  for (const s of sensors) {
    if (!s || typeof s !== 'object') continue
    const t = num(s.temperatureCelsius)
    const lim = num(s.maxCelsius) ?? num(s.critCelsius)
    if (t !== undefined && lim !== undefined && lim > 0)
      out.push({ label: String(s.label), temperatureCelsius: t, limitCelsius: lim })
  }
  return out
}

/** The CPU rule. */
export const cpuRule: ThrottleRule<CpuSample, CpuRuleState> = {
  kind: 'cpu',

  devices(snapshot): DeviceReading<CpuSample>[] {
    const r = snapshot.cpu as unknown
    if (r === undefined || r === null || typeof r !== 'object') return []
    const reading = snapshot.cpu
    const input =
      reading.status === 'ok'
        ? reading.value && typeof reading.value === 'object'
          ? ok(reading.value)
          : unavailable('parse-error', 'CPU sample is not an object')
        : reasonOf(reading, 'CPU section unreadable')
    return [{ key: 'cpu', label: 'CPU', shortLabel: 'CPU', input }]
  },

  missingReason(snapshot) {
    return snapshot.cpu && snapshot.cpu.status === 'unavailable'
      ? reasonOf(snapshot.cpu, 'CPU section unreadable')
      : undefined
  },

  initialState: () => ({ prevCounters: undefined }),

  evaluate(cpu, d, ctx): RuleTick {
    const { weightS, contiguous } = ctx
    const current = readCounters(cpu)
    const limited = sensorsWithLimit(cpu)
    if (current.size === 0 && limited.length === 0) {
      d.prevCounters = undefined
      const r = reasonOf(cpu.packageThrottle, 'no throttle counter reading')
      return {
        observation: {
          observed: false,
          reason: unavailable(
            r.reason === 'parse-error' || r.reason === 'no-device' ? 'unsupported' : r.reason,
            'no throttle counters on this CPU and no temperature sensor with a limit'
          )
        },
        hits: [],
        facts: {}
      }
    }
    const hits: CauseHit[] = []
    let pkgEvents = 0
    let coreEventsMax = 0
    let countersUsable = false
    let bestSeconds = 0
    const notes: string[] = []
    if (contiguous && d.prevCounters) {
      for (const [k, now] of current) {
        const before = d.prevCounters.get(k)
        if (!before) continue
        const dc =
          now.count !== undefined && before.count !== undefined
            ? now.count - before.count
            : undefined
        const dt =
          now.totalTimeMs !== undefined && before.totalTimeMs !== undefined
            ? now.totalTimeMs - before.totalTimeMs
            : undefined
        if ((dc !== undefined && dc < 0) || (dt !== undefined && dt < 0)) continue // counters reset
        if (dc === undefined && dt === undefined) continue
        countersUsable = true
        const isPkg = k.startsWith('pkg:')
        if (dc !== undefined && dc > 0) {
          if (isPkg) pkgEvents += dc
          else coreEventsMax = Math.max(coreEventsMax, dc)
        }
        let s = dt !== undefined ? dt / 1000 : 0
        if (s === 0 && dc !== undefined && dc > 0) s = weightS
        if (s > 0) {
          bestSeconds = Math.max(bestSeconds, s)
          const what = isPkg ? `package ${k.slice(4)}` : `core ${k.slice(5)}`
          notes.push(
            `${what} throttle count +${dc ?? '?'}${dt !== undefined ? `, time +${Math.round(dt)} ms` : ''}`
          )
        }
      }
    }
    d.prevCounters = current.size > 0 ? current : undefined
    const freq = num(cpu.frequencyMhz)
    const fmax = num(cpu.frequencyMaxMhz)
    const temp = num(cpu.packageTemperatureCelsius)
    const stateParts: string[] = []
    if (freq !== undefined && fmax !== undefined && fmax > 0)
      stateParts.push(
        `clock ${round(freq)} of ${round(fmax)} MHz (${Math.round((freq / fmax) * 100)} %)`
      )
    if (temp !== undefined) stateParts.push(`package ${round(temp)} °C`)
    const state = stateParts.join(', ')
    const severity = freq !== undefined && fmax ? freq / fmax : 1
    if (bestSeconds > 0) {
      const shown = notes.length > 4 ? [...notes.slice(0, 4), `… ${notes.length - 4} more`] : notes
      hits.push({
        cause: 'thermal',
        seconds: Math.min(weightS, bestSeconds),
        source: 'counter',
        evidence: [shown.join('; '), state].filter(Boolean),
        severity
      })
    } else if (!countersUsable) {
      const hot = limited.find((s) => s.temperatureCelsius >= s.limitCelsius)
      if (hot) {
        hits.push({
          cause: 'thermal',
          seconds: weightS,
          source: 'reading',
          evidence: [
            `${hot.label} ${round(hot.temperatureCelsius)} °C at or above its limit ${round(hot.limitCelsius)} °C`,
            state
          ].filter(Boolean),
          severity
        })
      }
    }
    const util = num(cpu.utilizationPct)
    const busy = util !== undefined && util >= ctx.options.cpuBusyUtilizationPct
    return {
      observation: { observed: true },
      hits,
      facts: {
        busyClockMhz: busy && freq !== undefined ? freq : undefined,
        maxClockMhz: fmax !== undefined && fmax > 0 ? fmax : undefined,
        cpuThrottleCount: countersUsable ? (pkgEvents > 0 ? pkgEvents : coreEventsMax) : undefined,
        cpuHasCounters: current.size > 0
      }
    }
  }
}
