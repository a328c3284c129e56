/**
 * Version-2 frames: after the JSON header line, a session is a run of CRC-checked frames.
 *
 * Layout of a frame (16-byte header, little endian):
 *
 *   0      magic 0xA7
 *   1      kind: 1 = first chunk of a segment (a fresh deflate stream), 2 = next chunk of the same segment
 *   2–5    payload length (u32)
 *   6–11   time of the frame's last tick, ms after the header's `startedAtMs` (u48)
 *   12–15  CRC-32 of bytes 1–11 and the payload
 *   16…    payload: raw-deflate output of one sync flush (whole records of `codec.ts`)
 *
 * A writer appends one frame per tick (and per record), so a crash loses at most the frame being written;
 * the reader drops a torn last frame, and after a corrupt frame resynchronises on the next segment start.
 * Frame times are in clear so a reader can index segments and seek without inflating anything.
 */
import { crc32 } from 'node:zlib'
import type { FileHandle } from 'node:fs/promises'

/** First byte of every frame. */
export const FRAME_MAGIC = 0xa7
/** Frame header size (bytes). */
export const FRAME_HEADER_BYTES = 16
/** Kind of the first frame of a segment. */
export const FRAME_SEGMENT = 1
/** Kind of every later frame of a segment. */
export const FRAME_CHUNK = 2
/** Largest payload a reader accepts (bytes); a writer never comes near it. */
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024
/** Largest time offset a frame can hold (ms): u48. */
const MAX_OFFSET_MS = 2 ** 48 - 1

/** Builds one frame. */
export function encodeFrame(kind: number, offsetMs: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length)
  out[0] = FRAME_MAGIC
  out[1] = kind
  out.writeUInt32LE(payload.length, 2)
  out.writeUIntLE(Math.max(0, Math.min(MAX_OFFSET_MS, Math.round(offsetMs))), 6, 6)
  out.set(payload, FRAME_HEADER_BYTES)
  const crc = crc32(out.subarray(FRAME_HEADER_BYTES), crc32(out.subarray(1, 12)))
  out.writeUInt32LE(crc, 12)
  return out
}

/** A frame as read. */
export interface Frame {
  kind: number
  /** Byte offset of the frame in the file. */
  offset: number
  /** 0-based frame number in the file (counting frames read, skipped regions excluded). */
  index: number
  offsetMs: number
  payload: Buffer
}

/** What the scanner found instead of a frame. */
export type ScanEvent =
  | { type: 'frame'; frame: Frame }
  /** Unreadable bytes `[start, end)` were skipped (bad magic, bad CRC, impossible length). */
  | { type: 'skipped'; start: number; end: number; firstIndex: number; why: string }
  /** The file ends inside a frame starting at `start` (a torn tail). */
  | { type: 'torn'; start: number; bytes: number }
  | { type: 'end' }

/**
 * Reads frames from `start` with a bounded buffer (1 MiB reads), validating each one.
 *
 * On a bad frame it scans forward for the next position where a complete, CRC-valid frame starts and
 * reports the skipped range; a frame cut by the end of the file is reported as `torn`.
 */
export class FrameScanner {
  private buf: Buffer = Buffer.alloc(0)
  /** File offset of `buf[0]`. */
  private bufStart: number
  private eof = false
  private index = 0

  constructor(
    private readonly fh: FileHandle,
    start: number,
    private readonly readBytes = 1024 * 1024
  ) {
    this.bufStart = start
  }

  /** File offset of the next unread byte. */
  get position(): number {
    return this.bufStart
  }

  /** Jumps to `offset` (a known frame start), dropping buffered bytes. */
  seek(offset: number, index: number): void {
    this.buf = Buffer.alloc(0)
    this.bufStart = offset
    this.eof = false
    this.index = index
  }

