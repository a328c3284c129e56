/**
 * Downsampled history for charts: the requested series over a time range, as min/max per bucket.
 *
 * The engine keeps a compact column per series (24 h at 1 Hz, then 1-minute buckets for 7 days), so a
 * chart of any range costs a few kilobytes per series instead of full snapshots: `telemetry:get-series`
 * (IPC) and `GET /api/series` (HTTP) answer this shape.
 *
 * Series keys name the snapshot field they come from: `gpu.<index>.<field>` (`gpu.0.temperatureCelsius`),
 * `cpu.<field>`, `memory.<field>`, `disk.<device>.<field>`, and `throttle.<device>.<cause>` (1 while the
 * device is throttled by that cause, 0 while observed not to be). A bucket with no observation is `null`
 * (never 0); a series whose latest reading is unavailable carries that reading's reason.
 */
import type { ReadingUnavailable } from './reading'

/** Most buckets one query may ask for. */
export const MAX_SERIES_POINTS = 2000
/** Most series one query may ask for. */
export const MAX_SERIES_PER_QUERY = 64
/** Longest range a query may cover (ms): 7 days. */
export const MAX_SERIES_RANGE_MS = 7 * 24 * 60 * 60 * 1000

/** A history query. */
export interface SeriesRequest {
  /** Length of the range (ms), ending at `endMs`. */
  rangeMs: number
  /** Buckets wanted (the answer may hold fewer when data is sparser than that). */
  points: number
  /** Series keys (see the module comment); unknown keys are answered with `unknown: true`. */
  series: string[]
  /** End of the range (epoch ms, snapshot time); default the newest snapshot. */
  endMs?: number
}

/** One series over the buckets. */
export interface SeriesColumn {
  key: string
  /** Unit of the values (`celsius`, `mhz`, `watts`, `bytes`, `pct`, `bytes-per-sec`, `state`). */
  unit: string
  /** Smallest value per bucket; null where the bucket holds no observation. */
  min: (number | null)[]
  /** Largest value per bucket; null where the bucket holds no observation. */
  max: (number | null)[]
  /** Why the newest reading of this series is missing, when it is. */
  latestUnavailable?: ReadingUnavailable
  /** True when no such series was ever recorded. */
  unknown?: true
}

/** The answer to a {@link SeriesRequest}. */
export interface SeriesResponse {
  /** Start of the first bucket (epoch ms, snapshot time). */
  fromMs: number
  /** End of the range (exclusive). */
  toMs: number
  /** Width of each bucket (ms); bucket i covers [fromMs + i·bucketMs, fromMs + (i+1)·bucketMs). */
  bucketMs: number
  /** Number of buckets (every column has this many entries). */
  buckets: number
  /** Oldest data the engine still holds (epoch ms), or null when it holds none. */
  oldestMs: number | null
  /** `raw` when served from per-sample data, `minute` from 1-minute aggregates (ranges older than the raw tier). */
  resolution: 'raw' | 'minute'
  series: SeriesColumn[]
  /** Every series key the engine can answer. */
  available: string[]
}
