/**
 * `rigready check` (this machine, measured) and `rigready estimate` (a described machine and/or an ad-hoc
 * workload).
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { resolveGpuName } from '../../core/gpu-specs'
import { inferenceProfileFor } from '../../core/model-profile'
import { matchName } from '../../core/names'
import { findWeightFormat, weightFormatNames } from '../../core/quant-types'
import { RECIPE_NAMES, recipeTraining, type RecipeName } from '../../core/training-recipes'
import { loadLatestProbe, machineKeyFor, readMachineId } from '../probe/store'
import { resolveLocalModel } from '../models/resolve'
import { ModelFileError, type LocalModel } from '../models/types'
import {
  loadCatalogue,
  mergeProfiles,
  parseProfilesFile,
  resolveCatalogueModel,
  resolveProfileId
} from '../../core/profiles'
import { evaluateProfile } from '../../core/readiness/evaluate'
import { describeMachine } from '../../core/readiness/machine'
import { composeReport, machineFor } from '../../core/readiness/report'
import {
  formatAdviceText,
  formatReportMarkdown,
  formatReportText
} from '../../core/readiness/report-format'
import { adviseMachine, type AdviceOptions } from '../../core/readiness/advice'
import { scoreMachine } from '../../core/readiness/evaluate'
import { loadPrices, PricesFileError } from '../prices/load-prices'
import { isOk } from '../../shared/reading'
import {
  REPORT_SCHEMA_VERSION,
  type MachineModel,
  type TrainingMethod,
  type WorkloadProfile
} from '../../shared/readiness'
import type { EstimateOutput } from '../../shared/cli-output'
import type { Snapshot } from '../../shared/telemetry'
import { createEngine } from '../engine'
import { readSession } from '../recorder/session'
import {
  ENGINE_FLAGS,
  EXIT,
  UsageError,
  engineOptionsFrom,
  positiveNumber,
  sleep,
  type CliIo
} from './common'

async function profilesFrom(file: string | undefined): Promise<WorkloadProfile[]> {
  const base = loadCatalogue()
  if (!file) return base
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError(
      `--profiles-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`
    )
  }
  const r = parseProfilesFile(text)
  if (!r.ok) throw new UsageError(`--profiles-file ${file} is invalid:\n  ${r.errors.join('\n  ')}`)
  return mergeProfiles(base, r.profiles)
}

/** `rigready check`. */
/** `rigready check --help`. */
export const CHECK_HELP = `rigready check — is this machine ready to train or serve your workloads, and what binds it

Usage: rigready check [--profile ID]... [--sample SECONDS] [--json | --markdown] [--fail-under N]
                      [--budget N] [--prices FILE] [--psu W] [--profiles-file FILE] [engine flags]

Samples this machine for a few seconds (or reads a recorded session with --replay), then scores every
selected workload profile for training and for serving: verdict, speed, the constraint that binds it,
throttling seen with its cause and coverage, and ranked upgrade advice (free fixes first, prices, value).

  --profile ID       score only these profiles (rigready list profiles); repeatable
  --sample SECONDS   sampling window before the report (default 2)
  --json             the report as JSON (resources/schema/report.v1.schema.json)
  --markdown         the report as GitHub Markdown
  --fail-under N     exit 3 when an applicable machine score is below N (0–100); scores with no selected
                     profile of their kind do not count
  --budget N         propose only purchases whose low price is within N (price-table currency, USD)
  --prices FILE      your prices (JSON, the packaged table's shape) merged over the packaged table
  --psu W            the PSU's rating, so GPU additions say when a bigger PSU is needed
  --profiles-file F  add your own workload profiles (JSON array) to the catalogue
  --no-probe         ignore this machine's stored load-probe results (rigready probe); by default its
                     measured bandwidths and sustained clocks replace spec and default values

Engine flags: --sysfs-root DIR, --procfs-root DIR, --tools-dir DIR, --replay FILE [--speed N] [--seek T],
--interval SECONDS. Exit codes: 0 ok, 1 failure, 2 bad input, 3 below --fail-under, 130 Ctrl-C.
`

