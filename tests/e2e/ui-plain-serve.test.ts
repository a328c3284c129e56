/// <reference lib="dom" />
/**
 * The UI against plain `rigready serve` on this machine (whatever it has: on a GPU-less CI box, no
 * GPU): the Overview sentence matches the agent's report, a missing GPU is explained first, the CPU
 * is never "not throttled" without counters, and the sampling interval set in the UI changes the
 * agent's cadence.
 */
import { scoreNumber, verdictFits } from '../../src-main/shared/present/readiness-text'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Settings } from '../../src-main/shared/ipc-contract'
import type { ReadinessReport } from '../../src-main/shared/readiness'
import type { Inventory, Snapshot } from '../../src-main/shared/telemetry'
import { noGpuReason, readinessSentence } from '../../src-main/shared/present'
import { collectErrors, describeBrowser, launchChromium } from '../helpers/chromium'
import { startServeProcess, type ServeProcess } from '../helpers/serve-process'
import { agentApi, showView, waitFor, type AgentApi } from '../helpers/ui-page'

/** Median spacing (ms) of the agent's own samples over the last `windowMs`. */
async function cadenceMs(api: AgentApi, windowMs: number): Promise<number> {
  const h = await api.invoke<Snapshot[]>('telemetry:get-history', { windowMs, maxPoints: 1000 })
  const d = h.slice(1).map((s, i) => s.timestampMs - h[i]!.timestampMs)
  d.sort((a, b) => a - b)
  return d[Math.floor(d.length / 2)] ?? NaN
}

describeBrowser('ui (browser, plain serve on this machine)', () => {
  let agent: ServeProcess
  let api: AgentApi
  let browser: Browser
  let page: Page
  let errors: string[]
  let inventory: Inventory

  beforeAll(async () => {
    ;[agent, browser] = await Promise.all([startServeProcess(null), launchChromium()])
    api = agentApi(agent.url)
    await waitFor(async () => api.get<Snapshot | null>('api/snapshot'), 20_000, 'a first sample')
    inventory = await api.get<Inventory>('api/inventory')
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    errors = collectErrors(page)
    await showView(page, agent.url, 'overview')
    await page.getByTestId('sentence-inference').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await agent?.kill()
  })

  it('shows the sentence the agent’s own report gives, with counts from the report', async () => {
    const report = await api.get<ReadinessReport>('api/report')
    for (const which of ['inference', 'training'] as const) {
      const ids = new Set(report[which].profileIds)
      const counted = report.profiles.filter((p) => ids.has(p.profileId))
      const ready = counted.filter(
        (p) => verdictFits(p.verdict) && (scoreNumber(p.score) ?? -1) >= 50
      ).length
      const text = (await page.getByTestId(`sentence-${which}`).textContent())!
      expect(text).toBe(`${readinessSentence(report, which).text}.`)
      if (ready === 0) expect(text).toContain(`any of your ${counted.length} workloads`)
      else if (ready < counted.length) expect(text).toContain(`${ready} of ${counted.length}`)
    }
  })

  it('explains a missing GPU first, in words, on the overview, the live view and the machine view', async () => {
    if (inventory.gpus.length > 0) return
    const why = noGpuReason(inventory)
    expect(await page.getByTestId('strip-no-gpu').textContent()).toContain(why)
    await showView(page, agent.url, 'live')
    expect(await page.locator('.device-grid > *').first().getAttribute('data-testid')).toBe(
      'card-no-gpu'
    )
    await showView(page, agent.url, 'machine')
    const first = page.locator('.machine-grid > section').first()
    expect(await first.getAttribute('data-testid')).toBe('machine-no-gpu')
    for (const part of why.split('; ')) expect(await first.textContent()).toContain(part)
    await showView(page, agent.url, 'workloads')
    expect(await page.getByTestId('whatif-gpus').isDisabled()).toBe(true)
  })

  it('never shows a CPU without throttle counters as "not throttled"', async () => {
    if (inventory.cpu.hasThrottleCounters) return
    await showView(page, agent.url, 'overview')
    const now = page.getByTestId('throttle-now-cpu')
    await expect.poll(() => now.textContent()).toContain('unknown')
    expect(await now.locator('.badge').getAttribute('data-severity')).toBe('unknown')
    expect(await page.getByTestId('throttle-recent-cpu').textContent()).not.toContain(
      'not throttled'
    )
  })

  it('changes the agent’s sampling cadence from the settings view', async () => {
    expect((await api.invoke<Settings>('settings:get')).sampleIntervalMs).toBe(1000)
    await showView(page, agent.url, 'settings')
    const select = page.getByTestId('setting-interval')
    expect(await select.isDisabled()).toBe(false)
    try {
      await select.selectOption('2000')
      await expect
        .poll(async () => (await api.invoke<Settings>('settings:get')).sampleIntervalMs)
        .toBe(2000)
      const t2 = Date.now()
      // Ten seconds on the new cadence: the agent's own history shows two-second spacing.
      await new Promise((r) => setTimeout(r, 10_500))
      const slow = await cadenceMs(api, Date.now() - t2 - 500)
      await select.selectOption('500')
      await expect
        .poll(async () => (await api.invoke<Settings>('settings:get')).sampleIntervalMs)
        .toBe(500)
      const t5 = Date.now()
      await new Promise((r) => setTimeout(r, 4_000))
      const fast = await cadenceMs(api, Date.now() - t5 - 500)
      console.log(`sample spacing: ${slow} ms at the 2 s setting, ${fast} ms at 500 ms`)
      expect(slow).toBeGreaterThanOrEqual(1900)
      expect(slow).toBeLessThan(3000)
      expect(fast).toBeLessThan(1000)
    } finally {
      await api.invoke('settings:set', { sampleIntervalMs: 1000 })
    }
  }, 40_000)

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })
})
