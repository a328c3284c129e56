/**
 * The `rigready serve` HTTP agent: the built UI, the JSON invoke API, SSE events and Prometheus `/metrics`.
 *
 * Security model: binds 127.0.0.1 by default and refuses any non-loopback host unless a bearer token is
 * configured; with a token every `/api` request and `/metrics` needs `Authorization: Bearer <token>` (or
 * `?token=` for EventSource, which cannot set headers). Without a token, requests must name a loopback
 * `Host` (defeats DNS rebinding). POSTs must be `application/json` so browsers preflight cross-origin calls,
 * which this server never approves (no CORS headers). Nothing here writes files or runs commands: handlers
 * that change state (settings, custom profiles) keep it in the service's memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { timingSafeEqual, createHash } from 'node:crypto'
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc-contract'
import { validateInvokeArgs } from '../../shared/ipc-validate'
import { ArgumentError, type EngineService } from '../service-types'
import { silentLogger, type Logger } from '../platform/logger'
import { createSseHub, type SseHubOptions } from './sse'
import { lookupStatic } from './static'

/** Options for createHttpServer. */
export interface HttpServerOptions {
  service: EngineService
  /** Folder with the built UI (`out/renderer`). */
  staticDir: string
  /** Bind address; anything but loopback requires `token`. Default 127.0.0.1. */
  host?: string
  /** Port; 0 picks a free one. */
  port?: number
  /** Bearer token required on `/api` and `/metrics` when set. */
  token?: string
  log?: Logger
  sse?: SseHubOptions
  /** Largest accepted request body (bytes). Default 1 MiB. */
  maxBodyBytes?: number
}

/** A running server. */
export interface HttpServerHandle {
  /** Base URL with trailing slash, e.g. `http://127.0.0.1:43117/`. */
  url: string
  port: number
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

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host)
}

/** Host header name without the port (`[::1]:80` → `[::1]`). */
function hostHeaderName(header: string | undefined): string {
  if (header === undefined) return ''
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1)
  const colon = header.lastIndexOf(':')
  return colon === -1 ? header : header.slice(0, colon)
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body === undefined ? null : body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store'
  })
  res.end(text)
}

function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  extra: Record<string, string> = {}
): void {
  const text = JSON.stringify({ ok: false, error })
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...extra
  })
  res.end(text)
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > limit) throw new BodyTooLarge()
    chunks.push(buf)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Parses a non-negative integer query value; undefined when absent, null when malformed. */
function intParam(params: URLSearchParams, name: string): number | undefined | null {
  const raw = params.get(name)
  if (raw === null) return undefined
  if (!/^\d{1,12}$/.test(raw)) return null
  return Number(raw)
}