export async function cmdCheck(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...ENGINE_FLAGS,
      sample: { type: 'string' },
      profile: { type: 'string', multiple: true },
      'profiles-file': { type: 'string' },
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      'fail-under': { type: 'string' },
      'no-probe': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...ADVICE_FLAGS
    },
    strict: true
  })
  if (values.help) {
    io.stdout.write(CHECK_HELP)
    return EXIT.ok
  }
  if (values.json && values.markdown) throw new UsageError('--json and --markdown are exclusive')
  const advice = await adviceOptionsFrom(values)
  const sampleS = positiveNumber('sample', values.sample, 2)
  const failUnder = values['fail-under'] === undefined ? null : Number(values['fail-under'])
  if (failUnder !== null && !(failUnder >= 0 && failUnder <= 100))
    throw new UsageError('--fail-under must be a number between 0 and 100')
  const profiles = await profilesFrom(values['profiles-file'])
  const selected = values.profile ?? []
  for (const id of selected) {
    const r = resolveProfileId(id, profiles)
    if (!r.ok) throw new UsageError(r.message)
  }

  const opts = engineOptionsFrom(values, io)
  // Sample at least four times in the window so rates and throttle flags have evidence.
  if (!opts.replayFile && opts.intervalMs === undefined)
    opts.intervalMs = Math.max(100, Math.min(1000, Math.floor((sampleS * 1000) / 4)))
  const engine = await createEngine(opts)
  let snapshots: Snapshot[]
  try {
    if (engine.mode === 'replay') {
      // A recorded session is evaluated over the whole recording, not replayed in real time.
      snapshots = (await readSession(opts.replayFile as string)).snapshots
    } else {
      const end = Date.now() + sampleS * 1000
      snapshots = [await engine.source.tick()]
      while (Date.now() + engine.intervalMs <= end + 5) {
        await sleep(engine.intervalMs)
        snapshots.push(await engine.source.tick())
      }
    }
  } finally {
    await engine.close()
  }
  // This machine's latest stored load probe (`rigready probe`) replaces defaults with measured values;
  // not for recordings or captured trees, which are other machines.
  const live = engine.mode === 'live'
  const probe =
    live && !values['no-probe']
      ? await loadLatestProbe(machineKeyFor(engine.inventory, await readMachineId()), {
          env: io.env
        })
      : null
  const report = composeReport({
    inventory: engine.inventory,
    snapshots,
    profiles,
    selectedIds: selected.length ? selected : undefined,
    nowMs: Date.now(),
    advice,
    measured: probe?.measured ?? null
  })
  if (values.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n')
  else if (values.markdown) io.stdout.write(formatReportMarkdown(report))
  else
    io.stdout.write(
      formatReportText(report, { color: Boolean(io.stdout.isTTY), width: io.stdout.columns ?? 100 })
    )
  if (failUnder !== null) {
    const below: string[] = []
    for (const [name, s] of [
      ['training', report.training],
      ['inference', report.inference]
    ] as const) {
      // A score with no selected profile of its kind does not apply, so it cannot fail the threshold.
      if (!isOk(s.score) && s.score.reason === 'not-applicable') continue
      if (!isOk(s.score)) below.push(`${name} score unavailable`)
      else if (s.score.value < failUnder)
        below.push(`${name} ${s.score.value.toFixed(0)} < ${failUnder}`)
    }
    if (below.length) {
      io.stderr.write(`rigready check: below --fail-under: ${below.join(', ')}\n`)
      return EXIT.belowThreshold
    }
  }
  return EXIT.ok
}

function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]/g, '')
}

