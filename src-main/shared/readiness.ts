/**
 * Readiness, throttling and advice report types (the output of `src-main/core`).
 *
 * Shared by the CLI (`check --json`), the HTTP API, IPC and the UI. Plain JSON. The JSON Schema in
 * `resources/schema/report.v1.schema.json` documents this shape; bump REPORT_SCHEMA_VERSION on breaking
 * changes.
 */
import type { Reading, ReadingUnavailable } from './reading'
import type { GpuVendor, ThrottleCause } from './telemetry'

/** Version of the report JSON shape. */
export const REPORT_SCHEMA_VERSION = 1

/** What limits a profile (or a machine score). */
export type Constraint =
  | 'vram-capacity'
  | 'memory-bandwidth'
  | 'compute'
  | 'host-ram'
  | 'storage'
  | 'interconnect'
  | 'precision'
  | 'thermals'
  | 'power'
  | 'software'
  | 'cpu'
  | 'none'

/**
 * Verdict for one profile on one machine. `does-not-fit` is about memory only; `needs-gpu` means the method
 * has no CPU path (QLoRA's bitsandbytes kernels, CUDA-only runtimes) and the machine has no usable GPU;
 * `unknown` when an input the verdict depends on (VRAM, RAM) is unknown.
 */
export type Verdict =
  'does-not-fit' | 'needs-gpu' | 'fits-with-offload' | 'fits-tight' | 'fits-comfortably' | 'unknown'

/** How much to trust an estimate. */
export type Confidence = 'high' | 'medium' | 'low'

/**
 * Kind of an assumption behind an estimate; confidence is computed from these kinds, never from the text.
 *
 * - `unknown-input`: an input of the machine is unknown (RAM, VRAM, cores): what needs it is unknown too;
 * - `assumed-value`: a value stands in for one that was not measured (RAM bandwidth, CPU clock);
 * - `default-efficiency`: an efficiency (decode η, MFU) from the default table, not calibrated here;
 * - `spec-unverified`: a spec-table figure that is loosely matched or marked unverified;
 * - `fallback`: the workload was changed so that it fits (checkpointing, 8-bit optimizer, offload);
 * - `formula`: how a number was computed and from which source (informational).
 */
export type AssumptionKind =
  | 'unknown-input'
  | 'assumed-value'
  | 'default-efficiency'
  | 'spec-unverified'
  | 'fallback'
  | 'formula'

/** One assumption behind an estimate: what kind it is, and the words shown to people. */
export interface Assumption {
  kind: AssumptionKind
  text: string
}

/** How much of a time window was observed. */
export interface Coverage {
  /** Seconds of the window in which the signals were read (s). */
  observedSeconds: number
  /** Seconds asked for: the window, limited to the time the engine was sampling in it (s). */
  requestedSeconds: number
}

// ------------------------------------------------------------------------------------------------------
// Machine model (what core evaluates: probed, hypothetical or upgraded)
// ------------------------------------------------------------------------------------------------------

/** One GPU as the evaluator sees it. */
export interface MachineGpu {
  name: string
  vendor: GpuVendor
  /** Key into the spec table, when matched. */
  specKey: string | null
  specConfidence: Confidence | 'unknown'
  /** GPU memory (bytes, binary units); unavailable when neither measured nor in the spec table. */
  vramBytes: Reading<number>
  memoryBandwidthGBps: Reading<number>
  /** Dense fp16/bf16 tensor TFLOPS with fp32 accumulate (or fp32 TFLOPS where no tensor units). */
  tensorTflops: Reading<number>
  fp32Tflops: Reading<number>
  computeCapability: Reading<string>
  bf16: boolean
  tdpWatts: Reading<number>
  /** Measured or spec PCIe link (gen, width) the card runs at under load, and its maximum. */
  pcieGen: Reading<number>
  pcieWidth: Reading<number>
  pcieMaxGen: Reading<number>
  pcieMaxWidth: Reading<number>
  /** Unified memory (Apple, APU): VRAM is the GPU-usable share of RAM. */
  unified: boolean
  backend: 'cuda' | 'rocm' | 'metal' | 'vulkan' | 'sycl' | 'cpu'
}

