/**
 * Argument validation for every invoke channel, shared by the Electron IPC handlers and the HTTP server.
 *
 * Both transports receive arguments from an untrusted side (a renderer, a browser), so each channel has a
 * schema for its exact argument list: arity is checked, objects are strict (unknown fields are rejected),
 * numbers are finite and bounded. A failure throws `ArgumentError` whose message names the channel and the
 * bad field, e.g. `telemetry:get-history: windowMs must be a positive number ≤ 7 days`.
 */
import { z } from 'zod'
import { SESSIONS_LIMITS, isSessionId } from './session-format'
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  MAX_WHATIF_GPUS,
  type EventChannel,
  type InvokeChannel,
  type InvokeChannels
} from './ipc-contract'
import { MAX_SERIES_PER_QUERY, MAX_SERIES_POINTS, MAX_SERIES_RANGE_MS } from './history'

/** Thrown for a malformed argument (maps to HTTP 400 / a rejected IPC call). */
export class ArgumentError extends Error {
  override name = 'ArgumentError'
}

/** Longest history window a caller may ask for (ms): 7 days. */
export const MAX_HISTORY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000
/** Most snapshots a history query may return (24 h at 1 Hz is 86 400). */
export const MAX_HISTORY_POINTS = 100_000
/** Largest serialized size of a user-supplied profile (bytes of JSON text). */
export const MAX_PROFILE_JSON_BYTES = 64 * 1024
/** Largest advice budget a setting may hold (in the price table's currency). */
export const MAX_ADVICE_BUDGET = 10_000_000
/** PSU rating bounds for settings (W). */
export const MIN_PSU_WATTS = 100
export const MAX_PSU_WATTS = 5000
/** Largest user price text a setting may hold (characters of JSON). */
export const MAX_PRICES_JSON_CHARS = 512 * 1024
/** Sample interval bounds for settings (ms). */
export const MIN_SAMPLE_INTERVAL_MS = 100
export const MAX_SAMPLE_INTERVAL_MS = 60_000

const MAX_PROFILE_DEPTH = 16
const MAX_PROFILE_NODES = 10_000

// Ids are short printable text: no control characters, so they are safe to log and to show.
const ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,200}$/

const profileId = (msg: string) => z.string({ error: msg }).regex(ID_PATTERN, { error: msg })

const positiveInt = (max: number, msg: string) =>
  z.number({ error: msg }).int({ error: msg }).min(1, { error: msg }).max(max, { error: msg })

const historyRequest = z.strictObject({
  windowMs: z
    .number({ error: 'must be a positive number ≤ 7 days' })
    .positive({ error: 'must be a positive number ≤ 7 days' })
    .max(MAX_HISTORY_WINDOW_MS, { error: 'must be a positive number ≤ 7 days' }),
  maxPoints: positiveInt(MAX_HISTORY_POINTS, `must be an integer from 1 to ${MAX_HISTORY_POINTS}`)
})

const seriesRequest = z.strictObject({
  rangeMs: z
    .number({ error: 'must be a positive number of milliseconds ≤ 7 days' })
    .positive({ error: 'must be a positive number of milliseconds ≤ 7 days' })
    .max(MAX_SERIES_RANGE_MS, { error: 'must be a positive number of milliseconds ≤ 7 days' }),
  points: positiveInt(MAX_SERIES_POINTS, `must be an integer from 1 to ${MAX_SERIES_POINTS}`),
  series: z
    .array(
      z
        .string({ error: 'must be a series key such as "gpu.0.temperatureCelsius"' })
        .regex(/^[A-Za-z0-9_.:-]{1,120}$/, {
          error: 'must be a series key such as "gpu.0.temperatureCelsius"'
        }),
      { error: 'must be an array of series keys' }
    )
    .max(MAX_SERIES_PER_QUERY, { error: `must hold at most ${MAX_SERIES_PER_QUERY} series keys` }),
  endMs: z
    .number({ error: 'must be a finite epoch time in milliseconds' })
    .finite({ error: 'must be a finite epoch time in milliseconds' })
    .optional()
})

