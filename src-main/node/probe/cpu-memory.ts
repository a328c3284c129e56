/**
 * CPU and memory load phases: worker threads on every logical CPU running the SIMD kernels of
 * `wasm-kernels.ts` (or their JS fallback).
 *
 * CPU: each worker burns the multiply-add kernel and reports FLOP counts with start/end times; the main
 * thread spreads each report over one-second bins by overlap, so the series is exact whatever the report
 * cadence. Memory: STREAM's method — arrays of at least 4× the last-level cache where memory allows, every
 * thread first-touches its own slice, kernels run round-robin in trials, each trial timed from the start
 * signal to the last thread's finish, the first trials of each kernel are warm-up (wasm tier-up) and the
 * best trial is reported, with the median beside it. Bytes are counted the way STREAM counts them: reads
 * plus writes, no write-allocate traffic (read 8, write 8, copy 16, triad 24 bytes per element).
 */
import { Worker } from 'node:worker_threads'
import type { FileReader } from '../platform/file-reader'
import { ok, unavailable, type Reading } from '../../shared/reading'
import type {
  CpuPhaseResult,
  KernelBandwidth,
  MemoryPhaseResult,
  RatePoint
} from '../../shared/probe'
import { median, waitOrAbort, type PhaseContext } from './phase-context'
import {
  buildKernelModule,
  KERNEL_STEP_BYTES,
  WASM_MAX_PAGES,
  WASM_PAGE_BYTES,
  wasm,
  wasmSimdAvailable,
  type WasmMemory
} from './wasm-kernels'
import {
  probeWorkerSource,
  type MemoryKernel,
  type ProbeWorkerData,
  type ProbeWorkerMessage
} from './worker-body'

const GIB = 2 ** 30
const MIB = 2 ** 20

/** Bytes STREAM counts per element for each kernel. */
export const COUNTED_BYTES_PER_ELEMENT: Readonly<Record<MemoryKernel, number>> = {
  read: 8,
  write: 8,
  copy: 16,
  triad: 24
}

/** Trials of each kernel treated as warm-up and left out of best and median. */
export const WARMUP_TRIALS = 2

/** Measured trials of each kernel run even when the phase's time is up. */
export const MIN_MEASURED_TRIALS = 3

/** Parses a sysfs cache `size` file (`491520K`, `32M`, `1024`). */
export function parseCacheSize(text: string): number | null {
  const m = /^\s*(\d+)\s*([KMG]?)\s*$/i.exec(text)
  if (!m) return null
  const mult = { '': 1, K: 1024, M: MIB, G: GIB }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G']
  return Number(m[1]) * mult
}

/**
 * The last-level cache of CPU 0 from sysfs (`/sys/devices/system/cpu/cpu0/cache/index*`): the highest
 * `level` among data or unified caches.
 */
export async function readLlcBytes(fs: FileReader): Promise<Reading<number>> {
  const base = '/sys/devices/system/cpu/cpu0/cache'
  const dir = await fs.readDir(base)
  if (!dir.ok)
    return unavailable(
      dir.code === 'permission-denied' ? 'permission-denied' : 'unsupported',
      `${base}: ${dir.message}`
    )
  let best: { level: number; bytes: number } | null = null
  for (const entry of dir.value.filter((e) => /^index\d+$/.test(e))) {
    const [level, type, size] = await Promise.all(
      ['level', 'type', 'size'].map((f) => fs.readText(`${base}/${entry}/${f}`))
    )
    if (!level.ok || !type.ok || !size.ok) continue
    if (type.value.trim() === 'Instruction') continue
    const lv = Number(level.value.trim())
    const bytes = parseCacheSize(size.value)
    if (!Number.isFinite(lv) || bytes === null) continue
    if (best === null || lv > best.level) best = { level: lv, bytes }
  }
  return best === null
    ? unavailable('unsupported', `${base}: no readable cache levels`)
    : ok(best.bytes)
}

/** How large each of the three arrays is, and why. */
export interface ArrayPlan {
  arrayBytes: number
  sizing: string
}

