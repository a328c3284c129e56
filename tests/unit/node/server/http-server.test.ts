import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createHttpServer,
  CONTENT_SECURITY_POLICY,
  type HttpServerHandle
} from '../../../../src-main/node/server/http-server'
import { createFakeService, FAKE, type FakeService } from '../../../helpers/fake-service'

let staticDir: string
let outside: string

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'rigready-static-'))
  staticDir = join(base, 'renderer')
  outside = join(base, 'secret.txt')
  await mkdir(join(staticDir, 'assets'), { recursive: true })
  await writeFile(
    join(staticDir, 'index.html'),
    '<!doctype html><title>RigReady</title><script type="module" src="/assets/app.js"></script>'
  )
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("ui")')
  await writeFile(outside, 'do not serve')
  await symlink(outside, join(staticDir, 'assets', 'leak.txt'))
})

afterAll(async () => {
  await rm(join(staticDir, '..'), { recursive: true, force: true })
})

/** Raw HTTP request (fetch normalises `..` and forbids a custom Host header). */
function raw(
  url: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text })
      )
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

function invoke(
  base: string,
  channel: string,
  args: unknown,
  headers: Record<string, string> = {}
): Promise<Response> {
  return fetch(new URL(`api/invoke/${channel}`, base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ args })
  })
}

