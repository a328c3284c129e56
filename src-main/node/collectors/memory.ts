/**
 * Memory collector (Linux): RAM, swap, swap traffic and memory pressure.
 *
 * Sources: `/proc/meminfo` (kB → bytes), `/proc/vmstat` `pswpin`/`pswpout` (pages, deltas → bytes/s with 4 KiB
 * pages, the unit the kernel counts swap I/O in), `/proc/pressure/memory` (PSI avg10, %).
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { MemorySample } from '../../shared/telemetry'
import type {
  Collector,
  CollectorDeps,
  HostCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'
import { parseMeminfo, parsePressure, pickProcValues } from '../sources/procfs'
import { fileUnavailable } from '../sources/sysfs'

const MODULE = { id: 'memory' } as const

const MEMINFO_KEYS = [
  'MemTotal',
  'MemFree',
  'MemAvailable',
  'Buffers',
  'Cached',
  'SReclaimable',
  'SwapTotal',
  'SwapFree'
] as const
const VMSTAT_KEYS = ['pswpin', 'pswpout'] as const

/** Swap I/O page size in bytes (`pswpin`/`pswpout` count 4 KiB pages on every architecture). */
export const SWAP_PAGE_BYTES = 4096

/** Memory figures derived from parsed meminfo (pure). */
export interface MemoryFigures {
  totalBytes: Reading<number>
  availableBytes: Reading<number>
  availableIsEstimate: boolean
  usedBytes: Reading<number>
  swapTotalBytes: Reading<number>
  swapUsedBytes: Reading<number>
}

/**
 * Derives total/available/used/swap from `/proc/meminfo` fields (bytes).
 *
 * Kernels before 3.14 lack MemAvailable: it is estimated as MemFree + Buffers + Cached + SReclaimable and
 * flagged as an estimate. Used = total − available.
 */
export function memoryFigures(m: Map<string, number>): MemoryFigures {
  const get = (k: string): Reading<number> => {
    const v = m.get(k)
    return v === undefined ? unavailable('unsupported', `no ${k} in /proc/meminfo`) : ok(v)
  }
  const totalBytes = get('MemTotal')
  let availableBytes = get('MemAvailable')
  let availableIsEstimate = false
  if (availableBytes.status !== 'ok') {
    const free = m.get('MemFree')
    if (free !== undefined) {
      availableBytes = ok(
        free + (m.get('Buffers') ?? 0) + (m.get('Cached') ?? 0) + (m.get('SReclaimable') ?? 0)
      )
      availableIsEstimate = true
    }
  }
  if (
    totalBytes.status === 'ok' &&
    availableBytes.status === 'ok' &&
    availableBytes.value > totalBytes.value
  ) {
    availableBytes = ok(totalBytes.value)
  }
  const usedBytes: Reading<number> =
    totalBytes.status === 'ok' && availableBytes.status === 'ok'
      ? ok(totalBytes.value - availableBytes.value)
      : unavailable('unsupported', 'needs MemTotal and MemAvailable (or MemFree)')
  const swapTotalBytes = get('SwapTotal')
  const swapFree = get('SwapFree')
  const swapUsedBytes: Reading<number> =
    swapTotalBytes.status === 'ok' && swapFree.status === 'ok'
      ? ok(Math.max(0, swapTotalBytes.value - swapFree.value))
      : unavailable('unsupported', 'needs SwapTotal and SwapFree')
  return {
    totalBytes,
    availableBytes,
    availableIsEstimate,
    usedBytes,
    swapTotalBytes,
    swapUsedBytes
  }
}

/** A page counter delta as bytes per second; resets and empty intervals give unavailable. */
export function pageRate(
  prev: number | undefined,
  cur: number | undefined,
  elapsedMs: number
): Reading<number> {
  if (cur === undefined) return unavailable('unsupported', 'counter not in /proc/vmstat')
  if (prev === undefined) return unavailable('warming-up', 'swap rates need two samples')
  if (cur < prev) return unavailable('failed', 'counter went backwards (reset)')
  if (!(elapsedMs > 0)) return unavailable('warming-up', 'no time elapsed between the two samples')
  return ok(((cur - prev) * SWAP_PAGE_BYTES) / (elapsedMs / 1000))
}

