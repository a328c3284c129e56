/**
 * The application menu.
 */
import type { MenuItemConstructorOptions } from 'electron'

/** What the menu needs from the app. */
export interface MenuOptions {
  appName: string
  isMac: boolean
  /** Developer items (reload, dev tools) only in development builds. */
  isDev: boolean
  onSavePdf: () => void
}

/** Builds the menu template (pure, so it is tested without Electron). */
export function buildMenuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = []
  if (o.isMac) {
    template.push({
      label: o.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' }
      ]
    })
  }
  template.push({
    label: 'File',
    submenu: [
      { label: 'Save Report as PDF…', accelerator: 'CmdOrCtrl+P', click: () => o.onSavePdf() },
      { type: 'separator' },
      o.isMac ? { role: 'close' } : { role: 'quit' }
    ]
  })
  template.push({
    label: 'Edit',
    submenu: [{ role: 'copy' }, { role: 'selectAll' }]
  })
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' }
  ]
  if (o.isDev) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' })
  template.push({ label: 'View', submenu: view })
  template.push({ role: 'windowMenu' })
  return template
}
