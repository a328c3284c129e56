/**
 * Picks the transport: Electron IPC when the preload exposed `window.api`, else HTTP/SSE to the page's origin.
 */
import { getWindowApi } from '../ipc'
import { createHttpBridge } from './http-transport'
import { createIpcBridge } from './ipc-transport'
import type { Bridge } from './types'

export type { Bridge, ConnectionState } from './types'
export { BridgeError } from './types'

const TOKEN_KEY = 'rigready.token'

/**
 * Creates the bridge for this page.
 *
 * In a browser, an agent's bearer token is kept in `sessionStorage` (this tab only). A `?token=` in the
 * page address (older links) is moved there and removed from the address bar at once.
 */
export function createBridge(): Bridge {
  const api = getWindowApi()
  if (api !== null) return createIpcBridge(api)
  const params = new URLSearchParams(location.search)
  const fromUrl = params.get('token')
  if (fromUrl !== null) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    params.delete('token')
    const query = params.toString()
    history.replaceState(
      null,
      '',
      `${location.pathname}${query ? `?${query}` : ''}${location.hash}`
    )
  }
  return createHttpBridge({
    token: sessionStorage.getItem(TOKEN_KEY),
    askToken: () => window.prompt('This RigReady agent needs its access token (RIGREADY_TOKEN):'),
    onToken: (t) => sessionStorage.setItem(TOKEN_KEY, t)
  })
}
