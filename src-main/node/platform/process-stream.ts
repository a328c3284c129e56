/**
 * A long-lived child process read line by line: restarted with backoff when it dies, and killed and
 * restarted by a watchdog when it goes silent (a hung `nvidia-smi -lms` costs readings, never the loop).
 */
import { spawn, type ChildProcess } from 'node:child_process'

/** State changes reported to the owner. */
export type StreamEvent =
  | { kind: 'started'; pid: number | undefined }
  | { kind: 'exited'; code: number | null; signal: string | null; stderr: string }
  /** `notRun`: the tool was not even looked up, and why (fixture roots without captured tools). */
  | { kind: 'not-found'; message: string; notRun?: string }
  | { kind: 'permission-denied'; message: string }
  | { kind: 'silent'; silentMs: number }
  | { kind: 'gave-up'; restarts: number }

/** Options for a stream. */
export interface ProcessStreamOptions {
  file: string
  args: readonly string[]
  onLine: (line: string) => void
  onEvent?: (e: StreamEvent) => void
  /** Kill and restart when no line arrives for this long. */
  silenceTimeoutMs: number
  /** First restart delay; doubles up to `maxBackoffMs`. */
  backoffMs?: number
  maxBackoffMs?: number
  /** Stop restarting after this many consecutive failures (not-found stops at once). */
  maxRestarts?: number
  env?: NodeJS.ProcessEnv
}

/** A running stream. */
export interface ProcessStream {
  readonly running: boolean
  stop(): Promise<void>
}

/** Starts the injectable spawner's real implementation. */
export type StreamSpawner = (options: ProcessStreamOptions) => ProcessStream

/** The real spawner (`shell: false`). */
export const spawnProcessStream: StreamSpawner = (options) => {
  const backoff0 = options.backoffMs ?? 500
  const maxBackoff = options.maxBackoffMs ?? 30_000
  const maxRestarts = options.maxRestarts ?? Infinity
  let child: ChildProcess | undefined
  let stopped = false
  let failures = 0
  let lastLineAt = Date.now()
  let restartTimer: ReturnType<typeof setTimeout> | undefined
  let gotLineSinceStart = false

  const emit = (e: StreamEvent): void => options.onEvent?.(e)

  const scheduleRestart = (): void => {
    if (stopped) return
    failures += 1
    if (failures > maxRestarts) {
      emit({ kind: 'gave-up', restarts: failures - 1 })
      stopped = true
      return
    }
    const delay = Math.min(maxBackoff, backoff0 * 2 ** Math.min(failures - 1, 16))
    restartTimer = setTimeout(start, delay)
    restartTimer.unref?.()
  }

  function start(): void {
    if (stopped) return
    let partial = ''
    let stderr = ''
    gotLineSinceStart = false
    lastLineAt = Date.now()
    const c = spawn(options.file, [...options.args], {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      windowsHide: true
    })
    child = c
    c.stdout!.setEncoding('utf8')
    c.stderr!.setEncoding('utf8')
    c.stdout!.on('data', (chunk: string) => {
      lastLineAt = Date.now()
      partial += chunk
      let nl: number
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl).replace(/\r$/, '')
        partial = partial.slice(nl + 1)
        if (!gotLineSinceStart) {
          gotLineSinceStart = true
          failures = 0
        }
        if (line.length > 0) options.onLine(line)
      }
      if (partial.length > 1024 * 1024) partial = ''
    })
    c.stderr!.on('data', (d: string) => {
      if (stderr.length < 16 * 1024) stderr += d
    })
    c.on('spawn', () => emit({ kind: 'started', pid: c.pid }))
    c.on('error', (err: NodeJS.ErrnoException) => {
      if (child !== c) return
      child = undefined
      if (err.code === 'ENOENT') {
        emit({ kind: 'not-found', message: `${options.file}: not found` })
        stopped = true
        return
      }
      if (err.code === 'EACCES' || err.code === 'EPERM') {
        emit({ kind: 'permission-denied', message: `${options.file}: ${err.code}` })
        stopped = true
        return
      }
      emit({ kind: 'exited', code: null, signal: null, stderr: err.message })
      scheduleRestart()
    })
    c.on('close', (code, signal) => {
      if (child !== c) return
      child = undefined
      emit({ kind: 'exited', code, signal, stderr: stderr.trim() })
      scheduleRestart()
    })
  }

  const watchdog = setInterval(
    () => {
      if (stopped || !child) return
      const silent = Date.now() - lastLineAt
      if (silent > options.silenceTimeoutMs) {
        emit({ kind: 'silent', silentMs: silent })
        const c = child
        c.kill('SIGKILL')
      }
    },
    Math.max(50, Math.min(1000, options.silenceTimeoutMs / 4))
  )
  watchdog.unref?.()
  start()

  return {
    get running() {
      return child !== undefined && !stopped
    },
    async stop() {
      stopped = true
      if (restartTimer) clearTimeout(restartTimer)
      clearInterval(watchdog)
      const c = child
      child = undefined
      if (c && c.exitCode === null) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            c.kill('SIGKILL')
            resolve()
          }, 1000)
          c.once('close', () => {
            clearTimeout(t)
            resolve()
          })
          c.kill('SIGTERM')
        })
      }
    }
  }
}

/** A spawner that starts nothing: reports `not-found` with `notRun` once (see `createNoToolsRunner`). */
export function createNoToolsSpawner(why: string): StreamSpawner {
  return (options) => {
    queueMicrotask(() =>
      options.onEvent?.({ kind: 'not-found', message: `${options.file}: not run`, notRun: why })
    )
    return { running: false, stop: async () => {} }
  }
}
