/**
 * Session files and their review: the header, the records a session holds besides samples, the review
 * `rigready report` prints, and the Sessions API payloads the UI reads.
 *
 * A session is a header (format, version, the static inventory once) followed by samples and records. Version
 * 1 files are JSON lines (a whole Snapshot per line); version 2 files keep the JSON header line and then
 * CRC-checked binary frames of deflate-compressed rows holding only what changed each tick (see
 * `src-main/node/recorder/`); each version-2 segment ends with a mergeable summary of its ticks
 * (`src-main/core/session-summary.ts`) that reviews merge instead of decoding every tick. Both versions read
 * back into the same records through one streaming reader. Everything
 * here is plain JSON, validated at the file boundary by `session-format-schema.ts` (kept apart so the UI
 * bundle does not carry zod).
 */
import type { AlertTransition } from './alerts'
import type { Reading, ReadingUnavailable } from './reading'
import type { ThrottleEvent } from './readiness'
import type { Inventory, ThrottleCause } from './telemetry'
import { PALETTES } from './present/palette'

/** Identifies a RigReady session file (the header's `format`). */
export const SESSION_FORMAT = 'rigready-session'
/** The JSON-lines version (one whole Snapshot per line). */
export const SESSION_VERSION_JSONL = 1
/** The compact version written today. */
export const SESSION_VERSION = 2
/** Encoding name of version-2 frames. */
export const SESSION_ENCODING = 'rrs2-deflate-rows'
/** File extension of version-2 sessions. */
export const SESSION_EXTENSION = '.rrs'

/** The first line of a session file. */
export interface SessionHeader {
  format: typeof SESSION_FORMAT
  version: number
  /** Version 2: the frame encoding (`rrs2-deflate-rows`). */
  encoding?: string
  /** When recording started (epoch ms); version-2 frame times are offsets from it. */
  startedAtMs: number
  /** Sampling interval (ms). */
  intervalMs: number
  inventory: Inventory
  /** The command wrapped by `rigready record -- CMD`, when any. */
  command?: string[]
  /** Free text (what the probe or the user said this run is). */
  note?: string
  /** RigReady version that wrote the file. */
  writer?: string
  /** Version 2: the writer ran the throttle tracker and recorded its episodes as records. */
  throttleRecorded?: boolean
  /** Version 2: alerts were evaluated while recording (alert records are authoritative). */
  alertsRecorded?: boolean
}

/** A point the user or a tool marked (`rigready record` marks the command's start and end). */
export interface MarkRecord {
  type: 'mark'
  atMs: number
  label: string
}

/** The wrapped command started. */
export interface CommandStartRecord {
  type: 'command-start'
  atMs: number
  argv: string[]
  /** Process id, or null when it could not be started. */
  pid: number | null
}

/** The wrapped command ended (or could not start). */
export interface CommandEndRecord {
  type: 'command-end'
  atMs: number
  argv: string[]
  /** The child's own exit code; null when a signal ended it or it never started. */
  exitCode: number | null
  /** Signal that ended it (`SIGKILL`), else null. */
  signal: string | null
  /** The status `rigready record` exits with (exit code, 128 + signal, 127 not found, 126 not executable). */
  exitStatus: number
  durationMs: number
  /** Why it could not run (`command not found: trian.py`), else absent. */
  error?: string
}

/** A throttle episode opened (as the live tracker saw it). */
export interface ThrottleStartRecord {
  type: 'throttle-start'
  atMs: number
  event: ThrottleEvent
}

/** A throttle episode closed, with its final duration and evidence. */
export interface ThrottleEndRecord {
  type: 'throttle-end'
  atMs: number
  event: ThrottleEvent
}

/** An alert raised or cleared while recording. */
export interface AlertRecord {
  type: 'alert'
  atMs: number
  alert: AlertTransition
}

/** Something the recorder itself wants the reader to know (recording stopped: disk full). */
export interface NoteRecord {
  type: 'note'
  atMs: number
  level: 'info' | 'warning' | 'error'
  text: string
}

/** The recorder closed the file cleanly. */
export interface EndRecord {
  type: 'end'
  atMs: number
  /** `stopped` (Ctrl-C, duration), `command-ended`, `write-error`. */
  reason: string
  samples: number
}

/** Every record a session holds besides samples. */
export type SessionRecord =
  | MarkRecord
  | CommandStartRecord
  | CommandEndRecord
  | ThrottleStartRecord
  | ThrottleEndRecord
  | AlertRecord
  | NoteRecord
  | EndRecord

// ---------------------------------------------------------------------------------------------------------
// Review units (one table for the report, CSV, HTML and the Sessions view)
// ---------------------------------------------------------------------------------------------------------

/** Display unit of a reviewed series (values are stored in this unit). */
export type ReviewUnit = 'celsius' | 'watts' | 'mhz' | 'gib' | 'pct' | 'mb-per-sec'

