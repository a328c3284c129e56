/**
 * Kill test: a writer killed with SIGKILL at random moments, 50 times. Every file must read back, hold every
 * sample whose write had completed (at most the one being written is lost), in order, with nothing worse
 * than a torn tail.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSession } from '../../src-main/node/recorder/session'
import { buildChild } from './helpers/build-child'

const RUNS = 50

describe('session writer under SIGKILL', () => {
  let child = ''
  let dir = ''
  beforeAll(async () => {
    child = await buildChild(resolve(import.meta.dirname, 'helpers/kill-child.ts'), 'kill-child')
    dir = await mkdtemp(join(tmpdir(), 'rr-kill-'))
  }, 120_000)
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it(`every file reads back after ${RUNS} kills at random moments, losing at most the sample in flight`, async () => {
    // Deterministic "random" moments, spread over the first seconds of recording.
    let seed = 12345
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const losses: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const file = join(dir, `kill-${run}.rrs`)
      const p = spawn(process.execPath, [child, file, '5'], {
        stdio: ['ignore', 'pipe', 'inherit']
      })
      let acked = -1
      let buf = ''
      let killAfter = 0
      const target = 3 + Math.floor(rand() * 120)
      await new Promise<void>((done, fail) => {
        p.stdout.on('data', (c: Buffer) => {
          buf += c.toString('utf8')
          let nl: number
          while ((nl = buf.indexOf('\n')) >= 0) {
            const m = /^ack (\d+)$/.exec(buf.slice(0, nl))
            buf = buf.slice(nl + 1)
            if (m) acked = Number(m[1])
          }
          if (acked >= target && killAfter === 0) {
            killAfter = 1
            // Kill at a random point of the next interval, mid-write or between writes.
            setTimeout(() => p.kill('SIGKILL'), Math.floor(rand() * 6))
          }
        })
        p.once('exit', (_code, signal) =>
          signal === 'SIGKILL'
            ? done()
            : fail(new Error(`child exited without SIGKILL (${signal})`))
        )
      })
      const s = await readSession(file)
      const seqs = s.snapshots.map((x) => x.seq)
      expect(seqs).toEqual(seqs.map((_, i) => i))
      expect(s.problems.filter((x) => x.kind !== 'torn')).toEqual([])
      // Everything acknowledged before the kill is there; at most the one in flight beyond it.
      expect(seqs.length - 1).toBeGreaterThanOrEqual(acked)
      expect(seqs.length - 1).toBeLessThanOrEqual(acked + 2)
      losses.push(seqs.length - 1 - acked)
    }
    expect(losses).toHaveLength(RUNS)
  }, 240_000)
})
