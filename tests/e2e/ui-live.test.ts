/// <reference lib="dom" />
/**
 * The Live view against the real agent replaying the recorded session in a loop: the page stands still
 * while it updates (Layout Instability API), every time range shows the span it names, the charts
 * follow the replay, and the throttle band sits under the GPU clock chart.
 */
import { resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { SeriesResponse } from '../../src-main/shared/history'
import { describeThrottleCause } from '../../src-main/shared/present'
import type { Snapshot } from '../../src-main/shared/telemetry'
import { collectErrors, describeBrowser, launchChromium } from '../helpers/chromium'
import { startServeProcess, type ServeProcess } from '../helpers/serve-process'
import {
  agentApi,
  layoutShiftSince,
  recordLayoutShifts,
  showView,
  waitFor,
  type AgentApi
} from '../helpers/ui-page'

const SESSION_FILE = resolve(__dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')
const RANGES: [string, number | null][] = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['1h', 3_600_000],
  ['6h', 21_600_000],
  ['24h', 86_400_000],
  ['session', null]
]

describeBrowser('ui live (browser, real agent replaying in a loop)', () => {
  let agent: ServeProcess
  let api: AgentApi
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    // 3× speed: a recorded second every 333 ms, so 60 s of watching covers three minutes of updates.
    ;[agent, browser] = await Promise.all([
      startServeProcess(SESSION_FILE, { speed: 3, extraArgs: ['--loop'] }),
      launchChromium()
    ])
    api = agentApi(agent.url)
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    errors = collectErrors(page)
    await showView(page, agent.url, 'live')
    await page.locator('[data-chart="gpu-clocks"]').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await agent?.kill()
  })

  const chart = (id: string) => page.locator(`[data-chart="${id}"]`)
  const span = async (id: string): Promise<number> =>
    Number(await chart(id).getAttribute('data-to-ms')) -
    Number(await chart(id).getAttribute('data-from-ms'))

  it('shows the span each time range names, or the whole session', async () => {
    for (const [id, ms] of RANGES) {
      await page.locator(`button[data-range="${id}"]`).click()
      await expect
        .poll(() => page.locator(`button[data-range="${id}"]`).getAttribute('aria-pressed'))
        .toBe('true')
      if (ms !== null) {
        await expect.poll(() => span('utilization'), { timeout: 5000 }).toBe(ms)
        await expect.poll(() => span('gpu-clocks')).toBe(ms)
      } else {
        const h = await api.invoke<SeriesResponse>('telemetry:get-series', {
          rangeMs: 1000,
          points: 1,
          series: ['gpu.0.utilizationPct']
        })
        expect(h.oldestMs).not.toBeNull()
        await expect
          .poll(async () => Number(await chart('utilization').getAttribute('data-from-ms')))
          .toBe(h.oldestMs)
      }
      if (id === '1m') {
        await expect
          .poll(async () => Number(await chart('utilization').getAttribute('data-points')))
          .toBeLessThanOrEqual(62)
      }
    }
    // The range line says what is on screen.
    expect(await page.getByTestId('range-span').textContent()).toContain('Whole session')
    await page.locator('button[data-range="5m"]').click()
    await expect.poll(() => span('utilization')).toBe(300_000)
  })

  it('draws the throttle state as a band under the GPU clock chart, on the same time axis', async () => {
    const band = page.locator('[data-band="gpu-clocks"]')
    await band.waitFor()
    const [bandBox, plotBox] = await Promise.all([
      band.boundingBox(),
      chart('gpu-clocks').boundingBox()
    ])
    expect(bandBox!.x).toBeCloseTo(plotBox!.x, 0)
    expect(bandBox!.width).toBeCloseTo(plotBox!.width, 0)
    expect(bandBox!.y).toBeGreaterThan(plotBox!.y + plotBox!.height - 1)
    // Over the whole session the band holds the recorded causes, in the shared words.
    await page.locator('button[data-range="session"]').click()
    await expect
      .poll(() => page.locator('[data-band-label="gpu-clocks"]').getAttribute('aria-label'), {
        timeout: 10_000
      })
      .toContain(describeThrottleCause('power'))
    await page.locator('button[data-range="5m"]').click()
  })

  it('advances the charts and the device cards as the replay advances, and pauses', async () => {
    const util = chart('utilization')
    const lastX = async (): Promise<number> => Number(await util.getAttribute('data-last-x'))
    const x0 = await lastX()
    await expect.poll(lastX, { timeout: 8000 }).toBeGreaterThanOrEqual(x0 + 3)
    const agentSeq = (await api.get<Snapshot>('api/snapshot')).seq
    const shown = Number(
      /#(\d+)/.exec((await page.getByTestId('last-sample').textContent()) ?? '')?.[1]
    )
    expect(agentSeq).toBeGreaterThanOrEqual(shown)
    await page.getByRole('button', { name: 'Pause' }).click()
    await page.waitForTimeout(200)
    const frozen = await lastX()
    await page.waitForTimeout(1500)
    expect(await lastX()).toBe(frozen)
    await page.getByRole('button', { name: 'Resume' }).click()
    await expect.poll(lastX, { timeout: 4000 }).toBeGreaterThan(frozen)
  })

  it('does not move the layout during 60 s of live updates (layout shift < 0.01)', async () => {
    const pages: { name: string; page: Page }[] = []
    for (const [name, view, width] of [
      ['live 1280', 'live', 1280],
      ['live 900', 'live', 900],
      ['overview 1280', 'overview', 1280]
    ] as const) {
      const p = await browser.newPage({ viewport: { width, height: 900 } })
      await recordLayoutShifts(p)
      await showView(p, agent.url, view)
      if (view === 'live') await p.locator('[data-chart="gpu-clocks"]').waitFor()
      else await p.getByTestId('device-strip').locator('tbody tr').first().waitFor()
      pages.push({ name, page: p })
    }
    // Let the first history load and the first report settle; then watch.
    await new Promise((r) => setTimeout(r, 3000))
    const starts = await Promise.all(pages.map((p) => p.page.evaluate(() => performance.now())))
    const seq0 = (await api.get<Snapshot>('api/snapshot')).seq
    await new Promise((r) => setTimeout(r, 60_000))
    const seq1 = (await api.get<Snapshot>('api/snapshot')).seq
    // The replay loops, so seq keeps rising: at 3× this is about 180 samples.
    expect(seq1 - seq0).toBeGreaterThan(60)
    for (let i = 0; i < pages.length; i++) {
      const { name, page: p } = pages[i]!
      const cls = await layoutShiftSince(p, starts[i]!)
      console.log(`layout shift over 60 s of updates, ${name}: ${cls.toFixed(4)}`)
      expect(cls, name).toBeLessThan(0.01)
      await p.close()
    }
  }, 120_000)

  it('logged no console errors', async () => {
    await waitFor(async () => true, 10, 'nothing')
    expect(errors).toEqual([])
  })
})
