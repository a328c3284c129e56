import { describe, expect, it, vi } from 'vitest'
import { serveEngine, type ParentPortLike } from '../../../src-main/node/engine-host'
import type { EngineService, InvokeHandlers } from '../../../src-main/node/service-types'
import { INVOKE_CHANNELS } from '../../../src-main/shared/ipc-contract'

function fakePort() {
  let listener: ((e: { data: unknown }) => void) | null = null
  const posted: Record<string, unknown>[] = []
  const port: ParentPortLike = {
    on: (_event, l) => (listener = l),
    postMessage: (m) => posted.push(m as Record<string, unknown>)
  }
  return { port, posted, send: (data: unknown) => listener!({ data }) }
}

function fakeService() {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const handlers = Object.fromEntries(
    INVOKE_CHANNELS.map((c) => [c, vi.fn(async () => `value of ${c}`)])
  ) as unknown as InvokeHandlers
  const service: EngineService = {
    handlers,
    on: (channel, l) => {
      const set = listeners.get(channel) ?? new Set()
      listeners.set(channel, set)
      set.add(l as (p: unknown) => void)
      return () => set.delete(l as (p: unknown) => void)
    },
    close: vi.fn(async () => {})
  }
  const emit = (channel: string, payload: unknown) =>
    listeners.get(channel)?.forEach((l) => l(payload))
  return { service, handlers, emit, listeners }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('engine-host', () => {
  it('creates the service from init options and reports ready', async () => {
    const { port, posted, send } = fakePort()
    const { service } = fakeService()
    const createService = vi.fn(async () => service)
    serveEngine(port, { createService, exit: vi.fn() })
    send({ type: 'init', options: { replayFile: 'run.ndjson', intervalMs: 1000 } })
    await flush()
    expect(createService).toHaveBeenCalledWith({ replayFile: 'run.ndjson', intervalMs: 1000 })
    expect(posted).toEqual([{ type: 'ready' }])
  })

  it('answers invoke requests, including ones sent before the service was ready', async () => {
    const { port, posted, send } = fakePort()
    const { service, handlers } = fakeService()
    serveEngine(port, { createService: async () => service, exit: vi.fn() })
    send({ type: 'init', options: {} })
    send({ type: 'invoke', id: 4, channel: 'report:export', args: ['json'] })
    await flush()
    expect(handlers['report:export']).toHaveBeenCalledWith('json')
    expect(posted).toContainEqual({
      type: 'result',
      id: 4,
      ok: true,
      value: 'value of report:export'
    })
  })

  it('rejects malformed arguments with an ArgumentError payload', async () => {
    const { port, posted, send } = fakePort()
    const { service, handlers } = fakeService()
    serveEngine(port, { createService: async () => service, exit: vi.fn() })
    send({ type: 'init', options: {} })
    send({
      type: 'invoke',
      id: 1,
      channel: 'telemetry:get-history',
      args: [{ windowMs: 0, maxPoints: 5 }]
    })
    await flush()
    expect(handlers['telemetry:get-history']).not.toHaveBeenCalled()
    expect(posted).toContainEqual({
      type: 'result',
      id: 1,
      ok: false,
      error: {
        name: 'ArgumentError',
        message: 'telemetry:get-history: windowMs must be a positive number ≤ 7 days'
      }
    })
  })

  it('turns a handler failure into an error result', async () => {
    const { port, posted, send } = fakePort()
    const { service, handlers } = fakeService()
    ;(handlers['readiness:get-report'] as ReturnType<typeof vi.fn>).mockRejectedValueOnce(
      new Error('no inventory')
    )
    serveEngine(port, { createService: async () => service, exit: vi.fn() })
    send({ type: 'init', options: {} })
    send({ type: 'invoke', id: 2, channel: 'readiness:get-report', args: [] })
    await flush()
    expect(posted).toContainEqual({
      type: 'result',
      id: 2,
      ok: false,
      error: { name: 'Error', message: 'no inventory' }
    })
  })

  it('reports a failed start as fatal and fails later requests', async () => {
    const { port, posted, send } = fakePort()
    serveEngine(port, {
      createService: async () => Promise.reject(new Error('sysfs root missing')),
      exit: vi.fn()
    })
    send({ type: 'init', options: { sysRoot: '/nope' } })
    send({ type: 'invoke', id: 3, channel: 'settings:get', args: [] })
    await flush()
    expect(posted).toContainEqual({
      type: 'fatal',
      error: { name: 'Error', message: 'sysfs root missing' }
    })
    expect(posted).toContainEqual({
      type: 'result',
      id: 3,
      ok: false,
      error: { name: 'Error', message: 'sysfs root missing' }
    })
  })

  it('forwards engine events to the main process', async () => {
    const { port, posted, send } = fakePort()
    const { service, emit } = fakeService()
    serveEngine(port, { createService: async () => service, exit: vi.fn() })
    send({ type: 'init', options: {} })
    await flush()
    emit('telemetry:did-sample', { seq: 9 })
    expect(posted).toContainEqual({
      type: 'event',
      channel: 'telemetry:did-sample',
      payload: { seq: 9 }
    })
  })

  it('drops malformed messages and unknown channels', async () => {
    const { port, posted, send } = fakePort()
    const warn = vi.fn()
    serveEngine(port, { createService: async () => fakeService().service, exit: vi.fn(), warn })
    send('nonsense')
    send({ type: 'invoke', id: 1, channel: 'shell:exec', args: [] })
    await flush()
    expect(posted).toEqual([])
    expect(warn).toHaveBeenCalledTimes(2)
  })

  it('closes the service, unsubscribes and exits on shutdown', async () => {
    const { port, send } = fakePort()
    const { service, listeners } = fakeService()
    const exit = vi.fn()
    serveEngine(port, { createService: async () => service, exit })
    send({ type: 'init', options: {} })
    await flush()
    send({ type: 'shutdown' })
    await flush()
    expect(service.close).toHaveBeenCalled()
    expect([...listeners.values()].every((s) => s.size === 0)).toBe(true)
    expect(exit).toHaveBeenCalledWith(0)
  })
})
