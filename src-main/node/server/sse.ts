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

/** Bytes of one event written to clients per event-loop turn (1 MiB) before the rest wait a turn. */
const SSE_BYTES_PER_TURN = 1024 * 1024

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

  const write = (client: Client, text: string | Buffer): void => {
    if (client.res.writableEnded || client.res.destroyed) return
    const flushed = client.res.write(text)
    if (!flushed) client.congested = true
  }

  // An event is serialised and encoded once, then the same bytes go to every client; a large one (a
  // readiness report to a hundred clients is megabytes) is written a batch per event-loop turn, so scrapes
  // and samples are answered in between. Events queue behind one being written: each client receives them
  // in order.
  interface Job {
    channel: EventChannel
    data: string
    frame: Buffer
    targets: Client[]
    next: number
  }
  const queue: Job[] = []
  let scheduled = false
  const pump = (): void => {
    scheduled = false
    let written = 0
    while (queue.length > 0) {
      const job = queue[0]!
      for (; job.next < job.targets.length; job.next++) {
        if (written >= SSE_BYTES_PER_TURN) {
          scheduled = true
          setImmediate(pump)
          return
        }
        const client = job.targets[job.next]!
        if (!clients.has(client)) continue
        if (client.congested) {
          if (client.pending.has(job.channel)) client.stats.dropped++
          client.pending.set(job.channel, job.data)
          continue
        }
        write(client, job.frame)
        client.stats.sent++
        written += job.frame.length
      }
      queue.shift()
    }
  }
  const deliver = (channel: EventChannel, payload: unknown): void => {
    if (clients.size === 0) return
    const data = JSON.stringify(payload)
    const frame = Buffer.from(formatSseEvent(channel, data))
    // A queued event not yet begun is replaced by a newer one of its channel (latest wins, as for a
    // congested client), so the queue holds at most one waiting event per channel.
    const waiting = queue.findIndex((j, k) => k > 0 && j.channel === channel)
    const job = { channel, data, frame, targets: [...clients], next: 0 }
    if (waiting > 0) queue[waiting] = job
    else queue.push(job)
    if (!scheduled) pump()
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
