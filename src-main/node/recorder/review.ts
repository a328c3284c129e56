/**
 * Reviews a session file in one streaming pass: the core reviewer fed by the streaming reader, throttle
 * episodes from the session's own records (or detected now for files that have none), optional min/max
 * envelopes for charts, and a per-tick hook for row exports. Memory is bounded whatever the file size.
 */
import {
  EnvelopeBuilder,
  SessionReviewer,
  eventKey,
  type SessionReviewOptions
} from '../../core/session-stats'
import {
  SUMMARY_BIN_MS,
  checkSegmentSummary,
  type SegmentSummary
} from '../../core/session-summary'
import { createThrottleTracker } from '../../core/throttle'
import type { AlertTransition } from '../../shared/alerts'
import type { ThrottleEvent } from '../../shared/readiness'
import {
  SESSIONS_LIMITS,
  type MarkRecord,
  type SessionEpisode,
  type SessionReview
} from '../../shared/session-format'
import {
  lastSampleTime,
  openSession,
  readSessionInto,
  type OpenedSession,
  type ReadProblem,
  type TickView
} from './reader'

/** Options of a review run. */
export interface ReviewRunOptions extends SessionReviewOptions {
  /** Also build min/max envelopes of every series in this many buckets over the whole run. */
  envelopeBuckets?: number
  /** Called after each tick is accumulated (`reviewer.forEachCurrent` gives its values). */
  onTick?: (tMs: number, reviewer: SessionReviewer) => void
  /**
   * Merge the segment summaries the recorder wrote instead of decoding those segments' ticks (default
   * true; only where the result is the same: no `onTick`, throttling recorded, the same options, and an
   * envelope whose buckets are whole summary bins).
   */
  summaries?: boolean
  /** Called for each problem as it is found (for warnings on stderr). */
  onProblem?: (p: ReadProblem) => void
  /** Awaited between read batches (output backpressure). */
  between?: () => Promise<void> | void
  signal?: AbortSignal
}

/** A finished review run. */
export interface ReviewRun {
  opened: OpenedSession
  review: SessionReview
  reviewer: SessionReviewer
  envelope: EnvelopeBuilder | null
  /** Throttle episodes for a timeline (at most 5000, longest kept first when over). */
  episodes: SessionEpisode[]
  alerts: AlertTransition[]
  marks: MarkRecord[]
  /** Segments taken from their summaries (their ticks were not decoded). */
  summarized: number
  /** Why a summary present in the file was not used (the first reason), or null. */
  summaryRefused: string | null
}

/** Review device key of a throttle tracker device. */
function episodeOf(ev: ThrottleEvent, endMs: number): SessionEpisode {
  return {
    device: ev.device,
    deviceLabel: ev.deviceLabel,
    cause: ev.cause,
    startMs: ev.startMs,
    endMs: ev.endMs ?? endMs
  }
}

/**
 * Opens and reviews `path` (either version).
 *
 * @throws SessionError when the file is unusable (missing, empty, binary, foreign, bad header).
 */
export async function reviewSession(
  path: string,
  options: ReviewRunOptions = {}
): Promise<ReviewRun> {
  const opened = await openSession(path)
  return reviewOpened(opened, options)
}

