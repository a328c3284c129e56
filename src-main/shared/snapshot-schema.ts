/**
 * Runtime validation of Snapshots at the boundary (session files, replays, anything read back from disk or
 * the network), with zod.
 *
 * The schema mirrors `telemetry.ts` field by field; the `satisfies`-style assignment at the bottom makes a
 * drift between the two a compile error. Objects are loose (unknown fields pass through untouched) so a
 * newer minor writer stays readable; every field the analysis reads is checked for its type, and numbers
 * must be finite (JSON cannot carry NaN, but a hand-edited file can carry a string). `parseSnapshot`
 * answers a value or the first problem as a path and a message, e.g.
 * `gpus.0.temperatureCelsius.value: expected number, received string`.
 */
import { z } from 'zod'
import { UNAVAILABLE_REASONS, type Reading, type UnavailableReason } from './reading'
import type { Snapshot } from './telemetry'

const reason = z.enum(UNAVAILABLE_REASONS as [UnavailableReason, ...UnavailableReason[]])

const unavailableSchema = z.looseObject({
  status: z.literal('unavailable'),
  reason,
  detail: z.string().optional()
})

/** Schema of a `Reading<T>` for a value schema. */
export function readingSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('status', [
    z.looseObject({ status: z.literal('ok'), value }),
    unavailableSchema
  ])
}

const num = z.number().finite()
const rNum = readingSchema(num)
const rStr = readingSchema(z.string())
const rBool = readingSchema(z.boolean())

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

const temperatureSensor = z.looseObject({
  chip: z.string(),
  chipName: z.string(),
  sensor: z.string(),
  label: z.string(),
  temperatureCelsius: rNum,
  maxCelsius: rNum,
  critCelsius: rNum,
  emergencyCelsius: rNum,
  critAlarm: rBool
})

const fanSensor = z.looseObject({
  chip: z.string(),
  sensor: z.string(),
  label: z.string(),
  rpm: rNum,
  minRpm: rNum,
  maxRpm: rNum
})

const cpuSample = z.looseObject({
  utilizationPct: rNum,
  perCoreUtilizationPct: readingSchema(z.array(num)),
  frequencies: readingSchema(
    z.array(
      z.looseObject({
        cpu: num,
        curMhz: rNum,
        minMhz: rNum,
        maxMhz: rNum,
        scalingMinMhz: rNum,
        scalingMaxMhz: rNum,
        governor: rStr,
        driver: rStr
      })
    )
  ),
  frequencyMhz: rNum,
  frequencyMaxMhz: rNum,
  governor: rStr,
  temperatures: readingSchema(z.array(temperatureSensor)),
  packageTemperatureCelsius: rNum,
  coreThrottle: readingSchema(
    z.array(
      z.looseObject({ cpu: num, packageId: num, coreId: num, count: rNum, totalTimeMs: rNum })
    )
  ),
  packageThrottle: readingSchema(
    z.array(z.looseObject({ packageId: num, count: rNum, totalTimeMs: rNum }))
  ),
  packagePowerWatts: rNum
})

const memorySample = z.looseObject({
  totalBytes: rNum,
  availableBytes: rNum,
  availableIsEstimate: z.boolean(),
  usedBytes: rNum,
  swapTotalBytes: rNum,
  swapUsedBytes: rNum,
  swapInBytesPerSec: rNum,
  swapOutBytesPerSec: rNum,
  pressureSomeAvg10Pct: rNum,
  pressureFullAvg10Pct: rNum
})

const gpuSample = z.looseObject({
  id: z.string(),
  index: z.number().int().nonnegative(),
  vendor: z.enum(['nvidia', 'amd', 'intel', 'apple', 'other']),
  name: z.string(),
  state: z.enum(['active', 'asleep']),
  utilizationPct: rNum,
  memoryUtilizationPct: rNum,
  memoryUsedBytes: rNum,
  memoryTotalBytes: rNum,
  temperatureCelsius: rNum,
  hotspotTemperatureCelsius: rNum,
  memoryTemperatureCelsius: rNum,
  temperatureHeadroomCelsius: rNum,
  powerDrawWatts: rNum,
  powerAverageWatts: rNum,
  powerInstantWatts: rNum,
  powerLimitWatts: rNum,
  clockSmMhz: rNum,
  clockGraphicsMhz: rNum,
  clockMemoryMhz: rNum,
  clockMaxSmMhz: rNum,
  clockMaxMemoryMhz: rNum,
  pcieGen: rNum,
  pcieWidth: rNum,
  pcieMaxGen: rNum,
  pcieMaxWidth: rNum,
  fanPct: rNum,
  fanRpm: rNum,
  pstate: rStr,
  throttleFlags: readingSchema(z.array(z.looseObject({ name: z.string(), cause: throttleCause }))),
  throttleMaskHex: rStr,
  throttleCountersSeconds: readingSchema(z.record(z.string(), num))
})

