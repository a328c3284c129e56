/**
 * UI figures for `npm run bench` (printed, never asserted): the renderer bundle (raw and gzip, and that the
 * performance harness is not in it), the payload of a 24 h history request for the Live view's series, and
 * the time to first paint and to the Overview's answer in Chromium against a replaying agent.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { gzip as gzipCb } from 'node:zlib'
import { historyKeys, listSeries } from '../../shared/present/series'
import { createSeriesStore } from '../metrics/series-store'
import type { Snapshot } from '../../shared/telemetry'
import { createEngineService } from '../engine-service'
import { readSession } from '../recorder/session'
import { createHttpServer } from '../server/http-server'

const gzip = promisify(gzipCb)
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false
  )

/** Renderer bundle: raw and gzip size of the JavaScript and CSS the browser loads. */
async function bundleFigures(rendererDir: string): Promise<string[]> {
  const assets = join(rendererDir, 'assets')
  if (!(await exists(assets)))
    return ['ui bundle: out/renderer not built (run `npx electron-vite build`)']
  const files = (await readdir(assets)).filter((f) => /\.(js|css)$/.test(f))
  const out: string[] = []
  let rawJs = 0
  let gzJs = 0
  let harness = false
  for (const f of files) {
    const buf = await readFile(join(assets, f))
    const gz = (await gzip(buf, { level: 9 })).length
    if (f.endsWith('.js')) {
      rawJs += buf.length
      gzJs += gz
      if (buf.includes('__rigreadyPerf')) harness = true
    }
    out.push(`ui bundle: ${f} ${kb(buf.length)} raw, ${kb(gz)} gzip`)
  }
  out.push(
    `ui bundle: JavaScript total ${kb(rawJs)} minified (budget 200 KiB), ${kb(gzJs)} gzip; performance harness ${harness ? 'PRESENT' : 'absent'}`
  )
  return out
}

/** The 24 h history request of the Live view, on 86 400 one-second samples of the recorded machine. */
async function historyFigures(sessionFile: string): Promise<string[]> {
  const session = await readSession(sessionFile)
  const src = session.snapshots
  const t0 = Date.UTC(2025, 0, 1)
  const day: Snapshot[] = Array.from({ length: 86_400 }, (_, i) => ({
    ...src[i % src.length]!,
    seq: i,
    timestampMs: t0 + i * 1000
  }))
  const keys = historyKeys(listSeries(session.header.inventory, day.at(-1)!))
  const out: string[] = []
  const store = createSeriesStore()
  for (const s of day) store.push(s)
  for (const points of [1000, 2000]) {
    const h = store.query({ rangeMs: 86_400_000, points, series: keys })
    const json = JSON.stringify({ ok: true, value: h })
    const gz = (await gzip(json)).length
    out.push(
      `ui history, 24 h at 1 Hz, ${keys.length} series, ${points} buckets of ${(h.bucketMs / 1000).toFixed(1)} s (min+max): ${kb(json.length)} JSON, ${kb(gz)} gzip (budget 1 MiB)`
    )
  }
  const full = JSON.stringify(day.filter((_, i) => i % 43 === 0))
  out.push(
    `ui history, for comparison: 2000 full snapshots of the same day ${kb(full.length)} JSON`
  )
  return out
}

/** Time to first contentful paint and to the Overview's sentence, median of 5 cold page loads. */
async function paintFigures(rendererDir: string, sessionFile: string): Promise<string[]> {
  const chromiumPath = process.env.RIGREADY_CHROMIUM ?? '/usr/bin/chromium'
  if (!(await exists(chromiumPath)))
    return [`ui first paint: skipped (no Chromium at ${chromiumPath})`]
  let chromium: typeof import('playwright-core').chromium
  try {
    // A runtime specifier: playwright-core is a dev tool, loaded from node_modules, never bundled.
    const specifier = 'playwright-core'
    ;({ chromium } = (await import(
      /* @vite-ignore */ specifier
    )) as typeof import('playwright-core'))
  } catch {
    return ['ui first paint: skipped (playwright-core not installed)']
  }
  const service = await createEngineService({ replayFile: sessionFile, speed: 50, face: 'serve' })
  const server = await createHttpServer({ service, staticDir: rendererDir })
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--headless', '--disable-gpu']
  })
  try {
    const fcp: number[] = []
    const answer: number[] = []
    for (let i = 0; i < 6; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      const page = await context.newPage()
      await page.goto(`${server.url}#/overview`)
      await page.getByTestId('sentence-inference').waitFor()
      const t = await page.evaluate(() => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0]
        return { fcp: paint ? paint.startTime : NaN, now: performance.now() }
      })
      if (i > 0) {
        // The first load warms the agent and the browser; it is not counted.
        fcp.push(t.fcp)
        answer.push(t.now)
      }
      await context.close()
    }
    const median = (xs: number[]): number =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    return [
      `ui first contentful paint: ${median(fcp).toFixed(0)} ms; Overview sentence on screen: ${median(answer).toFixed(0)} ms (median of ${fcp.length} loads, 1280×800, replaying agent on loopback)`
    ]
  } finally {
    await browser.close()
    await server.close()
    await service.close()
  }
}

/** Prints the UI figures. */
export async function runUiBench(repo: string): Promise<void> {
  const rendererDir = resolve(repo, 'out/renderer')
  const sessionFile = resolve(repo, 'tests/fixtures/sessions/rtx4090-training-run.jsonl')
  const lines = [
    ...(await bundleFigures(rendererDir)),
    ...(await historyFigures(sessionFile)),
    ...(await paintFigures(rendererDir, sessionFile))
  ]
  for (const l of lines) console.log(l)
}
