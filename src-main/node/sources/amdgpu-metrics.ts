/**
 * Decoder for amdgpu's binary `gpu_metrics` sysfs file (`/sys/class/drm/cardN/device/gpu_metrics`).
 *
 * The file is a little-endian C struct from the kernel's `kgd_pp_interface.h`, naturally aligned, that starts
 * with a header `{ u16 structure_size; u8 format_revision; u8 content_revision }`. Format 1 is the dGPU
 * layout, format 2 and 3 are APU layouts. Supported here:
 *
 * | version | used by | decoded |
 * |---|---|---|
 * | 1.1, 1.2, 1.3 | RDNA1-4 / Vega20 dGPUs | temperatures (°C), activity (%), socket power (W), clocks, fan, PCIe, throttle; `indep_throttle_status` from 1.3 |
 * | 2.1, 2.2, 2.3, 2.4 | Renoir … Raphael/Granite Ridge APUs | gfx/soc temperatures (centi-°C), socket power (W), gfx power (mW), clocks; `indep_throttle_status` from 2.2 |
 * | 3.0 | Phoenix / Strix APUs | gfx/soc/skin temperatures (centi-°C), socket and gfx power (mW), clocks; no throttle bitmask |
 *
 * 1.0 and 2.0 (not naturally aligned, superseded upstream) and 1.4/1.5 (MI200/MI300 datacenter layouts) are
 * reported as unsupported rather than guessed. The kernel fills fields the firmware does not provide with
 * all-ones, so 0xFFFF / 0xFFFFFFFF / all-ones u64 decode as unavailable.
 *
 * Pure and total: any byte string yields a result, never an exception.
 */
import { ok, unavailable, valueOf, type Reading } from '../../shared/reading'
import type { ThrottleFlag } from '../../shared/telemetry'

/** The common header of every gpu_metrics version. */
export interface GpuMetricsHeader {
  structureSizeBytes: number
  formatRevision: number
  contentRevision: number
}

/** Values decoded from one gpu_metrics blob, already converted to the project's units. */
export interface GpuMetrics {
  header: GpuMetricsHeader
  /** `1.3`, `2.1`, … */
  version: string
  /** Format 1 is the dGPU layout; formats 2 and 3 are APU layouts. */
  layout: 'dgpu' | 'apu'
  temperatureEdgeCelsius: Reading<number>
  temperatureHotspotCelsius: Reading<number>
  temperatureMemCelsius: Reading<number>
  /** APU gfx / SoC temperatures (source is centi-°C). */
  temperatureGfxCelsius: Reading<number>
  temperatureSocCelsius: Reading<number>
  /** dGPU only (format 1): time-filtered GFX / memory-controller busy %. */
  gfxActivityPct: Reading<number>
  umcActivityPct: Reading<number>
  socketPowerWatts: Reading<number>
  gfxPowerWatts: Reading<number>
  averageGfxclkMhz: Reading<number>
  currentGfxclkMhz: Reading<number>
  currentUclkMhz: Reading<number>
  fanRpm: Reading<number>
  pcieLinkWidth: Reading<number>
  /** Source unit is 0.1 GT/s; converted to GT/s. */
  pcieLinkSpeedGTps: Reading<number>
  /** ASIC-dependent throttle bitmask (u32). Not decodable without per-ASIC tables. */
  throttleStatus: Reading<number>
  /** ASIC-independent throttle bitmask (u64), the one `decodeIndepThrottleStatus` understands. */
  indepThrottleStatus: Reading<bigint>
}

/** Why a blob could not be decoded. */
export type GpuMetricsError =
  | { kind: 'too-short'; detail: string }
  | { kind: 'unsupported-version'; detail: string; header: GpuMetricsHeader }

/** Result of `decodeGpuMetrics`. */
export type GpuMetricsResult =
  { ok: true; metrics: GpuMetrics } | { ok: false; error: GpuMetricsError }

const HEADER_BYTES = 4
const U16_NA = 0xffff
const U32_NA = 0xffffffff
const U64_NA = 0xffffffffffffffffn

/** Reads the 4-byte header, or undefined when fewer than 4 bytes are present. */
export function decodeGpuMetricsHeader(bytes: Uint8Array): GpuMetricsHeader | undefined {
  if (bytes.length < HEADER_BYTES) return undefined
  return {
    structureSizeBytes: bytes[0] | (bytes[1] << 8),
    formatRevision: bytes[2],
    contentRevision: bytes[3]
  }
}

/** Bounds-checked little-endian reader: out-of-range or sentinel values become unavailable. */
class Reader {
  private readonly view: DataView
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  has(offset: number, size: number): boolean {
    return offset + size <= this.bytes.length
  }
  u16(offset: number, scale = 1): Reading<number> {
    if (!this.has(offset, 2))
      return unavailable('unsupported', `field at ${offset} beyond the blob`)
    const v = this.view.getUint16(offset, true)
    return v === U16_NA ? unavailable('unsupported', 'not reported by firmware') : ok(v * scale)
  }
  u32(offset: number, scale = 1): Reading<number> {
    if (!this.has(offset, 4))
      return unavailable('unsupported', `field at ${offset} beyond the blob`)
    const v = this.view.getUint32(offset, true)
    return v === U32_NA ? unavailable('unsupported', 'not reported by firmware') : ok(v * scale)
  }
  u64(offset: number): Reading<bigint> {
    if (!this.has(offset, 8))
      return unavailable('unsupported', `field at ${offset} beyond the blob`)
    const v = this.view.getBigUint64(offset, true)
    return v === U64_NA ? unavailable('unsupported', 'not reported by firmware') : ok(v)
  }
}

