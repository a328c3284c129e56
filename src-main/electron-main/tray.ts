/**
 * The tray icon: shows the hottest device's temperature and a throttle marker, updated from telemetry.
 */
import { Menu, Tray, nativeImage } from 'electron'
import type { Snapshot } from '../shared/telemetry'
import { summarizeForTray } from './tray-summary'

/** The app's tray. */
export interface AppTray {
  update(snapshot: Snapshot): void
  setTemperatureUnit(unit: 'celsius' | 'fahrenheit'): void
  destroy(): void
}

/** Creates the tray from `iconPath` (a 16 px PNG with an `@2x` sibling), with Show and Quit items. */
export function createAppTray(options: {
  iconPath: string
  onShow: () => void
  onQuit: () => void
}): AppTray {
  const tray = new Tray(nativeImage.createFromPath(options.iconPath))
  tray.setToolTip('RigReady')
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show RigReady', click: options.onShow },
      { type: 'separator' },
      { label: 'Quit', click: options.onQuit }
    ])
  )
  tray.on('click', options.onShow)
  let previous: Snapshot | null = null
  let unit: 'celsius' | 'fahrenheit' = 'celsius'
  let lastTitle = ''
  let lastTooltip = ''
  return {
    update(snapshot) {
      const summary = summarizeForTray(snapshot, previous, unit)
      previous = snapshot
      if (tray.isDestroyed()) return
      // Only touch the OS tray when the text changed: some desktops repaint the whole panel per call.
      if (summary.title !== lastTitle) tray.setTitle((lastTitle = summary.title))
      if (summary.tooltip !== lastTooltip) tray.setToolTip((lastTooltip = summary.tooltip))
    },
    setTemperatureUnit(u) {
      unit = u
    },
    destroy() {
      if (!tray.isDestroyed()) tray.destroy()
    }
  }
}