/** Builds the ad-hoc profile for `estimate --model … --method …` from the closest catalogue entry. */
export function adHocProfile(
  catalogue: WorkloadProfile[],
  q: {
    model: string
    quant?: string
    context?: number
    method: 'inference' | TrainingMethod
    tokens?: number
    batch?: number
  }
): WorkloadProfile {
  const found = resolveCatalogueModel(q.model, catalogue)
  if (!found.ok) throw new UsageError(found.message)
  const byId = catalogue.find((p) => p.id === q.model)
  const candidates = byId
    ? [byId, ...catalogue.filter((p) => p !== byId && norm(p.model.name) === norm(byId.model.name))]
    : catalogue.filter((p) => p.model.name === found.item)
  const training = q.method !== 'inference'
  const base =
    candidates.find((p) =>
      training ? p.kind === 'finetune' && p.training?.method === q.method : p.kind === 'inference'
    ) ??
    candidates.find((p) =>
      training ? p.kind === 'finetune' || p.kind === 'pretrain' : p.kind === 'inference'
    ) ??
    candidates[0]
  const p: WorkloadProfile = structuredClone(base)
  p.id = `estimate-${norm(p.model.name)}-${q.method}`
  p.label = `${p.model.name} ${q.method}${q.quant ? ` ${q.quant}` : ''}${q.context ? ` @ ${q.context} ctx` : ''}`
  p.priority = 1
  if (q.quant) {
    p.precision.weightFormat = q.quant
    delete p.precision.weightFormatCandidates
  }
  if (training) {
    p.kind = 'finetune'
    const method = q.method as TrainingMethod
    p.training = {
      optimizer: method === 'qlora' ? 'adamw8bit' : 'adamw',
      gradCheckpointing: method === 'full' ? 'selective' : 'full',
      flashAttention: true,
      ...(p.training ?? {}),
      method
    }
    if (method === 'qlora' && !q.quant) p.precision.weightFormat = 'nf4'
    if ((method === 'full' || method === 'lora') && !q.quant) p.precision.weightFormat = 'bf16'
    if (q.context) p.shape.seqLen = q.context
    if (q.tokens) {
      p.shape.datasetTokens = q.tokens
      p.shape.epochs = 1
    }
    if (q.batch) p.shape.microBatch = q.batch
  } else {
    p.kind = base.kind === 'embedding' ? 'embedding' : 'inference'
    delete p.training
    if (q.context) p.shape.ctxTokens = q.context
    if (q.batch) p.shape.concurrency = q.batch
  }
  return p
}

/** Machine-description flags shared by `estimate` and `models`. */
export const MACHINE_FLAGS = {
  gpu: { type: 'string' },
  gpus: { type: 'string' },
  ram: { type: 'string' },
  'ram-bandwidth': { type: 'string' },
  'ram-type': { type: 'string' },
  'ram-channels': { type: 'string' },
  storage: { type: 'string' },
  'cpu-cores': { type: 'string' },
  ...ENGINE_FLAGS
} as const

/** Help text of `rigready estimate`. */
export const ESTIMATE_HELP = `rigready estimate — how a model runs or trains on this or a described machine

Usage: rigready estimate [machine flags] [--model M] [workload flags] [--json]

Machine (default: this machine):
  --gpu NAME|none      a GPU from the table (\`rigready list gpus\`; "rtx4090", "M1 Max"), or none
  --gpus N             number of those GPUs (whole number, 0–16)
  --ram GIB            system RAM in GiB, as sold ("64" = a 64 GB kit = 64 GiB; unified memory on Apple)
  --ram-bandwidth GBPS system RAM bandwidth in GB/s (SI), or --ram-type DDR5-6000 [--ram-channels 2]
  --storage nvme|sata-ssd|hdd   --cpu-cores N
Model:
  --model M            a catalogue model (\`rigready list models\`), a .gguf file, a Hugging Face folder or
                       its config.json, hf:ORG/NAME (local cache) or ollama:NAME[:TAG] (local store)
  --quant Q            weight format (\`rigready list quants\`)   --context N   tokens of context
Units: memory sizes are binary (GiB = 2^30 bytes) in inputs and output; rates are SI (GB/s, TFLOPS).
Training (--method full|lora|qlora):
  --recipe torchtune|unsloth|hf-trainer|deepspeed-zero2|deepspeed-zero3-offload
  --optimizer adamw|adamw8bit|paged-adamw8bit   --grad-checkpointing none|selective|full
  --batch N  --seq-len N  --tokens N (dataset tokens)
Advice (also on check):
  --budget N           propose only purchases whose low price is ≤ N (the price table's currency)
  --prices FILE        your own prices (JSON, the shape of resources/prices.json), merged over the table
  --psu W              your power supply's rating: GPU items that need more include a PSU
`

