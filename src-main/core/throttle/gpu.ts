/**
 * GPU throttle rule (NVIDIA, AMD, Intel samples alike; vendor reason names are classified in shared/).
 *
 * - Counters first, flags second: time in throttle per cause comes from cumulative counters where both
 *   samples of an interval carry them (NVIDIA `clocks_event_reasons_counters.*`), from active flags times the
 *   sample spacing otherwise.
 * - `idle` and `config` reasons (gpu_idle, application clocks, sync boost, display clocks) are never throttling.
 * - NVIDIA `hw_slowdown` blinks on P-state changes, so it counts only from its Nth consecutive sample.
 * - Power-cap reasons count only while the GPU is busy or drawing close to its limit: at idle the driver parks
 *   clocks and raises sw_power_cap (seen on an RTX 2080 SUPER at P8, 0 %), which is not a performance limit.
 * - AMD TEMP_HOTSPOT is dropped unless the hotspot reading is at least `hotspotFilterCelsius`.
 * - A PCIe link below the device's own maximum is flagged only while the GPU is busy (links train down at idle).
 *
 * Observation: a tick is observed when the GPU's throttle flags or counters were read; an asleep GPU, or one
 * whose throttle readings all timed out, is unobserved with that reason.
 */
import { ok, unavailable, valueOf, type Reading } from '../../shared/reading'
import { classifyThrottleReason } from '../../shared/throttle-causes'
import type {
  GpuInfo,
  GpuSample,
  Inventory,
  ThrottleCause,
  ThrottleFlag
} from '../../shared/telemetry'
import type { ThrottleOptions } from './options'
import {
  fin,
  fmtSeconds,
  num,
  reasonOf,
  round,
  type CauseHit,
  type DeviceReading,
  type RuleTick,
  type ThrottleRule
} from './rule'

/** Per-GPU state between ticks. */
export interface GpuRuleState {
  prevCounters: Record<string, number> | undefined
  hwSlowdownRun: number
}

function gpuKey(g: Pick<GpuSample, 'id' | 'index'>): string {
  return typeof g.id === 'string' && g.id ? g.id : `gpu:${String(g.index)}`
}

function findGpuInfo(inv: Inventory | undefined, g: GpuSample): GpuInfo | undefined {
  if (!inv || !Array.isArray(inv.gpus)) return undefined
  return (
    inv.gpus.find((x) => x.id === g.id) ??
    inv.gpus.find((x) => x.index === g.index && x.vendor === g.vendor)
  )
}

/** Max SM clock from the sample, else the inventory. */
function gpuMaxClock(g: GpuSample, info: GpuInfo | undefined): number | undefined {
  const v = num(g.clockMaxSmMhz) ?? num(info?.clockMaxSmMhz) ?? num(info?.clockMaxGraphicsMhz)
  return v !== undefined && v > 0 ? v : undefined
}

/** Headroom to the slowdown temperature: NVIDIA tlimit directly, else slowdown − current. */
function gpuHeadroom(g: GpuSample, info: GpuInfo | undefined): number | undefined {
  const direct = num(g.temperatureHeadroomCelsius)
  if (direct !== undefined) return direct
  const t = num(g.temperatureCelsius)
  const slow = num(info?.tempSlowdownCelsius)
  return t !== undefined && slow !== undefined ? slow - t : undefined
}

/** True when the GPU is doing work (utilisation, or clock ratio when utilisation is unavailable). */
function gpuBusy(g: GpuSample, info: GpuInfo | undefined, o: ThrottleOptions): boolean {
  const u = num(g.utilizationPct)
  if (u !== undefined) return u >= o.busyUtilizationPct
  const c = num(g.clockSmMhz)
  const max = gpuMaxClock(g, info)
  return c !== undefined && max !== undefined && c >= o.busyClockFraction * max
}

function gpuNearPowerLimit(g: GpuSample, o: ThrottleOptions): boolean {
  const d = num(g.powerDrawWatts) ?? num(g.powerAverageWatts)
  const l = num(g.powerLimitWatts)
  return d !== undefined && l !== undefined && l > 0 && d >= o.powerNearLimitFraction * l
}

