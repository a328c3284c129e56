/**
 * The streaming session reader: one pass over a version-1 (JSON lines) or version-2 (frames) file with
 * memory bounded by one batch, whatever the file's size.
 *
 * Both versions arrive at the sink the same way: a path table (`node`), ticks over a value table held by a
 * `SegmentDecoder` (consumers read the leaves they need by id, or `snapshot()` builds the whole Snapshot),
 * and records. Version-1 lines go through the version-2 encoder and decoder, so there is one code path.
 *
 * Nothing is fatal after a valid header: a corrupt line or frame is reported (`problem`, naming the line or
 * the record and byte) and skipped, a torn tail is noted. Only an unusable header throws `SessionError`.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { constants as zconstants, createInflateRaw, type InflateRaw } from 'node:zlib'
import {
  SESSION_FORMAT,
  SESSION_VERSION,
  type SessionHeader,
  type SessionRecord
} from '../../shared/session-format'
import {
  describeSchemaIssue,
  sessionHeaderSchema,
  sessionRecordSchema
} from '../../shared/session-format-schema'
import type { Snapshot } from '../../shared/telemetry'
import {
  CodecError,
  ITEM_NODE,
  ITEM_SUMMARY,
  ITEM_TICK,
  SegmentDecoder,
  SegmentEncoder
} from './codec'
import { FRAME_SEGMENT, FrameScanner } from './frames'
import { SessionError } from './session-error'
import { snapshotProblem } from './validate'

/** Longest header line accepted (bytes). */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024
/** Longest version-1 line accepted (bytes); longer lines are reported and skipped. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024
const READ_BYTES = 1024 * 1024
const INFLATE_BATCH_BYTES = 256 * 1024
/** Most decompressed bytes of one segment held in summary mode (a 10 min segment is about 0.2 MB). */
const MAX_HELD_BYTES = 32 * 1024 * 1024

/** An opened session: its validated header and where the samples start. */
export interface OpenedSession {
  path: string
  header: SessionHeader
  version: number
  /** Byte offset just after the header line. */
  dataOffset: number
  sizeBytes: number
}

/** One tick as the sink sees it (one object reused for every tick: read it during the call). */
export interface TickView {
  tMs: number
  seq: number
  /** The value table (current leaf per node id) and path table. */
  decoder: SegmentDecoder
  /** The whole Snapshot (built on demand; version-1 files give back the parsed line). */
  snapshot(): Snapshot
}

/** Something unreadable that was skipped. */
export interface ReadProblem {
  /** `line 12`, `record 3456 at byte 78901`. */
  where: string
  message: string
  /** `torn`: the file ends mid-record (expected after a crash); `corrupt`: damaged data; `invalid`: wrong types. */
  kind: 'torn' | 'corrupt' | 'invalid'
}

/** Receives a session as it is read. Return `false` from `tick` to stop early. */
export interface SessionSink {
  /** A new segment starts: node ids restart (version 2 only; version 1 is one segment). */
  segment?(decoder: SegmentDecoder): void
  node?(id: number, parent: number, key: string | number, decoder: SegmentDecoder): void
  tick?(tick: TickView): void | boolean
  record?(record: SessionRecord): void
  /**
   * Summary mode (version 2): offered the JSON of each segment's summary record before the segment is
   * delivered. Return true when it was taken: that segment's paths and ticks are then not delivered (only
   * its records); false, and the segment is delivered whole. Segments without one are delivered whole.
   */
  summary?(json: string): boolean
  problem?(problem: ReadProblem): void
  /** Awaited between batches (about every 256 KiB read): lets a sink drain its output (backpressure). */
  between?(): Promise<void> | void
}

/** What a read found. */
export interface ReadResult {
  ticks: number
  records: number
  problems: number
  tornTail: boolean
  /** The writer closed the file (an end record). */
  cleanEnd: boolean
  /** The sink stopped the read early. */
  stopped: boolean
}

/** Where to start reading (a segment start from `indexSession`). */
export interface ReadFrom {
  offset: number
  index: number
}

