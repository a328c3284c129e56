/**
 * The main process's side of the engine: forks the engine host in a utility process and implements every
 * invoke channel by messaging it (protocol: `shared/engine-protocol.ts`).
 *
 * Requests time out instead of hanging the UI; if the host dies, pending calls are rejected and the host is
 * restarted with exponential backoff (event subscriptions survive the restart).
 */
import { utilityProcess } from 'electron'
import { INVOKE_CHANNELS, type EventChannel, type EventChannels } from '../shared/ipc-contract'
import {
  parseEngineResponse,
  type EngineErrorPayload,
  type EngineHostOptions,
  type EngineRequest
} from '../shared/engine-protocol'
import { ArgumentError } from '../shared/ipc-validate'
import type { InvokeHandlers } from '../node/service-types'

/** The part of Electron's `UtilityProcess` the client uses (faked in tests). */
export interface EngineChild {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'exit', listener: (code: number) => void): unknown
  kill(): boolean
}

/** Options for `createEngineClient`. */
export interface EngineClientOptions {
  /** Starts a host process. */
  fork: () => EngineChild
  /** Engine options sent with `init`. */
  hostOptions: EngineHostOptions
  /** Longest wait for one answer (ms). */
  requestTimeoutMs?: number
  /** Backoff before restarting a host that died (ms, doubled per consecutive crash, capped). */
  restartDelayMs?: number
  maxRestartDelayMs?: number
  /** Consecutive crashes (without reaching `ready`) before giving up. */
  maxConsecutiveCrashes?: number
  /** Longest wait for the host to exit after `shutdown` (ms) before it is killed. */
  shutdownTimeoutMs?: number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
  warn?: (message: string) => void
}

/** The engine as the main process sees it. */
export interface EngineClient {
  handlers: InvokeHandlers
  on<K extends EventChannel>(
    channel: K,
    listener: (...args: Parameters<EventChannels[K]>) => void
  ): () => void
  /** Resolves when the first host reports ready; rejects when it fails to start. */
  ready: Promise<void>
  /** Asks the host to shut down and waits for it (killing it after the timeout). */
  close(): Promise<void>
}

/** Forks the real utility process from the built `engine-host.js`. */
export function forkEngineHost(modulePath: string): EngineChild {
  return utilityProcess.fork(modulePath, [], { serviceName: 'RigReady engine', stdio: 'inherit' })
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  timer: unknown
}

function toError(payload: EngineErrorPayload): Error {
  const error =
    payload.name === 'ArgumentError'
      ? new ArgumentError(payload.message)
      : new Error(payload.message)
  if (payload.name !== 'ArgumentError') error.name = payload.name
  return error
}

/** Starts the engine host and returns the client. */
export function createEngineClient(options: EngineClientOptions): EngineClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000
  const baseDelayMs = options.restartDelayMs ?? 1000
  const maxDelayMs = options.maxRestartDelayMs ?? 30_000
  const maxCrashes = options.maxConsecutiveCrashes ?? 6
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>))
  const warn = options.warn ?? (() => {})

  const pending = new Map<number, Pending>()
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>()
  let nextId = 1
  let child: EngineChild | null = null
  let closing = false
  let crashes = 0
  let everReady = false
  let exited: (() => void) | null = null
  let resolveReady!: () => void
  let rejectReady!: (e: Error) => void
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res
    rejectReady = rej
  })
  // An unobserved start failure must not become an unhandled rejection; callers still see it via `ready`.
  ready.catch(() => {})
  let fatal: Error | null = null

  const failAll = (error: Error): void => {
    for (const [id, p] of pending) {
      clearTimer(p.timer)
      pending.delete(id)
      p.reject(error)
    }
  }

  const post = (message: EngineRequest): void => child?.postMessage(message)

  const start = (): void => {
    const c = options.fork()
    child = c
    c.on('message', (raw) => {
      const message = parseEngineResponse(raw)
      if (message === null) {
        warn('dropped a malformed message from the engine host')
        return
      }
      switch (message.type) {
        case 'ready':
          crashes = 0
          everReady = true
          fatal = null
          resolveReady()
          return
        case 'fatal':
          fatal = toError(message.error)
          warn(`engine failed to start: ${message.error.message}`)
          rejectReady(fatal)
          failAll(fatal)
          return
        case 'result': {
          const p = pending.get(message.id)
          if (p === undefined) return
          pending.delete(message.id)
          clearTimer(p.timer)
          if (message.ok) p.resolve(message.value)
          else p.reject(toError(message.error))
          return
        }
        case 'event':
          for (const l of listeners.get(message.channel) ?? []) l(message.payload as never)
          return
      }
    })
    c.on('exit', (code) => {
      if (child === c) child = null
      failAll(new Error(`engine stopped (exit code ${code})`))
      if (closing) {
        exited?.()
        return
      }
      crashes += 1
      if (crashes > maxCrashes) {
        const error = new Error(`engine stopped ${crashes} times in a row; not restarting`)
        warn(error.message)
        fatal = error
        if (!everReady) rejectReady(error)
        return
      }
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (crashes - 1))
      warn(`engine exited with code ${code}; restarting in ${delay} ms`)
      setTimer(() => {
        if (!closing) start()
      }, delay)
    })
    c.postMessage({ type: 'init', options: options.hostOptions } satisfies EngineRequest)
  }

  const request = (channel: (typeof INVOKE_CHANNELS)[number], args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (closing) return reject(new Error('engine is shutting down'))
      if (fatal !== null && child === null) return reject(fatal)
      if (child === null) return reject(new Error('engine is restarting'))
      const id = nextId++
      const timer = setTimer(() => {
        if (pending.delete(id))
          reject(new Error(`${channel}: engine did not answer within ${requestTimeoutMs} ms`))
      }, requestTimeoutMs)
      pending.set(id, { resolve, reject, timer })
      post({ type: 'invoke', id, channel, args })
    })

  const handlers = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [channel, (...args: unknown[]) => request(channel, args)])
  ) as unknown as InvokeHandlers

  start()

  return {
    handlers,
    ready,
    on(channel, listener) {
      let set = listeners.get(channel)
      if (set === undefined) listeners.set(channel, (set = new Set()))
      const l = listener as unknown as (payload: never) => void
      set.add(l)
      return () => void set.delete(l)
    },
    close() {
      if (closing) return Promise.resolve()
      closing = true
      const c = child
      failAll(new Error('engine is shutting down'))
      if (c === null) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const timer = setTimer(() => {
          c.kill()
          resolve()
        }, shutdownTimeoutMs)
        exited = () => {
          clearTimer(timer)
          resolve()
        }
        c.postMessage({ type: 'shutdown' } satisfies EngineRequest)
      })
    }
  }
}
