/**
 * Plays a recorded session as if it were live, at recorded or accelerated speed (or as fast as the engine
 * can: `speed: Infinity`), so every face (watch, check, serve, the desktop app) runs on captured data exactly
 * as on a real machine.
 *
 * The file is streamed: playback starts at once, memory holds a small read-ahead queue and the history
 * ring, whatever the session's length, and `seek(tMs)` jumps to any point through the segment index without
 * decoding what comes before its segment. Timestamps are shifted so the first snapshot played (after a
 * start or a seek) carries "now"; spacing between snapshots keeps the recorded spacing (divided by `speed` in
 * wall time only), so rates and durations stay true to the recording.
 */
import type { SessionRecord } from '../../shared/session-format'
import type { Snapshot } from '../../shared/telemetry'
import type { Clock } from '../platform/clock'
import { RingBuffer } from '../ring-buffer'
import type { TelemetrySource } from '../telemetry-source'
import {
  indexSession,
  readSessionInto,
  segmentFor,
  type OpenedSession,
  type ReadProblem,
  type SegmentIndexEntry
} from './reader'
import type { Session } from './session'

/** Replay options. */
export interface ReplayOptions {
  clock: Clock
  /** Playback speed factor (1 = recorded speed; Infinity = as fast as the engine can). */
  speed?: number
  /** Start over at the end instead of stopping. */
  loop?: boolean
  /** Emit this many snapshots immediately at start (pre-fills history). */
  prefill?: number
  /** History ring size (snapshots). Default 3600. */
  historySize?: number
  /** Start playback at this recorded time (epoch ms). */
  startAtMs?: number
  /** Called for each record met while playing (alerts, marks, the command's end). */
  onRecord?: (record: SessionRecord) => void
  /** Called for each problem met while reading (corrupt regions). */
  onProblem?: (problem: ReadProblem) => void
}

/** A snapshot source with the same surface as the live sampler. */
export interface ReplaySource extends TelemetrySource {
  /** True once every snapshot has been played (never with `loop`). */
  readonly finished: boolean
  /** Jumps to recorded time `tMs` (epoch ms): playback continues from the first snapshot at or after it. */
  seek(tMs: number): Promise<void>
  /** Resolves when playback has finished (never with `loop`). */
  done(): Promise<void>
}

/** Read-ahead bound (snapshots). */
const QUEUE_HIGH = 64
/** Small read batches keep the read-ahead close to the queue bound. */
const REPLAY_BATCH_BYTES = 16 * 1024
/** Most snapshots emitted in one turn of the event loop at maximum speed. */
const BURST = 256

interface Producer {
  abort: AbortController
  finished: boolean
}

/**
 * Creates a replay source over an opened session file (streamed), or over an in-memory session (tests,
 * short sessions).
 */
