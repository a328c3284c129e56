/**
 * Pure parser for `nvidia-smi -q -x` (static GPU facts for the Inventory, plus the values of that instant).
 *
 * Handles the schema generations seen in the field (DTD v10–v13): `clocks_throttle_reasons` vs
 * `clocks_event_reasons`, `power_readings` vs `gpu_power_readings`, `power_draw` vs
 * `average_power_draw`/`instant_power_draw`, `power_limit`/`enforced_power_limit` vs `current_power_limit`,
 * values with units and stray whitespace (`<gpu_temp> 37 C </gpu_temp>`), and `N/A` everywhere.
 * Never throws: unreadable XML is a parse-error result.
 */
import { XMLParser } from 'fast-xml-parser'
import { ok, unavailable, type Reading, type ReadingUnavailable } from '../../shared/reading'
import type { GpuInfo, ThrottleCause, ThrottleFlag } from '../../shared/telemetry'
import {
  normalizePciBusId,
  parseNvidiaNumber,
  parseNvidiaText,
  THROTTLE_BITS
} from './nvidia-smi-csv'

const MIB = 1024 * 1024

/** Values of the instant `-q -x` ran (used by tests and as a fallback, not as the live source). */
export interface NvidiaXmlCurrent {
  temperatureCelsius: Reading<number>
  memoryTemperatureCelsius: Reading<number>
  temperatureHeadroomCelsius: Reading<number>
  powerDrawWatts: Reading<number>
  powerLimitWatts: Reading<number>
  clockGraphicsMhz: Reading<number>
  clockSmMhz: Reading<number>
  clockMemoryMhz: Reading<number>
  utilizationPct: Reading<number>
  memoryUtilizationPct: Reading<number>
  memoryUsedBytes: Reading<number>
  pstate: Reading<string>
  fanPct: Reading<number>
  pcieGen: Reading<number>
  pcieWidth: Reading<number>
  /** Active reasons by NVIDIA name (`gpu_idle`, `sw_power_cap`), from whichever spelling the file uses. */
  throttleFlags: Reading<ThrottleFlag[]>
  reasonsSpelling: 'event' | 'throttle' | undefined
  /** Number of `<mig_device>` entries. */
  migDeviceCount: number
}

/** One `<gpu>` element. */
export interface NvidiaXmlGpu {
  info: GpuInfo
  current: NvidiaXmlCurrent
}

/** Result of parsing `nvidia-smi -q -x`. */
export type NvidiaXmlResult =
  | {
      ok: true
      driverVersion: Reading<string>
      cudaVersion: Reading<string>
      dtdVersion: Reading<number>
      gpus: NvidiaXmlGpu[]
    }
  | { ok: false; reason: ReadingUnavailable }

type Node = Record<string, unknown>

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Text of a leaf (fast-xml-parser yields strings, or objects when a leaf carries attributes). */
function leaf(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text']
  return undefined
}

function child(n: unknown, ...path: string[]): unknown {
  let cur: unknown = n
  for (const p of path) {
    if (!isNode(cur)) return undefined
    cur = cur[p]
  }
  return cur
}

function firstNode(n: unknown, ...names: string[]): Node | undefined {
  for (const name of names) {
    const c = child(n, name)
    if (isNode(c)) return c
  }
  return undefined
}

function missing(what: string): ReadingUnavailable {
  return unavailable('unsupported', `${what} not in nvidia-smi -q -x output`)
}

function num(n: unknown, what: string, ...path: string[]): Reading<number> {
  const text = leaf(child(n, ...path))
  return text === undefined ? missing(what) : parseNvidiaNumber(text)
}

function text(n: unknown, what: string, ...path: string[]): Reading<string> {
  const t = leaf(child(n, ...path))
  return t === undefined ? missing(what) : parseNvidiaText(t)
}

/** First ok reading among alternatives, else the first one's reason. */
function firstOk<T>(...rs: Reading<T>[]): Reading<T> {
  return (
    rs.find((r) => r.status === 'ok') ??
    rs.find((r) => r.status === 'unavailable' && r.reason !== 'unsupported') ??
    rs[0]
  )
}

function causeOf(name: string): ThrottleCause {
  return THROTTLE_BITS.find((b) => b.name === name)?.cause ?? 'other'
}

