/**
 * The `rigready serve` HTTP agent: the built UI, the JSON invoke API, SSE events and Prometheus `/metrics`.
 *
 * Security model (see README "Agent on a network"):
 * - Binds 127.0.0.1 by default; any other address needs credentials (a bearer token from
 *   `RIGREADY_TOKEN`/`--token-file`, or bcrypt `basic_auth_users` from `--web-config`). Without
 *   credentials, requests must name a loopback `Host` (defeats DNS rebinding).
 * - With credentials, `/api/*` and `/metrics` need them (`Authorization: Bearer …` with the scheme
 *   case-insensitive, or `Basic …`); with basic users the UI itself needs them too, so the browser asks.
 *   EventSource gets an event-stream cookie instead of a token in the URL (`auth.ts`). Wrong credentials
 *   are limited per client (429 after a burst).
 * - TLS from the web config (exporter-toolkit format, `web-config.ts`); plain HTTP sent to the TLS port is
 *   answered 400 and closed, as Go's servers do.
 * - Bounded: header, body, keep-alive and idle timeouts, a connection cap with a reserve for authorised
 *   scrapes, a stream cap and a concurrent-request cap (503 beyond, as node_exporter), body size,
 *   downsampled history, capped profiles (`connection-guard.ts`, `limits.ts`).
 * - POSTs must be `application/json` so browsers preflight cross-origin calls, which this server never
 *   approves (no CORS headers). CSP and security headers on every response. Nothing here writes files or
 *   runs commands: handlers that change state keep it in the service's memory.
 * - Every handler's answer is built before anything is written (`routes.ts`), so errors end in a status
 *   and a body, never in a reset.
 */
