import { beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'

vi.mock('electron', async () => await import('../electron-main/fake-electron'))

import type { HistoryRequest, Settings, WindowApi } from '../../../src-main/shared/ipc-contract'
import type { Snapshot } from '../../../src-main/shared/telemetry'
import { contextBridge, ipcRenderer } from '../electron-main/fake-electron'

let api: WindowApi

describe('preload', () => {
  beforeAll(async () => {
    await import('../../../src-main/preload/index')
    api = contextBridge.exposed.get('api') as WindowApi
  })
  beforeEach(() => {
    ipcRenderer.invoke.mockClear()
  })

  it('exposes exactly window.api with invoke and on', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['api'])
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on'])
  })

  it('forwards contract channels to ipcRenderer.invoke with their arguments', async () => {
    const req: HistoryRequest = { windowMs: 60_000, maxPoints: 60 }
    await expect(api.invoke('telemetry:get-history', req)).resolves.toBe('invoked')
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('telemetry:get-history', req)
  })

  it('rejects channels outside the allowlist without touching IPC', async () => {
    await expect((api.invoke as (c: string) => Promise<unknown>)('shell:open')).rejects.toThrow(
      'unknown invoke channel'
    )
    await expect(
      (api.invoke as (c: unknown) => Promise<unknown>)({ toString: () => 'settings:get' })
    ).rejects.toThrow()
    expect(ipcRenderer.invoke).not.toHaveBeenCalled()
  })

  it('subscribes to event channels without leaking the IPC event, and unsubscribes', () => {
    const listener = vi.fn()
    const off = api.on('telemetry:did-sample', listener)
    ipcRenderer.emit('telemetry:did-sample', { seq: 7 })
    expect(listener).toHaveBeenCalledWith({ seq: 7 })
    expect(listener.mock.calls[0]).toHaveLength(1)
    off()
    expect(ipcRenderer.listenerCount('telemetry:did-sample')).toBe(0)
    ipcRenderer.emit('telemetry:did-sample', { seq: 8 })
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('refuses to subscribe to unknown event channels', () => {
    expect(() =>
      (api.on as (c: string, l: () => void) => () => void)('settings:get', () => {})
    ).toThrow('unknown event channel')
  })

  it('has signatures typed from the contract', () => {
    expectTypeOf(api.invoke<'settings:set'>).parameters.toEqualTypeOf<
      ['settings:set', Partial<Settings>]
    >()
    expectTypeOf(api.invoke<'settings:get'>).returns.toEqualTypeOf<Promise<Settings>>()
    expectTypeOf(api.invoke<'telemetry:get-snapshot'>).returns.toEqualTypeOf<
      Promise<Snapshot | null>
    >()
    expectTypeOf(api.on<'telemetry:did-sample'>).parameters.toEqualTypeOf<
      ['telemetry:did-sample', (snapshot: Snapshot) => void]
    >()
    expectTypeOf(api.on<'telemetry:did-sample'>).returns.toEqualTypeOf<() => void>()
    // @ts-expect-error unknown channels do not type-check
    void (() => api.invoke('shell:exec'))
    // @ts-expect-error wrong argument types do not type-check
    void (() => api.invoke('report:export', 'pdf'))
  })
})
