/**
 * Throttle time per device and cause, integrated from the snapshot stream: the source of the
 * `rigready_throttle_seconds_total{device,cause}` and `rigready_throttle_observed_seconds_total{device}`
 * counters.
 *
 * Each interval between two consecutive snapshots is attributed to the state seen in the later one, for
 * every device whose throttle state was observed in it: the interval counts as observed, and as throttled
 * by each active cause. A device whose state is unknown (flags unavailable, counters absent) accrues
 * nothing at all, so `rate(throttle_seconds) / rate(observed_seconds)` is the throttled fraction over the
 * time actually observed, never "0 % throttled" for a device nobody could read. Gaps longer than
 * `maxGapMs` (a paused sampler, a suspended laptop) are not counted. Time is snapshot time (a replay keeps
 * its recorded spacing).
 *
 * Sources per device class:
 * - GPUs: active vendor flags (`throttleFlags`), by their cause class, `idle` and `config` excluded;
 * - CPU: a package `thermal_throttle` count that increased since the previous snapshot (thermal);
 * - drives: temperature at or above the drive's own warning limit (`storage-thermal`);
 * - host: running on battery (`battery`).
 */
import { isFiniteReading } from '../../shared/snapshot-schema'
import type { Snapshot, ThrottleCause } from '../../shared/telemetry'

/** Causes that mean reduced performance (idle and clock settings do not). */
export const THROTTLING_CAUSES: readonly ThrottleCause[] = [
  'power',
  'thermal',
  'psu',
  'current',
  'hw-slowdown',
  'pcie-link',
  'storage-thermal',
  'battery',
  'other'
]

/** One device's throttle state in one snapshot; null when it could not be observed. */
export interface DeviceThrottleState {
  device: string
  /** Causes this device class can report (its counters exist for each, from zero). */
  tracked: readonly ThrottleCause[]
  causes: ReadonlySet<ThrottleCause>
}

/** Causes a GPU's vendor flags can name. */
export const GPU_CAUSES: readonly ThrottleCause[] = [
  'power',
  'thermal',
  'psu',
  'current',
  'hw-slowdown',
  'other'
]

/** Accumulated counters of one device. */
export interface DeviceThrottleTotals {
  device: string
  observedSeconds: number
  secondsByCause: Partial<Record<ThrottleCause, number>>
}

/** Device id used in labels for a GPU (`gpu0`). */
export function gpuDeviceId(index: number): string {
  return `gpu${index}`
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null
}

/**
 * Observed throttle states in `snap` (pure). `previous` supplies the CPU counter baseline; devices whose
 * state cannot be told are left out. Tolerates malformed snapshots (a bad field only drops its device).
 */