const whatIfRequest = z.strictObject({
  profileId: profileId('must be a non-empty profile id (≤ 200 printable characters)'),
  weightFormat: z
    .string({ error: 'must be a weight format name such as "q4_k_m" or "bf16"' })
    .regex(/^[A-Za-z0-9_.+-]{1,32}$/, {
      error: 'must be a weight format name such as "q4_k_m" or "bf16"'
    })
    .optional(),
  ctxTokens: positiveInt(10_000_000, 'must be an integer from 1 to 10000000').optional(),
  microBatch: positiveInt(65_536, 'must be an integer from 1 to 65536').optional(),
  method: z
    .enum(['full', 'lora', 'qlora', 'freeze'], {
      error: 'must be one of full, lora, qlora, freeze'
    })
    .optional(),
  gpuCount: positiveInt(
    MAX_WHATIF_GPUS,
    `must be an integer from 1 to ${MAX_WHATIF_GPUS}`
  ).optional()
})

const settingsPatch = z.strictObject({
  sampleIntervalMs: z
    .number({
      error: `must be an integer from ${MIN_SAMPLE_INTERVAL_MS} to ${MAX_SAMPLE_INTERVAL_MS}`
    })
    .int({
      error: `must be an integer from ${MIN_SAMPLE_INTERVAL_MS} to ${MAX_SAMPLE_INTERVAL_MS}`
    })
    .min(MIN_SAMPLE_INTERVAL_MS, {
      error: `must be an integer from ${MIN_SAMPLE_INTERVAL_MS} to ${MAX_SAMPLE_INTERVAL_MS}`
    })
    .max(MAX_SAMPLE_INTERVAL_MS, {
      error: `must be an integer from ${MIN_SAMPLE_INTERVAL_MS} to ${MAX_SAMPLE_INTERVAL_MS}`
    })
    .optional(),
  temperatureUnit: z
    .enum(['celsius', 'fahrenheit'], { error: 'must be "celsius" or "fahrenheit"' })
    .optional(),
  theme: z
    .enum(['light', 'dark', 'system'], { error: 'must be "light", "dark" or "system"' })
    .optional(),
  selectedProfileIds: z
    .array(profileId('must be a non-empty profile id (≤ 200 printable characters)'), {
      error: 'must be an array of profile ids'
    })
    .max(1000, { error: 'must hold at most 1000 profile ids' })
    .optional(),
  adviceBudget: z
    .number({ error: `must be null or a number from 0 to ${MAX_ADVICE_BUDGET}` })
    .min(0, { error: `must be null or a number from 0 to ${MAX_ADVICE_BUDGET}` })
    .max(MAX_ADVICE_BUDGET, { error: `must be null or a number from 0 to ${MAX_ADVICE_BUDGET}` })
    .nullable()
    .optional(),
  psuWatts: z
    .number({
      error: `must be null or a whole number of watts from ${MIN_PSU_WATTS} to ${MAX_PSU_WATTS}`
    })
    .int({
      error: `must be null or a whole number of watts from ${MIN_PSU_WATTS} to ${MAX_PSU_WATTS}`
    })
    .min(MIN_PSU_WATTS, {
      error: `must be null or a whole number of watts from ${MIN_PSU_WATTS} to ${MAX_PSU_WATTS}`
    })
    .max(MAX_PSU_WATTS, {
      error: `must be null or a whole number of watts from ${MIN_PSU_WATTS} to ${MAX_PSU_WATTS}`
    })
    .nullable()
    .optional(),
  pricesJson: z
    .string({ error: 'must be JSON text of a price file, or empty' })
    .max(MAX_PRICES_JSON_CHARS, {
      error: `must be at most ${MAX_PRICES_JSON_CHARS / 1024} KiB of JSON text`
    })
    .optional()
})

// Printable, bounded text for credentials: no control characters (they would corrupt a header).
const secretText = (max: number) =>
  z
    .string({ error: `must be a string` })
    .regex(new RegExp(`^[^\\u0000-\\u001f\\u007f]{1,${max}}$`), {
      error: `must be 1–${max} printable characters`
    })

