/**
 * The one source of each device limit, and the live status of every device (temperature against its
 * limit, clock against its maximum, throttle state), built from the inventory and the latest snapshot.
 *
 * Every view that shows a limit asks here, so a GPU's slowdown temperature is the same number on the
 * Overview strip, the Live card, the temperature chart and the Machine view.
 */
import { describeReason, ok, unavailable, type Reading } from '../reading'
import type { GpuInfo, GpuSample, Inventory, Snapshot, StorageDeviceSample } from '../telemetry'
import { stateFromFlags, type ThrottleState } from './causes'

/** The limits of a GPU, each with where it came from. */
export interface GpuLimits {
  /** Temperature at which the GPU starts to slow itself down (°C). */
  slowdownCelsius: Reading<number>
  /** Highest SM (or graphics) clock the GPU reaches (MHz). */
  maxClockMhz: Reading<number>
  /** Power limit the driver enforces now (W); falls back to the default limit before the first sample. */
  powerLimitWatts: Reading<number>
  /** Total VRAM (bytes). */
  vramBytes: Reading<number>
}

const firstOk = (...rs: (Reading<number> | undefined)[]): Reading<number> | undefined =>
  rs.find((r) => r !== undefined && r.status === 'ok') ?? rs.find((r) => r !== undefined)

/**
 * A GPU's limits.
 *
 * Slowdown temperature: the inventory's `temperature.gpu.slowdown` (static, NVIDIA `nvidia-smi -q`
 * "GPU Slowdown Temp"; AMD `temp*_crit` of the edge sensor); when the inventory lacks it, the live
 * temperature plus the driver's headroom (`temperature.gpu.tlimit`), rounded to a whole degree. Max
 * clock: the sample's `clocks.max.sm`, else the inventory's. Power limit: the sample's enforced limit,
 * else the default limit.
 */
export function gpuLimits(info: GpuInfo | undefined, sample: GpuSample | undefined): GpuLimits {
  let slowdown: Reading<number> = info?.tempSlowdownCelsius ?? unavailable('no-device')
  if (slowdown.status !== 'ok' && sample) {
    const t = sample.temperatureCelsius
    const h = sample.temperatureHeadroomCelsius
    if (t.status === 'ok' && h.status === 'ok') slowdown = ok(Math.round(t.value + h.value))
  }
  return {
    slowdownCelsius: slowdown,
    maxClockMhz:
      firstOk(sample?.clockMaxSmMhz, info?.clockMaxSmMhz, info?.clockMaxGraphicsMhz) ??
      unavailable('no-device'),
    powerLimitWatts:
      firstOk(sample?.powerLimitWatts, info?.powerDefaultLimitWatts) ?? unavailable('no-device'),
    vramBytes: firstOk(sample?.memoryTotalBytes, info?.memoryTotalBytes) ?? unavailable('no-device')
  }
}

/** The temperature limit of a drive: its own warning threshold (NVMe `temp1_max`), else critical. */
export function driveLimitCelsius(d: StorageDeviceSample): Reading<number> {
  return d.tempMaxCelsius.status === 'ok' ? d.tempMaxCelsius : d.tempCritCelsius
}

/** Live status of one device, as the Overview strip and the Live cards show it. */
export interface DeviceStatus {
  /** Stable id: `gpu:<gpu id>`, `cpu`, `memory`, `disk:<name>`. */
  id: string
  kind: 'gpu' | 'cpu' | 'memory' | 'disk'
  /** Short name (`GPU 0`, `CPU`, `nvme0n1`). */
  name: string
  /** Model (`NVIDIA GeForce RTX 4090`), when known. */
  model: string
  utilizationPct: Reading<number>
  temperatureCelsius: Reading<number>
  /** The limit the temperature is compared with, and its name (`slowdown`, `max`). */
  temperatureLimitCelsius: Reading<number>
  temperatureLimitName: string
  clockMhz: Reading<number>
  clockMaxMhz: Reading<number>
  powerWatts: Reading<number>
  powerLimitWatts: Reading<number>
  memoryUsedBytes: Reading<number>
  memoryTotalBytes: Reading<number>
  throttle: ThrottleState
}

const NA = (detail: string): Reading<number> => unavailable('not-applicable', detail)

