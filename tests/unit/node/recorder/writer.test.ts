import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { syntheticInventory, syntheticRun } from '../../../../src-main/node/bench/synth-session'
import { openSession, readSessionInto } from '../../../../src-main/node/recorder/reader'
import { readSession } from '../../../../src-main/node/recorder/session'
import {
  createSessionWriter,
  nodeSessionFileSystem,
  type SessionFileSystem
} from '../../../../src-main/node/recorder/writer'
import type { SessionRecord } from '../../../../src-main/shared/session-format'

const T0 = Date.UTC(2026, 0, 5)
const inv = syntheticInventory(T0)

/** The real file system, failing every write with `code` once `limitBytes` are in the file (a partial write first). */
function failingFs(limitBytes: number, code: string): SessionFileSystem & { syncs: number } {
  const fs = {
    syncs: 0,
    async create(path: string) {
      const h = await nodeSessionFileSystem.create(path)
      let written = 0
      return {
        async write(data: Uint8Array) {
          if (written + data.length > limitBytes) {
            const room = Math.max(0, limitBytes - written)
            if (room > 0) {
              written += await h.write(data.subarray(0, room))
              return room
            }
            throw Object.assign(new Error(`${code}: simulated`), { code })
          }
          const n = await h.write(data)
          written += n
          return n
        },
        datasync: async () => {
          fs.syncs++
          await h.datasync()
        },
        truncate: (len: number) => h.truncate(len),
        close: () => h.close()
      }
    }
  }
  return fs
}

async function samples(
  n: number
): Promise<ReturnType<typeof syntheticRun> extends Generator<infer S> ? S[] : never> {
  const run = syntheticRun({ startMs: T0 })
  return Array.from({ length: n }, () => run.next().value) as never
}

describe('session writer', () => {
  it('writes the compact version 2 that reads back exactly (durations to the microsecond)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rr-w-'))
    const path = join(dir, 's.rrs')
    const snaps = await samples(900)
    const w = await createSessionWriter(
      path,
      { startedAtMs: T0, intervalMs: 1000, inventory: inv },
      { segmentMs: 300_000 }
    )
    for (const s of snaps) await w.append(s)
    await w.record({ type: 'mark', atMs: T0 + 5000, label: 'epoch 2' })
    await w.close()
    const back = await readSession(path)
    expect(back.header).toMatchObject({
      version: 2,
      encoding: 'rrs2-deflate-rows',
      throttleRecorded: true
    })
    expect(back.snapshots).toHaveLength(900)
    const round = (x: unknown): unknown =>
      JSON.parse(JSON.stringify(x), (k, v: unknown) =>
        typeof v === 'number' && k.endsWith('DurationMs') ? Math.round(v * 1000) / 1000 : v
      )
    const norm = (x: unknown): string => JSON.stringify(sortKeys(round(x)))
    expect(back.snapshots.map(norm)).toEqual(snaps.map(norm))
    // Three segments of 5 minutes, each decodable on its own.
    const segs: number[] = []
    const recs: SessionRecord[] = []
    await readSessionInto(await openSession(path), {
      segment: () => segs.push(1),
      record: (r) => recs.push(r)
    })
    expect(segs).toHaveLength(3)
    expect(recs.filter((r) => r.type === 'mark')).toEqual([
      { type: 'mark', atMs: T0 + 5000, label: 'epoch 2' }
    ])
    expect(recs.at(-1)).toMatchObject({ type: 'end', reason: 'stopped', samples: 900 })
    expect(recs.some((r) => r.type === 'throttle-start')).toBe(true)
    const bytes = (await stat(path)).size
    expect(bytes / 900).toBeLessThan(385) // the 100 MB per 72 h budget, per sample
  })

  it('never overwrites an existing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rr-w-'))
    const path = join(dir, 's.rrs')
    await writeFile(path, 'precious')
    await expect(
      createSessionWriter(path, { startedAtMs: T0, intervalMs: 1000, inventory: inv })
    ).rejects.toThrow(/s\.rrs: already exists \(refusing to overwrite a session\)/)
    expect(await readFile(path, 'utf8')).toBe('precious')
  })

  it('names a missing or read-only folder in one line', async () => {
    await expect(
      createSessionWriter('/nonexistent-rr/dir/s.rrs', {
        startedAtMs: T0,
        intervalMs: 1000,
        inventory: inv
      })
    ).rejects.toThrow(/^\/nonexistent-rr\/dir\/s\.rrs: folder does not exist \(ENOENT\)$/)
    const ro: SessionFileSystem = {
      create: async () => {
        throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' })
      }
    }
    await expect(
      createSessionWriter(
        '/mnt/ro/s.rrs',
        { startedAtMs: T0, intervalMs: 1000, inventory: inv },
        { fs: ro }
      )
    ).rejects.toThrow('/mnt/ro/s.rrs: read-only file system (EROFS)')
  })

  for (const code of ['ENOSPC', 'EROFS', 'EIO']) {
    it(`stops cleanly on ${code} mid-run: one message, nothing already written lost, later calls harmless`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rr-w-'))
      const path = join(dir, 's.rrs')
      const snaps = await samples(400)
      const fs = failingFs(12_000, code)
      const w = await createSessionWriter(
        path,
        { startedAtMs: T0, intervalMs: 1000, inventory: inv },
        { fs }
      )
      const failures: string[] = []
      w.onFailure((f) => failures.push(f.message))
      for (const s of snaps) await w.append(s)
      await w.record({ type: 'mark', atMs: T0, label: 'after the failure' })
      await w.close()
      expect(failures).toHaveLength(1)
      expect(failures[0]).toMatch(
        new RegExp(`s\\.rrs: .*\\(${code}\\); recording stopped, \\d+ samples kept$`)
      )
      const kept = w.samples
      expect(kept).toBeGreaterThan(10)
      expect(kept).toBeLessThan(400)
      // The partial frame was cut off: the file ends on a frame boundary and reads back cleanly.
      const back = await readSession(path)
      expect(back.snapshots).toHaveLength(kept)
      expect(back.tornTail).toBe(false)
      expect(back.problems).toEqual([])
      expect(w.failure?.code).toBe(code)
    })
  }

  it('fsyncs at a bounded cadence, not per sample', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rr-w-'))
    const fs = failingFs(Infinity, 'ENOSPC')
    let now = 0
    const w = await createSessionWriter(
      join(dir, 's.rrs'),
      { startedAtMs: T0, intervalMs: 1000, inventory: inv },
      { fs, syncEveryMs: 5000, now: () => now, recordThrottle: false }
    )
    const after = fs.syncs
    for (const s of await samples(60)) {
      now += 1000
      await w.append(s)
    }
    // 60 s of samples, one fsync per 5 s.
    expect(fs.syncs - after).toBe(12)
    await w.close()
  })
})

function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys)
  if (x && typeof x === 'object') {
    const o: Record<string, unknown> = {}
    for (const k of Object.keys(x).sort()) o[k] = sortKeys((x as Record<string, unknown>)[k])
    return o
  }
  return x
}
