/**
 * Workload profiles: the built-in catalogue and validation of user profile files.
 *
 * The schema follows the readiness reference §6.1 (camelCase). Validation never throws on garbage: it returns
 * a result whose errors name the bad field path (`model.nLayers: expected a positive integer`).
 */
import { z } from 'zod'
import catalogue from '../../resources/workloads.json'
import type { WorkloadProfile } from '../shared/readiness'
import { matchName } from './names'
import { weightFormatNames } from './quant-types'
import { weightFormat } from './tables'

const POS_INT = 'expected a positive integer'
const NONNEG_INT = 'expected a whole number ≥ 0'
const POS_NUM = 'expected a positive number'

const posInt = z.number({ error: POS_INT }).int({ error: POS_INT }).positive({ error: POS_INT })
const nonNegInt = z
  .number({ error: NONNEG_INT })
  .int({ error: NONNEG_INT })
  .min(0, { error: NONNEG_INT })
const posNum = z.number({ error: POS_NUM }).positive({ error: POS_NUM }).finite({ error: POS_NUM })
const nonEmpty = z
  .string({ error: 'expected a non-empty string' })
  .min(1, { error: 'expected a non-empty string' })
const backend = z.enum(['cuda', 'rocm', 'metal', 'vulkan', 'sycl', 'cpu'], {
  error: 'expected one of cuda, rocm, metal, vulkan, sycl, cpu'
})
const format = nonEmpty.refine((f) => weightFormat(f) !== null, {
  error: `unknown weight format (known: ${weightFormatNames().join(', ')})`
})

