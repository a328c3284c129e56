import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { syntheticInventory, syntheticRun } from '../../../../src-main/node/bench/synth-session'
import { createEngine } from '../../../../src-main/node/engine'
import { openSession } from '../../../../src-main/node/recorder/reader'
import { createReplaySource } from '../../../../src-main/node/recorder/replay'
import { createSessionWriter } from '../../../../src-main/node/recorder/writer'
import { createSystemClock } from '../../../../src-main/node/platform/clock'
import type { Snapshot } from '../../../../src-main/shared/telemetry'
import { runCli } from '../../../helpers/cli-io'

const V1 = resolve(import.meta.dirname, '../../../fixtures/sessions/rtx4090-training-run.jsonl')
const T0 = Date.UTC(2026, 0, 5)
let v2 = ''

beforeAll(async () => {
  v2 = join(await mkdtemp(join(tmpdir(), 'rr-replay-')), 'two-hours.rrs')
  const w = await createSessionWriter(v2, {
    startedAtMs: T0,
    intervalMs: 1000,
    inventory: syntheticInventory(T0)
  })
  const run = syntheticRun({ startMs: T0 })
  for (let i = 0; i < 7200; i++) await w.append(run.next().value)
  await w.close()
})

/** Plays a file at maximum speed to the end; returns what was played. */
async function playAll(path: string, startAtMs?: number): Promise<Snapshot[]> {
  const src = createReplaySource(await openSession(path), {
    clock: createSystemClock(),
    speed: Infinity,
    historySize: 10,
    startAtMs
  })
  const seen: Snapshot[] = []
  src.subscribe((s) => seen.push(s))
  src.start()
  await src.done()
  await src.stop()
  return seen
}

describe('streaming replay', () => {
  it('plays a version-1 file to the end at maximum speed, timestamps shifted to now, spacing kept', async () => {
    const before = Date.now()
    const seen = await playAll(V1)
    expect(seen).toHaveLength(176)
    expect(seen[0].timestampMs).toBeGreaterThanOrEqual(before)
    expect(seen.map((s) => s.seq)).toEqual(seen.map((_, i) => i))
    const gaps = seen.slice(1).map((s, i) => s.timestampMs - seen[i].timestampMs)
    expect(Math.min(...gaps)).toBeGreaterThan(800)
  })

  it('plays a version-2 file of 7200 samples with a bounded history', async () => {
    const seen = await playAll(v2)
    expect(seen).toHaveLength(7200)
    expect(seen[4000].gpus[0].name).toBe('NVIDIA GeForce RTX 4090')
  })

  it('starts at a seek point without playing what comes before', async () => {
    const seen = await playAll(v2, T0 + 5400_000)
    expect(seen.length).toBeGreaterThan(1790)
    expect(seen.length).toBeLessThan(1810)
  })

  it('seeks while playing', async () => {
    const src = createReplaySource(await openSession(v2), { clock: createSystemClock(), speed: 1 })
    src.start()
    await src.tick()
    await src.seek(T0 + 3600_000)
    const s = await src.tick()
    // The played snapshot after the seek is the one recorded an hour in (its own sequence number).
    expect(s.health[0].lastSuccessMs).toBeGreaterThanOrEqual(T0 + 3600_000 - 10)
    expect(src.history(0).length).toBeLessThanOrEqual(3)
    await src.stop()
  })

  it('the engine replays from a file and the CLI takes --seek and --speed max', async () => {
    const engine = await createEngine({
      replayFile: v2,
      speed: Infinity,
      replayFrom: { offsetMs: 7_100_000 }
    })
    expect(engine.mode).toBe('replay')
    const first = await engine.source.tick()
    expect(first.seq).toBe(0)
    await engine.close()
    const r = await runCli(['snapshot', '--replay', v2, '--seek', '1h30m', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).snapshot.gpus[0].index).toBe(0)
    const bad = await runCli(['snapshot', '--replay', v2, '--seek', 'yesterday'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--seek must be an offset such as 90m, 36h or 1h30m, or an ISO time/)
  })

  it('v1 sessions still report and replay (watch)', async () => {
    expect((await runCli(['report', V1])).code).toBe(0)
    const w = await runCli(['watch', '--replay', V1, '--speed', 'max', '--no-alerts'])
    expect(w.code).toBe(0)
    expect(w.stdout.split('RigReady snapshot').length - 1).toBe(176)
  })
})
