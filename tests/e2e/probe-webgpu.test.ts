/**
 * The WebGPU probe kernel: its matmul arithmetic against a CPU reference and its timed loops, on a real
 * WebGPU implementation — Chromium's, with the SwiftShader software adapter (no GPU needed) — and through
 * Node's optional `webgpu` package when it is installed and finds an adapter. Where neither offers an
 * adapter, the test says so; the GPU phase itself is then covered by the fake-python suite.
 */
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadWebGpu } from '../../src-main/node/probe/gpu-webgpu'
import { webGpuProbeMain, type WebGpuProbeOutcome } from '../../src-main/node/probe/webgpu-kernel'
import { CHROMIUM_PATH } from '../helpers/chromium'

/** A deterministic pseudo-random matrix (not exactly representable, unlike the kernel's own check). */
function matrix(n: number, seed: number): number[] {
  let x = seed
  return Array.from({ length: n * n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return x / 2 ** 31 - 0.5
  })
}

function reference(a: number[], b: number[], n: number): number[] {
  const c = new Array<number>(n * n).fill(0)
  for (let r = 0; r < n; r++)
    for (let k = 0; k < n; k++) {
      const av = Math.fround(a[r * n + k])
      for (let col = 0; col < n; col++) c[r * n + col] += av * Math.fround(b[k * n + col])
    }
  return c
}

const hasChromium = existsSync(CHROMIUM_PATH)

describe.skipIf(!hasChromium && !process.env.CI)(
  'WebGPU probe kernel in Chromium (SwiftShader adapter)',
  () => {
    let browser: Browser
    let page: Page
    let server: Server
    let adapter: WebGpuProbeOutcome

    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: [
          '--no-sandbox',
          '--headless',
          '--enable-unsafe-webgpu',
          '--enable-features=Vulkan',
          '--use-vulkan=swiftshader',
          '--use-webgpu-adapter=swiftshader',
          '--enable-unsafe-swiftshader',
          '--disable-background-networking',
          '--no-first-run'
        ]
      })
      // WebGPU needs a secure context: a page from 127.0.0.1.
      server = createServer((_, res) =>
        res.setHeader('content-type', 'text/html').end('<!doctype html><title>probe</title>')
      )
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      page = await browser.newPage()
      const port = (server.address() as { port: number }).port
      await page.goto(`http://127.0.0.1:${port}/`)
      adapter = await page.evaluate(
        (src) =>
          (0, eval)(`(${src})`)(
            (globalThis as unknown as { navigator: { gpu: unknown } }).navigator.gpu,
            { mode: 'verify' }
          ),
        webGpuProbeMain.toString()
      )
      if (adapter.kind !== 'ok')
        console.log(
          `[probe-webgpu] Chromium offers no usable WebGPU adapter here: ${JSON.stringify(adapter)}`
        )
      else
        console.log(
          `[probe-webgpu] Chromium adapter: ${adapter.adapter}${adapter.fallbackAdapter ? ' (software fallback)' : ''}`
        )
    }, 60_000)

    afterAll(async () => {
      await browser?.close()
      server?.close()
    })

    it('the kernel passes its own exact-arithmetic check', () => {
      if (adapter.kind !== 'ok') return
      expect(adapter.verifyN).toBe(64)
      expect(adapter.maxAbsError).toBeLessThanOrEqual(1e-3)
    })

    it('a 48×48 product of pseudo-random matrices matches the CPU reference', async () => {
      if (adapter.kind !== 'ok') return
      const n = 48
      const a = matrix(n, 7)
      const b = matrix(n, 11)
      const out = await page.evaluate(
        ([src, a, b]) =>
          (0, eval)(`(${src})`)(
            (globalThis as unknown as { navigator: { gpu: unknown } }).navigator.gpu,
            { mode: 'matmul', a, b }
          ),
        [webGpuProbeMain.toString(), a, b] as const
      )
      expect(out.kind).toBe('ok')
      const got = (out as { product: number[] }).product
      const want = reference(a, b, n)
      let worst = 0
      for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]))
      // fp32 accumulation of 48 products of magnitude ≤ 0.25.
      expect(worst).toBeLessThan(1e-4)
    })

    it('the timed loops report positive TFLOPS and GB/s', async () => {
      if (adapter.kind !== 'ok') return
      const out = await page.evaluate(
        (src) =>
          (0, eval)(`(${src})`)(
            (globalThis as unknown as { navigator: { gpu: unknown } }).navigator.gpu,
            {
              mode: 'run',
              seconds: 3,
              n: 64,
              copyBytes: 1 << 20
            }
          ),
        webGpuProbeMain.toString()
      )
      expect(out.kind).toBe('ok')
      const o = out as Extract<WebGpuProbeOutcome, { kind: 'ok' }>
      expect(o.matmulTflops.length).toBeGreaterThan(0)
      expect(o.copyGBps.length).toBeGreaterThan(0)
      for (const s of [...o.matmulTflops, ...o.copyGBps]) expect(s.value).toBeGreaterThan(0)
      console.log(
        `[probe-webgpu] SwiftShader: matmul ${o.matmulTflops.map((s) => (s.value * 1000).toFixed(2)).join(' ')} GFLOPS, copy ${o.copyGBps.map((s) => s.value.toFixed(2)).join(' ')} GB/s`
      )
    }, 30_000)
  }
)

describe('WebGPU probe kernel in Node (optional `webgpu` package)', () => {
  it('runs the kernel check where the package finds an adapter, and says so where not', async () => {
    const m = await loadWebGpu(process.env)
    if (m.kind === 'missing') {
      console.log(
        `[probe-webgpu] Node: ${m.detail}; the Node WebGPU path is covered by the Chromium run above`
      )
      expect(m.detail).toMatch(/webgpu/)
      return
    }
    const out = await webGpuProbeMain(m.gpu, { mode: 'verify' })
    console.log(`[probe-webgpu] Node (${m.from}): ${JSON.stringify(out)}`)
    if (out.kind === 'ok') expect(out.maxAbsError).toBeLessThanOrEqual(1e-3)
    else expect(out.kind).toBe('no-adapter')
  })
})