function gpuThrottle(g: GpuSample): ThrottleState {
  if (g.state === 'asleep') return { state: 'unknown', reason: 'GPU asleep (not woken)' }
  if (g.throttleFlags.status !== 'ok')
    return { state: 'unknown', reason: describeReason(g.throttleFlags) }
  return stateFromFlags(g.throttleFlags.value)
}

function sumCounts(r: Reading<{ count: Reading<number> }[]>): number | null {
  if (r.status !== 'ok') return null
  let n = 0
  for (const c of r.value) {
    if (c.count.status !== 'ok') return null
    n += c.count.value
  }
  return n
}

/**
 * The CPU's throttle state: only CPUs with thermal-throttle counters (Intel `thermal_throttle/*_count`)
 * can say "not throttled"; the state compares the counters with the previous sample.
 */
export function cpuThrottleState(
  inventory: Inventory | null,
  latest: Snapshot,
  previous: Snapshot | null
): ThrottleState {
  if (inventory && !inventory.cpu.hasThrottleCounters)
    return { state: 'unknown', reason: 'this CPU exposes no throttle counters' }
  if (latest.cpu.status !== 'ok') return { state: 'unknown', reason: describeReason(latest.cpu) }
  const now = latest.cpu.value
  const nowCount = sumCounts(now.packageThrottle) ?? sumCounts(now.coreThrottle)
  if (nowCount === null) {
    const r = now.packageThrottle.status !== 'ok' ? now.packageThrottle : now.coreThrottle
    return {
      state: 'unknown',
      reason: r.status === 'unavailable' ? describeReason(r) : 'throttle counters unreadable'
    }
  }
  if (!previous || previous.cpu.status !== 'ok')
    return { state: 'unknown', reason: 'waiting for a second sample' }
  const prevCount =
    sumCounts(previous.cpu.value.packageThrottle) ?? sumCounts(previous.cpu.value.coreThrottle)
  if (prevCount === null) return { state: 'unknown', reason: 'waiting for a second sample' }
  return nowCount > prevCount
    ? { state: 'throttled', causes: ['thermal'], flags: ['thermal_throttle count rose'] }
    : { state: 'not-throttled' }
}

function driveThrottle(d: StorageDeviceSample): ThrottleState {
  const t = d.temperatureCelsius
  const lim = driveLimitCelsius(d)
  if (t.status !== 'ok') return { state: 'unknown', reason: describeReason(t) }
  if (lim.status !== 'ok')
    return { state: 'unknown', reason: 'the drive reports no temperature limit' }
  return t.value >= lim.value
    ? { state: 'throttled', causes: ['storage-thermal'], flags: [`${d.name} at its limit`] }
    : { state: 'not-throttled' }
}

