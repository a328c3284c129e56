/**
 * Schemas of session headers and records, checked where a file is read (a wrongly typed field becomes one
 * line naming the field, never a TypeError later). Kept out of `session-format.ts` so the UI, which only
 * needs the types and formatting, does not bundle zod.
 */
import { z } from 'zod'
import { SESSION_FORMAT } from './session-format'

const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' })
const epochMs = finite
const shortText = z.string().max(4096)

/** Header schema: strict on what readers rely on, loose on the inventory's inner shape. */
export const sessionHeaderSchema = z.looseObject({
  format: z.literal(SESSION_FORMAT, { error: `must be "${SESSION_FORMAT}"` }),
  version: z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }),
  encoding: z.string().max(64).optional(),
  startedAtMs: epochMs,
  intervalMs: z
    .number({ error: 'must be a positive number' })
    .positive({ error: 'must be a positive number' }),
  inventory: z.looseObject({
    host: z.looseObject({ hostname: z.string({ error: 'must be a string' }) }),
    gpus: z.array(z.looseObject({}), { error: 'must be an array' }),
    storage: z.array(z.looseObject({}), { error: 'must be an array' }).optional()
  }),
  command: z.array(shortText).max(10_000).optional(),
  note: shortText.optional(),
  writer: z.string().max(200).optional(),
  throttleRecorded: z.boolean().optional(),
  alertsRecorded: z.boolean().optional()
})

const throttleCause = z.enum([
  'power',
  'thermal',
  'psu',
  'current',
  'hw-slowdown',
  'pcie-link',
  'storage-thermal',
  'battery',
  'idle',
  'config',
  'other'
])

const throttleEventSchema = z.looseObject({
  device: shortText,
  deviceLabel: shortText,
  cause: throttleCause,
  startMs: epochMs,
  endMs: epochMs.nullable(),
  evidence: z.array(shortText).max(100),
  durationSeconds: z.number().min(0),
  source: z.enum(['counter', 'flag', 'reading'])
})

const alertSchema = z.looseObject({
  kind: z.enum(['raise', 'clear']),
  rule: z.enum([
    'near-slowdown',
    'throttled',
    'nvme-hot',
    'vram-full',
    'ram-full',
    'swap-storm',
    'disk-full',
    'gpu-gone',
    'command-failed'
  ]),
  severity: z.enum(['warning', 'critical']),
  device: shortText,
  deviceLabel: shortText,
  value: finite,
  threshold: finite,
  unit: z.enum(['celsius', 'pct', 'bytes-per-sec', 'bytes', 'exit-code', 'none']),
  atMs: epochMs,
  message: shortText
})

/** Schema of one session record. */
export const sessionRecordSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('mark'), atMs: epochMs, label: shortText }),
  z.looseObject({
    type: z.literal('command-start'),
    atMs: epochMs,
    argv: z.array(shortText).max(10_000),
    pid: z.number().int().nullable()
  }),
  z.looseObject({
    type: z.literal('command-end'),
    atMs: epochMs,
    argv: z.array(shortText).max(10_000),
    exitCode: z.number().int().nullable(),
    signal: z.string().max(32).nullable(),
    exitStatus: z.number().int(),
    durationMs: z.number().min(0),
    error: shortText.optional()
  }),
  z.looseObject({ type: z.literal('throttle-start'), atMs: epochMs, event: throttleEventSchema }),
  z.looseObject({ type: z.literal('throttle-end'), atMs: epochMs, event: throttleEventSchema }),
  z.looseObject({ type: z.literal('alert'), atMs: epochMs, alert: alertSchema }),
  z.looseObject({
    type: z.literal('note'),
    atMs: epochMs,
    level: z.enum(['info', 'warning', 'error']),
    text: shortText
  }),
  z.looseObject({
    type: z.literal('end'),
    atMs: epochMs,
    reason: z.string().max(200),
    samples: z.number().int().min(0)
  })
])

/** Describes the first problem of a failed parse as `field.path message`. */
export function describeSchemaIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const field = issue.path.length ? issue.path.map(String).join('.') : 'record'
  return `${field} ${issue.message}`
}
