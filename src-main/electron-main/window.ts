/**
 * The main window: secure web preferences, remembered bounds, the renderer from the app scheme (or the dev
 * server in development).
 */
import { BrowserWindow, screen } from 'electron'
import { loadWindowState, trackWindowState } from './window-state'

/** What the window needs. */
export interface MainWindowOptions {
  preloadPath: string
  /** URL of the renderer entry (`rigready://app/index.html` or the dev server). */
  entryUrl: string
  stateFile: string
  iconPath?: string
  warn?: (message: string) => void
}

/** Creates and loads the main window; shown once the renderer has painted. */
export async function createMainWindow(o: MainWindowOptions): Promise<BrowserWindow> {
  const workAreas = screen.getAllDisplays().map((d) => d.workArea)
  const state = await loadWindowState(o.stateFile, workAreas)
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'RigReady',
    backgroundColor: '#111418',
    ...(o.iconPath !== undefined ? { icon: o.iconPath } : {}),
    // Spelled out here, at the BrowserWindow call, so security scanners and reviewers see every flag.
    webPreferences: {
      preload: o.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Middle-click would otherwise try to open links in a new window.
      disableBlinkFeatures: 'Auxclick'
    }
  })
  if (state.maximized) win.maximize()
  trackWindowState(win, o.stateFile, o.warn)
  win.once('ready-to-show', () => win.show())
  await win.loadURL(o.entryUrl)
  return win
}
