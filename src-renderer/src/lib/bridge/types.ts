/**
 * The Bridge: how the UI talks to the engine, whatever face it runs in.
 *
 * Two transports implement it: Electron IPC (through the preload) and HTTP + SSE (`rigready serve`).
 */
import type {
  EventChannel,
  EventChannels,
  InvokeChannel,
  InvokeChannels
} from '$shared/ipc-contract'

/** Connection state of the event stream. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

/** The engine as seen from the UI. */
export interface Bridge {
  readonly transport: 'ipc' | 'http'
  invoke<K extends InvokeChannel>(
    channel: K,
    ...args: Parameters<InvokeChannels[K]>
  ): ReturnType<InvokeChannels[K]>
  on<K extends EventChannel>(
    channel: K,
    listener: (...args: Parameters<EventChannels[K]>) => void
  ): () => void
  /** Subscribes to event-stream connection changes; returns an unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  close(): void
}

/** An invoke that the engine rejected; `message` is the engine's error text. */
export class BridgeError extends Error {
  override name = 'BridgeError'
  constructor(
    message: string,
    readonly status: number | null = null
  ) {
    super(message)
  }
}
