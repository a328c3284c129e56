/**
 * The body of the probe's load workers (`worker_threads`), run from source text with `eval: true` so the
 * same code works from the TypeScript sources (tests) and from the bundled CLI and engine host without a
 * separate worker entry file.
 *
 * `probeWorkerMain` must stay self-contained: it is serialised with `Function.prototype.toString`, so it may
 * use only its own locals and globals (`process.getBuiltinModule` for Node modules). Roles:
 * - `cpu`: burns `flops` (or the JS fallback) forever, posting `{ type: 'flops', flops, t0, t1 }` every
 *   `reportEveryMs`; it ends when the main thread terminates it.
 * - `memory`: first-touches its slice of the three arrays, posts `ready`, then runs one pass of a kernel per
 *   `{ cmd: 'trial', kernel }` and answers `{ type: 'trial', kernel, ms }`.
 */

import type { WasmApi, WasmMemory, WasmModule } from './wasm-kernels'

/** Data every load worker starts with. */
export interface ProbeWorkerData {
  role: 'cpu' | 'memory'
  /** The SIMD kernel module, or null for the JS fallback. */
  module: WasmModule | null
  /** Shared wasm memory (SIMD path), or null. */
  memory: WasmMemory | null
  /** Shared buffer for the JS fallback's arrays, or null. */
  buffer: SharedArrayBuffer | null
  /** Memory role: bytes of each array and this worker's slice `[sliceStart, sliceStart + sliceBytes)`. */
  arrayBytes: number
  sliceStart: number
  sliceBytes: number
  /** CPU role. */
  iterations: number
  reportEveryMs: number
}

/** Messages a load worker posts. */
export type ProbeWorkerMessage =
  | { type: 'flops'; flops: number; t0: number; t1: number }
  | { type: 'ready' }
  | { type: 'trial'; kernel: MemoryKernel; ms: number }

/** STREAM-style kernels of the memory phase. */
export type MemoryKernel = 'read' | 'write' | 'copy' | 'triad'

/** The worker's entry (serialised; see the module comment). */
export function probeWorkerMain(): void {
  // Not `require`: bundlers rewrite that identifier, and this text runs outside the bundle.
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads')
  const d = workerData as ProbeWorkerData
  const port = parentPort!
  const clock = (): number => performance.timeOrigin + performance.now()
  type Kernels = {
    read(s: number, e: number): number
    write(s: number, e: number): void
    copy(src: number, dst: number, n: number): void
    triad(a: number, b: number, c: number, n: number, q: number): void
    flops(n: number): number
  }
  let k: Kernels | null = null
  if (d.module !== null && d.memory !== null)
    k = new (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly.Instance(d.module, {
      env: { mem: d.memory }
    }).exports as unknown as Kernels
  // The JS fallback: the same arithmetic on Float64Arrays (8 chains x = x·m + c, 16 FLOP per iteration).
  const jsFlops = (n: number): number => {
    let x0 = 0.1,
      x1 = 0.2,
      x2 = 0.3,
      x3 = 0.4,
      x4 = 0.5,
      x5 = 0.6,
      x6 = 0.7,
      x7 = 0.8
    const m = 0.9999999
    const c = 1e-7
    for (let i = 0; i < n; i++) {
      x0 = x0 * m + c
      x1 = x1 * m + c
      x2 = x2 * m + c
      x3 = x3 * m + c
      x4 = x4 * m + c
      x5 = x5 * m + c
      x6 = x6 * m + c
      x7 = x7 * m + c
    }
    return x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7
  }
  if (d.role === 'cpu') {
    port.on('message', () => {
      let sink = 0
      for (;;) {
        const t0 = clock()
        let flops = 0
        while (clock() - t0 < d.reportEveryMs) {
          if (k !== null) {
            sink += k.flops(d.iterations)
            flops += d.iterations * 32
          } else {
            sink += jsFlops(d.iterations)
            flops += d.iterations * 16
          }
        }
        // `sink` keeps the results live so no engine can drop the arithmetic as dead code.
        port.postMessage({ type: 'flops', flops: sink === -1 ? 0 : flops, t0, t1: clock() })
      }
    })
    return
  }
  const A = d.sliceStart
  const B = d.arrayBytes + d.sliceStart
  const C = 2 * d.arrayBytes + d.sliceStart
  const n = d.sliceBytes
  const buf: ArrayBufferLike = k !== null ? d.memory!.buffer : d.buffer!
  const view = (offset: number): Float64Array => new Float64Array(buf, offset, n / 8)
  // First touch by the thread that will use the slice (STREAM's parallel initialisation).
  view(A).fill(1)
  view(B).fill(2)
  view(C).fill(0.5)
  const a = view(A)
  const b = view(B)
  const c = view(C)
  const js = {
    read(): number {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0
      for (let i = 0; i < a.length; i += 4) {
        s0 += a[i]
        s1 += a[i + 1]
        s2 += a[i + 2]
        s3 += a[i + 3]
      }
      return s0 + s1 + s2 + s3
    },
    write(): void {
      b.fill(1.5)
    },
    copy(): void {
      for (let i = 0; i < a.length; i++) c[i] = a[i]
    },
    triad(): void {
      for (let i = 0; i < a.length; i++) a[i] = b[i] + 0.5 * c[i]
    }
  }
  port.on('message', (m: { cmd: 'trial'; kernel: MemoryKernel }) => {
    const t0 = performance.now()
    if (k !== null) {
      // Kernel directions follow STREAM (Copy c = a, Triad a = b + q·c); q = 0.5 keeps values bounded.
      if (m.kernel === 'read') k.read(A, A + n)
      else if (m.kernel === 'write') k.write(B, B + n)
      else if (m.kernel === 'copy') k.copy(A, C, n)
      else k.triad(A, B, C, n, 0.5)
    } else js[m.kernel]()
    port.postMessage({ type: 'trial', kernel: m.kernel, ms: performance.now() - t0 })
  })
  port.postMessage({ type: 'ready' })
}

/** Source text for `new Worker(text, { eval: true })`. */
export function probeWorkerSource(): string {
  return `(${probeWorkerMain.toString()})()`
}
