/**
 * Pure parsers for `nvidia-smi --help-query-gpu` and `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`.
 *
 * The live field list is negotiated against the driver's own field catalogue, because drivers rename fields
 * (`clocks_throttle_reasons.*` became `clocks_event_reasons.*` in R535, `pcie.link.gen.current` is deprecated
 * in favour of `gpucurrent`) and add new ones (`power.draw.instant`, `temperature.gpu.tlimit`, the µs
 * counters). Asking for a field the driver does not know makes nvidia-smi reject the whole query, so only
 * catalogue fields are requested. Nothing here throws on garbage input.
 */
import { ok, unavailable, type Reading, type ReadingUnavailable } from '../../shared/reading'
import { classifyThrottleReason } from '../../shared/throttle-causes'
import {
  emptyGpuInfo,
  type GpuInfo,
  type GpuSample,
  type ThrottleCause,
  type ThrottleFlag
} from '../../shared/telemetry'

const MIB = 1024 * 1024

/**
 * Field catalogue from `nvidia-smi --help-query-gpu`.
 *
 * Each entry line looks like `"clocks.current.sm" or "clocks.sm"`; `groups` holds every spelling of one
 * field, `known` every spelling.
 */
export interface FieldCatalogue {
  known: Set<string>
  groups: string[][]
}

/**
 * Parses `nvidia-smi --help-query-gpu` output into a field catalogue.
 *
 * Only lines made of quoted names joined by `or` count as entries, so descriptions that quote a format
 * (`"YYYY/MM/DD HH:MM:SS.msec"`) are not mistaken for fields.
 */
export function parseHelpQueryGpu(text: string): FieldCatalogue {
  const known = new Set<string>()
  const groups: string[][] = []
  if (typeof text !== 'string') return { known, groups }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!/^"[A-Za-z0-9_.]+"(\s+or\s+"[A-Za-z0-9_.]+")*$/.test(line)) continue
    const names = [...line.matchAll(/"([A-Za-z0-9_.]+)"/g)].map((m) => m[1])
    groups.push(names)
    for (const n of names) known.add(n)
  }
  return { known, groups }
}

/** Logical live fields the collector asks for, each with its accepted spellings in order of preference. */
export const LIVE_FIELD_CANDIDATES = {
  index: ['index'],
  uuid: ['uuid', 'gpu_uuid'],
  busId: ['pci.bus_id', 'gpu_bus_id'],
  pstate: ['pstate'],
  fanPct: ['fan.speed'],
  throttleActive: ['clocks_event_reasons.active', 'clocks_throttle_reasons.active'],
  counterSwPowerCap: ['clocks_event_reasons_counters.sw_power_cap'],
  counterSyncBoost: ['clocks_event_reasons_counters.sync_boost'],
  counterSwThermal: ['clocks_event_reasons_counters.sw_thermal_slowdown'],
  counterHwThermal: ['clocks_event_reasons_counters.hw_thermal_slowdown'],
  counterHwPowerBrake: ['clocks_event_reasons_counters.hw_power_brake_slowdown'],
  memoryUsedMib: ['memory.used'],
  memoryTotalMib: ['memory.total'],
  utilizationGpuPct: ['utilization.gpu'],
  utilizationMemoryPct: ['utilization.memory'],
  temperatureGpuC: ['temperature.gpu'],
  temperatureMemoryC: ['temperature.memory'],
  temperatureTlimitC: ['temperature.gpu.tlimit'],
  powerDrawW: ['power.draw'],
  powerDrawAverageW: ['power.draw.average', 'gpu.power.draw.average'],
  powerDrawInstantW: ['power.draw.instant', 'gpu.power.draw.instant'],
  powerLimitW: ['enforced.power.limit', 'gpu.power.current_limit'],
  clockSmMhz: ['clocks.sm', 'clocks.current.sm'],
  clockGraphicsMhz: ['clocks.gr', 'clocks.current.graphics'],
  clockMemoryMhz: ['clocks.mem', 'clocks.current.memory'],
  clockMaxSmMhz: ['clocks.max.sm'],
  clockMaxMemoryMhz: ['clocks.max.mem', 'clocks.max.memory'],
  pcieGen: ['pcie.link.gen.gpucurrent', 'pcie.link.gen.current'],
  pcieWidth: ['pcie.link.width.current'],
  pcieMaxGen: ['pcie.link.gen.max'],
  pcieMaxWidth: ['pcie.link.width.max']
} as const satisfies Record<string, readonly string[]>

