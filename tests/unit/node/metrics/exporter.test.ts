import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildExposition, createMetricsExporter } from '../../../../src-main/node/metrics/exporter'
import { createThrottleAccounting } from '../../../../src-main/node/metrics/throttle-accounting'
import { ok, unavailable } from '../../../../src-main/shared/reading'
import type { Snapshot } from '../../../../src-main/shared/telemetry'
import { fakeReport } from '../../../helpers/fake-service'
import {
  cpuSample,
  gpuInfo,
  gpuSample,
  inventory,
  snapshot,
  storageDevice
} from '../../../helpers/snapshot-builder'

function promtool(text: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.stderr.on('data', (d) => (out += d))
    p.on('close', (code) => resolve({ code, out }))
    p.stdin.end(text)
  })
}

const inv = inventory({
  gpus: [gpuInfo({ index: 0, tempSlowdownCelsius: ok(87) }), gpuInfo({ index: 1 })]
})

function snap(t: number, flags: string[] = ['sw_power_cap']): Snapshot {
  return snapshot({
    t,
    gpus: [
      gpuSample({
        index: 0,
        temperatureCelsius: 71,
        powerDrawWatts: 447.5,
        clockSmMhz: 2520,
        throttle: flags
      }),
      gpuSample({
        index: 1,
        temperatureCelsius: unavailable('unsupported', 'N/A'),
        throttle: unavailable('unsupported', 'no clock-event reasons')
      })
    ],
    cpu: cpuSample({ utilizationPct: unavailable('warming-up') }),
    storage: [storageDevice({ name: 'nvme0n1', temperatureCelsius: 45, tempMaxCelsius: 84 })]
  })
}

async function render(
  s: Snapshot | null,
  opts: { report?: ReturnType<typeof fakeReport> | null; stream?: Snapshot[] } = {}
): Promise<string> {
  const throttle = createThrottleAccounting()
  for (const x of opts.stream ?? []) throttle.push(x)
  const e = await buildExposition({
    ns: 'rigready',
    version: '9.9.9',
    inventory: inv,
    snapshot: s,
    report: opts.report ? ok(opts.report) : unavailable('warming-up'),
    throttle
  })
  return e.text
}

