/// <reference lib="dom" />
/**
 * Helpers for the UI browser tests: the agent's JSON API, waiting, layout-shift capture, axe-core, and
 * views by name.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/** The views in navigation order (their shortcut is their position, 1-based). */
export const VIEWS = [
  'overview',
  'live',
  'throttling',
  'workloads',
  'advice',
  'machine',
  'settings'
] as const

/** A small client for the agent's JSON API. */
export function agentApi(base: string) {
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

/** Agent API client type. */
export type AgentApi = ReturnType<typeof agentApi>

/** Polls `fn` until it returns a truthy value. */
export async function waitFor<T>(
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

/** The value of an ok reading (throws on unavailable: the test's premise is broken). */
export const okValue = <T>(r: { status: string; value?: T }): T => {
  if (r.status !== 'ok') throw new Error(`expected an ok reading, got ${JSON.stringify(r)}`)
  return r.value as T
}

/** Opens a view and waits for its heading. */
export async function showView(page: Page, base: string, view: string): Promise<void> {
  await page.goto(`${base}#/${view}`)
  await page.locator(`main[data-view="${view}"] h1`).waitFor()
}

/**
 * Records layout shifts (Layout Instability API) from page start: `window.__shifts` holds
 * `{ value, startTime, hadRecentInput }` entries.
 */
export async function recordLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __shifts: { value: number; t: number; input: boolean }[] }
    w.__shifts = []
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as {
        value: number
        startTime: number
        hadRecentInput: boolean
      }[])
        w.__shifts.push({ value: e.value, t: e.startTime, input: e.hadRecentInput })
    }).observe({ type: 'layout-shift', buffered: true } as PerformanceObserverInit)
  })
}

/** Sum of layout-shift values without recent input since `sinceMs` (performance.now time). */
export async function layoutShiftSince(page: Page, sinceMs: number): Promise<number> {
  return page.evaluate(
    (since) =>
      (window as unknown as { __shifts: { value: number; t: number; input: boolean }[] }).__shifts
        .filter((s) => s.t >= since && !s.input)
        .reduce((a, s) => a + s.value, 0),
    sinceMs
  )
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8'
)

/** One axe-core violation, reduced to what a failure message needs. */
export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

/** Runs axe-core in the page (injected through the protocol, so the page's CSP does not block it). */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown
          ): Promise<{
            violations: {
              id: string
              impact: string | null
              help: string
              nodes: { target: string[] }[]
            }[]
          }>
        }
      }
    ).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' '))
    }))
  })
}
