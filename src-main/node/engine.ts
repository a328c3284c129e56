/**
 * Composes the engine: platform I/O → collectors → inventory → sampler, or a replayed session in place of
 * the live sampler. Every face (CLI, serve, desktop) starts here.
 */
import { arch as osArch } from 'node:os'
import type { Inventory } from '../shared/telemetry'
import { collectorsFor } from './collectors/index'
import type { Collector, CollectorDeps } from './collectors/types'
import { readHostFacts, readTreeIdentity } from './host-facts'
import { readPcieSlots } from './sources/pci-slots'
import { buildInventory, type SiInventory } from './inventory'
import { createSystemClock, type Clock } from './platform/clock'
import {
  createCommandRunner,
  createNoToolsRunner,
  type CommandRunner
} from './platform/command-runner'
import { createFileReader } from './platform/file-reader'
import { createLogger, type Logger } from './platform/logger'
import {
  createNoToolsSpawner,
  spawnProcessStream,
  type StreamSpawner
} from './platform/process-stream'
import { openSession } from './recorder/reader'
import { createReplaySource } from './recorder/replay'
import type { SessionHeader } from './recorder/session'
import { createSampler } from './sampler'
import type { TelemetrySource } from './telemetry-source'

export type { TelemetrySource }

/** Engine options (CLI flags map onto these). */
export interface EngineOptions {
  sysRoot?: string
  procRoot?: string
  replayFile?: string
  /** Replay speed factor (Infinity: as fast as the engine can). */
  speed?: number
  /** Where a replay starts: an offset from the session's start, or a recorded time (epoch ms). */
  replayFrom?: { offsetMs: number } | { atMs: number }
  loop?: boolean
  prefill?: number
  intervalMs?: number
  platform?: NodeJS.Platform
  env?: NodeJS.ProcessEnv
  run?: CommandRunner
  spawnStream?: StreamSpawner
  clock?: Clock
  log?: Logger
  /** Override: call systeminformation for inventory (default: only in live mode). */
  useSystemInformation?: boolean
  si?: SiInventory
  /**
   * Under fixture roots, where tools come from: a PATH holding captured tools (`--tools-dir`), or `null` to
   * run none (tool readings are then `tool-missing`, saying why). Left undefined, the PATH of `env` is used when
   * `env` is given (tests with fake tools), and no tool runs otherwise: a captured tree never gets this
   * machine's `smartctl` or `nvidia-smi` output. Ignored in live mode.
   */
  toolsPath?: string | null
  /** Collector factories override (tests). */
  collectors?: ((deps: CollectorDeps) => Collector)[]
  historySize?: number
}

/** A composed engine. */
export interface Engine {
  mode: 'live' | 'fixture' | 'replay'
  inventory: Inventory
  source: TelemetrySource
  intervalMs: number
  replayHeader: SessionHeader | null
  /** Collectors that found their devices (empty for replay). */
  collectorIds: string[]
  close(): Promise<void>
}

/** The last path element of a fixture root, naming the tree in labels. */
function treeName(root: string): string {
  const parts = root.split(/[\\/]+/).filter((p) => p !== '' && p !== 'sys' && p !== 'proc')
  return parts[parts.length - 1] ?? root
}

/** Tools under fixture roots: the captured ones on `toolsPath` (or the given env's PATH), else none. */
function fixtureTools(options: EngineOptions): {
  env: NodeJS.ProcessEnv
  run?: CommandRunner
  spawnStream?: StreamSpawner
} {
  const base = options.env ?? process.env
  const path =
    options.toolsPath !== undefined
      ? options.toolsPath
      : options.env !== undefined
        ? (options.env.PATH ?? null)
        : null
  if (path !== null && path !== '') return { env: { ...base, PATH: path } }
  const why = 'not run under fixture roots (give --tools-dir with the captured tools)'
  return {
    env: { ...base, PATH: '' },
    run: createNoToolsRunner(why),
    spawnStream: createNoToolsSpawner(why)
  }
}

/** Builds the engine; does not start sampling (call `engine.source.start()` or `tick()`). */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const clock = options.clock ?? createSystemClock()
  // The CLI shows reasons in its output; collector transitions go to stderr only when asked (RIGREADY_LOG).
  const level = process.env.RIGREADY_LOG
  const log =
    options.log ??
    createLogger(level === 'debug' || level === 'info' || level === 'warn' ? level : 'error')
  const intervalMs = options.intervalMs ?? 1000
  if (options.replayFile) {
    // Streamed: playback starts at once whatever the session's length; corrupt regions are logged and skipped.
    const opened = await openSession(options.replayFile)
    const file = options.replayFile
    const from = options.replayFrom
    const source = createReplaySource(opened, {
      clock,
      speed: options.speed,
      loop: options.loop,
      prefill: options.prefill,
      historySize: options.historySize,
      startAtMs: from
        ? 'atMs' in from
          ? from.atMs
          : opened.header.startedAtMs + from.offsetMs
        : undefined,
      onProblem: (p) => {
        if (p.kind !== 'torn') log.log('warn', `${file}: ${p.where}: ${p.message}`)
      }
    })
    return {
      mode: 'replay',
      inventory: opened.header.inventory,
      source,
      intervalMs: opened.header.intervalMs,
      replayHeader: opened.header,
      collectorIds: [],
      close: () => source.stop()
    }
  }
  const fixture = options.sysRoot !== undefined || options.procRoot !== undefined
  const platform = options.platform ?? (fixture ? 'linux' : process.platform)
  const tools = fixture ? fixtureTools(options) : undefined
  const env = tools ? tools.env : (options.env ?? process.env)
  const deps: CollectorDeps = {
    run: options.run ?? tools?.run ?? createCommandRunner(env),
    spawnStream: options.spawnStream ?? tools?.spawnStream ?? spawnProcessStream,
    // A fixture tree with only one of sysfs/procfs has none of the other: never fall back to this machine's.
    fs: fixture
      ? createFileReader({ sysRoot: options.sysRoot ?? null, procRoot: options.procRoot ?? null })
      : createFileReader(),
    clock,
    log,
    platform,
    intervalMs,
    env
  }
  const factories = options.collectors ?? collectorsFor(platform)
  const collectors = factories.map((f) => f(deps))
  const identity = fixture
    ? await readTreeIdentity(deps.fs, treeName(options.sysRoot ?? options.procRoot ?? ''))
    : undefined
  const { inventory, present, absent, absentReasons } = await buildInventory({
    collectors,
    platform,
    arch: identity?.arch ?? osArch(),
    hostname: identity?.hostname,
    useSystemInformation: options.useSystemInformation ?? !fixture,
    si: options.si,
    nowMs: clock.now()
  })
  await Promise.all(absent.map((c) => c.close().catch(() => {})))
  if (platform === 'linux') {
    const facts = await readHostFacts(deps.fs)
    if (inventory.host.kernel.status !== 'ok') inventory.host.kernel = facts.kernel
    inventory.host.container = facts.container
    inventory.host.virtualization = facts.virtualization
    // Free slots and their lanes for the advice (what the box can take).
    inventory.pcieSlots = await readPcieSlots(deps.fs)
  }
  const sampler = createSampler({
    collectors: present,
    absent: absent.map((c) => c.id),
    absentReasons: Object.fromEntries(absentReasons),
    clock,
    log,
    intervalMs,
    historySize: options.historySize
  })
  return {
    mode: fixture ? 'fixture' : 'live',
    inventory,
    source: sampler,
    intervalMs,
    replayHeader: null,
    collectorIds: present.map((c) => c.id),
    async close() {
      await sampler.stop()
      await deps.fs.close()
    }
  }
}
