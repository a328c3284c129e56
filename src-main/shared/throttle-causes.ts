/**
 * Throttle causes: the vendor-neutral class of a vendor reason name, and the one set of words for each cause.
 *
 * Collectors keep the vendor's own reason names (`sw_power_cap`, `PPT0`, `reason_pl1`); analysis, the CLI,
 * the UI and reports use the cause class and its words from here, so no two places name a cause differently.
 * Vendor bit tables (which bit is which name) live with their sources in `src-main/node`.
 */
import type { ThrottleCause } from './telemetry'

/**
 * NVIDIA clock-event reason names and their cause class.
 *
 * Source: NVML `nvmlClocksEventReason*` and `nvidia-smi --help-query-gpu` (`clocks_event_reasons.*`, legacy
 * `clocks_throttle_reasons.*`). `gpu_idle` and the clock-setting reasons are never throttling.
 */
const NVIDIA_REASON_CAUSES: Readonly<Record<string, ThrottleCause>> = {
  gpu_idle: 'idle',
  applications_clocks_setting: 'config',
  sw_power_cap: 'power',
  hw_slowdown: 'hw-slowdown',
  sync_boost: 'config',
  sw_thermal_slowdown: 'thermal',
  hw_thermal_slowdown: 'thermal',
  hw_power_brake_slowdown: 'psu',
  display_clock_setting: 'config',
  display_clocks_setting: 'config'
}

/**
 * Cause class of a vendor throttle reason name.
 *
 * Accepts NVIDIA names with or without the `clocks_event_reasons[_counters].` / `clocks_throttle_reasons.`
 * prefix, AMD SMU throttler names (`PPT0`, `TDC_GFX`, `TEMP_HOTSPOT`, `PROCHOT_GPU`) and Intel GT reason
 * names (`reason_pl1`, `throttle_reason_thermal`). Unknown names are `other`.
 */
export function classifyThrottleReason(name: string): ThrottleCause {
  const short = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name
  const nv = NVIDIA_REASON_CAUSES[short.toLowerCase()]
  if (nv && Object.prototype.hasOwnProperty.call(NVIDIA_REASON_CAUSES, short.toLowerCase()))
    return nv
  const up = short.toUpperCase()
  if (/^(PPT\d*|SPL|FPPT|SPPT(_APU)?)$/.test(up)) return 'power'
  if (/^(TDC_|EDC_|APCC)/.test(up)) return 'current'
  if (/^(TEMP_|VRHOT|PROCHOT|LIQUID)/.test(up)) return 'thermal'
  const intel = up.replace(/^(THROTTLE_)?REASON_/, '')
  if (/^PL[124]$/.test(intel)) return 'power'
  if (intel === 'THERMAL' || intel === 'PROCHOT' || intel === 'VR_THERMALERT') return 'thermal'
  if (intel === 'VR_TDC') return 'current'
  if (intel === 'RATL') return 'thermal'
  return 'other'
}

const CAUSE_WORDS: Readonly<Record<ThrottleCause, string>> = {
  power: 'power cap',
  thermal: 'thermal',
  psu: 'PSU power brake',
  current: 'current limit',
  'hw-slowdown': 'HW slowdown',
  'pcie-link': 'PCIe link below max',
  'storage-thermal': 'drive above its temperature limit',
  battery: 'on battery',
  idle: 'idle',
  config: 'clock setting',
  other: 'other'
}

/** Human words for a cause ("power cap", "PSU power brake"): the one name of each cause everywhere. */
export function describeThrottleCause(cause: ThrottleCause): string {
  return CAUSE_WORDS[cause]
}
