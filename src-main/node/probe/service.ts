/**
 * The probe behind the UI's Probe button (`probe:start`, `probe:cancel`, `probe:did-progress`): one probe at
 * a time on the engine's live telemetry, its result stored like the CLI's.
 *
 * The storage phase writes only into the host's configured data directory, never a path from the request:
 * the UI chooses *whether* to probe storage, not *where*.
 */
import { mkdir } from 'node:fs/promises'
import type { ProbeProgress, ProbeRequest, ProbeResult } from '../../shared/probe'
import { startProbe, type ProbeEngine, type ProbeRun } from './runner'
import { openProbeSession } from './session-adapter'
import {
  machineKeyFor,
  probeDir,
  probeSessionPath,
  readMachineId,
  resultStem,
  saveProbeResult
} from './store'

/** How the host lets the UI probe. */
export interface ProbeServiceOptions {
  /** Directory for the storage phase's probe file (the data disk), or null: storage is not probed. */
  storageDir: string | null
  env: NodeJS.ProcessEnv
  /** Store results and sessions (default true). */
  save?: boolean
  /** Called with each finished probe's result (the engine service applies its measured values). */
  onResult?: (result: ProbeResult) => void
}

/** The service. */
export interface ProbeService {
  start(req: ProbeRequest): Promise<{ started: true; totalSeconds: number }>
  cancel(): Promise<{ cancelled: boolean }>
  /** Stops a running probe and waits until its load is gone. */
  close(): Promise<void>
}

/** Creates the service over an engine; progress goes to `emit`. */
export function createProbeService(
  engine: ProbeEngine,
  options: ProbeServiceOptions,
  emit: (p: ProbeProgress) => void
): ProbeService {
  let current: { run: ProbeRun; done: Promise<void> } | null = null
  return {
    async start(req) {
      if (current !== null) throw new Error('a probe is already running')
      if (req.storage && options.storageDir === null)
        throw new Error('storage probing is not configured on this host')
      const machineKey = machineKeyFor(engine.inventory, await readMachineId())
      const stem = resultStem(Date.now())
      const save = options.save ?? true
      let recorder = null
      if (save) {
        const dir = probeDir(machineKey, options.env)
        await mkdir(dir, { recursive: true })
        recorder = await openProbeSession(probeSessionPath(dir, stem), {
          startedAtMs: Date.now(),
          intervalMs: engine.intervalMs,
          inventory: engine.inventory,
          argv: ['probe:start', JSON.stringify(req)]
        })
      }
      const run = startProbe({
        durationS: req.durationS,
        phases: {
          cpu: req.cpu,
          memory: req.memory,
          storage: req.storage ? options.storageDir : null,
          gpu: req.gpu,
          command: null
        },
        engine,
        machineKey,
        machineLabel: engine.inventory.host.hostname,
        env: options.env,
        recorder,
        onProgress: emit
      })
      const done = run.result
        .then(async (r) => {
          if (save) await saveProbeResult(r, options.env, stem)
          options.onResult?.(r)
        })
        .catch(() => {})
        .finally(() => {
          current = null
        })
      current = { run, done }
      return { started: true, totalSeconds: req.durationS }
    },
    async cancel() {
      if (current === null) return { cancelled: false }
      current.run.stop('cancelled', 'Stop pressed')
      await current.done
      return { cancelled: true }
    },
    async close() {
      if (current === null) return
      current.run.stop('process-exit', 'the engine is shutting down')
      await current.done
    }
  }
}