const absent = (what: string): Reading<never> =>
  unavailable('unsupported', `not in gpu_metrics ${what}`)

/** Smallest structure size that holds every field the decoder reads, per version. */
const MIN_SIZE: Record<string, number> = {
  '1.1': 96,
  '1.2': 104,
  '1.3': 120,
  '2.1': 120,
  '2.2': 128,
  '2.3': 152,
  '2.4': 164,
  '3.0': 260
}

function decodeV1(r: Reader, header: GpuMetricsHeader, version: string): GpuMetrics {
  // gpu_metrics_v1_1..v1_3 share the prefix up to temperature_hbm; 1.3 appends voltages and the u64
  // ASIC-independent throttle mask at offset 112.
  const hasIndep = header.contentRevision >= 3
  return {
    header,
    version,
    layout: 'dgpu',
    temperatureEdgeCelsius: r.u16(4),
    temperatureHotspotCelsius: r.u16(6),
    temperatureMemCelsius: r.u16(8),
    temperatureGfxCelsius: absent(version),
    temperatureSocCelsius: absent(version),
    gfxActivityPct: r.u16(16),
    umcActivityPct: r.u16(18),
    socketPowerWatts: r.u16(22),
    gfxPowerWatts: absent(version),
    averageGfxclkMhz: r.u16(40),
    currentGfxclkMhz: r.u16(54),
    currentUclkMhz: r.u16(58),
    throttleStatus: r.u32(68),
    fanRpm: r.u16(72),
    pcieLinkWidth: r.u16(74),
    pcieLinkSpeedGTps: r.u16(76, 0.1),
    indepThrottleStatus: hasIndep ? r.u64(112) : absent(version)
  }
}

function decodeV2(r: Reader, header: GpuMetricsHeader, version: string): GpuMetrics {
  // gpu_metrics_v2_1..v2_4: temperatures in centi-°C, average_socket_power in W (observed on Raphael: 27 with
  // 27 W on hwmon), average_gfx_power in mW. 2.2 appends the u64 independent throttle mask at offset 120.
  const hasIndep = header.contentRevision >= 2
  return {
    header,
    version,
    layout: 'apu',
    temperatureEdgeCelsius: absent(version),
    temperatureHotspotCelsius: absent(version),
    temperatureMemCelsius: absent(version),
    temperatureGfxCelsius: r.u16(4, 0.01),
    temperatureSocCelsius: r.u16(6, 0.01),
    gfxActivityPct: unavailable(
      'unsupported',
      `gpu_metrics ${version} activity unit is ASIC-specific`
    ),
    umcActivityPct: absent(version),
    socketPowerWatts: r.u16(40),
    gfxPowerWatts: r.u16(46, 0.001),
    averageGfxclkMhz: r.u16(64),
    currentGfxclkMhz: r.u16(76),
    currentUclkMhz: r.u16(80),
    throttleStatus: r.u32(108),
    fanRpm: absent(version),
    pcieLinkWidth: absent(version),
    pcieLinkSpeedGTps: absent(version),
    indepThrottleStatus: hasIndep ? r.u64(120) : absent(version)
  }
}

function decodeV3(r: Reader, header: GpuMetricsHeader, version: string): GpuMetrics {
  // gpu_metrics_v3_0: temperatures centi-°C; power fields are u32 mW; throttling is reported only as
  // residency counters, not as a bitmask.
  return {
    header,
    version,
    layout: 'apu',
    temperatureEdgeCelsius: absent(version),
    temperatureHotspotCelsius: absent(version),
    temperatureMemCelsius: absent(version),
    temperatureGfxCelsius: r.u16(4, 0.01),
    temperatureSocCelsius: r.u16(6, 0.01),
    gfxActivityPct: r.u16(42),
    umcActivityPct: absent(version),
    socketPowerWatts: r.u32(112, 0.001),
    gfxPowerWatts: r.u32(124, 0.001),
    averageGfxclkMhz: r.u16(174),
    currentGfxclkMhz: absent(version),
    currentUclkMhz: absent(version),
    throttleStatus: absent(version),
    fanRpm: absent(version),
    pcieLinkWidth: absent(version),
    pcieLinkSpeedGTps: absent(version),
    indepThrottleStatus: absent(version)
  }
}

