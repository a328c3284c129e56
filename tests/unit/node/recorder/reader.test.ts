import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { syntheticInventory, syntheticRun } from '../../../../src-main/node/bench/synth-session'
import {
  indexSession,
  openSession,
  readSessionInto,
  segmentFor
} from '../../../../src-main/node/recorder/reader'
import { SessionError } from '../../../../src-main/node/recorder/session-error'
import { createSessionWriter } from '../../../../src-main/node/recorder/writer'
import { runCli } from '../../../helpers/cli-io'

const V1 = resolve(import.meta.dirname, '../../../fixtures/sessions/rtx4090-training-run.jsonl')
const T0 = Date.UTC(2026, 0, 5)
let dir = ''
let v2 = ''

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rr-read-'))
  v2 = join(dir, 'good.rrs')
  const w = await createSessionWriter(
    v2,
    { startedAtMs: T0, intervalMs: 1000, inventory: syntheticInventory(T0) },
    { segmentMs: 120_000 }
  )
  const run = syntheticRun({ startMs: T0 })
  for (let i = 0; i < 600; i++) await w.append(run.next().value)
  await w.close()
})

const file = async (name: string, content: string | Buffer): Promise<string> => {
  const p = join(dir, name)
  await writeFile(p, content)
  return p
}

describe('bad input: one clear line naming the file (and line), exit 2, never a stack', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['an empty file', () => file('empty.rrs', ''), /empty\.rrs: empty file \(no session header\)/],
    [
      'a binary file',
      () => file('bin.rrs', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0, 9])),
      /bin\.rrs:1: binary data; not a RigReady session file/
    ],
    [
      'a foreign JSON file',
      () => file('pkg.json', '{"name":"left-pad"}\n'),
      /pkg\.json:1: no "format": "rigready-session"/
    ],
    [
      'a text file',
      () => file('notes.txt', 'hello world\n'),
      /notes\.txt:1: not JSON; not a RigReady session file/
    ],
    [
      'a header cut short',
      () => file('cut.rrs', '{"format":"rigready-session","version":2,"startedAt'),
      /cut\.rrs:1: the header is incomplete \(the file ends inside it\)/
    ],
    [
      'a wrongly typed header field',
      () =>
        file(
          'typed.rrs',
          '{"format":"rigready-session","version":2,"startedAtMs":"yesterday","intervalMs":1000,"inventory":{}}\n'
        ),
      /typed\.rrs:1: header startedAtMs /
    ],
    [
      'a newer version',
      () => file('v9.rrs', '{"format":"rigready-session","version":9}\n'),
      /v9\.rrs:1: session version 9 is not supported \(this build reads versions 1–2\)/
    ],
    ['a folder', async () => dir, /is a folder, not a session file/],
    ['a missing file', async () => join(dir, 'nope.rrs'), /nope\.rrs: no such file/]
  ]
  for (const [what, make, message] of cases)
    it(`${what}`, async () => {
      const p = await make()
      await expect(openSession(p)).rejects.toBeInstanceOf(SessionError)
      const r = await runCli(['report', p])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    })

  it('a wrongly typed field in a version-1 line names file and line, the rest is still reviewed, exit 2', async () => {
    const lines = (await readFile(V1, 'utf8')).split('\n')
    const bad = JSON.parse(lines[3]) as { gpus: { index: unknown }[] }
    bad.gpus[0].index = 'zero'
    lines[3] = JSON.stringify(bad)
    const p = await file('typed-line.jsonl', lines.join('\n'))
    const r = await runCli(['report', p])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/typed-line\.jsonl: line 4: gpus\.0\.index must be a number; skipped/)
    expect(r.stdout).toMatch(/175 samples/)
  })

  it('a damaged version-2 frame names the record and byte; the next segment reads on; exit 2', async () => {
    const bytes = Buffer.from(await readFile(v2))
    const at = Math.floor(bytes.length * 0.3)
    bytes[at] ^= 0xff
    const p = await file('flipped.rrs', bytes)
    const r = await runCli(['report', p, '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /flipped\.rrs: record \d+ at byte \d+: \d+ unreadable bytes \(corrupt frame\) skipped; reading resumes at the next segment/
    )
    const review = (JSON.parse(r.stdout) as { review: { samples: number; gapCount: number } })
      .review
    // One two-minute segment at most is lost, and the hole shows as a gap.
    expect(review.samples).toBeGreaterThanOrEqual(600 - 121)
    expect(review.samples).toBeLessThan(600)
    expect(review.gapCount).toBe(1)
  })

  it('a truncated version-2 file (a crash) is noted, not an error', async () => {
    const bytes = await readFile(v2)
    const p = await file('torn.rrs', bytes.subarray(0, bytes.length - 7))
    const r = await runCli(['report', p])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /the last record was cut short \(recording interrupted\); it was skipped/
    )
  })

  it('a file of zeros after the header is skipped with a note and no samples: exit 2', async () => {
    const head = (await readFile(v2)).subarray(0, (await openSession(v2)).dataOffset)
    const p = await file('zeros.rrs', Buffer.concat([head, Buffer.alloc(100_000)]))
    const r = await runCli(['report', p])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/zeros\.rrs: no readable samples/)
  })
})

describe('segment index and seeking', () => {
  it('indexes segments from frame headers and starts a read at the segment holding a time', async () => {
    const opened = await openSession(v2)
    const index = await indexSession(opened)
    expect(index.length).toBe(5)
    const target = T0 + 400_000
    const seen: number[] = []
    await readSessionInto(
      opened,
      { tick: (t) => void seen.push(t.tMs) },
      { from: segmentFor(index, target) }
    )
    expect(seen[0]).toBeLessThanOrEqual(target)
    expect(seen[0]).toBeGreaterThan(target - 121_000)
    expect(seen.at(-1)).toBeGreaterThan(T0 + 590_000)
  })
})
