/// <reference lib="dom" />
/**
 * Accessibility and screens: axe-core (injected into the page) finds no serious or critical violation in
 * any view in either theme, and every view is written as a screenshot at 900, 1280, 1920 and 3840 px in
 * both themes to test-results/screenshots/, without sideways scrolling.
 */
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Snapshot } from '../../src-main/shared/telemetry'
import { collectErrors, describeBrowser, launchChromium } from '../helpers/chromium'
import { startServeProcess, type ServeProcess } from '../helpers/serve-process'
import { agentApi, runAxe, showView, VIEWS, waitFor } from '../helpers/ui-page'

const SESSION_FILE = resolve(__dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')
const SHOTS = resolve(__dirname, '../../test-results/screenshots')
const WIDTHS = [900, 1280, 1920, 3840] as const
const THEMES = ['light', 'dark'] as const

/** Waits until a view shows its data (not a loading line). */
async function settled(page: Page, view: string): Promise<void> {
  await page.locator(`main[data-view="${view}"] h1`).waitFor()
  await page.waitForFunction(() => !document.querySelector('main [aria-busy="true"]'))
  if (view === 'live') await page.locator('[data-chart]').first().waitFor()
  if (view === 'overview') await page.getByTestId('device-strip').waitFor()
  // Let the charts draw their first frame.
  await page.waitForTimeout(view === 'live' ? 400 : 80)
}

for (const [name, replay] of [
  ['recorded RTX 4090 session', true],
  ['plain serve on this machine', false]
] as const) {
  describeBrowser(`ui accessibility and screens (${name})`, () => {
    let agent: ServeProcess
    let browser: Browser
    let errors: string[] = []

    beforeAll(async () => {
      await mkdir(SHOTS, { recursive: true })
      ;[agent, browser] = await Promise.all([
        startServeProcess(replay ? SESSION_FILE : null, replay ? { speed: 50 } : {}),
        launchChromium()
      ])
      const api = agentApi(agent.url)
      if (replay)
        await waitFor(
          async () => ((await api.get<Snapshot | null>('api/snapshot'))?.seq ?? 0) >= 170,
          20_000,
          'the replay to finish'
        )
      else await waitFor(async () => api.get<Snapshot | null>('api/snapshot'), 20_000, 'a sample')
    })

    afterAll(async () => {
      await browser?.close()
      await agent?.kill()
    })

    it('has no serious or critical axe-core violation in any view, in either theme', async () => {
      const found: string[] = []
      for (const theme of THEMES) {
        const page = await browser.newPage({
          viewport: { width: 1280, height: 900 },
          colorScheme: theme
        })
        errors = errors.concat(collectErrors(page))
        for (const view of VIEWS) {
          await showView(page, agent.url, view)
          await settled(page, view)
          expect(await page.locator('html').getAttribute('data-theme')).toBe(theme)
          // Open the disclosures too: their content must pass as well.
          await page
            .locator('main details')
            .evaluateAll((els) => els.forEach((d) => d.setAttribute('open', '')))
          for (const v of await runAxe(page))
            if (v.impact === 'serious' || v.impact === 'critical')
              found.push(
                `${theme} ${view}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(', ')}`
              )
        }
        await page.close()
      }
      expect(found).toEqual([])
    }, 120_000)

    it('writes every view at 900, 1280, 1920 and 3840 px in both themes, without sideways scrolling', async () => {
      const widths = replay ? WIDTHS : ([1280] as const)
      const overflow: string[] = []
      for (const theme of THEMES)
        for (const width of widths) {
          const page = await browser.newPage({
            viewport: { width, height: width >= 3840 ? 2160 : 1000 },
            colorScheme: theme
          })
          errors = errors.concat(collectErrors(page))
          for (const view of VIEWS) {
            await showView(page, agent.url, view)
            await settled(page, view)
            const dx = Number(
              await page.evaluate(
                'document.documentElement.scrollWidth - document.documentElement.clientWidth'
              )
            )
            if (dx > 0) overflow.push(`${view} ${width} ${theme}: ${dx} px`)
            const tag = replay ? '' : 'plain-'
            await page.screenshot({
              path: resolve(SHOTS, `${tag}${view}-${width}-${theme}.png`),
              fullPage: true
            })
          }
          await page.close()
        }
      expect(overflow).toEqual([])
    }, 300_000)

    it('logged no console errors', () => {
      expect(errors).toEqual([])
    })
  })
}
