/**
 * The session writer (version 2): append-only, one CRC-checked frame per tick, fsync at a bounded cadence,
 * a new segment every few minutes, and a clean stop on a write error that keeps everything already written.
 *
 * Usage (the API the CLI, the probe and tests share):
 *
 * ```ts
 * const w = await createSessionWriter(path, { startedAtMs, intervalMs, inventory })
 * source.subscribe((s) => void w.append(s))   // never throws, never blocks the sampler
 * await w.record({ type: 'mark', atMs: Date.now(), label: 'epoch 2' })
 * await w.close('stopped')
 * ```
 *
 * `append` also runs the throttle tracker and writes each episode's start and end as records, so a review
 * never has to re-detect throttling from 259 200 samples, and ends each segment with a summary record of
 * what a review accumulates over it (`core/session-summary.ts`), so a review merges 432 summaries instead. A write error (ENOSPC, EROFS, EIO…) ends
 * recording: the partial frame is truncated away, `failure` says why, `onFailure` listeners are told once,
 * and later calls resolve without writing. The caller's own work (a wrapped command) is never affected.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createThrottleTracker, type ThrottleTracker } from '../../core/throttle'
import type { ThrottleEvent } from '../../shared/readiness'
import {
  SESSION_ENCODING,
  SESSION_FORMAT,
  SESSION_VERSION,
  type SessionHeader,
  type SessionRecord
} from '../../shared/session-format'
import type { Inventory, Snapshot } from '../../shared/telemetry'
import { SegmentSummarizer } from '../../core/session-summarizer'
import { ITEM_NODE, ITEM_TICK, SegmentDecoder, SegmentEncoder } from './codec'
import { FRAME_CHUNK, FRAME_SEGMENT, encodeFrame } from './frames'
import { FlushingDeflater } from './zstream'
import { SessionError } from './session-error'

/** The file operations the writer needs (injectable: tests simulate a full disk or a read-only mount). */
export interface SessionFileSystem {
  /** Creates `path` exclusively (flag `wx`): never overwrites. */
  create(path: string): Promise<SessionFileHandle>
  /** Flushes a folder's entry table (makes a new file survive power loss); best effort. */
  syncDir?(path: string): Promise<void>
}

/** An open session file. */
export interface SessionFileHandle {
  /** Writes at the end; may write fewer bytes than asked (returns how many). */
  write(data: Uint8Array): Promise<number>
  datasync(): Promise<void>
  truncate(length: number): Promise<void>
  close(): Promise<void>
}

/** The real file system. */
export const nodeSessionFileSystem: SessionFileSystem = {
  async create(path) {
    const fh: FileHandle = await open(path, 'wx')
    return {
      async write(data) {
        const { bytesWritten } = await fh.write(data, 0, data.length)
        return bytesWritten
      },
      datasync: () => fh.datasync(),
      truncate: (len) => fh.truncate(len),
      close: () => fh.close()
    }
  },
  async syncDir(path) {
    const d = await open(path, 'r')
    try {
      await d.sync()
    } finally {
      await d.close()
    }
  }
}

/** Why recording stopped. */
export interface SessionWriteFailure {
  /** errno code when there is one (`ENOSPC`, `EROFS`, `EACCES`, `EIO`). */
  code: string | null
  /** One line for people: "disk full (ENOSPC) writing /data/run.rrs; recording stopped, 3600 samples kept". */
  message: string
}

/** Options of the writer. */
export interface SessionWriterOptions {
  /** Longest time between fsyncs while samples arrive (ms). Default 5000. */
  syncEveryMs?: number
  /** Segment length (ms of session time). Default 10 min. */
  segmentMs?: number
  /** A segment also ends after this many compressed bytes. Default 4 MiB. */
  segmentBytes?: number
  /** zlib level (1–9). Default 6. */
  level?: number
  /** Record throttle episodes (start and end) from a live tracker. Default true. */
  recordThrottle?: boolean
  /**
   * End each segment with a summary record (what a review accumulates over it), so reviews of long runs
   * merge summaries instead of decoding every tick. Default true.
   */
  summaries?: boolean
  /** The caller records alert transitions into this session (sets the header flag). Default false. */
  alertsRecorded?: boolean
  /** Appends allowed to wait for the disk before new samples are dropped (bounded memory). Default 64. */
  maxPending?: number
  fs?: SessionFileSystem
  /** Wall clock for the fsync cadence (ms). */
  now?: () => number
}

/** An append-only session writer. */
export interface SessionWriter {
  readonly path: string
  /** Appends one snapshot. Resolves once written (or dropped); never rejects. */
  append(snapshot: Snapshot): Promise<void>
  /** Appends one record (mark, command start/end, alert, note). Never rejects. */
  record(record: SessionRecord): Promise<void>
  /** Writes an end record, syncs and closes. */
  close(reason?: string): Promise<void>
  /** Set once a write failed; recording has stopped. */
  readonly failure: SessionWriteFailure | null
  /** Calls `fn` once when recording stops on a write error. */
  onFailure(fn: (f: SessionWriteFailure) => void): void
  /** Samples written. */
  readonly samples: number
  /** Samples dropped because the disk could not keep up. */
  readonly dropped: number
  /** Bytes in the file. */
  readonly bytes: number
}

