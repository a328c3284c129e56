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
  write(text: string): boolean {
    this.written.push(text)
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
})
