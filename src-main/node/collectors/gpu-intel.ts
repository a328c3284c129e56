/**
 * Intel GPU collector: i915 and xe frequency and throttle-reason files in sysfs.
 *
 * i915: `/sys/class/drm/cardN/gt/gt0/{rps_act_freq_mhz, rps_cur_freq_mhz, rps_max_freq_mhz,
 * throttle_reason_*}`, or the legacy card-level `gt_act_freq_mhz`/`gt_cur_freq_mhz`/`gt_max_freq_mhz`.
 * xe: `device/tile0/gt0/freq0/{act_freq, cur_freq, rp0, rpn}` and `freq0/throttle/{status, reason_*}`.
 * Throttle reasons: pl1/pl2/pl4 → power, thermal/prochot/ratl/vr_thermalert → thermal, vr_tdc → current.
 *
 * Reading xe throttle files takes a runtime-PM reference (wakes the GPU), so a card whose
 * `device/power/runtime_status` is `suspended` is reported asleep and nothing else is read. Busy % needs the
 * i915/xe perf PMU and is reported unsupported here. Integrated: the iGPU sits at PCI 0000:00:02.0.
 */
import {
  ok,
  unavailable,
  valueOf,
  type Reading,
  type ReadingUnavailable
} from '../../shared/reading'
import {
  emptyGpuInfo,
  emptyGpuSample,
  type GpuInfo,
  type GpuSample,
  type ThrottleFlag
} from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import { isDrmCardName } from '../sources/amdgpu'
import { INTEL_THROTTLE_CAUSES, parseIntelThrottle } from '../sources/intel-gpu'
import { readDriverName, readPciAddress, readRuntimeStatus } from '../sources/pci'
import { readInt, readPolledInt } from '../sources/sysfs'
import type {
  Collector,
  CollectorDeps,
  GpuCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'

/** Identity of this collector and of the GPUs it finds (the registry entry below spreads it). */
const MODULE = { id: 'gpu-intel', vendor: 'intel', backend: 'sycl' } as const

type Driver = 'i915' | 'xe'

interface IntelCard {
  card: string
  device: string
  driver: Driver
  info: GpuInfo
  /** Files for act/cur/max frequency and the throttle dir layout. */
  freq: { act: string; cur: string; max: string; min?: string }
  throttle: { status: string; reason: (r: string) => string } | undefined
}

const DRM = '/sys/class/drm'
const REASONS = Object.keys(INTEL_THROTTLE_CAUSES)

/** Whether a file exists, from a directory listing (listing never wakes the device; reading may). */
async function listed(fs: FileReader, dir: string, name: string): Promise<boolean> {
  const r = await fs.readDir(dir)
  return r.ok && r.value.includes(name)
}

async function layout(
  fs: FileReader,
  card: string,
  driver: Driver
): Promise<Pick<IntelCard, 'freq' | 'throttle'>> {
  const base = `${DRM}/${card}`
  if (driver === 'xe') {
    const f = `${base}/device/tile0/gt0/freq0`
    return {
      freq: { act: `${f}/act_freq`, cur: `${f}/cur_freq`, max: `${f}/rp0`, min: `${f}/rpn` },
      throttle: { status: `${f}/throttle/status`, reason: (r) => `${f}/throttle/reason_${r}` }
    }
  }
  const gt = `${base}/gt/gt0`
  if (await fs.isDir(gt)) {
    return {
      freq: {
        act: `${gt}/rps_act_freq_mhz`,
        cur: `${gt}/rps_cur_freq_mhz`,
        max: `${gt}/rps_max_freq_mhz`,
        min: `${gt}/rps_min_freq_mhz`
      },
      throttle: (await listed(fs, gt, 'throttle_reason_status'))
        ? { status: `${gt}/throttle_reason_status`, reason: (r) => `${gt}/throttle_reason_${r}` }
        : undefined
    }
  }
  return {
    freq: {
      act: `${base}/gt_act_freq_mhz`,
      cur: `${base}/gt_cur_freq_mhz`,
      max: `${base}/gt_max_freq_mhz`,
      min: `${base}/gt_min_freq_mhz`
    },
    throttle: undefined
  }
}

function baseInfo(
  index: number,
  card: string,
  bus: Reading<string>,
  driver: Driver,
  reason: ReadingUnavailable
): GpuInfo {
  const na = unavailable('unsupported', 'not exposed by the Intel driver in sysfs')
  const slot = valueOf(bus)
  return {
    ...emptyGpuInfo(
      {
        id: `intel:${slot ?? card}`,
        index,
        vendor: MODULE.vendor,
        backend: MODULE.backend,
        name: `Intel GPU (${driver}) ${slot ?? card}`,
        integrated: slot === '0000:00:02.0'
      },
      na
    ),
    pciBusId: bus,
    driverVersion: ok(driver),
    computeCapability: unavailable('not-applicable', 'compute capability is an NVIDIA concept'),
    gfxTarget: unavailable('not-applicable', 'gfx target is an AMD concept'),
    clockMaxSmMhz: reason,
    clockMaxGraphicsMhz: reason,
    migEnabled: unavailable('not-applicable', 'MIG is an NVIDIA feature')
  }
}

async function discover(fs: FileReader): Promise<IntelCard[]> {
  const dir = await fs.readDir(DRM)
  if (!dir.ok) return []
  const out: IntelCard[] = []
  for (const card of dir.value
    .filter(isDrmCardName)
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))) {
    const device = `${DRM}/${card}/device`
    const driver = await readDriverName(fs, device)
    if (driver !== 'i915' && driver !== 'xe') continue
    const bus = await readPciAddress(fs, device)
    const info = baseInfo(
      out.length,
      card,
      bus,
      driver,
      unavailable('asleep', 'runtime-suspended; not woken')
    )
    out.push({ card, device, driver, info, ...(await layout(fs, card, driver)) })
  }
  return out
}