/** "SM clock 1410 of 2520 MHz (56 %), 83 °C vs slowdown 90 °C, power 447/450 W, 98 % busy". */
function gpuStateEvidence(g: GpuSample, info: GpuInfo | undefined): string {
  const parts: string[] = []
  const c = num(g.clockSmMhz)
  const max = gpuMaxClock(g, info)
  if (c !== undefined && max !== undefined)
    parts.push(`SM clock ${round(c)} of ${round(max)} MHz (${Math.round((c / max) * 100)} %)`)
  else if (c !== undefined) parts.push(`SM clock ${round(c)} MHz`)
  const t = num(g.temperatureCelsius)
  if (t !== undefined) {
    const h = gpuHeadroom(g, info)
    parts.push(h !== undefined ? `${round(t)} °C vs slowdown ${round(t + h)} °C` : `${round(t)} °C`)
  }
  const d = num(g.powerDrawWatts) ?? num(g.powerAverageWatts)
  const l = num(g.powerLimitWatts)
  if (d !== undefined && l !== undefined) parts.push(`power ${round(d)}/${round(l)} W`)
  else if (d !== undefined) parts.push(`power ${round(d)} W`)
  const u = num(g.utilizationPct)
  if (u !== undefined) parts.push(`${round(u)} % busy`)
  return parts.join(', ')
}

function sanitizeCounters(
  r: Reading<Record<string, number>> | undefined
): Record<string, number> | undefined {
  const v = valueOf(r)
  if (v === undefined || v === null || typeof v !== 'object') return undefined
  const out: Record<string, number> = {}
  for (const [k, x] of Object.entries(v))
    if (fin(x) && x >= 0) out[k.includes('.') ? k.slice(k.lastIndexOf('.') + 1) : k] = x
  return out
}

function sanitizeFlags(r: Reading<ThrottleFlag[]> | undefined): ThrottleFlag[] | undefined {
  const v = valueOf(r)
  if (!Array.isArray(v)) return undefined
  return v.filter(
    (f): f is ThrottleFlag =>
      f !== null &&
      typeof f === 'object' &&
      typeof f.name === 'string' &&
      typeof f.cause === 'string'
  )
}

function labels(index: unknown, name: unknown): { label: string; shortLabel: string } {
  const shortLabel = `GPU${fin(index) ? index : '?'}`
  return {
    shortLabel,
    label: typeof name === 'string' && name ? `${shortLabel} ${name}` : shortLabel
  }
}

