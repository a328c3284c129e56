import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createReplaySource } from '../../../../src-main/node/recorder/replay'
import {
  SessionError,
  createSessionWriter,
  parseSession,
  readSession
} from '../../../../src-main/node/recorder/session'
import { emptyInventory } from '../../../../src-main/node/inventory'
import { unavailable } from '../../../../src-main/shared/reading'
import type { Snapshot } from '../../../../src-main/shared/telemetry'
import { fakeTimerClock } from '../../../helpers/fake-clock'

function snap(seq: number, ts: number): Snapshot {
  const u = unavailable('no-device')
  return {
    schemaVersion: 1,
    seq,
    timestampMs: ts,
    cpu: u,
    memory: u,
    gpus: [],
    storage: u,
    thermal: u,
    power: u,
    health: []
  }
}
const header = {
  format: 'rigready-session',
  version: 1,
  startedAtMs: 0,
  intervalMs: 1000,
  inventory: emptyInventory(0, 'linux', 'x64')
}

describe('session files', () => {
  it('round-trips through the append-only writer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rr-session-'))
    const path = join(dir, 's.rrs')
    const w = await createSessionWriter(path, {
      startedAtMs: 0,
      intervalMs: 1000,
      inventory: header.inventory
    })
    for (let i = 0; i < 5; i++) await w.append(snap(i, 1000 * i))
    await w.close()
    const s = await readSession(path)
    expect(s.snapshots.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4])
    expect(s.badLines).toEqual([])
    await expect(
      createSessionWriter(path, { startedAtMs: 0, intervalMs: 1000, inventory: header.inventory })
    ).rejects.toThrow(/already exists/)
  })

  it('ignores a torn last line (a crash mid-write) without losing earlier snapshots', async () => {
    const text = [
      JSON.stringify(header),
      JSON.stringify(snap(0, 0)),
      JSON.stringify(snap(1, 1000)),
      '{"seq":2,"timest'
    ].join('\n')
    const s = parseSession(text)
    expect(s.snapshots).toHaveLength(2)
    expect(s.tornTail).toBe(true)
    expect(s.badLines).toEqual([])
  })

  it('reports corrupt lines in the middle and keeps the rest', () => {
    const text =
      [
        JSON.stringify(header),
        JSON.stringify(snap(0, 0)),
        'garbage',
        '{"not":"a snapshot"}',
        JSON.stringify(snap(1, 1000))
      ].join('\n') + '\n'
    const s = parseSession(text)
    expect(s.snapshots).toHaveLength(2)
    expect(s.badLines).toEqual([3, 4])
  })

  it('rejects files that are not sessions with a clear message', async () => {
    expect(() => parseSession('')).toThrow(SessionError)
    expect(() => parseSession('hello\n')).toThrow(/not JSON/)
    expect(() => parseSession('{"format":"other"}\n')).toThrow(/not a RigReady session/)
    expect(() => parseSession(JSON.stringify({ ...header, version: 99 }) + '\n')).toThrow(
      /version 99 is not supported/
    )
    await expect(readSession(join(tmpdir(), 'definitely-missing.jsonl'))).rejects.toThrow(
      /no such file/
    )
  })

  it('never throws anything but SessionError on random input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseSession(s)
        } catch (e) {
          expect(e).toBeInstanceOf(SessionError)
        }
      })
    )
  })

  it('survives truncation at any byte without losing complete lines', async () => {
    const full =
      [JSON.stringify(header), ...[0, 1, 2].map((i) => JSON.stringify(snap(i, i * 1000)))].join(
        '\n'
      ) + '\n'
    const headerLen = JSON.stringify(header).length + 1
    for (let cut = headerLen; cut <= full.length; cut += 7) {
      const s = parseSession(full.slice(0, cut))
      const complete = full.slice(0, cut).split('\n').length - 2
      expect(s.snapshots.length).toBeGreaterThanOrEqual(Math.max(0, complete))
      expect(s.badLines).toEqual([])
    }
  })
})

describe('replay', () => {
  beforeEach(() => vi.useFakeTimers({ now: 5_000_000 }))
  afterEach(() => vi.useRealTimers())

  it('plays snapshots at recorded speed with timestamps shifted to now', async () => {
    const s = parseSession(
      [
        JSON.stringify(header),
        ...[0, 1, 2].map((i) => JSON.stringify(snap(i, 100_000 + i * 1000)))
      ].join('\n') + '\n'
    )
    const r = createReplaySource(s, { clock: fakeTimerClock() })
    const seen: number[] = []
    r.subscribe((x) => seen.push(x.timestampMs))
    r.start()
    expect(seen).toEqual([5_000_000])
    await vi.advanceTimersByTimeAsync(1000)
    expect(seen).toEqual([5_000_000, 5_001_000])
    await vi.advanceTimersByTimeAsync(1000)
    expect(r.finished).toBe(true)
    expect(r.history(0)).toHaveLength(3)
  })

  it('accelerates with speed and loops when asked', async () => {
    const s = parseSession(
      [JSON.stringify(header), ...[0, 1].map((i) => JSON.stringify(snap(i, i * 1000)))].join('\n') +
        '\n'
    )
    const r = createReplaySource(s, { clock: fakeTimerClock(), speed: 10, loop: true })
    const seen: number[] = []
    r.subscribe((x) => seen.push(x.seq))
    r.start()
    await vi.advanceTimersByTimeAsync(450)
    await r.stop()
    expect(seen.length).toBeGreaterThanOrEqual(5)
    expect(r.finished).toBe(false)
    const ts = r.history(0).map((x) => x.timestampMs)
    expect(ts).toEqual([...ts].sort((a, b) => a - b))
  })
})

describe('session file on disk after kill', () => {
  it('a version-2 session cut at any byte reads back every complete sample', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rr-kill-'))
    const path = join(dir, 's.rrs')
    const w = await createSessionWriter(path, {
      startedAtMs: 0,
      intervalMs: 1000,
      inventory: header.inventory
    })
    for (let i = 0; i < 8; i++) await w.append(snap(i, 1000 * i))
    await w.close()
    const full = await readFile(path)
    const headerLen = full.indexOf(10) + 1
    let prev = -1
    for (let cut = headerLen; cut <= full.length; cut += 3) {
      const p = join(dir, `cut-${cut}.rrs`)
      await writeFile(p, full.subarray(0, cut))
      const s = await readSession(p)
      // Never more than the file holds, never fewer than before a shorter cut, never out of order.
      expect(s.snapshots.length).toBeGreaterThanOrEqual(prev)
      expect(s.snapshots.map((x) => x.seq)).toEqual(s.snapshots.map((_, i) => i))
      expect(s.problems.filter((x) => x.kind !== 'torn')).toEqual([])
      prev = s.snapshots.length
    }
    expect(prev).toBe(8)
  })
})
