/**
 * Test harness for probe runs: a fake `python3` on PATH (the protocol-speaking stand-in next to this file),
 * a telemetry source the test drives by hand, and helpers to check that no load is left behind.
 */
import { chmod, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import type { TelemetrySource } from '../../../src-main/node/telemetry-source'
import type { Inventory, Snapshot } from '../../../src-main/shared/telemetry'
import { snapshot } from '../../helpers/snapshot-builder'

/** Path of the fake interpreter's script. */
export const FAKE_PYTHON = resolve(__dirname, 'fake-python.mjs')

/** A directory holding an executable `python3` that runs the fake; returns an env with it first on PATH. */
export async function fakePythonEnv(
  extra: NodeJS.ProcessEnv = {}
): Promise<{ env: NodeJS.ProcessEnv; dir: string; pidDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rr-fakepy-'))
  const pidDir = await mkdtemp(join(tmpdir(), 'rr-fakepids-'))
  const launcher = join(dir, 'python3')
  await writeFile(launcher, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_PYTHON}" "$@"\n`)
  await chmod(launcher, 0o755)
  // No `python` fallback: only the fake answers.
  const env = {
    ...process.env,
    PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`,
    RIGREADY_PYTHON: launcher,
    FAKE_PID_DIR: pidDir,
    ...extra
  }
  return { env, dir, pidDir }
}

/** Pids the fake recorded. */
export async function fakePids(pidDir: string): Promise<number[]> {
  return (await readdir(pidDir)).map(Number)
}

/** True while a process with that pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Polls `check` until it holds or `timeoutMs` passes (generous timeouts: state, not speed, is asserted). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000
): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return check()
}

/** A telemetry source the test feeds: `push(snapshot)` delivers to subscribers; ticks repeat the last one. */
export interface ManualSource extends TelemetrySource {
  push(s: Snapshot): void
}

/** Creates a manual source, starting from `first` (a healthy machine on AC). */
export function manualSource(first: Snapshot = snapshot({ t: Date.now() })): ManualSource {
  const listeners = new Set<(s: Snapshot) => void>()
  let last: Snapshot = first
  let seq = 0
  const history: Snapshot[] = [first]
  return {
    start() {},
    async stop() {},
    async tick() {
      last = { ...last, seq: ++seq, timestampMs: Date.now() }
      history.push(last)
      for (const l of listeners) l(last)
      return last
    },
    latest: () => last,
    history: (since) => history.filter((s) => s.timestampMs > since),
    health: () => [],
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    push(s) {
      last = { ...s, seq: ++seq }
      history.push(last)
      for (const l of listeners) l(last)
    }
  }
}

/** Files in `dir` that look like probe files. */
export async function probeFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('.rigready-probe-'))
}

/** Engine stand-in for `startProbe`. */
export function fakeEngine(
  inventory: Inventory,
  source: TelemetrySource
): { inventory: Inventory; source: TelemetrySource; intervalMs: number } {
  return { inventory, source, intervalMs: 1000 }
}