describe('http-server', () => {
  let server: HttpServerHandle | null = null
  let service: FakeService

  afterEach(async () => {
    await server?.close()
    server = null
    await service?.close()
  })

  async function start(opts: { token?: string; host?: string } = {}): Promise<HttpServerHandle> {
    service = createFakeService({ historySeconds: 30 })
    server = await createHttpServer({
      service,
      staticDir,
      port: 0,
      sse: { heartbeatMs: 50 },
      ...opts
    })
    return server
  }

  it('binds 127.0.0.1 on a free port by default', async () => {
    const s = await start()
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const res = await fetch(new URL('healthz', s.url))
    expect(res.status).toBe(200)
  })

  it('refuses to bind a non-loopback address without credentials', async () => {
    service = createFakeService()
    await expect(createHttpServer({ service, staticDir, host: '0.0.0.0' })).rejects.toThrow(
      /requires credentials/
    )
  })

  it('refuses a token too short to be a secret', async () => {
    service = createFakeService()
    await expect(createHttpServer({ service, staticDir, token: 'abcdefgh12' })).rejects.toThrow(
      /at least 16/
    )
  })

  it('binds a non-loopback address when a token is given', async () => {
    const s = await start({ host: '0.0.0.0', token: 'correct-horse-battery' })
    expect(s.port).toBeGreaterThan(0)
  })

  it('requires the bearer token on /api and /metrics when one is set', async () => {
    const s = await start({ token: 'correct-horse-battery' })
    expect((await fetch(new URL('api/inventory', s.url))).status).toBe(401)
    expect((await fetch(new URL('metrics', s.url))).status).toBe(401)
    expect(
      (await invoke(s.url, 'settings:get', [], { Authorization: 'Bearer wrong-token-value' }))
        .status
    ).toBe(401)
    const good = await fetch(new URL('api/inventory', s.url), {
      headers: { Authorization: 'Bearer correct-horse-battery' }
    })
    expect(good.status).toBe(200)
    expect(((await good.json()) as { gpus: { name: string }[] }).gpus[0]!.name).toBe(FAKE.gpuName)
    // The token is never accepted in the URL (it would land in logs and browser history).
    const viaQuery = await fetch(new URL('metrics?token=correct-horse-battery', s.url))
    expect(viaQuery.status).toBe(401)
    // RFC 7235: the auth scheme is case-insensitive.
    const lower = await fetch(new URL('metrics', s.url), {
      headers: { Authorization: 'bearer   correct-horse-battery' }
    })
    expect(lower.status).toBe(200)
    // The UI itself is public; it asks for the token to reach the API.
    expect((await fetch(s.url)).status).toBe(200)
  })

  it('answers invoke calls with {ok:true,value}', async () => {
    const s = await start()
    const res = await invoke(s.url, 'readiness:what-if', [
      { profileId: 'serve-8b-q4', ctxTokens: 4096 }
    ])
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      ok: boolean
      value: { profileId: string; assumptions: { kind: string; text: string }[] }
    }
    expect(body.ok).toBe(true)
    expect(body.value.profileId).toBe('serve-8b-q4')
    expect(body.value.assumptions.map((a) => a.text)).toContain('context 4096 tokens')
  })

  it('answers 400 with the validator message for malformed arguments', async () => {
    const s = await start()
    const res = await invoke(s.url, 'telemetry:get-history', [{ windowMs: -5, maxPoints: 10 }])
    expect(res.status).toBe(400)
    const body = (await res.json()) as { ok: boolean; error: string }
    expect(body.ok).toBe(false)
    expect(body.error).toMatch(/windowMs/)
    expect((await invoke(s.url, 'report:export', ['pdf'])).status).toBe(400)
    const notArray = await fetch(new URL('api/invoke/settings:get', s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"args":5}'
    })
    expect(notArray.status).toBe(400)
    const badJson = await fetch(new URL('api/invoke/settings:get', s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{args'
    })
    expect(badJson.status).toBe(400)
  })

  it('answers 400 when the service rejects a custom profile, with its error text', async () => {
    const s = await start()
    const res = await invoke(s.url, 'readiness:add-profile', [{ label: 'no id' }])
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/id/)
  })

  it('answers 404 for a channel outside the allowlist', async () => {
    const s = await start()
    const res = await invoke(s.url, 'system:exec', ['rm -rf /'])
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: string }).error).toMatch(/unknown channel/)
  })

  it('refuses invoke POSTs that are not JSON, so cross-site forms cannot call the API', async () => {
    const s = await start()
    const res = await fetch(new URL('api/invoke/settings:get', s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"args":[]}'
    })
    expect(res.status).toBe(415)
  })

  it('keeps settings changes in memory and returns the merged settings', async () => {
    const s = await start()
    const res = await invoke(s.url, 'settings:set', [{ temperatureUnit: 'fahrenheit' }])
    expect(
      ((await res.json()) as { value: { temperatureUnit: string } }).value.temperatureUnit
    ).toBe('fahrenheit')
    expect(service.settings.temperatureUnit).toBe('fahrenheit')
  })

  it('serves the GET aliases and validates history parameters', async () => {
    const s = await start()
    const hist = await fetch(new URL('api/history?windowMs=10000&maxPoints=5', s.url))
    expect(hist.status).toBe(200)
    const snaps = (await hist.json()) as unknown[]
    expect(snaps.length).toBeGreaterThan(0)
    expect(snaps.length).toBeLessThanOrEqual(5)
    expect((await fetch(new URL('api/history?windowMs=abc', s.url))).status).toBe(400)
    const report = (await (await fetch(new URL('api/report', s.url))).json()) as {
      training: { score: { value: number } }
    }
    expect(report.training.score.value).toBe(FAKE.trainingScore)
    const snap = (await (await fetch(new URL('api/snapshot', s.url))).json()) as { seq: number }
    expect(snap.seq).toBe(29)
    expect((await fetch(new URL('api/nothing', s.url))).status).toBe(404)
  })

  it('serves /metrics in the Prometheus text format', async () => {
    const s = await start()
    const res = await fetch(new URL('metrics', s.url))
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(await res.text()).toMatch(/^rigready_gpu_power_draw_watts\{gpu="0",[^}]*\} \d/m)
  })

  it('streams engine events over SSE, named after the channel', async () => {
    const s = await start()
    const res = await fetch(new URL('api/events', s.url))
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    await new Promise((r) => setTimeout(r, 20))
    service.tick()
    const deadline = Date.now() + 3000
    while (
      !text.includes('event: telemetry:did-sample') ||
      !text.includes('\n\n', text.indexOf('event: telemetry:did-sample'))
    ) {
      if (Date.now() > deadline) throw new Error(`no event in: ${text}`)
      const { value } = await reader.read()
      text += decoder.decode(value)
    }
    const block = text.slice(text.indexOf('event: telemetry:did-sample'))
    const data = JSON.parse(block.split('\n')[1]!.slice('data: '.length)) as { seq: number }
    expect(data.seq).toBe(30)
    // Heartbeats keep the stream alive.
    while (!text.includes(': heartbeat')) {
      if (Date.now() > deadline) throw new Error('no heartbeat')
      const { value } = await reader.read()
      text += decoder.decode(value)
    }
    await reader.cancel()
  })

  it('serves the UI with a strict CSP and no inline script allowance', async () => {
    const s = await start()
    const res = await fetch(s.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toBe(CONTENT_SECURITY_POLICY)
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const js = await fetch(new URL('assets/app.js', s.url))
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await js.text()).toContain('console.log')
  })

  it('refuses path traversal, encoded or not, and symlinks leading out of the UI folder', async () => {
    const s = await start()
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets%2f..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%00.js'
    ]) {
      const res = await raw(s.url, path)
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.body, path).not.toContain('do not serve')
    }
    const link = await raw(s.url, '/assets/leak.txt')
    expect(link.status).toBe(403)
    expect((await raw(s.url, '/missing.js')).status).toBe(404)
  })

  it('answers only requests addressed to localhost when no token is set (DNS rebinding)', async () => {
    const s = await start()
    const res = await raw(s.url, '/api/inventory', { Host: 'evil.example:80' })
    expect(res.status).toBe(421)
    const okRes = await raw(s.url, '/api/inventory', { Host: 'localhost:1234' })
    expect(okRes.status).toBe(200)
  })

  it('refuses methods other than GET/HEAD outside the invoke API', async () => {
    const s = await start()
    const res = await fetch(new URL('api/inventory', s.url), { method: 'DELETE' })
    expect(res.status).toBe(405)
  })
})
