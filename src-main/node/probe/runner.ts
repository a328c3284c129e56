/**
 * Runs a probe: the load phases in turn (CPU, memory, storage, GPU, user command) while the engine's
 * telemetry is recorded, checked against the safety rules and fed to the throttle tracker; then the
 * per-device analysis and the result.
 *
 * One `AbortController` stands for "stop now": Ctrl-C, Stop, a threshold, battery, a failing tool. Whatever
 * fires first is recorded as the stop's reason, the load controller ends every worker, child process and
 * probe file at once, and the phases return what they measured so far. `startProbe` returns a handle so
 * callers (CLI, engine service, tests) can stop it and see what load is active.
 */
import { availableParallelism, freemem } from 'node:os'
import { createThrottleTracker } from '../../core/throttle'
import { ok, unavailable, type Reading } from '../../shared/reading'
import {
  PROBE_FORMAT,
  PROBE_SCHEMA_VERSION,
  type CommandPhaseResult,
  type CpuPhaseResult,
  type GpuPhaseResult,
  type MemoryPhaseResult,
  type ProbePhaseId,
  type ProbeProgress,
  type ProbeResult,
  type ProbeStop,
  type ProbeStopReason,
  type StoragePhaseResult
} from '../../shared/probe'
import type { Inventory, Snapshot } from '../../shared/telemetry'
import { createFileReader } from '../platform/file-reader'
import type { TelemetrySource } from '../telemetry-source'
import { analyzeDevices, type PhaseWindow } from './analysis'
import { runCommandPhase } from './command'
import { readLlcBytes, runCpuPhase, runMemoryPhase } from './cpu-memory'
import { findTorchPython, gpuInstallHint, runTorchGpuPhase, type TorchFinding } from './gpu-torch'
import { findWebGpu, runWebGpuPhase, type WebGpuFinding } from './gpu-webgpu'
import {
  createLoadController,
  type LoadController,
  type LoadControllerOptions
} from './load-controller'
import type { PhaseContext } from './phase-context'
import { checkSafety, DEFAULT_SAFETY_MARGIN_CELSIUS } from './safety'
import type { ProbeSessionRecorder } from './session-adapter'
import { runStoragePhase } from './storage'

/** Default total load time (s). */
export const DEFAULT_PROBE_SECONDS = 60
/** `--long`: ten minutes, long enough for most coolers to reach steady state. */
export const LONG_PROBE_SECONDS = 600

/** Which phases to run. */
export interface ProbePhases {
  cpu: boolean
  memory: boolean
  /** Directory for the storage probe file, or null to skip storage. */
  storage: string | null
  gpu: boolean
  /** User command run as the last phase, or null. */
  command: string[] | null
}

/** Relative share of the duration per phase (the command runs until it exits). */
export const PHASE_WEIGHTS: Readonly<Record<Exclude<ProbePhaseId, 'command'>, number>> = {
  cpu: 1,
  memory: 1,
  storage: 1.5,
  gpu: 3
}

/** Milliseconds of load per phase for a total of `totalS` seconds (pure). */
export function phaseDurationsMs(
  totalS: number,
  phases: ProbePhases
): Partial<Record<ProbePhaseId, number>> {
  const on = (['cpu', 'memory', 'storage', 'gpu'] as const).filter((p) =>
    p === 'storage' ? phases.storage !== null : phases[p]
  )
  const sum = on.reduce((a, p) => a + PHASE_WEIGHTS[p], 0)
  const out: Partial<Record<ProbePhaseId, number>> = {}
  for (const p of on) out[p] = (totalS * 1000 * PHASE_WEIGHTS[p]) / sum
  return out
}

/** What the runner needs from the engine. */
export interface ProbeEngine {
  inventory: Inventory
  source: TelemetrySource
  intervalMs: number
}

/** Options of one probe. */
export interface ProbeOptions {
  durationS: number
  phases: ProbePhases
  engine: ProbeEngine
  machineKey: string
  machineLabel: string
  env: NodeJS.ProcessEnv
  /** Telemetry recorder for the probe's session, or null. */
  recorder?: ProbeSessionRecorder | null
  marginCelsius?: number
  threads?: number
  onProgress?: (p: ProbeProgress) => void
  /** Progress cadence (ms). Default 250. */
  progressEveryMs?: number
  controller?: LoadControllerOptions
  /** Test hooks: JS kernels, small arrays, small files, GPU runtime discovery. */
  forceJs?: boolean
  memoryMaxTotalBytes?: number
  storageMaxFileBytes?: number
  storageForceBuffered?: boolean
  findTorch?: (env: NodeJS.ProcessEnv, signal: AbortSignal) => Promise<TorchFinding>
  findWebGpu?: (env: NodeJS.ProcessEnv) => Promise<WebGpuFinding>
  commandStdio?: 'inherit' | 'ignore'
}