/**
 * Sizes the arrays: 4× the last-level cache (STREAM's rule), at least 256 MiB, within a quarter of the
 * available memory for all three and within the 4 GiB a wasm32 memory can address. Each array is a multiple
 * of `threads × 64` bytes so every slice is whole kernel steps.
 */
export function planMemoryArrays(input: {
  llcBytes: Reading<number>
  availableBytes: Reading<number>
  threads: number
  /** Largest total for the three arrays (default: a wasm32 memory, 4 GiB less one page). */
  maxTotalBytes?: number
}): ArrayPlan {
  const unit = input.threads * KERNEL_STEP_BYTES
  const wasmCap = input.maxTotalBytes ?? (WASM_MAX_PAGES - 1) * WASM_PAGE_BYTES
  const want = input.llcBytes.status === 'ok' ? Math.max(4 * input.llcBytes.value, 256 * MIB) : GIB
  const ramCap =
    input.availableBytes.status === 'ok' ? input.availableBytes.value / 4 / 3 : Infinity
  const cap = Math.min(wasmCap / 3, ramCap)
  const chosen = Math.max(unit, Math.floor(Math.min(want, cap) / unit) * unit)
  const mib = (b: number): string => `${(b / MIB).toFixed(0)} MiB`
  let sizing: string
  if (input.llcBytes.status !== 'ok')
    sizing = `last-level cache size unknown; 3 arrays of ${mib(chosen)}`
  else {
    const ratio = chosen / input.llcBytes.value
    sizing = `3 arrays of ${mib(chosen)} = ${ratio.toFixed(1)}× the ${mib(input.llcBytes.value)} last-level cache`
    if (chosen < want)
      sizing += ` (STREAM asks for 4×; capped by ${cap === ramCap ? 'a quarter of available memory' : 'the 4 GiB a WebAssembly memory addresses'})`
  }
  return { arrayBytes: chosen, sizing }
}

/** Spreads a count reported over [t0, t1] (ms) into one-second bins from `originMs`, by overlap. */
export function addToBins(
  bins: number[],
  originMs: number,
  t0: number,
  t1: number,
  count: number
): void {
  if (!(t1 > t0) || !(count > 0)) return
  const rate = count / (t1 - t0)
  let t = Math.max(t0, originMs)
  while (t < t1) {
    const bin = Math.floor((t - originMs) / 1000)
    const binEnd = originMs + (bin + 1) * 1000
    const end = Math.min(binEnd, t1)
    if (bin >= 0) {
      while (bins.length <= bin) bins.push(0)
      bins[bin] += rate * (end - t)
    }
    t = end
  }
}

function startWorker(ctx: PhaseContext, data: ProbeWorkerData): Worker {
  const w = new Worker(probeWorkerSource(), { eval: true, workerData: data })
  ctx.controller.addWorker(w)
  w.on('error', (err) => ctx.toolFailed(`load worker failed: ${err.message}`))
  return w
}

/** Options of the CPU phase. */
export interface CpuPhaseOptions {
  threads: number
  durationMs: number
  /** Force the JS fallback (tests, engines without WASM SIMD). */
  forceJs?: boolean
}

