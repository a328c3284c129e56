import { EventEmitter } from 'node:events'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import {
  createEngineClient,
  type EngineChild,
  type EngineClient
} from '../../../src-main/electron-main/engine-client'
import { ArgumentError } from '../../../src-main/shared/ipc-validate'

class FakeChild extends EventEmitter implements EngineChild {
  posted: Record<string, unknown>[] = []
  killed = false
  postMessage(message: unknown): void {
    this.posted.push(message as Record<string, unknown>)
  }
  kill(): boolean {
    this.killed = true
    return true
  }
  reply(message: unknown): void {
    this.emit('message', message)
  }
  lastInvoke(): { id: number; channel: string; args: unknown[] } {
    return this.posted.filter((m) => m.type === 'invoke').at(-1) as never
  }
}

interface Timer {
  fn: () => void
  ms: number
  cleared: boolean
}

describe('engine-client', () => {
  let children: FakeChild[]
  let timers: Timer[]
  let client: EngineClient
  const warn = vi.fn()

  const runTimers = (ms: number) => {
    for (const t of timers.filter((x) => !x.cleared && x.ms === ms)) {
      t.cleared = true
      t.fn()
    }
  }

  beforeEach(() => {
    children = []
    timers = []
    warn.mockReset()
    client = createEngineClient({
      fork: () => {
        const c = new FakeChild()
        children.push(c)
        return c
      },
      hostOptions: { replayFile: 'session.ndjson' },
      requestTimeoutMs: 30_000,
      restartDelayMs: 1000,
      maxConsecutiveCrashes: 2,
      shutdownTimeoutMs: 5000,
      setTimer: (fn, ms) => {
        const t = { fn, ms, cleared: false }
        timers.push(t)
        return t
      },
      clearTimer: (h) => void ((h as Timer).cleared = true),
      warn
    })
  })

  it('sends init with the engine options first', () => {
    expect(children).toHaveLength(1)
    expect(children[0].posted[0]).toEqual({
      type: 'init',
      options: { replayFile: 'session.ndjson' }
    })
  })

  it('resolves ready when the host reports ready', async () => {
    children[0].reply({ type: 'ready' })
    await expect(client.ready).resolves.toBeUndefined()
  })

  it('matches results to requests by id', async () => {
    const a = client.handlers['settings:get']()
    const first = children[0].lastInvoke()
    const b = client.handlers['report:export']('json')
    const second = children[0].lastInvoke()
    expect(second).toMatchObject({ channel: 'report:export', args: ['json'] })
    children[0].reply({ type: 'result', id: second.id, ok: true, value: '{}' })
    children[0].reply({ type: 'result', id: first.id, ok: true, value: { theme: 'dark' } })
    await expect(a).resolves.toEqual({ theme: 'dark' })
    await expect(b).resolves.toBe('{}')
  })

  it('turns an ArgumentError from the host back into an ArgumentError', async () => {
    const p = client.handlers['report:export']('json')
    children[0].reply({
      type: 'result',
      id: children[0].lastInvoke().id,
      ok: false,
      error: {
        name: 'ArgumentError',
        message: 'report:export: format must be "markdown" or "json"'
      }
    })
    await expect(p).rejects.toBeInstanceOf(ArgumentError)
  })

  it('rejects a request the host never answers after the timeout', async () => {
    const p = client.handlers['readiness:get-report']()
    runTimers(30_000)
    await expect(p).rejects.toThrow('did not answer within 30000 ms')
  })

  it('forwards events to subscribers until they unsubscribe', () => {
    const listener = vi.fn()
    const off = client.on('telemetry:did-sample', listener)
    children[0].reply({ type: 'event', channel: 'telemetry:did-sample', payload: { seq: 1 } })
    off()
    children[0].reply({ type: 'event', channel: 'telemetry:did-sample', payload: { seq: 2 } })
    expect(listener.mock.calls).toEqual([[{ seq: 1 }]])
  })

  it('drops malformed messages from the host', () => {
    const listener = vi.fn()
    client.on('telemetry:did-sample', listener)
    children[0].reply({ type: 'event', channel: 'shell:exec', payload: {} })
    children[0].reply('garbage')
    expect(listener).not.toHaveBeenCalled()
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('malformed'))
  })

  it('rejects pending calls when the host dies and restarts it after a backoff', async () => {
    children[0].reply({ type: 'ready' })
    const p = client.handlers['settings:get']()
    children[0].emit('exit', 1)
    await expect(p).rejects.toThrow('engine stopped (exit code 1)')
    await expect(client.handlers['settings:get']()).rejects.toThrow('restarting')
    expect(children).toHaveLength(1)
    runTimers(1000)
    expect(children).toHaveLength(2)
    expect(children[1].posted[0]).toMatchObject({ type: 'init' })
  })

  it('doubles the backoff and gives up after repeated crashes', async () => {
    children[0].emit('exit', 1)
    runTimers(1000)
    children[1].emit('exit', 1)
    runTimers(2000)
    children[2].emit('exit', 1)
    expect(timers.filter((t) => !t.cleared)).toHaveLength(0)
    await expect(client.ready).rejects.toThrow('not restarting')
    await expect(client.handlers['settings:get']()).rejects.toThrow('not restarting')
  })

  it('reports a start failure through ready and rejects calls', async () => {
    children[0].reply({ type: 'fatal', error: { name: 'Error', message: 'replay file not found' } })
    await expect(client.ready).rejects.toThrow('replay file not found')
  })

  it('asks the host to shut down and resolves when it exits', async () => {
    const closed = client.close()
    expect(children[0].posted.at(-1)).toEqual({ type: 'shutdown' })
    children[0].emit('exit', 0)
    await expect(closed).resolves.toBeUndefined()
    expect(children[0].killed).toBe(false)
    expect(children).toHaveLength(1)
  })

  it('kills a host that does not exit after shutdown', async () => {
    const closed = client.close()
    runTimers(5000)
    await closed
    expect(children[0].killed).toBe(true)
  })
})
