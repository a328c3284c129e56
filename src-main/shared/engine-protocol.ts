/**
 * The message protocol between the Electron main process and the engine host (a utility process).
 *
 * Main → host: `init` once (engine options), then `invoke` requests and finally `shutdown`.
 * Host → main: `ready` (or `fatal`) after `init`, one `result` per `invoke` (matched by `id`), and `event`
 * pushes for the contract's event channels. Messages are plain JSON-safe objects (structured clone).
 * Both sides parse what they receive with the guards below and drop anything malformed.
 */
import type { EventChannel, EventChannels, InvokeChannel } from './ipc-contract'
import { isEventChannel, isInvokeChannel } from './ipc-validate'

/** Options the engine host passes to `createEngineService`. */
export interface EngineHostOptions {
  replayFile?: string
  sysRoot?: string
  procRoot?: string
  intervalMs?: number
  /** App version reported by 'app:get-info'. */
  version?: string
}

/** An error carried across the process boundary (never an `Error` object). */
export interface EngineErrorPayload {
  /** `ArgumentError` for malformed arguments, otherwise the thrown error's name. */
  name: string
  message: string
}

/** Main → host messages. */
export type EngineRequest =
  | { type: 'init'; options: EngineHostOptions }
  | { type: 'invoke'; id: number; channel: InvokeChannel; args: unknown[] }
  | { type: 'shutdown' }

/** Host → main messages. */
export type EngineResponse =
  | { type: 'ready' }
  | { type: 'fatal'; error: EngineErrorPayload }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: EngineErrorPayload }
  | {
      [K in EventChannel]: { type: 'event'; channel: K; payload: Parameters<EventChannels[K]>[0] }
    }[EventChannel]

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function isRequestId(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}

function isErrorPayload(x: unknown): x is EngineErrorPayload {
  return isRecord(x) && typeof x.name === 'string' && typeof x.message === 'string'
}

function parseOptions(x: unknown): EngineHostOptions | null {
  if (!isRecord(x)) return null
  const out: EngineHostOptions = {}
  for (const key of ['replayFile', 'sysRoot', 'procRoot', 'version'] as const) {
    const v = x[key]
    if (v === undefined) continue
    if (typeof v !== 'string' || v.length === 0) return null
    out[key] = v
  }
  if (x.intervalMs !== undefined) {
    if (typeof x.intervalMs !== 'number' || !Number.isFinite(x.intervalMs) || x.intervalMs <= 0)
      return null
    out.intervalMs = x.intervalMs
  }
  return out
}

/** Parses a main → host message; null when malformed. Arguments are checked later by the validators. */
export function parseEngineRequest(x: unknown): EngineRequest | null {
  if (!isRecord(x)) return null
  switch (x.type) {
    case 'init': {
      const options = parseOptions(x.options)
      return options === null ? null : { type: 'init', options }
    }
    case 'invoke':
      if (!isRequestId(x.id) || !isInvokeChannel(x.channel) || !Array.isArray(x.args)) return null
      return { type: 'invoke', id: x.id, channel: x.channel, args: x.args as unknown[] }
    case 'shutdown':
      return { type: 'shutdown' }
    default:
      return null
  }
}

/**
 * Parses a host → main message; null when malformed.
 *
 * Event payloads are trusted as far as their channel name (the host is our own code); results carry
 * `unknown` values that the caller hands on as the channel's return type.
 */
export function parseEngineResponse(x: unknown): EngineResponse | null {
  if (!isRecord(x)) return null
  switch (x.type) {
    case 'ready':
      return { type: 'ready' }
    case 'fatal':
      return isErrorPayload(x.error) ? { type: 'fatal', error: x.error } : null
    case 'result':
      if (!isRequestId(x.id)) return null
      if (x.ok === true) return { type: 'result', id: x.id, ok: true, value: x.value }
      if (x.ok === false && isErrorPayload(x.error))
        return { type: 'result', id: x.id, ok: false, error: x.error }
      return null
    case 'event':
      if (!isEventChannel(x.channel) || !isRecord(x.payload)) return null
      return { type: 'event', channel: x.channel, payload: x.payload } as unknown as EngineResponse
    default:
      return null
  }
}

/** Turns anything thrown into a JSON-safe error payload. */
export function toErrorPayload(e: unknown): EngineErrorPayload {
  if (e instanceof Error) return { name: e.name, message: e.message }
  return { name: 'Error', message: typeof e === 'string' ? e : 'unknown error' }
}