/** The machine the evaluator scores. */
export interface MachineModel {
  label: string
  /** `probed`: this machine; `described`: `rigready estimate` flags; `upgraded`: an advice simulation. */
  origin: 'probed' | 'described' | 'upgraded'
  gpus: MachineGpu[]
  cpu: {
    name: string
    /** Physical cores; unavailable when the inventory could not read them. */
    physicalCores: Reading<number>
    /** Logical CPUs (hardware threads). */
    logicalCores: Reading<number>
    flags: string[]
    governor: Reading<string>
  }
  /** Installed system RAM (bytes). */
  ramBytes: Reading<number>
  ramBandwidthGBps: Reading<number>
  storage: {
    kind: 'nvme' | 'sata-ssd' | 'hdd' | 'other' | 'unknown'
    freeBytes: Reading<number>
    readMBps: Reading<number>
  }
  /** Measured evidence (from telemetry); absent for described machines. */
  sustained: SustainedEvidence | null
  onBattery: Reading<boolean>
}

/** Measured sustained-operation evidence summarised from a Snapshot window. */
export interface SustainedEvidence {
  /** Length of the window (s): the seconds asked for, as in {@link Coverage.requestedSeconds}. */
  windowSeconds: number
  /** Seconds in which the throttle signals of every GPU were read (no GPU: 0 observed). */
  gpuCoverage: Coverage
  /**
   * Per cause, the fraction of the observed time (0–1) the worst GPU was throttled; unavailable when no GPU
   * was observed in the window (with the reason).
   */
  gpuThrottleFractionByCause: Reading<Partial<Record<ThrottleCause, number>>>
  /** Smallest headroom to the GPU's own slowdown temperature seen (°C). */
  gpuThermalHeadroomCelsius: Reading<number>
  /** Median busy clock ÷ max clock. */
  sustainedClockRatio: Reading<number>
  /** Seconds in which the CPU's throttle signals (counters, or a temperature with a limit) were read. */
  cpuCoverage: Coverage
  /** Fraction of the observed time the CPU was throttled (0–1); unavailable without observation. */
  cpuThrottleFraction: Reading<number>
  /**
   * Throttle assertions counted by the CPU's counters in the window (package, else the busiest core);
   * unavailable on CPUs without counters.
   */
  cpuThrottleEvents: Reading<number>
  /** A GPU's enforced power limit is below its default; unavailable when limit or default is unknown. */
  powerLimitBelowDefault: Reading<boolean>
  /**
   * Worst GPU: median busy clock while thermally throttled ÷ median busy clock while busy and not thermally
   * throttled (what cooling would give back); unavailable without both kinds of busy samples. Absent in
   * evidence built before this field existed.
   */
  gpuThermalClockRatio?: Reading<number>
}

// ------------------------------------------------------------------------------------------------------
// Workload profiles
// ------------------------------------------------------------------------------------------------------

/** Training method. */
export type TrainingMethod = 'full' | 'lora' | 'qlora' | 'freeze'

/** Profile kind. */
export type ProfileKind = 'inference' | 'finetune' | 'pretrain' | 'embedding'

