import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkSegmentSummary } from '../../../../src-main/core/session-summary'
import { syntheticInventory, syntheticRun } from '../../../../src-main/node/bench/synth-session'
import { openSession, readSessionInto } from '../../../../src-main/node/recorder/reader'
import { reviewOpened, type ReviewRun } from '../../../../src-main/node/recorder/review'
import { createSessionWriter } from '../../../../src-main/node/recorder/writer'
import { unavailable } from '../../../../src-main/shared/reading'
import type { Snapshot } from '../../../../src-main/shared/telemetry'

const T0 = Date.UTC(2026, 0, 5, 20)
const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

/** Rounds every number to 9 significant digits (sums of the same weights in another order differ in the last bits). */
function rounded(x: unknown): unknown {
  if (typeof x === 'number') return Number.isFinite(x) ? Number(x.toPrecision(9)) : x
  if (Array.isArray(x)) return x.map(rounded)
  if (x && typeof x === 'object')
    return Object.fromEntries(
      Object.entries(x)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, rounded(v)])
    )
  return x
}

/**
 * A varied synthetic run: jittered spacing, a 40 s gap every ~25 min, a GPU whose readings time out for
 * five minutes and one that is asleep for a while, so every accumulator and reason path is exercised.
 */
function* variedRun(n: number): Generator<Snapshot> {
  const run = syntheticRun({ startMs: T0 })
  let shift = 0
  for (let i = 0; i < n; i++) {
    const s = structuredClone(run.next().value as Snapshot)
    if (i > 0 && i % 1500 === 0) shift += 40_000
    s.timestampMs += shift + ((i * 7919) % 97) - 48
    if (i >= 3000 && i < 3300)
      for (const g of s.gpus) {
        g.temperatureCelsius = unavailable('timeout', 'nvidia-smi did not answer within 2 s')
        g.clockSmMhz = unavailable('timeout', 'nvidia-smi did not answer within 2 s')
      }
    if (i >= 5000 && i < 5200) for (const g of s.gpus) g.utilizationPct = unavailable('asleep')
    yield s
  }
}

async function record(name: string, n: number, summaries: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rr-sum-'))
  dirs.push(dir)
  const path = join(dir, name)
  const w = await createSessionWriter(
    path,
    { startedAtMs: T0, intervalMs: 1000, inventory: syntheticInventory(T0) },
    { summaries, syncEveryMs: 1e9 }
  )
  for (const s of variedRun(n)) await w.append(s)
  await w.record({ type: 'mark', atMs: T0 + 60_000, label: 'epoch 2' })
  await w.close()
  return path
}

/** Reviews with a chart of 100 buckets (whole minutes from 100 min on) or, with `chart` false, none. */
async function review(path: string, summaries: boolean, chart = true): Promise<ReviewRun> {
  return reviewOpened(await openSession(path), {
    summaries,
    ...(chart ? { envelopeBuckets: 100 } : {})
  })
}

describe('segment summaries', () => {
  it('a review merged from summaries equals the full pass over every tick (review and chart envelope)', async () => {
    const path = await record('varied.rrs', 4 * 3600, true)
    const merged = await review(path, true)
    const full = await review(path, false)
    expect(merged.summaryRefused).toBeNull()
    expect(merged.summarized).toBeGreaterThanOrEqual(24)
    expect(full.summarized).toBe(0)
    expect(rounded(merged.review)).toEqual(rounded(full.review))
    expect(merged.review.gapCount).toBeGreaterThan(5)
    const gpu = merged.review.devices.find((d) => d.kind === 'gpu')
    const temp = gpu?.series.find((s) => s.key.endsWith('temperatureCelsius'))
    expect(temp?.unavailable[0]?.reason).toMatchObject({ reason: 'timeout' })
    expect(merged.envelope?.bucketMs).toBe(180_000)
    expect(rounded(merged.envelope?.result())).toEqual(rounded(full.envelope?.result()))
    expect(merged.marks).toEqual(full.marks)
    expect(merged.episodes).toEqual(full.episodes)
  })

  it('a torn tail (the last segment has no summary) mixes summaries and decoded ticks, and still agrees', async () => {
    const path = await record('torn.rrs', 2 * 3600 + 300, true)
    // Cut inside the last segment: its summary and the end record are lost.
    const size = (await stat(path)).size
    const fh = await open(path, 'r+')
    await fh.truncate(size - 3000)
    await fh.close()
    const merged = await review(path, true)
    const full = await review(path, false)
    expect(merged.summarized).toBe(12)
    expect(rounded(merged.review)).toEqual(rounded(full.review))
    expect(merged.review.integrity.tornTail).toBe(true)
  })

  it('after damaged data the next summary is not merged (its spacing assumed ticks that were lost): the hole stays a gap', async () => {
    const path = await record('flipped.rrs', 3600, true)
    const clean = await readFile(path)
    const refused: (string | null)[] = []
    for (const at of [0.18, 0.3, 0.47, 0.66, 0.81]) {
      const bytes = Buffer.from(clean)
      bytes[Math.floor(bytes.length * at)] ^= 0xff
      await writeFile(path, bytes)
      const merged = await review(path, true, false)
      const full = await review(path, false, false)
      refused.push(merged.summaryRefused)
      expect(merged.summarized).toBeGreaterThanOrEqual(3)
      expect(rounded(merged.review)).toEqual(rounded(full.review))
      expect(merged.review.gapCount).toBe(full.review.gapCount)
      expect(merged.review.integrity.problemCount).toBeGreaterThan(0)
    }
    expect(refused).toContain('follows ticks this reader did not read')
  })

  it('a file written without summaries reviews the same as one with them', async () => {
    const a = await review(await record('with.rrs', 3600, true), true, false)
    const b = await review(await record('without.rrs', 3600, false), true, false)
    expect(a.summarized).toBe(7)
    expect(b.summarized).toBe(0)
    const strip = (r: ReviewRun): unknown => rounded({ ...r.review, file: '' })
    expect(strip(a)).toEqual(strip(b))
  })

  it('a chart whose buckets are not whole minutes (a short run) decodes the ticks instead', async () => {
    const r = await review(await record('short.rrs', 1800, true), true)
    expect(r.envelope?.alignedTo(60_000)).toBe(false)
    expect(r.summarized).toBe(0)
  })

  it('summary records are invisible to readers that do not ask for them (replay sees every tick)', async () => {
    const path = await record('replay.rrs', 1800, true)
    let ticks = 0
    const records: string[] = []
    await readSessionInto(await openSession(path), {
      tick: () => {
        ticks++
      },
      record: (r) => {
        records.push(r.type)
      }
    })
    expect(ticks).toBe(1800)
    expect(records.filter((t) => !t.startsWith('throttle-'))).toEqual(['mark', 'end'])
  })

  it('a damaged summary is refused whole and that segment is decoded instead', async () => {
    const path = await record('damaged.rrs', 1800, true)
    const opened = await openSession(path)
    let offered = 0
    let ticks = 0
    await readSessionInto(opened, {
      summary: (json) => {
        offered++
        const s = JSON.parse(json) as Record<string, unknown>
        expect(checkSegmentSummary(s)).toBeNull()
        // Refuse the first: its ticks must then arrive.
        return offered > 1
      },
      tick: () => {
        ticks++
      }
    })
    // 1800 ticks and a 40 s gap: four 10 min segments.
    expect(offered).toBe(4)
    expect(ticks).toBe(600)
    expect(checkSegmentSummary({ v: 1 })).toMatch(/options/)
    expect(checkSegmentSummary({ v: 9 })).toMatch(/version 9/)
  })
})