/**
 * Starts the HTTP agent.
 *
 * Throws before listening when `host` is not loopback and no token is given, or when the token is blank.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const { service, staticDir } = options
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 0
  const token = options.token
  const log = options.log ?? silentLogger
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024

  if (token !== undefined && token.trim().length < 8) {
    throw new Error('refusing to serve: the access token must be at least 8 characters')
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new Error(
      `refusing to bind ${host}: serving beyond this machine (any address other than 127.0.0.1/localhost/::1) requires an access token (--token)`
    )
  }
  const tokenDigest = token === undefined ? null : digest(token)
  const allowed = new Set<string>(INVOKE_CHANNELS)
  const hub = createSseHub(service, options.sse)

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    if (tokenDigest === null) return true
    const header = req.headers.authorization
    let presented: string | null = null
    if (typeof header === 'string' && header.startsWith('Bearer '))
      presented = header.slice(7).trim()
    else if (url.searchParams.has('token')) presented = url.searchParams.get('token')
    if (presented === null) return false
    // Compare fixed-length digests so timing reveals nothing about the token's length or prefix.
    return timingSafeEqual(digest(presented), tokenDigest)
  }

  const handleInvoke = async (
    req: IncomingMessage,
    res: ServerResponse,
    channel: string
  ): Promise<void> => {
    if (req.method !== 'POST') return sendError(res, 405, 'use POST', { Allow: 'POST' })
    if (!allowed.has(channel)) return sendError(res, 404, `unknown channel: ${channel}`)
    const type = req.headers['content-type'] ?? ''
    if (!/^application\/json\b/i.test(type))
      return sendError(res, 415, 'Content-Type must be application/json')
    let body: unknown
    try {
      body = JSON.parse(await readBody(req, maxBodyBytes))
    } catch (e) {
      if (e instanceof BodyTooLarge)
        return sendError(res, 413, `request body over ${maxBodyBytes} bytes`)
      return sendError(res, 400, 'request body is not valid JSON')
    }
    // `args` may be omitted for channels without arguments; anything else must be an array.
    const rawArgs: unknown =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as { args?: unknown }).args
        : null
    if (rawArgs !== undefined && !Array.isArray(rawArgs)) {
      return sendError(res, 400, 'request body must be {"args":[...]}')
    }
    const ch = channel as InvokeChannel
    let args: unknown[]
    try {
      const validated: unknown = validateInvokeArgs(ch, rawArgs)
      args = Array.isArray(validated) ? (validated as unknown[]) : []
    } catch (e) {
      if (e instanceof ArgumentError || (e instanceof Error && e.name === 'ArgumentError')) {
        return sendError(res, 400, errorText(e))
      }
      throw e
    }
    try {
      const handler = service.handlers[ch] as (...a: unknown[]) => Promise<unknown>
      const value = await handler(...args)
      sendJson(res, 200, { ok: true, value: value === undefined ? null : value })
    } catch (e) {
      if (e instanceof ArgumentError || (e instanceof Error && e.name === 'ArgumentError')) {
        return sendError(res, 400, errorText(e))
      }
      log.log('warn', `invoke ${channel} failed: ${errorText(e)}`)
      sendError(res, 500, errorText(e))
    }
  }

  const handleGetAlias = async (res: ServerResponse, path: string, url: URL): Promise<boolean> => {
    const h = service.handlers
    switch (path) {
      case '/api/inventory':
        sendJson(res, 200, await h['telemetry:get-inventory']())
        return true
      case '/api/snapshot':
        sendJson(res, 200, await h['telemetry:get-snapshot']())
        return true
      case '/api/report':
        sendJson(res, 200, await h['readiness:get-report']())
        return true
      case '/api/history': {
        const windowMs = intParam(url.searchParams, 'windowMs')
        const maxPoints = intParam(url.searchParams, 'maxPoints')
        if (windowMs === null || maxPoints === null || maxPoints === 0) {
          sendError(res, 400, 'windowMs and maxPoints must be positive integers')
          return true
        }
        sendJson(
          res,
          200,
          await h['telemetry:get-history']({
            windowMs: windowMs ?? 300_000,
            maxPoints: maxPoints ?? 2000
          })
        )
        return true
      }
      default:
        return false
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(securityHeaders())) res.setHeader(k, v)
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname

    if (tokenDigest === null && !isLoopbackHost(hostHeaderName(req.headers.host))) {
      return sendError(res, 421, 'this agent only answers requests addressed to localhost')
    }
    if (path === '/healthz') {
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store'
      })
      res.end('ok\n')
      return
    }
    const guarded = path === '/metrics' || path === '/api' || path.startsWith('/api/')
    if (guarded && !authorised(req, url)) {
      return sendError(res, 401, 'missing or wrong access token', {
        'WWW-Authenticate': 'Bearer realm="rigready"'
      })
    }
    if (path.startsWith('/api/invoke/'))
      return handleInvoke(req, res, decodeURIComponent(path.slice('/api/invoke/'.length)))
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(res, 405, 'method not allowed', { Allow: 'GET, HEAD' })
    if (path === '/metrics') {
      res.writeHead(200, {
        'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
        'Cache-Control': 'no-store'
      })
      res.end(service.metrics())
      return
    }
    if (path === '/api/events') {
      hub.attach(res)
      return
    }
    if (guarded) {
      if (await handleGetAlias(res, path, url)) return
      return sendError(res, 404, `no such endpoint: ${path}`)
    }
    const found = await lookupStatic(staticDir, path)
    if (found.kind === 'forbidden') return sendError(res, 403, 'forbidden path')
    if (found.kind === 'not-found') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('not found\n')
      return
    }
    const cache = path === '/' || path.endsWith('.html') ? 'no-cache' : 'public, max-age=3600'
    res.writeHead(200, {
      'Content-Type': found.contentType,
      'Content-Length': found.body.length,
      'Cache-Control': cache
    })
    res.end(req.method === 'HEAD' ? undefined : found.body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.log('error', `request ${req.method} ${req.url} failed: ${errorText(e)}`)
      if (!res.headersSent) sendError(res, 500, 'internal error')
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 5_000
  server.headersTimeout = 10_000

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen)
    server.listen(port, host, () => {
      server.off('error', rejectListen)
      resolveListen()
    })
  })
  const address = server.address() as AddressInfo
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${urlHost}:${address.port}/`,
    port: address.port,
    close: async () => {
      hub.close()
      await new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      })
    }
  }
}
