/**
 * Desktop app lifecycle: single instance, security, the engine host, IPC, window, menu and tray.
 */
import { app, dialog, Menu, safeStorage, session, shell, type BrowserWindow } from 'electron'
import { join } from 'node:path'
import {
  EVENT_CHANNELS,
  type EventChannel,
  type EventChannels,
  type Settings
} from '../shared/ipc-contract'
import type { InvokeHandlers } from '../node/service-types'
import { createAlertNotifier } from './alert-notifications'
import { parseAppArgs } from './app-options'
import { createEngineClient, forkEngineHost, type EngineClient } from './engine-client'
import { loadFleetConfig, saveFleetConfig } from './fleet-credentials'
import type { FleetConfigView } from '../shared/fleet'
import { createIpcMain, type IpcMainHost } from './ipc-main'
import { buildMenuTemplate } from './menu'
import { printReportToPdf } from './print-pdf'
import {
  APP_ENTRY_URL,
  handleAppScheme,
  isAppUrl,
  registerAppSchemePrivileges
} from './renderer-protocol'
import { buildContentSecurityPolicy, hardenWebContents, installSessionSecurity } from './security'
import { loadSettings, saveSettings } from './settings-store'
import { createAppTray, type AppTray } from './tray'
import { createMainWindow } from './window'

const warn = (message: string): void => void process.stderr.write(`[app] ${message}\n`)

/** Where the built entry lives: out/main (next to engine-host.js; preload and renderer are siblings). */
export interface AppPaths {
  mainDir: string
}

/**
 * Starts the desktop app. Returns without starting when another instance already runs (that instance is
 * focused instead).
 */