/** A logical live field. */
export type LiveField = keyof typeof LIVE_FIELD_CANDIDATES

/** Reason name (NVIDIA's own) for each µs counter field. */
export const COUNTER_FIELDS: Partial<Record<LiveField, string>> = {
  counterSwPowerCap: 'sw_power_cap',
  counterSyncBoost: 'sync_boost',
  counterSwThermal: 'sw_thermal_slowdown',
  counterHwThermal: 'hw_thermal_slowdown',
  counterHwPowerBrake: 'hw_power_brake_slowdown'
}

/** Result of negotiating the live field list. */
export interface NegotiatedFields {
  /** Spellings to pass to `--query-gpu`, in order. */
  query: string[]
  /** Column index of each logical field that the driver supports. */
  column: Partial<Record<LiveField, number>>
  /** Logical fields the driver does not know. */
  missing: LiveField[]
  /** `event` (R535+) or `throttle` (legacy spelling), or undefined when neither exists. */
  reasonsSpelling: 'event' | 'throttle' | undefined
}

/**
 * Picks, for each logical live field, the first spelling the driver's catalogue knows.
 *
 * `index` is always requested (every driver has it) because rows are grouped by it.
 */
export function negotiateFields(catalogue: FieldCatalogue): NegotiatedFields {
  const query: string[] = []
  const column: Partial<Record<LiveField, number>> = {}
  const missing: LiveField[] = []
  let reasonsSpelling: NegotiatedFields['reasonsSpelling']
  for (const [key, candidates] of Object.entries(LIVE_FIELD_CANDIDATES) as [
    LiveField,
    readonly string[]
  ][]) {
    const pick = key === 'index' ? 'index' : candidates.find((c) => catalogue.known.has(c))
    if (pick === undefined) {
      missing.push(key)
      continue
    }
    if (key === 'throttleActive')
      reasonsSpelling = pick.startsWith('clocks_event_reasons') ? 'event' : 'throttle'
    column[key] = query.length
    query.push(pick)
  }
  return { query, column, missing, reasonsSpelling }
}

/** Raw cell texts nvidia-smi prints for values it cannot give. */
const UNAVAILABLE_CELL =
  /^(?:N\/A|\[N\/A\]|\[Not Supported\]|\[Unknown Error\]|\[GPU requires reset\]|\[GPU is lost\]|\[Insufficient Permissions\]|\[Requested functionality has been deprecated\]|Not Supported|Unknown Error)$/i

/**
 * Parses one nvidia-smi value (`631.95`, `631.95 W`, ` 37 C `, `16x`, `19818 MiB`) as a number.
 *
 * `N/A`-style cells become unavailable('unsupported', cell); text that is not a number becomes
 * unavailable('parse-error').
 */
export function parseNvidiaNumber(cell: string | undefined): Reading<number> {
  if (typeof cell !== 'string') return unavailable('unsupported', 'field not reported')
  const t = cell.trim()
  if (t === '') return unavailable('unsupported', 'empty value')
  if (UNAVAILABLE_CELL.test(t) || /^\[.*\]$/.test(t))
    return unavailable('unsupported', `nvidia-smi reports ${t}`)
  const m = /^(-?\d+(?:\.\d+)?)\s*(?:x|[A-Za-z%/]+)?$/.exec(t)
  if (!m) return unavailable('parse-error', `not a number: ${t.slice(0, 80)}`)
  const n = Number(m[1])
  return Number.isFinite(n) ? ok(n) : unavailable('parse-error', `not a number: ${t.slice(0, 80)}`)
}

/** Parses a text cell (`P0`, a UUID); `N/A`-style cells become unavailable('unsupported'). */
export function parseNvidiaText(cell: string | undefined): Reading<string> {
  if (typeof cell !== 'string') return unavailable('unsupported', 'field not reported')
  const t = cell.trim()
  if (t === '') return unavailable('unsupported', 'empty value')
  if (UNAVAILABLE_CELL.test(t) || /^\[.*\]$/.test(t))
    return unavailable('unsupported', `nvidia-smi reports ${t}`)
  return ok(t)
}

