/**
 * Electron entry (composition root): starts the desktop app. All wiring lives in `electron-main/app.ts`.
 */
import { runApp } from './electron-main/app'

runApp()