export function throttleStates(snap: Snapshot, previous: Snapshot | null): DeviceThrottleState[] {
  const out: DeviceThrottleState[] = []
  const gpus: unknown[] = Array.isArray(snap.gpus) ? snap.gpus : []
  for (const g of gpus) {
    if (!isRecord(g) || typeof g.index !== 'number') continue
    const flags = g.throttleFlags as { status?: unknown; value?: unknown } | undefined
    if (!isRecord(flags) || flags.status !== 'ok' || !Array.isArray(flags.value)) continue
    const causes = new Set<ThrottleCause>()
    for (const f of flags.value as unknown[]) {
      const cause = isRecord(f) ? f.cause : undefined
      if (typeof cause === 'string' && (THROTTLING_CAUSES as readonly string[]).includes(cause))
        causes.add(cause as ThrottleCause)
    }
    out.push({ device: gpuDeviceId(g.index), tracked: GPU_CAUSES, causes })
  }
  const cpuCounts = (s: Snapshot | null): Map<number, number> | null => {
    const cpu = s?.cpu
    if (!isRecord(cpu) || cpu.status !== 'ok' || !isRecord(cpu.value)) return null
    const pt = (cpu.value as { packageThrottle?: unknown }).packageThrottle
    if (!isRecord(pt) || pt.status !== 'ok' || !Array.isArray(pt.value)) return null
    const m = new Map<number, number>()
    for (const p of pt.value as unknown[]) {
      if (!isRecord(p) || typeof p.packageId !== 'number' || !isFiniteReading(p.count)) return null
      m.set(p.packageId, p.count.value)
    }
    return m
  }
  const now = cpuCounts(snap)
  const before = cpuCounts(previous)
  if (now !== null && before !== null && now.size > 0) {
    let rose = false
    for (const [pkg, count] of now) if (count > (before.get(pkg) ?? count)) rose = true
    out.push({
      device: 'cpu',
      tracked: ['thermal'],
      causes: new Set<ThrottleCause>(rose ? ['thermal'] : [])
    })
  }
  const storage = snap.storage
  if (isRecord(storage) && storage.status === 'ok' && isRecord(storage.value)) {
    const devices = (storage.value as { devices?: unknown }).devices
    for (const d of Array.isArray(devices) ? (devices as unknown[]) : []) {
      if (!isRecord(d) || typeof d.name !== 'string') continue
      if (!isFiniteReading(d.temperatureCelsius) || !isFiniteReading(d.tempMaxCelsius)) continue
      const hot = d.temperatureCelsius.value >= d.tempMaxCelsius.value
      out.push({
        device: d.name,
        tracked: ['storage-thermal'],
        causes: new Set<ThrottleCause>(hot ? ['storage-thermal'] : [])
      })
    }
  }
  const power = snap.power
  if (isRecord(power) && power.status === 'ok' && isRecord(power.value)) {
    const source = (power.value as { source?: unknown }).source
    if (isRecord(source) && source.status === 'ok' && typeof source.value === 'string')
      out.push({
        device: 'host',
        tracked: ['battery'],
        causes: new Set<ThrottleCause>(source.value === 'battery' ? ['battery'] : [])
      })
  }
  return out
}

/** The accumulator. */
export interface ThrottleAccounting {
  /** Feeds the next snapshot of the stream. */
  push(snap: Snapshot): void
  /** Counters per device (devices ever observed, bounded). */
  totals(): DeviceThrottleTotals[]
  /** States in the newest snapshot (devices observed in it). */
  current(): DeviceThrottleState[]
}

const MAX_DEVICES = 256

/** Creates the accumulator. */
export function createThrottleAccounting(options: { maxGapMs?: number } = {}): ThrottleAccounting {
  const maxGapMs = options.maxGapMs ?? 5_000
  const totals = new Map<string, DeviceThrottleTotals>()
  let previous: Snapshot | null = null
  let current: DeviceThrottleState[] = []
  return {
    push(snap) {
      const t = typeof snap?.timestampMs === 'number' ? snap.timestampMs : NaN
      if (!Number.isFinite(t)) return
      const states = throttleStates(snap, previous)
      const dtMs = previous === null ? NaN : t - previous.timestampMs
      const counted = dtMs > 0 && dtMs <= maxGapMs
      for (const s of states) {
        let tot = totals.get(s.device)
        if (tot === undefined) {
          if (totals.size >= MAX_DEVICES) continue
          // Created at first sight with zeros, so the counters exist before the first interval is counted.
          tot = { device: s.device, observedSeconds: 0, secondsByCause: {} }
          for (const c of s.tracked) tot.secondsByCause[c] = 0
          totals.set(s.device, tot)
        }
        for (const c of s.tracked) tot.secondsByCause[c] ??= 0
        if (!counted) continue
        tot.observedSeconds += dtMs / 1000
        for (const c of s.causes) tot.secondsByCause[c] = (tot.secondsByCause[c] ?? 0) + dtMs / 1000
      }
      previous = snap
      current = states
    },
    totals: () => [...totals.values()],
    current: () => current
  }
}
