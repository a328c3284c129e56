import { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import { startApp } from '../../../src-main/electron-main/app'
import { INVOKE_CHANNELS } from '../../../src-main/shared/ipc-contract'
import { APP_SCHEME } from '../../../src-main/electron-main/renderer-protocol'
import {
  BrowserWindow,
  Tray,
  app,
  ipcMain,
  protocol,
  session,
  utilityProcess
} from './fake-electron'

class FakeChild extends EventEmitter {
  posted: Record<string, unknown>[] = []
  postMessage(m: unknown) {
    this.posted.push(m as Record<string, unknown>)
  }
  kill() {
    return true
  }
}

describe('app', () => {
  let dir: string
  const child = new FakeChild()

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rigready-app-'))
    app.userData = dir
    utilityProcess.fork.mockImplementation(() => child)
    await startApp({ mainDir: '/opt/rigready/out/main' }, [
      'rigready-app',
      '--replay',
      'run.ndjson'
    ])
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('takes the single-instance lock and installs the CSP, permission handlers and app scheme', () => {
    expect(app.requestSingleInstanceLock).toHaveBeenCalled()
    expect(session.defaultSession.webRequest.onHeadersReceived).toHaveBeenCalled()
    expect(session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled()
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalled()
    expect(protocol.handle).toHaveBeenCalledWith(APP_SCHEME, expect.any(Function))
  })

  it('forks the built engine host with the command-line engine options', () => {
    expect(utilityProcess.fork.mock.calls[0][0]).toBe(
      join('/opt/rigready/out/main', 'engine-host.js')
    )
    expect(child.posted[0]).toEqual({
      type: 'init',
      options: { replayFile: 'run.ndjson', version: '0.1.0' }
    })
  })

  it('registers a handler for every invoke channel', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it('loads the renderer from the app scheme with the built preload', () => {
    const win = BrowserWindow.created[0]
    expect(win.loadedUrl).toBe(`${APP_SCHEME}://app/index.html`)
    expect((win.options.webPreferences as { preload: string }).preload).toBe(
      join('/opt/rigready/out/main', '../preload/index.cjs')
    )
  })

  it('forwards calls from the window to the engine and answers them', async () => {
    const win = BrowserWindow.created[0]
    const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame }
    const pending = ipcMain.handlers.get('report:export')!(event, 'json') as Promise<unknown>
    const invoke = child.posted.find((m) => m.type === 'invoke' && m.channel === 'report:export')!
    expect(invoke.args).toEqual(['json'])
    child.emit('message', { type: 'result', id: invoke.id, ok: true, value: '{"ok":1}' })
    await expect(pending).resolves.toBe('{"ok":1}')
  })

  it('rejects the same call from a webContents that is not the app window', async () => {
    const stranger = new (await import('./fake-electron')).FakeWebContents()
    const event = { sender: stranger, senderFrame: stranger.mainFrame }
    await expect(
      Promise.resolve().then(() => ipcMain.handlers.get('settings:get')!(event))
    ).rejects.toThrow('untrusted sender')
  })

  it('pushes engine events to the window and the tray', () => {
    const win = BrowserWindow.created[0]
    const snapshot = {
      schemaVersion: 1,
      seq: 3,
      timestampMs: 0,
      cpu: {
        status: 'ok',
        value: {
          packageTemperatureCelsius: { status: 'ok', value: 77 },
          packageThrottle: { status: 'unavailable', reason: 'unsupported' }
        }
      },
      memory: { status: 'unavailable', reason: 'unsupported' },
      gpus: [],
      storage: { status: 'unavailable', reason: 'unsupported' },
      thermal: { status: 'unavailable', reason: 'unsupported' },
      power: { status: 'unavailable', reason: 'unsupported' },
      health: []
    }
    child.emit('message', { type: 'event', channel: 'telemetry:did-sample', payload: snapshot })
    expect(win.webContents.sent.at(-1)).toEqual({
      channel: 'telemetry:did-sample',
      args: [snapshot]
    })
    expect(Tray.instances.at(-1)!.title).toBe('77°C')
  })

  it('shuts the engine down before quitting', () => {
    const event = { preventDefault: vi.fn() }
    app.emit('before-quit', event)
    expect(event.preventDefault).toHaveBeenCalled()
    expect(child.posted.at(-1)).toEqual({ type: 'shutdown' })
    expect(ipcMain.handlers.size).toBe(0)
  })
})

describe('app (second instance)', () => {
  it('quits without opening anything when another instance holds the lock', async () => {
    app.singleInstance = false
    app.quit.mockClear()
    const windows = BrowserWindow.created.length
    await startApp({ mainDir: '/x' }, [])
    expect(app.quit).toHaveBeenCalled()
    expect(BrowserWindow.created.length).toBe(windows)
    app.singleInstance = true
  })
})
