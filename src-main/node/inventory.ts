/**
 * Builds the Inventory once (and on demand): collectors' probes merged with `systeminformation` facts.
 *
 * systeminformation is called here only — never per tick (its `graphics()` spawns several processes, some
 * synchronously). Each call has a timeout; a failing call leaves its fields unavailable with the reason.
 * In fixture mode (sysfs/procfs roots pointing at captured trees) systeminformation is skipped, because it
 * would describe this machine instead of the captured one.
 */
import { hostname } from 'node:os'
import si from 'systeminformation'
import { isOk, ok, unavailable, type Reading, type ReadingUnavailable } from '../shared/reading'
import {
  SNAPSHOT_SCHEMA_VERSION,
  type AbsentDevice,
  type CollectorId,
  type Inventory
} from '../shared/telemetry'
import { collectorModule, isGpuDeviceClass } from './collectors/index'
import type { Collector, InventoryPart } from './collectors/types'

/** The systeminformation calls used for inventory (injectable). */
export interface SiInventory {
  cpu(): Promise<{
    manufacturer: string
    brand: string
    physicalCores: number
    cores: number
    processors: number
    speed: number
    speedMax: number
  }>
  cpuFlags(): Promise<string>
  mem(): Promise<{ total: number; swaptotal: number }>
  memLayout(): Promise<{ type: string; clockSpeed: number | null; size: number }[]>
  osInfo(): Promise<{
    distro: string
    release: string
    kernel: string
    platform: string
    arch: string
  }>
  graphics(): Promise<{
    controllers: { vendor: string; model: string; vram: number | null; bus: string }[]
  }>
  fsSize(): Promise<{ fs: string; type: string; mount: string; size: number; available: number }[]>
}

/** Inventory options. */
export interface InventoryOptions {
  collectors: Collector[]
  platform: NodeJS.Platform
  arch: string
  /** The machine's hostname (fixture trees: the captured one); default this machine's. */
  hostname?: string
  /** Skip systeminformation (fixture mode or replay). */
  useSystemInformation: boolean
  si?: SiInventory
  /** Per-call timeout for systeminformation (ms). */
  siTimeoutMs?: number
  nowMs: number
  signal?: AbortSignal
}

/** Result: the inventory plus which collectors are present. */
export interface InventoryResult {
  inventory: Inventory
  present: Collector[]
  absent: Collector[]
  /** Why each absent collector found nothing. */
  absentReasons: Map<CollectorId, ReadingUnavailable>
}

const NOT_READ = unavailable('unsupported', 'not reported by any source')

/** An inventory with every field unavailable (the base that probes fill in). */
export function emptyInventory(
  nowMs: number,
  platform: string,
  arch: string,
  host: string = hostname()
): Inventory {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAtMs: nowMs,
    host: {
      hostname: host,
      platform,
      arch,
      os: NOT_READ,
      kernel: NOT_READ,
      container: unavailable('not-applicable', 'no container detected'),
      virtualization: NOT_READ
    },
    cpu: {
      vendor: NOT_READ,
      model: NOT_READ,
      physicalCores: NOT_READ,
      logicalCores: NOT_READ,
      packages: NOT_READ,
      flags: NOT_READ,
      baseMhz: NOT_READ,
      maxMhz: NOT_READ,
      hasThrottleCounters: false,
      scalingDriver: NOT_READ
    },
    memory: {
      totalBytes: NOT_READ,
      swapTotalBytes: NOT_READ,
      type: NOT_READ,
      speedMtps: NOT_READ,
      modules: NOT_READ,
      bandwidthGBps: NOT_READ
    },
    gpus: [],
    storage: [],
    filesystems: [],
    absent: []
  }
}