function intFlag(
  name: string,
  v: string | undefined,
  min: number,
  max: number
): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${v}")`)
  return n
}

function numFlag(
  name: string,
  v: string | undefined,
  min: number,
  max: number,
  unit: string
): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number of ${unit} from ${min} to ${max} (got "${v}")`)
  return n
}

/** Theoretical RAM bandwidth of `DDR5-6000` × channels: MT/s × 8 bytes × channels. */
export function ramTypeBandwidth(type: string, channels: number): number {
  const m = /^(LP)?DDR([345])X?-?(\d{3,5})$/i.exec(type.trim())
  if (!m)
    throw new UsageError(
      `--ram-type must look like DDR4-3200, DDR5-6000 or LPDDR5X-8533 (got "${type}")`
    )
  const mts = Number(m[3])
  if (mts < 800 || mts > 12000)
    throw new UsageError(`--ram-type speed ${mts} MT/s is not plausible`)
  return (mts * 8 * channels) / 1000
}

/** The machine the flags describe, or this machine (probed) when none are given. */
export async function machineFromFlags(
  values: Record<string, unknown>,
  io: CliIo
): Promise<MachineModel> {
  const v = values as Record<string, string | undefined>
  if (v.storage && !['nvme', 'sata-ssd', 'hdd'].includes(v.storage))
    throw new UsageError(`--storage must be nvme, sata-ssd or hdd (got "${v.storage}")`)
  const gpus = intFlag('gpus', v.gpus, 0, 16)
  // GiB: memory is sold in binary sizes (a "64 GB" kit holds 64 GiB).
  const ramGb = numFlag('ram', v.ram, 1, 16384, 'GiB')
  const cores = intFlag('cpu-cores', v['cpu-cores'], 1, 1024)
  const channels = intFlag('ram-channels', v['ram-channels'], 1, 24) ?? 2
  if (v['ram-bandwidth'] !== undefined && v['ram-type'] !== undefined)
    throw new UsageError('--ram-bandwidth and --ram-type are exclusive')
  if (v['ram-channels'] !== undefined && v['ram-type'] === undefined)
    throw new UsageError('--ram-channels needs --ram-type')
  const ramBw =
    numFlag('ram-bandwidth', v['ram-bandwidth'], 1, 5000, 'GB/s') ??
    (v['ram-type'] !== undefined ? ramTypeBandwidth(v['ram-type'], channels) : undefined)
  const none = v.gpu !== undefined && v.gpu.trim().toLowerCase() === 'none'
  let gpuKey: string | undefined
  if (v.gpu !== undefined && !none) {
    const r = resolveGpuName(v.gpu)
    if (!r.ok) throw new UsageError(r.message)
    gpuKey = r.spec.key
  }
  if (none && gpus !== undefined && gpus > 0)
    throw new UsageError('--gpu none and --gpus N > 0 contradict each other')
  const described =
    v.gpu !== undefined ||
    gpus !== undefined ||
    ramGb !== undefined ||
    v.storage !== undefined ||
    cores !== undefined ||
    ramBw !== undefined
  let base: MachineModel | undefined
  if (!described || (v.gpu === undefined && gpus !== 0)) {
    const engine = await createEngine(engineOptionsFrom(values, io))
    try {
      const snaps =
        engine.mode === 'replay'
          ? (engine.source.start(), engine.source.history(0))
          : [await engine.source.tick()]
      base = machineFor(engine.inventory, snaps)
    } finally {
      await engine.close()
    }
  }
  if (!described) return base as MachineModel
  try {
    return describeMachine({
      gpu: gpuKey,
      gpus: none ? 0 : gpus,
      ramGb,
      storage: v.storage as 'nvme' | 'sata-ssd' | 'hdd' | undefined,
      cpuCores: cores,
      ramBandwidthGBps: ramBw,
      base: none ? (base ? { ...base, gpus: [] } : undefined) : base
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** `rigready estimate`. */
export async function cmdEstimate(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...MACHINE_FLAGS,
      model: { type: 'string' },
      quant: { type: 'string' },
      context: { type: 'string' },
      method: { type: 'string' },
      tokens: { type: 'string' },
      batch: { type: 'string' },
      'seq-len': { type: 'string' },
      optimizer: { type: 'string' },
      'grad-checkpointing': { type: 'string' },
      recipe: { type: 'string' },
      profile: { type: 'string', multiple: true },
      'profiles-file': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...ADVICE_FLAGS
    },
    strict: true
  })
  if (values.help) {
    io.stdout.write(ESTIMATE_HELP)
    return EXIT.ok
  }
  const adviceOpts = await adviceOptionsFrom(values)
  const method = (values.method ?? 'inference') as 'inference' | TrainingMethod
  if (!['inference', 'full', 'lora', 'qlora', 'freeze'].includes(method))
    throw new UsageError(
      `--method must be inference, full, lora, qlora or freeze (got "${values.method}")`
    )
  const training = method !== 'inference'
  if (!training) {
    for (const f of ['tokens', 'seq-len', 'optimizer', 'grad-checkpointing', 'recipe'] as const)
      if (values[f] !== undefined)
        throw new UsageError(`--${f} applies to training (--method full|lora|qlora), not inference`)
  }
  if (values.quant !== undefined && findWeightFormat(values.quant) === null) {
    const r = matchName(values.quant, weightFormatNames(), (n) => [n])
    const sugg = r.kind === 'none' ? r.suggestions : r.kind === 'ambiguous' ? r.items : [r.item]
    throw new UsageError(
      `unknown --quant "${values.quant}"${sugg.length ? `; did you mean: ${sugg.join(', ')}?` : ''} (see \`rigready list quants\`)`
    )
  }
  if (values.recipe !== undefined && !(RECIPE_NAMES as readonly string[]).includes(values.recipe))
    throw new UsageError(
      `--recipe must be one of ${RECIPE_NAMES.join(', ')} (got "${values.recipe}")`
    )
  if (
    values.optimizer !== undefined &&
    !['adamw', 'adamw8bit', 'paged-adamw8bit'].includes(values.optimizer)
  )
    throw new UsageError(
      `--optimizer must be adamw, adamw8bit or paged-adamw8bit (got "${values.optimizer}")`
    )
  if (
    values['grad-checkpointing'] !== undefined &&
    !['none', 'selective', 'full'].includes(values['grad-checkpointing'])
  )
    throw new UsageError(
      `--grad-checkpointing must be none, selective or full (got "${values['grad-checkpointing']}")`
    )
  const context = intFlag('context', values.context, 1, 10_000_000)
  const seqLen = intFlag('seq-len', values['seq-len'], 1, 1_048_576)
  const batch = intFlag('batch', values.batch, 1, 4096)
  const tokens = numFlag('tokens', values.tokens, 1, 1e14, 'tokens')
  const catalogue = await profilesFrom(values['profiles-file'])
  const machine = await machineFromFlags(values, io)

  let profiles: WorkloadProfile[]
  if (values.model) {
    let local: LocalModel | null
    try {
      local = await resolveLocalModel(values.model, io.env)
    } catch (err) {
      if (err instanceof ModelFileError) throw new UsageError(err.message)
      throw err
    }
    let p: WorkloadProfile
    if (local) {
      const max = local.model.ctxMax
      if (context !== undefined && max !== undefined && context > max)
        throw new UsageError(
          `--context ${context} is above ${local.name}'s maximum of ${max} tokens`
        )
      p = inferenceProfileFor(local, {
        ctxTokens: context,
        concurrency: training ? undefined : batch,
        weightFormat: values.quant
      })
      if (training) p = trainingFrom(p, method as TrainingMethod, values.quant)
    } else {
      p = adHocProfile(catalogue, {
        model: values.model,
        quant: values.quant,
        context: context ?? seqLen,
        method,
        tokens,
        batch
      })
      const max = p.model.ctxMax
      if (context !== undefined && max !== undefined && context > max)
        throw new UsageError(
          `--context ${context} is above ${p.model.name}'s maximum of ${max} tokens`
        )
    }
    if (training) p = applyTrainingFlags(p, values, { seqLen, batch, tokens })
    profiles = [p]
  } else if (values.profile?.length) {
    for (const id of values.profile) {
      const r = resolveProfileId(id, catalogue)
      if (!r.ok) throw new UsageError(r.message)
    }
    profiles = catalogue.filter((p) => values.profile!.includes(p.id))
  } else profiles = catalogue
  const evaluations = profiles.map((p) => evaluateProfile(machine, p))
  const advice = adviseEstimate(machine, profiles, evaluations, adviceOpts, values['ram-type'])
  if (values.json) {
    const out: EstimateOutput = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      machine,
      evaluations,
      advice: advice.advice,
      adviceSummary: advice.summary,
      minimumUpgrades: advice.minimumUpgrades
    }
    io.stdout.write(JSON.stringify(out, null, 2) + '\n')
    return EXIT.ok
  }
  io.stdout.write(formatEstimateText(machine, evaluations))
  io.stdout.write(
    formatAdviceText(
      { advice: advice.advice, adviceSummary: advice.summary },
      { color: Boolean(io.stdout.isTTY), width: io.stdout.columns ?? 100 }
    )
  )
  return EXIT.ok
}

