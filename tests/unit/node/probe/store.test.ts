import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  dataDir,
  loadLatestProbe,
  machineKeyFor,
  measuredFromResult,
  probeDir,
  resultProblem,
  saveProbeResult
} from '../../../../src-main/node/probe/store'
import { sampleResult } from './sample-result'
import { ok } from '../../../../src-main/shared/reading'
import { gpuInfo, inventory } from '../../../helpers/snapshot-builder'

describe('node/probe/store', () => {
  let dir: string
  let env: NodeJS.ProcessEnv
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rr-store-'))
    env = { RIGREADY_DATA_DIR: dir }
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('puts data in the per-user data folder of each platform', () => {
    expect(dataDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.local/share/rigready')
    expect(dataDir({ HOME: '/home/u', XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/rigready')
    expect(dataDir({ HOME: '/Users/u' }, 'darwin')).toBe(
      '/Users/u/Library/Application Support/rigready'
    )
    expect(dataDir({ RIGREADY_DATA_DIR: '/d' }, 'linux')).toBe('/d')
  })

  it('keys a machine by its hardware: a different GPU is a different machine', () => {
    const a = machineKeyFor(inventory(), 'f'.repeat(32))
    expect(a).toMatch(/^[0-9a-f]{16}$/)
    expect(machineKeyFor(inventory(), 'f'.repeat(32))).toBe(a)
    expect(
      machineKeyFor(
        inventory({ gpus: [gpuInfo({ name: 'NVIDIA GeForce RTX 3090' })] }),
        'f'.repeat(32)
      )
    ).not.toBe(a)
    expect(machineKeyFor(inventory(), 'e'.repeat(32))).not.toBe(a)
  })

  it('saves results dated per machine and loads the newest with its figures and date', async () => {
    const older = sampleResult({ startedAtMs: Date.UTC(2026, 10, 1) })
    const newer = sampleResult()
    await saveProbeResult(older, env)
    const file = await saveProbeResult(newer, env)
    expect(file).toBe(join(probeDir(newer.machineKey, env), '2026-12-02T10-00-00-000Z.json'))
    const latest = await loadLatestProbe(newer.machineKey, { env })
    expect(latest?.file).toBe(file)
    expect(latest?.measured).toMatchObject({
      measuredAtMs: newer.startedAtMs,
      ramReadGBps: ok(30),
      ramCopyGBps: ok(26),
      cpuGflops: ok(15),
      storageReadMBps: ok(2000),
      storageWriteMBps: ok(1900)
    })
  })

  it('skips corrupt and foreign files and never fails on them', async () => {
    const good = sampleResult({ startedAtMs: Date.UTC(2026, 0, 1) })
    await saveProbeResult(good, env)
    const d = probeDir(good.machineKey, env)
    await writeFile(
      join(d, '2026-12-30T00-00-00-000Z.json'),
      '{"format": "rigready-probe", "schemaVer'
    )
    await writeFile(
      join(d, '2026-12-29T00-00-00-000Z.json'),
      JSON.stringify({ ...good, schemaVersion: 99 })
    )
    await writeFile(
      join(d, '2026-12-28T00-00-00-000Z.json'),
      JSON.stringify({ ...good, machineKey: 'other' })
    )
    const latest = await loadLatestProbe(good.machineKey, { env })
    expect(latest?.result.startedAtMs).toBe(good.startedAtMs)
    expect(latest?.skipped.map((s) => s.problem)).toEqual([
      expect.stringMatching(/JSON/),
      expect.stringMatching(/schemaVersion/),
      'belongs to machine other'
    ])
    expect(await loadLatestProbe('nothing-here', { env })).toBeNull()
  })

  it('keeps at most 50 results per machine', async () => {
    for (let i = 0; i < 53; i++)
      await saveProbeResult(sampleResult({ startedAtMs: Date.UTC(2026, 0, 1, 0, i) }), env)
    const names = await readdir(probeDir('abcdef0123456789', env))
    expect(names.filter((n) => n.endsWith('.json'))).toHaveLength(50)
    expect(names).not.toContain('2026-01-01T00-00-00-000Z.json')
  })

  it('does not hand cache-affected storage figures to readiness', () => {
    const r = sampleResult()
    r.storage = { ...r.storage!, method: 'cache-affected', methodDetail: 'tmpfs refuses O_DIRECT' }
    const m = measuredFromResult(r, 'x')
    expect(m.storageReadMBps).toMatchObject({ status: 'unavailable', reason: 'not-applicable' })
    expect(measuredFromResult(sampleResult({ memory: null }), 'x').ramReadGBps.status).toBe(
      'unavailable'
    )
    expect(resultProblem({})).toMatch(/format/)
  })
})
