import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { formatPrometheus } from '../../../../src-main/node/metrics/prometheus'
import { emptyInventory } from '../../../../src-main/node/inventory'
import { unavailable } from '../../../../src-main/shared/reading'
import { gpuSample, snapshot } from '../../../helpers/snapshot-builder'

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

describe('prometheus exposition', () => {
  const inv = emptyInventory(0, 'linux', 'x64')
  const s = snapshot({
    gpus: [
      gpuSample({
        index: 0,
        temperatureCelsius: 71,
        powerDrawWatts: 447.5,
        throttle: ['sw_power_cap']
      }),
      gpuSample({ index: 1, temperatureCelsius: unavailable('unsupported', 'N/A') })
    ]
  })
  const text = formatPrometheus(inv, s)

  it('exports known readings with base units', () => {
    expect(text).toMatch(
      /^rigready_gpu_temperature_celsius\{gpu="0",vendor="nvidia",name="[^"]+"\} 71$/m
    )
    expect(text).toMatch(/^rigready_gpu_power_draw_watts\{gpu="0"[^}]*\} 447\.5$/m)
    expect(text).toMatch(
      /^rigready_gpu_throttle_reason_active\{gpu="0"[^}]*reason="sw_power_cap",cause="power"\} 1$/m
    )
  })

  it('omits unknown readings instead of writing 0, and says why', () => {
    expect(text).not.toMatch(/^rigready_gpu_temperature_celsius\{gpu="1"/m)
    expect(text).toMatch(
      /^rigready_reading_unavailable\{series="gpu_temperature_celsius",gpu="1"[^}]*reason="unsupported"\} 1$/m
    )
  })

  it.runIf(existsSync('/usr/bin/promtool') || process.env.CI)(
    'passes promtool check metrics',
    async () => {
      const r = await promtool(text)
      expect(
        r.out.replace(
          /.*(no help text|counter metrics should have "_total" suffix|metric names should be written in 'snake_case').*\n?/g,
          ''
        )
      ).toBe('')
      expect(r.code).toBe(0)
    }
  )
})