import { createHash } from 'node:crypto'
import {
  createServer as createHttpServerRaw,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc-contract'
import {
  MAX_HISTORY_POINTS,
  MAX_HISTORY_WINDOW_MS,
  validateInvokeArgs
} from '../../shared/ipc-validate'
import { createMetricsExporter, type MetricsExporter } from '../metrics/exporter'
import { silentLogger, type Logger } from '../platform/logger'
import { ArgumentError, type EngineService } from '../service-types'
import { clientKey, createAuthenticator, createAuthFailureLimiter, type AuthOutcome } from './auth'
import { createStaticCompressionCache, encodeDynamic } from './compression'
import { createConnectionGuard, type ConnectionGuardStats } from './connection-guard'
import { resolveLimits, type ServerLimits } from './limits'
import {
  errorReply,
  HttpError,
  jsonReply,
  routeMatches,
  type Reply,
  type Route,
  type RouteRequest
} from './routes'
import { createSseHub, type SseHubOptions } from './sse'
import { lookupStatic } from './static'
import { parseSubjectAltNames, tlsClientOptions, type WebConfig } from './web-config'

/** Options for createHttpServer. */
export interface HttpServerOptions {
  service: EngineService
  /** Folder with the built UI (`out/renderer`). */
  staticDir: string
  /** Bind address; an IPv6 literal may be bracketed (`[::1]`). Anything but loopback requires credentials. */
  host?: string
  /** Port; 0 picks a free one. */
  port?: number
  /** Bearer token (at least 16 characters). */
  token?: string
  /** Loaded `--web-config` (TLS, basic-auth users, headers). */
  webConfig?: WebConfig
  log?: Logger
  sse?: SseHubOptions
  limits?: Partial<ServerLimits>
  /** Version reported by `rigready_build_info`. */
  version?: string
  /** Export the agent's own process metrics on `/metrics` (default true). */
  processMetrics?: boolean
  /** Extra endpoints (e.g. a sessions API), see `routes.ts`. */
  routes?: readonly Route[]
}

/** Counters of a running server. */
export interface HttpServerStats {
  connections: ConnectionGuardStats
  streams: number
  inflight: number
  /** Requests answered 503 because a cap was reached. */
  shed: number
  /** Requests answered 429 by the wrong-credentials limiter. */
  limited: number
}

/** A running server. */
export interface HttpServerHandle {
  /** Base URL with trailing slash, e.g. `http://127.0.0.1:43117/`, `https://[::1]:7878/`. */
  url: string
  port: number
  scheme: 'http' | 'https'
  /** How a client authenticates: `none`, `bearer`, `basic` or both. */
  auth: ('bearer' | 'basic')[]
  stats(): HttpServerStats
  close(): Promise<void>
}

/** Content-Security-Policy sent with every response: no inline scripts, same-origin connections only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/** The event-stream cookie's name. */
export const EVENT_COOKIE = 'rigready_events'

/** True for addresses that only this machine can reach (IPv6 literals with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase()
  return LOOPBACK_HOSTS.has(h) || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::ffff:127.0.0.1]'
}

/** The address to `listen()` on: brackets of an IPv6 literal removed (`[::1]` → `::1`). */
export function listenAddress(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** Host header name without the port (`[::1]:80` → `[::1]`). */
function hostHeaderName(header: string | undefined): string {
  if (header === undefined) return ''
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1)
  const colon = header.lastIndexOf(':')
  return colon === -1 ? header : header.slice(0, colon)
}

function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin'
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function isArgumentError(e: unknown): boolean {
  return e instanceof ArgumentError || (e instanceof Error && e.name === 'ArgumentError')
}

/** Parses a non-negative integer query value; undefined when absent, null when malformed. */
function intParam(params: URLSearchParams, name: string): number | undefined | null {
  const raw = params.get(name)
  if (raw === null) return undefined
  if (!/^\d{1,12}$/.test(raw)) return null
  return Number(raw)
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, `request body over ${limit} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`)
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

/** Paths an overflow connection may still use (with credentials): scrapes and health checks. */
const SCRAPE_PATHS = new Set(['/metrics', '/healthz'])

/**
 * Starts the HTTP agent.
 *
 * Throws before listening when `host` is not loopback and no credentials are configured, or when the token
 * is too short to be a secret.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const { service, staticDir } = options
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 0
  const log = options.log ?? silentLogger
  const limits = resolveLimits(options.limits)
  const web = options.webConfig
  const tls = web?.tls ?? null

  const auth = createAuthenticator({ token: options.token, basicUsers: web?.basicUsers })
  if (!isLoopbackHost(host) && !auth.required) {
    throw new Error(
      `refusing to bind ${host}: serving beyond this machine (any address other than 127.0.0.1/localhost/::1) requires credentials (RIGREADY_TOKEN, --token-file or basic_auth_users in --web-config)`
    )
  }
  const basicConfigured = Object.keys(web?.basicUsers ?? {}).length > 0
  const limiter = createAuthFailureLimiter(limits.authFailureBurst, limits.authFailureRefillSeconds)
  const guard = createConnectionGuard(limits)
  const allowed = new Set<string>(INVOKE_CHANNELS)
  const hub = createSseHub(service, options.sse)
  const staticCache = createStaticCompressionCache()
  const exporter: MetricsExporter = createMetricsExporter({
    version: options.version ?? '0.0.0',
    processMetrics: options.processMetrics ?? true,
    source: {
      inventory: () => service.handlers['telemetry:get-inventory'](),
      latest: () => service.handlers['telemetry:get-snapshot'](),
      report: () => service.latestReport?.() ?? service.handlers['readiness:get-report'](),
      onSample: (l) => service.on('telemetry:did-sample', l),
      history: () =>
        service.handlers['telemetry:get-history']({
          windowMs: MAX_HISTORY_WINDOW_MS,
          maxPoints: MAX_HISTORY_POINTS
        })
    }
  })
  const extraHeaders = web?.headers ?? {}
  let inflight = 0
  let shed = 0
  let limited = 0

  const invoke = async (channel: InvokeChannel, rawArgs: unknown): Promise<Reply> => {
    let args: unknown[]
    try {
      const validated: unknown = validateInvokeArgs(channel, rawArgs)
      args = Array.isArray(validated) ? (validated as unknown[]) : []
    } catch (e) {
      if (isArgumentError(e)) return errorReply(400, errorText(e))
      throw e
    }
    try {
      const handler = service.handlers[channel] as (...a: unknown[]) => Promise<unknown>
      const value = await handler(...args)
      return jsonReply(200, { ok: true, value: value === undefined ? null : value })
    } catch (e) {
      if (isArgumentError(e)) return errorReply(400, errorText(e))
      log.log('warn', `invoke ${channel} failed: ${errorText(e)}`)
      return errorReply(500, errorText(e))
    }
  }

  /** Calls a handler for a GET alias: its value itself (not the envelope), 400/500 with a body on error. */
  const alias = async (channel: InvokeChannel, args: unknown[]): Promise<Reply> => {
    const r = await invoke(channel, args)
    if (r.kind !== 'body' || r.status !== 200) return r
    const parsed = JSON.parse(String(r.body)) as { value: unknown }
    return jsonReply(200, parsed.value)
  }

  const builtinRoutes: Route[] = [
    {
      path: '/api/invoke/',
      methods: ['POST'],
      async handle(req) {
        let channel: string
        try {
          channel = decodeURIComponent(req.path.slice('/api/invoke/'.length))
        } catch {
          return errorReply(400, 'malformed channel name in the URL (bad percent-encoding)')
        }
        if (!allowed.has(channel)) return errorReply(404, `unknown channel: ${channel}`)
        const type = req.headers['content-type'] ?? ''
        if (!/^application\/json\b/i.test(type))
          return errorReply(415, 'Content-Type must be application/json')
        const body = await req.readJson()
        // `args` may be omitted for channels without arguments; anything else must be an array.
        const rawArgs: unknown =
          typeof body === 'object' && body !== null && !Array.isArray(body)
            ? (body as { args?: unknown }).args
            : null
        if (rawArgs !== undefined && !Array.isArray(rawArgs))
          return errorReply(400, 'request body must be {"args":[...]}')
        return invoke(channel as InvokeChannel, rawArgs)
      }
    },
    {
      path: '/api/events',
      methods: ['GET', 'HEAD'],
      async handle(req) {
        if (req.method === 'HEAD')
          return {
            kind: 'body',
            status: 200,
            contentType: 'text/event-stream; charset=utf-8',
            body: '',
            headers: { 'Cache-Control': 'no-store' }
          }
        if (hub.clientCount() >= limits.maxStreams) {
          shed++
          return errorReply(
            503,
            `too many event streams (${limits.maxStreams}); try again shortly`,
            {
              'Retry-After': '5'
            }
          )
        }
        return {
          kind: 'stream',
          start(res) {
            guard.markStream(req.raw)
            hub.attach(res)
          }
        }
      }
    },
    {
      path: '/api/events/session',
      methods: ['POST'],
      async handle() {
        const { id, maxAgeSeconds } = auth.issueEventSession()
        const cookie = [
          `${EVENT_COOKIE}=${id}`,
          'Path=/api/events',
          'HttpOnly',
          'SameSite=Strict',
          `Max-Age=${maxAgeSeconds}`,
          ...(tls ? ['Secure'] : [])
        ].join('; ')
        return jsonReply(200, { ok: true, value: { maxAgeSeconds } }, { 'Set-Cookie': cookie })
      }
    },
    {
      path: '/metrics',
      methods: ['GET', 'HEAD'],
      async handle() {
        const e = await exporter.render()
        return { kind: 'body', status: 200, contentType: e.contentType, body: e.text }
      }
    },
    {
      path: '/api/inventory',
      methods: ['GET', 'HEAD'],
      handle: () => alias('telemetry:get-inventory', [])
    },
    {
      path: '/api/snapshot',
      methods: ['GET', 'HEAD'],
      handle: () => alias('telemetry:get-snapshot', [])
    },
    {
      path: '/api/report',
      methods: ['GET', 'HEAD'],
      handle: () => alias('readiness:get-report', [])
    },
    { path: '/api/fleet', methods: ['GET', 'HEAD'], handle: () => alias('fleet:list', []) },
    {
      path: '/api/history',
      methods: ['GET', 'HEAD'],
      async handle(req) {
        const windowMs = intParam(req.url.searchParams, 'windowMs')
        const maxPoints = intParam(req.url.searchParams, 'maxPoints')
        if (windowMs === null || maxPoints === null || maxPoints === 0 || windowMs === 0)
          return errorReply(400, 'windowMs and maxPoints must be positive integers')
        return alias('telemetry:get-history', [
          { windowMs: windowMs ?? 300_000, maxPoints: maxPoints ?? 600 }
        ])
      }
    },
    {
      path: '/api/series',
      methods: ['GET', 'HEAD'],
      async handle(req) {
        const p = req.url.searchParams
        const rangeMs = intParam(p, 'rangeMs')
        const points = intParam(p, 'points')
        const endMs = intParam(p, 'endMs')
        if (rangeMs === null || points === null || endMs === null)
          return errorReply(400, 'rangeMs, points and endMs must be non-negative integers')
        const seriesParam = p.get('series')
        return alias('telemetry:get-series', [
          {
            rangeMs: rangeMs ?? 3_600_000,
            points: points ?? 600,
            series: seriesParam === null || seriesParam === '' ? [] : seriesParam.split(','),
            ...(endMs !== undefined ? { endMs } : {})
          }
        ])
      }
    }
  ]
  const routes: Route[] = [...builtinRoutes, ...(options.routes ?? [])]

  const staticReply = async (path: string): Promise<Reply> => {
    const found = await lookupStatic(staticDir, path)
    if (found.kind === 'forbidden') return errorReply(403, 'forbidden path')
    if (found.kind === 'not-found')
      return {
        kind: 'body',
        status: 404,
        contentType: 'text/plain; charset=utf-8',
        body: 'not found\n'
      }
    const cache = path === '/' || path.endsWith('.html') ? 'no-cache' : 'public, max-age=3600'
    return {
      kind: 'body',
      status: 200,
      contentType: found.contentType,
      body: found.body,
      headers: { 'Cache-Control': cache, 'X-Static-Path': path }
    }
  }

  /** Serialises a body reply (compressed when the client accepts it) and writes it in one go. */
  const send = async (req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> => {
    if (reply.kind === 'stream') {
      reply.start(res)
      return
    }
    const raw = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...reply.headers }
    const staticPath = headers['X-Static-Path']
    delete headers['X-Static-Path']
    const encoded =
      staticPath !== undefined
        ? await staticCache.encode(
            `${staticPath}:${raw.length}:${createHash('sha1').update(raw).digest('hex')}`,
            raw,
            reply.contentType,
            req.headers['accept-encoding']
          )
        : await encodeDynamic(raw, reply.contentType, req.headers['accept-encoding'])
    if (res.headersSent || res.writableEnded || res.destroyed) return
    res.writeHead(reply.status, {
      'Content-Type': reply.contentType,
      'Content-Length': String(encoded.body.length),
      ...headers,
      ...encoded.headers
    })
    res.end(req.method === 'HEAD' ? undefined : encoded.body)
  }

  const clientCertProblem = (socket: TLSSocket): string | null => {
    if (tls === null) return null
    const cert = socket.getPeerCertificate()
    const present = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0
    switch (tls.clientAuth) {
      case 'RequireAnyClientCert':
      case 'RequireAndVerifyClientCert':
        if (!present) return 'a client certificate is required'
        break
      case 'VerifyClientCertIfGiven':
        if (present && !socket.authorized) return 'the client certificate is not trusted'
        break
      default:
        break
    }
    if (present && tls.clientAllowedSans.length > 0) {
      const sans = parseSubjectAltNames(cert.subjectaltname)
      if (!sans.some((s) => tls.clientAllowedSans.includes(s)))
        return 'the client certificate names none of client_allowed_sans'
    }
    return null
  }

  const route = async (req: IncomingMessage): Promise<Reply> => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      return errorReply(400, 'malformed request target')
    }
    const path = url.pathname
    const method = req.method ?? 'GET'

    if (!auth.required && !isLoopbackHost(hostHeaderName(req.headers.host)))
      return errorReply(421, 'this agent only answers requests addressed to localhost')

    const overflow = guard.isOverflow(req)
    if (path === '/healthz')
      return {
        kind: 'body',
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: 'ok\n'
      }

    const isApi = path === '/metrics' || path === '/api' || path.startsWith('/api/')
    const matched = routes.find((r) => routeMatches(r, path))
    const needsAuth = auth.required && (matched ? !matched.public : isApi || basicConfigured)
    let outcome: AuthOutcome = { kind: 'ok', user: null }
    if (needsAuth) {
      const client = clientKey(req.socket.remoteAddress)
      const header = req.headers.authorization
      const cookie = path === '/api/events' ? cookieValue(req.headers.cookie, EVENT_COOKIE) : null
      if (header !== undefined || cookie !== null) {
        const decision = limiter.check(client)
        if (!decision.allowed) {
          limited++
          return errorReply(429, 'too many wrong credentials from this address; slow down', {
            'Retry-After': String(decision.retryAfterSeconds)
          })
        }
      }
      outcome = await auth.check(header, cookie)
      if (outcome.kind === 'wrong') limiter.fail(client)
      if (outcome.kind !== 'ok') {
        const challenges = auth.challenges.join(', ')
        return errorReply(
          401,
          outcome.kind === 'missing'
            ? 'credentials required (Authorization: Bearer <token> or Basic)'
            : 'wrong credentials',
          { 'WWW-Authenticate': challenges }
        )
      }
    }
    if (overflow && !SCRAPE_PATHS.has(path)) {
      shed++
      return errorReply(503, 'the agent is at its connection limit; only scrapes are served', {
        'Retry-After': '1',
        Connection: 'close'
      })
    }

    if (matched) {
      if (!matched.methods.includes(method))
        return errorReply(405, `use ${matched.methods.join(' or ')}`, {
          Allow: matched.methods.join(', ')
        })
      const rr: RouteRequest = {
        method,
        path,
        url,
        headers: req.headers,
        raw: req,
        async readJson() {
          const body = await readBody(req, limits.maxBodyBytes)
          try {
            return JSON.parse(body.toString('utf8')) as unknown
          } catch {
            throw new HttpError(400, 'request body is not valid JSON')
          }
        }
      }
      return matched.handle(rr)
    }
    if (isApi) return errorReply(404, `no such endpoint: ${path}`)
    if (method !== 'GET' && method !== 'HEAD')
      return errorReply(405, 'method not allowed', { Allow: 'GET, HEAD' })
    return staticReply(path)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    guard.onRequest(req, res)
    for (const [k, v] of Object.entries({ ...securityHeaders(), ...extraHeaders }))
      res.setHeader(k, v)
    if (tls !== null) {
      const problem = clientCertProblem(req.socket as TLSSocket)
      if (problem !== null) {
        await send(req, res, errorReply(403, problem, { Connection: 'close' }))
        return
      }
    }
    if (inflight >= limits.maxConcurrentRequests && req.url !== '/healthz') {
      shed++
      await send(
        req,
        res,
        errorReply(503, `too many concurrent requests (${limits.maxConcurrentRequests})`, {
          'Retry-After': '1'
        })
      )
      return
    }
    inflight++
    let reply: Reply
    try {
      reply = await route(req)
    } catch (e) {
      if (e instanceof HttpError) reply = errorReply(e.status, e.message, e.headers)
      else {
        log.log('error', `request ${req.method} ${req.url} failed: ${errorText(e)}`)
        reply = errorReply(500, `internal error: ${errorText(e)}`)
      }
    } finally {
      inflight--
    }
    try {
      await send(req, res, reply)
    } catch (e) {
      // Serialising or compressing failed: the headers are still unsent, so answer 500 with a body.
      log.log('error', `response to ${req.method} ${req.url} failed: ${errorText(e)}`)
      if (!res.headersSent) await send(req, res, errorReply(500, 'internal error')).catch(() => {})
      else res.destroy()
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      log.log('error', `request ${req.method} ${req.url} failed: ${errorText(e)}`)
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ ok: false, error: 'internal error' }))
      } else res.destroy()
    })
  }

  const inner =
    tls === null
      ? createHttpServerRaw({ keepAliveTimeout: limits.keepAliveTimeoutMs }, onRequest)
      : createHttpsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
            minVersion: tls.minVersion,
            ...(tls.maxVersion !== undefined ? { maxVersion: tls.maxVersion } : {}),
            ...(tls.ecdhCurve !== undefined ? { ecdhCurve: tls.ecdhCurve } : {}),
            ...(tls.honorCipherOrder !== undefined
              ? { honorCipherOrder: tls.honorCipherOrder }
              : {}),
            ...tlsClientOptions(tls.clientAuth),
            handshakeTimeout: limits.headersTimeoutMs,
            keepAliveTimeout: limits.keepAliveTimeoutMs
          },
          onRequest
        )
  // Timeouts are the guard's; Node's own per-socket timeout stays off so it cannot cut streams.
  inner.timeout = 0
  inner.on('tlsClientError', (err: Error) =>
    log.log('debug', `TLS handshake failed: ${err.message}`)
  )

  const front = createNetServer({ pauseOnConnect: false }, (raw: Socket) => {
    if (!guard.accept(raw, { plain: tls === null })) return
    if (tls === null) {
      inner.emit('connection', raw)
      return
    }
    // Peek at the first byte: a TLS handshake starts with 0x16; anything else is plain HTTP sent to
    // the TLS port, which gets a readable answer instead of a handshake error.
    raw.once('readable', () => {
      const first = raw.read(1) as Buffer | null
      if (first === null) return
      if (first[0] !== 0x16) {
        const body = 'Client sent an HTTP request to an HTTPS server.\n'
        raw.end(
          `HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        )
        return
      }
      raw.unshift(first)
      inner.emit('connection', raw)
    })
  })
  front.on('error', (e) => log.log('error', `listener: ${errorText(e)}`))

  await new Promise<void>((resolveListen, rejectListen) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      rejectListen(
        new Error(
          e.code === 'EADDRINUSE'
            ? `cannot listen on ${host}:${port}: the port is in use`
            : e.code === 'EADDRNOTAVAIL'
              ? `cannot listen on ${host}: no such local address`
              : `cannot listen on ${host}:${port}: ${e.message}`
        )
      )
    }
    front.once('error', onError)
    front.listen(port, listenAddress(host), () => {
      front.off('error', onError)
      resolveListen()
    })
  })
  const address = front.address() as AddressInfo
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const scheme = tls === null ? 'http' : 'https'
  return {
    url: `${scheme}://${urlHost}:${address.port}/`,
    port: address.port,
    scheme,
    auth: [
      ...(options.token !== undefined ? (['bearer'] as const) : []),
      ...(basicConfigured ? (['basic'] as const) : [])
    ],
    stats: () => ({
      connections: guard.stats(),
      streams: hub.clientCount(),
      inflight,
      shed,
      limited
    }),
    close: async () => {
      hub.close()
      exporter.close()
      await new Promise<void>((r) => {
        front.close(() => r())
        guard.closeAll()
      })
    }
  }
}