/** A running probe. */
export interface ProbeRun {
  /** Resolves with the result once every phase has ended and all load is gone. */
  result: Promise<ProbeResult>
  /** Stops the probe now (first reason wins). */
  stop(reason: ProbeStopReason, detail: string): void
  /** What load is running right now. */
  controller: LoadController
}

const now = (): number => performance.timeOrigin + performance.now()

function availableMemory(source: TelemetrySource): Reading<number> {
  const m = source.latest()?.memory
  if (m?.status === 'ok' && m.value.availableBytes.status === 'ok') return m.value.availableBytes
  return ok(freemem())
}

/** Starts a probe. */
export function startProbe(opts: ProbeOptions): ProbeRun {
  const controller = createLoadController(opts.controller)
  const ac = new AbortController()
  let stop: ProbeStop | null = null
  const doStop = (reason: ProbeStopReason, detail: string): void => {
    if (stop === null) stop = { reason, detail, atMs: Date.now() }
    ac.abort()
    void controller.stopAll()
  }
  const result = runProbe(opts, controller, ac.signal, doStop, () => stop).finally(() =>
    controller.dispose()
  )
  return { result, stop: doStop, controller }
}

async function runProbe(
  opts: ProbeOptions,
  controller: LoadController,
  signal: AbortSignal,
  doStop: (reason: ProbeStopReason, detail: string) => void,
  getStop: () => ProbeStop | null
): Promise<ProbeResult> {
  const { engine } = opts
  const startedAtMs = Date.now()
  const t0 = now()
  const durations = phaseDurationsMs(opts.durationS, opts.phases)
  const totalMs = Object.values(durations).reduce((a, b) => a + (b ?? 0), 0)
  const threads = opts.threads ?? availableParallelism()
  const margin = opts.marginCelsius ?? DEFAULT_SAFETY_MARGIN_CELSIUS
  const tracker = createThrottleTracker({ windowSeconds: Math.max(3600, opts.durationS * 2) })
  // Bounded: a day of 1 Hz telemetry at most (a user command may run long); older samples drop off.
  const MAX_SNAPSHOTS = 86_400
  const snapshots: Snapshot[] = []
  const windows: PhaseWindow[] = []
  let phase: ProbeProgress['phase'] = 'setup'
  let phaseStart = now()
  let doneMs = 0
  let line = 'starting'
  let state: ProbeProgress['state'] = 'running'

  const unsub = engine.source.subscribe((s) => {
    snapshots.push(s)
    if (snapshots.length > MAX_SNAPSHOTS) snapshots.splice(0, snapshots.length - MAX_SNAPSHOTS)
    tracker.push(s, engine.inventory)
    opts.recorder?.append(s)
    if (!signal.aborted) {
      const breach = checkSafety(s, engine.inventory, margin)
      if (breach) doStop(breach.reason, breach.detail)
    }
  })
  engine.source.start()
  const progress = (): void => {
    const cur = durations[phase as ProbePhaseId] ?? 0
    const inPhase =
      phase === 'setup' || phase === 'analysis' ? 0 : Math.min(cur, now() - phaseStart)
    opts.onProgress?.({
      state: signal.aborted && state === 'running' ? 'stopping' : state,
      phase,
      fraction: totalMs > 0 ? Math.min(1, (doneMs + inPhase) / totalMs) : 0,
      elapsedSeconds: (now() - t0) / 1000,
      totalSeconds: totalMs / 1000,
      line: signal.aborted && getStop() ? `stopping: ${getStop()!.detail}` : line
    })
  }
  const timer = setInterval(progress, opts.progressEveryMs ?? 250)
  timer.unref?.()

  const ctx: PhaseContext = {
    controller,
    signal,
    now,
    status: (l) => (line = l),
    toolFailed: (detail) => doStop('tool-failed', detail)
  }
  const notRun = <T extends { status: string; detail: string | null }>(base: T): T => ({
    ...base,
    status: 'stopped',
    detail: `not run: ${getStop()?.detail ?? 'probe stopped'}`
  })
  const begin = (p: ProbePhaseId, l: string): void => {
    phase = p
    phaseStart = now()
    line = l
    progress()
  }
  const end = (
    p: ProbePhaseId,
    w: { startedAtMs: number | null; endedAtMs: number | null }
  ): void => {
    doneMs += durations[p] ?? 0
    if (w.startedAtMs !== null && w.endedAtMs !== null)
      windows.push({ phase: p, startMs: w.startedAtMs, endMs: w.endedAtMs })
  }

  let cpu: CpuPhaseResult | null = null
  let memory: MemoryPhaseResult | null = null
  let storage: StoragePhaseResult | null = null
  let gpu: GpuPhaseResult | null = null
  let command: CommandPhaseResult | null = null
  const notes: string[] = []

  // A machine already on battery never starts loading.
  const first = engine.source.latest() ?? (await engine.source.tick().catch(() => null))
  if (first) {
    const breach = checkSafety(first, engine.inventory, margin)
    if (breach) doStop(breach.reason, breach.detail)
  }

  try {
    if (opts.phases.cpu) {
      begin('cpu', `cpu: ${threads} threads`)
      cpu = signal.aborted
        ? notRun(emptyCpu(threads))
        : await runCpuPhase(ctx, { threads, durationMs: durations.cpu!, forceJs: opts.forceJs })
      end('cpu', cpu)
    }
    if (opts.phases.memory) {
      begin('memory', 'memory: allocating')
      const fs = createFileReader()
      const llc = await readLlcBytes(fs).finally(() => fs.close())
      memory = signal.aborted
        ? notRun(emptyMemory(threads, llc))
        : await runMemoryPhase(ctx, {
            threads,
            durationMs: durations.memory!,
            llcBytes: llc,
            availableBytes: availableMemory(engine.source),
            forceJs: opts.forceJs,
            maxTotalBytes: opts.memoryMaxTotalBytes
          })
      end('memory', memory)
    }
    if (opts.phases.storage !== null) {
      begin('storage', `storage: ${opts.phases.storage}`)
      storage = signal.aborted
        ? notRun(emptyStorage(opts.phases.storage))
        : await runStoragePhase(ctx, {
            dir: opts.phases.storage,
            durationMs: durations.storage!,
            memTotalBytes: engine.inventory.memory.totalBytes,
            maxFileBytes: opts.storageMaxFileBytes,
            forceBuffered: opts.storageForceBuffered
          })
      end('storage', storage)
    }
    if (opts.phases.gpu) {
      begin('gpu', 'gpu: looking for PyTorch')
      gpu = signal.aborted
        ? notRun(emptyGpu(null))
        : await runGpu(ctx, opts, durations.gpu! / 1000, (l) => (line = l))
      end('gpu', gpu)
    }
    if (opts.phases.command !== null) {
      begin('command', `running: ${opts.phases.command.join(' ')}`)
      command = signal.aborted
        ? notRun<CommandPhaseResult>({
            status: 'stopped',
            detail: null,
            startedAtMs: null,
            endedAtMs: null,
            argv: opts.phases.command,
            exitCode: null,
            signal: null
          })
        : await runCommandPhase(ctx, opts.phases.command, {
            env: opts.env,
            stdio: opts.commandStdio
          })
      end('command', command!)
    }
  } finally {
    clearInterval(timer)
    phase = 'analysis'
    line = 'analysing telemetry'
    // Every phase cleans up after itself; this makes sure nothing is left whatever happened.
    await controller.stopAll()
    unsub()
  }
  // One more sample after the load, so the last phase's end is covered.
  if (!getStop()) await engine.source.tick().catch(() => null)
  if (opts.recorder)
    await opts.recorder
      .close()
      .catch((e: unknown) => notes.push(`session file: ${(e as Error).message}`))
  const endedAtMs = Date.now()
  const devices = analyzeDevices({
    inventory: engine.inventory,
    snapshots,
    windows,
    events: tracker.events(),
    storagePath: opts.phases.storage
  })
  if (snapshots.length < 2)
    notes.push(
      'fewer than two telemetry samples were taken: clocks, temperatures and throttling are unknown'
    )
  const phaseResults = [cpu, memory, storage, gpu, command].filter((p) => p !== null)
  const stopInfo = getStop()
  const complete =
    stopInfo === null &&
    phaseResults.every((p) => p.status === 'completed' || p.status === 'unavailable')
  state =
    stopInfo !== null || !complete
      ? stopInfo?.reason === 'tool-failed'
        ? 'failed'
        : 'stopped'
      : 'done'
  const result: ProbeResult = {
    format: PROBE_FORMAT,
    schemaVersion: PROBE_SCHEMA_VERSION,
    machineKey: opts.machineKey,
    machineLabel: opts.machineLabel,
    startedAtMs,
    endedAtMs,
    requestedDurationS: opts.durationS,
    complete,
    stop: stopInfo,
    sessionFile: opts.recorder?.path ?? null,
    cpu,
    memory,
    storage,
    gpu,
    command,
    devices,
    sustained:
      snapshots.length >= 2 ? tracker.sustained(snapshots[snapshots.length - 1].timestampMs) : null,
    notes
  }
  opts.onProgress?.({
    state,
    phase: 'analysis',
    fraction: 1,
    elapsedSeconds: (now() - t0) / 1000,
    totalSeconds: totalMs / 1000,
    line: stopInfo ? `stopped: ${stopInfo.detail}` : 'done',
    result
  })
  return result
}

