/// <reference lib="dom" />
/**
 * Browser end-to-end tests of the UI against the real agent replaying the recorded RTX 4090 training
 * session to its end. Every expected value comes from the session file or the agent's own JSON API,
 * never typed by hand; words and units come from the shared presentation layer the UI uses.
 */
import {
  advicePriceText,
  scoreNumber,
  verdictFits
} from '../../src-main/shared/present/readiness-text'
import type { Placement } from '../../src-main/shared/readiness'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HostInfoForUi, Settings, WhatIfRequest } from '../../src-main/shared/ipc-contract'
import type { ProfileEvaluation, ReadinessReport } from '../../src-main/shared/readiness'
import type { Inventory, Snapshot } from '../../src-main/shared/telemetry'
import { parseSession, type Session } from '../../src-main/node/recorder/session'
import {
  CONSTRAINT_TEXT,
  describeThrottleCause,
  formatBytes,
  formatTemperature,
  isThrottlingCause,
  itemName,
  workloadStatus
} from '../../src-main/shared/present'
import { collectErrors, describeBrowser, launchChromium } from '../helpers/chromium'
import { startServeProcess, type ServeProcess } from '../helpers/serve-process'
import { agentApi, okValue, showView, VIEWS, waitFor, type AgentApi } from '../helpers/ui-page'

