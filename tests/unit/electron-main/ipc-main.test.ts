import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import type { WebContents } from 'electron'
import {
  createIpcMain,
  send,
  UntrustedSenderError,
  type IpcMainHost
} from '../../../src-main/electron-main/ipc-main'
import { INVOKE_CHANNELS, type InvokeChannel } from '../../../src-main/shared/ipc-contract'
import { ArgumentError } from '../../../src-main/shared/ipc-validate'
import type { InvokeHandlers } from '../../../src-main/node/service-types'
import { CHANNEL_CASES } from '../shared/ipc-validate.cases'
import { FakeWebContents, ipcMain, type FakeFrame } from './fake-electron'

function fakeHandlers(): InvokeHandlers & Record<InvokeChannel, ReturnType<typeof vi.fn>> {
  return Object.fromEntries(
    INVOKE_CHANNELS.map((c) => [c, vi.fn(async () => `result of ${c}`)])
  ) as never
}

function eventFrom(contents: FakeWebContents, frame: FakeFrame | null = contents.mainFrame) {
  return { sender: contents, senderFrame: frame }
}

async function call(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
  const fn = ipcMain.handlers.get(channel)
  if (fn === undefined) throw new Error(`no handler for ${channel}`)
  return await fn(event, ...args)
}

describe('ipc-main', () => {
  let host: IpcMainHost
  let handlers: ReturnType<typeof fakeHandlers>
  let trusted: FakeWebContents
  const warn = vi.fn()

  beforeEach(() => {
    ipcMain.handlers.clear()
    warn.mockReset()
    host = createIpcMain({ isAppUrl: (url) => url.startsWith('rigready://app/'), warn })
    handlers = fakeHandlers()
    host.handleAll(handlers)
    trusted = new FakeWebContents()
    host.trust(trusted as unknown as WebContents)
  })

  it('registers a handler for every invoke channel of the contract', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(host.registeredChannels().sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it.each(INVOKE_CHANNELS.map((c) => [c]))(
    'passes valid arguments for %s to its handler',
    async (channel) => {
      const { valid } = CHANNEL_CASES[channel]
      await expect(call(channel, eventFrom(trusted), ...valid)).resolves.toBe(
        `result of ${channel}`
      )
      expect(handlers[channel]).toHaveBeenCalledWith(...valid)
    }
  )

  it.each(INVOKE_CHANNELS.map((c) => [c]))(
    'rejects malformed arguments for %s without calling it',
    async (channel) => {
      const { malformed, names } = CHANNEL_CASES[channel]
      const result = call(channel, eventFrom(trusted), ...malformed)
      await expect(result).rejects.toBeInstanceOf(ArgumentError)
      await expect(result).rejects.toThrow(names)
      expect(handlers[channel]).not.toHaveBeenCalled()
    }
  )

  it('rejects a call from a webContents that was never trusted', async () => {
    const stranger = new FakeWebContents()
    await expect(call('settings:get', eventFrom(stranger))).rejects.toBeInstanceOf(
      UntrustedSenderError
    )
    expect(handlers['settings:get']).not.toHaveBeenCalled()
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('not trusted'))
  })

  it('rejects a call from a subframe of a trusted window', async () => {
    const sub = { url: 'rigready://app/index.html', parent: trusted.mainFrame }
    await expect(call('settings:get', eventFrom(trusted, sub))).rejects.toBeInstanceOf(
      UntrustedSenderError
    )
  })

  it('rejects a call from a trusted window that navigated away from the app', async () => {
    const frame = { url: 'https://evil.example/', parent: null }
    await expect(call('settings:get', eventFrom(trusted, frame))).rejects.toBeInstanceOf(
      UntrustedSenderError
    )
  })

  it('rejects a call whose frame is gone', async () => {
    await expect(call('settings:get', eventFrom(trusted, null))).rejects.toBeInstanceOf(
      UntrustedSenderError
    )
  })

  it('stops trusting a webContents once it is destroyed', async () => {
    trusted.destroy()
    await expect(call('settings:get', eventFrom(trusted))).rejects.toBeInstanceOf(
      UntrustedSenderError
    )
  })

  it('refuses to register a channel twice', () => {
    expect(() => host.handle('settings:get', async () => ({}) as never)).toThrow('twice')
  })

  it('removes its handlers on dispose', () => {
    host.dispose()
    expect(ipcMain.handlers.size).toBe(0)
  })

  it('broadcasts events to live trusted webContents only', () => {
    const second = new FakeWebContents()
    host.trust(second as unknown as WebContents)
    second.destroyed = true
    host.broadcast('readiness:did-update', { schemaVersion: 1 } as never)
    expect(trusted.sent).toEqual([
      { channel: 'readiness:did-update', args: [{ schemaVersion: 1 }] }
    ])
    expect(second.sent).toEqual([])
  })

  it('send skips a destroyed webContents', () => {
    const c = new FakeWebContents()
    expect(send(c as unknown as WebContents, 'telemetry:did-sample', { seq: 1 } as never)).toBe(
      true
    )
    c.destroyed = true
    expect(send(c as unknown as WebContents, 'telemetry:did-sample', { seq: 2 } as never)).toBe(
      false
    )
    expect(c.sent).toHaveLength(1)
  })
})
