import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import { createMainWindow } from '../../../src-main/electron-main/window'
import { BrowserWindow } from './fake-electron'

describe('window', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rigready-win-'))
    BrowserWindow.created.length = 0
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('creates the window with the secure web preferences and the preload', async () => {
    await createMainWindow({
      preloadPath: '/app/out/preload/index.cjs',
      entryUrl: 'rigready://app/index.html',
      stateFile: join(dir, 's.json')
    })
    const win = BrowserWindow.created[0]
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      preload: '/app/out/preload/index.cjs'
    })
    expect(win.options.show).toBe(false)
    expect(win.loadedUrl).toBe('rigready://app/index.html')
  })

  it('restores the saved bounds and maximised state', async () => {
    const stateFile = join(dir, 'window-state.json')
    await writeFile(
      stateFile,
      JSON.stringify({ x: 40, y: 30, width: 1500, height: 950, maximized: true })
    )
    const win = (await createMainWindow({
      preloadPath: 'p',
      entryUrl: 'rigready://app/index.html',
      stateFile
    })) as unknown as BrowserWindow
    expect(win.options).toMatchObject({ x: 40, y: 30, width: 1500, height: 950 })
    expect(win.maximized).toBe(true)
  })
})