/** Merges a probe's contribution; readings already ok are not overwritten by unavailable ones. */
export function mergeInventoryPart(inv: Inventory, part: InventoryPart): void {
  const mergeObj = <T extends object>(target: T, src: Partial<T> | undefined): void => {
    if (!src) return
    for (const [k, v] of Object.entries(src) as [keyof T, unknown][]) {
      const cur = target[k] as unknown
      const isReading = (x: unknown): x is Reading<unknown> =>
        typeof x === 'object' && x !== null && 'status' in x
      if (isReading(cur) && isReading(v) && isOk(cur) && !isOk(v)) continue
      ;(target as Record<keyof T, unknown>)[k] = v
    }
  }
  mergeObj(inv.host, part.host)
  mergeObj(inv.cpu, part.cpu)
  mergeObj(inv.memory, part.memory)
  if (part.gpus) inv.gpus.push(...part.gpus)
  if (part.storage) inv.storage.push(...part.storage)
  if (part.filesystems) inv.filesystems.push(...part.filesystems)
  if (part.absent) inv.absent.push(...part.absent)
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<Reading<T>> {
  let t: ReturnType<typeof setTimeout> | undefined
  try {
    const r = await Promise.race([
      p.then((v) => ok(v)),
      new Promise<Reading<T>>((resolve) => {
        t = setTimeout(
          () => resolve(unavailable('timeout', `${what} took longer than ${ms} ms`)),
          ms
        )
        t.unref?.()
      })
    ])
    return r
  } catch (err) {
    return unavailable('failed', `${what}: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    if (t) clearTimeout(t)
  }
}

const ML_FLAGS = [
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512_vnni',
  'avx512_bf16',
  'avx_vnni',
  'amx_tile',
  'amx_bf16',
  'amx_int8',
  'sse4_2',
  'neon',
  'asimd',
  'sve'
]

/** Adds systeminformation facts (once). */
export async function mergeSystemInformation(
  inv: Inventory,
  siImpl: SiInventory,
  timeoutMs: number
): Promise<void> {
  const [cpu, flags, mem, layout, os] = await Promise.all([
    withTimeout(siImpl.cpu(), timeoutMs, 'systeminformation cpu()'),
    withTimeout(siImpl.cpuFlags(), timeoutMs, 'systeminformation cpuFlags()'),
    withTimeout(siImpl.mem(), timeoutMs, 'systeminformation mem()'),
    withTimeout(siImpl.memLayout(), timeoutMs, 'systeminformation memLayout()'),
    withTimeout(siImpl.osInfo(), timeoutMs, 'systeminformation osInfo()')
  ])
  const pos = (n: number | null | undefined, what: string): Reading<number> =>
    typeof n === 'number' && Number.isFinite(n) && n > 0
      ? ok(n)
      : unavailable('unsupported', `${what} not reported`)
  if (isOk(cpu)) {
    const c = cpu.value
    mergeInventoryPart(inv, {
      cpu: {
        vendor: c.manufacturer ? ok(c.manufacturer) : NOT_READ,
        model: c.brand ? ok(`${c.manufacturer} ${c.brand}`.trim()) : NOT_READ,
        physicalCores: pos(c.physicalCores, 'physical core count'),
        logicalCores: pos(c.cores, 'logical core count'),
        packages: pos(c.processors, 'package count'),
        baseMhz: pos(c.speed * 1000, 'base clock'),
        ...(c.speedMax > 0 ? { maxMhz: ok(c.speedMax * 1000) } : {})
      }
    })
  } else inv.cpu.model = cpu
  if (isOk(flags)) {
    const all = flags.value.split(/\s+/).filter(Boolean)
    inv.cpu.flags = ok(all.filter((f) => ML_FLAGS.includes(f)))
  } else inv.cpu.flags = flags
  if (isOk(mem)) {
    mergeInventoryPart(inv, {
      memory: {
        totalBytes: pos(mem.value.total, 'memory total'),
        swapTotalBytes: ok(mem.value.swaptotal)
      }
    })
  }
  if (isOk(layout)) {
    const mods = layout.value.filter((m) => m.size > 0)
    if (mods.length > 0) {
      inv.memory.modules = ok(mods.length)
      const type = mods[0].type
      if (type && type !== 'Unknown') inv.memory.type = ok(type)
      const speed = mods[0].clockSpeed
      if (speed && speed > 0) {
        inv.memory.speedMtps = ok(speed)
        // Theoretical peak: MT/s × 8 bytes × channels; channels estimated as min(modules, 2) on desktops.
        const channels = Math.min(mods.length, 2)
        inv.memory.bandwidthGBps = ok((speed * 8 * channels) / 1000)
      } else
        inv.memory.speedMtps = unavailable('permission-denied', 'DIMM speed needs root (dmidecode)')
    } else {
      inv.memory.modules = unavailable(
        'permission-denied',
        'DIMM layout needs root (dmidecode) or is not exposed (VM)'
      )
    }
  } else inv.memory.modules = layout
  if (isOk(os)) {
    const o = os.value
    inv.host.os = o.distro ? ok(`${o.distro} ${o.release}`.trim()) : NOT_READ
    inv.host.kernel = o.kernel ? ok(o.kernel) : NOT_READ
  }
}

/** Probes every collector (concurrently, each with a timeout) and builds the Inventory. */
export async function buildInventory(options: InventoryOptions): Promise<InventoryResult> {
  const inv = emptyInventory(options.nowMs, options.platform, options.arch, options.hostname)
  const signal = options.signal ?? new AbortController().signal
  const timeoutMs = options.siTimeoutMs ?? 3000
  const probes = await Promise.all(
    options.collectors.map(async (c) => ({
      c,
      r: await withTimeout(c.probe(signal), c.probeTimeoutMs ?? timeoutMs + 2000, `${c.id} probe`)
    }))
  )
  const present: Collector[] = []
  const absent: Collector[] = []
  const absentReasons = new Map<CollectorId, ReadingUnavailable>()
  for (const { c, r } of probes) {
    if (!isOk(r)) {
      absent.push(c)
      absentReasons.set(c.id, r)
      inv.absent.push({ deviceClass: absentClass(c.id), reason: r })
      continue
    }
    const pr = r.value
    if (pr.inventory) mergeInventoryPart(inv, pr.inventory)
    if (pr.status === 'present') present.push(c)
    else {
      absent.push(c)
      absentReasons.set(c.id, pr.reason)
      // The probe may already have listed what it found missing; do not list it twice.
      const cls = absentClass(c.id)
      if (!inv.absent.some((a) => a.deviceClass === cls && a.reason.detail === pr.reason.detail))
        inv.absent.push({ deviceClass: cls, reason: pr.reason })
    }
  }
  if (options.useSystemInformation)
    await mergeSystemInformation(inv, options.si ?? (si as unknown as SiInventory), timeoutMs)
  // Whatever the source (cpuinfo probe or systeminformation), the inventory lists the ML-relevant ISA flags.
  if (isOk(inv.cpu.flags))
    inv.cpu.flags = ok(inv.cpu.flags.value.filter((f) => ML_FLAGS.includes(f)))
  const hasGpu = inv.gpus.length > 0
  if (!hasGpu && !inv.absent.some((a) => a.deviceClass === 'gpu')) {
    const reasons = inv.absent
      .filter((a) => a.deviceClass !== 'gpu' && isGpuDeviceClass(a.deviceClass))
      .map((a) => `${a.deviceClass}: ${a.reason.detail ?? a.reason.reason}`)
    inv.absent.push({
      deviceClass: 'gpu',
      reason: unavailable(
        'no-device',
        reasons.length ? `no GPU found (${reasons.join('; ')})` : 'no GPU found'
      )
    })
  }
  return { inventory: inv, present, absent, absentReasons }
}

/** The absent class a collector's registry entry declares ('other' for unregistered test collectors). */
function absentClass(id: string): AbsentDevice['deviceClass'] {
  return collectorModule(id)?.absentClass ?? 'other'
}