const fleetConfig = z.strictObject({
  prometheusUrl: z
    .string({ error: 'must be an http(s) URL or null' })
    .max(2048, { error: 'must be at most 2048 characters' })
    .regex(/^https?:\/\/\S+$/i, { error: 'must be an http:// or https:// URL' })
    .nullable(),
  auth: z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('none') }),
      z.strictObject({
        kind: z.literal('basic'),
        username: secretText(256).regex(/^[^:]*$/, {
          error: 'must not contain a colon'
        }),
        password: secretText(1024)
      }),
      z.strictObject({
        kind: z.literal('bearer'),
        token: secretText(4096).regex(/^[A-Za-z0-9\-._~+/]+=*$/, {
          error: 'must be a bearer token (letters, digits, -._~+/)'
        })
      })
    ],
    { error: 'must be {kind:"none"}, {kind:"basic",username,password} or {kind:"bearer",token}' }
  )
})

const sessionId = z
  .string({ error: 'must be a session file name' })
  .refine(isSessionId, { error: 'must be a session file name (no folders)' })

const epochMs = z
  .number({ error: 'must be a time in epoch ms' })
  .refine(Number.isFinite, { error: 'must be a time in epoch ms' })

const sessionRangeRequest = z.strictObject({
  id: sessionId,
  startMs: epochMs,
  endMs: epochMs,
  maxPoints: positiveInt(
    SESSIONS_LIMITS.maxPoints,
    `must be an integer from 1 to ${SESSIONS_LIMITS.maxPoints}`
  ),
  keys: z
    .array(z.string().max(200), { error: 'must be an array of series keys' })
    .max(SESSIONS_LIMITS.maxKeys, { error: `must hold at most ${SESSIONS_LIMITS.maxKeys} keys` })
    .optional()
})

/**
 * A user-supplied workload profile: any plain JSON object, bounded in size and depth.
 *
 * Its shape is checked by the engine's profile schema; here we only make sure it is data (no functions,
 * class instances, `__proto__` keys or non-finite numbers) and small enough to handle.
 */
const profileObject = z.unknown().superRefine((value, ctx) => {
  const problem = jsonDataProblem(value)
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
})

/** Why `value` is not a bounded plain-JSON object, or null when it is one. */
function jsonDataProblem(value: unknown): string | null {
  if (!isPlainObject(value)) return 'must be a JSON object'
  let nodes = 0
  const walk = (v: unknown, depth: number): string | null => {
    if (++nodes > MAX_PROFILE_NODES) return `must have at most ${MAX_PROFILE_NODES} values`
    if (depth > MAX_PROFILE_DEPTH) return `must be nested at most ${MAX_PROFILE_DEPTH} levels deep`
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return null
    if (typeof v === 'number') return Number.isFinite(v) ? null : 'must contain only finite numbers'
    if (Array.isArray(v)) {
      for (const item of v) {
        const p = walk(item, depth + 1)
        if (p !== null) return p
      }
      return null
    }
    if (isPlainObject(v)) {
      for (const key of Object.keys(v)) {
        if (key === '__proto__' || key === 'constructor' || key === 'prototype')
          return `must not use the key "${key}"`
        const p = walk(v[key], depth + 1)
        if (p !== null) return p
      }
      return null
    }
    return 'must contain only JSON data'
  }
  const problem = walk(value, 0)
  if (problem !== null) return problem
  // Bytes of UTF-8 JSON, measured without TextEncoder so this stays usable in every runtime.
  const text = JSON.stringify(value)
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 2 : 3
  }
  return bytes > MAX_PROFILE_JSON_BYTES
    ? `must be at most ${MAX_PROFILE_JSON_BYTES} bytes of JSON`
    : null
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** Probe length bounds a caller may ask for (s). */
export const MIN_PROBE_SECONDS = 10
export const MAX_PROBE_SECONDS = 3600

const probeRequest = z.strictObject({
  durationS: z
    .number({
      error: `must be a number of seconds from ${MIN_PROBE_SECONDS} to ${MAX_PROBE_SECONDS}`
    })
    .min(MIN_PROBE_SECONDS, {
      error: `must be a number of seconds from ${MIN_PROBE_SECONDS} to ${MAX_PROBE_SECONDS}`
    })
    .max(MAX_PROBE_SECONDS, {
      error: `must be a number of seconds from ${MIN_PROBE_SECONDS} to ${MAX_PROBE_SECONDS}`
    }),
  cpu: z.boolean({ error: 'must be true or false' }),
  memory: z.boolean({ error: 'must be true or false' }),
  storage: z.boolean({ error: 'must be true or false' }),
  gpu: z.boolean({ error: 'must be true or false' })
})