/** A workload profile (schema after the readiness reference §6.1, camelCase). */
export interface WorkloadProfile {
  id: string
  label: string
  kind: ProfileKind
  /** User weight 0–1. */
  priority: number
  /** `llm`, `diffusion`, `speech`, `vision`, `cnn`, `embedding`. */
  family: 'llm' | 'diffusion' | 'speech' | 'vision' | 'cnn' | 'embedding'
  model: {
    name: string
    paramsTotalB: number
    paramsActiveB: number
    /** Params kept 16-bit under quantisation (embeddings/head). */
    paramsUnquantizedB?: number
    nLayers: number
    nAttnLayers?: number
    nHeads: number
    nKvHeads: number
    headDim: number
    hidden: number
    ffnHidden?: number
    vocab?: number
    ctxMax?: number
    nExperts?: number
    nExpertsActive?: number
    /** MoE: layers whose FFN is routed experts (the rest are dense); default nLayers when nExperts is set. */
    nMoeLayers?: number
    /** MoE: shared (always active) experts per MoE layer (DeepSeek, Llama 4). */
    nSharedExperts?: number
    /** MoE: hidden size of one routed expert's FFN (HF `moe_intermediate_size`). */
    expertFfnHidden?: number
    /** Sliding-window attention: window in tokens (Gemma 3 1024, gpt-oss 128, Llama 4 chunk 8192). */
    slidingWindow?: number
    /** Layers that use the sliding window (their KV stops growing at the window); the rest attend globally. */
    nSlidingLayers?: number
    /** Multi-head latent attention (DeepSeek V2/V3): compressed KV rank (HF `kv_lora_rank`). */
    kvLoraRank?: number
    /** MLA: decoupled RoPE key dimension cached beside the latent (HF `qk_rope_head_dim`). */
    qkRopeHeadDim?: number
    /** Exact weight bytes of the model file in `precision.weightFormat` (from a GGUF tensor table or safetensors). */
    weightBytesExact?: number
    /** Exact bytes of the routed-expert tensors (MoE), part of weightBytesExact. */
    expertWeightBytesExact?: number
    /** Exact bytes read per generated token (all non-expert tensors but the token-embedding lookup, plus the active share of experts). */
    activeWeightBytesExact?: number
    /** Non-LLM families: forward GFLOPs per sample (image at `shape.imageSize`, denoising step, 30 s audio window). */
    gflopsPerSample?: number
    /** Non-LLM families: activation memory per sample in training or per image in inference (MB, 1e6 bytes). */
    activationMbPerSample?: number
  }
  precision: {
    weightFormat: string
    weightFormatCandidates?: string[]
    kvDtype?: 'f16' | 'q8_0' | 'q4_0' | 'fp8'
    computeDtype?: 'bf16' | 'fp16' | 'fp32' | 'fp8'
  }
  shape: {
    ctxTokens?: number
    promptTokens?: number
    genTokens?: number
    concurrency?: number
    seqLen?: number
    microBatch?: number
    gradAccum?: number
    datasetTokens?: number
    epochs?: number
    /** Non-LLM: images or samples per step and per epoch; resolution. */
    imageSize?: number
    samplesPerEpoch?: number
    /** Diffusion: denoising steps per image. */
    steps?: number
  }
  training?: {
    method: TrainingMethod
    loraRank?: number
    loraTargets?: string[]
    optimizer: 'adamw' | 'adamw8bit' | 'paged-adamw8bit' | 'sgd' | 'adafactor'
    gradCheckpointing: 'none' | 'selective' | 'full'
    /** Keep an fp32 master copy of trainable weights (mixed precision); false for pure-bf16 recipes (torchtune). */
    masterWeights?: boolean
    /** Optimizer step fused into backward: gradients are freed layer by layer (torchtune optimizer_in_bwd). */
    optimizerInBackward?: boolean
    /** Cross-entropy computed in this many chunks, so fp32 logits never exist for the whole sequence. */
    lossChunks?: number
    /** Checkpointed activations offloaded to CPU RAM (unsloth gradient checkpointing). */
    activationOffload?: boolean
    /** The recipe preset these settings came from (torchtune, unsloth, hf-trainer, deepspeed-zero2, deepspeed-zero3-offload). */
    recipe?: string
    zeroStage?: 0 | 1 | 2 | 3
    offload?: 'none' | 'optimizer_cpu' | 'params_cpu' | 'nvme'
    flashAttention?: boolean
  }
  runtime: {
    runtime: string
    splitMode?: 'layer' | 'tensor'
    allowedBackends: MachineGpu['backend'][]
  }
  requirements?: { minCc?: number; minVramPerGpuGb?: number; cpuIsa?: string[] }
  targets: {
    tpsFloor?: number
    tpsTarget?: number
    ttftTargetS?: number
    ctxTarget?: number
    trainHoursTarget?: number
  }
  storage?: { modelFilesGb?: number; checkpointGb?: number; keepN?: number; datasetGb?: number }
  sources: string[]
}