function parseReasons(gpu: Node): {
  flags: Reading<ThrottleFlag[]>
  spelling: 'event' | 'throttle' | undefined
} {
  const event = firstNode(gpu, 'clocks_event_reasons')
  const legacy = firstNode(gpu, 'clocks_throttle_reasons')
  const block = event ?? legacy
  if (!block) return { flags: missing('clock event reasons'), spelling: undefined }
  const spelling = event ? 'event' : 'throttle'
  const flags: ThrottleFlag[] = []
  for (const [k, v] of Object.entries(block)) {
    const m = /^clocks_(?:event|throttle)_reason_(.+)$/.exec(k)
    if (!m) continue
    const t = leaf(v)?.trim()
    if (t === 'Active') flags.push({ name: m[1], cause: causeOf(m[1]) })
  }
  return { flags: ok(flags), spelling }
}

/**
 * The GPU's absolute temperature thresholds, from the `<temperature>` block.
 *
 * Older drivers give them absolute (`gpu_temp_slow_threshold 95 C`). Drivers for Ada, Hopper and Blackwell
 * give them only relative to T.Limit (`gpu_temp_slow_tlimit_threshold -2 C`, `gpu_temp_max_tlimit_threshold
 * -8 C`, `gpu_temp_max_gpu_tlimit_threshold 0 C`), together with the live T.Limit margin
 * (`gpu_temp_tlimit 59 C`: how far the GPU is below T.Limit) and the GPU temperature (`gpu_temp 28 C`). T.Limit
 * itself is then `gpu_temp + gpu_temp_tlimit` (87 °C) and the GPU slows down when its margin falls to the
 * slowdown offset, i.e. at `T.Limit − offset` (89 °C); shutdown and max operating likewise (NVML
 * `NVML_FI_DEV_TEMPERATURE_{SHUTDOWN,SLOWDOWN,GPU_MAX}_TLIMIT`; the live margin is
 * `nvmlDeviceGetMarginTemperature`). Derived values are anchored at the instant `-q -x` ran and carry
 * `tempThresholdSource: 'tlimit'`. The driver's T.Limit sensor is not the one `gpu_temp` reads (H200 captures:
 * T.Limit 87 °C at idle, 82 °C under load in `gpu_temp` terms), so a threshold anchored at idle is an upper
 * estimate of the `gpu_temp` at which the limit is hit under load; the live margin
 * (`temperature.gpu.tlimit`) stays the exact signal, and the offsets are kept as reported.
 *
 * The memory limit cannot be derived: the driver gives it relative to T.Limit without a memory T.Limit reading.
 */
export function temperatureThresholds(
  temps: unknown
): Pick<
  GpuInfo,
  | 'tempSlowdownCelsius'
  | 'tempShutdownCelsius'
  | 'tempMaxOperatingCelsius'
  | 'tempMemoryMaxCelsius'
  | 'tlimitSlowdownOffsetCelsius'
  | 'tlimitShutdownOffsetCelsius'
  | 'tlimitMaxOperatingOffsetCelsius'
  | 'tempThresholdSource'
