import { copyFile, mkdtemp, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createSessionsHandlers } from '../../../../src-main/node/server/sessions-api'
import { validateInvokeArgs } from '../../../../src-main/shared/ipc-validate'

const V1 = resolve(import.meta.dirname, '../../../fixtures/sessions/rtx4090-training-run.jsonl')
let dir = ''
let api: ReturnType<typeof createSessionsHandlers>

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rr-sessions-'))
  await copyFile(V1, join(dir, 'run.jsonl'))
  await writeFile(join(dir, 'junk.rrs'), Buffer.from([0, 1, 2, 3]))
  await writeFile(join(dir, 'notes.txt'), 'not listed')
  const outside = await mkdtemp(join(tmpdir(), 'rr-outside-'))
  await copyFile(V1, join(outside, 'secret.jsonl'))
  await symlink(join(outside, 'secret.jsonl'), join(dir, 'link.jsonl'))
  api = createSessionsHandlers({ dir, overviewPoints: 200 })
})

describe('sessions API', () => {
  it('lists session files with header facts, and unreadable ones with the reason', async () => {
    const list = await api['sessions:list']()
    const run = list.find((x) => x.id === 'run.jsonl')
    expect(run).toMatchObject({ version: 1, host: 'training-rig', error: null })
    expect(run?.lastSampleMs).toBeGreaterThan(run?.startedAtMs ?? Infinity)
    expect(list.find((x) => x.id === 'junk.rrs')?.error).toBe(
      'junk.rrs:1: binary data; not a RigReady session file'
    )
    expect(list.some((x) => x.id === 'notes.txt')).toBe(false)
  })

  it('opens one: review, series, episodes and the whole run in bounded buckets', async () => {
    const o = await api['sessions:open']('run.jsonl')
    expect(o.review.samples).toBe(176)
    expect(o.whole.t).toHaveLength(200)
    expect(o.series.map((s) => s.key)).toContain('gpu0.temperatureCelsius')
    expect(o.episodes.map((e) => e.cause).sort()).toEqual(['power', 'power', 'thermal'])
    const temp = o.whole.series.find((s) => s.key === 'gpu0.temperatureCelsius')
    expect(Math.max(...(temp?.max.filter((v): v is number => v !== null) ?? []))).toBe(88)
  })

  it('answers a range query downsampled over just that range', async () => {
    const o = await api['sessions:open']('run.jsonl')
    const mid = (o.whole.startMs + o.whole.endMs) / 2
    const r = await api['sessions:range']({
      id: 'run.jsonl',
      startMs: mid,
      endMs: mid + 30_000,
      maxPoints: 30,
      keys: ['gpu0.powerDrawWatts', 'no.such']
    })
    expect(r.t).toHaveLength(30)
    expect(r.series.map((s) => s.key)).toEqual(['gpu0.powerDrawWatts'])
    expect(r.series[0].mean.filter((v) => v !== null).length).toBeGreaterThan(25)
  })

  it('refuses paths, links out of the folder and unknown ids', async () => {
    await expect(api['sessions:open']('../etc/passwd')).rejects.toThrow(/id must be a file name/)
    await expect(api['sessions:open']('link.jsonl')).rejects.toThrow(/outside the sessions folder/)
    await expect(api['sessions:open']('nope.rrs')).rejects.toThrow(/no session named "nope.rrs"/)
    expect(() =>
      validateInvokeArgs('sessions:range', [
        { id: 'a.rrs', startMs: 0, endMs: 1, maxPoints: 99_999 }
      ])
    ).toThrow(/maxPoints must be an integer from 1 to 4000/)
  })

  it('lists nothing for a folder that does not exist yet', async () => {
    expect(await createSessionsHandlers({ dir: join(dir, 'missing') })['sessions:list']()).toEqual(
      []
    )
  })
})
