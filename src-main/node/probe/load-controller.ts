/**
 * Owns every piece of load a probe starts — worker threads, child processes, probe files — so one call ends
 * all of it at once, whatever triggered the stop (Ctrl-C, Stop, a threshold, battery, a failing tool, the
 * process exiting).
 *
 * `stopAll()` terminates workers (V8 interrupts a running wasm loop), sends SIGTERM to children and SIGKILL
 * after `killGraceMs`, and closes and removes probe files. While anything is registered, a process `exit`
 * hook does the same synchronously, so even an unexpected exit leaves no file or child behind.
 */
import type { ChildProcess } from 'node:child_process'
import { unlinkSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { Worker } from 'node:worker_threads'

/** What is running right now (tests assert on this, not on wall time). */
export interface ActiveLoad {
  workers: number
  children: number[]
  files: string[]
}

/** The controller. */
export interface LoadController {
  addWorker(worker: Worker): void
  removeWorker(worker: Worker): void
  addChild(child: ChildProcess): void
  /** Registers a probe file; it is removed on `stopAll`, `removeFile` or process exit. */
  addFile(path: string, handle: FileHandle | null): void
  /** Closes and removes one probe file; true when it is gone. */
  removeFile(path: string): Promise<boolean>
  /** Ends all load; resolves when workers have exited, children are dead and files are removed. */
  stopAll(): Promise<void>
  active(): ActiveLoad
  /** True once `stopAll` was called. */
  readonly stopped: boolean
  /** Unhooks the process exit handler (after the probe ends). */
  dispose(): void
}

/** Options (tests shorten the grace period). */
export interface LoadControllerOptions {
  /** Time between SIGTERM and SIGKILL for children (ms). Default 300. */
  killGraceMs?: number
  /** Registers the exit hook; default `process.on('exit')`. */
  onProcessExit?: (fn: () => void) => () => void
}

const defaultExitHook = (fn: () => void): (() => void) => {
  process.on('exit', fn)
  return () => process.off('exit', fn)
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

/** Creates a load controller. */
export function createLoadController(options: LoadControllerOptions = {}): LoadController {
  const grace = options.killGraceMs ?? 300
  const workers = new Set<Worker>()
  const children = new Set<ChildProcess>()
  const files = new Map<string, FileHandle | null>()
  let stopped = false

  // Last resort on process exit: only synchronous work runs here.
  const onExit = (): void => {
    for (const w of workers) void w.terminate()
    for (const c of children) if (alive(c)) c.kill('SIGKILL')
    for (const path of files.keys()) {
      try {
        // eslint-disable-next-line no-restricted-syntax -- an exit handler cannot await; the file must not survive
        unlinkSync(path)
      } catch {
        // already gone
      }
    }
  }
  const unhook = (options.onProcessExit ?? defaultExitHook)(onExit)

  const endChild = (c: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      if (!alive(c)) return resolve()
      const timer = setTimeout(() => {
        if (alive(c)) c.kill('SIGKILL')
      }, grace)
      c.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      c.kill('SIGTERM')
    })

  const removeFile = async (path: string): Promise<boolean> => {
    const fh = files.get(path)
    if (fh) await fh.close().catch(() => {})
    let gone = true
    try {
      await unlink(path)
    } catch (err) {
      gone = (err as NodeJS.ErrnoException).code === 'ENOENT'
    }
    if (gone) files.delete(path)
    return gone
  }

  return {
    addWorker(w) {
      workers.add(w)
      w.once('exit', () => workers.delete(w))
      if (stopped) void w.terminate()
    },
    removeWorker(w) {
      workers.delete(w)
    },
    addChild(c) {
      children.add(c)
      c.once('exit', () => children.delete(c))
      if (stopped) void endChild(c)
    },
    addFile(path, handle) {
      files.set(path, handle)
      if (stopped) void removeFile(path)
    },
    removeFile,
    async stopAll() {
      stopped = true
      await Promise.all([
        ...[...workers].map((w) => w.terminate().catch(() => 0)),
        ...[...children].map(endChild),
        ...[...files.keys()].map(removeFile)
      ])
    },
    active() {
      return {
        workers: workers.size,
        children: [...children].filter(alive).map((c) => c.pid ?? -1),
        files: [...files.keys()]
      }
    },
    get stopped() {
      return stopped
    },
    dispose() {
      unhook()
    }
  }
}
