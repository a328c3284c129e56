/**
 * Free per-workload fixes, each found by re-running the evaluation with the change: a q8_0/q4_0 (llama.cpp)
 * or fp8 (vLLM) KV cache, a smaller quantisation, fewer parallel slots, flash attention for training.
 *
 * Only for workloads that do not run on the GPU today (does not fit, partial offload, CPU only on a machine
 * with a usable GPU), and only the first change that brings them onto the GPU (or, for flash attention, that
 * improves the score); the simulation then keeps those that raise a score.
 */
import type { ProfileEvaluation, WorkloadProfile } from '../../../shared/readiness'
import { findWeightFormat } from '../../quant-types'
import { KV_BYTES } from '../../tables'
import type { EvaluationOverrides } from '../evaluate'
import { evaluateProfile, evaluationScore } from '../evaluate'
import { eligibleGpus } from '../../placement'
import type { AdviceContext, Candidate } from './context'

/** Runtimes with llama.cpp's quantised KV cache (`-ctk/-ctv`, `OLLAMA_KV_CACHE_TYPE`). */
const GGML_RUNTIMES = new Set(['llama.cpp', 'ollama', 'lmstudio', 'lm studio', 'koboldcpp'])
/** Runtimes with an fp8 KV cache (`--kv-cache-dtype fp8`). */
const FP8_KV_RUNTIMES = new Set(['vllm', 'sglang', 'tensorrt-llm'])

/** GGUF formats tried when smaller weights are the fix, best quality first (≥ 3 bits/weight). */
const SMALLER_GGUF = ['Q6_K', 'Q5_K_M', 'Q4_K_M', 'IQ4_XS', 'Q3_K_M', 'IQ3_XXS', 'Q2_K']

function onGpu(e: ProfileEvaluation): boolean {
  return e.verdict === 'fits-comfortably' || e.verdict === 'fits-tight'
}

function needsHelp(ctx: AdviceContext, e: ProfileEvaluation, p: WorkloadProfile): boolean {
  if (e.verdict === 'unknown' || e.verdict === 'needs-gpu') return false
  if (eligibleGpus(ctx.machine, p).length === 0) return false
  return (
    e.verdict === 'does-not-fit' ||
    e.verdict === 'fits-with-offload' ||
    e.placement.kind === 'cpu-only'
  )
}

function fix(
  ctx: AdviceContext,
  p: WorkloadProfile,
  c: {
    id: string
    kind: Candidate['kind']
    title: string
    profile?: WorkloadProfile
    overrides?: EvaluationOverrides
    evidence: string[]
    details: string[]
    notes?: string[]
    relaxes: Candidate['relaxes']
    costRank: number
  }
): Candidate {
  return {
    id: c.id,
    kind: c.kind,
    free: true,
    title: c.title,
    machine: ctx.machine,
    workload: { profileId: p.id, profile: c.profile ?? p, overrides: c.overrides },
    evidence: c.evidence,
    details: c.details,
    notes: c.notes ?? [],
    relaxes: c.relaxes,
    parts: [],
    requires: [],
    costRank: c.costRank,
    costClass: 'free'
  }
}

function kvFix(ctx: AdviceContext, p: WorkloadProfile, e: ProfileEvaluation): Candidate | null {
  if (p.family !== 'llm' || (p.precision.kvDtype ?? 'f16') !== 'f16') return null
  const rt = p.runtime.runtime.toLowerCase()
  const dtypes: ('q8_0' | 'q4_0' | 'fp8')[] = GGML_RUNTIMES.has(rt)
    ? ['q8_0', 'q4_0']
    : FP8_KV_RUNTIMES.has(rt)
      ? ['fp8']
      : []
  for (const kvDtype of dtypes) {
    const after = evaluateProfile(ctx.machine, p, { kvDtype })
    if (!onGpu(after)) continue
    const flag =
      kvDtype === 'fp8'
        ? '--kv-cache-dtype fp8'
        : rt === 'ollama'
          ? `OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=${kvDtype}`
          : `-fa on -ctk ${kvDtype} -ctv ${kvDtype}`
    const kvBefore = e.memory.terms.find((t) => t.name === 'kv-cache')
    const kvAfter = after.memory.terms.find((t) => t.name === 'kv-cache')
    return fix(ctx, p, {
      id: `kv-cache-${p.id}`,
      kind: 'kv-cache',
      title: `${p.label}: use a ${kvDtype} KV cache (${flag})`,
      overrides: { kvDtype },
      evidence: [
        `KV cache ${kvBefore ? `${(kvBefore.bytes / 2 ** 30).toFixed(1)} GiB` : '?'} at f16 → ${kvAfter ? `${(kvAfter.bytes / 2 ** 30).toFixed(1)} GiB` : '?'} at ${kvDtype}`
      ],
      details: [
        `${kvDtype}: ${KV_BYTES[kvDtype].value} bytes per element (${KV_BYTES[kvDtype].source})`,
        ...(kvAfter ? [kvAfter.formula] : []),
        kvDtype === 'fp8'
          ? 'fp8 KV costs little accuracy on most models (vLLM docs)'
          : `a quantised V cache needs flash attention in llama.cpp; ${kvDtype === 'q8_0' ? 'q8_0 is close to f16 in output quality' : 'q4_0 costs measurable quality, more so on long contexts'}`
      ],
      relaxes: 'vram-capacity',
      costRank: kvDtype === 'q8_0' || kvDtype === 'fp8' ? 0.1 : 0.25
    })
  }
  return null
}

