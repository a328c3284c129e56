import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAlertMonitor } from '../../../../src-main/node/alerts/monitor'
import { createWebhookSender, parseWebhookUrl } from '../../../../src-main/node/alerts/webhook'
import type { AlertTransition } from '../../../../src-main/shared/alerts'
import { ok } from '../../../../src-main/shared/reading'
import { runCli } from '../../../helpers/cli-io'
import {
  gpuInfo,
  gpuSample,
  inventory,
  snapshot,
  STREAM_T0
} from '../../../helpers/snapshot-builder'

const SESSION = resolve(
  import.meta.dirname,
  '../../../fixtures/sessions/rtx4090-training-run.jsonl'
)

const alert = (i: number): AlertTransition => ({
  kind: 'raise',
  rule: 'nvme-hot',
  severity: 'warning',
  device: 'nvme0n1',
  deviceLabel: 'nvme0n1',
  value: 84 + i,
  threshold: 83,
  unit: 'celsius',
  atMs: Date.UTC(2026, 0, 5, 20, 0, i),
  message: `nvme0n1 at ${84 + i} °C, at or above its warning temperature (83 °C)`
})

let server: Server | null = null
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = null
})

/** A local receiver; `handle` decides each response. Returns its URL and the bodies received. */
async function receiver(
  handle: (n: number, req: IncomingMessage, res: ServerResponse) => void
): Promise<{ url: URL; bodies: unknown[] }> {
  const bodies: unknown[] = []
  let n = 0
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      handle(n++, req, res)
    })
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return { url: new URL(`http://127.0.0.1:${port}/hook`), bodies }
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('alert webhook', () => {
  it('POSTs JSON with rule, device, value, threshold, time and host', async () => {
    const r = await receiver((_n, req, res) => {
      expect(req.method).toBe('POST')
      expect(req.headers['content-type']).toBe('application/json')
      res.end('ok')
    })
    const w = createWebhookSender(r.url, { host: 'training-rig' })
    w.send(alert(0))
    await until(() => w.stats().delivered === 1)
    expect(r.bodies[0]).toEqual({
      source: 'rigready',
      kind: 'raise',
      rule: 'nvme-hot',
      severity: 'warning',
      device: 'nvme0n1',
      deviceLabel: 'nvme0n1',
      value: 84,
      threshold: 83,
      unit: 'celsius',
      time: '2026-01-05T20:00:00.000Z',
      atMs: Date.UTC(2026, 0, 5, 20, 0, 0),
      host: 'training-rig',
      message: 'nvme0n1 at 84 °C, at or above its warning temperature (83 °C)'
    })
    await w.close()
  })

  it('retries a failing receiver with backoff, then delivers in order', async () => {
    const r = await receiver((n, _req, res) => {
      res.statusCode = n < 2 ? 503 : 200
      res.end()
    })
    const warnings: string[] = []
    const w = createWebhookSender(r.url, {
      host: 'h',
      backoffMs: 20,
      warn: (m) => warnings.push(m)
    })
    w.send(alert(0))
    w.send(alert(1))
    await until(() => w.stats().delivered === 2)
    expect(r.bodies.map((b) => (b as { value: number }).value)).toEqual([84, 84, 84, 85])
    expect(w.stats()).toEqual({ delivered: 2, failed: 0, dropped: 0, pending: 0 })
    expect(warnings).toEqual([])
    await w.close()
  })

  it('gives up after its retries on a receiver that always fails, and says so once', async () => {
    const r = await receiver((_n, _req, res) => {
      res.statusCode = 500
      res.end()
    })
    const warnings: string[] = []
    const w = createWebhookSender(r.url, {
      host: 'h',
      retries: 2,
      backoffMs: 10,
      warn: (m) => warnings.push(m)
    })
    w.send(alert(0))
    await until(() => w.stats().failed === 1)
    expect(r.bodies).toHaveLength(3)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/giving up on "nvme0n1 at 84 °C.*" after 3 attempt\(s\): HTTP 500/)
    await w.close()
  })

  it('times out a slow receiver without ever blocking the caller, and bounds its queue', async () => {
    const r = await receiver(() => {
      // Never answers.
    })
    const w = createWebhookSender(r.url, { host: 'h', timeoutMs: 100, retries: 0, maxQueue: 3 })
    const t0 = performance.now()
    for (let i = 0; i < 10; i++) w.send(alert(i))
    // send() only queues: ten calls return at once even though the receiver hangs.
    expect(performance.now() - t0).toBeLessThan(50)
    expect(w.stats().dropped).toBe(6)
    await until(() => w.stats().failed >= 1)
    await w.close(200)
  })

  it('a monitor keeps evaluating while the webhook receiver hangs', async () => {
    const r = await receiver(() => {})
    const inv = inventory({ gpus: [gpuInfo({ id: 'nvidia:0', tempSlowdownCelsius: ok(89) })] })
    const seen: AlertTransition[] = []
    const m = createAlertMonitor({
      inventory: inv,
      webhookUrl: r.url,
      webhook: { timeoutMs: 5000, retries: 0 },
      onAlert: (a) => seen.push(a)
    })
    const t0 = performance.now()
    for (let i = 0; i < 60; i++)
      m.push(
        snapshot({
          t: STREAM_T0 + i * 1000,
          gpus: [gpuSample({ id: 'nvidia:0', temperatureCelsius: 87 })]
        })
      )
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(seen.map((a) => a.rule)).toEqual(['near-slowdown'])
    expect(m.webhook?.stats().pending).toBe(1)
    await m.webhook?.close(50)
  })

  it('rejects URLs that are not http(s)', () => {
    expect(parseWebhookUrl('ftp://x/')).toMatch(/must be an http:\/\/ or https:\/\/ URL/)
    expect(parseWebhookUrl('not a url')).toMatch(/is not a URL/)
    expect(parseWebhookUrl('https://hooks.example/abc')).toBeInstanceOf(URL)
  })
})

describe('alerts on a replayed session', () => {
  it('the thermal training run raises the expected alerts in order, and each reaches the webhook', async () => {
    const r = await receiver((_n, _req, res) => res.end())
    const run = await runCli([
      'watch',
      '--replay',
      SESSION,
      '--speed',
      'max',
      '--alert-webhook',
      r.url.href
    ])
    expect(run.code).toBe(0)
    const lines = run.stderr.split('\n').filter((l) => /^\[(alert|ALERT|clear)\]/.test(l))
    expect(lines.map((l) => l.replace(/^\[(\w+)\] \S+ /, '$1 '))).toEqual([
      'alert GPU0 power cap 66% of the last 1 min',
      'alert GPU0 is 5 °C from its slowdown temperature (84 of 89 °C)',
      'ALERT GPU0 thermal 21% of the last 1 min',
      'clear GPU0 back to 13 °C below its slowdown temperature (76 °C)'
    ])
    await until(() => r.bodies.length === 4)
    expect(
      r.bodies.map((b) => `${(b as AlertTransition).kind} ${(b as AlertTransition).rule}`)
    ).toEqual(['raise throttled', 'raise near-slowdown', 'raise throttled', 'clear near-slowdown'])
  })
})