async function runGpu(
  ctx: PhaseContext,
  opts: ProbeOptions,
  seconds: number,
  status: (l: string) => void
): Promise<GpuPhaseResult> {
  const torch = await (opts.findTorch ?? ((env, signal) => findTorchPython(env, { signal })))(
    opts.env,
    ctx.signal
  )
  if (ctx.signal.aborted)
    return { ...emptyGpu(null), status: 'stopped', detail: 'stopped while looking for PyTorch' }
  if (torch.kind === 'found') {
    status(
      `gpu: ${torch.python} torch ${torch.hello.torch} on ${torch.hello.devices.length} device(s)`
    )
    return runTorchGpuPhase(ctx, {
      python: torch.python,
      hello: torch.hello,
      seconds,
      env: opts.env
    })
  }
  status('gpu: looking for WebGPU')
  const web = await (opts.findWebGpu ?? findWebGpu)(opts.env)
  if (ctx.signal.aborted)
    return { ...emptyGpu(null), status: 'stopped', detail: 'stopped while looking for WebGPU' }
  if (web.kind === 'found') return runWebGpuPhase(ctx, { gpu: web.gpu, seconds })
  const hint = gpuInstallHint()
  return {
    ...emptyGpu(hint),
    status: 'unavailable',
    backend: unavailable(torch.reason, `PyTorch: ${torch.detail}; WebGPU: ${web.detail}`),
    detail: `no GPU runtime found (PyTorch: ${torch.detail}; WebGPU: ${web.detail})`
  }
}