// ------------------------------------------------------------------------------------------------------
// Evaluation output
// ------------------------------------------------------------------------------------------------------

/** One memory term, shown so a user sees why something does not fit. */
export interface MemoryTerm {
  name:
    | 'weights'
    | 'kv-cache'
    | 'activations'
    | 'gradients'
    | 'optimizer'
    | 'adapters'
    | 'logits'
    | 'runtime'
    | 'buffers'
  bytes: number
  /** Formula and inputs in words. */
  formula: string
}

/** Where the model runs. */
export interface Placement {
  kind:
    | 'single-gpu'
    | 'multi-gpu-layer'
    | 'multi-gpu-tensor'
    | 'multi-gpu-data'
    | 'gpu-cpu-offload'
    | 'cpu-only'
    | 'unified'
  gpuCount: number
  /** Fraction of weights on GPU (1 = all). */
  gpuFraction: number
  description: string
}

/** The placement of an evaluation whose verdict is unknown: it depends on an unknown input. */
export interface UnknownPlacement {
  kind: 'unknown'
  description: string
  reason: ReadingUnavailable
}

/** A score factor with its inputs. */
export interface ScoreFactor {
  name: string
  weight: number
  /** 0–100, or unavailable when its input is unknown (lowers confidence, not the score). */
  score: Reading<number>
  detail: string
}

/** Result for one (machine, profile). */
export interface ProfileEvaluation {
  profileId: string
  label: string
  kind: ProfileKind
  verdict: Verdict
  /** 0–100; unavailable (with the reason) when the verdict is unknown. */
  score: Reading<number>
  binding: Constraint
  bindingDetail: string
  confidence: Confidence
  placement: Placement | UnknownPlacement
  weightFormat: string
  memory: {
    terms: MemoryTerm[]
    requiredBytes: number
    /** Capacity the requirement is compared with; unknown when the placement is. */
    availableBytes: Reading<number>
    /** Host RAM the placement needs (offloaded layers, optimizer offload); unknown when the placement is. */
    hostRequiredBytes: Reading<number>
  }
  speed: {
    decodeTokensPerSec: Reading<number>
    prefillTokensPerSec: Reading<number>
    ttftSeconds: Reading<number>
    trainHours: Reading<number>
    /** The η or MFU used and its source. */
    efficiency: { value: number; source: string }
  }
  factors: ScoreFactor[]
  gates: string[]
  assumptions: Assumption[]
}

/**
 * Machine-level score for training or inference.
 *
 * `score` is unavailable with reason `not-applicable` when no selected profile is of that kind, and with the
 * profiles' reason when every profile of that kind is unknown.
 */
export interface MachineScore {
  score: Reading<number>
  binding: Constraint
  bindingDetail: string
  confidence: Confidence
  profileIds: string[]
}

/** A detected throttle episode. */
export interface ThrottleEvent {
  device: string
  deviceLabel: string
  cause: ThrottleCause
  startMs: number
  endMs: number | null
  /** Vendor flags or counters behind it, with numbers (clock drop, temperature, power vs limit). */
  evidence: string[]
  /** Seconds attributed from cumulative counters when available, else from sample spacing. */
  durationSeconds: number
  source: 'counter' | 'flag' | 'reading'
  /**
   * True when the episode began before the report's window: `startMs` is then the window's start and
   * `durationSeconds` counts only the time inside the window.
   */
  clippedToWindow?: boolean
}