/**
 * How each review unit is written: symbol, CSV column suffix, fixed decimals for people and for CSV (CSV
 * keeps the recorded resolution: 0.125 °C sensor steps, 0.01 W, 4 KiB/s).
 */
export const REVIEW_UNITS: Readonly<
  Record<ReviewUnit, { symbol: string; csvSuffix: string; decimals: number; csvDecimals: number }>
> = {
  celsius: { symbol: '°C', csvSuffix: 'c', decimals: 1, csvDecimals: 3 },
  watts: { symbol: 'W', csvSuffix: 'w', decimals: 1, csvDecimals: 2 },
  mhz: { symbol: 'MHz', csvSuffix: 'mhz', decimals: 0, csvDecimals: 0 },
  gib: { symbol: 'GiB', csvSuffix: 'gib', decimals: 2, csvDecimals: 3 },
  pct: { symbol: '%', csvSuffix: 'pct', decimals: 1, csvDecimals: 2 },
  'mb-per-sec': { symbol: 'MB/s', csvSuffix: 'mb_s', decimals: 1, csvDecimals: 3 }
}

/**
 * One colour per throttle cause: the light theme's cause colours of the palette (the app's `--cause-*`), for
 * places drawn on a light background whatever the theme (HTML export, session charts).
 */
export const THROTTLE_CAUSE_COLORS: Readonly<Record<ThrottleCause, string>> = PALETTES.light.cause

/** One colour per alert severity: the palette's warn and bad colours. */
export const ALERT_SEVERITY_COLORS = {
  warning: PALETTES.light.severity.warn.fg,
  critical: PALETTES.light.severity.bad.fg
} as const

/** A value in a review unit with its symbol (`83.5 °C`, `21.40 GiB`). */
export function formatReviewValue(unit: ReviewUnit, value: number): string {
  if (!Number.isFinite(value)) return '—'
  const u = REVIEW_UNITS[unit]
  return `${value.toFixed(u.decimals)} ${u.symbol}`
}

/** Seconds as a short duration (`45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`). */
export function formatSpan(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
  // Days: to the nearest hour (71 h 59 min 59 s reads "3 d", not "2 d 23 h").
  const hr = Math.round(s / 3600)
  const d = Math.floor(hr / 24)
  return hr % 24 === 0 ? `${d} d` : `${d} d ${hr % 24} h`
}

/** A 0–1 share as a percent without false precision (`<1%`, `4%`, `100%`). */
export function formatShare(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—'
  const p = fraction * 100
  if (p > 0 && p < 1) return '<1%'
  if (p > 99 && p < 99.9) return '>99%'
  return `${Math.round(p)}%`
}

// ---------------------------------------------------------------------------------------------------------
// Review (what `rigready report --json` prints and the Sessions view shows)
// ---------------------------------------------------------------------------------------------------------

/** Time a series spent unavailable for one reason. */
export interface UnavailableTime {
  reason: ReadingUnavailable
  seconds: number
}

/** Statistics of one series over the whole run. */
export interface SeriesReview {
  /** Stable key (`gpu0.temperatureCelsius`, `nvme0n1.readMBps`). */
  key: string
  /** Words without the device (`temperature`, `SM clock`). */
  label: string
  unit: ReviewUnit
  /** Seconds with an ok reading. */
  observedSeconds: number
  /** Share of the run the series was observable (0–1). */
  coverage: number
  min: Reading<number>
  median: Reading<number>
  p95: Reading<number>
  max: Reading<number>
  /** Time unavailable, by reason (longest first, at most 4). */
  unavailable: UnavailableTime[]
}

/** Time at or above one of the device's own limits. */
export interface ThresholdReview {
  /** Words (`at or above its slowdown temperature`). */
  label: string
  seriesKey: string
  unit: ReviewUnit
  /** The device's limit; unavailable when the device does not report it. */
  threshold: Reading<number>
  seconds: Reading<number>
  /** Share of the series' observed time (0–1). */
  fraction: Reading<number>
}

/** One throttle episode in a review. */
export interface EpisodeReview {
  startMs: number
  endMs: number
  seconds: number
}

/** Time throttled by one cause on one device. */
export interface CauseReview {
  cause: ThrottleCause
  /** Words for the cause (`power cap`). */
  label: string
  seconds: number
  /** Share of the device's observed throttle-reason time (0–1). */
  fraction: number
  episodes: number
  /** The longest episodes (at most 5), longest first. */
  longest: EpisodeReview[]
}

/** Throttling of one device over the run. */
export interface DeviceThrottleReview {
  device: string
  deviceLabel: string
  /** Seconds in which throttle reasons were observable (flags, counters or readings). */
  observedSeconds: number
  coverage: number
  /** Total seconds throttled by any cause; unavailable when never observable. */
  throttledSeconds: Reading<number>
  byCause: CauseReview[]
}

