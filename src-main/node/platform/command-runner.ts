/**
 * Runs external commands with an argument array (never a shell), a timeout and a kill on timeout.
 *
 * A hung tool costs one reading, never the loop: the child gets SIGTERM at the timeout and SIGKILL
 * shortly after if it ignores it.
 */
import { spawn } from 'node:child_process'

/** Outcome of one command. */
export type CommandResult =
  | { kind: 'ok'; stdout: string; stderr: string; durationMs: number }
  /** `notRun`: the tool was not even looked up, and why (fixture roots without captured tools). */
  | { kind: 'not-found'; message: string; notRun?: string }
  | { kind: 'permission-denied'; message: string }
  | { kind: 'exit'; code: number | null; signal: string | null; stdout: string; stderr: string }
  | { kind: 'timeout'; timeoutMs: number; stdout: string }
  | { kind: 'aborted' }

/** Options for one run. */
export interface RunOptions {
  timeoutMs: number
  signal?: AbortSignal
  /** Cap on captured stdout (bytes); extra output is dropped. */
  maxOutputBytes?: number
  env?: NodeJS.ProcessEnv
}

/** The injectable runner every collector receives. */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  options: RunOptions
) => Promise<CommandResult>

const KILL_GRACE_MS = 500

/** The real runner, backed by `child_process.spawn` with `shell: false`. */
export function createCommandRunner(baseEnv: NodeJS.ProcessEnv = process.env): CommandRunner {
  return (file, args, options) =>
    new Promise<CommandResult>((resolve) => {
      if (options.signal?.aborted) {
        resolve({ kind: 'aborted' })
        return
      }
      const started = performance.now()
      const max = options.maxOutputBytes ?? 16 * 1024 * 1024
      let stdout = ''
      let stderr = ''
      let settled = false
      let timedOut = false
      let aborted = false
      const child = spawn(file, [...args], {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: options.env ?? baseEnv,
        windowsHide: true
      })
      const finish = (r: CommandResult): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        // The SIGKILL escalation stays armed: a child that ignores SIGTERM must not outlive its reading.
        options.signal?.removeEventListener('abort', onAbort)
        resolve(r)
      }
      let killTimer: ReturnType<typeof setTimeout> | undefined
      const kill = (): void => {
        child.kill('SIGTERM')
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
        killTimer.unref?.()
      }
      const timer = setTimeout(() => {
        timedOut = true
        kill()
        // Do not wait for a child that ignores signals: the reading is lost either way.
        finish({ kind: 'timeout', timeoutMs: options.timeoutMs, stdout })
      }, options.timeoutMs)
      const onAbort = (): void => {
        aborted = true
        kill()
        finish({ kind: 'aborted' })
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      child.stdout.setEncoding('utf8')
      child.stderr.setEncoding('utf8')
      child.stdout.on('data', (d: string) => {
        if (stdout.length < max) stdout += d
      })
      child.stderr.on('data', (d: string) => {
        if (stderr.length < 64 * 1024) stderr += d
      })
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') finish({ kind: 'not-found', message: `${file}: not found` })
        else if (err.code === 'EACCES' || err.code === 'EPERM')
          finish({ kind: 'permission-denied', message: `${file}: ${err.code}` })
        else finish({ kind: 'exit', code: null, signal: null, stdout, stderr: String(err.message) })
      })
      child.on('close', (code, signal) => {
        clearTimeout(killTimer)
        if (timedOut || aborted) return
        if (code === 0)
          finish({ kind: 'ok', stdout, stderr, durationMs: performance.now() - started })
        else finish({ kind: 'exit', code, signal, stdout, stderr })
      })
    })
}

/**
 * A runner that runs nothing: every command is `not-found` with `notRun` saying why. Used under fixture roots
 * without captured tools, so a captured tree never gets this machine's `smartctl` or `nvidia-smi` output.
 */
export function createNoToolsRunner(why: string): CommandRunner {
  return async (file) => ({ kind: 'not-found', message: `${file}: not run`, notRun: why })
}
