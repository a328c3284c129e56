/**
 * Picks the transport: Electron IPC when the preload exposed `window.api`, else HTTP/SSE to the page's origin.
 */
import { getWindowApi } from '../ipc'
import { createHttpBridge } from './http-transport'
import { createIpcBridge } from './ipc-transport'
import type { Bridge } from './types'

export type { Bridge, ConnectionState } from './types'
export { BridgeError } from './types'

/** Creates the bridge for this page. */
export function createBridge(): Bridge {
  const api = getWindowApi()
  if (api !== null) return createIpcBridge(api)
  const token = new URLSearchParams(location.search).get('token')
  return createHttpBridge({ token })
}