/** Runs the CPU phase. */
export async function runCpuPhase(
  ctx: PhaseContext,
  opts: CpuPhaseOptions
): Promise<CpuPhaseResult> {
  const startedAtMs = ctx.now()
  const bytes = buildKernelModule()
  const simd = !opts.forceJs && wasmSimdAvailable(bytes)
  const module = simd ? new wasm.Module(bytes) : null
  const memory = simd ? new wasm.Memory({ initial: 1, maximum: 1, shared: true }) : null
  const bins: number[] = []
  const origin = ctx.now()
  const workers: Worker[] = []
  for (let i = 0; i < opts.threads; i++) {
    const w = startWorker(ctx, {
      role: 'cpu',
      module,
      memory,
      buffer: null,
      arrayBytes: 0,
      sliceStart: 0,
      sliceBytes: 0,
      iterations: simd ? 200_000 : 100_000,
      reportEveryMs: 100
    })
    w.on('message', (m: ProbeWorkerMessage) => {
      if (m.type !== 'flops') return
      addToBins(bins, origin, m.t0, m.t1, m.flops)
      const last = bins.length >= 2 ? bins[bins.length - 2] : undefined
      if (last !== undefined)
        ctx.status(`cpu ${(last / 1e9).toFixed(1)} GFLOPS on ${opts.threads} threads`)
    })
    w.postMessage('go')
    workers.push(w)
  }
  await waitOrAbort(opts.durationMs, ctx.signal)
  const endedAt = ctx.now()
  await Promise.all(workers.map((w) => w.terminate().catch(() => 0)))
  // Whole seconds only: the last bin is partial.
  const whole = Math.floor((endedAt - origin) / 1000)
  const series: RatePoint[] = bins
    .slice(0, whole)
    .map((flops, i) => ({ tSeconds: i + 1, value: flops / 1e9 }))
  const values = series.map((p) => p.value)
  const secondHalf = values.slice(Math.floor(values.length / 2))
  const sustained = median(secondHalf)
  const short = unavailable('failed', 'phase too short for a whole-second rate')
  return {
    status: ctx.signal.aborted ? 'stopped' : 'completed',
    detail: simd
      ? 'WebAssembly SIMD: 8 independent f64x2 multiply-add chains per thread (fp64)'
      : 'JS Float64 fallback: 8 independent multiply-add chains per thread (no WebAssembly SIMD)',
    startedAtMs,
    endedAtMs: endedAt,
    threads: opts.threads,
    kernel: simd ? 'wasm-simd128-f64' : 'js-float64',
    gflopsPeak: values.length > 0 ? ok(Math.max(...values)) : short,
    gflopsSustained: sustained !== undefined ? ok(sustained) : short,
    gflopsSeries: series
  }
}

/** Options of the memory phase. */
export interface MemoryPhaseOptions {
  threads: number
  durationMs: number
  llcBytes: Reading<number>
  availableBytes: Reading<number>
  forceJs?: boolean
  /** Override the array plan's total cap (tests use small arrays). */
  maxTotalBytes?: number
}

function bandwidth(kernel: MemoryKernel, trialsGBps: number[]): KernelBandwidth {
  const kept = trialsGBps.slice(WARMUP_TRIALS)
  const m = median(kept)
  const none = unavailable(
    'failed',
    `fewer than ${WARMUP_TRIALS + 1} trials ran (the first ${WARMUP_TRIALS} are warm-up)`
  )
  return {
    bestGBps: kept.length > 0 ? ok(Math.max(...kept)) : none,
    medianGBps: m !== undefined ? ok(m) : none,
    trials: kept.length,
    countedBytesPerElement: COUNTED_BYTES_PER_ELEMENT[kernel]
  }
}

function emptyMemory(
  startedAtMs: number,
  status: MemoryPhaseResult['status'],
  detail: string,
  plan: ArrayPlan,
  opts: MemoryPhaseOptions,
  trials: Record<MemoryKernel, number[]>,
  now: number
): MemoryPhaseResult {
  return {
    status,
    detail,
    startedAtMs,
    endedAtMs: now,
    threads: opts.threads,
    arrayBytes: plan.arrayBytes,
    llcBytes: opts.llcBytes,
    sizing: plan.sizing,
    kernels: {
      read: bandwidth('read', trials.read),
      write: bandwidth('write', trials.write),
      copy: bandwidth('copy', trials.copy),
      triad: bandwidth('triad', trials.triad)
    }
  }
}