/** One device's review. */
export interface DeviceReview {
  /** `gpu0`, `cpu`, `memory`, `nvme0n1`. */
  key: string
  kind: 'gpu' | 'cpu' | 'memory' | 'storage'
  label: string
  series: SeriesReview[]
  thresholds: ThresholdReview[]
  /** Median busy clock ÷ max clock (0–1), GPU and CPU only. */
  sustainedClockRatio: Reading<number> | null
}

/** A stretch without samples. */
export interface GapReview {
  startMs: number
  endMs: number
  seconds: number
}

/** The wrapped command as recorded. */
export interface CommandReview {
  argv: string[]
  startMs: number | null
  endMs: number | null
  exitCode: number | null
  signal: string | null
  exitStatus: number | null
  durationSeconds: number | null
  error: string | null
  /** True when the session ends without the command's end (rigready was killed). */
  unfinished: boolean
}

/** What could not be read, and where. */
export interface IntegrityReview {
  /** The file ended mid-record (a crash or kill); the partial record was skipped. */
  tornTail: boolean
  /** The recorder closed the file (an end record was found). */
  cleanEnd: boolean
  /** Corrupt regions skipped (`line 12: …`, `record 3456 at byte 78901: …`), at most 50. */
  problems: string[]
  problemCount: number
  /** Notes the recorder left (recording stopped: disk full…). */
  notes: string[]
}

/** The whole review of a session. */
export interface SessionReview {
  file: string
  version: number
  host: string
  startMs: Reading<number>
  endMs: Reading<number>
  intervalMs: number
  spanSeconds: number
  /** Seconds covered by samples (gaps excluded). */
  observedSeconds: number
  samples: number
  /** Share of the span covered by samples (0–1). */
  coverage: number
  /** Gaps longer than the gap limit, longest first (at most 50), and their total. */
  gaps: GapReview[]
  gapCount: number
  gapSeconds: number
  devices: DeviceReview[]
  throttling: DeviceThrottleReview[]
  /** Where throttle episodes came from: recorded live, or detected from the samples now. */
  throttleSource: 'recorded' | 'detected'
  alerts: { raised: number; list: AlertTransition[]; recorded: boolean }
  command: CommandReview | null
  marks: MarkRecord[]
  integrity: IntegrityReview
  /** One line: "GPU0 held 97% of its clock; 4% of the run power-capped; no thermal throttling". */
  verdict: string
}

// ---------------------------------------------------------------------------------------------------------
// Sessions API (UI)
// ---------------------------------------------------------------------------------------------------------

/** One recording in the sessions folder. */
export interface SessionListEntry {
  /** File name inside the sessions folder (the id every other call takes). */
  id: string
  sizeBytes: number
  modifiedMs: number
  version: number | null
  startedAtMs: number | null
  /** Time of the last sample found at the end of the file, when readable. */
  lastSampleMs: number | null
  host: string | null
  command: string[] | null
  /** Why the file cannot be opened, else null. */
  error: string | null
}

/** A series the Sessions view can chart. */
export interface SessionSeriesMeta {
  key: string
  label: string
  unit: ReviewUnit
  device: string
  deviceLabel: string
}

/** A throttle episode on the timeline. */
export interface SessionEpisode {
  device: string
  deviceLabel: string
  cause: ThrottleCause
  startMs: number
  endMs: number
}

/** Downsampled series over a time range: one min/max/mean per bucket (null where no sample fell). */
export interface SessionRange {
  startMs: number
  endMs: number
  bucketMs: number
  /** Bucket start times (epoch ms). */
  t: number[]
  series: { key: string; min: (number | null)[]; max: (number | null)[]; mean: (number | null)[] }[]
}

/** An opened session: the review, what can be charted, the timeline and the whole run downsampled. */
export interface SessionOverview {
  id: string
  review: SessionReview
  series: SessionSeriesMeta[]
  episodes: SessionEpisode[]
  alerts: AlertTransition[]
  marks: MarkRecord[]
  whole: SessionRange
}

/** A range query over an opened session. */
export interface SessionRangeRequest {
  id: string
  startMs: number
  endMs: number
  maxPoints: number
  /** Series to return (default: all). */
  keys?: string[]
}

/** Bounds of the Sessions API (validation and server limits). */
export const SESSIONS_LIMITS = {
  maxListed: 500,
  maxPoints: 4000,
  maxKeys: 64,
  maxEpisodes: 5000,
  maxAlerts: 2000,
  maxIdLength: 255
} as const

/** True for a plain file name usable as a session id (no folders, no dot files, no control characters). */
export function isSessionId(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= SESSIONS_LIMITS.maxIdLength &&
    !id.startsWith('.') &&
    !/[/\\\u0000-\u001f\u007f]/.test(id)
  )
}
