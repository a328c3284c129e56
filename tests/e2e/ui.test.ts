/**
 * Browser end-to-end tests of the UI against the real agent: `rigready serve --replay` on the recorded
 * RTX 4090 training session. Every expected value is derived from the session file or from the agent's
 * own JSON API, never typed by hand.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WhatIfRequest } from '../../src-main/shared/ipc-contract'
import type { ProfileEvaluation, ReadinessReport } from '../../src-main/shared/readiness'
import { describeReason } from '../../src-main/shared/reading'
import type { Inventory, Snapshot } from '../../src-main/shared/telemetry'
import { parseSession, type Session } from '../../src-main/node/recorder/session'
import {
  CAUSE_TEXT,
  CONSTRAINT_TEXT,
  isTrainingKind,
  VERDICT_TEXT
} from '../../src-renderer/src/lib/format/labels'
import {
  formatBytes,
  formatMhz,
  formatTemperature,
  formatTokensPerSec,
  formatWatts
} from '../../src-renderer/src/lib/format/units'
import { collectErrors, describeBrowser, launchChromium } from '../helpers/chromium'
import { startServeProcess, type ServeProcess } from '../helpers/serve-process'

const SESSION_FILE = resolve(__dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')
const SHOTS = resolve(__dirname, '../../test-results/screenshots')
const VIEWS = [
  'overview',
  'live',
  'throttling',
  'workloads',
  'advice',
  'machine',
  'settings'
] as const

/** A small client for the agent's JSON API. */
function agentApi(base: string) {
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(new URL(path, base))
      if (!res.ok) throw new Error(`GET ${path}: ${res.status}`)
      return (await res.json()) as T
    },
    async invoke<T>(channel: string, ...args: unknown[]): Promise<T> {
      const res = await fetch(new URL(`api/invoke/${channel}`, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ args })
      })
      const body = (await res.json()) as { ok: boolean; value?: T; error?: string }
      if (!body.ok) throw new Error(`${channel}: ${body.error}`)
      return body.value as T
    }
  }
}

const valueOf = <T>(r: { status: string; value?: T }): T => {
  if (r.status !== 'ok') throw new Error(`expected an ok reading, got ${JSON.stringify(r)}`)
  return r.value as T
}

async function loadSession(): Promise<Session> {
  return parseSession(await readFile(SESSION_FILE, 'utf8'), SESSION_FILE)
}

