/**
 * Fine-tuning recipes as people run them: each preset sets the optimizer, master weights, gradient
 * checkpointing, optimizer-in-backward, chunked loss and activation offload the way the tool's published
 * configs do, and carries the throughput efficiency measured for it.
 *
 * Sources:
 * - torchtune README "Memory and training speed" (pytorch/torchtune, README at commit 0031bfb): Llama 3.1 8B,
 *   batch 2, packed seq 2048, torch.compile — 1× RTX 4090: full 18.9 GiB / 1650 tok/s, LoRA 16.2 GiB /
 *   3083 tok/s, QLoRA 7.4 GiB / 2413 tok/s; 1× A6000: LoRA 30.3 GiB / 4699 tok/s. Single-device full uses
 *   bitsandbytes PagedAdamW8bit with optimizer_in_bwd, pure bf16, activation checkpointing
 *   (recipes/configs/llama3_1/8B_full_single_device.yaml); loss in 8 chunks (CEWithChunkedOutputLoss).
 * - unsloth README: gradient checkpointing "unsloth" offloads checkpoints to RAM; 8-bit AdamW; fused CE.
 * - Hugging Face Trainer defaults: torch AdamW with fp32 master (model_memory_anatomy: 18 B/param).
 * - DeepSpeed ZeRO docs: stage 2 shards gradients and optimizer states; stage 3 + offload keeps parameters
 *   and optimizer states in CPU RAM.
 */
import type { TrainingMethod, WorkloadProfile } from '../shared/readiness'
import type { Sourced } from './tables'

/** Recipe names `--recipe` accepts. */
export const RECIPE_NAMES = [
  'torchtune',
  'unsloth',
  'hf-trainer',
  'deepspeed-zero2',
  'deepspeed-zero3-offload'
] as const

/** A recipe name. */
export type RecipeName = (typeof RECIPE_NAMES)[number]

type Training = NonNullable<WorkloadProfile['training']>

const TT = 'torchtune README (Llama 3.1 8B, 1× RTX 4090, batch 2, seq 2048)'

/**
 * Throughput efficiency per recipe and method: achieved tokens/s × k × P ÷ peak dense bf16 TFLOPS, with k the
 * FLOPs per token per parameter the estimator uses (6 full, 4 adapters, +2 with checkpointing). Calibrated
 * on the torchtune table's RTX 4090 rows (which run with activation checkpointing); the full row includes the
 * cost of paging optimizer states over PCIe.
 */
export const RECIPE_EFFICIENCY: Readonly<
  Record<RecipeName, Partial<Record<TrainingMethod, Sourced>>>
> = {
  torchtune: {
    full: { value: 0.64, source: `${TT}: full 1650 tok/s × 8 × 8.03 B ÷ 165 TFLOPS` },
    lora: { value: 0.9, source: `${TT}: LoRA 3083 tok/s × 6 × 8.03 B ÷ 165 TFLOPS` },
    qlora: { value: 0.7, source: `${TT}: QLoRA 2413 tok/s × 6 × 8.03 B ÷ 165 TFLOPS` }
  },
  unsloth: {
    lora: {
      value: 0.7,
      source: 'unsloth README: ~2× Hugging Face + FA2 throughput (assumed 2 × 0.35)'
    },
    qlora: { value: 0.6, source: 'unsloth README: ~2× Hugging Face QLoRA (assumed)' },
    full: { value: 0.5, source: 'assumed (unsloth full fine-tuning; unverified)' }
  },
  'hf-trainer': {
    full: { value: 0.35, source: 'readiness reference §6.2 consumer MFU default' },
    lora: { value: 0.35, source: 'readiness reference §6.2 consumer MFU default' },
    qlora: { value: 0.25, source: 'readiness reference §6.2 QLoRA default (dequantisation)' }
  },
  'deepspeed-zero2': {
    full: { value: 0.35, source: 'readiness reference §6.2 default' },
    lora: { value: 0.35, source: 'readiness reference §6.2 default' }
  },
  'deepspeed-zero3-offload': {
    full: {
      value: 0.15,
      source:
        'assumed: CPU offload bound by PCIe and host Adam (ZeRO-Offload paper reports ~40% of GPU-only)'
    },
    lora: { value: 0.2, source: 'assumed (offload)' }
  }
}

/** The training section a recipe sets for a method (explicit flags override it afterwards). */
export function recipeTraining(
  recipe: RecipeName,
  method: TrainingMethod,
  base?: Training
): Training {
  const t: Training = {
    method,
    loraRank: base?.loraRank ?? 16,
    loraTargets: base?.loraTargets ?? ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
    optimizer: 'adamw',
    gradCheckpointing: 'full',
    flashAttention: true,
    recipe
  }
  switch (recipe) {
    case 'torchtune':
      t.lossChunks = 8
      t.loraRank = base?.loraRank ?? 8
      if (method === 'full') {
        t.optimizer = 'paged-adamw8bit'
        t.masterWeights = false
        t.optimizerInBackward = true
      }
      return t
    case 'unsloth':
      t.optimizer = 'adamw8bit'
      t.activationOffload = true
      t.lossChunks = 8
      return t
    case 'hf-trainer':
      t.gradCheckpointing = base?.gradCheckpointing ?? 'none'
      t.flashAttention = base?.flashAttention ?? true
      return t
    case 'deepspeed-zero2':
      t.zeroStage = 2
      return t
    case 'deepspeed-zero3-offload':
      t.zeroStage = 3
      t.offload = 'params_cpu'
      return t
  }
}

/** The efficiency of a recipe for a method, or null when the recipe does not cover it. */
export function recipeEfficiency(
  recipe: string | undefined,
  method: TrainingMethod
): Sourced | null {
  if (recipe === undefined || !(RECIPE_NAMES as readonly string[]).includes(recipe)) return null
  return RECIPE_EFFICIENCY[recipe as RecipeName][method] ?? null
}