const profileSchema = z
  .object({
    id: nonEmpty.regex(/^[a-z0-9][a-z0-9._-]*$/, {
      error: 'expected lower-case letters, digits, ".", "_" or "-"'
    }),
    label: nonEmpty,
    kind: z.enum(['inference', 'finetune', 'pretrain', 'embedding'], {
      error: 'expected inference, finetune, pretrain or embedding'
    }),
    priority: z
      .number({ error: 'expected a number from 0 to 1' })
      .min(0, { error: 'expected a number from 0 to 1' })
      .max(1, { error: 'expected a number from 0 to 1' }),
    family: z.enum(['llm', 'diffusion', 'speech', 'vision', 'cnn', 'embedding'], {
      error: 'expected llm, diffusion, speech, vision, cnn or embedding'
    }),
    model: z
      .object({
        name: nonEmpty,
        paramsTotalB: posNum,
        paramsActiveB: posNum,
        paramsUnquantizedB: z
          .number({ error: 'expected a number ≥ 0' })
          .min(0, { error: 'expected a number ≥ 0' })
          .optional(),
        nLayers: posInt,
        nAttnLayers: nonNegInt.optional(),
        // 0 = not applicable (CNNs have no attention heads).
        nHeads: nonNegInt,
        nKvHeads: nonNegInt,
        headDim: nonNegInt,
        hidden: posInt,
        ffnHidden: posInt.optional(),
        vocab: posInt.optional(),
        ctxMax: posInt.optional(),
        nExperts: posInt.optional(),
        nExpertsActive: posInt.optional(),
        nMoeLayers: nonNegInt.optional(),
        nSharedExperts: nonNegInt.optional(),
        expertFfnHidden: posInt.optional(),
        slidingWindow: posInt.optional(),
        nSlidingLayers: nonNegInt.optional(),
        kvLoraRank: posInt.optional(),
        qkRopeHeadDim: nonNegInt.optional(),
        weightBytesExact: posNum.optional(),
        expertWeightBytesExact: z.number().min(0).optional(),
        activeWeightBytesExact: posNum.optional(),
        gflopsPerSample: posNum.optional(),
        activationMbPerSample: posNum.optional()
      })
      .strict(),
    precision: z
      .object({
        weightFormat: format,
        weightFormatCandidates: z
          .array(format, { error: 'expected a list of weight formats' })
          .optional(),
        kvDtype: z
          .enum(['f16', 'q8_0', 'q4_0', 'fp8'], { error: 'expected f16, q8_0, q4_0 or fp8' })
          .optional(),
        computeDtype: z
          .enum(['bf16', 'fp16', 'fp32', 'fp8'], { error: 'expected bf16, fp16, fp32 or fp8' })
          .optional()
      })
      .strict(),
    shape: z
      .object({
        ctxTokens: posInt.optional(),
        promptTokens: nonNegInt.optional(),
        genTokens: nonNegInt.optional(),
        concurrency: posInt.optional(),
        seqLen: posInt.optional(),
        microBatch: posInt.optional(),
        gradAccum: posInt.optional(),
        datasetTokens: posNum.optional(),
        epochs: posNum.optional(),
        imageSize: posInt.optional(),
        samplesPerEpoch: posInt.optional(),
        steps: posInt.optional()
      })
      .strict(),
    training: z
      .object({
        method: z.enum(['full', 'lora', 'qlora', 'freeze'], {
          error: 'expected full, lora, qlora or freeze'
        }),
        loraRank: posInt.optional(),
        loraTargets: z
          .array(
            z.enum(['q', 'k', 'v', 'o', 'gate', 'up', 'down'], {
              error: 'expected q, k, v, o, gate, up or down'
            })
          )
          .optional(),
        optimizer: z.enum(['adamw', 'adamw8bit', 'paged-adamw8bit', 'sgd', 'adafactor'], {
          error: 'expected adamw, adamw8bit, paged-adamw8bit, sgd or adafactor'
        }),
        masterWeights: z.boolean({ error: 'expected true or false' }).optional(),
        optimizerInBackward: z.boolean({ error: 'expected true or false' }).optional(),
        lossChunks: posInt.optional(),
        activationOffload: z.boolean({ error: 'expected true or false' }).optional(),
        recipe: nonEmpty.optional(),
        gradCheckpointing: z.enum(['none', 'selective', 'full'], {
          error: 'expected none, selective or full'
        }),
        zeroStage: z
          .union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)], {
            error: 'expected 0, 1, 2 or 3'
          })
          .optional(),
        offload: z
          .enum(['none', 'optimizer_cpu', 'params_cpu', 'nvme'], {
            error: 'expected none, optimizer_cpu, params_cpu or nvme'
          })
          .optional(),
        flashAttention: z.boolean({ error: 'expected true or false' }).optional()
      })
      .strict()
      .optional(),
    runtime: z
      .object({
        runtime: nonEmpty,
        splitMode: z.enum(['layer', 'tensor'], { error: 'expected layer or tensor' }).optional(),
        allowedBackends: z
          .array(backend, { error: 'expected a list of backends' })
          .min(1, { error: 'expected at least one backend' })
      })
      .strict(),
    requirements: z
      .object({
        minCc: posNum.optional(),
        minVramPerGpuGb: posNum.optional(),
        cpuIsa: z.array(nonEmpty).optional()
      })
      .strict()
      .optional(),
    targets: z
      .object({
        tpsFloor: posNum.optional(),
        tpsTarget: posNum.optional(),
        ttftTargetS: posNum.optional(),
        ctxTarget: posInt.optional(),
        trainHoursTarget: posNum.optional()
      })
      .strict(),
    storage: z
      .object({
        modelFilesGb: z
          .number({ error: 'expected a number ≥ 0' })
          .min(0, { error: 'expected a number ≥ 0' })
          .optional(),
        checkpointGb: z
          .number({ error: 'expected a number ≥ 0' })
          .min(0, { error: 'expected a number ≥ 0' })
          .optional(),
        keepN: nonNegInt.optional(),
        datasetGb: z
          .number({ error: 'expected a number ≥ 0' })
          .min(0, { error: 'expected a number ≥ 0' })
          .optional()
      })
      .strict()
      .optional(),
    sources: z.array(z.string({ error: 'expected a string' }), {
      error: 'expected a list of source strings'
    })
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.model.paramsActiveB > p.model.paramsTotalB) {
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'paramsActiveB'],
        message: 'must not exceed model.paramsTotalB'
      })
    }
    if ((p.kind === 'finetune' || p.kind === 'pretrain') && p.training === undefined) {
      ctx.addIssue({ code: 'custom', path: ['training'], message: `required for kind "${p.kind}"` })
    }
    if (
      p.targets.tpsFloor !== undefined &&
      p.targets.tpsTarget !== undefined &&
      p.targets.tpsTarget <= p.targets.tpsFloor
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['targets', 'tpsTarget'],
        message: 'must be greater than targets.tpsFloor'
      })
    }
  })

/** Result of validating one profile. */
export type ProfileValidation =
  { ok: true; profile: WorkloadProfile } | { ok: false; errors: string[] }

function formatIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
    .filter((s) => s !== '')
    .join('.')
    .replace(/\.\[/g, '[')
  if (issue.code === 'unrecognized_keys') {
    return `${path || '(profile)'}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${path}: required`
  return `${path || '(profile)'}: ${issue.message}`
}

/**
 * Validates one profile object (from a user file or the catalogue).
 *
 * Never throws: a bad field comes back as an error naming its path.
 */
export function validateProfile(input: unknown, pathPrefix = ''): ProfileValidation {
  const r = profileSchema.safeParse(input)
  if (r.success) return { ok: true, profile: r.data as WorkloadProfile }
  return { ok: false, errors: r.error.issues.map((i) => formatIssue(i, pathPrefix)) }
}

/** Result of parsing a user profile file. */
export type ProfilesFileResult =
  { ok: true; profiles: WorkloadProfile[] } | { ok: false; errors: string[] }

/**
 * Parses a user profile file (JSON): one profile, an array of profiles, or `{ "profiles": [...] }`.
 *
 * Never throws on garbage; errors name the profile index and field (`profiles[2].model.nLayers: …`).
 */
export function parseProfilesFile(text: string): ProfilesFileResult {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    return { ok: false, errors: [`not valid JSON: ${e instanceof Error ? e.message : String(e)}`] }
  }
  let list: unknown[]
  let prefix: (i: number) => string
  if (Array.isArray(data)) {
    list = data
    prefix = (i) => `[${i}]`
  } else if (
    data !== null &&
    typeof data === 'object' &&
    Array.isArray((data as { profiles?: unknown }).profiles)
  ) {
    list = (data as { profiles: unknown[] }).profiles
    prefix = (i) => `profiles[${i}]`
  } else if (data !== null && typeof data === 'object' && 'id' in data) {
    list = [data]
    prefix = () => ''
  } else {
    return {
      ok: false,
      errors: ['expected a profile object, an array of profiles, or { "profiles": [...] }']
    }
  }
  if (list.length === 0) return { ok: false, errors: ['the file holds no profiles'] }
  const profiles: WorkloadProfile[] = []
  const errors: string[] = []
  const seen = new Set<string>()
  list.forEach((item, i) => {
    const v = validateProfile(item, prefix(i))
    if (v.ok) {
      if (seen.has(v.profile.id))
        errors.push(`${prefix(i) || '(profile)'}.id: duplicate id "${v.profile.id}"`)
      seen.add(v.profile.id)
      profiles.push(v.profile)
    } else errors.push(...v.errors)
  })
  return errors.length > 0 ? { ok: false, errors } : { ok: true, profiles }
}

/**
 * The built-in workload catalogue (resources/workloads.json), validated.
 *
 * A broken catalogue is a build bug, so this throws with every error listed.
 */
export function loadCatalogue(): WorkloadProfile[] {
  const r = parseProfilesFile(JSON.stringify(catalogue))
  if (!r.ok) throw new Error(`resources/workloads.json is invalid:\n${r.errors.join('\n')}`)
  return r.profiles
}

/** Catalogue and user profiles merged; user profiles replace catalogue entries with the same id. */
export function mergeProfiles(base: WorkloadProfile[], user: WorkloadProfile[]): WorkloadProfile[] {
  const byId = new Map(base.map((p) => [p.id, p]))
  for (const p of user) byId.set(p.id, p)
  return [...byId.values()]
}

/** Outcome of looking a profile id or model name up in the catalogue. */
export type CatalogueLookup<T> = { ok: true; item: T } | { ok: false; message: string }

function didYouMean(names: string[], seeAlso: string): string {
  return names.length > 0 ? `; did you mean: ${names.join(', ')}?` : ` (see \`${seeAlso}\`)`
}

/**
 * Resolves a profile id (`--profile ID`): exact ids only — ids are identifiers — with "did you mean"
 * suggestions (edit distance, or ids containing what was typed) for anything else.
 */
export function resolveProfileId(
  query: string,
  profiles: readonly WorkloadProfile[]
): CatalogueLookup<WorkloadProfile> {
  const exact = profiles.find((p) => p.id === query)
  if (exact) return { ok: true, item: exact }
  const r = matchName(query, profiles, (p) => [p.id])
  const near =
    r.kind === 'none' ? r.suggestions : r.kind === 'ambiguous' ? r.items.slice(0, 5) : [r.item]
  return {
    ok: false,
    message: `unknown profile "${query}"${didYouMean(
      near.map((p) => p.id),
      'rigready list profiles'
    )}`
  }
}

/**
 * Resolves a catalogue model (`--model NAME`) by profile id or model name in any spelling (`qwen3-30b-a3b`,
 * `Llama 3.1 8B`): an exact or unique match resolves; several matches are an error listing them (never a
 * silent pick); no match gets "did you mean" suggestions.
 */
export function resolveCatalogueModel(
  query: string,
  profiles: readonly WorkloadProfile[]
): CatalogueLookup<string> {
  const byId = profiles.find((p) => p.id === query)
  if (byId) return { ok: true, item: byId.model.name }
  const names = [...new Set(profiles.map((p) => p.model.name))]
  const r = matchName(query, names, (n) => [n, n.replace(/-Instruct.*$|-it$/i, '')])
  if (r.kind === 'exact' || r.kind === 'unique') return { ok: true, item: r.item }
  if (r.kind === 'ambiguous')
    return { ok: false, message: `model "${query}" is ambiguous: ${r.items.join(', ')}` }
  const ids = matchName(query, profiles, (p) => [p.id])
  const near = [
    ...r.suggestions,
    ...(ids.kind === 'none' ? ids.suggestions.map((p) => p.id) : [])
  ].slice(0, 5)
  return {
    ok: false,
    message: `unknown model "${query}"${didYouMean(near, 'rigready list models')}`
  }
}