/** Polls `fn` until it returns a truthy value. */
async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string
): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn().catch(() => null)
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describeBrowser('ui (browser, real agent replaying a finished session)', () => {
  let session: Session
  let last: Snapshot
  let agent: ServeProcess
  let api: ReturnType<typeof agentApi>
  let report: ReadinessReport
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    session = await loadSession()
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
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true
    })
    page = await context.newPage()
    errors = collectErrors(page)
    await page.goto(agent.url)
    await page.getByTestId('score-training').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await agent?.kill()
  })

  async function show(view: string): Promise<void> {
    await page.goto(`${agent.url}#/${view}`)
    await page.locator(`main[data-view="${view}"]`).waitFor()
  }

  it('replays a session whose report holds power and thermal throttling (the premise of this suite)', () => {
    const causes = new Set(report.throttling.events.map((e) => e.cause))
    expect(causes.has('power')).toBe(true)
    expect(causes.has('thermal')).toBe(true)
    expect(report.advice.length).toBeGreaterThan(0)
  })

  it('shows both scores, their binding constraints, the machine and current throttling on the overview', async () => {
    await show('overview')
    expect(await page.getByTestId('score-training').textContent()).toBe(
      String(valueOf(report.training.score))
    )
    expect(await page.getByTestId('score-inference').textContent()).toBe(
      String(valueOf(report.inference.score))
    )
    expect(await page.getByTestId('binding-training').textContent()).toBe(
      CONSTRAINT_TEXT[report.training.binding]
    )
    expect(await page.getByTestId('binding-inference').textContent()).toBe(
      CONSTRAINT_TEXT[report.inference.binding]
    )
    expect(await page.getByTestId('machine-line').textContent()).toContain(report.machine.label)
    const gpuName = session.header.inventory.gpus[0]!.name
    expect(await page.locator('header .machine').textContent()).toContain(gpuName)
    // The last recorded sample is power-capped: the overview names the cause and the vendor flag.
    const flags = valueOf(last.gpus[0]!.throttleFlags).filter((f) => f.cause !== 'idle')
    expect(flags.length).toBeGreaterThan(0)
    const now = (await page.getByTestId('throttle-now').textContent())!
    for (const f of flags) {
      expect(now).toContain(f.name)
      expect(now).toContain(CAUSE_TEXT[f.cause])
    }
    const top = [...report.advice].sort((a, b) => b.impact - a.impact).slice(0, 3)
    const items = page.locator('.advice-list li')
    expect(await items.count()).toBe(top.length)
    for (let i = 0; i < top.length; i++)
      expect(await items.nth(i).textContent()).toContain(top[i]!.title)
  })

  it('shows the GPU card with the last sample and unavailable readings with their reasons on hover', async () => {
    await show('live')
    const g = last.gpus[0]!
    const card = page.getByTestId('card-gpu-0')
    await expect.poll(() => page.getByTestId('last-sample').textContent()).toContain(`#${last.seq}`)
    const text = (await card.textContent())!
    expect(text).toContain(formatTemperature(valueOf(g.temperatureCelsius)))
    expect(text).toContain(formatWatts(valueOf(g.powerDrawWatts)))
    expect(text).toContain(formatWatts(valueOf(g.powerLimitWatts)))
    expect(text).toContain(formatMhz(valueOf(g.clockSmMhz)))
    expect(text).toContain(formatMhz(valueOf(g.clockMaxSmMhz)))
    expect(text).toContain(formatBytes(valueOf(g.memoryUsedBytes)))
    // Every unavailable reading on the GPU and CPU cards carries its reason as its title.
    expect(g.memoryTemperatureCelsius.status).toBe('unavailable')
    const memTemp = card.getByLabel(/GPU memory temperature/)
    expect(await memTemp.getAttribute('title')).toBe(
      describeReason(g.memoryTemperatureCelsius as never)
    )
    const cpu = valueOf(last.cpu)
    expect(cpu.packagePowerWatts.status).toBe('unavailable')
    const cpuPower = page.getByTestId('card-cpu').getByLabel(/CPU package power/)
    expect(await cpuPower.getAttribute('title')).toBe(
      describeReason(cpu.packagePowerWatts as never)
    )
    const na = page.locator('.rv-na')
    const n = await na.count()
    expect(n).toBeGreaterThan(0)
    for (let i = 0; i < n; i++)
      expect((await na.nth(i).getAttribute('title'))?.length ?? 0).toBeGreaterThan(3)
  })

  it('plots the whole replayed window and honours the 1-minute window', async () => {
    await show('live')
    const power = page.locator('[data-chart="power"]')
    await expect
      .poll(async () => Number(await power.getAttribute('data-points')))
      .toBe(session.snapshots.length)
    expect(await page.locator('[data-chart]').count()).toBeGreaterThanOrEqual(5)
    await page.getByRole('radio', { name: '1 min' }).click()
    await expect
      .poll(async () => Number(await power.getAttribute('data-points')))
      .toBeLessThanOrEqual(61)
    expect(Number(await power.getAttribute('data-points'))).toBeGreaterThan(50)
    await page.getByRole('radio', { name: '5 min' }).click()
    await expect
      .poll(async () => Number(await power.getAttribute('data-points')))
      .toBe(session.snapshots.length)
  })

  it('shows throttling with thermal and power causes, time by reason and the evidence of every event', async () => {
    await show('throttling')
    const gpuEvents = report.throttling.events.filter((e) => e.device === last.gpus[0]!.id)
    const section = page.getByTestId(`throttle-${last.gpus[0]!.id}`)
    const text = (await section.textContent())!
    const summary = report.throttling.summaries.find((s) => s.device === last.gpus[0]!.id)!
    expect(text).toContain(summary.headline)
    for (const cause of Object.keys(summary.byCause))
      expect(text).toContain(CAUSE_TEXT[cause as keyof typeof CAUSE_TEXT])
    for (const e of gpuEvents) for (const ev of e.evidence) expect(text).toContain(ev)
    for (const cause of ['power', 'thermal'] as const) {
      expect(await section.locator(`svg.timeline rect.cause-${cause}`).count()).toBe(
        gpuEvents.filter((e) => e.cause === cause).length
      )
    }
    expect(await section.locator('ul.events > li').count()).toBe(gpuEvents.length)
  })

  it('lists every profile of the report with its verdict, score and constraint', async () => {
    await show('workloads')
    const rows = page.locator('tbody tr[data-testid^="profile-row-"]')
    expect(await rows.count()).toBe(report.profiles.length)
    for (const p of report.profiles.slice(0, 8)) {
      const row = page.getByTestId(`profile-row-${p.profileId}`)
      const cells = row.locator('td')
      expect(await cells.nth(1).textContent()).toBe(VERDICT_TEXT[p.verdict])
      expect(await cells.nth(2).textContent()).toBe(String(valueOf(p.score)))
      expect(await cells.nth(3).textContent()).toBe(CONSTRAINT_TEXT[p.binding])
    }
    await page.getByRole('radio', { name: 'Training' }).click()
    expect(await rows.count()).toBe(report.profiles.filter((p) => isTrainingKind(p.kind)).length)
    await page.getByRole('radio', { name: 'All' }).click()
  })

  it('updates a profile with the engine’s own what-if results when the controls change', async () => {
    await show('workloads')
    // The profile that binds inference on this machine: its what-ifs change its verdict.
    const target =
      report.profiles.find((p) => !isTrainingKind(p.kind) && p.verdict === 'fits-with-offload') ??
      report.profiles[0]!
    await page.getByRole('button', { name: target.label, exact: true }).click()
    const detail = page.getByTestId('profile-detail')
    expect(await detail.getByTestId('whatif-required').textContent()).toBe(
      formatBytes(target.memory.requiredBytes)
    )
    const ctx0 = Number(await detail.getByTestId('whatif-ctx').inputValue())
    const format0 = await detail.getByTestId('whatif-format').inputValue()
    const base: WhatIfRequest = {
      profileId: target.profileId,
      weightFormat: format0,
      ctxTokens: ctx0 * 4,
      microBatch: 1,
      gpuCount: 1
    }
    await detail.getByTestId('whatif-ctx').fill(String(ctx0 * 4))
    const longer = await api.invoke<ProfileEvaluation>('readiness:what-if', base)
    expect(longer.memory.requiredBytes).toBeGreaterThan(target.memory.requiredBytes)
    await expect
      .poll(() => detail.getByTestId('whatif-required').textContent())
      .toBe(formatBytes(longer.memory.requiredBytes))
    expect(await detail.getByTestId('whatif-score').textContent()).toBe(
      String(valueOf(longer.score))
    )

    await detail.getByTestId('whatif-gpus').fill('2')
    const two = await api.invoke<ProfileEvaluation>('readiness:what-if', { ...base, gpuCount: 2 })
    await expect
      .poll(() => detail.locator('h3 .badge').textContent())
      .toBe(VERDICT_TEXT[two.verdict])
    const decode = two.speed.decodeTokensPerSec
    expect(await detail.getByTestId('whatif-decode').textContent()).toBe(
      decode.status === 'ok' ? formatTokensPerSec(decode.value) : 'n/a'
    )
    expect(await detail.getByTestId('whatif-score').textContent()).toBe(String(valueOf(two.score)))
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

  it('ranks advice by impact with effect and evidence, and lists minimum upgrades', async () => {
    await show('advice')
    const ranked = [...report.advice].sort((a, b) => b.impact - a.impact)
    const items = page.locator('.advice-item')
    expect(await items.count()).toBe(ranked.length)
    for (let i = 0; i < ranked.length; i++) {
      const a = ranked[i]!
      expect(await items.nth(i).locator('h3').textContent()).toBe(a.title)
      const text = (await items.nth(i).textContent())!
      expect(text).toContain(a.effect)
      for (const ev of a.evidence) expect(text).toContain(ev)
    }
    for (const m of report.minimumUpgrades)
      expect(await page.getByTestId(`minup-${m.profileId}`).textContent()).toContain(m.summary)
  })

  it('lists the inventory with every unavailable item and its reason', async () => {
    await show('machine')
    const inv = await api.get<Inventory>('api/inventory')
    const g = inv.gpus[0]!
    const gpu = (await page.getByTestId('machine-gpu-0').textContent())!
    expect(gpu).toContain(formatBytes(valueOf(g.memoryTotalBytes), 0))
    expect(gpu).toContain(valueOf(g.driverVersion))
    expect(gpu).toContain(formatTemperature(valueOf(g.tempSlowdownCelsius)))
    if (g.migEnabled.status === 'unavailable') {
      expect(await page.getByTestId('machine-gpu-0').getByLabel('MIG').getAttribute('title')).toBe(
        describeReason(g.migEnabled)
      )
    }
    const missing = (await page.getByTestId('machine-unavailable').textContent())!
    expect(inv.absent.length).toBeGreaterThan(0)
    for (const a of inv.absent) {
      expect(missing).toContain(a.deviceClass)
      expect(missing).toContain(describeReason(a.reason))
    }
  })

  it('switches temperatures to Fahrenheit from settings and the agent keeps the choice', async () => {
    await show('settings')
    await page.getByTestId('setting-fahrenheit').check()
    await expect
      .poll(
        async () => (await api.invoke<{ temperatureUnit: string }>('settings:get')).temperatureUnit
      )
      .toBe('fahrenheit')
    await show('machine')
    const slowdown = valueOf(session.header.inventory.gpus[0]!.tempSlowdownCelsius)
    expect(await page.getByTestId('machine-gpu-0').textContent()).toContain(
      formatTemperature(slowdown, 'fahrenheit')
    )
    await show('settings')
    await page.locator('input[name="unit"]').first().check()
    await expect
      .poll(
        async () => (await api.invoke<{ temperatureUnit: string }>('settings:get')).temperatureUnit
      )
      .toBe('celsius')
  })

  it('exports the agent’s report as JSON and Markdown through downloads and hides Print to PDF in the browser', async () => {
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
    expect(exported.throttling.events.length).toBe(current.throttling.events.length)
    const [md] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Markdown' }).click()
    ])
    expect(md.suggestedFilename()).toBe('rigready-report.md')
    const text = await readFile((await md.path())!, 'utf8')
    expect(text).toContain(current.machine.label)
  })

  it('navigates between views with the keyboard', async () => {
    await show('overview')
    await page.getByRole('link', { name: 'Advice', exact: true }).focus()
    await page.keyboard.press('Enter')
    await page.locator('main[data-view="advice"]').waitFor()
    expect(
      await page.getByRole('link', { name: 'Advice', exact: true }).getAttribute('aria-current')
    ).toBe('page')
  })

  it('renders every view in light and dark themes at 1280×800 without horizontal overflow (screenshots)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme })
      for (const view of VIEWS) {
        await show(view)
        await page.waitForTimeout(view === 'live' ? 300 : 50)
        expect(await page.locator('html').getAttribute('data-theme')).toBe(theme)
        const overflow = Number(
          await page.evaluate(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth'
          )
        )
        expect(overflow, `${view} scrolls sideways`).toBeLessThanOrEqual(0)
        await page.screenshot({ path: resolve(SHOTS, `${view}-${theme}.png`), fullPage: true })
      }
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

describeBrowser('ui (browser, real agent replaying live)', () => {
  let agent: ServeProcess
  let api: ReturnType<typeof agentApi>
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    ;[agent, browser] = await Promise.all([
      startServeProcess(SESSION_FILE, { speed: 4, extraArgs: ['--loop'] }),
      launchChromium()
    ])
    api = agentApi(agent.url)
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    errors = collectErrors(page)
    await page.goto(`${agent.url}#/live`)
    await page.locator('[data-chart="power"]').waitFor()
    // Charts redraw only while on screen: bring the power chart into view.
    await page.locator('[data-chart="power"]').scrollIntoViewIfNeeded()
  })

  afterAll(async () => {
    await browser?.close()
    await agent?.kill()
  })

  const seqShown = async (): Promise<number> =>
    Number(/#(\d+)/.exec((await page.getByTestId('last-sample').textContent()) ?? '')?.[1] ?? NaN)
  const lastX = async (): Promise<number> =>
    Number(await page.locator('[data-chart="power"]').getAttribute('data-last-x'))

  it('advances the charts and the device cards as the replay advances', async () => {
    const x0 = await lastX()
    const seq0 = await seqShown()
    // At 4× a recorded second arrives every 250 ms; chart x is in recorded seconds.
    await expect.poll(lastX, { timeout: 5000 }).toBeGreaterThanOrEqual(x0 + 4)
    await expect.poll(seqShown, { timeout: 2000 }).toBeGreaterThanOrEqual(seq0 + 4)
    const agentSeq = (await api.get<Snapshot>('api/snapshot')).seq
    expect(agentSeq).toBeGreaterThanOrEqual(await seqShown())
  })

  it('freezes the charts while paused and catches up on resume', async () => {
    // The utilisation chart shares the first screen with the Pause button.
    const util = page.locator('[data-chart="utilization"]')
    const utilX = async (): Promise<number> => Number(await util.getAttribute('data-last-x'))
    await page.getByRole('button', { name: 'Pause' }).click()
    await util.scrollIntoViewIfNeeded()
    await page.waitForTimeout(100)
    const frozen = await utilX()
    const seqAtPause = await seqShown()
    await page.waitForTimeout(1000)
    expect(await utilX()).toBe(frozen)
    // Device cards keep following the samples while the charts are paused.
    expect(await seqShown()).toBeGreaterThan(seqAtPause)
    await page.getByRole('button', { name: 'Resume' }).click()
    await expect.poll(utilX, { timeout: 2000 }).toBeGreaterThanOrEqual(frozen + 3)
  })

  it('skips off-screen charts and catches them up when they scroll into view', async () => {
    await page.evaluate('window.scrollTo(0, 0)')
    const bottom = page.locator('[data-chart]').last()
    const bottomX = async (): Promise<number> => Number(await bottom.getAttribute('data-last-x'))
    const top = page.locator('[data-chart="utilization"]')
    const topX = async (): Promise<number> => Number(await top.getAttribute('data-last-x'))
    await page.waitForTimeout(300)
    const stale = await bottomX()
    await expect.poll(topX, { timeout: 3000 }).toBeGreaterThanOrEqual(stale + 3)
    expect(await bottomX()).toBe(stale)
    await bottom.scrollIntoViewIfNeeded()
    await expect.poll(bottomX, { timeout: 2000 }).toBeGreaterThanOrEqual(stale + 3)
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })
})

describe('ui e2e module', () => {
  it('has the browser suites above (this block keeps the file valid when they are skipped)', () => {
    expect(VIEWS.length).toBe(7)
  })
})