const SESSION_FILE = resolve(__dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')

/** Ready = fits and scores at least 50, counted over the score's own profile list (from the report). */
function expectedCounts(r: ReadinessReport, which: 'training' | 'inference') {
  const ids = new Set(r[which].profileIds)
  const counted = r.profiles.filter((p) => ids.has(p.profileId))
  const ready = counted.filter((p) => verdictFits(p.verdict) && (scoreNumber(p.score) ?? -1) >= 50)
  return { total: counted.length, ready: ready.length, readyIds: ready.map((p) => p.profileId) }
}

describeBrowser('ui (browser, real agent replaying a finished session)', () => {
  let session: Session
  let last: Snapshot
  let agent: ServeProcess
  let api: AgentApi
  let report: ReadinessReport
  let inventory: Inventory
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    session = parseSession(await readFile(SESSION_FILE, 'utf8'), SESSION_FILE)
    last = session.snapshots.at(-1)!
    // Fast playback: the whole 176 s session plays in about 3.5 s, so every view shows its final state.
    ;[agent, browser] = await Promise.all([
      startServeProcess(SESSION_FILE, { speed: 50 }),
      launchChromium()
    ])
    api = agentApi(agent.url)
    const finalSeq = session.snapshots.length - 1
    await waitFor(
      async () => (await api.get<Snapshot | null>('api/snapshot'))?.seq === finalSeq,
      20_000,
      'the replay to finish'
    )
    report = await api.get<ReadinessReport>('api/report')
    inventory = await api.get<Inventory>('api/inventory')
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true
    })
    page = await context.newPage()
    errors = collectErrors(page)
    await showView(page, agent.url, 'overview')
    await page.getByTestId('sentence-inference').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await agent?.kill()
  })

  const show = (view: string): Promise<void> => showView(page, agent.url, view)

  it('replays a session whose report holds power and thermal throttling (the premise of this suite)', () => {
    const causes = new Set(report.throttling.events.map((e) => e.cause))
    expect(causes.has('power')).toBe(true)
    expect(causes.has('thermal')).toBe(true)
    expect(report.advice.length).toBeGreaterThan(0)
  })

  it('answers on the overview in one sentence per score that matches the report', async () => {
    await show('overview')
    for (const which of ['inference', 'training'] as const) {
      const want = expectedCounts(report, which)
      const text = (await page.getByTestId(`sentence-${which}`).textContent())!
      const verb = which === 'training' ? 'train' : 'serve'
      if (want.ready === want.total)
        expect(text).toContain(`Ready to ${verb} all ${want.total} of your workloads`)
      else if (want.ready === 0)
        expect(text).toContain(`Not ready to ${verb} any of your ${want.total} workloads`)
      else
        expect(text).toContain(`Ready to ${verb} ${want.ready} of ${want.total} of your workloads`)
      // No engine ids in the sentence.
      for (const p of report.profiles) expect(text).not.toContain(p.profileId)
      expect(text).not.toMatch(/vram-capacity|host-ram|does-not-fit/)
      // The list holds every counted workload, each marked ready or not, in the report's order.
      const rows = page.getByTestId(`workloads-${which}`).locator('tr[data-profile]')
      const marked = await rows.evaluateAll((rs) =>
        rs.map((r) => [r.getAttribute('data-profile'), r.getAttribute('data-ready')])
      )
      expect(
        marked
          .filter(([, r]) => r === 'true')
          .map(([id]) => id)
          .sort()
      ).toEqual([...want.readyIds].sort())
      expect(marked).toHaveLength(want.total)
      expect(await page.getByTestId(`workload-counts-${which}`).textContent()).toContain(
        `${want.total - want.ready} not ready · ${want.ready} ready`
      )
      const score = report[which].score
      expect(await page.getByTestId(`score-${which}`).textContent()).toBe(
        score.status === 'ok' ? String(Math.round(score.value)) : 'n/a'
      )
      expect(await page.getByTestId(`binding-${which}`).textContent()).toBe(
        CONSTRAINT_TEXT[report[which].binding]
      )
    }
    // Workloads that do not fit quote no speed.
    for (const p of report.profiles.filter((x) => x.verdict === 'does-not-fit')) {
      const row = page.locator(`tr[data-profile="${p.profileId}"]`).first()
      if ((await row.count()) > 0) expect(await row.textContent()).not.toMatch(/tok\/s|per run/)
    }
    // The report's advice is ranked already: its first item is the top one.
    const top = report.advice[0]!
    expect(await page.getByTestId('top-advice-title').textContent()).toBe(top.title)
  })

  it('shows the same limit, cause and colour for a device in every view', async () => {
    const g = last.gpus[0]!
    const slowdown = formatTemperature(okValue(inventory.gpus[0]!.tempSlowdownCelsius))
    const flags = okValue(g.throttleFlags).filter((f) => isThrottlingCause(f.cause))
    expect(flags.length).toBeGreaterThan(0)
    const causeWords = [...new Set(flags.map((f) => describeThrottleCause(f.cause)))]

    await show('overview')
    const strip = page.getByTestId(`strip-gpu:${g.id}`)
    await expect.poll(() => strip.textContent()).toContain(slowdown)
    const nowBadge = page.getByTestId(`throttle-now-gpu:${g.id}`).locator('.badge')
    const overviewCause = await nowBadge.textContent()
    const overviewColour = await nowBadge.evaluate((el) => getComputedStyle(el).color)
    for (const w of causeWords) expect(overviewCause).toContain(w)

    await show('live')
    const card = page.getByTestId('card-gpu-0')
    await expect.poll(() => card.getByTestId('gpu-temp').textContent()).toContain(slowdown)
    const liveBadge = card.getByTestId('gpu-throttle').locator('.badge')
    expect(await liveBadge.textContent()).toBe(overviewCause)
    expect(await liveBadge.evaluate((el) => getComputedStyle(el).color)).toBe(overviewColour)
    const tempLegend = page.locator('[data-chart-card="temperature"] .legend')
    await expect.poll(() => tempLegend.textContent()).toContain(`slowdown (limit)`)
    expect(await tempLegend.textContent()).toContain(slowdown)

    await show('machine')
    expect(await page.getByTestId('machine-gpu-0').textContent()).toContain(slowdown)

    await show('throttling')
    const summary = report.throttling.summaries.find((s) => s.device === g.id)!
    const section = (await page.getByTestId(`throttle-${g.id}`).textContent())!
    for (const cause of Object.keys(summary.byCause))
      expect(section).toContain(describeThrottleCause(cause as never))
  })

  it('lists every workload with a status whose colour agrees with its score', async () => {
    await show('workloads')
    const rows = page.locator('tbody tr[data-testid^="profile-row-"]')
    expect(await rows.count()).toBe(report.profiles.length)
    for (const p of report.profiles) {
      const st = workloadStatus(p)
      const row = page.getByTestId(`profile-row-${p.profileId}`)
      const badge = row.locator('.badge')
      expect(await badge.textContent()).toBe(st.label)
      expect(await badge.getAttribute('data-severity')).toBe(st.severity)
      expect(await row.locator('td').nth(1).textContent()).toBe(
        String(Math.round(scoreNumber(p.score)!))
      )
      if (p.verdict === 'does-not-fit')
        expect(await row.locator('td').last().textContent()).toBe('—')
    }
  })

  it('changes the result with the GPU count both ways, as the engine computes it', async () => {
    await show('workloads')
    const target =
      report.profiles.find((p) => p.profileId === 'serve-70b-q4') ?? report.profiles[0]!
    await page.getByRole('button', { name: target.label, exact: true }).click()
    const detail = page.getByTestId('profile-detail')
    const base: WhatIfRequest = {
      profileId: target.profileId,
      weightFormat: await detail.getByTestId('whatif-format').inputValue(),
      ctxTokens: Number(await detail.getByTestId('whatif-ctx').inputValue()),
      microBatch: Number(await detail.getByTestId('whatif-batch').inputValue())
    }
    const seen: ProfileEvaluation[] = []
    for (const n of [2, 4, 17, 1]) {
      await detail.getByTestId('whatif-gpus').fill(String(n))
      const want = await api.invoke<ProfileEvaluation>('readiness:what-if', {
        ...base,
        gpuCount: n
      })
      seen.push(want)
      await expect
        .poll(() => detail.getByTestId('whatif-state').textContent())
        .toContain('what-if result')
      await expect
        .poll(() => detail.getByTestId('whatif-score').textContent())
        .toBe(String(Math.round(scoreNumber(want.score)!)))
      expect(await detail.getByTestId('whatif-status').textContent()).toBe(
        workloadStatus(want).label
      )
      expect(await detail.getByTestId('whatif-available').textContent()).toBe(
        formatBytes(scoreNumber(want.memory.availableBytes)!)
      )
    }
    const [two, four, seventeen, one] = seen as [
      ProfileEvaluation,
      ProfileEvaluation,
      ProfileEvaluation,
      ProfileEvaluation
    ]
    // Up: more GPUs change placement and score; down again: back to the one-GPU result.
    expect((two.placement as Placement).gpuCount).toBe(2)
    expect((four.placement as Placement).gpuCount).toBe(4)
    expect((seventeen.placement as Placement).gpuCount).toBe(17)
    expect(scoreNumber(four.score)!).toBeGreaterThan(scoreNumber(one.score)!)
    expect(one.score).toEqual(target.score)
  })

  it('clears the what-if result on invalid input and restores it when the input is fixed', async () => {
    await show('workloads')
    const detail = page.getByTestId('profile-detail')
    await detail.getByTestId('whatif-ctx').fill('lots')
    await expect.poll(() => detail.getByTestId('whatif-result').count()).toBe(0)
    expect(await detail.getByTestId('whatif-error').textContent()).toContain('context')
    await detail.getByTestId('whatif-ctx').fill('4096')
    await detail.getByTestId('whatif-result').waitFor()
    expect(await detail.getByTestId('whatif-error').count()).toBe(0)
  })

  it('shows the engine error text when a custom profile is rejected', async () => {
    await show('workloads')
    await page.getByTestId('custom-json').fill('{ not json')
    await page.getByRole('button', { name: 'Add profile' }).click()
    expect(await page.getByTestId('custom-error').textContent()).toContain('Not valid JSON')
    await page.getByTestId('custom-json').fill('{"label": "My model"}')
    await page.getByRole('button', { name: 'Add profile' }).click()
    await expect
      .poll(() => page.getByTestId('custom-error').textContent())
      .toContain('profile is invalid')
  })

  it('shows advice in the report’s rank order, in plain words with prices, formulas behind details', async () => {
    await show('advice')
    const ranked = report.advice
    const items = page.locator('.advice-item')
    expect(await items.count()).toBe(ranked.length)
    for (let i = 0; i < ranked.length; i++) {
      const a = ranked[i]!
      const item = items.nth(i)
      expect(await item.locator('h3').textContent()).toContain(a.title)
      // The visible text carries no verdict ids; it says free or purchase and the price (or why unknown).
      const visible = await item.evaluate((el) => (el as HTMLElement).innerText)
      expect(visible).not.toMatch(/does-not-fit|fits-comfortably|fits-tight/)
      if (a.effectText) expect(visible).toContain(a.effectText)
      expect(visible).toContain(a.free ? 'free' : 'purchase')
      expect(await page.getByTestId(`advice-price-${a.id}`).textContent()).toContain(
        advicePriceText(a)
      )
      const details = (await item.locator('details').textContent()) ?? ''
      for (const ev of a.evidence) expect(details).toContain(ev)
      for (const d of a.details) expect(details).toContain(d)
    }
  })

  it('shows the GPU first on the machine view and each missing item once, in words', async () => {
    await show('machine')
    const first = page.locator('.machine-grid > section').first()
    expect(await first.getAttribute('data-testid')).toBe('machine-gpu-0')
    const g = inventory.gpus[0]!
    const gpu = (await first.textContent())!
    expect(gpu).toContain(formatBytes(okValue(g.memoryTotalBytes)))
    expect(gpu).toContain(okValue(g.driverVersion))
    const missing = page.getByTestId('machine-unavailable').locator('li')
    const lines = await missing.allTextContents()
    const names = lines.map((l) => l.split(':')[0]!)
    expect(new Set(names).size).toBe(names.length)
    for (const a of inventory.absent.filter((x) => !x.deviceClass.startsWith('gpu')))
      expect(names).toContain(itemName(a.deviceClass))
    // No JSON paths anywhere on the page.
    expect(await page.locator('main').textContent()).not.toMatch(/\w+\.\w+\[\d+\]|gpus\[|\.status/)
    // A replay cannot be probed: the panel says so and its button is off (the agent's own reason).
    const info = await api.invoke<HostInfoForUi>('app:get-info')
    expect(info.probeUnavailable).toMatch(/replays a recording/)
    expect(await page.getByTestId('probe-unavailable').textContent()).toContain(
      info.probeUnavailable!
    )
    expect(await page.getByTestId('probe-start').isDisabled()).toBe(true)
  })

  it('keeps theme and temperature unit per viewer, in this browser, not in the agent', async () => {
    const before = await api.invoke<Settings>('settings:get')
    await show('settings')
    await page.getByTestId('setting-fahrenheit').check()
    await page.getByTestId('setting-theme-dark').check()
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
    const stored = await page.evaluate(() => localStorage.getItem('rigready.preferences.v1'))
    expect(JSON.parse(stored!)).toEqual({ theme: 'dark', temperatureUnit: 'fahrenheit' })
    const after = await api.invoke<Settings>('settings:get')
    expect(after.theme).toBe(before.theme)
    expect(after.temperatureUnit).toBe(before.temperatureUnit)
    await show('machine')
    const slowdown = okValue(session.header.inventory.gpus[0]!.tempSlowdownCelsius)
    expect(await page.getByTestId('machine-gpu-0').textContent()).toContain(
      formatTemperature(slowdown, 'fahrenheit')
    )
    // Another viewer keeps its own choice (the system's).
    const other = await browser.newPage({ colorScheme: 'light' })
    await showView(other, agent.url, 'machine')
    expect(await other.locator('html').getAttribute('data-theme')).toBe('light')
    expect(await other.getByTestId('machine-gpu-0').textContent()).toContain(
      formatTemperature(slowdown)
    )
    await other.close()
    await show('settings')
    await page.getByTestId('setting-celsius').check()
    await page.getByTestId('setting-theme-system').check()
  })

  it('keeps the last counted workload ticked and says why', async () => {
    const keep = report.profiles[0]!.profileId
    await api.invoke('settings:set', { selectedProfileIds: [keep] })
    try {
      await show('settings')
      // The agent's settings changed behind the page's back: load them again.
      await page.reload()
      const box = page.getByTestId(`profile-toggle-${keep}`)
      await expect
        .poll(() => page.getByTestId('profiles-counted').textContent())
        .toContain(`1 of ${report.profiles.length}`)
      expect(await box.isChecked()).toBe(true)
      await box.click()
      await expect.poll(() => box.isChecked()).toBe(true)
      await expect
        .poll(() => page.locator('[role="status"]').allTextContents())
        .toContainEqual(expect.stringContaining('At least one workload must count'))
      expect((await api.invoke<Settings>('settings:get')).selectedProfileIds).toEqual([keep])
      expect(await page.getByTestId('profiles-counted').textContent()).toContain(
        `1 of ${report.profiles.length}`
      )
    } finally {
      await api.invoke('settings:set', { selectedProfileIds: [] })
    }
  })

  it('says the replay ended on a page opened after its end, instead of "live"', async () => {
    const fresh = await browser.newPage()
    await showView(fresh, agent.url, 'overview')
    await expect
      .poll(() => fresh.getByTestId('connection').getAttribute('data-state'), { timeout: 12_000 })
      .toBe('replay ended')
    await fresh.close()
  })

  it('switches views with number keys, moves focus to the view heading, and has a skip link', async () => {
    await show('overview')
    await page.keyboard.press('5')
    await page.locator('main[data-view="advice"]').waitFor()
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent ?? ''))
      .toBe('Advice')
    expect(await page.getByRole('link', { name: /^Advice/ }).getAttribute('aria-current')).toBe(
      'page'
    )
    // A fresh load (a hash change alone keeps the document and moves focus to the heading): the first Tab
    // from the top of the page reaches the skip link.
    await page.goto(`${agent.url}#/machine`)
    await page.reload()
    await page.locator('main[data-view="machine"] h1').waitFor()
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200))).toContain(
      'Skip to content'
    )
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1')
    // Digits typed into a field do not switch views.
    await show('workloads')
    await page.getByTestId('whatif-ctx').fill('')
    await page.getByTestId('whatif-ctx').press('3')
    expect(await page.locator('main').getAttribute('data-view')).toBe('workloads')
  })

  it('exports the agent’s report as JSON and Markdown and hides Print to PDF in the browser', async () => {
    await show('overview')
    expect(await page.getByRole('button', { name: 'Print to PDF' }).count()).toBe(0)
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click()
    ])
    expect(json.suggestedFilename()).toBe('rigready-report.json')
    const exported = JSON.parse(await readFile((await json.path())!, 'utf8')) as ReadinessReport
    const current = await api.get<ReadinessReport>('api/report')
    expect(exported.training.score).toEqual(current.training.score)
    const [md] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Markdown' }).click()
    ])
    expect(md.suggestedFilename()).toBe('rigready-report.md')
    expect(await readFile((await md.path())!, 'utf8')).toContain(current.machine.label)
  })

  it('renders every view without horizontal overflow at 1280 px', async () => {
    for (const view of VIEWS) {
      await show(view)
      const overflow = Number(
        await page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth'
        )
      )
      expect(overflow, `${view} scrolls sideways`).toBeLessThanOrEqual(0)
    }
  })

  it('at 900 px shows every view name and the workloads table without sideways scrolling', async () => {
    await page.setViewportSize({ width: 900, height: 900 })
    try {
      await show('workloads')
      // Every nav item inside the window (the bar wraps instead of scrolling).
      const navOut = await page.evaluate(() => {
        const w = document.documentElement.clientWidth
        return [...document.querySelectorAll('nav a')]
          .filter((a) => a.getBoundingClientRect().right > w)
          .map((a) => a.textContent?.trim())
      })
      expect(navOut).toEqual([])
      const hidden = await page.evaluate(() =>
        [...document.querySelectorAll('.table-wrap')].map((e) => e.scrollWidth - e.clientWidth)
      )
      for (const h of hidden) expect(h, 'a table scrolls sideways at 900 px').toBeLessThanOrEqual(0)
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 })
    }
  })

  it('logged no console errors', () => {
    // The rejected custom profile is a deliberate 400, which Chromium logs as a failed resource.
    const unexpected = errors.filter(
      (e) => !(e.includes('status of 400') && e.includes('/api/invoke/readiness:add-profile'))
    )
    expect(unexpected).toEqual([])
  })
})

describe('ui e2e module', () => {
  it('names the seven views (this block keeps the file valid when the browser suites are skipped)', () => {
    expect(VIEWS.length).toBe(7)
  })
})
