/**
 * Launches Debian's Chromium through playwright-core for browser tests.
 *
 * `describeBrowser` skips with a clear message when Chromium or the built UI is missing outside CI; in CI
 * (CI=true) their absence fails, so a CI run cannot silently skip the browser suites.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { describe, it } from 'vitest'

/** Chromium binary used by the browser tests. */
export const CHROMIUM_PATH = process.env.RIGREADY_CHROMIUM ?? '/usr/bin/chromium'

/** The built UI (`electron-vite build` writes it). */
export const RENDERER_DIR = resolve(__dirname, '../../out/renderer')

/** A describe block that needs Chromium and the built renderer. */
export function describeBrowser(name: string, fn: () => void): void {
  const missing = [
    existsSync(CHROMIUM_PATH) ? null : `Chromium not found at ${CHROMIUM_PATH}`,
    existsSync(resolve(RENDERER_DIR, 'index.html'))
      ? null
      : 'out/renderer not built (run `npx electron-vite build`)'
  ].filter((m): m is string => m !== null)
  if (missing.length === 0) describe(name, fn)
  else if (process.env.CI) {
    describe(name, () => {
      it('requires Chromium and the built UI in CI', () => {
        throw new Error(missing.join('; '))
      })
    })
  } else describe.skip(`${name} (skipped: ${missing.join('; ')})`, fn)
}

/** Launches headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
}

/** Collects console errors and uncaught page errors. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} @ ${msg.location().url}`)
  })
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  return errors
}
