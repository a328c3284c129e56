/**
 * Fine-tuning recipes as people run them: each preset sets the optimizer, master weights, gradient
 * checkpointing, optimizer-in-backward, chunked loss and activation offload the way the tool's published
 * configs do, and carries the throughput efficiency measured for it.
 *
 * Sources:
 * - torchtune README "Memory and training speed" (pytorch/torchtune, README at commit 0031bfb): peak memory of
 *   the Llama 3.1 8B single-device configs (batch 2, packed seq 2048, torch.compile): full 18.9 GiB, LoRA
 *   16.2 GiB, QLoRA 7.4 GiB (4090-class configs), LoRA 30.3 GiB (A6000-class, no checkpointing). Single-device
 *   full uses bitsandbytes PagedAdamW8bit with optimizer_in_bwd, pure bf16, activation checkpointing
 *   (recipes/configs/llama3_1/8B_full_single_device.yaml); LoRA configs checkpoint activations too
 *   (8B_lora_single_device.yaml); loss in 8 chunks (CEWithChunkedOutputLoss). Its tokens/s are not used
 *   (see RECIPE_EFFICIENCY).
 * - torchtune README "Optimization flags" (A100, Llama 3.2 3B) for throughput.
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

const TT_A100 =
  'torchtune README "Optimization flags" (pytorch/torchtune@1814feb; Llama 3.2 3B, 1× A100, batch 2, packed seq 4096, compile)'
const QWEN_A100 =
  'QwenLM/Qwen README "Profiling of Memory and Speed" (HF Trainer + peft, flash-attn 2, 1× A100-SXM4-80G, batch 1 × grad-accum 8)'
const AUGMXNT =
  'augmxnt "Trainer performance comparison: torchtune vs. axolotl vs. Unsloth" (wandb.ai/augmxnt/train-bench, June 2024)'

/**
 * Throughput efficiency per recipe and method: achieved tokens/s × k × P ÷ peak dense bf16 TFLOPS, with k the
 * FLOPs per token per parameter the estimator uses: 2P forward + 2P backward through the activations (every
 * method) + 2P weight gradients (full fine-tune only; a frozen base computes none) + 2P recomputed forward with
 * activation checkpointing — k = 6 full, 4 adapters, +2 checkpointed.
 *
 * Fitted only on measurements whose GPU is stated (torchtune's A100 table; Qwen's A100 table; relative speed-ups
 * for unsloth). The torchtune README "Memory and training speed" table's tokens/s (Llama 3.1 8B: LoRA 3083 on
 * "1× 4090", 4699 on "1× A6000") are not used: at k = 4 the A6000 figure is 151 TFLOPS, above the card's dense
 * bf16 peak (154.8 spec, ~123 measured), and the 4090 LoRA figure would be 0.9 MFU — so "Runnable On" names
 * the memory class, not the GPU that was timed (on an A100 those rows are 0.34–0.48 MFU, like the A100 table).
 */
export const RECIPE_EFFICIENCY: Readonly<
  Record<RecipeName, Partial<Record<TrainingMethod, Sourced>>>
> = {
  torchtune: {
    full: {
      value: 0.57,
      source: `${TT_A100}: + 8-bit AdamW row (activation checkpointing, optimizer in backward) 6960 tok/s × 8 × 3.21 B ÷ 312 TFLOPS`
    },
    lora: { value: 0.51, source: `${TT_A100}: LoRA 8210 tok/s × 6 × 3.21 B ÷ 312 TFLOPS` },
    qlora: { value: 0.5, source: `${TT_A100}: QLoRA 8035 tok/s × 6 × 3.21 B ÷ 312 TFLOPS` }
  },
  unsloth: {
    lora: {
      value: 0.63,
      source: `${AUGMXNT}: unsloth 24% faster than torchtune + torch.compile on an RTX 4090 (Llama 3 8B LoRA) → 1.24 × torchtune's 0.51`
    },
    qlora: {
      value: 0.62,
      source: `assumed the same 1.24× over torchtune QLoRA (${AUGMXNT} measured LoRA); unsloth docs "Unsloth Benchmarks": 2× Hugging Face + FA2 for QLoRA`
    },
    full: { value: 0.5, source: 'assumed (unsloth full fine-tuning; no published figure)' }
  },
  'hf-trainer': {
    full: {
      value: 0.35,
      source: `readiness reference §6.2 default; ${QWEN_A100}: Qwen-7B full-parameter on 2 A100 at 1024 tokens 4.5 s/it = 0.36 MFU`
    },
    lora: {
      value: 0.47,
      source: `${QWEN_A100}: Qwen-7B LoRA, seq 2048, 5.2 s/it = 3151 tok/s × 6 × 7.72 B ÷ 312 TFLOPS (gradient checkpointing)`
    },
    qlora: {
      value: 0.31,
      source:
        'unsloth docs "Unsloth Benchmarks": unsloth QLoRA is 2× Hugging Face + FA2 → half of unsloth\'s 0.62'
    }
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
