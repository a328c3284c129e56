/**
 * `rigready check` (this machine, measured) and `rigready estimate` (a described machine and/or an ad-hoc
 * workload).
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { loadCatalogue, mergeProfiles, parseProfilesFile } from '../../core/profiles'
import { evaluateProfile } from '../../core/readiness/evaluate'
import { describeMachine } from '../../core/readiness/machine'
import { composeReport, machineFor } from '../../core/readiness/report'
import { formatReportMarkdown, formatReportText } from '../../core/readiness/report-format'
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
      'fail-under': { type: 'string' }
    },
    strict: true
  })
  if (values.json && values.markdown) throw new UsageError('--json and --markdown are exclusive')
  const sampleS = positiveNumber('sample', values.sample, 2)
  const failUnder = values['fail-under'] === undefined ? null : Number(values['fail-under'])
  if (failUnder !== null && !(failUnder >= 0 && failUnder <= 100))
    throw new UsageError('--fail-under must be a number between 0 and 100')
  const profiles = await profilesFrom(values['profiles-file'])
  const selected = values.profile ?? []
  const unknown = selected.filter((id) => !profiles.some((p) => p.id === id))
  if (unknown.length)
    throw new UsageError(
      `unknown profile(s): ${unknown.join(', ')}. Known: ${profiles.map((p) => p.id).join(', ')}`
    )

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
  const report = composeReport({
    inventory: engine.inventory,
    snapshots,
    profiles,
    selectedIds: selected.length ? selected : undefined,
    nowMs: Date.now()
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
  const want = norm(q.model)
  const byId = catalogue.find((p) => p.id === q.model)
  const candidates = byId
    ? [byId, ...catalogue.filter((p) => p !== byId && norm(p.model.name) === norm(byId.model.name))]
    : catalogue.filter((p) => {
        const n = norm(p.model.name)
        return n === want || n.includes(want) || want.includes(n)
      })
  if (candidates.length === 0) {
    const names = [...new Set(catalogue.map((p) => p.model.name))].join(', ')
    throw new UsageError(`unknown model "${q.model}". Known models: ${names}`)
  }
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

/** `rigready estimate`. */
export async function cmdEstimate(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      gpu: { type: 'string' },
      gpus: { type: 'string' },
      ram: { type: 'string' },
      storage: { type: 'string' },
      'cpu-cores': { type: 'string' },
      model: { type: 'string' },
      quant: { type: 'string' },
      context: { type: 'string' },
      method: { type: 'string' },
      tokens: { type: 'string' },
      batch: { type: 'string' },
      profile: { type: 'string', multiple: true },
      'profiles-file': { type: 'string' },
      json: { type: 'boolean' },
      ...ENGINE_FLAGS
    },
    strict: true
  })
  const method = (values.method ?? 'inference') as 'inference' | TrainingMethod
  if (!['inference', 'full', 'lora', 'qlora', 'freeze'].includes(method))
    throw new UsageError(
      `--method must be inference, full, lora, qlora or freeze (got "${values.method}")`
    )
  if (values.storage && !['nvme', 'sata-ssd', 'hdd'].includes(values.storage))
    throw new UsageError(`--storage must be nvme, sata-ssd or hdd (got "${values.storage}")`)
  const catalogue = await profilesFrom(values['profiles-file'])
  const described =
    values.gpu !== undefined ||
    values.gpus !== undefined ||
    values.ram !== undefined ||
    values.storage !== undefined ||
    values['cpu-cores'] !== undefined

  let base: MachineModel | undefined
  if (!described || values.gpu === undefined) {
    // No machine flags (or partial ones without --gpu): start from this machine.
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
  let machine: MachineModel
  try {
    machine = described
      ? describeMachine({
          gpu: values.gpu,
          gpus: values.gpus === undefined ? undefined : positiveNumber('gpus', values.gpus, 1),
          ramGb: values.ram === undefined ? undefined : positiveNumber('ram', values.ram, 1),
          storage: values.storage as 'nvme' | 'sata-ssd' | 'hdd' | undefined,
          cpuCores:
            values['cpu-cores'] === undefined
              ? undefined
              : positiveNumber('cpu-cores', values['cpu-cores'], 1),
          base
        })
      : (base as MachineModel)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  let profiles: WorkloadProfile[]
  if (values.model) {
    profiles = [
      adHocProfile(catalogue, {
        model: values.model,
        quant: values.quant,
        context:
          values.context === undefined ? undefined : positiveNumber('context', values.context, 1),
        method,
        tokens:
          values.tokens === undefined ? undefined : positiveNumber('tokens', values.tokens, 1),
        batch: values.batch === undefined ? undefined : positiveNumber('batch', values.batch, 1)
      })
    ]
  } else if (values.profile?.length) {
    const unknown = values.profile.filter((id) => !catalogue.some((p) => p.id === id))
    if (unknown.length) throw new UsageError(`unknown profile(s): ${unknown.join(', ')}`)
    profiles = catalogue.filter((p) => values.profile!.includes(p.id))
  } else profiles = catalogue
  const evaluations = profiles.map((p) => evaluateProfile(machine, p))
  if (values.json) {
    const out: EstimateOutput = { schemaVersion: REPORT_SCHEMA_VERSION, machine, evaluations }
    io.stdout.write(JSON.stringify(out, null, 2) + '\n')
    return EXIT.ok
  }
  io.stdout.write(formatEstimateText(machine, evaluations))
  return EXIT.ok
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
