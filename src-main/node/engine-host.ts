/**
 * Entry of the engine's utility process (built to `out/main/engine-host.js`).
 *
 * The desktop app forks this file with Electron's `utilityProcess`, so sampling (and systeminformation's
 * synchronous calls) never stall the window. It speaks the protocol in `shared/engine-protocol.ts` over
 * `process.parentPort`: it waits for `init`, builds the engine service, answers `invoke` requests and
 * forwards event channels. It never imports electron; `parentPort` is typed by the small interface below.
 */
import { homedir } from 'node:os'
import { EVENT_CHANNELS } from '../shared/ipc-contract'
import {
  parseEngineRequest,
  toErrorPayload,
  type EngineHostOptions,
  type EngineResponse
} from '../shared/engine-protocol'
import { validateInvokeArgs } from '../shared/ipc-validate'
import type { EngineService } from './service-types'

/** The part of Electron's `ParentPort` the host uses (a utility process's `process.parentPort`). */
export interface ParentPortLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown
  postMessage(message: unknown): void
}

/** Builds the engine service from the `init` options. */
export type EngineServiceFactory = (options: EngineHostOptions) => Promise<EngineService>

/** What `serveEngine` needs besides the port. */
export interface ServeEngineDeps {
  createService: EngineServiceFactory
  /** Called after `shutdown` has closed the service (the real entry exits the process). */
  exit: (code: number) => void
  /** Diagnostics sink (stderr in the real entry). */
  warn?: (message: string) => void
}

/**
 * Serves the engine over a parent port until `shutdown`.
 *
 * Requests that arrive before `init` has finished wait for the service; a failed start answers `fatal`
 * and every later request with the start error. Arguments are validated again here: the main process
 * already checked them, but the host is the boundary that owns the engine.
 */
export function serveEngine(port: ParentPortLike, deps: ServeEngineDeps): void {
  let service: Promise<EngineService> | null = null
  let closing = false
  const unsubscribes: (() => void)[] = []
  const post = (message: EngineResponse): void => port.postMessage(message)
  const warn = deps.warn ?? (() => {})

  const start = (options: EngineHostOptions): void => {
    service = deps.createService(options)
    service.then(
      (s) => {
        for (const channel of EVENT_CHANNELS) {
          const forward = (payload: unknown): void =>
            post({ type: 'event', channel, payload } as EngineResponse)
          unsubscribes.push(s.on(channel, forward))
        }
        post({ type: 'ready' })
      },
      (e: unknown) => post({ type: 'fatal', error: toErrorPayload(e) })
    )
  }

  const invoke = async (
    id: number,
    channel: Parameters<typeof validateInvokeArgs>[0],
    args: unknown[]
  ) => {
    try {
      if (service === null) throw new Error('engine not initialised')
      const s = await service
      const valid = validateInvokeArgs(channel, args)
      const handler = s.handlers[channel] as (...a: unknown[]) => Promise<unknown>
      const value = await handler(...valid)
      post({ type: 'result', id, ok: true, value })
    } catch (e) {
      post({ type: 'result', id, ok: false, error: toErrorPayload(e) })
    }
  }

  const shutdown = async (): Promise<void> => {
    if (closing) return
    closing = true
    for (const off of unsubscribes.splice(0)) off()
    try {
      if (service !== null) await (await service).close()
    } catch (e) {
      warn(`engine close failed: ${toErrorPayload(e).message}`)
    }
    deps.exit(0)
  }

  port.on('message', ({ data }) => {
    const request = parseEngineRequest(data)
    if (request === null) {
      warn('dropped a malformed message from the main process')
      return
    }
    switch (request.type) {
      case 'init':
        if (service === null) start(request.options)
        else warn('ignored a second init')
        return
      case 'invoke':
        void invoke(request.id, request.channel, request.args)
        return
      case 'shutdown':
        void shutdown()
        return
    }
  })
}

/** The parent port when running as a utility process, else undefined (tests, plain Node). */
function currentParentPort(): ParentPortLike | undefined {
  return (process as unknown as { parentPort?: ParentPortLike }).parentPort
}

const parentPort = currentParentPort()
if (parentPort !== undefined) {
  serveEngine(parentPort, {
    // Loaded lazily so importing this module (tests) does not build the engine.
    createService: async (options) =>
      (await import('./engine-service')).createEngineService({
        ...options,
        face: 'electron',
        canPrintPdf: true,
        // The Probe button: load on request is what the desktop app is for; storage in the home folder.
        probe: options.replayFile ? undefined : { storageDir: homedir(), env: process.env }
      }),
    exit: (code) => process.exit(code),
    warn: (message) => process.stderr.write(`[engine-host] ${message}\n`)
  })
}
