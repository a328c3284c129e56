/**
 * The agent under hostile clients, over real loopback sockets with short configured timeouts: idle,
 * slow-header and slow-body clients are closed within their timeouts; beyond the connection cap new
 * clients get 503 while an authorised scrape still succeeds; a wrong-token burst is answered 429; history
 * and profile endpoints stay within their caps; malformed sessions answer with a status and a body; TLS
 * with a certificate made at test time works and plain HTTP to it is refused; bcrypt basic-auth users
 * from a web-config file are accepted and others refused.
 *
 * Timing assertions have wide upper bounds (a loaded 2-core machine), and lower bounds that prove the
 * timeout, not an immediate refusal, closed the socket.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import bcrypt from 'bcryptjs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngineService } from '../../src-main/node/engine-service'
import { MAX_USER_PROFILES } from '../../src-main/node/engine-service'
import {
  createHttpServer,
  type HttpServerHandle,
  type HttpServerOptions
} from '../../src-main/node/server/http-server'
import { loadWebConfig } from '../../src-main/node/server/web-config'
import type { EngineService } from '../../src-main/node/service-types'
import { createFakeService, fakeProfiles } from '../helpers/fake-service'

const run = promisify(execFile)
const TOKEN = 'correct-horse-battery-staple'
const SESSION = resolve(import.meta.dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')

let dir: string
let staticDir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rr-harden-'))
  staticDir = join(dir, 'renderer')
  await run('mkdir', ['-p', staticDir])
  await writeFile(
    join(staticDir, 'index.html'),
    `<!doctype html><title>RigReady</title>${'x'.repeat(4000)}`
  )
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

let server: HttpServerHandle | null = null
let service: EngineService | null = null
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await server?.close()
  server = null
  await service?.close()
  service = null
})

async function start(opts: Partial<HttpServerOptions> = {}): Promise<HttpServerHandle> {
  service ??= createFakeService({ historySeconds: 120 })
  server = await createHttpServer({
    service,
    staticDir,
    port: 0,
    processMetrics: false,
    ...opts
  })
  return server
}

interface Watched {
  socket: Socket
  data: string
  closedAfterMs: Promise<number>
}

/** Opens a raw socket and records what it receives and when it closes. */
function open(port: number): Promise<Watched> {
  return new Promise((res, rej) => {
    const t0 = Date.now()
    const socket = connect(port, '127.0.0.1')
    sockets.push(socket)
    const w: Watched = {
      socket,
      data: '',
      closedAfterMs: new Promise((done) => socket.once('close', () => done(Date.now() - t0)))
    }
    socket.on('data', (d: Buffer) => (w.data += d.toString('utf8')))
    socket.on('error', () => {})
    socket.once('connect', () => res(w))
    socket.once('error', rej)
  })
}

const auth = { Authorization: `Bearer ${TOKEN}` }