/** What a throttle summary concludes about a device. */
export type ThrottleState = 'throttled' | 'not-throttled' | 'unknown'

/** Per-device throttle summary. */
export interface ThrottleSummary {
  device: string
  deviceLabel: string
  /** Length of the window (s): `coverage.requestedSeconds`. */
  windowSeconds: number
  /** Seconds of the window in which this device's throttle signals were read. */
  coverage: Coverage
  /** `not-throttled` only with observation; `unknown` when nothing in the window was observed. */
  state: ThrottleState
  /** Why the state is unknown, or why part of the window was not observed; absent when fully observed. */
  unobservedReason?: ReadingUnavailable
  /** Fraction of the observed time throttled (0–1); unavailable when nothing was observed. */
  throttledFraction: Reading<number>
  /** Per cause, the fraction of the observed time (0–1). */
  byCause: Partial<Record<ThrottleCause, number>>
  /** Median busy clock ÷ max clock. */
  sustainedClockRatio: Reading<number>
  headline: string
}

/**
 * Kind of an advice item.
 *
 * Free fixes: `cooling` (fan curve, airflow, dust first), `power-limit` (back to default), `pcie-slot` (move
 * the card to a full-width slot), `cpu-governor`, `mains-power`, `ram-speed` (enable the modules' rated
 * profile), `swap` (swap/zram when memory pressure was seen), and per workload `quantization`, `kv-cache`
 * (q8_0/q4_0), `flash-attention` and `parallel-slots`. Purchases: `gpu-add`, `gpu-replace`, `external-gpu`
 * (laptops), `ram`, `storage`, `psu`, `machine` (unified-memory machines: a new machine).
 */
export type AdviceKind =
  | 'cooling'
  | 'power-limit'
  | 'pcie-slot'
  | 'cpu-governor'
  | 'mains-power'
  | 'ram-speed'
  | 'swap'
  | 'quantization'
  | 'kv-cache'
  | 'flash-attention'
  | 'parallel-slots'
  | 'gpu-add'
  | 'gpu-replace'
  | 'external-gpu'
  | 'ram'
  | 'storage'
  | 'psu'
  | 'machine'

/** Currencies of the price table (prices are never converted). */
export type AdviceCurrency = 'USD' | 'EUR'

/** Why a price is missing. */
export type AdvicePriceMissingReason =
  'not-in-table' | 'no-price-for-condition' | 'no-price-in-currency' | 'no-price-table'

/** One observed price as the advice shows it (a row of the dated price table, or the user's price file). */
export interface AdvicePriceQuote {
  /** Price-table key (`geforce-rtx-3090`, `psu-1000w`). */
  key: string
  name: string
  condition: 'new' | 'used'
  /** `launch-msrp`, `list-price`, `street` or `used-market`. */
  basis: 'launch-msrp' | 'list-price' | 'street' | 'used-market'
  low: number
  high: number
  currency: AdviceCurrency
  /** `YYYY-MM-DD` (the first day of the period when `datePrecision` is not `day`). */
  observedOn: string
  datePrecision: 'day' | 'month' | 'quarter' | 'year'
  /** Whole days between `observedOn` and the report time. */
  ageDays: number
  /** Older than the stale threshold (180 days). */
  stale: boolean
  /** From the user's price file. */
  fromUser: boolean
  source: { url?: string; publication: string; says: string }
}

/** One part of a purchase (the card, the PSU it needs) with its price or why there is none. */
export interface AdvicePricePart {
  /** What the part is, in words ("used GeForce RTX 3090", "1000 W power supply"). */
  what: string
  /** The price found; null when missing (never 0). */
  quote: AdvicePriceQuote | null
  /** Why the price is missing (set when `quote` is null). */
  missing?: { reason: AdvicePriceMissingReason; detail: string }
}

