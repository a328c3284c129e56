/**
 * `rigready check --replay` on a GPU session built from real captures: the H100 idle and load rows of
 * nvidia_gpu_exporter's capture bundle are played by the fake nvidia-smi, recorded by the real engine into a
 * session file, and the check reports both scores, the throttling in it (none: the load capture has an empty
 * clock-event mask) and ranked advice.
 */
import { readFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createCpuCollector } from '../../src-main/node/collectors/cpu'
import { createGpuNvidiaCollector } from '../../src-main/node/collectors/gpu-nvidia'
import { createMemoryCollector } from '../../src-main/node/collectors/memory'
import { createEngine } from '../../src-main/node/engine'
import { silentLogger } from '../../src-main/node/platform/logger'
import { createSessionWriter } from '../../src-main/node/recorder/session'
import { runCli } from '../helpers/cli-io'
import { createFakeNvidiaEnv, type FakeNvidiaEnv } from '../helpers/fake-nvidia-env'
import { csvValues, minimalXml, sections } from '../helpers/nvidia-captures'
import { describePeer, peer } from '../helpers/peer-fixtures'

const repo = resolve(import.meta.dirname, '../..')
const CAPTURE =
  'utkuozdemir__nvidia_gpu_exporter/internal/captures/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt'

describePeer('rigready check on a session recorded from the H100 captures', () => {
  let dir = ''
  let session = ''
  let fake: FakeNvidiaEnv
  beforeAll(async () => {
    const secs = sections(await readFile(peer(CAPTURE), 'utf8'))
    const idle = csvValues(
      secs.get([...secs.keys()].find((k) => k.startsWith('idle :: query-gpu'))!)!
    )
    const load = csvValues(
      secs.get([...secs.keys()].find((k) => k.startsWith('load :: query-gpu'))!)!
    )
    const rows = [idle, idle, idle, load, load, load, load, load, load, load, load, load]
    fake = await createFakeNvidiaEnv({
      helpQueryGpu: secs.get('capabilities :: help-query-gpu'),
      xml: minimalXml(idle),
      gpus: [{ rows }]
    })
    dir = await mkdtemp(join(tmpdir(), 'rr-h100-'))
    session = join(dir, 'h100.jsonl')
    const engine = await createEngine({
      sysRoot: resolve(repo, 'tests/fixtures/sysfs/ryzen-7950x-desktop'),
      procRoot: resolve(repo, 'tests/fixtures/procfs/ryzen-7950x-desktop'),
      env: fake.env,
      intervalMs: 150,
      log: silentLogger,
      collectors: [createCpuCollector, createMemoryCollector, createGpuNvidiaCollector]
    })
    const writer = await createSessionWriter(session, {
      startedAtMs: Date.now(),
      intervalMs: 150,
      inventory: engine.inventory
    })
    engine.source.subscribe((s) => void writer.append(s))
    engine.source.start()
    await new Promise((r) => setTimeout(r, 2500))
    await engine.close()
    await writer.close()
  }, 30_000)
  afterAll(async () => {
    await fake?.cleanup()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('reports both scores, the (absent) throttling with the sustained-clock ratio, and ranked advice', async () => {
    const r = await runCli(['check', '--replay', session, '--json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.machine.gpus[0].name).toBe('NVIDIA H100 80GB HBM3')
    expect(doc.machine.gpus[0].specKey).toMatch(/h100/i)
    expect(doc.training.score.status).toBe('ok')
    expect(doc.inference.score.status).toBe('ok')
    // The load capture has clock-event mask 0 and gpu_idle at idle: no throttling is counted.
    expect(
      doc.throttling.events.filter((e: { device: string }) => e.device.startsWith('gpu'))
    ).toEqual([])
    const gpu = doc.throttling.summaries.find(
      (s: { device: string }) => s.device.includes('gpu') || s.device.includes('nvidia')
    )
    expect(gpu.throttledFraction).toEqual({ status: 'ok', value: 0 })
    expect(gpu.state).toBe('not-throttled')
    expect(gpu.sustainedClockRatio).toEqual({ status: 'ok', value: 1 })
    // Free fixes first, then purchases (by value when priced).
    const free = doc.advice.map((a: { free: boolean }) => a.free)
    expect(free).toEqual([...free].sort((a: boolean, b: boolean) => Number(b) - Number(a)))
    const text = await runCli(['check', '--replay', session])
    expect(text.stdout).toMatch(/NVIDIA H100 80GB HBM3/)
    expect(text.stdout).toMatch(/Training score:\s+\d+/)
  })
})
