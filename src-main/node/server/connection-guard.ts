/**
 * Connection accounting and timeouts for the agent, below HTTP.
 *
 * Every TCP connection is counted from accept. A connection must deliver a complete request head within
 * `headersTimeoutMs` of connecting (or of its previous response, shortened to `keepAliveTimeoutMs`), and
 * a complete body within `requestTimeoutMs` of its head; otherwise it gets 408 (when nothing was written
 * yet) and is closed. These timers are ours rather than Node's `headersTimeout`/`requestTimeout`, whose
 * checks run only on a server that listens itself (the agent's TLS front hands sockets over instead).
 *
 * Caps, after node_exporter's `--web.max-requests` and Go's connection limits:
 * - up to `maxConnections` connections are served normally;
 * - the next `reserveConnections` are "overflow": they are served only for authorised scrapes
 *   (the HTTP layer asks {@link ConnectionGuard.isOverflow}) and get 503 otherwise;
 * - beyond both, the oldest connection that is neither handling a request nor streaming is closed to make
 *   room (sockets that send nothing cannot lock the agent out), and only when there is none does the new
 *   connection get a raw 503 and close.
 *
 * Entries are keyed by the peer's address and port, which is also what a TLS socket reports, so plain and
 * TLS connections share one table without reaching into socket internals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { ServerLimits } from './limits'

type GuardLimits = Pick<
  ServerLimits,
  | 'headersTimeoutMs'
  | 'requestTimeoutMs'
  | 'keepAliveTimeoutMs'
  | 'idleTimeoutMs'
  | 'maxConnections'
  | 'reserveConnections'
>

interface Entry {
  raw: Socket
  /** Serving a request right now. */
  busy: boolean
  /** Taken over by an event stream: no request timers, never evicted for room. */
  stream: boolean
  /** Accepted beyond `maxConnections`. */
  overflow: boolean
  /** Speaks plain HTTP on the raw socket (a 408 can be written there); false for TLS. */
  plain: boolean
  timer: ReturnType<typeof setTimeout> | null
}

/** Counters for diagnostics, tests and the bench. */
export interface ConnectionGuardStats {
  open: number
  /** Connections answered with a raw 503 because every slot was busy. */
  refused: number
  /** Idle connections closed to make room for new ones. */
  evicted: number
  /** Connections closed for a header, body or keep-alive timeout. */
  timedOut: number
}

/** The guard. */
export interface ConnectionGuard {
  /** Registers a new raw connection; returns false when it was refused (already answered and closed). */
  accept(raw: Socket, options: { plain: boolean }): boolean
  /** Called by the HTTP layer for every request; arms the body timer and marks the connection busy. */
  onRequest(req: IncomingMessage, res: ServerResponse): void
  /** The connection carries an event stream from now on. */
  markStream(req: IncomingMessage): void
  /** True when the request's connection was accepted beyond `maxConnections`. */
  isOverflow(req: IncomingMessage): boolean
  stats(): ConnectionGuardStats
  /** Destroys every connection and clears the timers. */
  closeAll(): void
}

function rawStatus(status: 408 | 503, text: string): string {
  const reason = status === 408 ? 'Request Timeout' : 'Service Unavailable'
  const body = `${text}\n`
  const retry = status === 503 ? 'Retry-After: 1\r\n' : ''
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${retry}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}
function keyOf(socket: { remoteAddress?: string; remotePort?: number }): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`
}

/** Creates a guard with the given limits. */
export function createConnectionGuard(limits: GuardLimits): ConnectionGuard {
  // Map iteration order is insertion order: the first idle entry found is the oldest.
  const entries = new Map<string, Entry>()
  const stats = { refused: 0, evicted: 0, timedOut: 0 }

  const clearTimer = (e: Entry): void => {
    if (e.timer !== null) clearTimeout(e.timer)
    e.timer = null
  }
  const arm = (e: Entry, ms: number, onFire: () => void): void => {
    clearTimer(e)
    e.timer = setTimeout(onFire, ms)
    e.timer.unref()
  }
  const expire = (e: Entry, writeRaw408: boolean): void => {
    stats.timedOut++
    if (writeRaw408 && e.plain && !e.raw.destroyed) {
      e.raw.end(rawStatus(408, 'request not received in time'))
      // A client that never reads must not keep the socket either.
      setTimeout(() => e.raw.destroy(), 1000).unref()
    } else e.raw.destroy()
  }

  const evictOne = (): boolean => {
    for (const e of entries.values()) {
      if (!e.busy && !e.stream) {
        stats.evicted++
        e.raw.destroy()
        return true
      }
    }
    return false
  }

  return {
    accept(raw, { plain }) {
      const hardCap = limits.maxConnections + limits.reserveConnections
      if (entries.size >= hardCap && !evictOne()) {
        stats.refused++
        raw.end(rawStatus(503, 'too many connections; try again shortly'))
        setTimeout(() => raw.destroy(), 1000).unref()
        return false
      }
      const key = keyOf(raw)
      const entry: Entry = {
        raw,
        busy: false,
        stream: false,
        overflow: entries.size >= limits.maxConnections,
        plain,
        timer: null
      }
      entries.set(key, entry)
      raw.setTimeout(limits.idleTimeoutMs, () => raw.destroy())
      arm(entry, limits.headersTimeoutMs, () => expire(entry, true))
      raw.once('close', () => {
        clearTimer(entry)
        if (entries.get(key) === entry) entries.delete(key)
      })
      return true
    },
    onRequest(req, res) {
      const e = entries.get(keyOf(req.socket))
      if (e === undefined) return
      e.busy = true
      if (!req.complete)
        arm(e, limits.requestTimeoutMs, () => {
          if (req.complete) return
          stats.timedOut++
          if (!res.headersSent) {
            res.writeHead(408, {
              'Content-Type': 'application/json; charset=utf-8',
              Connection: 'close'
            })
            res.end(JSON.stringify({ ok: false, error: 'request body not received in time' }))
            setTimeout(() => e.raw.destroy(), 1000).unref()
          } else e.raw.destroy()
        })
      else clearTimer(e)
      res.once('finish', () => {
        e.busy = false
        if (e.stream) return
        arm(e, limits.keepAliveTimeoutMs, () => expire(e, false))
      })
      res.once('close', () => {
        e.busy = false
      })
    },
    markStream(req) {
      const e = entries.get(keyOf(req.socket))
      if (e === undefined) return
      e.stream = true
      clearTimer(e)
    },
    isOverflow(req) {
      return entries.get(keyOf(req.socket))?.overflow ?? false
    },
    stats() {
      return { open: entries.size, ...stats }
    },
    closeAll() {
      for (const e of entries.values()) {
        clearTimer(e)
        e.raw.destroy()
      }
      entries.clear()
    }
  }
}