/** One positional argument: its name (used in messages when the whole argument is wrong) and schema. */
interface ArgSpec<T> {
  name: string
  schema: z.ZodType<T>
}

type ArgSpecs<P extends readonly unknown[]> = { [I in keyof P]: ArgSpec<P[I]> }

/** The argument list of every invoke channel; the mapped type makes a missing channel a compile error. */
const CHANNEL_ARGS: { [K in InvokeChannel]: ArgSpecs<Parameters<InvokeChannels[K]>> } = {
  'app:get-info': [],
  'telemetry:get-inventory': [],
  'telemetry:get-snapshot': [],
  'telemetry:get-history': [{ name: 'req', schema: historyRequest }],
  'telemetry:get-series': [{ name: 'req', schema: seriesRequest }],
  'readiness:get-report': [],
  'readiness:list-profiles': [],
  'readiness:list-models': [],
  'readiness:what-if': [{ name: 'req', schema: whatIfRequest }],
  'readiness:add-profile': [{ name: 'profile', schema: profileObject }],
  'settings:get': [],
  'settings:set': [{ name: 'patch', schema: settingsPatch }],
  'report:export': [
    {
      name: 'format',
      schema: z.enum(['markdown', 'json'], { error: 'must be "markdown" or "json"' })
    }
  ],
  'report:print-pdf': [],
  'fleet:get-config': [],
  'fleet:set-config': [{ name: 'config', schema: fleetConfig }],
  'fleet:list': [],
  'sessions:list': [],
  'sessions:open': [{ name: 'id', schema: sessionId }],
  'sessions:range': [{ name: 'req', schema: sessionRangeRequest }],
  'probe:start': [{ name: 'req', schema: probeRequest }],
  'probe:cancel': []
}

/** True when `x` names an invoke channel of the contract. */
export function isInvokeChannel(x: unknown): x is InvokeChannel {
  return typeof x === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(x)
}

/** True when `x` names an event channel of the contract. */
export function isEventChannel(x: unknown): x is EventChannel {
  return typeof x === 'string' && (EVENT_CHANNELS as readonly string[]).includes(x)
}

/**
 * Checks untrusted arguments for `channel` and returns them typed.
 *
 * `args` must be an array with exactly the channel's arity (`undefined` counts as no arguments, for HTTP
 * bodies without `args`). Returned objects are fresh copies holding only the known fields.
 *
 * @throws ArgumentError naming the channel and the bad field.
 */
export function validateInvokeArgs<K extends InvokeChannel>(
  channel: K,
  args: unknown
): Parameters<InvokeChannels[K]> {
  if (!isInvokeChannel(channel))
    throw new ArgumentError(`unknown channel ${JSON.stringify(String(channel))}`)
  const list: unknown = args === undefined ? [] : args
  if (!Array.isArray(list)) throw new ArgumentError(`${channel}: arguments must be an array`)
  const specs = CHANNEL_ARGS[channel] as readonly ArgSpec<unknown>[]
  if (list.length !== specs.length) {
    const want = `${specs.length} argument${specs.length === 1 ? '' : 's'}`
    throw new ArgumentError(`${channel}: expected ${want}, got ${list.length}`)
  }
  const out = specs.map((spec, i) => {
    const result = spec.schema.safeParse(list[i])
    if (result.success) return result.data
    throw new ArgumentError(`${channel}: ${describeIssue(spec.name, result.error.issues[0])}`)
  })
  return out as Parameters<InvokeChannels[K]>
}

function describeIssue(argName: string, issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return `${argName} is invalid`
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : argName
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ')
    return `${field === argName ? argName : field} has unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}`
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0 && issue.expected === 'object') {
    return `${argName} must be an object`
  }
  return `${field} ${issue.message}`
}
