/**
 * Shared CLI plumbing: IO abstraction (so commands are testable in-process), engine options from flags,
 * usage errors.
 */
import { resolve as resolvePath } from 'node:path'
import type { EngineOptions } from '../engine'

/** What a command may touch of the process (injectable in tests). */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number; rows?: number }
  stderr: { write(s: string): unknown }
  stdin: NodeJS.ReadStream | null
  env: NodeJS.ProcessEnv
  /** Calls `fn` when the user asks to stop (Ctrl-C, SIGTERM, SIGHUP), with the signal's name. */
  onInterrupt(fn: (signal?: NodeJS.Signals) => void): () => void
  /**
   * Set by `main`: a command whose exit code is someone else's (the wrapped command's) claims it, so an
   * interrupt does not turn it into 128 + signal.
   */
  claimExitCode?: () => void
}

/** A usage mistake: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Exit codes. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  belowThreshold: 3,
  notExecutable: 126,
  notFound: 127,
  interrupted: 130
} as const

/** Flags shared by engine-backed commands. */
export const ENGINE_FLAGS = {
  'sysfs-root': { type: 'string' },
  'procfs-root': { type: 'string' },
  'tools-dir': { type: 'string' },
  replay: { type: 'string' },
  speed: { type: 'string' },
  seek: { type: 'string' },
  interval: { type: 'string' }
} as const

/**
 * Parses `--seek`: an offset from the session's start (`90m`, `36h`, `1h30m`, `45s`, plain seconds) or an
 * ISO time (`2026-01-06T08:00:00Z`).
 */
export function parseSeek(v: string): { offsetMs: number } | { atMs: number } {
  const rel =
    /^\+?(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(
      v.trim()
    )
  if (rel && v.trim() !== '' && rel.slice(1).some((x) => x !== undefined)) {
    const [d, h, m, sec] = rel.slice(1).map((x) => (x === undefined ? 0 : Number(x)))
    return { offsetMs: Math.round(((d * 24 + h) * 3600 + m * 60 + sec) * 1000) }
  }
  const at = Date.parse(v)
  if (Number.isFinite(at) && /\d{4}-\d{2}-\d{2}/.test(v)) return { atMs: at }
  throw new UsageError(
    `--seek must be an offset such as 90m, 36h or 1h30m, or an ISO time (got "${v}")`
  )
}

/** Parses a positive number flag. */
export function positiveNumber(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number (got "${v}")`)
  return n
}

/** Engine options from parsed flags. */
export function engineOptionsFrom(values: Record<string, unknown>, io: CliIo): EngineOptions {
  const opts: EngineOptions = { env: io.env }
  if (typeof values['sysfs-root'] === 'string') opts.sysRoot = values['sysfs-root']
  if (typeof values['procfs-root'] === 'string') opts.procRoot = values['procfs-root']
  const fixture = opts.sysRoot !== undefined || opts.procRoot !== undefined
  const toolsDir = values['tools-dir']
  if (typeof toolsDir === 'string' && !fixture)
    throw new UsageError(
      '--tools-dir needs --sysfs-root or --procfs-root (it names captured tools)'
    )
  // Under fixture roots no tool of this machine runs: only captured ones from --tools-dir, if given.
  if (fixture) opts.toolsPath = typeof toolsDir === 'string' ? resolvePath(toolsDir) : null
  if (typeof values.replay === 'string') opts.replayFile = values.replay
  if (typeof values.speed === 'string')
    opts.speed = values.speed === 'max' ? Infinity : positiveNumber('speed', values.speed, 1)
  if (typeof values.seek === 'string') {
    if (typeof values.replay !== 'string') throw new UsageError('--seek needs --replay FILE')
    opts.replayFrom = parseSeek(values.seek)
  }
  if (typeof values.interval === 'string')
    opts.intervalMs = Math.round(positiveNumber('interval', values.interval, 1) * 1000)
  return opts
}

/** Sleeps (CLI only; engine code uses the injected clock). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