function emptyCpu(threads: number): CpuPhaseResult {
  const na = unavailable('not-applicable', 'not run')
  return {
    status: 'stopped',
    detail: null,
    startedAtMs: null,
    endedAtMs: null,
    threads,
    kernel: 'wasm-simd128-f64',
    gflopsPeak: na,
    gflopsSustained: na,
    gflopsSeries: []
  }
}

function emptyMemory(threads: number, llc: Reading<number>): MemoryPhaseResult {
  const kb = (n: number) => ({
    bestGBps: unavailable('not-applicable', 'not run'),
    medianGBps: unavailable('not-applicable', 'not run'),
    trials: 0,
    countedBytesPerElement: n
  })
  return {
    status: 'stopped',
    detail: null,
    startedAtMs: null,
    endedAtMs: null,
    threads,
    arrayBytes: 0,
    llcBytes: llc,
    sizing: 'not run',
    kernels: { read: kb(8), write: kb(8), copy: kb(16), triad: kb(24) }
  }
}

function emptyStorage(path: string): StoragePhaseResult {
  const dir = {
    meanMBps: unavailable('not-applicable', 'not run'),
    series: [],
    bytes: 0,
    seconds: 0
  }
  return {
    status: 'stopped',
    detail: null,
    startedAtMs: null,
    endedAtMs: null,
    path,
    method: 'cache-affected',
    methodDetail: 'not run',
    blockBytes: 0,
    fileBytes: 0,
    write: dir,
    read: dir,
    fileRemoved: true
  }
}

function emptyGpu(installHint: string | null): GpuPhaseResult {
  return {
    status: 'stopped',
    detail: null,
    startedAtMs: null,
    endedAtMs: null,
    backend: unavailable('not-applicable', 'not run'),
    runtime: null,
    devices: [],
    installHint
  }
}