function describeOpenError(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return `${path}: no such file`
  if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`
  if (code === 'EISDIR') return `${path}: is a folder, not a session file`
  return `${path}: ${err instanceof Error ? err.message : String(err)}`
}

/** True when bytes look like text (no NUL, mostly printable), used to name binary files as such. */
function looksBinary(b: Buffer): boolean {
  const n = Math.min(b.length, 512)
  let odd = 0
  for (let i = 0; i < n; i++) {
    const c = b[i]
    if (c === 0) return true
    if (c < 9 || (c > 13 && c < 32)) odd++
  }
  return odd > n / 10
}

/** Parses and validates a header line (pure). `path` names the file in messages. */
export function parseHeaderLine(line: string, path: string): SessionHeader {
  if (line.trim() === '')
    throw new SessionError(`${path}:1: empty header line; not a RigReady session file`)
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    throw new SessionError(`${path}:1: not JSON; not a RigReady session file`)
  }
  const obj = raw as Record<string, unknown> | null
  if (
    typeof obj !== 'object' ||
    obj === null ||
    Array.isArray(obj) ||
    obj.format !== SESSION_FORMAT
  )
    throw new SessionError(
      `${path}:1: no "format": "${SESSION_FORMAT}"; not a RigReady session file`
    )
  if (typeof obj.version === 'number' && obj.version > SESSION_VERSION)
    throw new SessionError(
      `${path}:1: session version ${obj.version} is not supported (this build reads versions 1–${SESSION_VERSION})`
    )
  const r = sessionHeaderSchema.safeParse(raw)
  if (!r.success) throw new SessionError(`${path}:1: header ${describeSchemaIssue(r.error)}`)
  if (r.data.version < 1)
    throw new SessionError(`${path}:1: session version ${r.data.version} is not supported`)
  return r.data as unknown as SessionHeader
}

async function readHeader(
  fh: FileHandle,
  path: string
): Promise<{ header: SessionHeader; dataOffset: number }> {
  const parts: Buffer[] = []
  let total = 0
  for (;;) {
    const chunk = Buffer.allocUnsafe(READ_BYTES)
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, total)
    if (bytesRead === 0) break
    const got = chunk.subarray(0, bytesRead)
    if (total === 0 && looksBinary(got))
      throw new SessionError(`${path}:1: binary data; not a RigReady session file`)
    const nl = got.indexOf(0x0a)
    if (nl >= 0) {
      parts.push(got.subarray(0, nl))
      total += nl
      const line = Buffer.concat(parts).toString('utf8')
      return { header: parseHeaderLine(line, path), dataOffset: total + 1 }
    }
    parts.push(got)
    total += bytesRead
    if (total > MAX_HEADER_BYTES)
      throw new SessionError(
        `${path}:1: header line longer than 64 MiB; not a RigReady session file`
      )
  }
  if (total === 0) throw new SessionError(`${path}: empty file (no session header)`)
  // No newline: either a foreign one-line file or a header cut short by a crash.
  const text = Buffer.concat(parts).toString('utf8')
  try {
    return { header: parseHeaderLine(text, path), dataOffset: total }
  } catch (e) {
    if (text.trimStart().startsWith('{') && text.includes(SESSION_FORMAT))
      throw new SessionError(`${path}:1: the header is incomplete (the file ends inside it)`)
    throw e
  }
}

/**
 * Opens `path` and validates its header.
 *
 * @throws SessionError naming the file (and line 1) when it is missing, empty, binary, foreign, of an unknown
 * version, or its header is malformed.
 */
export async function openSession(path: string): Promise<OpenedSession> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (err) {
    throw new SessionError(describeOpenError(err, path))
  }
  try {
    const st = await fh.stat()
    if (st.isDirectory()) throw new SessionError(`${path}: is a folder, not a session file`)
    const { header, dataOffset } = await readHeader(fh, path)
    return { path, header, version: header.version, dataOffset, sizeBytes: st.size }
  } catch (err) {
    if (err instanceof SessionError) throw err
    throw new SessionError(describeOpenError(err, path))
  } finally {
    await fh.close().catch(() => {})
  }
}

/** Parses one record's JSON and validates it; returns the record or a problem text. */
function parseRecord(json: string): SessionRecord | string {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    return 'record is not JSON'
  }
  const r = sessionRecordSchema.safeParse(raw)
  if (!r.success) return `record ${describeSchemaIssue(r.error)}`
  return r.data as unknown as SessionRecord
}

/**
 * Reads the whole session (or from a segment start) into `sink`, in one pass with bounded memory.
 *
 * Resolves when the file ends or the sink stops; rejects on I/O errors (as SessionError) and rethrows what
 * a sink throws (a bug, not the file's fault).
 */
export async function readSessionInto(
  opened: OpenedSession,
  sink: SessionSink,
  options: { from?: ReadFrom; signal?: AbortSignal; batchBytes?: number } = {}
): Promise<ReadResult> {
  let fh: FileHandle
  try {
    fh = await open(opened.path, 'r')
  } catch (err) {
    throw new SessionError(describeOpenError(err, opened.path))
  }
  try {
    return opened.version === 1
      ? await readJsonLines(fh, opened, sink, options.signal)
      : await readFrames(
          fh,
          opened,
          sink,
          options.from,
          options.signal,
          options.batchBytes ?? INFLATE_BATCH_BYTES
        )
  } catch (err) {
    // File errors become one line naming the file; a sink's own bug keeps its stack.
    if (err instanceof SessionError || typeof (err as NodeJS.ErrnoException)?.code !== 'string')
      throw err
    throw new SessionError(describeOpenError(err, opened.path))
  } finally {
    await fh.close().catch(() => {})
  }
}

function dispatcher(
  decoder: SegmentDecoder,
  sink: SessionSink,
  result: ReadResult,
  where: () => string,
  snapshotOf?: () => Snapshot
): (item: number) => boolean {
  // One view object for every tick: sinks read it during the call and must not keep it.
  const view: TickView = {
    tMs: 0,
    seq: 0,
    decoder,
    snapshot: snapshotOf ?? (() => decoder.materialize())
  }
  return (item) => {
    if (item === ITEM_NODE) {
      const id = decoder.lastNodeId
      sink.node?.(id, decoder.parents[id], decoder.keys[id], decoder)
      return true
    }
    if (item === ITEM_SUMMARY) return true
    if (item === ITEM_TICK) {
      result.ticks++
      view.tMs = decoder.tMs
      view.seq = decoder.seq
      if (sink.tick?.(view) === false) {
        result.stopped = true
        return false
      }
      return true
    }
    const rec = parseRecord(decoder.lastJson)
    if (typeof rec === 'string') {
      result.problems++
      sink.problem?.({ where: where(), message: rec, kind: 'invalid' })
      return true
    }
    result.records++
    if (rec.type === 'end') result.cleanEnd = true
    sink.record?.(rec)
    return true
  }
}

async function readFrames(
  fh: FileHandle,
  opened: OpenedSession,
  sink: SessionSink,
  from: ReadFrom | undefined,
  signal: AbortSignal | undefined,
  batchLimit: number
): Promise<ReadResult> {
  const result: ReadResult = {
    ticks: 0,
    records: 0,
    problems: 0,
    tornTail: false,
    cleanEnd: false,
    stopped: false
  }
  const scanner = new FrameScanner(fh, opened.dataOffset, READ_BYTES)
  if (from) scanner.seek(from.offset, from.index)
  const decoder = new SegmentDecoder(opened.header.startedAtMs)
  // One streaming inflater per segment: file reads, inflation (zlib's thread pool) and decoding (here)
  // overlap, and memory stays at zlib's chunk size whatever the segment's length.
  let inflater: InflateRaw | null = null
  let sinkError: unknown = null
  let broken = false
  let segmentWhere = ''
  let inBytes = 0
  let outBytes = 0
  let sinceBetween = 0
  let orphanFrames = 0
  let orphanStart = -1
  const problem = (p: ReadProblem): void => {
    result.problems++
    sink.problem?.(p)
  }
  const dispatch = dispatcher(decoder, sink, result, () => segmentWhere)
  const breakSegment = (why: string): void => {
    if (broken) return
    broken = true
    problem({
      where: segmentWhere,
      message: `${why}; the rest of this segment is skipped`,
      kind: 'corrupt'
    })
  }

  const decodeChunk = (chunk: Buffer, skipRows: boolean): void => {
    try {
      decoder.decode(chunk, dispatch, skipRows)
    } catch (err) {
      // Damaged rows are the file's problem; anything else is a bug in a sink and must surface.
      if (err instanceof CodecError) breakSegment(`malformed rows (${err.message})`)
      else {
        sinkError ??= err
        result.stopped = true
      }
    }
  }

  // Summary mode: a segment's decompressed bytes are held until it ends (its summary is its last record),
  // then either its records alone are delivered with the summary, or the whole segment.
  const summaryMode = typeof sink.summary === 'function'
  let held: Buffer[] = []
  let heldBytes = 0
  let holding = false
  const releaseHeld = (): void => {
    if (!holding) return
    holding = false
    const chunks = held
    held = []
    heldBytes = 0
    if (chunks.length === 0 || result.stopped) return
    const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
    let taken = false
    const json = SegmentDecoder.summaryOf(all)
    if (json !== null && !broken) {
      try {
        taken = sink.summary?.(json) === true
      } catch (err) {
        sinkError ??= err
        result.stopped = true
        return
      }
    }
    decodeChunk(all, taken)
  }

  const openSegment = (): void => {
    const z = createInflateRaw({ windowBits: 15, chunkSize: 128 * 1024 })
    inflater = z
    broken = false
    inBytes = 0
    outBytes = 0
    holding = summaryMode
    z.on('data', (chunk: Buffer) => {
      if (broken || result.stopped || inflater !== z) return
      outBytes += chunk.length
      // A stream that inflates far beyond what any recorder writes is damaged (or hostile).
      if (outBytes > inBytes * 512 + 64 * 1024 * 1024) {
        breakSegment('decompresses to far more than any recording holds')
        return
      }
      if (holding) {
        held.push(chunk)
        heldBytes += chunk.length
        // A segment larger than any recorder writes is delivered as it streams (bounded memory).
        if (heldBytes > MAX_HELD_BYTES) {
          const chunks = held
          held = []
          heldBytes = 0
          holding = false
          decodeChunk(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), false)
        }
        return
      }
      decodeChunk(chunk, false)
    })
    z.on('error', (err: Error) => {
      if (inflater === z) breakSegment(`cannot be decompressed (${err.message})`)
    })
  }

  // Frames are small (one per tick): hand them to zlib in batches, one native call per ~256 KiB.
  let pending: Buffer[] = []
  let pendingBytes = 0
  const writePending = async (): Promise<void> => {
    const z = inflater as InflateRaw | null
    if (!z || pendingBytes === 0) return
    const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    if (broken) return
    if (!z.write(data)) await new Promise<void>((resolve) => z.once('drain', () => resolve()))
  }

  /** Lets the segment's inflater emit everything written so far, then retires it. */
  const closeSegment = async (): Promise<void> => {
    await writePending()
    const z = inflater
    if (!z) return
    if (!broken && !result.stopped && !z.destroyed)
      await new Promise<void>((resolve) => {
        z.flush(zconstants.Z_SYNC_FLUSH, () => resolve())
        z.once('error', () => resolve())
      })
    inflater = null
    z.close()
    releaseHeld()
  }

  const reportOrphans = (): void => {
    if (orphanFrames === 0) return
    problem({
      where: `byte ${orphanStart}`,
      message: `${orphanFrames} frame(s) after damaged data skipped (they need the start of their segment)`,
      kind: 'corrupt'
    })
    orphanFrames = 0
  }

  for (;;) {
    if (signal?.aborted || result.stopped) break
    const ev = scanner.nextBuffered() ?? (await scanner.next())
    if (ev.type === 'end') break
    if (ev.type === 'torn') {
      result.tornTail = true
      sink.problem?.({
        where: `byte ${ev.start}`,
        message: `the file ends inside a record (${ev.bytes} bytes; recording was interrupted); it was skipped`,
        kind: 'torn'
      })
      break
    }
    if (ev.type === 'skipped') {
      await closeSegment()
      problem({
        where: `record ${ev.firstIndex + 1} at byte ${ev.start}`,
        message: `${ev.end - ev.start} unreadable bytes (${ev.why}) skipped; reading resumes at the next segment`,
        kind: 'corrupt'
      })
      continue
    }
    const f = ev.frame
    if (f.kind === FRAME_SEGMENT) {
      await closeSegment()
      reportOrphans()
      decoder.reset()
      sink.segment?.(decoder)
      segmentWhere = `record ${f.index + 1} at byte ${f.offset}`
      openSegment()
    } else if (!inflater) {
      if (orphanFrames === 0) orphanStart = f.offset
      orphanFrames++
      continue
    }
    const z = inflater as InflateRaw | null
    if (!z || broken) continue
    inBytes += f.payload.length
    pending.push(f.payload)
    pendingBytes += f.payload.length
    if (pendingBytes >= Math.min(256 * 1024, batchLimit)) await writePending()
    sinceBetween += f.payload.length
    if (sinceBetween >= batchLimit) {
      sinceBetween = 0
      await writePending()
      // Let the inflater catch up, so the sink's output (and the read-ahead) stays bounded.
      await new Promise<void>((resolve) => z.flush(zconstants.Z_SYNC_FLUSH, () => resolve()))
      await sink.between?.()
    }
  }
  await closeSegment()
  reportOrphans()
  if (sinkError !== null) throw sinkError
  return result
}

async function readJsonLines(
  fh: FileHandle,
  opened: OpenedSession,
  sink: SessionSink,
  signal: AbortSignal | undefined
): Promise<ReadResult> {
  const result: ReadResult = {
    ticks: 0,
    records: 0,
    problems: 0,
    tornTail: false,
    cleanEnd: false,
    stopped: false
  }
  const encoder = new SegmentEncoder(opened.header.startedAtMs, { durationDecimals: 6 })
  const decoder = new SegmentDecoder(opened.header.startedAtMs)
  encoder.reset()
  sink.segment?.(decoder)
  let current: Snapshot | null = null
  let lineNo = 1
  const dispatch = dispatcher(
    decoder,
    sink,
    result,
    () => `line ${lineNo}`,
    () => current as Snapshot
  )
  const handleLine = (text: string, isLast: boolean): void => {
    if (text.trim() === '') return
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch {
      if (isLast) {
        result.tornTail = true
        sink.problem?.({
          where: `line ${lineNo}`,
          message: 'the last line is cut short (recording was interrupted); it was skipped',
          kind: 'torn'
        })
      } else {
        result.problems++
        sink.problem?.({ where: `line ${lineNo}`, message: 'not JSON; skipped', kind: 'corrupt' })
      }
      return
    }
    const why = snapshotProblem(v)
    if (why !== null) {
      result.problems++
      sink.problem?.({ where: `line ${lineNo}`, message: `${why}; skipped`, kind: 'invalid' })
      return
    }
    current = v as Snapshot
    encoder.encodeTick(current)
    decoder.decode(encoder.takeBytes(), dispatch)
  }

  let pos = opened.dataOffset
  let carry: Buffer[] = []
  let carryBytes = 0
  let overlong = false
  for (;;) {
    if (signal?.aborted || result.stopped) break
    const chunk = Buffer.allocUnsafe(READ_BYTES)
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos)
    if (bytesRead === 0) break
    pos += bytesRead
    const buf = chunk.subarray(0, bytesRead)
    let start = 0
    for (;;) {
      const nl = buf.indexOf(0x0a, start)
      if (nl < 0) break
      lineNo++
      if (overlong) {
        overlong = false
        result.problems++
        sink.problem?.({
          where: `line ${lineNo}`,
          message: `longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB; skipped`,
          kind: 'corrupt'
        })
      } else {
        const part = buf.subarray(start, nl)
        const text =
          carryBytes === 0
            ? part.toString('utf8')
            : Buffer.concat([...carry, part], carryBytes + part.length).toString('utf8')
        handleLine(text, false)
      }
      carry = []
      carryBytes = 0
      start = nl + 1
      if (result.stopped) break
    }
    if (result.stopped) break
    await sink.between?.()
    if (start < buf.length && !overlong) {
      carry.push(Buffer.from(buf.subarray(start)))
      carryBytes += buf.length - start
      if (carryBytes > MAX_LINE_BYTES) {
        overlong = true
        carry = []
        carryBytes = 0
      }
    }
  }
  if (!result.stopped && !overlong && carryBytes > 0) {
    lineNo++
    handleLine(Buffer.concat(carry, carryBytes).toString('utf8'), true)
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------
// Index and tail
// ---------------------------------------------------------------------------------------------------------

/** One segment's place in the file. */
export interface SegmentIndexEntry {
  offset: number
  index: number
  /** Time of the segment's first and last frame (epoch ms). */
  firstMs: number
  lastMs: number
}

/**
 * The segments of a version-2 session, from frame headers only (nothing is inflated). A version-1 file is
 * one segment. Used to seek (replay, range queries) without decoding what comes before.
 */
export async function indexSession(opened: OpenedSession): Promise<SegmentIndexEntry[]> {
  if (opened.version === 1)
    return [{ offset: opened.dataOffset, index: 0, firstMs: -Infinity, lastMs: Infinity }]
  const fh = await open(opened.path, 'r').catch((err: unknown) => {
    throw new SessionError(describeOpenError(err, opened.path))
  })
  try {
    const scanner = new FrameScanner(fh, opened.dataOffset, READ_BYTES)
    const out: SegmentIndexEntry[] = []
    const t0 = opened.header.startedAtMs
    for (;;) {
      const ev = await scanner.next()
      if (ev.type === 'end' || ev.type === 'torn') break
      if (ev.type !== 'frame') continue
      const f = ev.frame
      const t = t0 + f.offsetMs
      if (f.kind === FRAME_SEGMENT)
        out.push({ offset: f.offset, index: f.index, firstMs: t, lastMs: t })
      else if (out.length) out[out.length - 1].lastMs = Math.max(out[out.length - 1].lastMs, t)
    }
    return out
  } finally {
    await fh.close().catch(() => {})
  }
}

/** The segment to start from to see every tick at or after `tMs` (the last one starting at or before it). */
export function segmentFor(index: SegmentIndexEntry[], tMs: number): ReadFrom | undefined {
  let pick: SegmentIndexEntry | undefined
  for (const s of index) {
    if (s.firstMs <= tMs) pick = s
    else break
  }
  pick ??= index[0]
  return pick ? { offset: pick.offset, index: pick.index } : undefined
}

/**
 * Time of the last sample in the file, read from its last 256 KiB only (for listings): the last valid
 * frame's time (version 2) or the last complete line's `timestampMs` (version 1). Null when none is found.
 */
export async function lastSampleTime(opened: OpenedSession): Promise<number | null> {
  const tailBytes = 256 * 1024
  const fh = await open(opened.path, 'r')
  try {
    const start = Math.max(opened.dataOffset, opened.sizeBytes - tailBytes)
    const buf = Buffer.allocUnsafe(opened.sizeBytes - start)
    const { bytesRead } = await fh.read(buf, 0, buf.length, start)
    const b = buf.subarray(0, bytesRead)
    if (opened.version === 1) {
      const lines = b.toString('utf8').split('\n')
      for (let i = lines.length - 1; i >= Math.max(0, lines.length - 4); i--) {
        try {
          const v = JSON.parse(lines[i]) as { timestampMs?: unknown }
          if (typeof v.timestampMs === 'number' && Number.isFinite(v.timestampMs))
            return v.timestampMs
        } catch {
          // A torn or partial line: try the one before.
        }
      }
      return null
    }
    const { crc32 } = await import('node:zlib')
    for (let p = b.lastIndexOf(0xa7); p >= 0; p = p > 0 ? b.lastIndexOf(0xa7, p - 1) : -1) {
      if (p + 16 > b.length || (b[p + 1] !== 1 && b[p + 1] !== 2)) continue
      const len = b.readUInt32LE(p + 2)
      if (p + 16 + len > b.length) continue
      const crc = crc32(b.subarray(p + 16, p + 16 + len), crc32(b.subarray(p + 1, p + 12)))
      if (crc === b.readUInt32LE(p + 12)) return opened.header.startedAtMs + b.readUIntLE(p + 6, 6)
    }
    return null
  } finally {
    await fh.close().catch(() => {})
  }
}