/** A training profile from a model read from disk (LoRA/QLoRA/full on its base weights). */
function trainingFrom(p: WorkloadProfile, method: TrainingMethod, quant?: string): WorkloadProfile {
  return {
    ...p,
    id: `${p.id}-${method}`,
    label: `${p.model.name} ${method}`,
    kind: 'finetune',
    precision: {
      weightFormat: quant ?? (method === 'qlora' ? 'NF4' : 'BF16'),
      computeDtype: 'bf16'
    },
    shape: { seqLen: 2048, microBatch: 1, datasetTokens: 5e7, epochs: 1 },
    training: {
      method,
      optimizer: method === 'qlora' ? 'adamw8bit' : 'adamw',
      gradCheckpointing: 'full',
      flashAttention: true,
      loraRank: 16,
      loraTargets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down']
    },
    runtime: {
      runtime: 'transformers',
      allowedBackends: method === 'qlora' ? ['cuda', 'rocm'] : ['cuda', 'rocm', 'metal']
    },
    targets: { trainHoursTarget: 24 },
    model: {
      ...p.model,
      weightBytesExact: undefined,
      activeWeightBytesExact: undefined,
      expertWeightBytesExact: undefined
    }
  }
}

/** Applies --recipe, then the explicit training flags, to a training profile. */
function applyTrainingFlags(
  p: WorkloadProfile,
  values: Record<string, unknown>,
  q: { seqLen?: number; batch?: number; tokens?: number }
): WorkloadProfile {
  const t = p.training!
  let training = t
  if (typeof values.recipe === 'string')
    training = recipeTraining(values.recipe as RecipeName, t.method, t)
  if (typeof values.optimizer === 'string')
    training = {
      ...training,
      optimizer: values.optimizer as NonNullable<WorkloadProfile['training']>['optimizer']
    }
  if (typeof values['grad-checkpointing'] === 'string')
    training = {
      ...training,
      gradCheckpointing: values['grad-checkpointing'] as 'none' | 'selective' | 'full'
    }
  const shape = { ...p.shape }
  if (q.seqLen !== undefined) shape.seqLen = q.seqLen
  if (q.batch !== undefined) shape.microBatch = q.batch
  if (q.tokens !== undefined) {
    shape.datasetTokens = q.tokens
    shape.epochs = 1
  }
  const runtime =
    training.recipe === 'unsloth' || t.method === 'qlora'
      ? { ...p.runtime, allowedBackends: p.runtime.allowedBackends.filter((b) => b !== 'cpu') }
      : p.runtime
  return { ...p, training, shape, runtime }
}

