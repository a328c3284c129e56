/**
 * A chart's display buffer: bucket start times and, per column, the min and max of each bucket.
 *
 * Filled from the agent's downsampled answer (`telemetry:get-series`: dense buckets from `fromMs`), then
 * live samples join the last bucket or open the next one, and buckets older than the span fall off, so a
 * 24 h range costs the same per sample as a 1-minute one. Arrays are handed to uPlot as they are (no copy
 * per update). `x` is in seconds (uPlot's time convention); values are in display units. Empty buckets are
 * skipped; where the data has a hole longer than three times its usual spacing, a null point breaks the
 * line instead of drawing a ramp. Constant columns (device limits) hold one value at every point.
 */
import type { SeriesResponse } from '$shared/history'

/** A value conversion (°C → °F) applied as values enter. */
export type Convert = (v: number) => number

const identity: Convert = (v) => v

/** Buffer of one chart. */
export class SeriesBuffer {
  readonly x: number[] = []
  readonly min: (number | null)[][]
  readonly max: (number | null)[][]
  /** Bucket origin (ms): buckets are [origin + i·bucketMs, origin + (i+1)·bucketMs). */
  originMs = 0
  private gapMs: number

  constructor(
    readonly keys: readonly string[],
    readonly bucketMs: number,
    private readonly convert: readonly Convert[] = keys.map(() => identity),
    /** Constant columns (device limits): key → value in base units, or null when unknown. */
    private readonly constants: ReadonlyMap<string, number | null> = new Map()
  ) {
    this.min = keys.map(() => [])
    this.max = keys.map(() => [])
    this.gapMs = 3 * bucketMs
  }

  /** Number of points (buckets and gap markers). */
  get length(): number {
    return this.x.length
  }

  /** Fills the buffer from a downsampled answer (replaces what it held). */
  fill(h: SeriesResponse): void {
    this.x.length = 0
    for (const c of this.min) c.length = 0
    for (const c of this.max) c.length = 0
    this.originMs = h.fromMs
    const cols = this.keys.map((k) => h.series.find((s) => s.key === k))
    const filled: number[] = []
    for (let i = 0; i < h.buckets; i++)
      if (cols.some((c) => (c?.max[i] ?? null) !== null)) filled.push(i)
    // The data's own spacing decides what counts as a hole (coarse history is sparser than buckets).
    const spacings = filled.slice(1).map((b, j) => (b - filled[j]!) * h.bucketMs)
    spacings.sort((a, b) => a - b)
    const typical = spacings.length > 0 ? spacings[Math.floor(spacings.length / 2)]! : 0
    this.gapMs = 3 * Math.max(this.bucketMs, typical)
    for (const i of filled) {
      this.append(
        h.fromMs + i * h.bucketMs,
        cols.map((c) => c?.min[i] ?? null),
        cols.map((c) => c?.max[i] ?? null)
      )
    }
  }

  private append(bucketMs: number, lo: (number | null)[], hi: (number | null)[]): void {
    const n = this.x.length
    const xs = bucketMs / 1000
    if (n > 0 && (xs - this.x[n - 1]!) * 1000 > this.gapMs) {
      this.x.push(this.x[n - 1]! + this.bucketMs / 1000)
      for (let k = 0; k < this.keys.length; k++) {
        this.min[k]!.push(null)
        this.max[k]!.push(null)
      }
    }
    this.x.push(xs)
    for (let k = 0; k < this.keys.length; k++) {
      const f = this.convert[k] ?? identity
      const fixed = this.constants.get(this.keys[k]!)
      const a = fixed !== undefined ? fixed : lo[k]
      const b = fixed !== undefined ? fixed : hi[k]
      this.min[k]!.push(a === null || a === undefined ? null : f(a))
      this.max[k]!.push(b === null || b === undefined ? null : f(b))
    }
  }

  /** Adds one live sample's values (base units, null = unavailable). Older samples are ignored. */
  push(timestampMs: number, values: readonly (number | null)[]): void {
    const b =
      this.originMs + Math.floor((timestampMs - this.originMs) / this.bucketMs) * this.bucketMs
    const n = this.x.length
    const lastMs = n > 0 ? Math.round(this.x[n - 1]! * 1000) : -Infinity
    if (b < lastMs) return
    if (b === lastMs) {
      for (let k = 0; k < this.keys.length; k++) {
        if (this.constants.has(this.keys[k]!)) continue
        const raw = values[k]
        if (raw === null || raw === undefined) continue
        const v = (this.convert[k] ?? identity)(raw)
        const lo = this.min[k]![n - 1]
        const hi = this.max[k]![n - 1]
        if (lo === null || lo === undefined || v < lo) this.min[k]![n - 1] = v
        if (hi === null || hi === undefined || v > hi) this.max[k]![n - 1] = v
      }
      return
    }
    this.append(b, values as (number | null)[], values as (number | null)[])
  }

  /** Drops points before `fromMs`. */
  trim(fromMs: number): void {
    const minX = fromMs / 1000
    let drop = 0
    while (drop < this.x.length && this.x[drop]! < minX) drop++
    if (drop === 0) return
    this.x.splice(0, drop)
    for (const c of this.min) c.splice(0, drop)
    for (const c of this.max) c.splice(0, drop)
  }

  /** uPlot's data: x, then each column's bucket maxima (same arrays, no copy). */
  data(): [number[], ...(number | null)[][]] {
    return [this.x, ...this.max]
  }

  /** The max column of a key (same array, no copy), or undefined. */
  column(key: string): (number | null)[] | undefined {
    const i = this.keys.indexOf(key)
    return i < 0 ? undefined : this.max[i]
  }

  /** The newest non-null max of column `k` among the last three points, or null. */
  latest(k: number): number | null {
    const col = this.max[k]
    if (!col) return null
    for (let i = col.length - 1; i >= Math.max(0, col.length - 3); i--) {
      const v = col[i]
      if (v !== null && v !== undefined) return v
    }
    return null
  }
}