/** Decodes a gpu_metrics blob. Never throws. */
export function decodeGpuMetrics(bytes: Uint8Array): GpuMetricsResult {
  const header = decodeGpuMetricsHeader(bytes)
  if (!header)
    return {
      ok: false,
      error: { kind: 'too-short', detail: `${bytes.length} bytes, header needs 4` }
    }
  const version = `${header.formatRevision}.${header.contentRevision}`
  const minSize = MIN_SIZE[version]
  if (minSize === undefined) {
    return {
      ok: false,
      error: { kind: 'unsupported-version', detail: `gpu_metrics ${version} not supported`, header }
    }
  }
  // Trust the shorter of the declared size and the bytes actually read.
  const usable = Math.min(bytes.length, header.structureSizeBytes)
  if (usable < minSize) {
    return {
      ok: false,
      error: {
        kind: 'too-short',
        detail: `gpu_metrics ${version}: ${usable} usable bytes, layout needs ${minSize}`
      }
    }
  }
  const r = new Reader(bytes.subarray(0, usable))
  if (header.formatRevision === 1) return { ok: true, metrics: decodeV1(r, header, version) }
  if (header.formatRevision === 2) return { ok: true, metrics: decodeV2(r, header, version) }
  return { ok: true, metrics: decodeV3(r, header, version) }
}

/** One bit of `indep_throttle_status` (kernel `SMU_THROTTLER_*_BIT`). */
interface ThrottleBit {
  bit: number
  name: string
  cause: ThrottleFlag['cause']
}

/** Bit → name/cause table for the ASIC-independent throttle mask. */
export const INDEP_THROTTLE_BITS: readonly ThrottleBit[] = [
  ...['PPT0', 'PPT1', 'PPT2', 'PPT3', 'SPL', 'FPPT', 'SPPT', 'SPPT_APU'].map((name, i) => ({
    bit: i,
    name,
    cause: 'power' as const
  })),
  ...['TDC_GFX', 'TDC_SOC', 'TDC_MEM', 'TDC_VDD', 'TDC_CVIP', 'EDC_CPU', 'EDC_GFX', 'APCC'].map(
    (name, i) => ({
      bit: 16 + i,
      name,
      cause: 'current' as const
    })
  ),
  ...[
    'TEMP_GPU',
    'TEMP_CORE',
    'TEMP_MEM',
    'TEMP_EDGE',
    'TEMP_HOTSPOT',
    'TEMP_SOC',
    'TEMP_VR_GFX',
    'TEMP_VR_SOC',
    'TEMP_VR_MEM0',
    'TEMP_VR_MEM1',
    'TEMP_LIQUID0',
    'TEMP_LIQUID1',
    'VRHOT0',
    'VRHOT1',
    'PROCHOT_CPU',
    'PROCHOT_GPU'
  ].map((name, i) => ({ bit: 32 + i, name, cause: 'thermal' as const })),
  { bit: 56, name: 'PPM', cause: 'other' },
  { bit: 57, name: 'FIT', cause: 'other' }
]

/** The TEMP_HOTSPOT bit, subject to the false-positive filter. */
export const TEMP_HOTSPOT_BIT = 36
/** Hotspot temperature at or above which a TEMP_HOTSPOT flag is believed (RDNA3/RDNA4 firmware quirk). */
export const HOTSPOT_CONFIRM_CELSIUS = 90

/**
 * Turns `indep_throttle_status` into throttle flags, lowest bit first.
 *
 * RDNA3/RDNA4 firmware raises TEMP_HOTSPOT while the hotspot is far from its limit, so that bit is dropped
 * unless the hotspot temperature is known and at least 90 °C. Unknown bits come out as `BIT_<n>` / 'other'.
 */
export function decodeIndepThrottleStatus(mask: bigint, hotspotCelsius?: number): ThrottleFlag[] {
  const flags: ThrottleFlag[] = []
  const known = new Map(INDEP_THROTTLE_BITS.map((b) => [b.bit, b]))
  for (let bit = 0; bit < 64; bit++) {
    if (((mask >> BigInt(bit)) & 1n) === 0n) continue
    if (
      bit === TEMP_HOTSPOT_BIT &&
      !(hotspotCelsius !== undefined && hotspotCelsius >= HOTSPOT_CONFIRM_CELSIUS)
    ) {
      continue
    }
    const b = known.get(bit)
    flags.push(b ? { name: b.name, cause: b.cause } : { name: `BIT_${bit}`, cause: 'other' })
  }
  return flags
}

/** Throttle flags from a decoded gpu_metrics, or why there are none. */
export function throttleFromMetrics(
  metrics: Reading<GpuMetrics>,
  hotspotCelsius: number | undefined
): { flags: Reading<ThrottleFlag[]>; maskHex: Reading<string> } {
  if (metrics.status !== 'ok') return { flags: metrics, maskHex: metrics }
  const m = metrics.value
  if (m.indepThrottleStatus.status !== 'ok') {
    const why = unavailable(
      'unsupported',
      `gpu_metrics ${m.version} has no ASIC-independent throttle status`
    )
    return { flags: why, maskHex: why }
  }
  const mask = m.indepThrottleStatus.value
  const hot = hotspotCelsius ?? valueOf(m.temperatureHotspotCelsius)
  return {
    flags: ok(decodeIndepThrottleStatus(mask, hot)),
    maskHex: ok('0x' + mask.toString(16).padStart(16, '0'))
  }
}