function asleepSample(c: IntelCard): GpuSample {
  return emptyGpuSample(c.info, unavailable('asleep', 'runtime-suspended; not woken'))
}

async function sampleCard(fs: FileReader, c: IntelCard): Promise<GpuSample> {
  const [act, max] = await Promise.all([
    readPolledInt(fs, c.freq.act),
    readPolledInt(fs, c.freq.max)
  ])
  let throttleFlags: Reading<ThrottleFlag[]> = unavailable(
    'unsupported',
    'no throttle reason files (older kernel)'
  )
  if (c.throttle) {
    const t = c.throttle
    const texts = await Promise.all(
      [t.status, ...REASONS.map(t.reason)].map((p) => fs.readPolled(p))
    )
    const [status, ...rs] = texts.map((r) => (r.ok ? r.value : undefined))
    const denied = texts.find((r) => !r.ok && r.code === 'permission-denied')
    throttleFlags = parseIntelThrottle(
      status,
      Object.fromEntries(REASONS.map((r, i) => [r, rs[i]]))
    )
    if (throttleFlags.status !== 'ok' && denied)
      throttleFlags = unavailable('permission-denied', 'throttle reason files')
  }
  const na = unavailable('unsupported', 'not exposed by the Intel driver in sysfs')
  return {
    id: c.info.id,
    index: c.info.index,
    vendor: c.info.vendor,
    name: c.info.name,
    state: 'active',
    utilizationPct: unavailable('unsupported', 'needs the i915/xe perf PMU'),
    memoryUtilizationPct: na,
    memoryUsedBytes: na,
    memoryTotalBytes: na,
    temperatureCelsius: na,
    hotspotTemperatureCelsius: na,
    memoryTemperatureCelsius: na,
    temperatureHeadroomCelsius: na,
    powerDrawWatts: na,
    powerAverageWatts: na,
    powerInstantWatts: na,
    powerLimitWatts: na,
    clockSmMhz: act,
    clockGraphicsMhz: act,
    clockMemoryMhz: na,
    clockMaxSmMhz: max,
    clockMaxMemoryMhz: na,
    pcieGen: na,
    pcieWidth: na,
    pcieMaxGen: na,
    pcieMaxWidth: na,
    fanPct: na,
    fanRpm: na,
    pstate: na,
    throttleFlags,
    throttleMaskHex: unavailable('not-applicable', 'Intel reports one file per reason, not a mask'),
    throttleCountersSeconds: unavailable('unsupported', 'no throttle time counters in sysfs')
  }
}

/** Creates the Intel GPU collector (id `gpu-intel`). */
export function createGpuIntelCollector(deps: CollectorDeps): Collector {
  const fs = deps.fs
  const log = deps.log.child('collector:gpu-intel')
  let cards: IntelCard[] | undefined
  const lastState = new Map<string, string>()
  const loaded = new Set<string>()

  const awake = async (c: IntelCard): Promise<boolean> => {
    if ((await readRuntimeStatus(fs, c.device)) === 'suspended') return false
    if (!loaded.has(c.card)) {
      const max = await readInt(fs, c.freq.max)
      c.info.clockMaxGraphicsMhz = max
      c.info.clockMaxSmMhz = max
      loaded.add(c.card)
    }
    return true
  }

  return {
    id: MODULE.id,
    async probe(): Promise<ProbeResult> {
      if (deps.platform !== 'linux')
        return {
          status: 'absent',
          reason: unavailable('not-applicable', 'i915/xe sysfs is Linux only')
        }
      cards = await discover(fs)
      if (cards.length === 0)
        return {
          status: 'absent',
          reason: unavailable('no-device', 'no i915/xe device under /sys/class/drm')
        }
      for (const c of cards) await awake(c)
      return { status: 'present', inventory: { gpus: cards.map((c) => c.info) } }
    },
    async sample(_ctx: SampleContext): Promise<SnapshotPart> {
      cards ??= await discover(fs)
      const gpus = await Promise.all(
        cards.map(async (c) => {
          const s = (await awake(c)) ? await sampleCard(fs, c) : asleepSample(c)
          if (lastState.get(c.card) !== s.state) {
            log.log('info', `${c.card}: ${s.state}`)
            lastState.set(c.card, s.state)
          }
          return s
        })
      )
      return { gpus }
    },
    async close() {}
  }
}

/** Registry entry: Intel GPUs through i915/xe sysfs (Linux). */
export const gpuIntelCollector: GpuCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'gpu',
  runsOn: (p) => p === 'linux',
  absentClass: 'gpu-intel',
  create: createGpuIntelCollector
}
