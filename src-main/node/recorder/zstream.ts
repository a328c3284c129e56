/**
 * Raw-deflate streams driven one sync flush at a time (zlib `Z_SYNC_FLUSH`).
 *
 * The writer compresses each tick's records and flushes, so the bytes on disk decode up to the last complete
 * frame while the compressor keeps its 32 KiB history across ticks (the unchanged parts of a row cost
 * almost nothing). The reader inflates a segment's frames in batches the same way.
 */
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw
} from 'node:zlib'

type Z = DeflateRaw | InflateRaw

/** Writes `data`, sync-flushes and resolves with the output (at most `maxOutBytes`). */
function pushFlush(z: Z, data: Uint8Array, maxOutBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    let failed = false
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > maxOutBytes) {
        if (!failed) {
          failed = true
          cleanup()
          reject(new Error(`output exceeds ${maxOutBytes} bytes`))
        }
        return
      }
      parts.push(chunk)
    }
    const onError = (err: Error): void => {
      if (failed) return
      failed = true
      cleanup()
      reject(err)
    }
    const cleanup = (): void => {
      z.off('data', onData)
      z.off('error', onError)
    }
    z.on('data', onData)
    z.on('error', onError)
    z.write(data)
    z.flush(constants.Z_SYNC_FLUSH, () => {
      if (failed) return
      cleanup()
      resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, size))
    })
  })
}

/** A compressor that emits a decodable chunk per `push`. */
export class FlushingDeflater {
  private readonly z: DeflateRaw
  constructor(level = 6) {
    this.z = createDeflateRaw({ level, memLevel: 9, windowBits: 15 })
    // Errors surface through push(); keep an idle error from being unhandled.
    this.z.on('error', () => {})
  }
  /** Compresses `data` and returns everything needed to decode it. */
  push(data: Uint8Array): Promise<Buffer> {
    return pushFlush(this.z, data, Number.MAX_SAFE_INTEGER)
  }
  close(): void {
    this.z.close()
  }
}

/** A decompressor fed chunk by chunk; output per push is capped (a corrupt stream cannot balloon). */
export class FlushingInflater {
  private readonly z: InflateRaw
  constructor(private readonly maxOutBytes = 64 * 1024 * 1024) {
    this.z = createInflateRaw({ windowBits: 15 })
    this.z.on('error', () => {})
  }
  push(data: Uint8Array): Promise<Buffer> {
    return pushFlush(this.z, data, this.maxOutBytes)
  }
  close(): void {
    this.z.close()
  }
}
