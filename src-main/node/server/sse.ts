/**
 * Server-Sent Events fan-out for `GET /api/events`.
 *
 * One hub subscribes to every event channel of the engine service while at least one client is connected
 * (so an agent nobody watches does not build events, such as readiness reports, for no one) and writes each
 * event to every connected client as an SSE event named after the channel. Backpressure is per client: when a socket's
 * write buffer is full, events are not queued without bound; only the latest pending payload per channel
 * is kept (later samples replace earlier ones) and written when the socket drains. Heartbeat comments keep
 * proxies and idle timeouts from closing quiet streams.
 */
import type { ServerResponse } from 'node:http'
import { EVENT_CHANNELS, type EventChannel } from '../../shared/ipc-contract'
import type { EngineService } from '../service-types'

/** Options for the hub. */
export interface SseHubOptions {
  /** Interval between heartbeat comments (ms). */
  heartbeatMs?: number
  /** Client reconnect delay announced with `retry:` (ms). */
  retryMs?: number
}

/** A connected client's counters (for tests and diagnostics). */
export interface SseClientStats {
  sent: number
  /** Events replaced by a newer one of the same channel while the socket was congested. */
  dropped: number
}

/** The SSE fan-out. */
export interface SseHub {
  /** Takes over `res` as an event stream until the client goes away or the hub closes. */
  attach(res: ServerResponse): SseClientStats
  /** Number of connected clients. */
  clientCount(): number
  /** Ends every stream and unsubscribes from the service. */
  close(): void
}

interface Client {
  res: ServerResponse
  congested: boolean
  pending: Map<EventChannel, string>
  stats: SseClientStats
}

/** Formats one SSE event; JSON has no raw newlines, so a single `data:` line is enough. */
export function formatSseEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`
}

/** Creates the hub; it subscribes to the service's event channels while clients are connected. */
export function createSseHub(service: EngineService, options: SseHubOptions = {}): SseHub {
  const heartbeatMs = options.heartbeatMs ?? 15_000
  const retryMs = options.retryMs ?? 2_000
  const clients = new Set<Client>()

  const write = (client: Client, text: string): void => {
    if (client.res.writableEnded || client.res.destroyed) return
    const flushed = client.res.write(text)
    if (!flushed) client.congested = true
  }

  const deliver = (channel: EventChannel, payload: unknown): void => {
    if (clients.size === 0) return
    const data = JSON.stringify(payload)
    for (const client of clients) {
      if (client.congested) {
        if (client.pending.has(channel)) client.stats.dropped++
        client.pending.set(channel, data)
        continue
      }
      write(client, formatSseEvent(channel, data))
      client.stats.sent++
    }
  }

  let unsubscribers: (() => void)[] = []
  const subscribe = (): void => {
    if (unsubscribers.length > 0) return
    unsubscribers = EVENT_CHANNELS.map((channel) =>
      service.on(channel, (payload: unknown) => deliver(channel, payload))
    )
  }
  const unsubscribe = (): void => {
    for (const off of unsubscribers) off()
    unsubscribers = []
  }

  const heartbeat = setInterval(() => {
    for (const client of clients)
      if (!client.congested) write(client, `: heartbeat ${Date.now()}\n\n`)
  }, heartbeatMs)
  heartbeat.unref()

  return {
    attach(res) {
      const client: Client = {
        res,
        congested: false,
        pending: new Map(),
        stats: { sent: 0, dropped: 0 }
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no'
      })
      res.socket?.setNoDelay(true)
      write(client, `retry: ${retryMs}\n: connected\n\n`)
      res.on('drain', () => {
        client.congested = false
        const pending = [...client.pending]
        client.pending.clear()
        for (const [channel, data] of pending) {
          write(client, formatSseEvent(channel, data))
          client.stats.sent++
        }
      })
      const remove = (): void => {
        clients.delete(client)
        if (clients.size === 0) unsubscribe()
      }
      res.on('close', remove)
      res.on('error', remove)
      clients.add(client)
      subscribe()
      return client.stats
    },
    clientCount() {
      return clients.size
    },
    close() {
      clearInterval(heartbeat)
      unsubscribe()
      for (const client of clients) client.res.end()
      clients.clear()
    }
  }
}