describe('agent hardening', () => {
  it('closes idle, slow-header and slow-body clients within their timeouts', async () => {
    const s = await start({
      limits: { headersTimeoutMs: 400, requestTimeoutMs: 700, keepAliveTimeoutMs: 300 }
    })
    const idle = await open(s.port)
    const slowHeader = await open(s.port)
    slowHeader.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n')
    const drip = setInterval(() => slowHeader.socket.write('X-Drip: 1\r\n'), 100)
    const slowBody = await open(s.port)
    slowBody.socket.write(
      'POST /api/invoke/settings:get HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{'
    )
    const bodyDrip = setInterval(() => slowBody.socket.write(' '), 100)
    const keepAlive = await open(s.port)
    keepAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n')
    const [tIdle, tHeader, tBody, tKeep] = await Promise.all([
      idle.closedAfterMs,
      slowHeader.closedAfterMs,
      slowBody.closedAfterMs,
      keepAlive.closedAfterMs
    ])
    clearInterval(drip)
    clearInterval(bodyDrip)
    expect(tIdle).toBeGreaterThanOrEqual(350)
    expect(tIdle).toBeLessThan(5000)
    expect(idle.data).toMatch(/^HTTP\/1\.1 408/)
    expect(tHeader).toBeGreaterThanOrEqual(350)
    expect(tHeader).toBeLessThan(5000)
    expect(slowHeader.data).toMatch(/^HTTP\/1\.1 408/)
    expect(tBody).toBeGreaterThanOrEqual(650)
    expect(tBody).toBeLessThan(6000)
    expect(slowBody.data).toMatch(/^HTTP\/1\.1 408/)
    expect(slowBody.data).toContain('request body not received in time')
    // A served keep-alive connection is closed after its idle keep-alive time.
    expect(keepAlive.data).toMatch(/^HTTP\/1\.1 200/)
    expect(tKeep).toBeLessThan(5000)
    expect(s.stats().connections.timedOut).toBeGreaterThanOrEqual(3)
  })

  it('answers 503 beyond the connection cap while an authorised scrape still succeeds', async () => {
    const s = await start({
      token: TOKEN,
      limits: { maxConnections: 4, reserveConnections: 2, headersTimeoutMs: 30_000 }
    })
    // Hold the normal slots with connections that send nothing.
    for (let i = 0; i < 4; i++) await open(s.port)
    await new Promise((r) => setTimeout(r, 50))
    const ui = await fetch(new URL('api/snapshot', s.url), { headers: auth })
    expect(ui.status).toBe(503)
    expect(ui.headers.get('retry-after')).toBe('1')
    expect(((await ui.json()) as { error: string }).error).toMatch(/connection limit/)
    const scrape = await fetch(new URL('metrics', s.url), { headers: auth })
    expect(scrape.status).toBe(200)
    expect(await scrape.text()).toMatch(/^rigready_gpu_temperature_celsius\{/m)
    // An unauthorised scrape on an overflow connection is refused, not served.
    expect((await fetch(new URL('metrics', s.url))).status).toBe(401)
    // Fill every slot, reserve included, with idle sockets: the oldest idle one is closed to make room,
    // so scraping keeps working and the attacker's sockets never lock the agent out.
    const extra = []
    for (let i = 0; i < 10; i++) extra.push(await open(s.port))
    const again = await fetch(new URL('metrics', s.url), { headers: auth })
    expect(again.status).toBe(200)
    expect(s.stats().connections.evicted).toBeGreaterThan(0)
    expect(s.stats().connections.open).toBeLessThanOrEqual(6)
  })

  it('answers a raw 503 when every slot is busy and nothing idle can be closed', async () => {
    const s = await start({
      token: TOKEN,
      limits: { maxConnections: 2, reserveConnections: 0, maxStreams: 10 }
    })
    const streams = []
    for (let i = 0; i < 2; i++) {
      const w = await open(s.port)
      w.socket.write(
        `GET /api/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`
      )
      streams.push(w)
    }
    await new Promise((r) => setTimeout(r, 150))
    expect(s.stats().streams).toBe(2)
    const refused = await open(s.port)
    await refused.closedAfterMs
    expect(refused.data).toMatch(/^HTTP\/1\.1 503 Service Unavailable/)
    expect(s.stats().connections.refused).toBe(1)
  })

  it('caps concurrent event streams with 503 and answers HEAD on the stream without hanging', async () => {
    const s = await start({ limits: { maxStreams: 1 } })
    const first = await fetch(new URL('api/events', s.url))
    expect(first.status).toBe(200)
    const second = await fetch(new URL('api/events', s.url))
    expect(second.status).toBe(503)
    const head = await fetch(new URL('api/events', s.url), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toMatch(/text\/event-stream/)
    await first.body?.cancel()
  })

  it('slows a wrong-token burst: 429 with Retry-After, and the right token is not checked meanwhile', async () => {
    const s = await start({
      token: TOKEN,
      limits: { authFailureBurst: 5, authFailureRefillSeconds: 30 }
    })
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) {
      const r = await fetch(new URL('metrics', s.url), {
        headers: { Authorization: `Bearer guess-${i}-xxxxxxxxxxxxxxxx` }
      })
      statuses.push(r.status)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5).every((x) => x === 429)).toBe(true)
    const limited = await fetch(new URL('metrics', s.url), { headers: auth })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(s.stats().limited).toBeGreaterThanOrEqual(15)
    // Requests without credentials are not counted as guesses (a browser's first load).
    expect((await fetch(new URL('api/snapshot', s.url))).status).toBe(401)
  })

  it('keeps history and profile endpoints within their caps', async () => {
    const s = await start()
    const hist = await fetch(new URL('api/history?windowMs=604800000&maxPoints=1000000', s.url))
    expect(hist.status).toBe(400)
    const ok = await fetch(new URL('api/history?windowMs=604800000&maxPoints=100000', s.url))
    const capped = (await ok.json()) as unknown[]
    expect(capped.length).toBeLessThanOrEqual(600)
    const series = await fetch(
      new URL(
        'api/series?rangeMs=86400000&points=2000&series=gpu.0.temperatureCelsius,gpu.0.clockSmMhz',
        s.url
      ),
      { headers: { 'Accept-Encoding': 'identity' } }
    )
    expect(series.status).toBe(200)
    const bytes = Number(series.headers.get('content-length'))
    expect(bytes).toBeLessThan(1024 * 1024)
    const tooMany = await fetch(new URL('api/series?rangeMs=3600000&points=100000', s.url))
    expect(tooMany.status).toBe(400)
    // Oversized bodies are refused before they are read.
    const big = await fetch(new URL('api/invoke/readiness:add-profile', s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ args: [{ id: 'x', label: 'y'.repeat(2 * 1024 * 1024) }] })
    })
    expect(big.status).toBe(413)
  })

  it('refuses custom profiles beyond the cap with a clear error (real engine service)', async () => {
    service = await createEngineService({ replayFile: SESSION, speed: 50 })
    const s = await start()
    const template = fakeProfiles().find((p) => p.kind === 'inference')!
    let last: Response | null = null
    for (let i = 0; i <= MAX_USER_PROFILES; i++) {
      last = await fetch(new URL('api/invoke/readiness:add-profile', s.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ args: [{ ...template, id: `custom-${i}`, label: `Custom ${i}` }] })
      })
      if (i < MAX_USER_PROFILES) expect(last.status, await last.clone().text()).toBe(200)
    }
    expect(last!.status).toBe(400)
    expect(((await last!.json()) as { error: string }).error).toMatch(/at most 64 custom profiles/)
    // Replacing an existing custom profile is still allowed.
    const replace = await fetch(new URL('api/invoke/readiness:add-profile', s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ args: [{ ...template, id: 'custom-3', label: 'Renamed' }] })
    })
    expect(replace.status).toBe(200)
  })

  it('answers a malformed replayed session with statuses and bodies, never a reset', async () => {
    const text = await readFile(SESSION, 'utf8')
    const lines = text.trimEnd().split('\n')
    // Wrongly typed fields in every snapshot: a string temperature, a number where an array belongs.
    const broken = lines.map((line, i) => {
      if (i === 0) return line
      const s = JSON.parse(line) as { gpus: Record<string, unknown>[]; storage: unknown }
      s.gpus[0]!.temperatureCelsius = { status: 'ok', value: 'very hot' }
      s.gpus[0]!.throttleFlags = { status: 'ok', value: 7 }
      s.storage = { status: 'ok', value: { devices: 'none', filesystems: null } }
      return JSON.stringify(s)
    })
    const file = join(dir, 'broken.jsonl')
    await writeFile(file, broken.join('\n') + '\n')
    service = await createEngineService({ replayFile: file, speed: 20 })
    const s = await start()
    await new Promise((r) => setTimeout(r, 300))
    const metrics = await fetch(new URL('metrics', s.url))
    expect(metrics.status).toBe(200)
    const body = await metrics.text()
    expect(body).toMatch(/^rigready_snapshot_valid 0$/m)
    expect(body).toMatch(/reason="parse-error"/)
    for (const path of [
      'api/report',
      'api/snapshot',
      'api/history?windowMs=60000&maxPoints=10',
      'api/series?rangeMs=60000&points=10&series=gpu.0.temperatureCelsius'
    ]) {
      const r = await fetch(new URL(path, s.url))
      expect(r.status, path).toBeGreaterThanOrEqual(200)
      const t = await r.text()
      expect(t.length, path).toBeGreaterThan(0)
      if (r.status >= 400) expect(JSON.parse(t), path).toMatchObject({ ok: false })
    }
  })

  it('answers 400 (not 500) for a malformed channel in the invoke URL', async () => {
    const s = await start()
    const r = await fetch(new URL('api/invoke/%', s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"args":[]}'
    })
    expect(r.status).toBe(400)
    expect(((await r.json()) as { error: string }).error).toMatch(/percent-encoding/)
  })

  it('binds an IPv6 literal given in brackets', async () => {
    const s = await start({ host: '[::1]' })
    expect(s.url).toMatch(/^http:\/\/\[::1\]:\d+\/$/)
    const r = await fetch(new URL('healthz', s.url))
    expect(r.status).toBe(200)
  })

  it('compresses static files and API responses for clients that accept it', async () => {
    const s = await start()
    const br = await fetch(new URL('api/report', s.url), { headers: { 'Accept-Encoding': 'br' } })
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('vary')).toBe('Accept-Encoding')
    expect(((await br.json()) as { schemaVersion: number }).schemaVersion).toBe(1)
    const gz = await fetch(s.url, { headers: { 'Accept-Encoding': 'gzip' } })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(await gz.text()).toContain('<title>RigReady</title>')
    const plain = await fetch(s.url, { headers: { 'Accept-Encoding': 'identity' } })
    expect(plain.headers.get('content-encoding')).toBeNull()
  })

  describe('TLS and basic auth from a web-config file', () => {
    let certDir: string
    beforeAll(async () => {
      certDir = await mkdtemp(join(tmpdir(), 'rr-tls-'))
      // A throwaway self-signed certificate, made now (no private key is committed).
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(certDir, 'server.key'),
        '-out',
        join(certDir, 'server.crt'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1'
      ])
      const hash = await bcrypt.hash('scrape-me-please', 4)
      await writeFile(
        join(certDir, 'web.yml'),
        [
          'tls_server_config:',
          '  cert_file: server.crt',
          '  key_file: server.key',
          '  min_version: TLS12',
          'http_server_config:',
          '  headers:',
          '    Strict-Transport-Security: max-age=31536000',
          'basic_auth_users:',
          `  prometheus: ${hash}`,
          ''
        ].join('\n')
      )
    })
    afterAll(async () => {
      await rm(certDir, { recursive: true, force: true })
    })

    function tlsGet(
      url: string,
      headers: Record<string, string> = {}
    ): Promise<{
      status: number
      headers: Record<string, unknown>
      body: string
      protocol: string
    }> {
      return new Promise((res, rej) => {
        readFile(join(certDir, 'server.crt'))
          .then((ca) => {
            const req = httpsRequest(url, { ca, headers }, (r) => {
              const protocol = (r.socket as import('node:tls').TLSSocket).getProtocol() ?? ''
              let body = ''
              r.setEncoding('utf8')
              r.on('data', (c: string) => (body += c))
              r.on('end', () =>
                res({
                  status: r.statusCode ?? 0,
                  headers: r.headers,
                  body,
                  protocol
                })
              )
            })
            req.on('error', rej)
            req.end()
          })
          .catch(rej)
      })
    }

    it('serves over TLS, refuses plain HTTP on the TLS port, and checks bcrypt users', async () => {
      const webConfig = await loadWebConfig(join(certDir, 'web.yml'))
      const s = await start({ webConfig })
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/)
      const basic = (u: string, p: string): string =>
        `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
      const good = await tlsGet(`https://localhost:${s.port}/metrics`, {
        Authorization: basic('prometheus', 'scrape-me-please')
      })
      expect(good.status).toBe(200)
      expect(good.protocol).toMatch(/^TLSv1\.[23]$/)
      expect(good.headers['strict-transport-security']).toBe('max-age=31536000')
      expect(good.body).toMatch(/^rigready_gpu_temperature_celsius\{/m)
      const wrong = await tlsGet(`https://localhost:${s.port}/metrics`, {
        Authorization: basic('prometheus', 'wrong')
      })
      expect(wrong.status).toBe(401)
      const nobody = await tlsGet(`https://localhost:${s.port}/metrics`, {
        Authorization: basic('mallory', 'scrape-me-please')
      })
      expect(nobody.status).toBe(401)
      const none = await tlsGet(`https://localhost:${s.port}/`)
      expect(none.status).toBe(401)
      expect(String(none.headers['www-authenticate'])).toMatch(/^Basic realm="rigready"/)
      // Plain HTTP to the TLS port: a readable refusal, then the connection closes.
      const plain = await open(s.port)
      plain.socket.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n')
      await plain.closedAfterMs
      expect(plain.data).toMatch(/^HTTP\/1\.0 400 Bad Request/)
      expect(plain.data).toContain('Client sent an HTTP request to an HTTPS server.')
      await expect(fetch(`http://127.0.0.1:${s.port}/metrics`).then((r) => r.status)).resolves.toBe(
        400
      )
    })

    it('requires and verifies client certificates from client_ca_file, with client_allowed_sans', async () => {
      const openssl = (...args: string[]) => run('openssl', args, { cwd: certDir })
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
      await openssl(
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '1',
        '-subj',
        '/CN=test clients CA'
      )
      const client = async (name: string, san: string): Promise<void> => {
        await openssl(
          'req',
          ...ec,
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.csr`,
          '-subj',
          `/CN=${name}`
        )
        await writeFile(join(certDir, `${name}.ext`), `subjectAltName=DNS:${san}\n`)
        await openssl(
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-out',
          `${name}.crt`,
          '-days',
          '1',
          '-extfile',
          `${name}.ext`
        )
      }
      await client('prometheus', 'prometheus.lan')
      await client('intruder', 'laptop.lan')
      await writeFile(
        join(certDir, 'mtls.yml'),
        [
          'tls_server_config:',
          '  cert_file: server.crt',
          '  key_file: server.key',
          '  client_auth_type: RequireAndVerifyClientCert',
          '  client_ca_file: ca.crt',
          '  client_allowed_sans: [prometheus.lan]',
          ''
        ].join('\n')
      )
      const s = await start({ webConfig: await loadWebConfig(join(certDir, 'mtls.yml')) })
      const ca = await readFile(join(certDir, 'server.crt'))
      const creds = async (name: string) => ({
        key: await readFile(join(certDir, `${name}.key`)),
        cert: await readFile(join(certDir, `${name}.crt`))
      })
      const pairs = { prometheus: await creds('prometheus'), intruder: await creds('intruder') }
      const get = (name: 'prometheus' | 'intruder' | null): Promise<string> =>
        new Promise((res) => {
          const opts = name === null ? { ca } : { ca, ...pairs[name] }
          const req = httpsRequest(`https://localhost:${s.port}/healthz`, opts, (r) => {
            r.resume()
            res(String(r.statusCode))
          })
          req.on('error', (e) => res(`error: ${e.message}`))
          req.end()
        })
      expect(await get('prometheus')).toBe('200')
      expect(await get(null)).toMatch(/^error/)
      expect(await get('intruder')).toBe('403')
    })

    it('refuses TLS versions below min_version', async () => {
      const yml = (await readFile(join(certDir, 'web.yml'), 'utf8')).replace('TLS12', 'TLS13')
      await writeFile(join(certDir, 'web13.yml'), yml)
      const s = await start({ webConfig: await loadWebConfig(join(certDir, 'web13.yml')) })
      const ca = await readFile(join(certDir, 'server.crt'))
      const attempt = new Promise<string>((res) => {
        const req = httpsRequest(
          `https://localhost:${s.port}/healthz`,
          { ca, maxVersion: 'TLSv1.2' },
          () => res('connected')
        )
        req.on('error', (e) => res(e.message))
        req.end()
      })
      expect(await attempt).toMatch(/version|alert|handshake/i)
    })
  })
})
