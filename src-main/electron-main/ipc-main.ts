/**
 * Typed IPC for the main process: the only file that imports `ipcMain`.
 *
 * `handle` registers an invoke channel whose calls are accepted only from trusted webContents (by id, from
 * their main frame, at an app URL) and whose arguments pass `validateInvokeArgs`. `send` pushes an event
 * and skips destroyed webContents.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import {
  INVOKE_CHANNELS,
  type EventChannel,
  type EventChannels,
  type InvokeChannel,
  type InvokeChannels
} from '../shared/ipc-contract'
import { validateInvokeArgs } from '../shared/ipc-validate'
import type { InvokeHandlers } from '../node/service-types'

/** Thrown (and seen by the renderer as a rejection) when a call comes from an untrusted sender. */
export class UntrustedSenderError extends Error {
  override name = 'UntrustedSenderError'
}

/** The typed IPC registry of the main process. */
export interface IpcMainHost {
  /** Accepts calls from `contents` (until it is destroyed). */
  trust(contents: WebContents): void
  /** Registers one invoke handler. */
  handle<K extends InvokeChannel>(
    channel: K,
    fn: (...args: Parameters<InvokeChannels[K]>) => ReturnType<InvokeChannels[K]>
  ): void
  /** Registers a handler for every invoke channel of the contract. */
  handleAll(handlers: InvokeHandlers): void
  /** Sends an event to every trusted, live webContents. */
  broadcast<K extends EventChannel>(channel: K, ...payload: Parameters<EventChannels[K]>): void
  /** Channels registered so far. */
  registeredChannels(): InvokeChannel[]
  /** Removes every handler this registry added. */
  dispose(): void
}

/** Options for `createIpcMain`. */
export interface IpcMainOptions {
  /** True for URLs the app's own renderer is served from (the app scheme, or the dev server in development). */
  isAppUrl: (url: string) => boolean
  /** Diagnostics for rejected calls. */
  warn?: (message: string) => void
}

/** Sends an event to `contents` unless it has been destroyed (a closed window is not an error). */
export function send<K extends EventChannel>(
  contents: WebContents,
  channel: K,
  ...payload: Parameters<EventChannels[K]>
): boolean {
  if (contents.isDestroyed()) return false
  contents.send(channel, ...payload)
  return true
}

/** Creates the registry. */
export function createIpcMain(options: IpcMainOptions): IpcMainHost {
  const trusted = new Map<number, WebContents>()
  const registered = new Set<InvokeChannel>()
  const warn = options.warn ?? (() => {})

  const checkSender = (channel: InvokeChannel, event: IpcMainInvokeEvent): void => {
    const sender = event.sender
    const frame = event.senderFrame
    const reason = !trusted.has(sender.id)
      ? `webContents ${sender.id} is not trusted`
      : frame === null || frame === undefined
        ? 'the sending frame is gone'
        : frame.parent !== null
          ? 'the call came from a subframe'
          : !options.isAppUrl(frame.url)
            ? `the frame is not at an app URL (${frame.url})`
            : null
    if (reason !== null) {
      warn(`rejected ${channel}: ${reason}`)
      throw new UntrustedSenderError(`${channel}: untrusted sender`)
    }
  }

  const host: IpcMainHost = {
    trust(contents) {
      trusted.set(contents.id, contents)
      const id = contents.id
      contents.once('destroyed', () => trusted.delete(id))
    },
    handle(channel, fn) {
      if (registered.has(channel)) throw new Error(`handler for ${channel} registered twice`)
      registered.add(channel)
      ipcMain.handle(channel, (event, ...args: unknown[]) => {
        checkSender(channel, event)
        const valid = validateInvokeArgs(channel, args)
        return (fn as unknown as (...a: unknown[]) => Promise<unknown>)(...valid)
      })
    },
    handleAll(handlers) {
      for (const channel of INVOKE_CHANNELS) {
        host.handle(channel, handlers[channel] as never)
      }
    },
    broadcast(channel, ...payload) {
      for (const contents of trusted.values()) send(contents, channel, ...payload)
    },
    registeredChannels() {
      return [...registered]
    },
    dispose() {
      for (const channel of registered) ipcMain.removeHandler(channel)
      registered.clear()
    }
  }
  return host
}
