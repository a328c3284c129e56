import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createSseHub, formatSseEvent } from '../../../../src-main/node/server/sse'
import { createFakeService } from '../../../helpers/fake-service'

/** A response whose write buffer reports full until `drain()` is called. */
class FakeResponse extends EventEmitter {
  written: string[] = []
  full = false
  writableEnded = false
  destroyed = false
  socket = null
  writeHead(): this {
    return this
  }
  write(text: string | Buffer): boolean {
    this.written.push(String(text))
    return !this.full
  }
  end(): void {
    this.writableEnded = true
    this.emit('close')
  }
  drain(): void {
    this.full = false
    this.emit('drain')
  }
}

describe('sse', () => {
  it('formats an event with its name and one data line', () => {
    expect(formatSseEvent('telemetry:did-sample', '{"a":1}')).toBe(
      'event: telemetry:did-sample\ndata: {"a":1}\n\n'
    )
  })

  it('keeps only the latest pending sample for a congested client instead of buffering every one', () => {
    const service = createFakeService({ historySeconds: 1 })
    const hub = createSseHub(service, { heartbeatMs: 60_000 })
    const res = new FakeResponse()
    const stats = hub.attach(res as unknown as ServerResponse)
    res.full = true
    service.tick() // written, but the buffer now reports full
    const before = res.written.length
    for (let i = 0; i < 100; i++) service.tick()
    expect(res.written.length).toBe(before)
    expect(stats.dropped).toBe(99)
    res.drain()
    expect(res.written.length).toBe(before + 1)
    const last = res.written.at(-1)!
    expect(JSON.parse(last.split('\n')[1]!.slice(6)).seq).toBe(101)
    hub.close()
  })

  it('forgets clients that disconnect and unsubscribes on close', () => {
    const service = createFakeService({ historySeconds: 1 })
    const hub = createSseHub(service, { heartbeatMs: 60_000 })
    const a = new FakeResponse()
    hub.attach(a as unknown as ServerResponse)
    expect(hub.clientCount()).toBe(1)
    a.emit('close')
    expect(hub.clientCount()).toBe(0)
    const b = new FakeResponse()
    hub.attach(b as unknown as ServerResponse)
    hub.close()
    expect(b.writableEnded).toBe(true)
    const n = b.written.length
    service.tick()
    expect(b.written.length).toBe(n)
  })

  it('subscribes to the engine only while a client is connected', () => {
    const service = createFakeService({ historySeconds: 1 })
    let live = 0
    const counting = {
      ...service,
      on: ((channel, listener) => {
        live++
        const off = service.on(channel, listener)
        return () => {
          live--
          off()
        }
      }) as typeof service.on
    }
    const hub = createSseHub(counting, { heartbeatMs: 60_000 })
    expect(live).toBe(0)
    const a = new FakeResponse()
    hub.attach(a as unknown as ServerResponse)
    expect(live).toBeGreaterThan(0)
    const subscribed = live
    const b = new FakeResponse()
    hub.attach(b as unknown as ServerResponse)
    expect(live).toBe(subscribed)
    a.emit('close')
    expect(live).toBe(subscribed)
    b.emit('close')
    expect(live).toBe(0)
    hub.close()
  })

  it('writes a large event a batch of clients per turn, each client still in order', async () => {
    const listeners = new Map<string, Set<(p: unknown) => void>>()
    const service = {
      handlers: {},
      on(channel: string, l: (p: unknown) => void) {
        const set = listeners.get(channel) ?? new Set()
        listeners.set(channel, set)
        set.add(l)
        return () => set.delete(l)
      },
      close: async () => {}
    } as unknown as Parameters<typeof createSseHub>[0]
    const emit = (channel: string, payload: unknown): void => {
      for (const l of listeners.get(channel) ?? []) l(payload)
    }
    const hub = createSseHub(service, { heartbeatMs: 60_000 })
    const clients = Array.from({ length: 4 }, () => new FakeResponse())
    for (const c of clients) hub.attach(c as unknown as ServerResponse)
    const before = clients.map((c) => c.written.length)
    // 600 kB each: two clients per 1 MiB turn.
    emit('readiness:did-update', { blob: 'x'.repeat(600_000) })
    emit('telemetry:did-sample', { seq: 1 })
    const got = (c: FakeResponse, i: number): string[] =>
      c.written.slice(before[i]).map((t) => t.slice(0, t.indexOf('\n')))
    // This turn: the report to the first two clients; the sample waits behind it.
    expect(got(clients[0]!, 0)).toEqual(['event: readiness:did-update'])
    expect(got(clients[3]!, 3)).toEqual([])
    for (let t = 0; t < 5; t++) await new Promise((r) => setImmediate(r))
    clients.forEach((c, i) =>
      expect(got(c, i)).toEqual(['event: readiness:did-update', 'event: telemetry:did-sample'])
    )
    hub.close()
  })
})