/**
 * NVIDIA clock-event reason bits (NVML `nvmlClocksEventReason*`), in bit order, with their cause class.
 *
 * Source: NVML API reference, "Clock Event Reasons"; `nvidia-smi --help-query-gpu` (`clocks_event_reasons.*`).
 */
export const THROTTLE_BITS: readonly { bit: number; name: string; cause: ThrottleCause }[] = [
  { bit: 0x001, name: 'gpu_idle' },
  { bit: 0x002, name: 'applications_clocks_setting' },
  { bit: 0x004, name: 'sw_power_cap' },
  { bit: 0x008, name: 'hw_slowdown' },
  { bit: 0x010, name: 'sync_boost' },
  { bit: 0x020, name: 'sw_thermal_slowdown' },
  { bit: 0x040, name: 'hw_thermal_slowdown' },
  { bit: 0x080, name: 'hw_power_brake_slowdown' },
  { bit: 0x100, name: 'display_clock_setting' }
].map((b) => ({ ...b, cause: classifyThrottleReason(b.name) }))

/**
 * Decodes the `clocks_event_reasons.active` mask (`0x0000000000000024`) into flags.
 *
 * Unknown bits are reported as `bit_0x…` with cause `other`, so a new driver reason is never silently lost.
 */
export function decodeThrottleMask(
  cell: string | undefined
): Reading<{ hex: string; flags: ThrottleFlag[] }> {
  const text = parseNvidiaText(cell)
  if (text.status !== 'ok') return text
  const t = text.value
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(t))
    return unavailable('parse-error', `not a hex mask: ${t.slice(0, 80)}`)
  const mask = BigInt(t)
  const flags: ThrottleFlag[] = []
  let rest = mask
  for (const b of THROTTLE_BITS) {
    if ((mask & BigInt(b.bit)) !== 0n) flags.push({ name: b.name, cause: b.cause })
    rest &= ~BigInt(b.bit)
  }
  for (let i = 0n; rest !== 0n && i < 64n; i++) {
    const bit = 1n << i
    if ((rest & bit) !== 0n) {
      flags.push({ name: `bit_0x${bit.toString(16)}`, cause: 'other' })
      rest &= ~bit
    }
  }
  return ok({ hex: t, flags })
}

/**
 * Splits one `--format=csv,noheader,nounits` line into cells.
 *
 * Returns undefined when the cell count does not match the requested field count (an error message or a
 * torn line on stdout), so a bad line is dropped instead of shifting every column.
 */
export function splitCsvLine(line: string, fieldCount: number): string[] | undefined {
  if (typeof line !== 'string' || fieldCount <= 0) return undefined
  const cells = line.split(',').map((c) => c.trim())
  return cells.length === fieldCount ? cells : undefined
}

/** One GPU's live values from one CSV row, already in base units where the unit is in the name. */
export interface NvidiaLiveRow extends Pick<
  GpuSample,
  | 'pstate'
  | 'fanPct'
  | 'utilizationPct'
  | 'memoryUtilizationPct'
  | 'memoryUsedBytes'
  | 'memoryTotalBytes'
  | 'temperatureCelsius'
  | 'memoryTemperatureCelsius'
  | 'temperatureHeadroomCelsius'
  | 'powerDrawWatts'
  | 'powerAverageWatts'
  | 'powerInstantWatts'
  | 'powerLimitWatts'
  | 'clockSmMhz'
  | 'clockGraphicsMhz'
  | 'clockMemoryMhz'
  | 'clockMaxSmMhz'
  | 'clockMaxMemoryMhz'
  | 'pcieGen'
  | 'pcieWidth'
  | 'pcieMaxGen'
  | 'pcieMaxWidth'
  | 'throttleFlags'
  | 'throttleMaskHex'
  | 'throttleCountersSeconds'
> {
  index: number
  uuid: Reading<string>
  busId: Reading<string>
}

/**
 * Parses one stream line against the negotiated fields.
 *
 * Returns undefined for lines that are not a row (wrong cell count, or no integer GPU index).
 */
