/**
 * A small in-memory stand-in for the `electron` module, used with `vi.mock('electron', …)`.
 * It records what the code under test asked Electron to do.
 */
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

/** A fake frame. */
export interface FakeFrame {
  url: string
  parent: FakeFrame | null
}

let nextContentsId = 1

/** A fake webContents. */
export class FakeWebContents extends EventEmitter {
  id = nextContentsId++
  destroyed = false
  sent: { channel: string; args: unknown[] }[] = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  mainFrame: FakeFrame = { url: 'rigready://app/index.html', parent: null }
  printToPDF = vi.fn(async () => new Uint8Array([0x25, 0x50, 0x44, 0x46]))
  isDestroyed(): boolean {
    return this.destroyed
  }
  destroy(): void {
    this.destroyed = true
    this.emit('destroyed')
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = fn
  }
}

/** A fake BrowserWindow recording its options. */
export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = []
  webContents = new FakeWebContents()
  loadedUrl: string | null = null
  maximized = false
  constructor(public options: Record<string, unknown>) {
    super()
    BrowserWindow.created.push(this)
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url
  }
  maximize(): void {
    this.maximized = true
  }
  isMaximized(): boolean {
    return this.maximized
  }
  isDestroyed(): boolean {
    return false
  }
  getNormalBounds() {
    return { x: 10, y: 20, width: 1000, height: 700 }
  }
  show(): void {}
}

/** Handlers registered through ipcMain.handle. */
export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, fn)
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel)
  }
}

/** ipcRenderer: `invoke` is a spy; `on`/`removeListener` use a real emitter. */
const rendererEmitter = new EventEmitter()
export const ipcRenderer = {
  invoke: vi.fn(async (..._args: unknown[]) => 'invoked'),
  on: vi.fn((channel: string, fn: (...a: unknown[]) => void) => {
    rendererEmitter.on(channel, fn)
    return ipcRenderer
  }),
  removeListener: vi.fn((channel: string, fn: (...a: unknown[]) => void) => {
    rendererEmitter.removeListener(channel, fn)
    return ipcRenderer
  }),
  emit(channel: string, ...args: unknown[]) {
    rendererEmitter.emit(channel, { sender: 'ipc-event' }, ...args)
  },
  listenerCount(channel: string) {
    return rendererEmitter.listenerCount(channel)
  }
}

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld: vi.fn((key: string, value: unknown) => {
    contextBridge.exposed.set(key, value)
  })
}

export const screen = {
  getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }]
}

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn()
}

export const net = { fetch: vi.fn() }
export const utilityProcess = { fork: vi.fn() }
export const shell = { openExternal: vi.fn(async () => {}) }
/** A reversible stand-in for the OS keychain (tests only). */
export const safeStorage = {
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptString: vi.fn((s: string) => Buffer.from(`enc:${Buffer.from(s).toString('base64')}`)),
  decryptString: vi.fn((b: Buffer) => {
    const t = b.toString()
    if (!t.startsWith('enc:')) throw new Error('not encrypted by this keychain')
    return Buffer.from(t.slice(4), 'base64').toString()
  })
}
export const dialog = { showSaveDialog: vi.fn() }
export const nativeImage = { createFromPath: vi.fn((p: string) => ({ path: p })) }
export const Menu = { buildFromTemplate: vi.fn((t: unknown) => t), setApplicationMenu: vi.fn() }

/** A fake Tray recording title and tooltip. */
export class Tray extends EventEmitter {
  static instances: Tray[] = []
  title = ''
  tooltip = ''
  titleCalls = 0
  destroyed = false
  constructor(public image: unknown) {
    super()
    Tray.instances.push(this)
  }
  setTitle(t: string): void {
    this.title = t
    this.titleCalls++
  }
  setToolTip(t: string): void {
    this.tooltip = t
  }
  setContextMenu(): void {}
  isDestroyed(): boolean {
    return this.destroyed
  }
  destroy(): void {
    this.destroyed = true
  }
}

/** A fake app: an emitter with the lifecycle calls the shell uses. */
class FakeApp extends EventEmitter {
  isPackaged = true
  ready = false
  singleInstance = true
  quit = vi.fn()
  exit = vi.fn()
  userData = '/nonexistent'
  getPath = vi.fn(() => this.userData)
  getVersion = () => '0.1.0'
  getAppPath = () => '.'
  requestSingleInstanceLock = vi.fn(() => this.singleInstance)
  isReady = () => this.ready
  whenReady = async () => {
    this.ready = true
  }
}
export const app = new FakeApp()

/** The default session, recording the CSP hook and permission handlers. */
export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn()
  }
}

export default {
  BrowserWindow,
  ipcMain,
  ipcRenderer,
  contextBridge,
  screen,
  protocol,
  net,
  utilityProcess,
  shell,
  dialog,
  nativeImage,
  Menu,
  Tray,
  app,
  session
}
