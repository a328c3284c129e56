/**
 * Bridge over Electron IPC (the preload's `window.api`).
 */
import type { WindowApi } from '$shared/ipc-contract'
import type { Bridge, ConnectionState } from './types'

/** Wraps the preload API; IPC is always connected while the window lives. */
export function createIpcBridge(api: WindowApi): Bridge {
  return {
    transport: 'ipc',
    invoke: (channel, ...args) => api.invoke(channel, ...args),
    on: (channel, listener) => api.on(channel, listener),
    onConnection(listener: (state: ConnectionState) => void) {
      listener('open')
      return () => {}
    },
    close() {}
  }
}