> {
  const gpuTemp = num(temps, 'gpu_temp', 'gpu_temp')
  const margin = num(temps, 'gpu_temp_tlimit', 'gpu_temp_tlimit')
  const tlimitCelsius =
    gpuTemp.status === 'ok' && margin.status === 'ok' ? gpuTemp.value + margin.value : undefined
  let derived = false
  let absolute = false
  const threshold = (absKey: string, offKey: string, what: string) => {
    const abs = num(temps, what, absKey)
    const offset = num(temps, `${what} relative to T.Limit`, offKey)
    let value: Reading<number> = abs
    if (abs.status === 'ok') absolute = true
    else if (offset.status === 'ok' && tlimitCelsius !== undefined) {
      value = ok(tlimitCelsius - offset.value)
      derived = true
    } else if (offset.status === 'ok') {
      value = unavailable(
        'unsupported',
        `the driver gives the ${what} only relative to T.Limit (${offset.value} °C) and no T.Limit reading to anchor it`
      )
    }
    return { value, offset }
  }
  const slow = threshold(
    'gpu_temp_slow_threshold',
    'gpu_temp_slow_tlimit_threshold',
    'slowdown temperature'
  )
  const shut = threshold(
    'gpu_temp_max_threshold',
    'gpu_temp_max_tlimit_threshold',
    'shutdown temperature'
  )
  const maxOp = threshold(
    'gpu_temp_max_gpu_threshold',
    'gpu_temp_max_gpu_tlimit_threshold',
    'max operating temperature'
  )
  let mem = num(temps, 'memory max temperature', 'gpu_temp_max_mem_threshold')
  const memOffset = num(
    temps,
    'memory max relative to T.Limit',
    'gpu_temp_max_mem_tlimit_threshold'
  )
  if (mem.status !== 'ok' && memOffset.status === 'ok')
    mem = unavailable(
      'unsupported',
      `the driver gives the memory limit only relative to T.Limit (${memOffset.value} °C), with no memory T.Limit reading to anchor it`
    )
  const offsets =
    slow.offset.status === 'ok' || shut.offset.status === 'ok' || maxOp.offset.status === 'ok'
      ? {
          tlimitSlowdownOffsetCelsius: slow.offset,
          tlimitShutdownOffsetCelsius: shut.offset,
          tlimitMaxOperatingOffsetCelsius: maxOp.offset
        }
      : {}
  return {
    tempSlowdownCelsius: slow.value,
    tempShutdownCelsius: shut.value,
    tempMaxOperatingCelsius: maxOp.value,
    tempMemoryMaxCelsius: mem,
    ...offsets,
    ...(derived && !absolute
      ? { tempThresholdSource: 'tlimit' as const }
      : absolute
        ? { tempThresholdSource: 'driver' as const }
        : {})
  }
}

function parseGpu(
  gpu: Node,
  position: number,
  driverVersion: Reading<string>,
  cudaVersion: Reading<string>
): NvidiaXmlGpu {
  const idAttr = leaf(gpu['@_id'])
  const busText = leaf(child(gpu, 'pci', 'pci_bus_id')) ?? idAttr
  const busId = normalizePciBusId(busText)
  const power = firstNode(gpu, 'gpu_power_readings', 'power_readings')
  const link = child(gpu, 'pci', 'pci_gpu_link_info')
  const temps = child(gpu, 'temperature')
  const migText = leaf(child(gpu, 'mig_mode', 'current_mig'))?.trim()
  const migEnabled: Reading<boolean> =
    migText === 'Enabled'
      ? ok(true)
      : migText === 'Disabled'
        ? ok(false)
        : migText === undefined
          ? missing('mig_mode')
          : unavailable('unsupported', migText)
  const migDevices = child(gpu, 'mig_devices', 'mig_device')
  const migDeviceCount = Array.isArray(migDevices) ? migDevices.length : isNode(migDevices) ? 1 : 0
  const name = parseNvidiaText(leaf(gpu['product_name']))
  const reasons = parseReasons(gpu)

  const info: GpuInfo = {
    id: `nvidia:${busId ?? position}`,
    index: position,
    vendor: 'nvidia',
    name: name.status === 'ok' ? name.value : 'NVIDIA GPU',
    uuid: text(gpu, 'uuid', 'uuid'),
    pciBusId:
      busId !== undefined
        ? ok(busId)
        : busText !== undefined
          ? unavailable('parse-error', busText)
          : missing('pci_bus_id'),
    memoryTotalBytes: (() => {
      const r = num(gpu, 'fb_memory_usage', 'fb_memory_usage', 'total')
      return r.status === 'ok' ? ok(r.value * MIB) : r
    })(),
    driverVersion,
    runtimeVersion: cudaVersion,
    computeCapability: unavailable(
      'unsupported',
      'not in nvidia-smi -q -x output (query compute_cap)'
    ),
    gfxTarget: unavailable('not-applicable', 'gfx target is an AMD concept'),
    clockMaxSmMhz: num(gpu, 'max sm clock', 'max_clocks', 'sm_clock'),
    clockMaxGraphicsMhz: num(gpu, 'max graphics clock', 'max_clocks', 'graphics_clock'),
    clockMaxMemoryMhz: num(gpu, 'max memory clock', 'max_clocks', 'mem_clock'),
    pcieMaxGen: num(link, 'max PCIe generation', 'pcie_gen', 'max_link_gen'),
    pcieMaxWidth: num(link, 'max PCIe width', 'link_widths', 'max_link_width'),
    pcieGpuMaxGen: num(link, 'GPU max PCIe generation', 'pcie_gen', 'max_device_link_gen'),
    pcieHostMaxGen: num(link, 'host max PCIe generation', 'pcie_gen', 'max_host_link_gen'),
    powerDefaultLimitWatts: num(power, 'default power limit', 'default_power_limit'),
    powerMinLimitWatts: num(power, 'min power limit', 'min_power_limit'),
    powerMaxLimitWatts: num(power, 'max power limit', 'max_power_limit'),
    ...temperatureThresholds(temps),
    migEnabled,
    integrated: false
  }

  const current: NvidiaXmlCurrent = {
    temperatureCelsius: num(temps, 'gpu_temp', 'gpu_temp'),
    memoryTemperatureCelsius: num(temps, 'memory_temp', 'memory_temp'),
    temperatureHeadroomCelsius: num(temps, 'gpu_temp_tlimit', 'gpu_temp_tlimit'),
    powerDrawWatts: firstOk(
      num(power, 'power_draw', 'power_draw'),
      num(power, 'average_power_draw', 'average_power_draw'),
      num(power, 'instant_power_draw', 'instant_power_draw')
    ),
    powerLimitWatts: firstOk(
      num(power, 'current_power_limit', 'current_power_limit'),
      num(power, 'enforced_power_limit', 'enforced_power_limit'),
      num(power, 'power_limit', 'power_limit')
    ),
    clockGraphicsMhz: num(gpu, 'graphics clock', 'clocks', 'graphics_clock'),
    clockSmMhz: num(gpu, 'sm clock', 'clocks', 'sm_clock'),
    clockMemoryMhz: num(gpu, 'memory clock', 'clocks', 'mem_clock'),
    utilizationPct: num(gpu, 'gpu utilization', 'utilization', 'gpu_util'),
    memoryUtilizationPct: num(gpu, 'memory utilization', 'utilization', 'memory_util'),
    memoryUsedBytes: (() => {
      const r = num(gpu, 'fb used', 'fb_memory_usage', 'used')
      return r.status === 'ok' ? ok(r.value * MIB) : r
    })(),
    pstate: firstOk(
      text(gpu, 'performance_state', 'performance_state'),
      text(power, 'power_state', 'power_state')
    ),
    fanPct: num(gpu, 'fan_speed', 'fan_speed'),
    pcieGen: num(link, 'current PCIe generation', 'pcie_gen', 'current_link_gen'),
    pcieWidth: num(link, 'current PCIe width', 'link_widths', 'current_link_width'),
    throttleFlags: reasons.flags,
    reasonsSpelling: reasons.spelling,
    migDeviceCount
  }
  return { info, current }
}