function formatEstimateText(
  machine: MachineModel,
  evals: ReturnType<typeof evaluateProfile>[]
): string {
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`
  const L: string[] = []
  L.push(`Machine: ${machine.label}`)
  L.push('')
  for (const e of evals) {
    L.push(`${e.label}  [${e.profileId}]`)
    L.push(
      `  verdict ${e.verdict}, score ${isOk(e.score) ? e.score.value.toFixed(0) : 'unknown'}, binding: ${e.binding} — ${e.bindingDetail}`
    )
    L.push(`  placement: ${e.placement.description}; weights ${e.weightFormat}`)
    L.push(
      `  memory: needs ${gib(e.memory.requiredBytes)} of ${isOk(e.memory.availableBytes) ? gib(e.memory.availableBytes.value) : 'unknown'} available`
    )
    for (const t of e.memory.terms)
      L.push(`    ${t.name.padEnd(12)} ${gib(t.bytes).padStart(10)}  ${t.formula}`)
    const s = e.speed
    if (isOk(s.decodeTokensPerSec))
      L.push(`  decode ≈ ${s.decodeTokensPerSec.value.toFixed(1)} tok/s`)
    if (isOk(s.ttftSeconds)) L.push(`  time to first token ≈ ${s.ttftSeconds.value.toFixed(2)} s`)
    if (isOk(s.trainHours)) L.push(`  training ≈ ${s.trainHours.value.toFixed(1)} h`)
    L.push(
      `  efficiency ${s.efficiency.value} (${s.efficiency.source}); confidence ${e.confidence}`
    )
    for (const a of e.assumptions) L.push(`  assumes: ${a.text}`)
    L.push('')
  }
  return L.join('\n')
}

// ------------------------------------------------------------------------------------------------------
// Advice flags of `check` and `estimate`: --budget, --prices, --psu

/** Advice flags shared by `check` and `estimate`. */
export const ADVICE_FLAGS = {
  budget: { type: 'string' },
  prices: { type: 'string' },
  psu: { type: 'string' }
} as const

/** Largest budget accepted (in the table's currency). */
const MAX_BUDGET = 10_000_000

/**
 * Advice options from `--budget N`, `--prices FILE` and `--psu W`: the price table (packaged, with the
 * user's file merged in) and the numbers, validated. A bad price file is a usage error (exit 2) naming the
 * file, the row and the field, in one line.
 */
export async function adviceOptionsFrom(values: Record<string, unknown>): Promise<AdviceOptions> {
  const v = values as Record<string, string | undefined>
  const budget = numFlag('budget', v.budget, 0, MAX_BUDGET, 'money')
  const psu = intFlag('psu', v.psu, 100, 5000)
  let prices
  try {
    prices = await loadPrices({ userFile: v.prices })
  } catch (err) {
    if (err instanceof PricesFileError) throw new UsageError(`--prices ${err.message}`)
    throw err
  }
  return { prices, budget: budget ?? null, psuWatts: psu ?? null, nowMs: Date.now() }
}

/** Advice for a described machine (`estimate`): the same advice `check` gives, without measured evidence. */
function adviseEstimate(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  evaluations: ReturnType<typeof evaluateProfile>[],
  opts: AdviceOptions,
  ramType: unknown
): ReturnType<typeof adviseMachine> {
  const m = typeof ramType === 'string' ? /^(LP)?(DDR[45])/i.exec(ramType.trim()) : null
  return adviseMachine(
    machine,
    profiles,
    {
      profiles: evaluations,
      training: scoreMachine(evaluations, profiles, 'training'),
      inference: scoreMachine(evaluations, profiles, 'inference')
    },
    {
      ...opts,
      ...(m && !m[1] ? { ramType: { status: 'ok', value: m[2].toUpperCase() } } : {})
    }
  )
}
