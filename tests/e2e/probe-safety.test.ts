/**
 * Probe safety: Stop, Ctrl-C, a threshold breach, a switch to battery and the process exiting each end
 * every piece of load — worker threads, child processes, the probe file — and leave nothing behind.
 *
 * Each trigger fires while the kind of load it must end is running (workers in the CPU phase, the probe
 * file in the storage phase, a child that ignores SIGTERM in the GPU phase). The assertions are on state
 * (no worker, no live child, no file), polled with generous timeouts; the time from trigger to "all load
 * gone" is printed, not asserted, because this suite runs on shared, loaded machines.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoadController } from '../../src-main/node/probe/load-controller'
import { startProbe, type ProbeOptions } from '../../src-main/node/probe/runner'
import { ok } from '../../src-main/shared/reading'
import { runCli } from '../helpers/cli-io'
import { gpuInfo, gpuSample, inventory, snapshot } from '../helpers/snapshot-builder'
import {
  alive,
  eventually,
  fakeEngine,
  fakePids,
  fakePythonEnv,
  manualSource,
  probeFiles
} from './probe-fakes/harness'

const CLI = resolve(__dirname, '../../out/main/cli.js')
let tmp: string
const cleanup: string[] = []
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rr-probe-safety-'))
  cleanup.push(tmp)
})
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true })
})

const inv = inventory({ gpus: [gpuInfo({ tempSlowdownCelsius: ok(90) })] })

function options(over: Partial<ProbeOptions>): ProbeOptions {
  return {
    durationS: 60,
    phases: { cpu: false, memory: false, storage: null, gpu: false, command: null },
    engine: fakeEngine(inv, manualSource()),
    machineKey: 'k',
    machineLabel: 'test',
    env: process.env,
    storageMaxFileBytes: 256 * 2 ** 20,
    controller: { killGraceMs: 300 },
    ...over
  }
}

function report(what: string, ms: number): void {
  console.log(`[probe-safety] ${what}: all load gone ${ms.toFixed(0)} ms after the trigger`)
}

describe('probe safety', () => {
  it('Stop ends the CPU workers at once and skips the remaining phases', async () => {
    const run = startProbe(
      options({ phases: { cpu: true, memory: false, storage: tmp, gpu: false, command: null } })
    )
    expect(await eventually(() => run.controller.active().workers > 0)).toBe(true)
    const t0 = performance.now()
    run.stop('cancelled', 'Stop pressed')
    const r = await run.result
    report('Stop', performance.now() - t0)
    expect(r.stop).toMatchObject({ reason: 'cancelled', detail: 'Stop pressed' })
    expect(r.cpu?.status).toBe('stopped')
    expect(r.storage).toMatchObject({ status: 'stopped', detail: 'not run: Stop pressed' })
    expect(run.controller.active()).toEqual({ workers: 0, children: [], files: [] })
    expect(await probeFiles(tmp)).toEqual([])
  })

  it('a device reaching its slowdown threshold stops the storage phase and removes the probe file', async () => {
    const source = manualSource()
    const run = startProbe(
      options({
        engine: fakeEngine(inv, source),
        phases: { cpu: false, memory: false, storage: tmp, gpu: false, command: null }
      })
    )
    expect(await eventually(() => run.controller.active().files.length === 1)).toBe(true)
    const file = run.controller.active().files[0]
    expect(existsSync(file)).toBe(true)
    const t0 = performance.now()
    source.push(snapshot({ t: Date.now(), gpus: [gpuSample({ temperatureCelsius: 87 })] }))
    const r = await run.result
    report('threshold', performance.now() - t0)
    expect(r.stop).toMatchObject({
      reason: 'threshold',
      detail: expect.stringMatching(
        /GPU0 .* reached 87 °C, within 5 °C of its slowdown threshold 90 °C/
      )
    })
    expect(r.storage).toMatchObject({ status: 'stopped', fileRemoved: true })
    expect(existsSync(file)).toBe(false)
    expect(await probeFiles(tmp)).toEqual([])
    expect(run.controller.active()).toEqual({ workers: 0, children: [], files: [] })
  })

  it('switching to battery ends a GPU child that ignores SIGTERM (SIGKILL follows)', async () => {
    const fake = await fakePythonEnv({ FAKE_STUBBORN: '1', FAKE_SAMPLE_S: '0.1' })
    cleanup.push(fake.dir, fake.pidDir)
    const source = manualSource()
    const run = startProbe(
      options({
        env: fake.env,
        engine: fakeEngine(inv, source),
        phases: { cpu: false, memory: false, storage: null, gpu: true, command: null }
      })
    )
    expect(await eventually(() => run.controller.active().children.length === 1, 20_000)).toBe(true)
    const [pid] = run.controller.active().children
    // The discovery run (`--hello`) recorded its pid too; wait for the load process's own record.
    expect(await eventually(async () => (await fakePids(fake.pidDir)).includes(pid))).toBe(true)
    const t0 = performance.now()
    source.push(snapshot({ t: Date.now(), power: 'battery' }))
    const r = await run.result
    report('battery', performance.now() - t0)
    expect(r.stop).toMatchObject({ reason: 'battery' })
    expect(r.gpu?.status).toBe('stopped')
    expect(alive(pid)).toBe(false)
    for (const p of await fakePids(fake.pidDir))
      expect(await eventually(() => !alive(p))).toBe(true)
    expect(run.controller.active()).toEqual({ workers: 0, children: [], files: [] })
  })

  it('never starts loading on battery', async () => {
    const run = startProbe(
      options({
        engine: fakeEngine(inv, manualSource(snapshot({ t: Date.now(), power: 'battery' }))),
        phases: { cpu: true, memory: true, storage: tmp, gpu: false, command: null }
      })
    )
    const r = await run.result
    expect(r.stop?.reason).toBe('battery')
    expect([r.cpu?.status, r.memory?.status, r.storage?.status]).toEqual([
      'stopped',
      'stopped',
      'stopped'
    ])
    expect(r.cpu?.startedAtMs).toBeNull()
  })

  it('the process exit hook removes probe files and kills children synchronously', async () => {
    let onExit: (() => void) | null = null
    const controller = createLoadController({ onProcessExit: (fn) => ((onExit = fn), () => {}) })
    const file = join(tmp, `.rigready-probe-${process.pid}-abc.tmp`)
    await writeFile(file, 'x')
    controller.addFile(file, null)
    const child = spawn(
      process.execPath,
      ['-e', 'process.on("SIGTERM",()=>{}); setInterval(()=>{},1000)'],
      { stdio: 'ignore' }
    )
    controller.addChild(child)
    await eventually(() => child.pid !== undefined)
    onExit!()
    expect(existsSync(file)).toBe(false)
    expect(await eventually(() => !alive(child.pid!))).toBe(true)
  })

  it('Ctrl-C ends `rigready probe` with exit 130 and no probe file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rr-probe-ctrlc-'))
    cleanup.push(dir)
    const run = await runCli(['probe', '--storage', dir, '--duration', '60', '--no-save'], {
      interruptAfterMs: 3000
    })
    expect(run.code).toBe(130)
    expect(run.stdout).toMatch(/STOPPED \(interrupted\): interrupted \(Ctrl-C\)/)
    expect(await probeFiles(dir)).toEqual([])
  })

  it.skipIf(!existsSync(CLI))(
    'SIGINT to a running `rigready probe` process: exit 130, no file, no worker left',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rr-probe-sigint-'))
      cleanup.push(dir)
      const child = spawn(
        process.execPath,
        [CLI, 'probe', '--cpu', '--storage', dir, '--duration', '20', '--no-save'],
        { stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let err = ''
      child.stderr.on('data', (c: Buffer) => (err += c.toString()))
      // Wait until the storage phase has its file (the CPU phase ran first).
      expect(await eventually(async () => (await probeFiles(dir)).length === 1, 60_000)).toBe(true)
      const t0 = performance.now()
      child.kill('SIGINT')
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
      report('SIGINT (process exit)', performance.now() - t0)
      expect(code).toBe(130)
      expect(err).toMatch(/storage/)
      expect(await probeFiles(dir)).toEqual([])
    },
    90_000
  )
})
