/**
 * The PyTorch GPU path end to end against a fake `python3` that speaks the probe's line protocol: runtime
 * discovery, one process per GPU, samples into TFLOPS and GB/s against the spec table, tool failures that
 * stop the probe, and the install hint when no runtime exists. Spawns real processes (slow folder).
 */
import { readFile, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import Ajv from 'ajv'
import { afterAll, describe, expect, it } from 'vitest'
import { findTorchPython } from '../../src-main/node/probe/gpu-torch'
import { startProbe } from '../../src-main/node/probe/runner'
import { measuredFromResult } from '../../src-main/node/probe/store'
import { ok } from '../../src-main/shared/reading'
import { gpuInfo, gpuSample, inventory, snapshot } from '../helpers/snapshot-builder'
import {
  alive,
  eventually,
  fakeEngine,
  fakePids,
  fakePythonEnv,
  manualSource
} from './probe-fakes/harness'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function env(extra: NodeJS.ProcessEnv = {}) {
  const e = await fakePythonEnv(extra)
  dirs.push(e.dir, e.pidDir)
  return e
}

const h100 = inventory({
  gpus: [
    gpuInfo({ name: 'NVIDIA H100 80GB HBM3', clockMaxSmMhz: ok(1980), tempSlowdownCelsius: ok(90) })
  ]
})

describe('probe GPU phase through PyTorch (fake python)', () => {
  it('finds a Python with torch and a device, skipping one without torch', async () => {
    const { env: e } = await env()
    const found = await findTorchPython(e)
    expect(found).toMatchObject({
      kind: 'found',
      hello: { torch: '2.4.0', devices: [{ name: 'NVIDIA H100 80GB HBM3' }] }
    })
    const missing = await findTorchPython({
      ...(await env({ FAKE_TORCH: 'missing' })).env,
      PATH: '/nonexistent'
    })
    expect(missing).toMatchObject({ kind: 'none', reason: 'tool-missing' })
    expect((missing as { detail: string }).detail).toMatch(/no torch/)
    const noDevice = await findTorchPython({
      ...(await env({ FAKE_TORCH: 'nodevice' })).env,
      PATH: '/nonexistent'
    })
    expect(noDevice).toMatchObject({ kind: 'none', reason: 'no-device' })
  })

  it('runs the matmul and copy loops and reports them against the spec, with telemetry per GPU', async () => {
    const { env: e, pidDir } = await env({
      FAKE_TFLOPS: '700',
      FAKE_GBPS: '3000',
      FAKE_SAMPLE_S: '0.1'
    })
    const source = manualSource(
      snapshot({
        t: Date.now(),
        gpus: [gpuSample({ id: 'nvidia:0', name: 'NVIDIA H100 80GB HBM3' })]
      })
    )
    // Telemetry while the fake loads: a busy card at 1755 of 1980 MHz.
    const feed = setInterval(
      () =>
        source.push(
          snapshot({
            t: Date.now(),
            gpus: [
              gpuSample({
                id: 'nvidia:0',
                name: 'NVIDIA H100 80GB HBM3',
                utilizationPct: 100,
                clockSmMhz: 1755,
                temperatureCelsius: 70,
                powerDrawWatts: 690,
                powerLimitWatts: 700,
                pcieGen: 5,
                pcieWidth: 16
              })
            ]
          })
        ),
      100
    )
    const run = startProbe({
      durationS: 3,
      phases: { cpu: false, memory: false, storage: null, gpu: true, command: null },
      engine: fakeEngine(h100, source),
      machineKey: 'k',
      machineLabel: 'test',
      env: e
    })
    const r = await run.result
    clearInterval(feed)
    expect(r.stop).toBeNull()
    expect(r.complete).toBe(true)
    expect(r.gpu?.backend).toEqual(ok('pytorch'))
    expect(r.gpu?.runtime).toBe('Python 3.11.9, torch 2.4.0, cuda 12.4')
    const g = r.gpu!.devices[0]
    expect(g.matmul.series.length).toBeGreaterThan(5)
    const peak = (g.matmul.tflopsPeak as { value: number }).value
    const sustained = (g.matmul.tflopsSustained as { value: number }).value
    expect(peak).toBeLessThanOrEqual(700)
    expect(sustained).toBeLessThan(peak) // the fake heats up and slows by 10%
    expect(g.copy.medianGBps).toEqual(ok(3000))
    expect(g.matmul.specTflops.status).toBe('ok')
    expect(g.copy.specGBps.status).toBe('ok')
    expect(g.copy.ratioToSpec.status).toBe('ok')
    const dev = r.devices.find((d) => d.device === 'nvidia:0')!
    expect((dev.clock.sustainedRatio as { value: number }).value).toBeCloseTo(1755 / 1980, 5)
    expect(dev.pcie?.genReached).toEqual(ok(5))
    // What the CLI prints with --json and the store writes: valid against the published schema.
    const schema = JSON.parse(
      await readFile(resolve(__dirname, '../../resources/schema/probe.v1.schema.json'), 'utf8')
    )
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema)
    expect(validate(JSON.parse(JSON.stringify(r))), JSON.stringify(validate.errors)).toBe(true)
    expect(dev.series.clockMhz.length).toBeGreaterThan(5)
    const measured = measuredFromResult(r, 'memory')
    expect(measured.gpus[0]).toMatchObject({
      index: 0,
      matmulDtype: 'bfloat16',
      copyGBps: ok(3000)
    })
    expect(measured.gpus[0].sustainedClockRatio.status).toBe('ok')
    expect(run.controller.active()).toEqual({ workers: 0, children: [], files: [] })
    for (const pid of await fakePids(pidDir)) expect(await eventually(() => !alive(pid))).toBe(true)
  })

  it('stops everything when the GPU script fails', async () => {
    const { env: e, pidDir } = await env({ FAKE_FAIL: 'midway', FAKE_SAMPLE_S: '0.1' })
    const run = startProbe({
      durationS: 5,
      phases: { cpu: false, memory: false, storage: null, gpu: true, command: ['sleep', '30'] },
      engine: fakeEngine(h100, manualSource()),
      machineKey: 'k',
      machineLabel: 'test',
      env: e,
      commandStdio: 'ignore'
    })
    const r = await run.result
    expect(r.stop).toMatchObject({
      reason: 'tool-failed',
      detail: expect.stringMatching(/illegal memory access/)
    })
    expect(r.gpu?.status).toBe('failed')
    expect(r.command?.status).toBe('stopped')
    expect(r.complete).toBe(false)
    expect(run.controller.active()).toEqual({ workers: 0, children: [], files: [] })
    for (const pid of await fakePids(pidDir)) expect(await eventually(() => !alive(pid))).toBe(true)
  })

  it('says what to install when there is no GPU runtime', async () => {
    const run = startProbe({
      durationS: 2,
      phases: { cpu: false, memory: false, storage: null, gpu: true, command: null },
      engine: fakeEngine(h100, manualSource()),
      machineKey: 'k',
      machineLabel: 'test',
      env: { PATH: '/nonexistent' },
      findWebGpu: async () => ({
        kind: 'none',
        detail: 'the `webgpu` npm package is not installed'
      })
    })
    const r = await run.result
    expect(r.gpu).toMatchObject({
      status: 'unavailable',
      backend: { status: 'unavailable', reason: 'tool-missing' }
    })
    expect(r.gpu?.installHint).toMatch(/install PyTorch/)
    expect(r.gpu?.detail).toMatch(/python3: not found.*webgpu/)
    expect(r.complete).toBe(true) // unavailable is not a failure: the probe says why
  })
})
