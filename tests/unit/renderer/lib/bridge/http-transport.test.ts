import { describe, expect, it } from 'vitest'
import { createHttpBridge } from '../../../../../src-renderer/src/lib/bridge/http-transport'

class FakeEventSource {
  static instances: FakeEventSource[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  listeners = new Map<string, (e: { data: string }) => void>()
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this)
  }
  addEventListener(name: string, fn: (e: { data: string }) => void): void {
    this.listeners.set(name, fn)
  }
  close(): void {
    this.readyState = 2
  }
}

function fakeFetch(calls: { url: string; headers: Record<string, string> }[], tokenOk: string) {
  return (async (input: URL | string, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>
    calls.push({ url: String(input), headers })
    if (headers.Authorization !== `Bearer ${tokenOk}`)
      return new Response(JSON.stringify({ ok: false, error: 'credentials required' }), {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="rigready"' }
      })
    return new Response(JSON.stringify({ ok: true, value: { face: 'serve' } }), { status: 200 })
  }) as typeof fetch
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('http-transport', () => {
  it('never puts the token in a URL: it trades it for an event-stream cookie first', async () => {
    FakeEventSource.instances = []
    const calls: { url: string; headers: Record<string, string> }[] = []
    const bridge = createHttpBridge({
      baseUrl: 'http://agent:7878/',
      token: 'correct-horse-battery',
      fetchImpl: fakeFetch(calls, 'correct-horse-battery'),
      eventSourceImpl: FakeEventSource as unknown as typeof EventSource
    })
    bridge.on('telemetry:did-sample', () => {})
    await tick()
    await tick()
    expect(calls[0]!.url).toBe('http://agent:7878/api/events/session')
    expect(calls[0]!.headers.Authorization).toBe('Bearer correct-horse-battery')
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(FakeEventSource.instances[0]!.url).toBe('http://agent:7878/api/events')
    await bridge.invoke('app:get-info')
    expect(calls.every((c) => !c.url.includes('token'))).toBe(true)
    bridge.close()
  })

  it('reopens a stream the agent refused, with a new cookie', async () => {
    FakeEventSource.instances = []
    const calls: { url: string; headers: Record<string, string> }[] = []
    const bridge = createHttpBridge({
      baseUrl: 'http://agent:7878/',
      token: 'correct-horse-battery',
      fetchImpl: fakeFetch(calls, 'correct-horse-battery'),
      eventSourceImpl: FakeEventSource as unknown as typeof EventSource,
      reopenMs: 1
    })
    bridge.on('telemetry:did-sample', () => {})
    await tick()
    await tick()
    const first = FakeEventSource.instances[0]!
    first.readyState = 2
    first.onerror?.()
    await new Promise((r) => setTimeout(r, 10))
    expect(FakeEventSource.instances).toHaveLength(2)
    expect(calls.filter((c) => c.url.endsWith('/api/events/session'))).toHaveLength(2)
    bridge.close()
  })

  it('asks for the token once on a bearer 401 and keeps the accepted one', async () => {
    const calls: { url: string; headers: Record<string, string> }[] = []
    const kept: string[] = []
    let asked = 0
    const bridge = createHttpBridge({
      baseUrl: 'http://agent:7878/',
      fetchImpl: fakeFetch(calls, 'the-right-token-value'),
      eventSourceImpl: FakeEventSource as unknown as typeof EventSource,
      askToken: () => (asked++, ' the-right-token-value '),
      onToken: (t) => kept.push(t)
    })
    await expect(bridge.invoke('app:get-info')).resolves.toEqual({ face: 'serve' })
    expect(asked).toBe(1)
    expect(kept).toEqual(['the-right-token-value'])
    bridge.close()
  })
})
