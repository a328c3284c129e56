import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createGpuIntelCollector } from '../../../../src-main/node/collectors/gpu-intel'
import type { CollectorDeps } from '../../../../src-main/node/collectors/types'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import { silentLogger } from '../../../../src-main/node/platform/logger'
import { createFakeRunner } from '../../../helpers/fake-runner'

const FIX = resolve(__dirname, '../../../fixtures/sysfs')
const ctx = { signal: new AbortController().signal, due: { slow: true, rare: false } }

function collector(fs: FileReader) {
  const deps: CollectorDeps = {
    run: createFakeRunner({}),
    spawnStream: (() => {
      throw new Error('not used')
    }) as unknown as CollectorDeps['spawnStream'],
    fs,
    clock: { now: () => 0, monotonic: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
    log: silentLogger,
    platform: 'linux',
    intervalMs: 1000,
    env: {}
  }
  return createGpuIntelCollector(deps)
}

describe('gpu-intel', () => {
  it('reads an i915 iGPU held by PL1 from gt/gt0', async () => {
    const c = collector(createFileReader({ sysRoot: `${FIX}/intel-i915-raptorlake-pl1-throttled` }))
    const p = await c.probe(ctx.signal)
    const info = p.status === 'present' ? p.inventory.gpus![0] : undefined
    expect(info).toMatchObject({
      id: 'intel:0000:00:02.0',
      integrated: true,
      clockMaxGraphicsMhz: { status: 'ok', value: 1500 }
    })
    const [g] = (await c.sample(ctx)).gpus!
    expect(g.clockGraphicsMhz).toEqual({ status: 'ok', value: 850 })
    expect(g.throttleFlags).toEqual({
      status: 'ok',
      value: [{ name: 'reason_pl1', cause: 'power' }]
    })
    expect(g.utilizationPct.status).toBe('unavailable')
  })

  it('falls back to the legacy card-level gt_* files and says throttle reasons are missing', async () => {
    const c = collector(createFileReader({ sysRoot: `${FIX}/intel-i915-legacy-idle` }))
    await c.probe(ctx.signal)
    const [g] = (await c.sample(ctx)).gpus!
    expect(g.clockGraphicsMhz).toEqual({ status: 'ok', value: 0 })
    expect(g.clockMaxSmMhz).toEqual({ status: 'ok', value: 1150 })
    expect(g.throttleFlags).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
  })

  it('reads xe freq0 and throttle reasons on a discrete Arc', async () => {
    const c = collector(createFileReader({ sysRoot: `${FIX}/intel-xe-arc-b580-thermal` }))
    const p = await c.probe(ctx.signal)
    expect(p.status === 'present' && p.inventory.gpus![0].integrated).toBe(false)
    const [g] = (await c.sample(ctx)).gpus!
    expect(g.clockGraphicsMhz).toEqual({ status: 'ok', value: 2450 })
    expect(g.clockMaxSmMhz).toEqual({ status: 'ok', value: 2850 })
    expect(g.throttleFlags).toEqual({
      status: 'ok',
      value: [
        { name: 'reason_thermal', cause: 'thermal' },
        { name: 'reason_vr_thermalert', cause: 'thermal' }
      ]
    })
  })

  it('does not wake a runtime-suspended xe GPU: only runtime_status is read', async () => {
    const inner = createFileReader({ sysRoot: `${FIX}/intel-xe-arc-asleep` })
    const reads: string[] = []
    const fs: FileReader = {
      ...inner,
      readText: (p) => (reads.push(p), inner.readText(p)),
      readBytes: (p) => (reads.push(p), inner.readBytes(p)),
      readPolled: (p) => (reads.push(p), inner.readPolled(p))
    }
    const c = collector(fs)
    await c.probe(ctx.signal)
    const [g] = (await c.sample(ctx)).gpus!
    expect(g.state).toBe('asleep')
    expect(g.throttleFlags).toMatchObject({ reason: 'asleep' })
    expect(reads.every((p) => p.endsWith('/power/runtime_status'))).toBe(true)
  })

  it('ignores amdgpu cards and is absent without Intel GPUs', async () => {
    const c = collector(createFileReader({ sysRoot: `${FIX}/amd-rx9060xt-load` }))
    expect(await c.probe(ctx.signal)).toMatchObject({
      status: 'absent',
      reason: { reason: 'no-device' }
    })
  })
})