const smartHealth = z.looseObject({
  collectedAtMs: num,
  passed: rBool,
  temperatureCelsius: rNum,
  powerOnHours: rNum,
  criticalWarning: rNum,
  percentageUsed: rNum,
  availableSparePct: rNum,
  availableSpareThresholdPct: rNum,
  mediaErrors: rNum,
  warningTempTimeMinutes: rNum,
  criticalCompTimeMinutes: rNum,
  thermalTransitionCount: rNum,
  thermalTotalTimeSeconds: rNum,
  reallocatedSectors: rNum,
  pendingSectors: rNum
})

const storageSample = z.looseObject({
  devices: z.array(
    z.looseObject({
      name: z.string(),
      kind: z.enum(['nvme', 'sata-ssd', 'hdd', 'other']),
      readBytesPerSec: rNum,
      writeBytesPerSec: rNum,
      busyPct: rNum,
      temperatureCelsius: rNum,
      tempMaxCelsius: rNum,
      tempCritCelsius: rNum,
      extraTemperatures: z.array(z.looseObject({ label: z.string(), temperatureCelsius: num })),
      pcieGen: rNum,
      pcieWidth: rNum,
      smart: readingSchema(smartHealth)
    })
  ),
  filesystems: z.array(z.looseObject({ mount: z.string(), sizeBytes: rNum, freeBytes: rNum }))
})

const thermalSample = z.looseObject({
  chips: z.array(
    z.looseObject({
      chip: z.string(),
      chipName: z.string(),
      device: rStr,
      temperatures: z.array(temperatureSensor),
      fans: z.array(fanSensor)
    })
  ),
  zones: z.array(
    z.looseObject({
      zone: z.string(),
      type: z.string(),
      temperatureCelsius: rNum,
      trips: z.array(z.looseObject({ type: z.string(), temperatureCelsius: num }))
    })
  ),
  cooling: z.array(
    z.looseObject({ id: z.string(), type: z.string(), curState: rNum, maxState: rNum })
  )
})

const powerSample = z.looseObject({
  source: readingSchema(z.enum(['ac', 'battery'])),
  acOnline: rBool,
  batteries: z.array(
    z.looseObject({ name: z.string(), status: rStr, capacityPct: rNum, powerWatts: rNum })
  )
})

const collectorHealth = z.looseObject({
  collector: z.enum([
    'cpu',
    'memory',
    'gpu-nvidia',
    'gpu-amd',
    'gpu-intel',
    'storage',
    'thermal',
    'power',
    'si-fallback'
  ]),
  status: z.enum(['ok', 'absent', 'failed', 'timeout', 'pending']),
  lastDurationMs: num,
  lastSuccessMs: num.nullable(),
  lastError: z.string().nullable(),
  consecutiveFailures: num
})

/** The zod schema of a Snapshot (loose objects: unknown fields are kept, known ones are checked). */
export const snapshotSchema = z.looseObject({
  schemaVersion: z.number().int().positive(),
  seq: num,
  timestampMs: num,
  cpu: readingSchema(cpuSample),
  memory: readingSchema(memorySample),
  gpus: z.array(gpuSample),
  storage: readingSchema(storageSample),
  thermal: readingSchema(thermalSample),
  power: readingSchema(powerSample),
  health: z.array(collectorHealth)
})

// Compile-time check that the schema's output is a Snapshot: a field added to `telemetry.ts` without being
// added here (or typed differently) fails type-checking on this line.
type SchemaOutput = z.output<typeof snapshotSchema>
const _schemaMatchesType: (s: SchemaOutput) => Snapshot = (s) => s
void _schemaMatchesType

/** Result of {@link parseSnapshot}. */
export type SnapshotParse =
  | { ok: true; snapshot: Snapshot }
  | { ok: false; /** First problem: `path: message`. */ error: string }

/**
 * Validates an untrusted value as a Snapshot.
 *
 * On success the returned snapshot is the input object itself (not a copy), so validating a session costs
 * no extra memory; on failure the error names the first bad field.
 */
export function parseSnapshot(value: unknown): SnapshotParse {
  const r = snapshotSchema.safeParse(value)
  if (r.success) return { ok: true, snapshot: value as Snapshot }
  const issue = r.error.issues[0]
  const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(snapshot)'
  return { ok: false, error: `${path}: ${issue?.message ?? 'invalid'}` }
}

/** True when `r` is an ok reading holding a finite number (a type guard for untrusted readings). */
export function isFiniteReading(r: unknown): r is Reading<number> & { status: 'ok' } {
  return (
    typeof r === 'object' &&
    r !== null &&
    (r as { status?: unknown }).status === 'ok' &&
    typeof (r as { value?: unknown }).value === 'number' &&
    Number.isFinite((r as { value: number }).value)
  )
}