const ERRNO_WORDS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'I/O error',
  EFBIG: 'file too large',
  ENOENT: 'folder does not exist',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists (refusing to overwrite a session)'
}

/** One line for an errno error on `path`. */
export function describeFileError(
  err: unknown,
  path: string
): { code: string | null; text: string } {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? null
  const words = code ? ERRNO_WORDS[code] : undefined
  const text = words
    ? `${path}: ${words} (${code})`
    : `${path}: ${err instanceof Error ? err.message : String(err)}`
  return { code, text }
}

/**
 * Creates `path` (it must not exist) and writes the header.
 *
 * @throws SessionError when the file cannot be created (exists, read-only folder, no such folder).
 */
export async function createSessionWriter(
  path: string,
  header: {
    startedAtMs: number
    intervalMs: number
    inventory: Inventory
    command?: string[]
    note?: string
    writer?: string
  },
  options: SessionWriterOptions = {}
): Promise<SessionWriter> {
  const fs = options.fs ?? nodeSessionFileSystem
  const now = options.now ?? Date.now
  const syncEvery = options.syncEveryMs ?? 5000
  const segmentMs = options.segmentMs ?? 10 * 60 * 1000
  const segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024
  const recordThrottle = options.recordThrottle ?? true
  const maxPending = options.maxPending ?? 64
  let fh: SessionFileHandle
  try {
    fh = await fs.create(path)
  } catch (err) {
    throw new SessionError(describeFileError(err, path).text)
  }
  const full: SessionHeader = {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    encoding: SESSION_ENCODING,
    startedAtMs: header.startedAtMs,
    intervalMs: header.intervalMs,
    inventory: header.inventory,
    ...(header.command ? { command: header.command } : {}),
    ...(header.note !== undefined ? { note: header.note } : {}),
    ...(header.writer !== undefined ? { writer: header.writer } : {}),
    throttleRecorded: recordThrottle,
    alertsRecorded: options.alertsRecorded ?? false
  }
  let bytes = 0
  let samples = 0
  let dropped = 0
  let pending = 0
  let failure: SessionWriteFailure | null = null
  let closed = false
  const failureListeners: ((f: SessionWriteFailure) => void)[] = []
  const encoder = new SegmentEncoder(header.startedAtMs)
  let deflater: FlushingDeflater | null = null
  let segmentStartMs = -Infinity
  let segmentCompressed = 0
  let lastSyncMs = now()
  let lastTickMs = header.startedAtMs
  let chain: Promise<void> = Promise.resolve()
  const tracker: ThrottleTracker | null = recordThrottle
    ? createThrottleTracker({ maxEvents: 64 })
    : null
  const reported = new Map<string, 'open' | 'closed'>()
  // Segment summaries: the rows just encoded are decoded again (what a reader will see) into a summarizer.
  const summarizer =
    options.summaries === false
      ? null
      : new SegmentSummarizer({
          file: path,
          version: SESSION_VERSION,
          startedAtMs: header.startedAtMs,
          intervalMs: header.intervalMs,
          inventory: header.inventory
        })
  const mirror = summarizer ? new SegmentDecoder(header.startedAtMs) : null
  const onMirrorItem = (item: number): void => {
    if (!summarizer || !mirror) return
    if (item === ITEM_NODE) summarizer.node(mirror.lastNodeId, mirror)
    else if (item === ITEM_TICK) summarizer.tick(mirror.tMs, mirror)
  }

  const fail = async (err: unknown): Promise<void> => {
    if (failure) return
    const { code, text } = describeFileError(err, path)
    failure = {
      code,
      message: `${text}; recording stopped, ${samples} sample${samples === 1 ? '' : 's'} kept`
    }
    // Drop a partly written frame so the file ends on a frame boundary (truncation needs no free space).
    await fh.truncate(bytes).catch(() => {})
    await fh.datasync().catch(() => {})
    for (const l of failureListeners) l(failure)
  }

  const writeAll = async (data: Uint8Array): Promise<void> => {
    let off = 0
    while (off < data.length) {
      const n = await fh.write(off === 0 ? data : data.subarray(off))
      if (!(n > 0)) throw Object.assign(new Error('short write'), { code: 'EIO' })
      off += n
    }
    bytes += data.length
  }

  const syncIfDue = async (force: boolean): Promise<void> => {
    const t = now()
    if (force || t - lastSyncMs >= syncEvery) {
      lastSyncMs = t
      await fh.datasync()
    }
  }

  /** Compresses the encoder's pending records into one frame and writes it. */
  const flushFrame = async (startsSegment: boolean): Promise<void> => {
    const rows = encoder.takeBytes()
    if (rows.length === 0 && !startsSegment) return
    mirror?.decode(rows, onMirrorItem)
    if (!deflater) throw new Error('session writer: no open segment')
    const payload = await deflater.push(rows)
    segmentCompressed += payload.length
    await writeAll(
      encodeFrame(
        startsSegment ? FRAME_SEGMENT : FRAME_CHUNK,
        lastTickMs - header.startedAtMs,
        payload
      )
    )
  }

  /** Ends the open segment's stream with its summary record (nothing when it holds no tick). */
  const writeSummary = async (): Promise<void> => {
    if (!summarizer || !deflater) return
    const s = summarizer.take()
    if (s === null) return
    encoder.encodeSummary(JSON.stringify(s))
    // The summary is not a row the mirror should see.
    const rows = encoder.takeBytes()
    const payload = await deflater.push(rows)
    segmentCompressed += payload.length
    await writeAll(encodeFrame(FRAME_CHUNK, lastTickMs - header.startedAtMs, payload))
  }

  const startSegment = (atMs: number): void => {
    deflater?.close()
    deflater = new FlushingDeflater(options.level ?? 6)
    encoder.reset()
    if (mirror && summarizer) {
      mirror.reset()
      summarizer.segment()
    }
    segmentStartMs = atMs
    segmentCompressed = 0
  }

  /** Throttle episodes that opened or closed with this snapshot, as records. */
  const throttleRecords = (snapshot: Snapshot): SessionRecord[] => {
    if (!tracker) return []
    tracker.push(snapshot, header.inventory)
    const out: SessionRecord[] = []
    const present = new Set<string>()
    for (const ev of tracker.events()) {
      const key = `${ev.device}|${ev.cause}|${ev.startMs}`
      present.add(key)
      const was = reported.get(key)
      if (ev.endMs === null) {
        if (was === undefined) {
          reported.set(key, 'open')
          out.push({ type: 'throttle-start', atMs: ev.startMs, event: ev })
        }
      } else if (was !== 'closed') {
        reported.set(key, 'closed')
        out.push({ type: 'throttle-end', atMs: ev.endMs, event: ev })
      }
    }
    for (const key of reported.keys()) if (!present.has(key)) reported.delete(key)
    return out
  }

  const enqueue = (job: () => Promise<void>, droppable: boolean): Promise<void> => {
    if (failure || closed) return Promise.resolve()
    if (droppable && pending >= maxPending) {
      dropped++
      return Promise.resolve()
    }
    pending++
    chain = chain
      .then(async () => {
        if (failure) return
        try {
          await job()
        } catch (err) {
          await fail(err)
        }
      })
      .finally(() => {
        pending--
      })
    return chain
  }

  // Header first, synced, and the folder entry synced, so even an immediate crash leaves a valid session.
  try {
    await writeAll(Buffer.from(JSON.stringify(full) + '\n', 'utf8'))
    await fh.datasync()
    await fs.syncDir?.(dirname(path)).catch(() => {})
  } catch (err) {
    await fh.close().catch(() => {})
    throw new SessionError(describeFileError(err, path).text)
  }

  const writer: SessionWriter = {
    path,
    append(snapshot) {
      return enqueue(async () => {
        const ts = Math.round(snapshot.timestampMs)
        if (!Number.isFinite(ts)) return
        const newSegment =
          deflater === null || ts - segmentStartMs >= segmentMs || segmentCompressed >= segmentBytes
        if (newSegment) {
          await writeSummary()
          startSegment(ts)
        }
        encoder.encodeTick(snapshot)
        lastTickMs = ts
        const recs = throttleRecords(snapshot)
        for (const r of recs) encoder.encodeRecord(r)
        await flushFrame(newSegment)
        samples++
        await syncIfDue(false)
      }, true)
    },
    record(rec) {
      return enqueue(async () => {
        if (deflater === null) startSegment(Math.round(rec.atMs))
        encoder.encodeRecord(rec)
        await flushFrame(encoder.ticksInSegment === 0 && segmentCompressed === 0)
        // Records are rare and matter (a command's end, an alert): make them durable now.
        await syncIfDue(true)
      }, false)
    },
    async close(reason = 'stopped') {
      if (closed) return
      await enqueue(async () => {
        // Episodes still open at the end are closed by the reader at the last sample.
        const end: SessionRecord = { type: 'end', atMs: lastTickMs, reason, samples }
        await writeSummary()
        if (deflater === null) startSegment(lastTickMs)
        encoder.encodeRecord(end)
        await flushFrame(encoder.ticksInSegment === 0 && segmentCompressed === 0)
        await syncIfDue(true)
      }, false)
      closed = true
      await chain.catch(() => {})
      deflater?.close()
      await fh.datasync().catch(() => {})
      await fh.close().catch(() => {})
    },
    get failure() {
      return failure
    },
    onFailure(fn) {
      if (failure) fn(failure)
      else failureListeners.push(fn)
    },
    get samples() {
      return samples
    },
    get dropped() {
      return dropped
    },
    get bytes() {
      return bytes
    }
  }
  return writer
}

/** Throttle events keyed for de-duplication (device, cause, start). */
export function throttleEventKey(ev: ThrottleEvent): string {
  return `${ev.device}|${ev.cause}|${ev.startMs}`
}