/** Reviews an opened session. */
export async function reviewOpened(
  opened: OpenedSession,
  options: ReviewRunOptions = {}
): Promise<ReviewRun> {
  const h = opened.header
  const reviewer = new SessionReviewer(
    {
      file: opened.path,
      version: opened.version,
      startedAtMs: h.startedAtMs,
      intervalMs: h.intervalMs,
      inventory: h.inventory,
      command: h.command,
      throttleRecorded: h.throttleRecorded === true,
      alertsRecorded: h.alertsRecorded === true
    },
    options
  )
  let envelope: EnvelopeBuilder | null = null
  if (options.envelopeBuckets) {
    const last = (await lastSampleTime(opened).catch(() => null)) ?? h.startedAtMs + h.intervalMs
    envelope = new EnvelopeBuilder(
      h.startedAtMs,
      Math.max(last, h.startedAtMs + 1),
      options.envelopeBuckets,
      SUMMARY_BIN_MS
    )
  }
  const episodes: SessionEpisode[] = []
  const openEpisodes = new Map<string, ThrottleEvent>()
  const alerts: AlertTransition[] = []
  const marks: MarkRecord[] = []
  let lastMs = h.startedAtMs
  const addEpisode = (ev: ThrottleEvent): void => {
    if (ev.cause === 'idle' || ev.cause === 'config') return
    if (episodes.length < SESSIONS_LIMITS.maxEpisodes) episodes.push(episodeOf(ev, lastMs))
  }

  // Sessions without recorded episodes (version 1, or written without a tracker): detect them now.
  const detect = h.throttleRecorded !== true
  const tracker = detect ? createThrottleTracker({ windowSeconds: 600, maxEvents: 4000 }) : null
  const folded = new Set<string>()
  let sinceDrain = 0
  const drain = (final: boolean): void => {
    if (!tracker) return
    const evs = tracker.events()
    const present = new Set<string>()
    for (const ev of evs) {
      const k = eventKey(ev)
      present.add(k)
      if (folded.has(k)) continue
      if (ev.endMs !== null) {
        folded.add(k)
        reviewer.throttle.closed(ev)
        addEpisode(ev)
      } else if (final) {
        folded.add(k)
        const closed = { ...ev, endMs: lastMs }
        reviewer.throttle.closed(closed)
        addEpisode(closed)
      }
    }
    for (const k of folded) if (!present.has(k)) folded.delete(k)
  }

  const useSummaries =
    options.summaries !== false &&
    !detect &&
    !options.onTick &&
    (envelope === null || envelope.alignedTo(SUMMARY_BIN_MS))
  let summarized = 0
  let summaryRefused: string | null = null
  const takeSummary = (json: string): boolean => {
    let raw: unknown
    try {
      raw = JSON.parse(json)
    } catch {
      summaryRefused ??= 'summary is not JSON'
      return false
    }
    const why = checkSegmentSummary(raw) ?? reviewer.summaryProblem(raw as SegmentSummary)
    const s = raw as SegmentSummary
    if (why === null && envelope && !envelope.alignedTo(s.binMs)) {
      summaryRefused ??= `chart bins of ${s.binMs} ms do not fit the chart's buckets`
      return false
    }
    if (why !== null) {
      summaryRefused ??= why
      return false
    }
    reviewer.mergeSummary(s)
    if (envelope) for (const [k, b] of Object.entries(s.bins)) envelope.addBins(k, b, s.binMs)
    if (s.samples > 0) lastMs = s.tailMs
    summarized++
    return true
  }

  await readSessionInto(
    opened,
    {
      summary: useSummaries ? takeSummary : undefined,
      segment: () => reviewer.segment(),
      node: (id, _parent, _key, decoder) => reviewer.node(id, decoder),
      tick: (t: TickView) => {
        lastMs = t.tMs
        reviewer.tick(t.tMs, t.decoder)
        if (envelope) {
          const b = envelope.bucketOf(t.tMs)
          if (b >= 0) reviewer.forEachCurrent((k, v) => envelope?.add(k, b, v))
        }
        if (tracker) {
          tracker.push(t.snapshot(), h.inventory)
          if (++sinceDrain >= 256) {
            sinceDrain = 0
            drain(false)
          }
        }
        options.onTick?.(t.tMs, reviewer)
      },
      record: (rec) => {
        if (detect && (rec.type === 'throttle-start' || rec.type === 'throttle-end')) return
        reviewer.record(rec)
        if (rec.type === 'throttle-start') openEpisodes.set(eventKey(rec.event), rec.event)
        else if (rec.type === 'throttle-end') {
          openEpisodes.delete(eventKey(rec.event))
          addEpisode(rec.event)
        } else if (rec.type === 'alert' && alerts.length < SESSIONS_LIMITS.maxAlerts)
          alerts.push(rec.alert)
        else if (rec.type === 'mark' && marks.length < 500) marks.push(rec)
      },
      problem: (p) => {
        reviewer.problem(p)
        options.onProblem?.(p)
      },
      between: options.between
    },
    { signal: options.signal }
  )
  drain(true)
  for (const ev of openEpisodes.values()) addEpisode({ ...ev, endMs: lastMs })
  episodes.sort((a, b) => a.startMs - b.startMs)
  return {
    opened,
    review: reviewer.finish(),
    reviewer,
    envelope,
    episodes,
    alerts,
    marks,
    summarized,
    summaryRefused
  }
}
