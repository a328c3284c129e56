import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  createStaticCompressionCache,
  encodeDynamic,
  negotiateCoding
} from '../../../../src-main/node/server/compression'

describe('compression', () => {
  it('negotiates br over gzip, honours q=0 and *', () => {
    expect(negotiateCoding('gzip, deflate, br')).toBe('br')
    expect(negotiateCoding('gzip;q=1, br;q=0.5')).toBe('gzip')
    expect(negotiateCoding('br;q=0, gzip')).toBe('gzip')
    expect(negotiateCoding('*')).toBe('br')
    expect(negotiateCoding('*;q=0')).toBe('identity')
    expect(negotiateCoding('identity')).toBe('identity')
    expect(negotiateCoding(undefined)).toBe('identity')
  })

  it('compresses JSON above 1 KiB and leaves small or binary bodies alone', async () => {
    const json = Buffer.from(JSON.stringify({ values: Array.from({ length: 500 }, (_, i) => i) }))
    const br = await encodeDynamic(json, 'application/json; charset=utf-8', 'br')
    expect(br.headers).toEqual({ 'Content-Encoding': 'br', Vary: 'Accept-Encoding' })
    expect(brotliDecompressSync(br.body).equals(json)).toBe(true)
    expect(br.body.length).toBeLessThan(json.length / 2)
    const small = await encodeDynamic(Buffer.from('{}'), 'application/json', 'br')
    expect(small.headers['Content-Encoding']).toBeUndefined()
    const png = await encodeDynamic(Buffer.alloc(5000), 'image/png', 'br')
    expect(png.headers).toEqual({})
  })

  it('caches compressed static files within its byte budget', async () => {
    const cache = createStaticCompressionCache(2000)
    const body = Buffer.from('console.log("x");\n'.repeat(400))
    const a = await cache.encode('/app.js:1', body, 'text/javascript', 'gzip')
    expect(gunzipSync(a.body).equals(body)).toBe(true)
    const b = await cache.encode('/app.js:1', body, 'text/javascript', 'gzip')
    expect(b.body).toBe(a.body)
    expect(cache.size()).toBeLessThanOrEqual(2000)
  })
})
