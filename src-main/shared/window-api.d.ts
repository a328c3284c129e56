/**
 * Types `window.api` (exposed by the preload) from the shared contract, for the renderer.
 *
 * In the desktop app the preload defines it; in a browser (`rigready serve`) it is absent, hence optional.
 */
import type { WindowApi } from './ipc-contract'

declare global {
  interface Window {
    api?: WindowApi
  }
}

export {}