export function createReplaySource(
  source: OpenedSession | Session,
  options: ReplayOptions
): ReplaySource {
  const { clock } = options
  const speed = options.speed !== undefined && options.speed > 0 ? options.speed : 1
  const intervalMs = source.header.intervalMs
  const history = new RingBuffer<Snapshot>(Math.max(1, options.historySize ?? 3600))
  const listeners = new Set<(s: Snapshot) => void>()
  const queue: Snapshot[] = []
  let producer: Producer | null = null
  let wake: (() => void) | null = null
  let dataWaiters: (() => void)[] = []
  let doneWaiters: (() => void)[] = []
  let index: SegmentIndexEntry[] | null = null
  let startAt = options.startAtMs
  let offsetMs = 0
  let offsetSet = false
  let lastEmittedTs = -Infinity
  let lastRecordedTs = NaN
  let lapShift = 0
  let firstRecordedTs = NaN
  let timer: unknown = null
  let active = false
  let finished = false
  let seq = 0
  let generation = 0

  const notifyData = (): void => {
    const w = dataWaiters
    dataWaiters = []
    for (const f of w) f()
  }

  const inMemory = 'snapshots' in source ? source : null

  /** Fills the queue from the file (or array) until the end, pausing while it is full. */
  const produce = (from: number | undefined): void => {
    const gen = ++generation
    const p: Producer = { abort: new AbortController(), finished: false }
    producer = p
    const push = (s: Snapshot): void => {
      if (gen !== generation) return
      queue.push(s)
      notifyData()
    }
    const waitRoom = (): Promise<void> | void => {
      if (gen !== generation || queue.length < QUEUE_HIGH) return
      return new Promise<void>((resolve) => {
        wake = resolve
      })
    }
    const run = async (): Promise<void> => {
      if (inMemory) {
        for (const s of inMemory.snapshots) {
          if (p.abort.signal.aborted) return
          if (from !== undefined && s.timestampMs < from) continue
          push(s)
          await waitRoom()
        }
        return
      }
      const opened = source as OpenedSession
      let start
      if (from !== undefined) {
        index ??= await indexSession(opened)
        start = segmentFor(index, from)
      }
      await readSessionInto(
        opened,
        {
          tick(t) {
            if (from !== undefined && t.tMs < from) return
            push(t.snapshot())
          },
          record: (r) => options.onRecord?.(r),
          problem: (pr) => options.onProblem?.(pr),
          between: waitRoom
        },
        { from: start, signal: p.abort.signal, batchBytes: REPLAY_BATCH_BYTES }
      )
    }
    run()
      .catch((err: unknown) =>
        options.onProblem?.({
          where: 'replay',
          message: err instanceof Error ? err.message : String(err),
          kind: 'corrupt'
        })
      )
      .finally(() => {
        if (gen !== generation) return
        p.finished = true
        notifyData()
        if (active) schedule()
      })
  }

  const takeNext = (): Snapshot | null => {
    const s = queue.shift()
    if (s === undefined) return null
    if (queue.length < QUEUE_HIGH / 2 && wake) {
      const w = wake
      wake = null
      w()
    }
    return s
  }

  const emit = (src: Snapshot): Snapshot => {
    if (!Number.isFinite(firstRecordedTs) && lapShift === 0) firstRecordedTs = src.timestampMs
    if (!offsetSet) {
      offsetMs = clock.now() - src.timestampMs
      offsetSet = true
    }
    let ts = src.timestampMs + offsetMs + lapShift
    if (ts <= lastEmittedTs) ts = lastEmittedTs + 1
    lastEmittedTs = ts
    lastRecordedTs = src.timestampMs
    const snap: Snapshot = { ...src, seq: seq++, timestampMs: ts }
    history.push(snap)
    for (const l of listeners) l(snap)
    return snap
  }

  /** Moves to the next lap (loop) or marks the end. */
  const atEnd = (): boolean => {
    if (!producer?.finished || queue.length > 0) return false
    if (options.loop && Number.isFinite(firstRecordedTs)) {
      // The next lap continues one interval after the last snapshot played.
      lapShift = lastEmittedTs + intervalMs - offsetMs - firstRecordedTs
      lastRecordedTs = firstRecordedTs - intervalMs
      produce(undefined)
      return false
    }
    if (!finished) {
      finished = true
      const w = doneWaiters
      doneWaiters = []
      for (const f of w) f()
    }
    return true
  }

  const schedule = (): void => {
    if (!active || timer !== null) return
    if (queue.length === 0) {
      if (atEnd()) return
      if (queue.length > 0) return schedule()
      // Waiting for the reader: resume as soon as it pushes.
      dataWaiters.push(() => schedule())
      return
    }
    const next = queue[0]
    const gap = Number.isFinite(lastRecordedTs) ? next.timestampMs - lastRecordedTs : 0
    const delay = Number.isFinite(speed) ? Math.max(0, Math.min(60_000, gap)) / speed : 0
    timer = clock.setTimeout(() => {
      timer = null
      if (!active) return
      // At maximum speed, play a burst per turn of the event loop.
      const n = delay === 0 && !Number.isFinite(speed) ? BURST : 1
      for (let i = 0; i < n; i++) {
        const s = takeNext()
        if (!s) break
        emit(s)
      }
      schedule()
    }, delay)
  }

  const waitForData = (): Promise<void> =>
    new Promise((resolve) => {
      if (queue.length > 0 || producer?.finished) resolve()
      else dataWaiters.push(resolve)
    })

  const startProducer = (): void => {
    if (producer === null) produce(startAt)
  }

  const replay: ReplaySource = {
    start() {
      if (active) return
      active = true
      startProducer()
      const n = Math.max(0, options.prefill ?? 1)
      const prefill = async (): Promise<void> => {
        for (let i = 0; i < n; i++) {
          if (queue.length === 0) await waitForData()
          const s = takeNext()
          if (!s) break
          emit(s)
        }
        schedule()
      }
      void prefill()
    },
    async stop() {
      active = false
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
      producer?.abort.abort()
      wake?.()
    },
    async tick() {
      startProducer()
      if (queue.length === 0) await waitForData()
      const s = takeNext()
      if (s) return emit(s)
      atEnd()
      const last = history.last()
      if (!last) throw new Error('replay session holds no snapshots')
      return last
    },
    async seek(tMs) {
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
      producer?.abort.abort()
      queue.length = 0
      wake?.()
      wake = null
      startAt = tMs
      offsetSet = false
      lastRecordedTs = NaN
      finished = false
      history.clear()
      produce(tMs)
      if (active) {
        await waitForData()
        const s = takeNext()
        if (s) emit(s)
        schedule()
      }
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
    },
    done() {
      return finished ? Promise.resolve() : new Promise((r) => doneWaiters.push(r))
    }
  }
  return replay
}
