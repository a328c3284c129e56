/**
 * A stored load probe in the real UI: the agent (a real engine service on this machine) loads this
 * machine's latest probe at start, and the Overview shows what the measured values changed, with the
 * probe's date, the same values the report's JSON carries.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEngine } from '../../src-main/node/engine'
import { createEngineService } from '../../src-main/node/engine-service'
import { machineKeyFor, readMachineId, saveProbeResult } from '../../src-main/node/probe/store'
import { createHttpServer, type HttpServerHandle } from '../../src-main/node/server/http-server'
import type { EngineService } from '../../src-main/node/service-types'
import { ok } from '../../src-main/shared/reading'
import type { ReadinessReport } from '../../src-main/shared/readiness'
import { collectErrors, describeBrowser, launchChromium, RENDERER_DIR } from '../helpers/chromium'
import { sampleResult } from '../unit/node/probe/sample-result'
import { eventually } from './probe-fakes/harness'

describeBrowser('measured probe values in the UI (browser, real engine)', () => {
  let dir: string
  let service: EngineService
  let server: HttpServerHandle
  let browser: Browser
  let page: Page
  let errors: string[]
  const measuredAtMs = Date.UTC(2026, 11, 2, 10, 1, 0)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rr-probe-measured-ui-'))
    const env = { ...process.env, RIGREADY_DATA_DIR: dir, PATH: '/nonexistent-bin-dir' }
    // The key the agent computes for this machine (same inventory source, same machine id).
    const engine = await createEngine({ env, toolsPath: null })
    const machineKey = machineKeyFor(engine.inventory, await readMachineId())
    await engine.close()
    const base = sampleResult({
      machineKey,
      startedAtMs: measuredAtMs,
      endedAtMs: measuredAtMs + 60_000
    })
    const mem = base.memory!
    await saveProbeResult(
      {
        ...base,
        memory: {
          ...mem,
          kernels: {
            ...mem.kernels,
            read: { ...mem.kernels.read, bestGBps: ok(9), medianGBps: ok(8.8) },
            copy: { ...mem.kernels.copy, bestGBps: ok(8), medianGBps: ok(7.9) }
          }
        }
      },
      env,
      '2026-12-02T10-01-00Z'
    )
    service = await createEngineService({ face: 'serve', env, toolsPath: null })
    server = await createHttpServer({ service, staticDir: RENDERER_DIR, port: 0 })
    browser = await launchChromium()
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    errors = collectErrors(page)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await service?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('shows each measured change with the probe date on the Overview, as in the JSON report', async () => {
    // The probe is loaded asynchronously at start: wait until the report carries it.
    let report: ReadinessReport | null = null
    await eventually(async () => {
      report = await service.handlers['readiness:get-report']()
      return report.measured !== null && report.measured !== undefined
    })
    expect(report!.measured, 'the agent never loaded the stored probe').toBeTruthy()
    const ram = report!.measured!.changes.find((c) => c.item === 'ram-bandwidth')!
    expect(ram.measured).toBe(9)
    await page.goto(`${server.url}#/overview`)
    const note = page.getByTestId('measured')
    await note.waitFor()
    expect(await note.locator('h2').textContent()).toBe('Measured by the load probe (2026-12-02)')
    const lines = await note.getByTestId('measured-change').allTextContents()
    const ramLine = lines.find((l) => l.startsWith(ram.label))
    expect(ramLine, lines.join(' | ')).toBeDefined()
    expect(ramLine).toContain(`→ ${ram.after.toFixed(1)} GB/s`)
    const effects = await note.getByTestId('measured-effects').allTextContents()
    expect(effects.join(' ')).toMatch(/measured RAM bandwidth 9\.0 GB\/s \(2026-12-02\)/)
    expect(errors).toEqual([])
  })

  it('evaluates a what-if on the measured machine, so it agrees with the report beside it', async () => {
    const report = await service.handlers['readiness:get-report']()
    expect(report.measured).toBeTruthy()
    // A workload whose speed on this GPU-less machine follows RAM bandwidth (CPU decode).
    const p = report.profiles.find((x) => x.speed.decodeTokensPerSec.status === 'ok')
    expect(p, 'a profile with a decode speed on this machine').toBeDefined()
    const w = await service.handlers['readiness:what-if']({ profileId: p!.profileId })
    expect(w.speed.decodeTokensPerSec).toEqual(p!.speed.decodeTokensPerSec)
    expect(w.verdict).toBe(p!.verdict)
    expect(w.score).toEqual(p!.score)
  })
})
