/**
 * Plays a recorded session as if it were live, at recorded or accelerated speed, so every face (watch,
 * check, serve, the desktop app) runs on captured data exactly as on a real machine.
 *
 * Timestamps are shifted so the first replayed snapshot carries "now"; spacing between snapshots is kept
 * (divided by `speed` in wall time, but the timestamps keep their recorded spacing so rates and durations
 * stay true to the recording).
 */
import type { Snapshot } from '../../shared/telemetry'
import type { TelemetrySource } from '../telemetry-source'
import type { Clock } from '../platform/clock'
import { RingBuffer } from '../ring-buffer'
import type { Session } from './session'

/** Replay options. */
export interface ReplayOptions {
  clock: Clock
  /** Playback speed factor (1 = recorded speed). */
  speed?: number
  /** Start over at the end instead of stopping. */
  loop?: boolean
  /** Emit this many snapshots immediately at start (pre-fills history). */
  prefill?: number
  historySize?: number
}

/** A snapshot source with the same surface as the live sampler. */
export interface ReplaySource extends TelemetrySource {
  /** True once every snapshot has been played (never with `loop`). */
  readonly finished: boolean
}

/** Creates a replay source over a parsed session. */
export function createReplaySource(session: Session, options: ReplayOptions): ReplaySource {
  const { clock } = options
  const speed = options.speed && options.speed > 0 ? options.speed : 1
  const snaps = session.snapshots
  const history = new RingBuffer<Snapshot>(
    Math.max(1, options.historySize ?? Math.max(3600, snaps.length))
  )
  const listeners = new Set<(s: Snapshot) => void>()
  let index = 0
  let lap = 0
  let offsetMs = 0
  let lastEmittedTs = -Infinity
  let timer: unknown = null
  let active = false
  let finished = snaps.length === 0
  let seq = 0
  const recordedSpan =
    snaps.length > 1 ? snaps[snaps.length - 1].timestampMs - snaps[0].timestampMs : 0

  const emitNext = (): Snapshot | null => {
    if (index >= snaps.length) {
      if (!options.loop || snaps.length === 0) {
        finished = true
        return null
      }
      index = 0
      lap += 1
    }
    const src = snaps[index++]
    if (seq === 0) offsetMs = clock.now() - src.timestampMs
    const lapShift = lap * (recordedSpan + session.header.intervalMs)
    let ts = src.timestampMs + offsetMs + lapShift
    if (ts <= lastEmittedTs) ts = lastEmittedTs + 1
    lastEmittedTs = ts
    const snap: Snapshot = { ...src, seq: seq++, timestampMs: ts }
    history.push(snap)
    for (const l of listeners) l(snap)
    return snap
  }

  const scheduleNext = (): void => {
    if (!active || finished) return
    const cur = snaps[index - 1]
    const next = snaps[index] ?? (options.loop ? snaps[0] : undefined)
    if (!next) {
      finished = true
      return
    }
    const gap =
      index < snaps.length && cur ? next.timestampMs - cur.timestampMs : session.header.intervalMs
    const delay = Math.max(0, Math.min(60_000, gap)) / speed
    timer = clock.setTimeout(() => {
      emitNext()
      scheduleNext()
    }, delay)
  }

  return {
    start() {
      if (active) return
      active = true
      const n = Math.max(1, Math.min(options.prefill ?? 1, snaps.length))
      for (let i = 0; i < n; i++) emitNext()
      scheduleNext()
    },
    async stop() {
      active = false
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
    },
    async tick() {
      const s = emitNext()
      const last = s ?? history.last()
      if (!last) throw new Error('replay session holds no snapshots')
      return last
    },
    latest: () => history.last() ?? null,
    history: (sinceMs) => history.since(sinceMs, (s) => s.timestampMs),
    health: () => history.last()?.health ?? [],
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    get finished() {
      return finished
    }
  }
}
