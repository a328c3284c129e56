/**
 * Replays real nvidia-smi captures (nvidia_gpu_exporter's capture bundles) through the fake nvidia-smi and the
 * real collector (real runner, real process stream), and compares with that project's expected metrics.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createGpuNvidiaCollector } from '../../src-main/node/collectors/gpu-nvidia'
import { createSystemClock } from '../../src-main/node/platform/clock'
import { createCommandRunner } from '../../src-main/node/platform/command-runner'
import { createFileReader } from '../../src-main/node/platform/file-reader'
import { silentLogger } from '../../src-main/node/platform/logger'
import { spawnProcessStream } from '../../src-main/node/platform/process-stream'
import type { Reading } from '../../src-main/shared/reading'
import type { GpuSample } from '../../src-main/shared/telemetry'
import { createFakeNvidiaEnv } from '../helpers/fake-nvidia-env'
import { describePeer, HAVE_PEER, peer } from '../helpers/peer-fixtures'
import { csvValues, minimalXml, sections } from '../helpers/nvidia-captures'

const CAPTURES = peer('utkuozdemir__nvidia_gpu_exporter/internal/captures')
const METRICS = peer('utkuozdemir__nvidia_gpu_exporter/internal/integration/testdata')
/** `name{labels} value` lines of a Prometheus exposition, first sample per name. */
function metrics(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)$/.exec(line)
    if (m && !out.has(m[1])) out.set(m[1], Number(m[2]))
  }
  return out
}

const REASONS = [
  'gpu_idle',
  'applications_clocks_setting',
  'sw_power_cap',
  'hw_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
  'sw_thermal_slowdown',
  'sync_boost'
]

function expectMatches(r: Reading<number>, expected: number | undefined, what: string): void {
  if (expected === undefined) {
    expect(r.status, `${what} should be unavailable`).toBe('unavailable')
  } else {
    expect(r, what).toMatchObject({ status: 'ok' })
    expect((r as { value: number }).value, what).toBeCloseTo(expected, 3)
  }
}

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const files =
  HAVE_PEER && existsSync(CAPTURES) ? readdirSync(CAPTURES).filter((f) => f.endsWith('.txt')) : []

describePeer(
  'nvidia-smi captures (nvidia_gpu_exporter) through the fake nvidia-smi and the collector',
  () => {
    it('finds the capture bundles', () => {
      expect(files.length).toBeGreaterThanOrEqual(8)
    })

    for (const file of files) {
      for (const state of ['idle', 'load'] as const) {
        const name = file.replace(/\.txt$/, '')
        it(`${name} ${state}: readings match the exporter's expected metrics`, async () => {
          const secs = sections(readFileSync(join(CAPTURES, file), 'utf8'))
          const help = secs.get('capabilities :: help-query-gpu')
          const csvKey = [...secs.keys()].find((k) => k.startsWith(`${state} :: query-gpu`))
          expect(help).toBeDefined()
          expect(csvKey).toBeDefined()
          const values = csvValues(secs.get(csvKey!)!)
          const fake = await createFakeNvidiaEnv({
            helpQueryGpu: help,
            xml: minimalXml(values),
            gpus: [{ rows: [values] }]
          })
          cleanups.push(() => fake.cleanup())
          const sys = await mkdtemp(join(tmpdir(), 'nvsys-'))
          cleanups.push(() => rm(sys, { recursive: true, force: true }))
          const collector = createGpuNvidiaCollector({
            run: createCommandRunner(),
            spawnStream: spawnProcessStream,
            fs: createFileReader({ sysRoot: sys }),
            clock: createSystemClock(),
            log: silentLogger,
            platform: 'linux',
            intervalMs: 100,
            env: fake.env
          })
          cleanups.push(() => collector.close())
          const probe = await collector.probe(new AbortController().signal)
          expect(probe.status).toBe('present')
          expect(probe.inventory!.gpus![0].computeCapability).toEqual({
            status: 'ok',
            value: values.compute_cap
          })
          const g: GpuSample = (
            await collector.sample({
              signal: new AbortController().signal,
              due: { slow: true, rare: false }
            })
          ).gpus![0]
          await collector.close()

          const m = metrics(readFileSync(join(METRICS, `${name}__${state}.metrics`), 'utf8'))
          const mhz = (k: string) => (m.has(k) ? m.get(k)! / 1e6 : undefined)
          const pct = (k: string) => (m.has(k) ? m.get(k)! * 100 : undefined)
          expectMatches(g.temperatureCelsius, m.get('nvidia_smi_temperature_gpu'), 'temperature')
          expectMatches(g.powerDrawWatts, m.get('nvidia_smi_power_draw_watts'), 'power draw')
          expectMatches(
            g.powerLimitWatts,
            m.get('nvidia_smi_enforced_power_limit_watts'),
            'enforced power limit'
          )
          expectMatches(
            g.clockGraphicsMhz,
            mhz('nvidia_smi_clocks_current_graphics_clock_hz'),
            'graphics clock'
          )
          expectMatches(g.clockSmMhz, mhz('nvidia_smi_clocks_current_sm_clock_hz'), 'sm clock')
          expectMatches(
            g.clockMemoryMhz,
            mhz('nvidia_smi_clocks_current_memory_clock_hz'),
            'memory clock'
          )
          expectMatches(g.clockMaxSmMhz, mhz('nvidia_smi_clocks_max_sm_clock_hz'), 'max sm clock')
          expectMatches(g.memoryUsedBytes, m.get('nvidia_smi_memory_used_bytes'), 'memory used')
          expectMatches(g.memoryTotalBytes, m.get('nvidia_smi_memory_total_bytes'), 'memory total')
          expectMatches(
            g.utilizationPct,
            pct('nvidia_smi_utilization_gpu_ratio'),
            'gpu utilisation'
          )
          expectMatches(
            g.memoryUtilizationPct,
            pct('nvidia_smi_utilization_memory_ratio'),
            'memory utilisation'
          )
          expectMatches(
            g.temperatureHeadroomCelsius,
            m.get('nvidia_smi_temperature_gpu_tlimit'),
            'tlimit'
          )

          expect(g.throttleMaskHex.status).toBe('ok')
          expect(Number(BigInt((g.throttleMaskHex as { value: string }).value))).toBe(
            m.get('nvidia_smi_clocks_event_reasons_active')
          )
          const expectedActive = REASONS.filter(
            (r) => m.get(`nvidia_smi_clocks_event_reasons_${r}`) === 1
          )
          const flags =
            g.throttleFlags.status === 'ok' ? g.throttleFlags.value.map((f) => f.name) : []
          expect(flags.filter((f) => REASONS.includes(f)).sort()).toEqual(expectedActive.sort())
          if (m.has('nvidia_smi_clocks_event_reasons_counters_sw_power_cap_seconds')) {
            const c =
              g.throttleCountersSeconds.status === 'ok' ? g.throttleCountersSeconds.value : {}
            expect(c.sw_power_cap).toBeCloseTo(
              m.get('nvidia_smi_clocks_event_reasons_counters_sw_power_cap_seconds')!,
              6
            )
          }
        })
      }
    }
  }
)