/** Builds the Linux memory collector. */
export function createMemoryCollector(deps: CollectorDeps): Collector {
  const { fs, clock } = deps
  let hasPressure = true
  let prev: { pswpin?: number; pswpout?: number; atMs: number } | null = null

  const readVmstat = async (): Promise<{ swapIn: Reading<number>; swapOut: Reading<number> }> => {
    // Read whole: pswpin sits past the first 4 KiB on current kernels.
    const r = await fs.readPolled('/proc/vmstat')
    const now = clock.monotonic()
    if (!r.ok) {
      prev = null
      const u = fileUnavailable(r, '/proc/vmstat')
      return { swapIn: u, swapOut: u }
    }
    const v = pickProcValues(r.value, VMSTAT_KEYS, ' ')
    const cur = { pswpin: v.get('pswpin'), pswpout: v.get('pswpout'), atMs: now }
    const elapsed = prev ? now - prev.atMs : 0
    const res = {
      swapIn: pageRate(prev?.pswpin, cur.pswpin, elapsed),
      swapOut: pageRate(prev?.pswpout, cur.pswpout, elapsed)
    }
    prev = cur
    return res
  }

  const readPressure = async (): Promise<{ some: Reading<number>; full: Reading<number> }> => {
    if (!hasPressure) {
      const u = unavailable('unsupported', 'no /proc/pressure/memory (PSI off or kernel < 4.20)')
      return { some: u, full: u }
    }
    const r = await fs.readPolled('/proc/pressure/memory')
    if (!r.ok) {
      const u = fileUnavailable(r, '/proc/pressure/memory')
      return { some: u, full: u }
    }
    const p = parsePressure(r.value)
    return {
      some: p.some
        ? ok(p.some.avg10Pct)
        : unavailable('parse-error', 'no "some" line in /proc/pressure/memory'),
      full: p.full
        ? ok(p.full.avg10Pct)
        : unavailable('parse-error', 'no "full" line in /proc/pressure/memory')
    }
  }

  return {
    id: MODULE.id,
    async probe(): Promise<ProbeResult> {
      const [meminfo, pressure, vmstat] = await Promise.all([
        fs.readText('/proc/meminfo'),
        fs.readText('/proc/pressure/memory'),
        fs.readText('/proc/vmstat')
      ])
      // EOPNOTSUPP (psi=0 on the kernel command line) surfaces as a read error, not a missing file.
      hasPressure = pressure.ok
      prev = null
      // Partial is better than absent: without meminfo, swap rates and PSI are still worth reporting.
      if (!meminfo.ok && !vmstat.ok && !pressure.ok)
        return { status: 'absent', reason: fileUnavailable(meminfo, '/proc/meminfo') }
      if (!meminfo.ok) {
        const why = fileUnavailable(meminfo, '/proc/meminfo')
        return {
          status: 'present',
          inventory: { memory: { totalBytes: why, swapTotalBytes: why } }
        }
      }
      const f = memoryFigures(parseMeminfo(meminfo.value))
      return {
        status: 'present',
        inventory: { memory: { totalBytes: f.totalBytes, swapTotalBytes: f.swapTotalBytes } }
      }
    },

    async sample(_ctx: SampleContext): Promise<SnapshotPart> {
      const [meminfo, vm, psi] = await Promise.all([
        fs.readPolled('/proc/meminfo'),
        readVmstat(),
        readPressure()
      ])
      let figures: MemoryFigures
      if (meminfo.ok) {
        // meminfo is ~1.5 KiB, well inside the polled buffer.
        figures = memoryFigures(pickProcValues(meminfo.value, MEMINFO_KEYS, ':'))
      } else {
        const u = fileUnavailable(meminfo, '/proc/meminfo')
        figures = {
          totalBytes: u,
          availableBytes: u,
          availableIsEstimate: false,
          usedBytes: u,
          swapTotalBytes: u,
          swapUsedBytes: u
        }
      }
      const sample: MemorySample = {
        ...figures,
        swapInBytesPerSec: vm.swapIn,
        swapOutBytesPerSec: vm.swapOut,
        pressureSomeAvg10Pct: psi.some,
        pressureFullAvg10Pct: psi.full
      }
      return { memory: sample }
    },

    async close(): Promise<void> {
      prev = null
    }
  }
}

/** Registry entry: memory (Linux procfs). */
export const memoryCollector: HostCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'host',
  runsOn: (p) => p === 'linux',
  absentClass: 'other',
  create: createMemoryCollector
}
