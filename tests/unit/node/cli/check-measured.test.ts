/**
 * `check` on this machine with a stored load probe: its measured RAM bandwidth replaces the default, and
 * the text and JSON reports say what changed, with the probe's date.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine } from '../../../../src-main/node/engine'
import {
  machineKeyFor,
  readMachineId,
  saveProbeResult
} from '../../../../src-main/node/probe/store'
import { ok } from '../../../../src-main/shared/reading'
import type { ReadinessReport } from '../../../../src-main/shared/readiness'
import { runCli } from '../../../helpers/cli-io'
import { sampleResult } from '../probe/sample-result'

describe('rigready check with a stored load probe', () => {
  let dir: string
  let env: NodeJS.ProcessEnv
  const measuredAtMs = Date.UTC(2026, 11, 2, 10, 1, 0)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rr-probe-data-'))
    env = { ...process.env, RIGREADY_DATA_DIR: dir, PATH: '/nonexistent-bin-dir' }
    // The key `check` computes for this machine (same inventory source, same machine id).
    const engine = await createEngine({ env, toolsPath: null })
    const machineKey = machineKeyFor(engine.inventory, await readMachineId())
    await engine.close()
    const base = sampleResult({
      machineKey,
      startedAtMs: measuredAtMs,
      endedAtMs: measuredAtMs + 60_000
    })
    // RAM read at 9 GB/s: far below the 51.2 GB/s DDR4-3200 dual-channel default of the model.
    const mem = base.memory!
    const result = {
      ...base,
      memory: {
        ...mem,
        kernels: {
          ...mem.kernels,
          read: { ...mem.kernels.read, bestGBps: ok(9), medianGBps: ok(8.8) },
          copy: { ...mem.kernels.copy, bestGBps: ok(8), medianGBps: ok(7.9) }
        }
      }
    }
    await saveProbeResult(result, env, '2026-12-02T10-01-00Z')
  })

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('uses the measured RAM bandwidth and says so with the date, in JSON and in text', async () => {
    const withProbe = await runCli(['check', '--sample', '0.5', '--json'], { env })
    expect(withProbe.code, withProbe.stderr).toBe(0)
    const r = JSON.parse(withProbe.stdout) as ReadinessReport
    expect(r.measured).not.toBeNull()
    expect(r.measured!.measuredAtMs).toBe(measuredAtMs)
    const ram = r.measured!.changes.find((c) => c.item === 'ram-bandwidth')!
    expect(ram.measured).toBe(9)
    expect(r.machine.ramBandwidthGBps).toEqual(ok(ram.after))
    expect(ram.after).toBeLessThan(51.2)
    // CPU decode follows the measured bandwidth, and the effect line names it with the probe's date.
    expect(
      r.measured!.effects.some((e) =>
        /measured RAM bandwidth 9\.0 GB\/s \(2026-12-02\)/.test(e.text)
      )
    ).toBe(true)

    const without = JSON.parse(
      (await runCli(['check', '--sample', '0.5', '--json', '--no-probe'], { env })).stdout
    ) as ReadinessReport
    expect(without.measured).toBeNull()
    const decode = (x: ReadinessReport) => {
      const d = x.profiles.find((p) => p.profileId === 'chat-1b-q4')!.speed.decodeTokensPerSec
      return d.status === 'ok' ? d.value : NaN
    }
    expect(decode(r)).toBeLessThan(decode(without))

    const text = await runCli(['check', '--sample', '0.5'], { env })
    expect(text.stdout).toContain('Measured by the load probe (2026-12-02)')
    expect(text.stdout).toMatch(/RAM bandwidth \(system RAM\): (unknown|[\d.]+) → [\d.]+ GB\/s/)
  })
})
