/**
 * Preload (sandboxed, CommonJS): exposes exactly `window.api = { invoke, on }` and nothing else.
 *
 * Channel names are checked against the contract's allowlists at run time, so a compromised renderer
 * cannot reach any other IPC channel. Listeners never receive the IPC event object (it would leak
 * `sender`); `on` returns an unsubscribe function.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type EventChannel,
  type InvokeChannel,
  type WindowApi
} from '../shared/ipc-contract'

const invokeAllowed: ReadonlySet<string> = new Set(INVOKE_CHANNELS)
const eventAllowed: ReadonlySet<string> = new Set(EVENT_CHANNELS)

/** The object exposed as `window.api`. */
export const api: WindowApi = {
  invoke(channel, ...args) {
    if (typeof channel !== 'string' || !invokeAllowed.has(channel)) {
      return Promise.reject(new Error(`unknown invoke channel: ${String(channel)}`)) as never
    }
    return ipcRenderer.invoke(channel as InvokeChannel, ...args) as never
  },
  on(channel, listener) {
    if (typeof channel !== 'string' || !eventAllowed.has(channel)) {
      throw new Error(`unknown event channel: ${String(channel)}`)
    }
    if (typeof listener !== 'function') throw new Error('listener must be a function')
    const wrapped = (_event: IpcRendererEvent, ...payload: unknown[]): void =>
      (listener as (...a: unknown[]) => void)(...payload)
    ipcRenderer.on(channel as EventChannel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  }
}

contextBridge.exposeInMainWorld('api', api)
