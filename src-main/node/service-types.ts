/**
 * The engine as a service: what the HTTP server (`rigready serve`) and the Electron engine host expose.
 *
 * `handlers` implements every invoke channel of the shared contract; `on` subscribes to event channels.
 * Created by `createEngineService` in `engine-service.ts`; both faces wrap the same object, so the browser
 * UI and the desktop window see identical data.
 */
import type {
  EventChannel,
  EventChannels,
  InvokeChannel,
  InvokeChannels
} from '../shared/ipc-contract'
import type { ReadinessReport } from '../shared/readiness'

/** Implementations of every invoke channel. */
export type InvokeHandlers = {
  [K in InvokeChannel]: (...args: Parameters<InvokeChannels[K]>) => ReturnType<InvokeChannels[K]>
}

/** Validates raw (untrusted) arguments for a channel; throws `ArgumentError` with a message naming the bad field. */
export type ArgumentValidators = {
  [K in InvokeChannel]: (args: unknown[]) => Parameters<InvokeChannels[K]>
}

/** Thrown for a malformed argument (maps to HTTP 400 / a rejected IPC call); defined in shared for both faces. */
export { ArgumentError } from '../shared/ipc-validate'

/** The engine service. */
export interface EngineService {
  handlers: InvokeHandlers
  /**
   * The latest readiness report without waiting for a refresh that is due (one is started): for `/metrics`,
   * which must answer in milliseconds. Absent on services that only have handlers (the report handler is used).
   */
  latestReport?: () => Promise<ReadinessReport>
  on<K extends EventChannel>(
    channel: K,
    listener: (...args: Parameters<EventChannels[K]>) => void
  ): () => void
  close(): Promise<void>
}
