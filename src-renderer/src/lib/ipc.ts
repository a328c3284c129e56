/**
 * The only module that touches `window.api` (exposed by the Electron preload).
 *
 * In a plain browser (`rigready serve`) there is no `window.api`, and the HTTP transport is used instead.
 */
import type { WindowApi } from '$shared/ipc-contract'

/** The preload's API, or null outside Electron. */
export function getWindowApi(): WindowApi | null {
  const api = (window as unknown as { api?: WindowApi }).api
  return api !== undefined && typeof api.invoke === 'function' && typeof api.on === 'function'
    ? api
    : null
}