export function parseNvidiaSmiCsvRow(
  line: string,
  fields: NegotiatedFields
): NvidiaLiveRow | undefined {
  const cells = splitCsvLine(line, fields.query.length)
  if (!cells) return undefined
  const cell = (k: LiveField): string | undefined => {
    const i = fields.column[k]
    return i === undefined ? undefined : cells[i]
  }
  const num = (k: LiveField, scale = 1): Reading<number> => {
    if (fields.column[k] === undefined)
      return unavailable('unsupported', `driver has no ${LIVE_FIELD_CANDIDATES[k][0]} field`)
    const r = parseNvidiaNumber(cell(k))
    return r.status === 'ok' ? ok(r.value * scale) : r
  }
  const idx = parseNvidiaNumber(cell('index'))
  if (idx.status !== 'ok' || !Number.isInteger(idx.value) || idx.value < 0) return undefined

  let throttleFlags: Reading<ThrottleFlag[]>
  let throttleMaskHex: Reading<string>
  if (fields.column.throttleActive === undefined) {
    throttleFlags = throttleMaskHex = unavailable(
      'unsupported',
      'driver reports no clock event reasons'
    )
  } else {
    const mask = decodeThrottleMask(cell('throttleActive'))
    throttleFlags = mask.status === 'ok' ? ok(mask.value.flags) : mask
    throttleMaskHex = mask.status === 'ok' ? ok(mask.value.hex) : mask
  }

  const counters: Record<string, number> = {}
  let counterReason: Reading<never> | undefined
  for (const [k, name] of Object.entries(COUNTER_FIELDS) as [LiveField, string][]) {
    if (fields.column[k] === undefined) continue
    const r = parseNvidiaNumber(cell(k))
    if (r.status === 'ok') counters[name] = r.value / 1e6
    else counterReason ??= r
  }
  const throttleCountersSeconds: Reading<Record<string, number>> =
    Object.keys(counters).length > 0
      ? ok(counters)
      : (counterReason ??
        unavailable('unsupported', 'driver has no clocks_event_reasons_counters fields'))

  const powerDraw = num('powerDrawW')
  const powerAverage = num('powerDrawAverageW')
  const powerInstant = num('powerDrawInstantW')
  return {
    index: idx.value,
    uuid:
      fields.column.uuid === undefined
        ? unavailable('unsupported', 'no uuid field')
        : parseNvidiaText(cell('uuid')),
    busId:
      fields.column.busId === undefined
        ? unavailable('unsupported', 'no pci.bus_id field')
        : parseNvidiaText(cell('busId')),
    pstate:
      fields.column.pstate === undefined
        ? unavailable('unsupported', 'no pstate field')
        : parseNvidiaText(cell('pstate')),
    fanPct: num('fanPct'),
    utilizationPct: num('utilizationGpuPct'),
    memoryUtilizationPct: num('utilizationMemoryPct'),
    memoryUsedBytes: num('memoryUsedMib', MIB),
    memoryTotalBytes: num('memoryTotalMib', MIB),
    temperatureCelsius: num('temperatureGpuC'),
    memoryTemperatureCelsius: num('temperatureMemoryC'),
    temperatureHeadroomCelsius: num('temperatureTlimitC'),
    // Newer drivers print N/A for power.draw on some boards while the average/instant fields work.
    powerDrawWatts:
      powerDraw.status === 'ok'
        ? powerDraw
        : powerAverage.status === 'ok'
          ? powerAverage
          : powerInstant.status === 'ok'
            ? powerInstant
            : powerDraw,
    powerAverageWatts: powerAverage,
    powerInstantWatts: powerInstant,
    powerLimitWatts: num('powerLimitW'),
    clockSmMhz: num('clockSmMhz'),
    clockGraphicsMhz: num('clockGraphicsMhz'),
    clockMemoryMhz: num('clockMemoryMhz'),
    clockMaxSmMhz: num('clockMaxSmMhz'),
    clockMaxMemoryMhz: num('clockMaxMemoryMhz'),
    pcieGen: num('pcieGen'),
    pcieWidth: num('pcieWidth'),
    pcieMaxGen: num('pcieMaxGen'),
    pcieMaxWidth: num('pcieMaxWidth'),
    throttleFlags,
    throttleMaskHex,
    throttleCountersSeconds
  }
}

/**
 * Normalises a PCI bus id to the sysfs form `0000:01:00.0` (nvidia-smi prints an 8-digit domain,
 * `00000000:01:00.0`), lower case. Returns undefined for text that is not a bus id.
 */