export async function startApp(
  paths: AppPaths,
  argv: readonly string[] = process.argv
): Promise<void> {
  const builtPath = (relative: string): string => join(paths.mainDir, relative)
  registerAppSchemePrivileges()
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }

  const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
  const entryUrl = devServerUrl ?? APP_ENTRY_URL
  const appUrl = (url: string): boolean => isAppUrl(url, devServerUrl)
  const { options: hostOptions, errors } = parseAppArgs(argv)
  for (const e of errors) warn(e)
  const resourcesDir = join(app.getAppPath(), 'resources')
  const isMac = process.platform === 'darwin'

  let mainWindow: BrowserWindow | null = null
  let tray: AppTray | null = null
  let engine: EngineClient | null = null
  let ipc: IpcMainHost | null = null
  let quitting = false

  const showWindow = (): void => {
    // A second launch can arrive before we are ready; the window opens at start-up anyway.
    if (!app.isReady()) return
    if (mainWindow === null || mainWindow.isDestroyed()) {
      void openWindow()
      return
    }
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.show()
    mainWindow.focus()
  }

  const openWindow = async (): Promise<void> => {
    const win = await createMainWindow({
      preloadPath: builtPath('../preload/index.cjs'),
      entryUrl,
      stateFile: join(app.getPath('userData'), 'window-state.json'),
      iconPath: join(resourcesDir, 'icons', 'icon.png'),
      warn
    })
    ipc?.trust(win.webContents)
    mainWindow = win
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null
    })
  }

  const savePdf = (): Promise<{ saved: boolean; path: string | null }> => {
    if (mainWindow === null) return Promise.resolve({ saved: false, path: null })
    return printReportToPdf({
      window: mainWindow,
      showSaveDialog: (w, o) => dialog.showSaveDialog(w, o),
      defaultDir: app.getPath('documents'),
      now: () => Date.now()
    })
  }

  app.on('second-instance', showWindow)
  // Every webContents the app ever creates is hardened, not only the main window's.
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, {
      openExternal: (url) => shell.openExternal(url),
      onBlocked: (what, url) => warn(`blocked ${what}${url ? ` to ${url}` : ''}`)
    })
  )

  await app.whenReady()

  const csp = buildContentSecurityPolicy(devServerUrl !== undefined ? { devServerUrl } : {})
  installSessionSecurity(session.defaultSession, csp)
  handleAppScheme(builtPath('../renderer'), csp)

  const client = createEngineClient({
    fork: () => forkEngineHost(builtPath('engine-host.js')),
    hostOptions: { ...hostOptions, version: app.getVersion() },
    warn
  })
  engine = client
  const settingsFile = join(app.getPath('userData'), 'settings.json')
  const ipcHost = createIpcMain({ isAppUrl: appUrl, warn })
  ipc = ipcHost

  const applySettings = (s: Settings): void => tray?.setTemperatureUnit(s.temperatureUnit)
  // Fleet credentials: the engine holds them in memory; the main process keeps them on disk encrypted
  // with safeStorage (fleet-credentials.ts) and reports where they live.
  const fleetFile = join(app.getPath('userData'), 'fleet.json')
  let fleetStorage: FleetConfigView['storage'] = 'none'
  const withStorage = (v: FleetConfigView): FleetConfigView => ({
    ...v,
    storage: v.authKind === 'none' ? 'none' : fleetStorage
  })
  const handlers: InvokeHandlers = {
    ...client.handlers,
    'fleet:get-config': async () => withStorage(await client.handlers['fleet:get-config']()),
    'fleet:set-config': async (config) => {
      const view = await client.handlers['fleet:set-config'](config)
      try {
        fleetStorage = await saveFleetConfig(fleetFile, config, safeStorage)
      } catch (e) {
        fleetStorage = config.auth.kind === 'none' ? 'none' : 'memory'
        warn(`could not save the fleet configuration: ${String(e)}`)
      }
      return withStorage(view)
    },
    'settings:set': async (patch) => {
      const next = await client.handlers['settings:set'](patch)
      applySettings(next)
      saveSettings(settingsFile, next).catch((e: unknown) =>
        warn(`could not save settings: ${String(e)}`)
      )
      return next
    },
    'report:print-pdf': savePdf
  }
  ipcHost.handleAll(handlers)

  const forward = <K extends EventChannel>(channel: K): void => {
    client.on(channel, (...payload: Parameters<EventChannels[K]>) =>
      ipcHost.broadcast(channel, ...payload)
    )
  }
  for (const channel of EVENT_CHANNELS) forward(channel)
  client.on('telemetry:did-sample', (snapshot) => tray?.update(snapshot))
  const notifier = createAlertNotifier({ onClick: showWindow })
  client.on('alerts:did-change', (alert) => notifier.notify(alert))

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        appName: 'RigReady',
        isMac,
        isDev: !app.isPackaged,
        onSavePdf: () => void savePdf()
      })
    )
  )
  try {
    tray = createAppTray({
      iconPath: join(resourcesDir, 'icons', isMac ? 'trayTemplate.png' : 'tray.png'),
      onShow: showWindow,
      onQuit: () => app.quit()
    })
  } catch (e) {
    // Some Linux desktops have no tray; the app works without it.
    warn(`no tray: ${String(e)}`)
  }

  client.ready
    .then(async () => {
      const saved = await loadSettings(settingsFile)
      const current =
        saved !== null
          ? await client.handlers['settings:set'](saved)
          : await client.handlers['settings:get']()
      applySettings(current)
      const fleet = await loadFleetConfig(fleetFile, safeStorage)
      if (fleet !== null) {
        await client.handlers['fleet:set-config'](fleet)
        fleetStorage = fleet.auth.kind === 'none' ? 'none' : 'encrypted'
      }
    })
    .catch((e: unknown) => warn(`engine not ready: ${e instanceof Error ? e.message : String(e)}`))

  await openWindow()

  app.on('activate', showWindow)
  app.on('window-all-closed', () => {
    if (!isMac) app.quit()
  })
  app.on('before-quit', (event) => {
    if (quitting) return
    quitting = true
    event.preventDefault()
    tray?.destroy()
    ipc?.dispose()
    void (engine?.close() ?? Promise.resolve()).finally(() => app.quit())
  })
}

/** Runs `startApp`, exiting with an error code when start-up fails. */
export function runApp(paths: AppPaths): void {
  startApp(paths).catch((e: unknown) => {
    warn(`start-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    app.exit(1)
  })
}
