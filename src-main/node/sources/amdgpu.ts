/**
 * amdgpu sysfs text attributes (`/sys/class/drm/cardN/device/pp_dpm_*`) and DRM card names. The binary
 * `gpu_metrics` file is decoded in amdgpu-metrics.ts.
 *
 * Pure parsers; nothing here throws on garbage input.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import { pcieGenFromGTps } from './pci'

/** One DPM level of `pp_dpm_sclk` / `pp_dpm_mclk` / `pp_dpm_fclk` / `pp_dpm_socclk`. */
export interface DpmClockLevel {
  /** Level label: `0`, `1`, … or `S` (deep sleep). */
  level: string
  mhz: number
  current: boolean
}

/** Parsed `pp_dpm_*clk` table. */
export interface DpmClockTable {
  levels: DpmClockLevel[]
  /** The level marked with `*`. */
  currentMhz: Reading<number>
  /** Highest listed level. */
  maxMhz: Reading<number>
}

/**
 * Parses a `pp_dpm_sclk`-style table: lines `0: 852Mhz *`, `1: 991Mhz`, `S: 19Mhz` (deep sleep).
 *
 * The current level is the line with `*`. Unparseable lines are skipped; no line at all is a parse error.
 */
export function parsePpDpmClock(text: string): DpmClockTable {
  const levels: DpmClockLevel[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*([0-9A-Za-z]+):\s*(\d+(?:\.\d+)?)\s*mhz\s*(\*)?\s*$/i.exec(line)
    if (!m) continue
    levels.push({ level: m[1], mhz: Number(m[2]), current: m[3] === '*' })
  }
  if (levels.length === 0) {
    const r = unavailable('parse-error', 'no DPM levels')
    return { levels, currentMhz: r, maxMhz: r }
  }
  const cur = levels.find((l) => l.current)
  return {
    levels,
    currentMhz: cur ? ok(cur.mhz) : unavailable('unsupported', 'no level marked current'),
    maxMhz: ok(Math.max(...levels.map((l) => l.mhz)))
  }
}

/** One level of `pp_dpm_pcie`. */
export interface DpmPcieLevel {
  level: string
  gen: number
  width: number
  current: boolean
}

/** Parsed `pp_dpm_pcie`. */
export interface DpmPcieTable {
  levels: DpmPcieLevel[]
  current: Reading<{ gen: number; width: number }>
  max: Reading<{ gen: number; width: number }>
}

/**
 * Parses `pp_dpm_pcie`: lines `0: 2.5GT/s, x8`, `1: 8.0GT/s, x16 *`, newer kernels append the LCLK
 * (`1: 16.0GT/s, x16 619Mhz *`).
 */
export function parsePpDpmPcie(text: string): DpmPcieTable {
  const levels: DpmPcieLevel[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*(\w+):\s*(\d+(?:\.\d+)?)\s*GT\/s,?\s*x(\d+)\b([^*]*)(\*)?\s*$/i.exec(line)
    if (!m) continue
    const gen = pcieGenFromGTps(Number(m[2]))
    if (gen === undefined) continue
    levels.push({ level: m[1], gen, width: Number(m[3]), current: m[5] === '*' })
  }
  if (levels.length === 0) {
    const r = unavailable('parse-error', 'no PCIe DPM levels')
    return { levels, current: r, max: r }
  }
  const cur = levels.find((l) => l.current)
  const top = levels.reduce((a, b) =>
    b.gen > a.gen || (b.gen === a.gen && b.width > a.width) ? b : a
  )
  return {
    levels,
    current: cur
      ? ok({ gen: cur.gen, width: cur.width })
      : unavailable('unsupported', 'no level marked current'),
    max: ok({ gen: top.gen, width: top.width })
  }
}

/** True for `cardN` (a GPU), false for connectors such as `card1-DP-5` and render nodes. */
export function isDrmCardName(name: string): boolean {
  return /^card\d+$/.test(name)
}
