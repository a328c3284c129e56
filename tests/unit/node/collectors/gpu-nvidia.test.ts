import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Collector } from '../../../../src-main/node/collectors/types'
import type { GpuSample } from '../../../../src-main/shared/telemetry'
import { type FakeNvidiaScenario } from '../../../helpers/fake-nvidia-env'

import {
  FIX,
  INTERVAL_MS,
  ctx,
  emptySysRoot,
  setup,
  sleep,
  useNvidiaCleanup
} from '../../../helpers/nvidia-collector-harness'

useNvidiaCleanup()
const val = <T>(r: { status: string; value?: T }) => (r.status === 'ok' ? r.value : undefined)

async function sampleUntil(
  c: Collector,
  pred: (g: GpuSample[]) => boolean,
  timeoutMs = 6000
): Promise<GpuSample[]> {
  const end = Date.now() + timeoutMs
  let last: GpuSample[] = []
  while (Date.now() < end) {
    last = (await c.sample(ctx())).gpus ?? []
    if (pred(last)) return last
    await sleep(40)
  }
  throw new Error(`condition not met; last sample: ${JSON.stringify(last).slice(0, 600)}`)
}

describe('gpu-nvidia collector', () => {
  it('builds the inventory from -q -x plus compute_cap for an RTX 4090', async () => {
    const { collector } = await setup(join(FIX, 'rtx4090-idle.json'))
    const r = await collector.probe(new AbortController().signal)
    expect(r.status).toBe('present')
    const g = r.inventory!.gpus![0]
    expect(g.name).toBe('NVIDIA GeForce RTX 4090')
    expect(g.id).toBe('nvidia:0000:01:00.0')
    expect(val(g.memoryTotalBytes)).toBe(24564 * 1048576)
    expect(val(g.computeCapability)).toBe('8.9')
    expect(val(g.driverVersion)).toBe('550.120')
    expect(val(g.runtimeVersion)).toBe('12.4')
    expect(val(g.clockMaxGraphicsMhz)).toBe(3120)
    expect(val(g.powerMaxLimitWatts)).toBe(600)
    expect(val(g.tempSlowdownCelsius)).toBe(89)
    expect(g.tempMemoryMaxCelsius).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
  })

  it('streams idle readings from one long-lived nvidia-smi process, never one per tick', async () => {
    const { collector, fake } = await setup(join(FIX, 'rtx4090-idle.json'))
    await collector.probe(new AbortController().signal)
    const gpus = await sampleUntil(collector, (g) => g[0]?.temperatureCelsius.status === 'ok')
    expect(gpus[0].state).toBe('active')
    expect(val(gpus[0].pstate)).toBe('P8')
    expect(val(gpus[0].throttleFlags)).toEqual([{ name: 'gpu_idle', cause: 'idle' }])
    expect(val(gpus[0].memoryUsedBytes)).toBe(2 * 1048576)
    for (let i = 0; i < 5; i++) {
      await collector.sample(ctx())
      await sleep(INTERVAL_MS)
    }
    const runs = await fake.runs()
    const streams = runs.filter((a) => a.includes('-lms'))
    expect(streams).toHaveLength(1)
    expect(streams[0]).toContain(String(INTERVAL_MS))
    expect(streams[0][0]).toMatch(/clocks_event_reasons\.active/)
  })

  it('reports a power-capped GPU with sw_power_cap and rising counters in seconds', async () => {
    const { collector } = await setup(join(FIX, 'rtx4090-load-power-capped.json'))
    await collector.probe(new AbortController().signal)
    const first = await sampleUntil(collector, (g) => g[0]?.throttleCountersSeconds.status === 'ok')
    const c1 = val(first[0].throttleCountersSeconds)!.sw_power_cap
    expect(val(first[0].throttleFlags)).toEqual([{ name: 'sw_power_cap', cause: 'power' }])
    expect(val(first[0].throttleMaskHex)).toBe('0x0000000000000004')
    expect(val(first[0].powerLimitWatts)).toBe(450)
    expect(val(first[0].powerDrawWatts)!).toBeGreaterThan(445)
    const later = await sampleUntil(
      collector,
      (g) => (val(g[0]?.throttleCountersSeconds)?.sw_power_cap ?? 0) > c1
    )
    expect(val(later[0].throttleCountersSeconds)!.sw_power_cap - c1).toBeGreaterThanOrEqual(1)
  })

  it('decodes thermal and PSU-brake reasons from their scenarios', async () => {
    const t = await setup(join(FIX, 'rtx4090-load-thermal-throttled.json'))
    await t.collector.probe(new AbortController().signal)
    const th = await sampleUntil(t.collector, (g) => (val(g[0]?.throttleFlags) ?? []).length === 2)
    expect(val(th[0].throttleFlags)!.map((f) => f.cause)).toEqual(['thermal', 'thermal'])
    expect(val(th[0].temperatureCelsius)!).toBeGreaterThanOrEqual(87)

    const p = await setup(join(FIX, 'rtx4090-load-psu-power-brake.json'))
    await p.collector.probe(new AbortController().signal)
    const pb = await sampleUntil(p.collector, (g) =>
      (val(g[0]?.throttleFlags) ?? []).some((f) => f.cause === 'psu')
    )
    expect(
      val(pb[0].throttleFlags)!
        .map((f) => f.name)
        .sort()
    ).toEqual(['hw_power_brake_slowdown', 'hw_slowdown'])
    expect(val(pb[0].clockSmMhz)!).toBeLessThan(1100)
  })

  it('groups rows by index so a two-GPU box yields two complete samples', async () => {
    const { collector } = await setup(join(FIX, 'two-gpu-rtx4090-rtx3090-load.json'))
    const r = await collector.probe(new AbortController().signal)
    expect(r.inventory!.gpus!.map((g) => g.name)).toEqual([
      'NVIDIA GeForce RTX 4090',
      'NVIDIA GeForce RTX 3090'
    ])
    const gpus = await sampleUntil(
      collector,
      (g) => g.length === 2 && g.every((x) => x.powerDrawWatts.status === 'ok')
    )
    expect(gpus.map((g) => g.id)).toEqual(['nvidia:0000:01:00.0', 'nvidia:0000:02:00.0'])
    expect(val(gpus[0].powerLimitWatts)).toBe(450)
    expect(val(gpus[1].powerLimitWatts)).toBe(350)
    expect(val(gpus[1].throttleFlags)).toEqual([])
  })

  it('reports a down-trained PCIe link against the card maxima', async () => {
    const { collector } = await setup(join(FIX, 'rtx4090-load-pcie-gen3-x8.json'))
    await collector.probe(new AbortController().signal)
    const g = (await sampleUntil(collector, (x) => x[0]?.pcieGen.status === 'ok'))[0]
    expect([val(g.pcieGen), val(g.pcieWidth), val(g.pcieMaxGen), val(g.pcieMaxWidth)]).toEqual([
      3, 8, 4, 16
    ])
  })

  it('falls back to the legacy clocks_throttle_reasons spelling on old drivers', async () => {
    const scenario: FakeNvidiaScenario = {
      helpQueryGpu:
        '"index"\nZero based index.\n\n"pci.bus_id" or "gpu_bus_id"\nBus id.\n\n"clocks_throttle_reasons.active"\nMask.\n\n"temperature.gpu"\nTemp.\n\n"power.draw"\nDraw.\n',
      xml: '<?xml version="1.0" ?><nvidia_smi_log><driver_version>470.82</driver_version><attached_gpus>1</attached_gpus><gpu id="00000000:03:00.0"><product_name>Tesla T4</product_name><pci><pci_bus_id>00000000:03:00.0</pci_bus_id></pci></gpu></nvidia_smi_log>',
      gpus: [
        {
          rows: [
            {
              index: '0',
              'pci.bus_id': '00000000:03:00.0',
              'clocks_throttle_reasons.active': '0x0000000000000004',
              'temperature.gpu': '61',
              'power.draw': '69.80 W'
            }
          ]
        }
      ]
    }
    const { collector, fake } = await setup(scenario)
    const r = await collector.probe(new AbortController().signal)
    expect(r.inventory!.gpus![0].computeCapability).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
    const g = (await sampleUntil(collector, (x) => x[0]?.throttleFlags.status === 'ok'))[0]
    expect(val(g.throttleFlags)).toEqual([{ name: 'sw_power_cap', cause: 'power' }])
    expect(val(g.powerDrawWatts)).toBe(69.8)
    expect(g.throttleCountersSeconds).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
    expect(g.clockSmMhz).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    const stream = (await fake.runs()).find((a) => a.includes('-lms'))!
    expect(stream[0]).toBe(
      '--query-gpu=index,pci.bus_id,clocks_throttle_reasons.active,temperature.gpu,power.draw'
    )
  })

  it('reports runtime-suspended GPUs as asleep without running nvidia-smi', async () => {
    const sys = await emptySysRoot()
    const dev = join(sys, 'bus/pci/devices/0000:01:00.0')
    await mkdir(join(dev, 'power'), { recursive: true })
    await writeFile(join(dev, 'vendor'), '0x10de\n')
    await writeFile(join(dev, 'class'), '0x030000\n')
    await writeFile(join(dev, 'device'), '0x2684\n')
    await writeFile(join(dev, 'power/runtime_status'), 'suspended\n')
    const { collector, fake } = await setup(join(FIX, 'rtx4090-idle.json'), { sysRoot: sys })
    const r = await collector.probe(new AbortController().signal)
    expect(r.status).toBe('present')
    const s = await collector.sample(ctx())
    expect(s.gpus![0].state).toBe('asleep')
    expect(s.gpus![0].temperatureCelsius).toMatchObject({ status: 'unavailable', reason: 'asleep' })
    expect(await fake.runs()).toEqual([])
    // Woken by someone else: the collector now probes and streams.
    await writeFile(join(dev, 'power/runtime_status'), 'active\n')
    const gpus = await sampleUntil(collector, (g) => g[0]?.temperatureCelsius.status === 'ok')
    expect(gpus[0].state).toBe('active')
  })

  it('stops the stream on close', async () => {
    const { collector, fake } = await setup(join(FIX, 'rtx4090-idle.json'))
    await collector.probe(new AbortController().signal)
    await sampleUntil(collector, (g) => g[0]?.temperatureCelsius.status === 'ok')
    await collector.close()
    const n = (await fake.runs()).length
    await sleep(500)
    expect((await fake.runs()).length).toBe(n)
  })
})
