/**
 * `rigready models` (the models on this machine, each with its verdict, memory need and tokens/s here) and
 * `rigready list gpus|models|profiles|quants` (what the built-in tables know).
 */
import { parseArgs } from 'node:util'
import { GPU_SPECS } from '../../core/gpu-specs'
import { loadCatalogue } from '../../core/profiles'
import { WEIGHT_FORMAT_TABLE } from '../../core/quant-types'
import type { ModelListEntry } from '../../shared/cli-output'
import type { MachineModel } from '../../shared/readiness'
import { listModels } from '../models/list'
import { EXIT, UsageError, type CliIo } from './common'

/** Help text of `rigready models`. */
export const MODELS_HELP = `rigready models — the models on this machine and how they run here

Usage: rigready models [--dir DIR]... [--gpu NAME ...machine flags of estimate] [--context N] [--json]

Finds GGUF files and Hugging Face folders in the Hugging Face cache ($HF_HUB_CACHE, $HF_HOME/hub,
~/.cache/huggingface/hub), Ollama's store ($OLLAMA_MODELS, ~/.ollama/models), LM Studio's models folder,
llama.cpp's cache ($LLAMA_CACHE) and every --dir; reads only file headers, offline. Each model is listed
with its size, quantisation, verdict, memory need and decode tokens/s on this machine (or the machine the
estimate flags describe), best runnable first. --json prints the models.v1 schema.
`

/** Help text of `rigready list`. */
export const LIST_HELP = `rigready list — what the built-in tables know

Usage: rigready list gpus|models|profiles|quants [--json]
`

/** `rigready models`. `machineFor` builds the machine from the shared machine flags. */
export async function cmdModels(
  argv: string[],
  io: CliIo,
  machineFor: (values: Record<string, unknown>) => Promise<MachineModel>,
  machineFlags: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string', multiple: true },
      context: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...machineFlags
    },
    strict: true,
    allowPositionals: false
  })
  if (values.help) {
    io.stdout.write(MODELS_HELP)
    return EXIT.ok
  }
  const ctx = values.context === undefined ? undefined : Number(values.context as string)
  if (ctx !== undefined && !(Number.isInteger(ctx) && ctx > 0 && ctx <= 10_000_000))
    throw new UsageError(`--context must be a whole number of tokens (got "${values.context}")`)
  const machine = await machineFor(values)
  const out = await listModels(io.env, machine, (values.dir as string[] | undefined) ?? [], ctx)
  const entries = out.models
  const problems = out.problems
  if (values.json) {
    io.stdout.write(JSON.stringify(out, null, 2) + '\n')
    return EXIT.ok
  }
  io.stdout.write(formatModels(machine, entries, problems))
  return EXIT.ok
}

const GIB = 2 ** 30

function formatModels(
  machine: MachineModel,
  entries: ModelListEntry[],
  problems: { path: string; error: string }[]
): string {
  const L: string[] = [`Models on this machine, evaluated on: ${machine.label}`, '']
  if (entries.length === 0) L.push('No models found (use --dir DIR to add folders).')
  for (const e of entries) {
    const tps =
      e.decodeTokensPerSec.status === 'ok' ? `${e.decodeTokensPerSec.value.toFixed(1)} tok/s` : '—'
    L.push(
      `${e.name}  [${e.weightFormat}, ${e.weightBytes.status === 'ok' ? `${(e.weightBytes.value / GIB).toFixed(1)} GiB` : 'size unknown'}${e.moe ? `, MoE ${e.paramsActiveB.toFixed(1)}B active of ${e.paramsTotalB.toFixed(1)}B` : `, ${e.paramsTotalB.toFixed(1)}B`}]`
    )
    L.push(
      `  ${e.verdict.replace(/-/g, ' ')} · score ${e.score.status === 'ok' ? e.score.value : 'unknown'} · needs ${(e.requiredBytes / GIB).toFixed(1)} of ${e.availableBytes.status === 'ok' ? (e.availableBytes.value / GIB).toFixed(1) : 'unknown'} GiB · ${tps} · ${e.placement}`
    )
    L.push(`  ${e.store}: ${e.path}`)
  }
  if (problems.length > 0) {
    L.push('', 'Could not read:')
    for (const p of problems) L.push(`  ${p.error}`)
  }
  return L.join('\n') + '\n'
}

/** `rigready list gpus|models|profiles|quants`. */
export async function cmdList(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true
  })
  if (values.help) {
    io.stdout.write(LIST_HELP)
    return EXIT.ok
  }
  const what = positionals[0]
  const catalogue = loadCatalogue()
  let rows: Record<string, unknown>[]
  switch (what) {
    case 'gpus':
      rows = GPU_SPECS.map((g) => ({
        name: g.name,
        vendor: g.vendor,
        vramGb: g.vramGb,
        memBandwidthGBps: g.memBandwidthGBps,
        tensorTflopsDense: g.tensorTflopsDense,
        source: g.source
      }))
      break
    case 'models': {
      const seen = new Map<string, Record<string, unknown>>()
      for (const p of catalogue)
        if (!seen.has(p.model.name))
          seen.set(p.model.name, {
            name: p.model.name,
            paramsTotalB: p.model.paramsTotalB,
            paramsActiveB: p.model.paramsActiveB,
            experts: p.model.nExperts ?? null,
            ctxMax: p.model.ctxMax ?? null,
            source: p.sources[0] ?? ''
          })
      rows = [...seen.values()]
      break
    }
    case 'profiles':
      rows = catalogue.map((p) => ({ id: p.id, label: p.label, kind: p.kind }))
      break
    case 'quants':
      rows = WEIGHT_FORMAT_TABLE.map((f) => ({
        name: f.name,
        bitsPerWeight: f.bitsPerWeight,
        family: f.family,
        source: f.source
      }))
      break
    default:
      throw new UsageError(
        `list what? expected gpus, models, profiles or quants${what ? ` (got "${what}")` : ''}`
      )
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(rows, null, 2) + '\n')
    return EXIT.ok
  }
  for (const r of rows)
    io.stdout.write(
      Object.values(r)
        .map((v) => (v === null ? '—' : String(v)))
        .join('  ') + '\n'
    )
  return EXIT.ok
}