/** Runs the memory phase. */
export async function runMemoryPhase(
  ctx: PhaseContext,
  opts: MemoryPhaseOptions
): Promise<MemoryPhaseResult> {
  const startedAtMs = ctx.now()
  const deadline = startedAtMs + opts.durationMs
  const plan = planMemoryArrays(opts)
  const trials: Record<MemoryKernel, number[]> = { read: [], write: [], copy: [], triad: [] }
  const bytes = buildKernelModule()
  const simd = !opts.forceJs && wasmSimdAvailable(bytes)
  const total = plan.arrayBytes * 3
  let memory: WasmMemory | null = null
  let buffer: SharedArrayBuffer | null = null
  try {
    if (simd) {
      const pages = Math.ceil(total / WASM_PAGE_BYTES)
      memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true })
    } else buffer = new SharedArrayBuffer(total)
  } catch (err) {
    return emptyMemory(
      startedAtMs,
      'unavailable',
      `could not allocate ${(total / GIB).toFixed(2)} GiB for the arrays: ${(err as Error).message}`,
      plan,
      opts,
      trials,
      ctx.now()
    )
  }
  const module = simd ? new wasm.Module(bytes) : null
  const slice = plan.arrayBytes / opts.threads
  ctx.status(`memory: touching ${((total / GIB) * 1).toFixed(2)} GiB on ${opts.threads} threads`)
  const workers: Worker[] = []
  // One listener per worker; each message (or the worker's exit) settles the oldest waiter.
  const waiters = new Map<Worker, (() => void)[]>()
  const next = (w: Worker): Promise<void> => new Promise((resolve) => waiters.get(w)!.push(resolve))
  for (let i = 0; i < opts.threads; i++) {
    const w = startWorker(ctx, {
      role: 'memory',
      module,
      memory,
      buffer,
      arrayBytes: plan.arrayBytes,
      sliceStart: i * slice,
      sliceBytes: slice,
      iterations: 0,
      reportEveryMs: 0
    })
    waiters.set(w, [])
    w.on('message', () => waiters.get(w)!.shift()?.())
    w.once('exit', () => {
      for (const resolve of waiters.get(w)!.splice(0)) resolve()
    })
    workers.push(w)
  }
  const ready = workers.map(next)
  const stop = new Promise<'stop'>((resolve) =>
    ctx.signal.aborted
      ? resolve('stop')
      : ctx.signal.addEventListener('abort', () => resolve('stop'), { once: true })
  )
  const trial = (kernel: MemoryKernel): Promise<number | 'stop'> => {
    const done = workers.map(next)
    const t0 = performance.now()
    for (const w of workers) w.postMessage({ cmd: 'trial', kernel })
    return Promise.race([Promise.all(done).then(() => performance.now() - t0), stop])
  }
  try {
    if ((await Promise.race([Promise.all(ready), stop])) === 'stop' || ctx.signal.aborted)
      return emptyMemory(
        startedAtMs,
        'stopped',
        'stopped during initialisation',
        plan,
        opts,
        trials,
        ctx.now()
      )
    // `read` right after `write` (which streams through array b): what the read finds of array a in the
    // cache is gone, so it reads from memory, as every later kernel does.
    const order: MemoryKernel[] = ['write', 'read', 'copy', 'triad']
    const elements = plan.arrayBytes / 8
    let round = 0
    // Every kernel gets its warm-up and three measured trials even when time is short (a median needs
    // them); then rounds continue until the deadline.
    while (
      !ctx.signal.aborted &&
      (round < WARMUP_TRIALS + MIN_MEASURED_TRIALS || ctx.now() < deadline)
    ) {
      for (const kernel of order) {
        const ms = await trial(kernel)
        if (ms === 'stop' || ctx.signal.aborted) break
        const gbps = (elements * COUNTED_BYTES_PER_ELEMENT[kernel]) / (ms * 1e6)
        trials[kernel].push(gbps)
      }
      round++
      const best = (k: MemoryKernel): string => {
        const kept = trials[k].slice(WARMUP_TRIALS)
        return kept.length ? Math.max(...kept).toFixed(1) : '…'
      }
      ctx.status(`memory read ${best('read')} · copy ${best('copy')} · triad ${best('triad')} GB/s`)
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate().catch(() => 0)))
  }
  return emptyMemory(
    startedAtMs,
    ctx.signal.aborted ? 'stopped' : 'completed',
    simd
      ? 'WebAssembly SIMD (128-bit loads and stores), all threads'
      : 'JS Float64Array loops (no WebAssembly SIMD), all threads',
    plan,
    opts,
    trials,
    ctx.now()
  )
}
