/**
 * A 72 h × 1 Hz session of the fixture machine, written once through the real writer and cached under
 * `out/test-sessions/` (ignored by git): the browser tests open it, the bench can reuse it.
 */
import { access, mkdir, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { syntheticInventory, syntheticRun } from '../../src-main/node/bench/synth-session'
import { createSessionWriter } from '../../src-main/node/recorder/writer'

/** Where cached long sessions live. */
export const LONG_SESSIONS_DIR = resolve(import.meta.dirname, '../../out/test-sessions')

/** Path of the cached session of `hours` (written on first use; bump the name when the generator changes). */
export async function longSession(hours = 72): Promise<string> {
  const path = join(LONG_SESSIONS_DIR, `fixture-machine-${hours}h-v1.rrs`)
  const ok = await access(path).then(
    () => true,
    () => false
  )
  if (ok) return path
  await mkdir(LONG_SESSIONS_DIR, { recursive: true })
  const tmp = `${path}.part-${process.pid}`
  await rm(tmp, { force: true })
  const run = syntheticRun({ startMs: Date.UTC(2026, 0, 5, 20) })
  const first = run.next().value
  const w = await createSessionWriter(tmp, {
    startedAtMs: first.timestampMs,
    intervalMs: 1000,
    inventory: syntheticInventory(first.timestampMs),
    command: ['python', 'train.py', '--epochs', '3']
  })
  await w.record({
    type: 'command-start',
    atMs: first.timestampMs,
    argv: ['python', 'train.py', '--epochs', '3'],
    pid: 4242
  })
  let last = first
  await w.append(first)
  for (let i = 1; i < hours * 3600; i++) await w.append((last = run.next().value))
  await w.record({
    type: 'command-end',
    atMs: last.timestampMs,
    argv: ['python', 'train.py', '--epochs', '3'],
    exitCode: 0,
    signal: null,
    exitStatus: 0,
    durationMs: last.timestampMs - first.timestampMs
  })
  await w.close('command-ended')
  await rename(tmp, path)
  return path
}