  private async fill(need: number): Promise<boolean> {
    while (this.buf.length < need && !this.eof) {
      const chunk = Buffer.allocUnsafe(Math.max(this.readBytes, need - this.buf.length))
      const { bytesRead } = await this.fh.read(
        chunk,
        0,
        chunk.length,
        this.bufStart + this.buf.length
      )
      if (bytesRead === 0) this.eof = true
      else
        this.buf =
          this.buf.length === 0
            ? chunk.subarray(0, bytesRead)
            : Buffer.concat([this.buf, chunk.subarray(0, bytesRead)])
    }
    return this.buf.length >= need
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n)
    this.bufStart += n
  }

  /** Checks for a valid frame at buffer position 0 with the bytes at hand: 'short' when more are needed. */
  private checkBuffered(): 'ok' | 'bad' | 'short' {
    const b = this.buf
    if (b.length < FRAME_HEADER_BYTES) return 'short'
    if (b[0] !== FRAME_MAGIC || (b[1] !== FRAME_SEGMENT && b[1] !== FRAME_CHUNK)) return 'bad'
    const len = b.readUInt32LE(2)
    if (len > MAX_FRAME_PAYLOAD) return 'bad'
    if (b.length < FRAME_HEADER_BYTES + len) return 'short'
    const crc = crc32(
      b.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + len),
      crc32(b.subarray(1, 12))
    )
    return crc === b.readUInt32LE(12) ? 'ok' : 'bad'
  }

  /** Like `checkBuffered`, reading more of the file when needed; 'short' only at the end of the file. */
  private async check(): Promise<'ok' | 'bad' | 'short'> {
    for (;;) {
      const state = this.checkBuffered()
      if (state !== 'short' || this.eof) return state
      const need =
        this.buf.length < FRAME_HEADER_BYTES
          ? FRAME_HEADER_BYTES
          : FRAME_HEADER_BYTES + this.buf.readUInt32LE(2)
      if (!(await this.fill(need))) return this.checkBuffered()
    }
  }

  /** The next frame when a whole valid one is already buffered (no await), else null: call `next()`. */
  nextBuffered(): ScanEvent | null {
    return this.checkBuffered() === 'ok' ? this.take() : null
  }

  private take(): ScanEvent {
    const b = this.buf
    const len = b.readUInt32LE(2)
    const frame: Frame = {
      kind: b[1],
      offset: this.bufStart,
      index: this.index++,
      offsetMs: b.readUIntLE(6, 6),
      // A view, not a copy: read buffers are never reused, and batches are consumed right away.
      payload: b.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + len)
    }
    this.consume(FRAME_HEADER_BYTES + len)
    return { type: 'frame', frame }
  }

  /** The next frame, skipped region, torn tail or end. */
  async next(): Promise<ScanEvent> {
    // Fast path: a whole valid frame already buffered needs no await.
    const state = this.checkBuffered() === 'ok' ? 'ok' : await this.check()
    if (state === 'ok') return this.take()
    if (state === 'short' && this.buf.length === 0) return { type: 'end' }
    // A plausible frame start that runs past the end of the file is a torn tail, unless a valid frame
    // follows it (then its length field was corrupt).
    const maybeTorn = state === 'short' && this.buf[0] === FRAME_MAGIC
    const ev = await this.resync(
      maybeTorn ? 'frame runs past the end of the file' : 'corrupt frame'
    )
    if (maybeTorn && ev.type === 'skipped' && this.eof && this.buf.length === 0)
      return { type: 'torn', start: ev.start, bytes: ev.end - ev.start }
    return ev
  }

  /** Skips forward to the next valid frame start. */
  private async resync(why: string): Promise<ScanEvent> {
    const start = this.bufStart
    const firstIndex = this.index
    this.consume(1)
    for (;;) {
      if (!(await this.fill(1))) break
      const at = this.buf.indexOf(FRAME_MAGIC)
      if (at < 0) {
        this.consume(this.buf.length)
        continue
      }
      this.consume(at)
      const state = await this.check()
      if (state === 'ok') break
      if (state === 'short' && this.eof) {
        // Nothing valid follows: everything from `start` is unreadable.
        this.consume(this.buf.length)
        break
      }
      this.consume(1)
    }
    return { type: 'skipped', start, end: this.bufStart, firstIndex, why }
  }
}
