/**
 * Builds a workload profile from a model description read from disk (GGUF, Hugging Face folder, Ollama), so a
 * user's own model is evaluated with the same math as the catalogue. Targets follow the catalogue's chat
 * profiles (10 tok/s floor, 40 target, 10 s TTFT, 8K context) — documented defaults, overridable by flags.
 */
import type { WorkloadProfile } from '../shared/readiness'
import { findWeightFormat } from './quant-types'

/** What a model file tells the math. */
export interface ModelDescription {
  id: string
  name: string
  weightFormat: string
  model: WorkloadProfile['model']
  sources: string[]
}

/** Runtimes by weight-format family: GGUF runs in llama.cpp (any backend), GPU formats in vLLM/transformers. */
function runtimeFor(format: string): WorkloadProfile['runtime'] {
  const f = findWeightFormat(format)
  if (f?.family === 'gpu-quant')
    return { runtime: 'vllm', splitMode: 'tensor', allowedBackends: ['cuda', 'rocm'] }
  if (f?.family === 'mlx') return { runtime: 'mlx', allowedBackends: ['metal'] }
  return {
    runtime: 'llama.cpp',
    splitMode: 'layer',
    allowedBackends: ['cuda', 'rocm', 'metal', 'vulkan', 'sycl', 'cpu']
  }
}

/** An inference profile for a model read from disk. */
export function inferenceProfileFor(
  d: ModelDescription,
  opts: { ctxTokens?: number; concurrency?: number; weightFormat?: string } = {}
): WorkloadProfile {
  const ctx = opts.ctxTokens ?? Math.min(8192, d.model.ctxMax ?? 8192)
  const format = opts.weightFormat ?? d.weightFormat
  // Another format than the file's: the file's exact bytes no longer apply (bits per weight do).
  const model =
    opts.weightFormat !== undefined &&
    opts.weightFormat.toUpperCase() !== d.weightFormat.toUpperCase()
      ? {
          ...d.model,
          weightBytesExact: undefined,
          activeWeightBytesExact: undefined,
          expertWeightBytesExact: undefined
        }
      : d.model
  const slug = d.id
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-60)
  return {
    id: `model-${slug || 'local'}`,
    label: `${d.name} (${format}, ${ctx >= 1024 ? `${Math.round(ctx / 1024)}K` : ctx} ctx)`,
    kind: 'inference',
    priority: 1,
    family: 'llm',
    model,
    precision: { weightFormat: format, kvDtype: 'f16' },
    shape: {
      ctxTokens: ctx,
      promptTokens: Math.min(1000, ctx),
      genTokens: 500,
      concurrency: opts.concurrency ?? 1
    },
    runtime: runtimeFor(format),
    targets: { tpsFloor: 10, tpsTarget: 40, ttftTargetS: 10, ctxTarget: ctx },
    storage:
      d.model.weightBytesExact !== undefined
        ? { modelFilesGb: d.model.weightBytesExact / 1e9 }
        : undefined,
    sources: d.sources
  }
}