export function normalizePciBusId(text: string | undefined): string | undefined {
  if (typeof text !== 'string') return undefined
  const m = /^([0-9a-fA-F]{1,8}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/.exec(text.trim())
  if (!m) return undefined
  const domain = m[1].slice(-4).padStart(4, '0')
  return `${domain}:${m[2].padStart(2, '0')}:${m[3].padStart(2, '0')}.${m[4]}`.toLowerCase()
}

// ---------------------------------------------------------------------------------------------------------
// Inventory from --query-gpu (the fast path, and the fallback when -q -x fails or times out)
// ---------------------------------------------------------------------------------------------------------

/**
 * Static facts `--query-gpu` can give, each with its accepted spellings. `-q -x` is 10–20× slower and hangs on
 * some boxes; these fields alone give name, UUID, bus id, memory, clocks, limits and link maxima. What only the
 * XML has (temperature thresholds, the CUDA version) is listed in `XML_ONLY_INFO_FIELDS`.
 */
export const INVENTORY_FIELD_CANDIDATES = {
  index: ['index'],
  busId: ['pci.bus_id', 'gpu_bus_id'],
  uuid: ['uuid', 'gpu_uuid'],
  name: ['name', 'gpu_name'],
  memoryTotalMib: ['memory.total'],
  driverVersion: ['driver_version'],
  computeCap: ['compute_cap'],
  vbiosVersion: ['vbios_version'],
  clockMaxSmMhz: ['clocks.max.sm'],
  clockMaxGraphicsMhz: ['clocks.max.graphics', 'clocks.max.gr'],
  clockMaxMemoryMhz: ['clocks.max.memory', 'clocks.max.mem'],
  pcieMaxGen: ['pcie.link.gen.max'],
  pcieMaxWidth: ['pcie.link.width.max'],
  pcieGpuMaxGen: ['pcie.link.gen.gpumax'],
  pcieHostMaxGen: ['pcie.link.gen.hostmax'],
  powerDefaultLimitW: ['power.default_limit'],
  powerMinLimitW: ['power.min_limit'],
  powerMaxLimitW: ['power.max_limit'],
  migMode: ['mig.mode.current']
} as const satisfies Record<string, readonly string[]>

/** A logical inventory field. */
export type InventoryField = keyof typeof INVENTORY_FIELD_CANDIDATES

/** GpuInfo fields that only `nvidia-smi -q -x` reports (no `--query-gpu` field exists for them). */
export const XML_ONLY_INFO_FIELDS = [
  'runtimeVersion',
  'tempSlowdownCelsius',
  'tempShutdownCelsius',
  'tempMaxOperatingCelsius',
  'tempMemoryMaxCelsius'
] as const satisfies readonly (keyof GpuInfo)[]

/** The negotiated inventory query: spellings to request and the column of each logical field. */
export interface NegotiatedInventoryFields {
  query: string[]
  column: Partial<Record<InventoryField, number>>
  missing: InventoryField[]
}

/** Picks, for each inventory field, the first spelling the driver's catalogue knows (`index` always). */
export function negotiateInventoryFields(catalogue: FieldCatalogue): NegotiatedInventoryFields {
  const query: string[] = []
  const column: Partial<Record<InventoryField, number>> = {}
  const missing: InventoryField[] = []
  for (const [key, candidates] of Object.entries(INVENTORY_FIELD_CANDIDATES) as [
    InventoryField,
    readonly string[]
  ][]) {
    const pick = key === 'index' ? 'index' : candidates.find((c) => catalogue.known.has(c))
    if (pick === undefined) {
      missing.push(key)
      continue
    }
    column[key] = query.length
    query.push(pick)
  }
  return { query, column, missing }
}

/** One GPU's static facts from the inventory query, before the XML (if any) is merged in. */
export interface NvidiaQueryGpu {
  index: number
  /** sysfs-form bus id (`0000:01:00.0`), or undefined when the driver did not give one. */
  busId: string | undefined
  info: GpuInfo
}

/**
 * Parses the output of `--query-gpu=<negotiated inventory fields> --format=csv,noheader,nounits` into GpuInfo
 * records. Fields only the XML has are set to `xmlOnly` (why the XML is not there, or that it is still to be
 * merged). Lines that are not rows are skipped; never throws.
 */
export function parseNvidiaInventoryCsv(
  text: string,
  fields: NegotiatedInventoryFields,
  xmlOnly: ReadingUnavailable
): NvidiaQueryGpu[] {
  if (typeof text !== 'string') return []
  const out: NvidiaQueryGpu[] = []
  for (const line of text.split(/\r?\n/)) {
    const cells = splitCsvLine(line, fields.query.length)
    if (!cells) continue
    const cell = (k: InventoryField): string | undefined => {
      const i = fields.column[k]
      return i === undefined ? undefined : cells[i]
    }
    const noField = (k: InventoryField): ReadingUnavailable =>
      unavailable('unsupported', `driver has no ${INVENTORY_FIELD_CANDIDATES[k][0]} field`)
    const num = (k: InventoryField, factor = 1): Reading<number> => {
      if (fields.column[k] === undefined) return noField(k)
      const r = parseNvidiaNumber(cell(k))
      return r.status === 'ok' ? ok(r.value * factor) : r
    }
    const text = (k: InventoryField): Reading<string> =>
      fields.column[k] === undefined ? noField(k) : parseNvidiaText(cell(k))
    const idx = parseNvidiaNumber(cell('index'))
    if (idx.status !== 'ok' || !Number.isInteger(idx.value) || idx.value < 0) continue
    const busText = text('busId')
    const busId = busText.status === 'ok' ? normalizePciBusId(busText.value) : undefined
    const name = text('name')
    const mig = text('migMode')
    const info: GpuInfo = {
      ...emptyGpuInfo(
        {
          id: `nvidia:${busId ?? idx.value}`,
          index: idx.value,
          vendor: 'nvidia',
          name: name.status === 'ok' ? name.value : 'NVIDIA GPU'
        },
        xmlOnly
      ),
      uuid: text('uuid'),
      pciBusId:
        busId !== undefined
          ? ok(busId)
          : busText.status === 'ok'
            ? unavailable('parse-error', `not a PCI bus id: ${busText.value.slice(0, 40)}`)
            : busText,
      memoryTotalBytes: num('memoryTotalMib', MIB),
      driverVersion: text('driverVersion'),
      computeCapability: text('computeCap'),
      gfxTarget: unavailable('not-applicable', 'gfx target is an AMD concept'),
      clockMaxSmMhz: num('clockMaxSmMhz'),
      clockMaxGraphicsMhz: num('clockMaxGraphicsMhz'),
      clockMaxMemoryMhz: num('clockMaxMemoryMhz'),
      pcieMaxGen: num('pcieMaxGen'),
      pcieMaxWidth: num('pcieMaxWidth'),
      pcieGpuMaxGen: num('pcieGpuMaxGen'),
      pcieHostMaxGen: num('pcieHostMaxGen'),
      powerDefaultLimitWatts: num('powerDefaultLimitW'),
      powerMinLimitWatts: num('powerMinLimitW'),
      powerMaxLimitWatts: num('powerMaxLimitW'),
      migEnabled:
        mig.status !== 'ok'
          ? mig
          : mig.value === 'Enabled'
            ? ok(true)
            : mig.value === 'Disabled'
              ? ok(false)
              : unavailable('parse-error', `mig.mode.current: ${mig.value.slice(0, 40)}`),
      vbiosVersion: text('vbiosVersion')
    }
    out.push({ index: idx.value, busId, info })
  }
  return out
}

/**
 * Fills the readings `base` lacks from `extra` (same GPU): an ok reading in `extra` replaces an unavailable
 * one in `base`; ok readings in `base` are kept. Used to add `--query-gpu` facts (compute_cap, gpumax) to the
 * XML inventory.
 */
export function fillGpuInfo(base: GpuInfo, extra: GpuInfo): GpuInfo {
  const out = { ...base } as unknown as Record<string, unknown>
  for (const [k, v] of Object.entries(extra)) {
    const cur = out[k] as Reading<unknown> | undefined
    const isReading = (x: unknown): x is Reading<unknown> =>
      typeof x === 'object' && x !== null && 'status' in x
    if (!isReading(v) || v.status !== 'ok') continue
    if (cur === undefined || (isReading(cur) && cur.status !== 'ok')) out[k] = v
  }
  return out as unknown as GpuInfo
}