describe('metrics exporter', () => {
  it('exports known readings in base units, with HELP and TYPE', async () => {
    const text = await render(snap(1000))
    expect(text).toMatch(
      /^rigready_gpu_temperature_celsius\{gpu="0",vendor="nvidia",name="[^"]+"\} 71$/m
    )
    expect(text).toMatch(/^rigready_gpu_power_draw_watts\{gpu="0"[^}]*\} 447\.5$/m)
    expect(text).toMatch(/^rigready_gpu_sm_clock_hertz\{gpu="0"[^}]*\} 2520000000$/m)
    expect(text).toMatch(/^rigready_gpu_temperature_slowdown_celsius\{gpu="0"[^}]*\} 87$/m)
    expect(text).toMatch(
      /^rigready_gpu_throttle_reason_active\{gpu="0"[^}]*reason="sw_power_cap",cause="power"\} 1$/m
    )
    expect(text).toMatch(
      /^rigready_disk_temperature_max_celsius\{device="nvme0n1",kind="nvme"\} 84$/m
    )
    expect(text).toMatch(/^# HELP rigready_gpu_temperature_celsius GPU core temperature\.$/m)
    expect(text).toMatch(/^# TYPE rigready_gpu_temperature_celsius gauge$/m)
    expect(text).toMatch(/^rigready_build_info\{version="9\.9\.9",node_version="[^"]+"\} 1$/m)
    expect(text).toMatch(/^rigready_snapshot_valid 1$/m)
  })

  it('omits unknown readings instead of writing 0, and says why', async () => {
    const text = await render(snap(1000))
    expect(text).not.toMatch(/^rigready_gpu_temperature_celsius\{gpu="1"/m)
    expect(text).toMatch(
      /^rigready_reading_unavailable\{series="gpu_temperature_celsius",gpu="1"[^}]*reason="unsupported"[^}]*\} 1$/m
    )
    // A labelless gauge whose reading is unknown is absent (prom-client would otherwise print 0).
    expect(text).not.toMatch(/^rigready_cpu_utilization_ratio /m)
    expect(text).toMatch(
      /^rigready_reading_unavailable\{series="cpu_utilization_ratio"[^}]*reason="warming-up"/m
    )
    // No report yet: scores are absent and marked, never 0.
    expect(text).not.toMatch(/^rigready_readiness_score/m)
    expect(text).toMatch(
      /^rigready_reading_unavailable\{series="readiness_score"[^}]*reason="warming-up"/m
    )
  })

  it('survives a wrongly typed field: that series becomes parse-error, the rest is exported', async () => {
    const bad = JSON.parse(JSON.stringify(snap(1000))) as {
      gpus: { temperatureCelsius: unknown; powerDrawWatts: unknown }[]
      health: unknown
    }
    bad.gpus[0]!.temperatureCelsius = { status: 'ok', value: 'hot' }
    bad.gpus[0]!.powerDrawWatts = 'lots'
    bad.health = 'broken'
    const text = await render(bad as unknown as Snapshot)
    expect(text).toMatch(/^rigready_snapshot_valid 0$/m)
    expect(text).toMatch(
      /^rigready_reading_unavailable\{series="gpu_temperature_celsius",gpu="0"[^}]*reason="parse-error"/m
    )
    expect(text).toMatch(
      /^rigready_reading_unavailable\{series="gpu_power_draw_watts",gpu="0"[^}]*reason="parse-error"/m
    )
    expect(text).toMatch(/^rigready_gpu_sm_clock_hertz\{gpu="0"/m)
    const worse = await render({ gpus: 'x', cpu: 5, timestampMs: 'now' } as unknown as Snapshot)
    expect(worse).toMatch(/^rigready_snapshot_valid 0$/m)
  })

  it('counts throttle seconds per device and cause over observed time only', async () => {
    const stream = [
      snap(0, []),
      snap(1000, ['sw_power_cap']),
      snap(2000, ['sw_power_cap']),
      snap(3000, ['hw_thermal_slowdown']),
      snap(4000, ['gpu_idle'])
    ]
    const text = await render(stream.at(-1)!, { stream })
    expect(text).toMatch(/^rigready_throttle_observed_seconds_total\{device="gpu0"\} 4$/m)
    expect(text).toMatch(/^rigready_throttle_seconds_total\{device="gpu0",cause="power"\} 2$/m)
    expect(text).toMatch(/^rigready_throttle_seconds_total\{device="gpu0",cause="thermal"\} 1$/m)
    expect(text).toMatch(/^rigready_throttle_seconds_total\{device="gpu0",cause="psu"\} 0$/m)
    expect(text).toMatch(/^# TYPE rigready_throttle_seconds_total counter$/m)
    // Idle is not throttling: the latest state is observed and not throttled.
    expect(text).toMatch(/^rigready_throttle_active\{device="gpu0",cause="power"\} 0$/m)
    // GPU 1 reports no flags at all: no counters, no "not throttled".
    expect(text).not.toMatch(/device="gpu1"/)
    expect(text).toMatch(/^rigready_throttle_observed_seconds_total\{device="nvme0n1"\} 4$/m)
  })

  it('exports readiness per kind and per profile', async () => {
    const text = await render(snap(1000), { report: fakeReport() })
    expect(text).toMatch(/^rigready_readiness_score\{kind="training"\} 58$/m)
    expect(text).toMatch(/^rigready_readiness_score\{kind="inference"\} 83$/m)
    expect(text).toMatch(
      /^rigready_profile_readiness_score\{profile="serve-8b-q4",kind="inference"\} \d+$/m
    )
    expect(text).toMatch(
      /^rigready_profile_verdict\{profile="serve-8b-q4",kind="inference",verdict="[a-z-]+"\} 1$/m
    )
  })

  it('shares one rendering between concurrent scrapes and follows the sample stream', async () => {
    const listeners = new Set<(s: Snapshot) => void>()
    let latest: Snapshot = snap(0, [])
    let reports = 0
    const exporter = createMetricsExporter({
      version: '1',
      source: {
        inventory: async () => inv,
        latest: async () => latest,
        report: async () => (reports++, fakeReport()),
        onSample: (l) => (listeners.add(l), () => listeners.delete(l))
      }
    })
    for (let i = 0; i <= 3; i++) {
      latest = snap(i * 1000, ['sw_power_cap'])
      for (const l of listeners) l(latest)
    }
    const [a, b] = await Promise.all([exporter.render(), exporter.render()])
    expect(a.text).toBe(b.text)
    expect(reports).toBe(1)
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(a.text).toMatch(/^rigready_throttle_seconds_total\{device="gpu0",cause="power"\} 3$/m)
    exporter.close()
    expect(listeners.size).toBe(0)
  })

  it.runIf(existsSync('/usr/bin/promtool') || process.env.CI)(
    'passes promtool check metrics',
    async () => {
      const stream = [snap(0), snap(1000)]
      const r = await promtool(await render(stream[1]!, { stream, report: fakeReport() }))
      expect(r.out).toBe('')
      expect(r.code).toBe(0)
    }
  )
})