/** The GPU rule. */
export const gpuRule: ThrottleRule<GpuSample, GpuRuleState> = {
  kind: 'gpu',

  devices(snapshot, inventory): DeviceReading<GpuSample>[] {
    const out: DeviceReading<GpuSample>[] = []
    const seen = new Set<string>()
    for (const g of Array.isArray(snapshot.gpus) ? snapshot.gpus : []) {
      if (!g || typeof g !== 'object') continue
      const key = gpuKey(g)
      if (seen.has(key)) continue
      seen.add(key)
      out.push({ key, ...labels(g.index, g.name), input: ok(g) })
    }
    // A GPU of the inventory missing from the snapshot is a known device that was not read.
    for (const info of inventory && Array.isArray(inventory.gpus) ? inventory.gpus : []) {
      if (!info || typeof info !== 'object') continue
      const key = gpuKey(info)
      if (seen.has(key)) continue
      seen.add(key)
      out.push({
        key,
        ...labels(info.index, info.name),
        input: unavailable('no-device', 'in the inventory but not in this snapshot')
      })
    }
    return out
  },

  initialState: () => ({ prevCounters: undefined, hwSlowdownRun: 0 }),

  evaluate(g, d, ctx): RuleTick {
    const o = ctx.options
    const info = findGpuInfo(ctx.inventory, g)
    if (g.state === 'asleep') {
      d.prevCounters = undefined
      d.hwSlowdownRun = 0
      return {
        observation: { observed: false, reason: unavailable('asleep', 'GPU asleep (not woken)') },
        hits: [],
        facts: {}
      }
    }
    const counters = sanitizeCounters(g.throttleCountersSeconds)
    const flags = sanitizeFlags(g.throttleFlags)
    if (counters === undefined && flags === undefined) {
      d.prevCounters = undefined
      d.hwSlowdownRun = 0
      return {
        observation: {
          observed: false,
          reason: reasonOf(g.throttleFlags, 'no throttle reasons or counters in the sample')
        },
        hits: [],
        facts: {}
      }
    }
    const { weightS, contiguous } = ctx
    const busy = gpuBusy(g, info, o)
    const powerRelevant = busy || gpuNearPowerLimit(g, o)
    const state = gpuStateEvidence(g, info)
    const c = num(g.clockSmMhz)
    const max = gpuMaxClock(g, info)
    const severity = c !== undefined && max !== undefined ? c / max : 1
    const hits: CauseHit[] = []

    // Counters first.
    const counterCauses = new Set<ThrottleCause>()
    if (counters && d.prevCounters && contiguous) {
      const perCause = new Map<ThrottleCause, { seconds: number; names: string[] }>()
      for (const [name, v] of Object.entries(counters)) {
        const before = d.prevCounters[name]
        if (before === undefined) continue
        const cause = classifyThrottleReason(name)
        if (cause === 'idle' || cause === 'config') continue
        const delta = v - before
        if (delta < 0) continue // counter reset (driver reload): no attribution this tick
        counterCauses.add(cause)
        const e = perCause.get(cause) ?? { seconds: 0, names: [] }
        e.seconds += delta
        if (delta > 0)
          e.names.push(`${name} counter +${fmtSeconds(delta)} in ${fmtSeconds(weightS)}`)
        perCause.set(cause, e)
      }
      for (const [cause, e] of perCause) {
        if (e.seconds <= 0) continue
        if (cause === 'power' && !powerRelevant) continue
        hits.push({
          cause,
          seconds: Math.min(weightS, e.seconds),
          source: 'counter',
          evidence: [e.names.join('; '), state].filter(Boolean),
          severity
        })
      }
    }
    d.prevCounters = counters

    // Flags for causes no counter covered this tick.
    let hwSlowdown = false
    if (flags) {
      const byCause = new Map<ThrottleCause, string[]>()
      for (const f of flags) {
        if (f.cause === 'idle' || f.cause === 'config') continue
        if (f.cause === 'hw-slowdown') {
          hwSlowdown = true
          continue
        }
        if (counterCauses.has(f.cause)) continue
        if (f.cause === 'power' && !powerRelevant) continue
        if (f.name.toUpperCase() === 'TEMP_HOTSPOT') {
          const hot = num(g.hotspotTemperatureCelsius)
          if (hot === undefined || hot < o.hotspotFilterCelsius) continue
        }
        byCause.set(f.cause, [...(byCause.get(f.cause) ?? []), f.name])
      }
      const mask = valueOf(g.throttleMaskHex)
      const maskText = typeof mask === 'string' ? ` (mask ${mask})` : ''
      for (const [cause, names] of byCause) {
        hits.push({
          cause,
          seconds: weightS,
          source: 'flag',
          evidence: [`${names.join(', ')} active${maskText}`, state].filter(Boolean),
          severity
        })
      }
    }
    d.hwSlowdownRun = hwSlowdown ? d.hwSlowdownRun + 1 : 0
    if (d.hwSlowdownRun >= o.hwSlowdownDebounceSamples) {
      hits.push({
        cause: 'hw-slowdown',
        seconds: weightS,
        source: 'flag',
        evidence: [`hw_slowdown active for ${d.hwSlowdownRun} consecutive samples`, state].filter(
          Boolean
        ),
        severity
      })
    }

    // PCIe link below the device's own maximum, only under load.
    const gen = num(g.pcieGen)
    const width = num(g.pcieWidth)
    const maxGen = num(g.pcieMaxGen) ?? num(info?.pcieMaxGen)
    const maxWidth = num(g.pcieMaxWidth) ?? num(info?.pcieMaxWidth)
    if (
      busy &&
      ((gen !== undefined && maxGen !== undefined && gen < maxGen) ||
        (width !== undefined && maxWidth !== undefined && width < maxWidth))
    ) {
      const cur = `Gen${gen ?? '?'} x${width ?? '?'}`
      const top = `Gen${maxGen ?? '?'} x${maxWidth ?? '?'}`
      hits.push({
        cause: 'pcie-link',
        seconds: weightS,
        source: 'reading',
        evidence: [`PCIe link ${cur} under load; the card and slot support ${top}`, state].filter(
          Boolean
        ),
        severity:
          (gen !== undefined && maxGen ? gen / maxGen : 1) *
          (width !== undefined && maxWidth ? width / maxWidth : 1)
      })
    }

    const limit = num(g.powerLimitWatts)
    const def = num(info?.powerDefaultLimitWatts)
    return {
      observation: { observed: true },
      hits,
      facts: {
        busyClockMhz: busy && c !== undefined ? c : undefined,
        maxClockMhz: max,
        headroomCelsius: gpuHeadroom(g, info),
        powerBelowDefault: limit !== undefined && def !== undefined ? limit < def - 1 : undefined
      }
    }
  }
}
