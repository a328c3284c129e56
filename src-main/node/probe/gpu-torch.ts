/**
 * GPU phase through PyTorch: the bundled `resources/probe/gpu_probe.py` (a bf16 matmul loop, then a
 * device-memory copy loop) run with a Python that has torch and a visible device, one process per GPU, all
 * at once so power and heat add up as in a real multi-GPU job.
 *
 * The script speaks the line protocol in `resources/probe/PROTOCOL.md`; `parseProbeLine` reads it and
 * ignores everything else on stdout. The script is passed with `python -c`, so nothing is written to disk
 * and the packaged app needs no resource path. Its stdin stays open as a pipe: the script exits when the pipe
 * closes, so it cannot outlive the probe even if this process is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import script from '../../../resources/probe/gpu_probe.py?raw'
import { matchGpuSpec } from '../../core/gpu-specs'
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { GpuPhaseResult, GpuProbeDevice, RatePoint } from '../../shared/probe'
import { median, type PhaseContext } from './phase-context'

/** Protocol line prefix. */
export const PROTOCOL_PREFIX = '@rigready '

const device = z.object({
  index: z.number().int().min(0),
  name: z.string(),
  memoryTotalBytes: z.number().nullable(),
  capability: z.string().nullable()
})

const message = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    protocol: z.number(),
    python: z.string(),
    torch: z.string().nullable(),
    runtime: z.string().nullable(),
    devices: z.array(device).max(64)
  }),
  z.object({
    type: z.literal('unavailable'),
    reason: z.enum(['torch-missing', 'no-device', 'bad-device']),
    detail: z.string()
  }),
  z.object({
    type: z.literal('phase'),
    phase: z.enum(['matmul', 'copy']),
    device: z.number().int(),
    dtype: z.string(),
    n: z.number().int().positive().optional(),
    bytes: z.number().positive().optional()
  }),
  z.object({
    type: z.literal('sample'),
    phase: z.enum(['matmul', 'copy']),
    device: z.number().int(),
    t: z.number().nonnegative(),
    tflops: z.number().nonnegative().optional(),
    gbps: z.number().nonnegative().optional()
  }),
  z.object({
    type: z.literal('result'),
    phase: z.enum(['matmul', 'copy']),
    device: z.number().int(),
    iterations: z.number().int().nonnegative(),
    seconds: z.number().nonnegative()
  }),
  z.object({ type: z.literal('error'), detail: z.string() }),
  z.object({ type: z.literal('done') })
])

/** One protocol message. */
export type ProbeMessage = z.infer<typeof message>

/** What `hello` says about the runtime. */
export type TorchHello = Extract<ProbeMessage, { type: 'hello' }>

/**
 * Parses one stdout line: a protocol message, `null` for a line that is not protocol (library noise), or
 * an `{ invalid }` marker for a protocol line that does not match the schema (a tool failure).
 */
export function parseProbeLine(line: string): ProbeMessage | null | { invalid: string } {
  if (!line.startsWith(PROTOCOL_PREFIX)) return null
  let json: unknown
  try {
    json = JSON.parse(line.slice(PROTOCOL_PREFIX.length))
  } catch {
    return { invalid: `not JSON: ${line.slice(0, 120)}` }
  }
  const r = message.safeParse(json)
  return r.success
    ? r.data
    : { invalid: `${r.error.issues[0]?.message ?? 'bad message'}: ${line.slice(0, 120)}` }
}

/** The Python interpreters tried, in order: `RIGREADY_PYTHON`, then `python3`, then `python`. */
export function pythonCandidates(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform
): string[] {
  const list = [env.RIGREADY_PYTHON, 'python3', 'python', platform === 'win32' ? 'py' : undefined]
  return [...new Set(list.filter((x): x is string => typeof x === 'string' && x.length > 0))]
}

/** Result of looking for a usable PyTorch. */
export type TorchFinding =
  | { kind: 'found'; python: string; hello: TorchHello }
  | { kind: 'none'; reason: 'tool-missing' | 'no-device'; detail: string }

interface Spawned {
  child: ChildProcess
  lines: AsyncIterable<string>
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; error: string | null }>
}

function spawnScript(python: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(python, ['-c', script, ...args], {
    shell: false,
    stdio: ['pipe', 'pipe', 'pipe'],
    // PCI bus order, so torch's device indices are nvidia-smi's.
    env: { ...env, CUDA_DEVICE_ORDER: 'PCI_BUS_ID', PYTHONUNBUFFERED: '1' },
    windowsHide: true
  })
  child.stderr?.resume()
  const exit = new Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    error: string | null
  }>((resolve) => {
    child.once('error', (e) => resolve({ code: null, signal: null, error: e.message }))
    child.once('exit', (code, signal) => resolve({ code, signal, error: null }))
  })
  const lines = createInterface({ input: child.stdout! })
  return { child, lines, exit }
}