/**
 * Parses `nvidia-smi -q -x` output.
 *
 * Source: `nvidia-smi -q -x`. GPUs keep document order as their index (nvidia-smi lists them by PCI bus
 * id, which is also its default index order).
 */
export function parseNvidiaSmiXml(xml: string): NvidiaXmlResult {
  if (typeof xml !== 'string' || xml.trim() === '')
    return { ok: false, reason: unavailable('parse-error', 'empty output') }
  let doc: unknown
  try {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: false,
      isArray: (name) => name === 'gpu' || name === 'mig_device'
    })
    doc = parser.parse(xml)
  } catch (err) {
    return {
      ok: false,
      reason: unavailable(
        'parse-error',
        `not XML: ${String((err as Error)?.message ?? err).slice(0, 200)}`
      )
    }
  }
  const root = child(doc, 'nvidia_smi_log')
  if (!isNode(root))
    return { ok: false, reason: unavailable('parse-error', 'no <nvidia_smi_log> element') }
  const driverVersion = text(root, 'driver_version', 'driver_version')
  const cudaVersion = text(root, 'cuda_version', 'cuda_version')
  const dtd = /nvsmi_device_v(\d+)\.dtd/.exec(xml.slice(0, 500))
  const dtdVersion: Reading<number> = dtd
    ? ok(Number(dtd[1]))
    : unavailable('unsupported', 'no DTD line')
  const list = root['gpu']
  const gpus = (Array.isArray(list) ? list : [])
    .filter(isNode)
    .map((g, i) => parseGpu(g, i, driverVersion, cudaVersion))
  return { ok: true, driverVersion, cudaVersion, dtdVersion, gpus }
}
