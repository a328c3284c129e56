/**
 * Browser tests of session review: the Sessions view opens a 72 h × 1 Hz recording (the whole run at once)
 * and zooms into a range; the `report --html` export opens in Chromium from disk with the network blocked
 * and no console errors. Screenshots go to test-results/screenshots/ (look at them).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createHttpServer, type HttpServerHandle } from '../../src-main/node/server/http-server'
import { createSessionsHandlers } from '../../src-main/node/server/sessions-api'
import { collectErrors, describeBrowser, launchChromium } from '../helpers/chromium'
import { runCli } from '../helpers/cli-io'
import { createFakeService, type FakeService } from '../helpers/fake-service'
import { LONG_SESSIONS_DIR, longSession } from '../helpers/long-session'
import { RENDERER_DIR } from '../helpers/chromium'

const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots')
const RESULTS = resolve(import.meta.dirname, '../../test-results')
const V1 = resolve(import.meta.dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')

describeBrowser('session review in the browser', () => {
  let dir = ''
  let longId = ''
  let service: FakeService
  let server: HttpServerHandle
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    const long = await longSession(72)
    // The sessions folder must hold the files themselves (links out of it are refused).
    dir = await mkdtemp(join(LONG_SESSIONS_DIR, 'folder-'))
    longId = 'fixture-machine-72h.rrs'
    await copyFile(long, join(dir, longId))
    await copyFile(V1, join(dir, 'rtx4090-training-run.jsonl'))
    await writeFile(join(dir, 'broken.rrs'), 'not a session\n')
    service = createFakeService({ sessions: createSessionsHandlers({ dir }) })
    ;[server, browser] = await Promise.all([
      createHttpServer({ service, staticDir: RENDERER_DIR }),
      launchChromium()
    ])
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    errors = collectErrors(page)
  }, 600_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('lists the recordings, with an unreadable one named and disabled', async () => {
    await page.goto(`${server.url}#/sessions`)
    await page.locator(`button[data-session="${longId}"]`).waitFor()
    expect(
      await page.locator('button[data-session="rtx4090-training-run.jsonl"]').isEnabled()
    ).toBe(true)
    expect(await page.locator('button[data-session="broken.rrs"]').isDisabled()).toBe(true)
    expect(await page.locator('.session-list').textContent()).toMatch(
      /not JSON; not a RigReady session file/
    )
    expect(await page.locator('.session-list').textContent()).toMatch(/3 d/)
  })

  it('opens the 72 h recording: verdict, every chart of the whole run, episodes and the command', async () => {
    const t0 = Date.now()
    await page.locator(`button[data-session="${longId}"]`).click()
    await page.locator(`[data-session-open="${longId}"]`).waitFor({ timeout: 60_000 })
    await page.locator('.session-chart canvas').first().waitFor()
    const openedMs = Date.now() - t0
    const verdict = (await page.getByTestId('verdict').textContent())!
    expect(verdict).toMatch(/^GPU0 held \d+% of its clock; \d+% of the run power-capped/)
    expect(verdict).toMatch(/command exited 0 after 3 d/)
    const charts = await page.locator('.session-chart').count()
    expect(charts).toBeGreaterThanOrEqual(8)
    const host = page.locator('.charts')
    // At most 1000 buckets of whole minutes (so segment summaries fill them): 5 min over 72 h is 864.
    expect(Number(await host.getAttribute('data-buckets'))).toBe(864)
    expect(await page.locator('.review').textContent()).toMatch(/power cap/)
    await page.screenshot({ path: resolve(SHOTS, 'sessions-72h-whole.png'), fullPage: false })
    await writeFile(
      resolve(RESULTS, 'sessions-view.json'),
      JSON.stringify(
        {
          openMs: openedMs,
          engineOpenMs: Number(await page.locator('.review').getAttribute('data-open-ms'))
        },
        null,
        2
      )
    )
    console.log(`Sessions view: 72 h session opened and drawn in ${openedMs} ms`)
  }, 120_000)

  it('zooms every chart into a dragged range, with finer buckets, and back to the whole run', async () => {
    const host = page.locator('.charts')
    const start0 = Number(await host.getAttribute('data-range-start'))
    const end0 = Number(await host.getAttribute('data-range-end'))
    const over = page.locator('.session-chart .u-over').first()
    const box = (await over.boundingBox())!
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    await expect
      .poll(async () => Number(await host.getAttribute('data-range-start')), { timeout: 60_000 })
      .toBeGreaterThan(start0)
    const start1 = Number(await host.getAttribute('data-range-start'))
    const end1 = Number(await host.getAttribute('data-range-end'))
    // 5% of the run: about 3.6 h, drawn from the file at full resolution in 1200 buckets.
    expect((end1 - start1) / (end0 - start0)).toBeGreaterThan(0.03)
    expect((end1 - start1) / (end0 - start0)).toBeLessThan(0.07)
    expect(Number(await host.getAttribute('data-buckets'))).toBe(1200)
    expect(await page.locator('.toolbar').textContent()).toMatch(/Zoomed: /)
    await page.screenshot({ path: resolve(SHOTS, 'sessions-72h-zoomed.png'), fullPage: false })
    await page.getByRole('button', { name: 'Whole run' }).click()
    await expect.poll(async () => Number(await host.getAttribute('data-range-start'))).toBe(start0)
  }, 120_000)

  it('opens the version-1 recording too (throttle episodes detected from its samples)', async () => {
    await page.locator('button[data-session="rtx4090-training-run.jsonl"]').click()
    await page.locator('[data-session-open="rtx4090-training-run.jsonl"]').waitFor()
    expect(await page.getByTestId('verdict').textContent()).toMatch(/throttled \(thermal\)/)
    await page.screenshot({ path: resolve(SHOTS, 'sessions-v1-fixture.png'), fullPage: true })
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })

  it('the --html export opens from disk with the network blocked and no console errors', async () => {
    const out = join(dir, 'review.html')
    const r = await runCli(['report', join(dir, longId), '--html', '--out', out])
    expect(r.code).toBe(0)
    const p = await browser.newPage({ viewport: { width: 1200, height: 1400 } })
    const errs = collectErrors(p)
    const requests: string[] = []
    await p.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith('file:')) return route.continue()
      requests.push(url)
      return route.abort()
    })
    await p.goto(`file://${out}`)
    expect(await p.locator('h1').textContent()).toBe(`Session review: ${longId}`)
    expect(await p.locator('svg.chart').count()).toBeGreaterThanOrEqual(8)
    // Episodes are shaded rectangles in the charts.
    expect(await p.locator('svg.chart rect[fill-opacity="0.18"]').count()).toBeGreaterThan(10)
    await p.screenshot({ path: resolve(SHOTS, 'report-html-72h.png'), fullPage: false })
    expect(requests).toEqual([])
    expect(errs).toEqual([])
    await p.close()
  }, 120_000)
})