function quantFix(ctx: AdviceContext, p: WorkloadProfile, e: ProfileEvaluation): Candidate | null {
  if (p.family !== 'llm') return null
  const current = findWeightFormat(e.weightFormat)
  if (!current || current.family !== 'gguf') return null
  const tried = new Set(
    [p.precision.weightFormat, ...(p.precision.weightFormatCandidates ?? [])].map((x) =>
      x.toUpperCase()
    )
  )
  const floorBits = Math.min(
    ...[...tried].map((n) => findWeightFormat(n)?.bitsPerWeight ?? current.bitsPerWeight)
  )
  for (const name of SMALLER_GGUF) {
    const f = findWeightFormat(name)
    if (!f || f.bitsPerWeight >= floorBits - 0.05 || tried.has(name)) continue
    const after = evaluateProfile(ctx.machine, p, { weightFormat: name })
    if (!onGpu(after)) continue
    return fix(ctx, p, {
      id: `quantization-${p.id}`,
      kind: 'quantization',
      title: `${p.label}: run ${name} weights instead of ${e.weightFormat}`,
      overrides: { weightFormat: name },
      evidence: [
        `weights ${f.bitsPerWeight} instead of ${current.bitsPerWeight} bits/weight: ${(after.memory.requiredBytes / 2 ** 30).toFixed(1)} GiB needed instead of ${(e.memory.requiredBytes / 2 ** 30).toFixed(1)} GiB`
      ],
      details: [
        `${name}: ${f.bitsPerWeight} bits/weight (${f.source})`,
        'lower bits cost quality: below ~4 bits/weight perplexity rises noticeably (llama.cpp quantize README tables)'
      ],
      notes: [`lower output quality than ${e.weightFormat}`],
      relaxes: 'vram-capacity',
      costRank: 0.4
    })
  }
  return null
}

function slotsFix(ctx: AdviceContext, p: WorkloadProfile, e: ProfileEvaluation): Candidate | null {
  const n = p.shape.concurrency ?? 1
  if (n <= 1 || (p.family !== 'llm' && p.family !== 'speech')) return null
  for (let k = n - 1; k >= 1; k--) {
    const q: WorkloadProfile = { ...p, shape: { ...p.shape, concurrency: k } }
    const after = evaluateProfile(ctx.machine, q)
    if (!onGpu(after)) continue
    return fix(ctx, p, {
      id: `parallel-slots-${p.id}`,
      kind: 'parallel-slots',
      title: `${p.label}: serve ${k} parallel sequence${k > 1 ? 's' : ''} instead of ${n}`,
      profile: q,
      evidence: [
        `the KV cache grows with the parallel sequences: ${n} need ${(e.memory.requiredBytes / 2 ** 30).toFixed(1)} GiB, ${k} need ${(after.memory.requiredBytes / 2 ** 30).toFixed(1)} GiB`
      ],
      details: [
        'KV cache = per-token KV bytes × context × parallel sequences (llama.cpp `--parallel`, vLLM `--max-num-seqs`)'
      ],
      notes: [`serves ${k} request${k > 1 ? 's' : ''} at a time instead of ${n}`],
      relaxes: 'vram-capacity',
      costRank: 0.35
    })
  }
  return null
}

function flashFix(ctx: AdviceContext, p: WorkloadProfile, e: ProfileEvaluation): Candidate | null {
  const t = p.training
  if (!t || t.flashAttention === true || (p.family !== 'llm' && p.family !== 'vision')) return null
  const gpus = eligibleGpus(ctx.machine, p)
  const capable = gpus.some((g) =>
    g.vendor === 'nvidia'
      ? g.computeCapability.status === 'ok' && Number(g.computeCapability.value) >= 8
      : g.bf16
  )
  if (!capable) return null
  const q: WorkloadProfile = { ...p, training: { ...t, flashAttention: true } }
  const after = evaluateProfile(ctx.machine, q)
  const sb = evaluationScore(e)
  const sa = evaluationScore(after)
  if (sb === null || sa === null || sa <= sb) return null
  return fix(ctx, p, {
    id: `flash-attention-${p.id}`,
    kind: 'flash-attention',
    title: `${p.label}: turn on flash attention`,
    profile: q,
    evidence: [
      `activations ${(e.memory.requiredBytes / 2 ** 30).toFixed(1)} → ${(after.memory.requiredBytes / 2 ** 30).toFixed(1)} GiB needed`
    ],
    details: [
      'flash attention never stores the s×s attention scores: activations drop the 5·a·s/h term (Korthikanti et al.); transformers: attn_implementation="flash_attention_2" or "sdpa"'
    ],
    relaxes: 'vram-capacity',
    costRank: 0.1
  })
}

/** Every free per-workload fix that brings a workload onto the GPU. */
export function workloadFixes(ctx: AdviceContext): Candidate[] {
  const out: Candidate[] = []
  ctx.profiles.forEach((p, i) => {
    const e = ctx.base.profiles[i]
    if (!e) return
    const f = flashFix(ctx, p, e)
    if (f) out.push(f)
    if (!needsHelp(ctx, e, p)) return
    for (const c of [kvFix(ctx, p, e), slotsFix(ctx, p, e), quantFix(ctx, p, e)]) if (c) out.push(c)
  })
  return out
}
