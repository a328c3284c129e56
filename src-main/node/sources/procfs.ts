/**
 * Pure parsers for procfs text (`/proc/stat`, `/proc/meminfo`, `/proc/vmstat`, `/proc/pressure/*`,
 * `/proc/cpuinfo`) and kernel CPU lists, used by the cpu and memory collectors.
 *
 * Every parser takes the raw file text and never throws: garbage, truncated or empty input yields
 * unavailable readings or empty results. Units are converted here, once (kB → bytes). Single-value attribute
 * files go through sysfs.ts, the one vocabulary for file states.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import { parseDecimal } from './sysfs'

/**
 * Parses a kernel CPU list (`0-3,5,7-8`), as in `/sys/devices/system/cpu/online`.
 *
 * Returns the sorted CPU numbers; an empty or malformed list yields `[]`. Ranges are capped so a corrupt
 * file cannot make us allocate millions of entries.
 */
export function parseCpuList(text: string): number[] {
  const out: number[] = []
  const t = text.trim()
  if (t === '') return out
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) return []
    const a = Number(m[1])
    const b = m[2] === undefined ? a : Number(m[2])
    if (b < a || b - a > 65536) return []
    for (let i = a; i <= b; i++) out.push(i)
  }
  return [...new Set(out)].sort((x, y) => x - y)
}

// ---------------------------------------------------------------------------------------------------------
// /proc/stat
// ---------------------------------------------------------------------------------------------------------

/** Jiffy counters of one `cpu` line, reduced to what utilisation needs. */
export interface CpuTimes {
  /** user+nice+system+irq+softirq+steal (guest time is already inside user/nice). */
  busy: number
  /** busy + idle + iowait. */
  total: number
}

/** Parsed `/proc/stat` CPU lines. */
export interface ProcStat {
  total: CpuTimes | null
  /** Keyed by logical CPU number; offline CPUs have no line. */
  perCpu: Map<number, CpuTimes>
}

/**
 * Parses the `cpu` and `cpuN` lines of `/proc/stat` (4 to 10 counters; older kernels have fewer).
 *
 * Lines with fewer than 4 numeric fields are skipped, never guessed.
 */
export function parseProcStat(text: string): ProcStat {
  const perCpu = new Map<number, CpuTimes>()
  let total: CpuTimes | null = null
  let start = 0
  const len = text.length
  while (start < len) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = len
    // Only lines starting with "cpu" matter; they come first, so stop at the first other line after them.
    if (text.startsWith('cpu', start)) {
      const line = text.slice(start, end)
      const fields = line.split(/\s+/)
      const name = fields[0]
      const times = cpuTimesFromFields(fields)
      if (times) {
        if (name === 'cpu') total = times
        else {
          const id = name.slice(3)
          if (/^\d+$/.test(id)) perCpu.set(Number(id), times)
        }
      }
    } else if (perCpu.size > 0 || total !== null) {
      break
    }
    start = end + 1
  }
  return { total, perCpu }
}

function cpuTimesFromFields(fields: string[]): CpuTimes | null {
  const v: number[] = []
  for (let i = 1; i < fields.length && i <= 8; i++) {
    const f = fields[i]
    if (f === '') continue
    if (!/^\d+$/.test(f)) return null
    v.push(Number(f))
  }
  if (v.length < 4) return null
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v
  const busy = user + nice + system + irq + softirq + steal
  const total = busy + idle + iowait
  return Number.isFinite(total) ? { busy, total } : null
}

/**
 * Utilisation (%) between two counter snapshots.
 *
 * Counter resets (CPU hot-unplug, wrap) and zero-length intervals give unavailable, never 0 or a negative.
 */
export function utilizationBetween(
  prev: CpuTimes | null | undefined,
  cur: CpuTimes | null | undefined
): Reading<number> {
  if (!cur) return unavailable('no-device', 'CPU not in this /proc/stat (offline)')
  if (!prev) return unavailable('warming-up', 'utilisation needs two samples')
  const dTotal = cur.total - prev.total
  const dBusy = cur.busy - prev.busy
  if (dBusy < 0) return unavailable('failed', 'CPU time counters went backwards (CPU replugged)')
  if (dTotal <= 0) return unavailable('warming-up', 'no CPU time elapsed between the two samples')
  return ok(Math.min(100, Math.max(0, (dBusy / dTotal) * 100)))
}

// ---------------------------------------------------------------------------------------------------------
// /proc/meminfo, /proc/vmstat, /proc/pressure/*
// ---------------------------------------------------------------------------------------------------------

/**
 * Parses `/proc/meminfo` into bytes (`kB` values × 1024); unit-less fields (`HugePages_Total`) stay counts.
 *
 * Keys keep the kernel spelling, including parentheses (`Active(anon)`).
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim()
    const rest = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
    if (!/^\d+$/.test(rest[0] ?? '')) continue
    const n = Number(rest[0])
    const unit = rest[1]
    if (unit === undefined) out.set(key, n)
    else if (unit === 'kB') out.set(key, n * 1024)
    // Unknown units are skipped rather than mis-scaled.
  }
  return out
}

/** Parses `/proc/vmstat` (`name value` per line). */
export function parseVmstat(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ')
    if (sp <= 0) continue
    const v = line.slice(sp + 1).trim()
    if (/^-?\d+$/.test(v)) out.set(line.slice(0, sp), Number(v))
  }
  return out
}

