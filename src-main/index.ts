/**
 * Electron entry (composition root): starts the desktop app. All wiring lives in `electron-main/app.ts`;
 * this file only says where the built files are (the directory of this entry, out/main).
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runApp } from './electron-main/app'

runApp({ mainDir: dirname(fileURLToPath(import.meta.url)) })