/**
 * The price of an advice item: free, a range summed over its parts, or unknown with the reason.
 *
 * An item counts against a budget at `low`. `text` is the range in words ("USD 700–900 used (used-market,
 * 2026-05)"); an unknown price is never 0.
 */
export type AdvicePrice =
  | { status: 'free' }
  | {
      status: 'priced'
      currency: AdviceCurrency
      low: number
      high: number
      text: string
      /** Some observation is older than the stale threshold. */
      stale: boolean
      parts: AdvicePricePart[]
    }
  | {
      status: 'unknown'
      reason: AdvicePriceMissingReason
      detail: string
      parts: AdvicePricePart[]
    }

/** A profile score that goes down with an item, and why, in words. */
export interface AdviceScoreDrop {
  profileId: string
  label: string
  before: number
  after: number
  /** E.g. "host RAM now limits training: 64 GB for 43 GB on the GPUs (RAM ≥ 2× GPU memory in use)". */
  reason: string
}

/** The largest workload speed-up of an item. */
export interface AdviceSpeedup {
  profileId: string
  label: string
  /** After ÷ before throughput (tokens/s, or training hours before ÷ after). */
  factor: number
  /** "16 h → 8.1 h", "1.4 → 17 tok/s". */
  text: string
}

/** One advice item. The report's `advice` array is ranked: free fixes first, then purchases by value. */
export interface AdviceItem {
  id: string
  kind: AdviceKind
  /** True for changes that cost nothing (a setting, a slot, cleaning); false for purchases. */
  free: boolean
  title: string
  /** What changes, in plain words with the numbers ("Llama 3.1 70B chat: 1.4 → 17 tok/s"). */
  effectText: string
  /** Numbers with engine profile ids (older readers; prefer `effectText`). */
  effect: string
  evidence: string[]
  /** Formulas, assumptions and sources behind the effect and the price (the "details" disclosure). */
  details: string[]
  /** The price: free, a range from the price table, or unknown with the reason. */
  price: AdvicePrice
  /**
   * Impact per USD at the low end of the price; unavailable for free items (`not-applicable`), unknown
   * prices and prices in another currency (`unsupported`).
   */
  valuePerUsd: Reading<number>
  /** The largest workload speed-up, or null when no workload gets faster. */
  speedup: AdviceSpeedup | null
  /** Profile scores that go down with this item, each with why. */
  scoreDrops: AdviceScoreDrop[]
  /** What else the box needs for this item, in words ("+ a ≥ 1300 W PSU", "a free x16 slot"). */
  requires: string[]
  /** The workloads a per-workload fix applies to (empty for machine-wide items). */
  appliesTo: string[]
  /** Within the budget at the low end of its price; null without a budget (free items: true). */
  withinBudget: boolean | null
  /** Σ priority × (Δscore + 50 × unlocked). */
  impact: number
  trainingDelta: number
  inferenceDelta: number
  unlocked: string[]
  /** Kept for older readers: `free`, `part`, or `platform` (a new machine). Prefer `free` and `price`. */
  costClass: 'free' | 'part' | 'platform'
  relaxes: Constraint
}

/** Form factor of the box, which decides what can be added. */
export type BoxFormFactor = 'desktop' | 'laptop' | 'unified' | 'unknown'

/** A PCIe slot of the box as the advice uses it. */
export interface BoxPcieSlot {
  /** Slot name from the firmware or sysfs ("PCIEX16_2", "slot 3"). */
  name: string
  /** Electrical lanes. */
  lanes: Reading<number>
  /** PCIe generation. */
  gen: Reading<number>
  /** A card is in it. */
  inUse: Reading<boolean>
}