/** One PSI line (`some avg10=0.00 avg60=0.00 avg300=0.00 total=0`). */
export interface PressureLine {
  avg10Pct: number
  avg60Pct: number
  avg300Pct: number
  /** Total stall time, µs. */
  totalUs: number
}

/** Parsed `/proc/pressure/<resource>`. `full` is absent for cpu on older kernels. */
export interface Pressure {
  some: PressureLine | null
  full: PressureLine | null
}

/** Parses a PSI file; malformed lines give null for that line. */
export function parsePressure(text: string): Pressure {
  const res: Pressure = { some: null, full: null }
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    const kind = fields[0]
    if (kind !== 'some' && kind !== 'full') continue
    const kv = new Map<string, number>()
    for (let i = 1; i < fields.length; i++) {
      const eq = fields[i].indexOf('=')
      if (eq <= 0) continue
      const r = parseDecimal(fields[i].slice(eq + 1))
      if (r.status === 'ok') kv.set(fields[i].slice(0, eq), r.value)
    }
    const a10 = kv.get('avg10')
    const a60 = kv.get('avg60')
    const a300 = kv.get('avg300')
    const total = kv.get('total')
    if (a10 === undefined || a60 === undefined || a300 === undefined || total === undefined)
      continue
    res[kind] = { avg10Pct: a10, avg60Pct: a60, avg300Pct: a300, totalUs: total }
  }
  return res
}

// ---------------------------------------------------------------------------------------------------------
// /proc/cpuinfo
// ---------------------------------------------------------------------------------------------------------

/** One `processor` block of `/proc/cpuinfo` (x86 keys; other architectures leave most fields null). */
export interface CpuinfoEntry {
  processor: number
  vendor: string | null
  modelName: string | null
  mhz: number | null
  physicalId: number | null
  coreId: number | null
  flags: string[] | null
}

/** Parses `/proc/cpuinfo` into one entry per logical CPU. */
export function parseCpuinfo(text: string): CpuinfoEntry[] {
  const out: CpuinfoEntry[] = []
  let cur: CpuinfoEntry | null = null
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (key === 'processor') {
      if (!/^\d+$/.test(value)) {
        cur = null
        continue
      }
      cur = {
        processor: Number(value),
        vendor: null,
        modelName: null,
        mhz: null,
        physicalId: null,
        coreId: null,
        flags: null
      }
      out.push(cur)
      continue
    }
    if (!cur) continue
    switch (key) {
      case 'vendor_id':
        cur.vendor = value || null
        break
      case 'model name':
        cur.modelName = value || null
        break
      case 'cpu MHz': {
        const r = parseDecimal(value)
        cur.mhz = r.status === 'ok' && r.value > 0 ? r.value : null
        break
      }
      case 'physical id':
        cur.physicalId = /^\d+$/.test(value) ? Number(value) : null
        break
      case 'core id':
        cur.coreId = /^\d+$/.test(value) ? Number(value) : null
        break
      case 'flags':
        cur.flags = value === '' ? [] : value.split(/\s+/)
        break
    }
  }
  return out
}

/**
 * Fast path for the per-tick frequency fallback: `processor` → `cpu MHz` from /proc/cpuinfo.
 *
 * Scans only the two keys instead of parsing every field (cpuinfo is tens of KiB on large machines).
 * Never throws; entries without a finite MHz value are left out.
 */
export function parseCpuinfoMhz(text: string): Map<number, number> {
  const out = new Map<number, number>()
  let cpu = -1
  let pos = 0
  while (pos < text.length) {
    let end = text.indexOf('\n', pos)
    if (end < 0) end = text.length
    const c = text.charCodeAt(pos)
    if (c === 112 /* p */ && text.startsWith('processor', pos)) {
      const colon = text.indexOf(':', pos)
      cpu = colon > 0 && colon < end ? Number.parseInt(text.slice(colon + 1, end), 10) : -1
    } else if (c === 99 /* c */ && text.startsWith('cpu MHz', pos)) {
      const colon = text.indexOf(':', pos)
      const mhz =
        colon > 0 && colon < end ? Number.parseFloat(text.slice(colon + 1, end)) : Number.NaN
      if (cpu >= 0 && Number.isFinite(mhz)) out.set(cpu, mhz)
    }
    pos = end + 1
  }
  return out
}

/**
 * Fast path for per-tick reads: the values of a few `key<sep>value` lines (/proc/vmstat `name value`,
 * /proc/meminfo `Name:   value kB`), found with native substring search instead of parsing every line.
 * meminfo `kB` values are returned in bytes. Keys that are absent, or whose value is not an integer, are left
 * out. Never throws.
 */
export function pickProcValues(
  text: string,
  keys: readonly string[],
  sep: ' ' | ':'
): Map<string, number> {
  const out = new Map<string, number>()
  for (const key of keys) {
    const needle = key + sep
    let at: number
    if (text.startsWith(needle)) at = 0
    else {
      const j = text.indexOf('\n' + needle)
      if (j < 0) continue
      at = j + 1
    }
    let i = at + needle.length
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++
    let end = i
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++
    if (end === i) continue
    const n = Number(text.slice(i, end))
    if (!Number.isSafeInteger(n)) continue
    const eol = text.indexOf('\n', end)
    const unit = text.slice(end, eol < 0 ? text.length : eol).trim()
    if (unit === '') out.set(key, n)
    else if (unit === 'kB') out.set(key, n * 1024)
  }
  return out
}
