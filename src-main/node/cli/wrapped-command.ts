/**
 * Runs the command `rigready record -- CMD ARGS…` wraps, so that it behaves like running CMD directly:
 * stdout and stderr are the terminal's, stdin passes through, signals sent to rigready reach the command's
 * whole process group (its workers too), and its exit status comes back as the shell would report it.
 *
 * The command runs in its own process group (POSIX) so one forwarded signal reaches it exactly once, whether
 * the signal came from the terminal (Ctrl-C reaches rigready, which forwards it) or from `kill`. When stdin is
 * a terminal it is relayed through a pipe (a background process group may not read the terminal); the
 * command can still write to it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { constants } from 'node:os'

/** How the command ended. */
export interface CommandOutcome {
  /** Its own exit code; null when a signal ended it or it never started. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** What `rigready record` exits with: the exit code, 128 + signal, 127 not found, 126 not executable. */
  exitStatus: number
  /** Why it could not run, else undefined. */
  error?: string
  startedAtMs: number
  durationMs: number
}

/** A started command. */
export interface WrappedCommand {
  readonly pid: number | null
  /** Resolves once, when the command has ended or failed to start. */
  readonly done: Promise<CommandOutcome>
  /** Sends `signal` to the command's process group. */
  signal(signal: NodeJS.Signals): void
}

/** Options of `runWrappedCommand`. */
export interface WrappedCommandOptions {
  /** rigready's stdin when it is a terminal (relayed through a pipe); null to let the child inherit fd 0. */
  stdin: NodeJS.ReadStream | null
  env?: NodeJS.ProcessEnv
  /** Called once the process exists (with its pid). */
  onSpawn?: (pid: number) => void
  now?: () => number
  platform?: NodeJS.Platform
}

/** 128 + the number of `signal`. */
function statusForSignal(signal: NodeJS.Signals): number {
  const n = (constants.signals as Record<string, number>)[signal]
  return 128 + (typeof n === 'number' ? n : 0)
}

/** Starts `argv` (never through a shell). */
export function runWrappedCommand(
  argv: readonly string[],
  options: WrappedCommandOptions
): WrappedCommand {
  const now = options.now ?? Date.now
  const platform = options.platform ?? process.platform
  const posix = platform !== 'win32'
  const startedAtMs = now()
  const relayStdin = options.stdin !== null
  let child: ChildProcess
  let resolveDone: (o: CommandOutcome) => void = () => {}
  const done = new Promise<CommandOutcome>((r) => (resolveDone = r))
  let settled = false
  const settle = (o: Omit<CommandOutcome, 'startedAtMs' | 'durationMs'>): void => {
    if (settled) return
    settled = true
    if (relayStdin && options.stdin) {
      options.stdin.unpipe()
      options.stdin.pause()
    }
    resolveDone({ ...o, startedAtMs, durationMs: Math.max(0, now() - startedAtMs) })
  }
  try {
    child = spawn(argv[0], argv.slice(1), {
      stdio: [relayStdin ? 'pipe' : 'inherit', 'inherit', 'inherit'],
      shell: false,
      detached: posix,
      env: options.env ?? process.env,
      windowsHide: false
    })
  } catch (err) {
    // Synchronous spawn failures (an invalid argument) are reported like a failed start.
    const message = err instanceof Error ? err.message : String(err)
    settle({
      exitCode: null,
      signal: null,
      exitStatus: 127,
      error: `cannot start ${argv[0]}: ${message}`
    })
    return { pid: null, done, signal: () => {} }
  }
  child.once('spawn', () => {
    if (child.pid !== undefined) options.onSpawn?.(child.pid)
    if (relayStdin && options.stdin && child.stdin) {
      // The child may exit before reading everything; a closed pipe is not an error here.
      child.stdin.on('error', () => {})
      options.stdin.pipe(child.stdin)
      options.stdin.resume()
    }
  })
  child.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT')
      settle({
        exitCode: null,
        signal: null,
        exitStatus: 127,
        error: `command not found: ${argv[0]}`
      })
    else if (err.code === 'EACCES')
      settle({
        exitCode: null,
        signal: null,
        exitStatus: 126,
        error: `permission denied (not executable): ${argv[0]}`
      })
    else if (child.pid === undefined)
      settle({
        exitCode: null,
        signal: null,
        exitStatus: 126,
        error: `cannot start ${argv[0]}: ${err.message}`
      })
  })
  child.once('exit', (code, signal) => {
    if (signal) settle({ exitCode: null, signal, exitStatus: statusForSignal(signal) })
    else settle({ exitCode: code ?? 0, signal: null, exitStatus: code ?? 0 })
  })
  return {
    get pid() {
      return child.pid ?? null
    },
    done,
    signal(sig) {
      if (settled || child.pid === undefined) return
      try {
        if (posix) process.kill(-child.pid, sig)
        else child.kill(sig)
      } catch {
        // The group is gone (or was never ours): signal the child itself.
        try {
          child.kill(sig)
        } catch {
          // Already exited.
        }
      }
    }
  }
}
