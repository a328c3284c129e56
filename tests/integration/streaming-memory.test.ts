/**
 * Sessions larger than the memory budget are reviewed in a child process within it (peak RSS < 200 MB): a
 * 210 MB version-1 file (the old recorder's format, which the old reader could not even load) and a sparse
 * 1 GiB version-2 file with a hole of zeros between two readable parts. Memory is asserted, not time.
 */
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syntheticInventory, syntheticRun } from '../../src-main/node/bench/synth-session'
import { indexSession, openSession } from '../../src-main/node/recorder/reader'
import { createSessionWriter } from '../../src-main/node/recorder/writer'
import { cliWithMaxRss } from './helpers/build-child'

const CLI = resolve(import.meta.dirname, '../../out/main/cli.js')
const V1 = resolve(import.meta.dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')
const BUDGET_MB = 200

function report(
  file: string
): Promise<{ code: number | null; rssMb: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [...cliWithMaxRss(CLI), 'report', file, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    p.once('exit', (code) => {
      const m = /MAXRSS=(\d+)/.exec(stderr)
      done({ code, rssMb: m ? (Number(m[1]) * 1024) / 1e6 : NaN, stdout, stderr })
    })
  })
}

;(existsSync(CLI) || process.env.CI ? describe : describe.skip)(
  'streaming review within the memory budget',
  () => {
    let dir = ''
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rr-mem-'))
    })
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('a 210 MB version-1 session (22 000 whole-snapshot lines)', async () => {
      const lines = (await readFile(V1, 'utf8')).trim().split('\n')
      const header = lines[0]
      const body = lines.slice(1)
      const path = join(dir, 'big-v1.jsonl')
      const out = createWriteStream(path)
      out.write(header + '\n')
      const t0 = Number(/"timestampMs":(\d+)/.exec(body[0])?.[1])
      const n = 22_000
      for (let i = 0; i < n; i++) {
        const line = body[i % body.length].replace(
          /"seq":\d+,"timestampMs":\d+/,
          `"seq":${i},"timestampMs":${t0 + i * 1000}`
        )
        if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()))
      }
      await new Promise<void>((r) => out.end(() => r()))
      const size = (await stat(path)).size
      expect(size).toBeGreaterThan(BUDGET_MB * 1e6)
      const r = await report(path)
      expect(r.code, r.stderr).toBe(0)
      const review = (
        JSON.parse(r.stdout) as { review: { samples: number; throttleSource: string } }
      ).review
      expect(review.samples).toBe(n)
      expect(review.throttleSource).toBe('detected')
      expect(r.rssMb).toBeLessThan(BUDGET_MB)
      console.log(
        `version-1 ${(size / 1e6).toFixed(0)} MB session reviewed with peak RSS ${r.rssMb.toFixed(0)} MB`
      )
    }, 300_000)

    it('a sparse 1 GiB version-2 session with a hole of zeros between two readable parts', async () => {
      const whole = join(dir, 'parts.rrs')
      const T0 = Date.UTC(2026, 0, 5)
      const w = await createSessionWriter(
        whole,
        { startedAtMs: T0, intervalMs: 1000, inventory: syntheticInventory(T0) },
        { segmentMs: 5 * 60_000 }
      )
      const run = syntheticRun({ startMs: T0 })
      for (let i = 0; i < 2400; i++) await w.append(run.next().value)
      await w.close()
      const index = await indexSession(await openSession(whole))
      const cut = index[4].offset
      const bytes = await readFile(whole)
      const path = join(dir, 'sparse.rrs')
      const fh = await open(path, 'w')
      const hole = 1024 ** 3
      await fh.write(bytes, 0, cut, 0)
      // The hole: a gigabyte of zeros the file system does not store.
      await fh.write(bytes, cut, bytes.length - cut, cut + hole)
      await fh.close()
      expect((await stat(path)).size).toBeGreaterThan(hole)
      const r = await report(path)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(
        new RegExp(
          `sparse\\.rrs: record \\d+ at byte ${cut}: ${hole} unreadable bytes \\(corrupt frame\\) skipped`
        )
      )
      const review = (JSON.parse(r.stdout) as { review: { samples: number } }).review
      // Nothing of either part is lost: the hole sat exactly between two segments.
      expect(review.samples).toBe(2400)
      expect(r.rssMb).toBeLessThan(BUDGET_MB)
      console.log(
        `sparse ${(hole / 1e9).toFixed(1)} GB session reviewed with peak RSS ${r.rssMb.toFixed(0)} MB`
      )
    }, 300_000)
  }
)
