/**
 * Response compression (`Content-Encoding: br` or `gzip`, node:zlib), negotiated from `Accept-Encoding`.
 *
 * Dynamic bodies (API JSON, `/metrics`) use fast settings (brotli quality 4, gzip level 6), since they are
 * compressed on every request; static UI files use the best brotli quality once and are kept in a cache
 * bounded in bytes. Bodies under 1 KiB and types that are already compressed (PNG, WOFF2) are sent as they
 * are. Every negotiated response carries `Vary: Accept-Encoding` so caches keep the variants apart.
 */
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

const brotliAsync = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/** A content coding this server produces. */
export type Coding = 'br' | 'gzip' | 'identity'

/** Bodies smaller than this are not worth compressing (bytes). */
export const MIN_COMPRESS_BYTES = 1024

/**
 * Picks the coding for an `Accept-Encoding` header (RFC 9110 §12.5.3): brotli over gzip when both are
 * acceptable, honouring `q=0` and `*`.
 */
export function negotiateCoding(header: string | string[] | undefined): Coding {
  if (header === undefined) return 'identity'
  const text = Array.isArray(header) ? header.join(',') : header
  const q = new Map<string, number>()
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    let weight = 1
    for (const p of params) {
      const m = /^\s*q=([0-9.]+)\s*$/.exec(p)
      if (m) weight = Number(m[1])
    }
    q.set(name, Number.isFinite(weight) ? weight : 0)
  }
  const weightOf = (c: string): number => q.get(c) ?? q.get('*') ?? 0
  const br = weightOf('br')
  const gz = weightOf('gzip')
  if (br > 0 && br >= gz) return 'br'
  if (gz > 0) return 'gzip'
  return 'identity'
}

/** True for content types worth compressing. */
export function isCompressible(contentType: string): boolean {
  return /^(text\/|application\/(json|javascript|xml|openmetrics)|image\/svg\+xml)/i.test(
    contentType
  )
}

/** Compresses `body` with `coding` (`quality`: `fast` for per-request bodies, `best` for cached static files). */
export async function compress(
  body: Buffer,
  coding: Exclude<Coding, 'identity'>,
  quality: 'fast' | 'best' = 'fast'
): Promise<Buffer> {
  if (coding === 'br')
    return brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality === 'best' ? 11 : 4,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length
      }
    })
  return gzipAsync(body, { level: quality === 'best' ? 9 : 6 })
}

/** A body encoded for one response. */
export interface EncodedBody {
  body: Buffer
  /** Headers to add: `Content-Encoding` when compressed, `Vary` whenever negotiation happened. */
  headers: Record<string, string>
}

/** Encodes a per-request body for the client's `Accept-Encoding`. */
export async function encodeDynamic(
  body: Buffer,
  contentType: string,
  acceptEncoding: string | string[] | undefined
): Promise<EncodedBody> {
  if (!isCompressible(contentType)) return { body, headers: {} }
  const coding = negotiateCoding(acceptEncoding)
  if (coding === 'identity' || body.length < MIN_COMPRESS_BYTES)
    return { body, headers: { Vary: 'Accept-Encoding' } }
  return {
    body: await compress(body, coding, 'fast'),
    headers: { 'Content-Encoding': coding, Vary: 'Accept-Encoding' }
  }
}

/** A cache of compressed static files, bounded in total bytes (oldest entries dropped first). */
export interface StaticCompressionCache {
  encode(
    key: string,
    body: Buffer,
    contentType: string,
    acceptEncoding: string | string[] | undefined
  ): Promise<EncodedBody>
  /** Bytes held. */
  size(): number
}

/** Creates the static cache (default 16 MiB). */
export function createStaticCompressionCache(maxBytes = 16 * 1024 * 1024): StaticCompressionCache {
  const entries = new Map<string, Buffer>()
  let bytes = 0
  return {
    async encode(key, body, contentType, acceptEncoding): Promise<EncodedBody> {
      if (!isCompressible(contentType)) return { body, headers: {} }
      const coding = negotiateCoding(acceptEncoding)
      if (coding === 'identity' || body.length < MIN_COMPRESS_BYTES)
        return { body, headers: { Vary: 'Accept-Encoding' } }
      const k = `${coding}:${key}`
      let out = entries.get(k)
      if (out === undefined) {
        out = await compress(body, coding, 'best')
        if (out.length <= maxBytes) {
          while (bytes + out.length > maxBytes && entries.size > 0) {
            const [oldKey, old] = entries.entries().next().value as [string, Buffer]
            entries.delete(oldKey)
            bytes -= old.length
          }
          entries.set(k, out)
          bytes += out.length
        }
      }
      return { body: out, headers: { 'Content-Encoding': coding, Vary: 'Accept-Encoding' } }
    },
    size: () => bytes
  }
}