/** Finds a Python with torch and a device, asking each candidate's `gpu_probe.py --hello`. */
export async function findTorchPython(
  env: NodeJS.ProcessEnv,
  opts: { timeoutMs?: number; platform?: NodeJS.Platform; signal?: AbortSignal } = {}
): Promise<TorchFinding> {
  const tried: string[] = []
  let sawTorchNoDevice: string | null = null
  for (const python of pythonCandidates(env, opts.platform)) {
    const s = spawnScript(python, ['--hello'], env)
    const timer = setTimeout(() => s.child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    const onAbort = (): void => void s.child.kill('SIGKILL')
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    let hello: TorchHello | null = null
    let unavailableDetail: string | null = null
    try {
      for await (const line of s.lines) {
        const m = parseProbeLine(line)
        if (m === null || 'invalid' in m) continue
        if (m.type === 'hello') hello = m
        if (m.type === 'unavailable') unavailableDetail = m.detail
      }
    } finally {
      s.child.stdin?.end()
    }
    const ex = await s.exit
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', onAbort)
    if (ex.error !== null) {
      tried.push(`${python}: not found`)
      continue
    }
    if (hello === null) {
      tried.push(`${python}: no answer (exit ${ex.code ?? ex.signal})`)
      continue
    }
    if (hello.torch === null) {
      tried.push(
        `${python} ${hello.python}: no torch${unavailableDetail ? ` (${unavailableDetail})` : ''}`
      )
      continue
    }
    if (hello.devices.length === 0) {
      sawTorchNoDevice = `${python}: torch ${hello.torch} sees no CUDA, ROCm or MPS device`
      tried.push(sawTorchNoDevice)
      continue
    }
    return { kind: 'found', python, hello }
  }
  return sawTorchNoDevice !== null
    ? { kind: 'none', reason: 'no-device', detail: tried.join('; ') }
    : { kind: 'none', reason: 'tool-missing', detail: tried.join('; ') }
}

/** Options of the PyTorch GPU phase. */
export interface TorchPhaseOptions {
  python: string
  hello: TorchHello
  seconds: number
  env: NodeJS.ProcessEnv
  /** Matmul size (default 8192) and dtype (default bfloat16). */
  n?: number
  dtype?: 'bfloat16' | 'float16' | 'float32'
}

interface DeviceAcc {
  index: number
  name: string
  memoryTotalBytes: number | null
  dtype: string
  n: number
  copyBytes: number
  matmul: RatePoint[]
  copy: RatePoint[]
}

function specFor(
  name: string,
  vram: number | null
): { tflops: Reading<number>; gbps: Reading<number> } {
  const m = matchGpuSpec(name, vram !== null ? { vramBytes: vram } : {})
  if (m === null)
    return {
      tflops: unavailable('unsupported', `${name} is not in the spec table`),
      gbps: unavailable('unsupported', `${name} is not in the spec table`)
    }
  return {
    tflops:
      m.spec.tensorTflopsDense !== null
        ? ok(m.spec.tensorTflopsDense)
        : unavailable('unsupported', `dense tensor TFLOPS of ${m.spec.name} not in the spec table`),
    gbps:
      m.spec.memBandwidthGBps !== null
        ? ok(m.spec.memBandwidthGBps)
        : unavailable('unsupported', `memory bandwidth of ${m.spec.name} not in the spec table`)
  }
}

/** Turns the collected samples of one GPU into its result (pure; exported for tests). */
export function summarizeTorchDevice(acc: DeviceAcc, dtypeForSpec: string): GpuProbeDevice {
  const spec = specFor(acc.name, acc.memoryTotalBytes)
  const none = (what: string): Reading<number> => unavailable('failed', `no ${what} samples`)
  const mm = acc.matmul.map((p) => p.value)
  const cp = acc.copy.map((p) => p.value)
  const sustainedMm = median(mm.slice(Math.floor(mm.length / 2)))
  const medCp = median(cp.slice(1))
  const specTflops =
    dtypeForSpec === 'float32'
      ? unavailable(
          'not-applicable',
          'the spec table lists tensor TFLOPS; fp32 matmul has no spec figure here'
        )
      : spec.tflops
  const ratio = (v: number | undefined, s: Reading<number>): Reading<number> =>
    v === undefined ? none('measured') : s.status === 'ok' ? ok(v / s.value) : s
  return {
    index: acc.index,
    name: acc.name,
    matmul: {
      dtype: acc.dtype,
      n: acc.n,
      tflopsPeak: mm.length > 0 ? ok(Math.max(...mm)) : none('matmul'),
      tflopsSustained: sustainedMm !== undefined ? ok(sustainedMm) : none('matmul'),
      series: acc.matmul,
      specTflops,
      ratioToSpec: ratio(sustainedMm, specTflops)
    },
    copy: {
      bytes: acc.copyBytes,
      // First sample of the copy loop is warm-up (allocator, clocks ramping), as in the memory phase.
      bestGBps:
        cp.length > 1 ? ok(Math.max(...cp.slice(1))) : cp.length === 1 ? ok(cp[0]) : none('copy'),
      medianGBps: medCp !== undefined ? ok(medCp) : cp.length === 1 ? ok(cp[0]) : none('copy'),
      series: acc.copy,
      specGBps: spec.gbps,
      ratioToSpec: ratio(medCp ?? cp[0], spec.gbps)
    }
  }
}

/** Runs the GPU phase on every device torch sees. */
export async function runTorchGpuPhase(
  ctx: PhaseContext,
  opts: TorchPhaseOptions
): Promise<GpuPhaseResult> {
  const startedAtMs = ctx.now()
  const dtype = opts.dtype ?? 'bfloat16'
  const accs = new Map<number, DeviceAcc>()
  for (const d of opts.hello.devices)
    accs.set(d.index, {
      index: d.index,
      name: d.name,
      memoryTotalBytes: d.memoryTotalBytes,
      dtype,
      n: opts.n ?? 8192,
      copyBytes: 0,
      matmul: [],
      copy: []
    })
  const failures: string[] = []
  const runs = opts.hello.devices.map(async (d) => {
    const s = spawnScript(
      opts.python,
      [
        '--device',
        String(d.index),
        '--seconds',
        String(opts.seconds),
        '--dtype',
        dtype,
        '--n',
        String(opts.n ?? 8192)
      ],
      opts.env
    )
    ctx.controller.addChild(s.child)
    let sawDone = false
    let errorDetail: string | null = null
    const acc = accs.get(d.index)!
    for await (const line of s.lines) {
      const m = parseProbeLine(line)
      if (m === null) continue
      if ('invalid' in m) {
        errorDetail = `GPU${d.index}: protocol error (${m.invalid})`
        break
      }
      if (m.type === 'phase') {
        if (m.phase === 'matmul') acc.dtype = m.dtype
        if (m.phase === 'matmul' && m.n) acc.n = m.n
        if (m.phase === 'copy' && m.bytes) acc.copyBytes = m.bytes
      } else if (m.type === 'sample') {
        if (m.phase === 'matmul' && m.tflops !== undefined)
          acc.matmul.push({ tSeconds: m.t, value: m.tflops })
        if (m.phase === 'copy' && m.gbps !== undefined)
          acc.copy.push({ tSeconds: m.t, value: m.gbps })
        const mm = acc.matmul.at(-1)
        const cp = acc.copy.at(-1)
        ctx.status(
          `gpu${d.index} ${m.phase === 'matmul' && mm ? `${mm.value.toFixed(1)} TFLOPS ${acc.dtype}` : cp ? `copy ${cp.value.toFixed(0)} GB/s` : ''}`
        )
      } else if (m.type === 'error') errorDetail = `GPU${d.index}: ${m.detail}`
      else if (m.type === 'unavailable') errorDetail = `GPU${d.index}: ${m.detail}`
      else if (m.type === 'done') sawDone = true
    }
    s.child.stdin?.end()
    const ex = await s.exit
    if (ctx.signal.aborted) return
    if (errorDetail === null && (!sawDone || ex.code !== 0))
      errorDetail = `GPU${d.index}: ${opts.python} gpu_probe.py exited with ${ex.error ?? ex.code ?? ex.signal} before finishing`
    if (errorDetail !== null) {
      failures.push(errorDetail)
      ctx.toolFailed(errorDetail)
    }
  })
  await Promise.all(runs)
  return {
    status: failures.length > 0 ? 'failed' : ctx.signal.aborted ? 'stopped' : 'completed',
    detail:
      failures.length > 0
        ? failures.join('; ')
        : `${opts.python}: bf16 matmul loop then device copy loop`,
    startedAtMs,
    endedAtMs: ctx.now(),
    backend: ok('pytorch'),
    runtime: `Python ${opts.hello.python}, torch ${opts.hello.torch}${opts.hello.runtime ? `, ${opts.hello.runtime}` : ''}`,
    devices: [...accs.values()].map((a) => summarizeTorchDevice(a, dtype)),
    installHint: null
  }
}

/** What to install for a GPU phase, by platform. */
export function gpuInstallHint(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin'
    ? 'install PyTorch with MPS (`pip install torch`) and set RIGREADY_PYTHON to that Python, or install the `webgpu` npm package'
    : 'install PyTorch with CUDA or ROCm for your GPU (https://pytorch.org/get-started/locally/) and set RIGREADY_PYTHON to that Python, or install the `webgpu` npm package (needs a Vulkan, Metal or D3D12 driver)'
}