/** Live status of every device in a snapshot: GPUs first, then CPU, memory and drives. */
export function deviceStatuses(
  inventory: Inventory | null,
  latest: Snapshot,
  previous: Snapshot | null = null
): DeviceStatus[] {
  const out: DeviceStatus[] = []
  for (const g of latest.gpus) {
    const info = inventory?.gpus.find((x) => x.id === g.id)
    const lim = gpuLimits(info, g)
    out.push({
      id: `gpu:${g.id}`,
      kind: 'gpu',
      name: `GPU ${g.index}`,
      model: g.name,
      utilizationPct: g.utilizationPct,
      temperatureCelsius: g.temperatureCelsius,
      temperatureLimitCelsius: lim.slowdownCelsius,
      temperatureLimitName: 'slowdown',
      clockMhz: g.clockSmMhz.status === 'ok' ? g.clockSmMhz : g.clockGraphicsMhz,
      clockMaxMhz: lim.maxClockMhz,
      powerWatts: g.powerDrawWatts,
      powerLimitWatts: lim.powerLimitWatts,
      memoryUsedBytes: g.memoryUsedBytes,
      memoryTotalBytes: lim.vramBytes,
      throttle: gpuThrottle(g)
    })
  }
  const cpuModel = inventory?.cpu.model.status === 'ok' ? inventory.cpu.model.value : ''
  if (latest.cpu.status === 'ok') {
    const c = latest.cpu.value
    const hottest =
      c.temperatures.status === 'ok'
        ? c.temperatures.value.find((t) => t.temperatureCelsius.status === 'ok')
        : undefined
    const limit = hottest
      ? hottest.maxCelsius.status === 'ok'
        ? hottest.maxCelsius
        : hottest.critCelsius
      : NA('no CPU temperature sensor')
    out.push({
      id: 'cpu',
      kind: 'cpu',
      name: 'CPU',
      model: cpuModel,
      utilizationPct: c.utilizationPct,
      temperatureCelsius: c.packageTemperatureCelsius,
      temperatureLimitCelsius: limit,
      temperatureLimitName: 'max',
      clockMhz: c.frequencyMhz,
      clockMaxMhz: c.frequencyMaxMhz,
      powerWatts: c.packagePowerWatts,
      powerLimitWatts: NA('no CPU power limit is read'),
      memoryUsedBytes: NA('not a memory device'),
      memoryTotalBytes: NA('not a memory device'),
      throttle: cpuThrottleState(inventory, latest, previous)
    })
  } else {
    out.push({
      id: 'cpu',
      kind: 'cpu',
      name: 'CPU',
      model: cpuModel,
      utilizationPct: latest.cpu,
      temperatureCelsius: latest.cpu,
      temperatureLimitCelsius: latest.cpu,
      temperatureLimitName: 'max',
      clockMhz: latest.cpu,
      clockMaxMhz: latest.cpu,
      powerWatts: latest.cpu,
      powerLimitWatts: latest.cpu,
      memoryUsedBytes: latest.cpu,
      memoryTotalBytes: latest.cpu,
      throttle: { state: 'unknown', reason: describeReason(latest.cpu) }
    })
  }
  const m = latest.memory
  out.push({
    id: 'memory',
    kind: 'memory',
    name: 'RAM',
    model: inventory?.memory.type.status === 'ok' ? inventory.memory.type.value : '',
    utilizationPct:
      m.status === 'ok' && m.value.usedBytes.status === 'ok' && m.value.totalBytes.status === 'ok'
        ? ok((m.value.usedBytes.value / m.value.totalBytes.value) * 100)
        : m.status === 'ok'
          ? m.value.usedBytes
          : m,
    temperatureCelsius: NA('RAM temperature is not read'),
    temperatureLimitCelsius: NA('RAM temperature is not read'),
    temperatureLimitName: 'max',
    clockMhz: NA('RAM clock is not sampled'),
    clockMaxMhz: NA('RAM clock is not sampled'),
    powerWatts: NA('RAM power is not read'),
    powerLimitWatts: NA('RAM power is not read'),
    memoryUsedBytes: m.status === 'ok' ? m.value.usedBytes : m,
    memoryTotalBytes: m.status === 'ok' ? m.value.totalBytes : m,
    throttle: { state: 'unknown', reason: 'RAM has no throttle state' }
  })
  if (latest.storage.status === 'ok') {
    for (const d of latest.storage.value.devices) {
      const info = inventory?.storage.find((x) => x.name === d.name)
      out.push({
        id: `disk:${d.name}`,
        kind: 'disk',
        name: d.name,
        model: info?.model.status === 'ok' ? info.model.value : '',
        utilizationPct: d.busyPct,
        temperatureCelsius: d.temperatureCelsius,
        temperatureLimitCelsius: driveLimitCelsius(d),
        temperatureLimitName: 'max',
        clockMhz: NA('drives have no clock'),
        clockMaxMhz: NA('drives have no clock'),
        powerWatts: NA('drive power is not read'),
        powerLimitWatts: NA('drive power is not read'),
        memoryUsedBytes: NA('not a memory device'),
        memoryTotalBytes: NA('not a memory device'),
        throttle: driveThrottle(d)
      })
    }
  }
  return out
}

/** Why there is no GPU, in words, from the inventory's absent list ("nvidia-smi not found; …"). */
export function noGpuReason(inventory: Inventory): string {
  const general = inventory.absent.find((a) => a.deviceClass === 'gpu')
  const parts = inventory.absent
    .filter((a) => a.deviceClass.startsWith('gpu-'))
    .map((a) => `${vendorOf(a.deviceClass)}: ${describeReason(a.reason)}`)
  if (parts.length > 0) return parts.join('; ')
  return general ? describeReason(general.reason) : 'no GPU was found'
}

function vendorOf(deviceClass: string): string {
  switch (deviceClass) {
    case 'gpu-nvidia':
      return 'NVIDIA'
    case 'gpu-amd':
      return 'AMD'
    case 'gpu-intel':
      return 'Intel'
    default:
      return 'GPU'
  }
}
