/**
 * GPU phase through WebGPU in Node: the optional `webgpu` npm package (Dawn's Node bindings, large native
 * binaries, so not a dependency of RigReady). It is looked up at run time — `RIGREADY_WEBGPU_MODULE` (a path
 * to the package), else `webgpu` resolved from the working directory — and used when it loads and offers an
 * adapter that computes the kernel's arithmetic correctly.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { matchGpuSpec } from '../../core/gpu-specs'
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { GpuPhaseResult, RatePoint } from '../../shared/probe'
import { median, type PhaseContext } from './phase-context'
import { webGpuProbeMain, type GpuLike, type WebGpuProbeOutcome } from './webgpu-kernel'

/** A loaded `webgpu` package, or why none is usable. */
export type WebGpuModule =
  { kind: 'loaded'; gpu: GpuLike; from: string } | { kind: 'missing'; detail: string }

/** Loads the `webgpu` package if it is installed. */
export async function loadWebGpu(
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd()
): Promise<WebGpuModule> {
  let resolved: string
  try {
    resolved = env.RIGREADY_WEBGPU_MODULE
      ? createRequire(join(env.RIGREADY_WEBGPU_MODULE, 'package.json')).resolve(
          env.RIGREADY_WEBGPU_MODULE
        )
      : createRequire(join(cwd, 'noop.js')).resolve('webgpu')
  } catch {
    return { kind: 'missing', detail: 'the `webgpu` npm package is not installed' }
  }
  try {
    const mod = (await import(/* @vite-ignore */ pathToFileURL(resolved).href)) as {
      create?: (flags: string[]) => GpuLike
    }
    if (typeof mod.create !== 'function')
      return { kind: 'missing', detail: `${resolved}: no create()` }
    return { kind: 'loaded', gpu: mod.create([]), from: resolved }
  } catch (err) {
    return { kind: 'missing', detail: `${resolved}: ${(err as Error).message}` }
  }
}

/** Result of asking the WebGPU path: usable, or why not. */
export type WebGpuFinding =
  { kind: 'found'; gpu: GpuLike; adapter: string } | { kind: 'none'; detail: string }

/** Finds a working WebGPU adapter (the kernel's arithmetic is checked before it counts). */
export async function findWebGpu(env: NodeJS.ProcessEnv): Promise<WebGpuFinding> {
  const m = await loadWebGpu(env)
  if (m.kind === 'missing') return { kind: 'none', detail: m.detail }
  const v = await webGpuProbeMain(m.gpu, { mode: 'verify' }).catch(
    (e: unknown): WebGpuProbeOutcome => ({
      kind: 'no-adapter',
      detail: String((e as Error)?.message ?? e)
    })
  )
  if (v.kind === 'ok') return { kind: 'found', gpu: m.gpu, adapter: v.adapter }
  return { kind: 'none', detail: `webgpu (${m.from}): ${v.detail}` }
}

const rate = (xs: RatePoint[]): number[] => xs.map((p) => p.value)

/** Runs the GPU phase on the WebGPU adapter. */
export async function runWebGpuPhase(
  ctx: PhaseContext,
  opts: { gpu: GpuLike; seconds: number }
): Promise<GpuPhaseResult> {
  const startedAtMs = ctx.now()
  const out = await webGpuProbeMain(opts.gpu, {
    mode: 'run',
    seconds: opts.seconds,
    signal: ctx.signal,
    onSample: (kind, s) =>
      ctx.status(
        kind === 'matmul'
          ? `gpu ${s.value.toFixed(2)} TFLOPS fp32 (WebGPU)`
          : `gpu copy ${s.value.toFixed(0)} GB/s (WebGPU)`
      )
  }).catch((e: unknown): WebGpuProbeOutcome => ({
    kind: 'no-adapter',
    detail: String((e as Error)?.message ?? e)
  }))
  if (out.kind !== 'ok') {
    if (!ctx.signal.aborted) ctx.toolFailed(`WebGPU: ${out.detail}`)
    return {
      status: ctx.signal.aborted ? 'stopped' : 'failed',
      detail: out.detail,
      startedAtMs,
      endedAtMs: ctx.now(),
      backend: ok('webgpu'),
      runtime: null,
      devices: [],
      installHint: null
    }
  }
  const spec = matchGpuSpec(out.adapter)
  const mm = rate(out.matmulTflops)
  const cp = rate(out.copyGBps)
  const sustained = median(mm.slice(Math.floor(mm.length / 2)))
  const copyMed = median(cp)
  const none = (w: string): Reading<number> => unavailable('failed', `no ${w} samples`)
  const specGBps: Reading<number> =
    spec?.spec.memBandwidthGBps != null
      ? ok(spec.spec.memBandwidthGBps)
      : unavailable('unsupported', `${out.adapter} not matched in the spec table`)
  const specFp32: Reading<number> =
    spec?.spec.fp32Tflops != null
      ? ok(spec.spec.fp32Tflops)
      : unavailable('unsupported', `${out.adapter} not matched in the spec table`)
  return {
    status: ctx.signal.aborted ? 'stopped' : 'completed',
    detail: `WebGPU fp32 tiled matmul (n=${out.matmulN}) then buffer copies; arithmetic checked (max error ${out.maxAbsError})`,
    startedAtMs,
    endedAtMs: ctx.now(),
    backend: ok('webgpu'),
    runtime: `WebGPU: ${out.adapter}${out.fallbackAdapter ? ' (software fallback adapter)' : ''}`,
    devices: [
      {
        index: 0,
        name: out.adapter,
        matmul: {
          dtype: 'float32',
          n: out.matmulN,
          tflopsPeak: mm.length ? ok(Math.max(...mm)) : none('matmul'),
          tflopsSustained: sustained !== undefined ? ok(sustained) : none('matmul'),
          series: out.matmulTflops,
          specTflops: specFp32,
          ratioToSpec:
            sustained !== undefined && specFp32.status === 'ok'
              ? ok(sustained / specFp32.value)
              : specFp32
        },
        copy: {
          bytes: out.copyBytes,
          bestGBps: cp.length ? ok(Math.max(...cp)) : none('copy'),
          medianGBps: copyMed !== undefined ? ok(copyMed) : none('copy'),
          series: out.copyGBps,
          specGBps,
          ratioToSpec:
            copyMed !== undefined && specGBps.status === 'ok'
              ? ok(copyMed / specGBps.value)
              : specGBps
        }
      }
    ],
    installHint: null
  }
}