/** The constraints of the box the advice respects. */
export interface BoxConstraints {
  formFactor: BoxFormFactor
  /** Why the form factor is what it is ("a battery is present", "unified memory (Apple M2 Max)"). */
  formFactorBasis: string
  /** PSU rating (user-given, `--psu W` or the Settings field). */
  psuWatts: Reading<number>
  /** PCIe slots where the platform tells (SMBIOS slot table, sysfs slots). */
  pcieSlots: Reading<BoxPcieSlot[]>
}

/** The price table behind the advice: its date, age and a warning when old. */
export interface AdvicePriceTableInfo {
  asOf: string
  ageDays: number
  /** One line when the table is old, else null. */
  warning: string | null
  /** The user price file merged in, when any. */
  userFile: string | null
}

/** Budget, best items, items left out and the inputs of the advice. */
export interface AdviceSummary {
  currency: AdviceCurrency
  /** The budget in `currency`, or null. */
  budget: number | null
  /** With a budget: the item that does the most within it, in words; null without a budget. */
  bestUnderBudget: { itemId: string | null; text: string } | null
  /** The purchase with the most impact per unit of money, in words; null when nothing is priced. */
  bestValue: { itemId: string; text: string } | null
  /** Candidates not proposed, each with why (over budget, the box cannot take it, price unknown). */
  leftOut: { title: string; reason: string }[]
  /** The price table, or why there is none. */
  prices: Reading<AdvicePriceTableInfo>
  box: BoxConstraints
}

/** The inverse question: what is the least that makes a profile reach its target. */
export interface MinimumUpgrade {
  profileId: string
  achievable: boolean
  summary: string
}

/** What one measured value changed. */
export interface MeasuredChange {
  item: 'ram-bandwidth' | 'gpu-memory-bandwidth' | 'gpu-compute' | 'storage-read' | 'sustained'
  /** Device in words (`system RAM`, `GPU0 NVIDIA GeForce RTX 4090`, `storage`). */
  device: string
  /** What the value is, in words. */
  label: string
  before: Reading<number>
  after: number
  unit: 'GB/s' | 'TFLOPS' | 'MB/s' | 'ratio'
  /** The raw measurement (in `measuredUnit`), and when it was taken (epoch ms). */
  measured: number
  measuredUnit: string
  measuredAtMs: number
  /** How `after` follows from `measured`. */
  basis: string
}

/** One sentence of "what changed" for a profile, for `check` and the UI. */
export interface MeasuredEffect {
  profileId: string
  label: string
  /** `decode 41 → 36 tok/s: measured GPU0 memory bandwidth 900 GB/s (2026-12-02)`. */
  text: string
  metric: 'decode' | 'prefill' | 'train-hours' | 'score'
  before: number
  after: number
}

/** What a stored load probe changed in this report (`rigready probe`): measured values replace defaults. */
export interface MeasuredSummary {
  /** The result file (or `memory` for a probe just run). */
  source: string
  measuredAtMs: number
  /** Each measured value that replaced a spec or default value, with both. */
  changes: MeasuredChange[]
  /** Per workload, what those values changed ("decode 41 → 36 tok/s: measured … (2026-12-02)"). */
  effects: MeasuredEffect[]
}

/** The full readiness report. */
export interface ReadinessReport {
  schemaVersion: number
  generatedAtMs: number
  machine: MachineModel
  training: MachineScore
  inference: MachineScore
  profiles: ProfileEvaluation[]
  /** Throttle findings over one window: the events are those of the summaries' window. */
  throttling: { windowSeconds: number; events: ThrottleEvent[]; summaries: ThrottleSummary[] }
  /** Ranked: free fixes first (cooling first when thermal throttling was measured), then purchases by value. */
  advice: AdviceItem[]
  /** Budget, best item under it, items left out, price table age, the box's constraints. */
  adviceSummary: AdviceSummary
  minimumUpgrades: MinimumUpgrade[]
  unavailable: { item: string; reason: ReadingUnavailable }[]
  /** Measured values of the latest load probe that replaced defaults, or null when none applies. */
  measured: MeasuredSummary | null
}
