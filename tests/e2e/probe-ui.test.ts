/**
 * The Probe button in the real UI (built renderer in Chromium) against a real engine service with probing
 * enabled, over HTTP + SSE: start, live progress, Stop, the result with its stop reason, and no probe file
 * left behind. The `serve` face keeps probing off unless its host enables it; this test enables it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEngineService } from '../../src-main/node/engine-service'
import { createHttpServer, type HttpServerHandle } from '../../src-main/node/server/http-server'
import type { EngineService } from '../../src-main/node/service-types'
import { collectErrors, describeBrowser, launchChromium, RENDERER_DIR } from '../helpers/chromium'
import { eventually, probeFiles } from './probe-fakes/harness'

describeBrowser('probe panel (browser, real engine with probing enabled)', () => {
  let dir: string
  let service: EngineService
  let server: HttpServerHandle
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rr-probe-ui-'))
    service = await createEngineService({
      face: 'serve',
      probe: { storageDir: dir, env: { ...process.env, PATH: '/nonexistent' }, save: false }
    })
    server = await createHttpServer({ service, staticDir: RENDERER_DIR, port: 0 })
    browser = await launchChromium()
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    errors = collectErrors(page)
    await page.goto(`${server.url}#/machine`)
    await page.getByTestId('probe-panel').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await service?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('runs a probe with live progress, stops it with Stop and shows why it stopped', async () => {
    const panel = page.getByTestId('probe-panel')
    // Storage only: the probe file is the load whose removal we can see from here.
    await panel.getByLabel('CPU').uncheck()
    await panel.getByLabel('Memory').uncheck()
    await panel.getByLabel('GPU').uncheck()
    await panel.getByTestId('probe-start').click()
    await expect
      .poll(async () => (await panel.getByTestId('probe-line').textContent()) ?? '', {
        timeout: 20_000
      })
      .toMatch(/storage/)
    expect(await eventually(async () => (await probeFiles(dir)).length === 1, 20_000)).toBe(true)
    await panel.getByTestId('probe-stop').click()
    await panel.getByTestId('probe-result').waitFor({ timeout: 20_000 })
    await expect
      .poll(async () => (await panel.textContent()) ?? '')
      .toMatch(/Stopped \(cancelled\): Stop pressed/)
    expect(await panel.textContent()).toMatch(/Storage write \/ read/)
    expect(await probeFiles(dir)).toEqual([])
    // The button is back for the next run.
    await panel.getByTestId('probe-start').waitFor()
  })

  it('shows the engine error when a probe is already running', async () => {
    const panel = page.getByTestId('probe-panel')
    await service.handlers['probe:start']({
      durationS: 30,
      cpu: true,
      memory: false,
      storage: false,
      gpu: false
    })
    await panel.getByTestId('probe-stop').waitFor({ timeout: 20_000 })
    const r = await page.evaluate(async () => {
      const res = await fetch('/api/invoke/probe:start', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          args: [{ durationS: 30, cpu: true, memory: false, storage: false, gpu: false }]
        })
      })
      return res.json() as Promise<{ ok: boolean; error?: { message?: string } | string }>
    })
    expect(r.ok).toBe(false)
    expect(JSON.stringify(r.error)).toMatch(/a probe is already running/)
    expect(await service.handlers['probe:cancel']()).toEqual({ cancelled: true })
    await panel.getByTestId('probe-start').waitFor({ timeout: 20_000 })
  })

  it('logged no console errors (besides the refused second start the test asked for)', () => {
    expect(errors.filter((e) => !e.includes('/api/invoke/probe:start'))).toEqual([])
  })
})
