/**
 * Builds the chart performance page (tests/e2e/perf) with Vite into out/perf-page, so the harness is
 * measured with the app's own chart code but never ships in the app's bundle.
 */
import { resolve } from 'node:path'
import { build } from 'vite'

/** Where the page is built. */
export const PERF_PAGE_DIR = resolve(__dirname, '../../out/perf-page')

/** Builds the page (minified, like the app) and returns its directory. */
export async function buildPerfPage(): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'error',
    root: resolve(__dirname, '../e2e/perf'),
    resolve: { alias: { $shared: resolve(__dirname, '../../src-main/shared') } },
    build: { outDir: PERF_PAGE_DIR, emptyOutDir: true, minify: true }
  })
  return PERF_PAGE_DIR
}
