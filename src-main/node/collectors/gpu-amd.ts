/**
 * AMD GPU collector: amdgpu sysfs, hwmon and the binary `gpu_metrics` file. No ROCm and no tools needed.
 *
 * Cards are `/sys/class/drm/cardN` whose `device/driver` link names `amdgpu` (connector dirs such as
 * `card1-DP-5` are skipped). Per tick it reads `gpu_busy_percent`, `mem_busy_percent`, `mem_info_vram_*`,
 * the device's hwmon (edge/junction/mem temperatures, power, fan, clocks), `pp_dpm_*` where hwmon has no
 * `freqN_input`, the PCIe link, and `gpu_metrics` for the throttle mask.
 *
 * Runtime PM: a dGPU whose `device/power/runtime_status` is `suspended` is reported `asleep` and none of its
 * other files are read, since reading amdgpu attributes resumes the device (and costs watts on a laptop).
 *
 * Integrated rule (APU): gpu_metrics format 2.x/3.x (the APU layouts) means integrated and 1.x discrete; without
 * gpu_metrics, a GPU with no hwmon `junction` sensor and at most 2 GiB of VRAM (a BIOS carve-out) is
 * integrated.
 */
import {
  isOk,
  ok,
  unavailable,
  valueOf,
  type Reading,
  type ReadingUnavailable
} from '../../shared/reading'
import { emptyGpuInfo, emptyGpuSample, type GpuInfo, type GpuSample } from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import {
  discoverHwmonChip,
  readHwmonChip,
  type HwmonChipHandle,
  type HwmonTempHandle
} from '../sources/hwmon'
import { isDrmCardName, parsePpDpmClock, parsePpDpmPcie } from '../sources/amdgpu'
import { decodeGpuMetrics, throttleFromMetrics, type GpuMetrics } from '../sources/amdgpu-metrics'
import {
  linkGenFromFile,
  linkWidthFromFile,
  parseLinkSpeedGen,
  parseLinkWidth,
  readDriverName,
  readPciAddress,
  readRuntimeStatus
} from '../sources/pci'
import { fileUnavailable, readInt, readPolledInt, readText, scale } from '../sources/sysfs'
import type {
  Collector,
  CollectorDeps,
  GpuCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'

/** Identity of this collector and of the GPUs it finds (the registry entry below spreads it). */
const MODULE = { id: 'gpu-amd', vendor: 'amd', backend: 'rocm' } as const

// ---------------------------------------------------------------------------------------------------------
// Collector
// ---------------------------------------------------------------------------------------------------------

/** Everything learned about one card at probe time. */
interface AmdCard {
  card: string
  /** `/sys/class/drm/cardN/device`. */
  device: string
  pciBusId: Reading<string>
  /** Static info; rebuilt when a card asleep at probe is seen awake. */
  info: GpuInfo
  staticLoaded: boolean
  hwmon: string | undefined
  /** The card's own hwmon chip (edge/junction/mem temperatures with crit/emergency), via hwmon.ts. */
  hwmonChip: HwmonChipHandle | null
  hasFreqInput: boolean
  hasPpDpmPcie: boolean
  hasGpuMetrics: boolean
}

const DRM = '/sys/class/drm'
const GIB = 1024 ** 3

const asleep = (): ReadingUnavailable => unavailable('asleep', 'runtime-suspended; not woken')

async function readHwmonDir(fs: FileReader, device: string): Promise<string | undefined> {
  const r = await fs.readDir(`${device}/hwmon`)
  if (!r.ok) return undefined
  const first = r.value.find((n) => /^hwmon\d+$/.test(n))
  return first === undefined ? undefined : `${device}/hwmon/${first}`
}

/** The amdgpu hwmon temperature with this label (`edge`, `junction`, `mem`), else the conventional index. */
function tempBy(
  chip: HwmonChipHandle | null,
  label: string,
  index: number
): HwmonTempHandle | undefined {
  if (!chip) return undefined
  return (
    chip.temps.find((t) => t.label.toLowerCase() === label) ??
    chip.temps.find((t) => t.index === index && t.label === t.sensor)
  )
}

const GPU_METRICS_MISSING = 'gpu_metrics: not-found'

async function loadGpuMetrics(fs: FileReader, device: string): Promise<Reading<GpuMetrics>> {
  const r = await fs.readBytes(`${device}/gpu_metrics`)
  if (!r.ok) return fileUnavailable(r, 'gpu_metrics')
  const d = decodeGpuMetrics(r.value)
  if (!d.ok)
    return unavailable(d.error.kind === 'too-short' ? 'parse-error' : 'unsupported', d.error.detail)
  return ok(d.metrics)
}

function emptyInfo(
  index: number,
  card: string,
  pciBusId: Reading<string>,
  reason: ReadingUnavailable
): GpuInfo {
  return {
    ...emptyGpuInfo(
      {
        id: `amd:${valueOf(pciBusId) ?? card}`,
        index,
        vendor: MODULE.vendor,
        backend: MODULE.backend,
        name: `AMD GPU ${valueOf(pciBusId) ?? card}`
      },
      reason
    ),
    pciBusId,
    runtimeVersion: unavailable('unsupported', 'ROCm version is not read (sysfs only)'),
    computeCapability: unavailable('not-applicable', 'compute capability is an NVIDIA concept'),
    pcieHostMaxGen: unavailable('unsupported', 'not reported by amdgpu sysfs'),
    migEnabled: unavailable('not-applicable', 'MIG is an NVIDIA feature'),
    vbiosVersion: reason
  }
}

async function loadStatic(fs: FileReader, card: AmdCard, index: number): Promise<void> {
  const d = card.device
  const info = emptyInfo(index, card.card, card.pciBusId, unavailable('unsupported'))
  const product = await readText(fs, `${d}/product_name`)
  const uevent = await fs.readText(`${d}/uevent`)
  const pciId = uevent.ok ? /^PCI_ID=(.+)$/m.exec(uevent.value)?.[1]?.trim() : undefined
  const slot = uevent.ok ? /^PCI_SLOT_NAME=(.+)$/m.exec(uevent.value)?.[1]?.trim() : undefined
  if (card.pciBusId.status !== 'ok' && slot) {
    // Fixture trees (and some containers) have a real `device` dir instead of a link into /sys/devices.
    card.pciBusId = ok(slot)
    info.pciBusId = card.pciBusId
    info.id = `amd:${slot}`
  }
  info.name =
    product.status === 'ok'
      ? product.value
      : `AMD GPU ${pciId ?? valueOf(card.pciBusId) ?? card.card}`
  info.memoryTotalBytes = await readInt(fs, `${d}/mem_info_vram_total`)
  info.vbiosVersion = await readText(fs, `${d}/vbios_version`)
  const uid = await readText(fs, `${d}/unique_id`)
  info.uuid = uid
  const module = await readText(fs, '/sys/module/amdgpu/version')
  info.driverVersion =
    module.status === 'ok' ? module : unavailable('unsupported', 'in-tree amdgpu has no version')

  const sclk = parsePpDpmClock(textOr(await fs.readText(`${d}/pp_dpm_sclk`)))
  const mclk = parsePpDpmClock(textOr(await fs.readText(`${d}/pp_dpm_mclk`)))
  info.clockMaxGraphicsMhz =
    sclk.maxMhz.status === 'ok' ? sclk.maxMhz : unavailable('unsupported', 'no pp_dpm_sclk')
  info.clockMaxSmMhz = info.clockMaxGraphicsMhz
  info.clockMaxMemoryMhz =
    mclk.maxMhz.status === 'ok' ? mclk.maxMhz : unavailable('unsupported', 'no pp_dpm_mclk')

  const pcieText = await fs.readText(`${d}/pp_dpm_pcie`)
  const pcie = parsePpDpmPcie(textOr(pcieText))
  card.hasPpDpmPcie = pcie.current.status === 'ok'
  const maxSpeed = await readText(fs, `${d}/max_link_speed`)
  const maxWidth = await readText(fs, `${d}/max_link_width`)
  const sysMaxGen = maxSpeed.status === 'ok' ? parseLinkSpeedGen(maxSpeed.value) : maxSpeed
  const sysMaxWidth = maxWidth.status === 'ok' ? parseLinkWidth(maxWidth.value) : maxWidth
  // pp_dpm_pcie's top level is what the SMU will train to (min of GPU and slot); the device's own
  // max_link_* is what the GPU supports.
  info.pcieMaxGen = pcie.max.status === 'ok' ? ok(pcie.max.value.gen) : sysMaxGen
  info.pcieMaxWidth = pcie.max.status === 'ok' ? ok(pcie.max.value.width) : sysMaxWidth
  info.pcieGpuMaxGen = sysMaxGen

  card.hwmon = await readHwmonDir(fs, d)
  card.hwmonChip = card.hwmon ? await discoverHwmonChip(fs, card.hwmon) : null
  if (card.hwmon) {
    const h = card.hwmon
    info.powerMaxLimitWatts = scale(await readInt(fs, `${h}/power1_cap_max`), 1e-6)
    info.powerMinLimitWatts = scale(await readInt(fs, `${h}/power1_cap_min`), 1e-6)
    info.powerDefaultLimitWatts = scale(await readInt(fs, `${h}/power1_cap_default`), 1e-6)
    card.hasFreqInput = isOk(await readInt(fs, `${h}/freq1_input`))
  } else {
    const none = unavailable('unsupported', 'no hwmon for this GPU')
    info.powerMaxLimitWatts = none
    info.powerMinLimitWatts = none
    info.powerDefaultLimitWatts = none
    card.hasFreqInput = false
  }
  const edge = tempBy(card.hwmonChip, 'edge', 1)
  const junction = tempBy(card.hwmonChip, 'junction', 2)
  const mem = tempBy(card.hwmonChip, 'mem', 3)
  const noSensor = unavailable('unsupported', 'sensor not present')
  info.tempSlowdownCelsius = edge?.critCelsius ?? noSensor
  info.tempShutdownCelsius = edge?.emergencyCelsius ?? noSensor
  info.tempMaxOperatingCelsius = junction?.critCelsius ?? noSensor
  info.tempMemoryMaxCelsius = mem?.critCelsius ?? noSensor

  const metrics = await loadGpuMetrics(fs, d)
  card.hasGpuMetrics = !(metrics.status === 'unavailable' && metrics.detail === GPU_METRICS_MISSING)
  const vram = valueOf(info.memoryTotalBytes)
  if (metrics.status === 'ok') info.integrated = metrics.value.layout === 'apu'
  else info.integrated = junction === undefined && vram !== undefined && vram <= 2 * GIB
  info.gfxTarget = unavailable('unsupported', 'needs KFD topology (not read)')
  card.info = info
  card.staticLoaded = true
}

function textOr(r: { ok: true; value: string } | { ok: false }): string {
  return r.ok ? r.value : ''
}

function asleepSample(card: AmdCard): GpuSample {
  return emptyGpuSample(card.info, asleep())
}

async function sampleCard(fs: FileReader, card: AmdCard): Promise<GpuSample> {
  const d = card.device
  const h = card.hwmon
  const noHwmon = unavailable('unsupported', 'no hwmon for this GPU')
  const hw = (file: string): Promise<Reading<number>> =>
    h ? readPolledInt(fs, `${h}/${file}`) : Promise.resolve(noHwmon)

  const [busy, memBusy, vramUsed, vramTotal] = await Promise.all([
    readPolledInt(fs, `${d}/gpu_busy_percent`),
    readPolledInt(fs, `${d}/mem_busy_percent`),
    readPolledInt(fs, `${d}/mem_info_vram_used`),
    readPolledInt(fs, `${d}/mem_info_vram_total`)
  ])

  const chip = card.hwmonChip ? await readHwmonChip(fs, card.hwmonChip, { fans: false }) : null
  const edgeS = tempBy(card.hwmonChip, 'edge', 1)
  const junctionS = tempBy(card.hwmonChip, 'junction', 2)
  const memS = tempBy(card.hwmonChip, 'mem', 3)
  const tempOf = (t: HwmonTempHandle | undefined): Reading<number> =>
    chip?.temperatures.find((x) => x.sensor === t?.sensor)?.temperatureCelsius ??
    unavailable('unsupported', 'sensor not present')
  const [edge, junction, mem] = [tempOf(edgeS), tempOf(junctionS), tempOf(memS)]

  const [pAvg, pIn, pCap, fanRpm, pwm, pwmEnable] = await Promise.all([
    hw('power1_average'),
    hw('power1_input'),
    hw('power1_cap'),
    hw('fan1_input'),
    hw('pwm1'),
    hw('pwm1_enable')
  ])
  const powerAverageWatts = scale(pAvg, 1e-6)
  const powerInstantWatts = scale(pIn, 1e-6)

  let clockGraphicsMhz: Reading<number>
  let clockMemoryMhz: Reading<number>
  if (card.hasFreqInput) {
    clockGraphicsMhz = scale(await hw('freq1_input'), 1e-6)
    clockMemoryMhz = scale(await hw('freq2_input'), 1e-6)
  } else {
    const [s, m] = await Promise.all([
      fs.readPolled(`${d}/pp_dpm_sclk`),
      fs.readPolled(`${d}/pp_dpm_mclk`)
    ])
    clockGraphicsMhz = s.ok
      ? parsePpDpmClock(s.value).currentMhz
      : fileUnavailable(s, 'pp_dpm_sclk')
    clockMemoryMhz = m.ok ? parsePpDpmClock(m.value).currentMhz : fileUnavailable(m, 'pp_dpm_mclk')
  }

  let pcieGen: Reading<number>
  let pcieWidth: Reading<number>
  if (card.hasPpDpmPcie) {
    // On Vega10+ the device's own current_link_* describes the link to the card's internal switch, not the
    // slot; the SMU's current PCIe DPM level is the real one.
    const t = await fs.readPolled(`${d}/pp_dpm_pcie`)
    const cur = t.ok ? parsePpDpmPcie(t.value).current : fileUnavailable(t, 'pp_dpm_pcie')
    pcieGen = cur.status === 'ok' ? ok(cur.value.gen) : cur
    pcieWidth = cur.status === 'ok' ? ok(cur.value.width) : cur
  } else {
    const [s, w] = await Promise.all([
      fs.readPolled(`${d}/current_link_speed`),
      fs.readPolled(`${d}/current_link_width`)
    ])
    pcieGen = linkGenFromFile(s, 'current_link_speed')
    pcieWidth = linkWidthFromFile(w, 'current_link_width')
  }

  const metrics = card.hasGpuMetrics
    ? await loadGpuMetrics(fs, d)
    : unavailable('unsupported', 'no gpu_metrics')
  const m = valueOf(metrics)
  const hotspot = junction.status === 'ok' ? junction : (m?.temperatureHotspotCelsius ?? junction)
  const temperatureCelsius =
    edge.status === 'ok'
      ? edge
      : m?.layout === 'apu' && m.temperatureGfxCelsius.status === 'ok'
        ? m.temperatureGfxCelsius
        : edge
  const memoryTemperatureCelsius = mem.status === 'ok' ? mem : (m?.temperatureMemCelsius ?? mem)
  const throttle = throttleFromMetrics(metrics, valueOf(hotspot))

  const headrooms: number[] = []
  const e = valueOf(temperatureCelsius)
  const ec = edgeS ? valueOf(edgeS.critCelsius) : undefined
  if (e !== undefined && ec !== undefined) headrooms.push(ec - e)
  const j = valueOf(junction)
  const jc = junctionS ? valueOf(junctionS.critCelsius) : undefined
  if (j !== undefined && jc !== undefined) headrooms.push(jc - j)

  // pwm1 is 0–255 duty; in automatic mode (pwm1_enable 2) it still reflects the duty the firmware set.
  // pwm1_enable 0 is "no fan speed control (i.e. fan at full power)" (kernel hwmon sysfs-interface).
  const fanPct: Reading<number> =
    pwmEnable.status === 'ok' && pwmEnable.value === 0 ? ok(100) : scale(pwm, 100 / 255)

  return {
    id: card.info.id,
    index: card.info.index,
    vendor: card.info.vendor,
    name: card.info.name,
    state: 'active',
    utilizationPct: busy,
    memoryUtilizationPct: memBusy,
    memoryUsedBytes: vramUsed,
    memoryTotalBytes: vramTotal,
    temperatureCelsius,
    hotspotTemperatureCelsius: hotspot,
    memoryTemperatureCelsius,
    temperatureHeadroomCelsius:
      headrooms.length > 0
        ? ok(Math.min(...headrooms))
        : unavailable('unsupported', 'no temperature limit known'),
    powerDrawWatts: powerAverageWatts.status === 'ok' ? powerAverageWatts : powerInstantWatts,
    powerAverageWatts,
    powerInstantWatts,
    powerLimitWatts: scale(pCap, 1e-6),
    clockSmMhz: clockGraphicsMhz,
    clockGraphicsMhz,
    clockMemoryMhz,
    clockMaxSmMhz: card.info.clockMaxSmMhz,
    clockMaxMemoryMhz: card.info.clockMaxMemoryMhz,
    pcieGen,
    pcieWidth,
    pcieMaxGen: card.info.pcieMaxGen,
    pcieMaxWidth: card.info.pcieMaxWidth,
    fanPct,
    fanRpm,
    pstate: unavailable(
      'not-applicable',
      "P-state names (P0…P12) are NVIDIA's; amdgpu uses DPM levels"
    ),
    throttleFlags: throttle.flags,
    throttleMaskHex: throttle.maskHex,
    throttleCountersSeconds: unavailable('unsupported', 'amdgpu exposes no throttle time counters')
  }
}

/** Finds amdgpu cards under /sys/class/drm (connectors and other drivers skipped). */
async function discoverCards(fs: FileReader): Promise<AmdCard[]> {
  const dir = await fs.readDir(DRM)
  if (!dir.ok) return []
  const names = dir.value
    .filter(isDrmCardName)
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
  const cards: AmdCard[] = []
  for (const card of names) {
    const device = `${DRM}/${card}/device`
    let driver = await readDriverName(fs, device)
    if (driver === undefined && (await readRuntimeStatus(fs, device)) !== 'suspended') {
      // Some captured trees store `driver` as a plain file; uevent names the driver too.
      const uevent = await fs.readText(`${device}/uevent`)
      driver = uevent.ok ? /^DRIVER=(.+)$/m.exec(uevent.value)?.[1]?.trim() : undefined
    }
    if (driver !== 'amdgpu') continue
    const pciBusId = await readPciAddress(fs, device)
    const index = cards.length
    cards.push({
      card,
      device,
      pciBusId,
      info: emptyInfo(index, card, pciBusId, asleep()),
      staticLoaded: false,
      hwmon: undefined,
      hwmonChip: null,
      hasFreqInput: false,
      hasPpDpmPcie: false,
      hasGpuMetrics: false
    })
  }
  return cards
}

/** Creates the AMD GPU collector (id `gpu-amd`). */
export function createGpuAmdCollector(deps: CollectorDeps): Collector {
  const fs = deps.fs
  const log = deps.log.child('collector:gpu-amd')
  let cards: AmdCard[] | undefined
  const lastState = new Map<string, GpuSample['state']>()

  const ensureStatic = async (card: AmdCard): Promise<boolean> => {
    if ((await readRuntimeStatus(fs, card.device)) === 'suspended') return false
    if (!card.staticLoaded) await loadStatic(fs, card, card.info.index)
    return true
  }

  return {
    id: MODULE.id,
    async probe(): Promise<ProbeResult> {
      if (deps.platform !== 'linux') {
        return {
          status: 'absent',
          reason: unavailable('not-applicable', 'amdgpu sysfs is Linux only')
        }
      }
      cards = await discoverCards(fs)
      if (cards.length === 0) {
        return {
          status: 'absent',
          reason: unavailable('no-device', 'no amdgpu device under /sys/class/drm')
        }
      }
      for (const card of cards) await ensureStatic(card)
      return { status: 'present', inventory: { gpus: cards.map((c) => c.info) } }
    },
    async sample(_ctx: SampleContext): Promise<SnapshotPart> {
      cards ??= await discoverCards(fs)
      const gpus = await Promise.all(
        cards.map(async (card) => {
          const awake = await ensureStatic(card)
          const s = awake ? await sampleCard(fs, card) : asleepSample(card)
          if (lastState.get(card.card) !== s.state) {
            log.log('info', `${card.card}: ${s.state}`)
            lastState.set(card.card, s.state)
          }
          return s
        })
      )
      return { gpus }
    },
    async close() {}
  }
}

/** Registry entry: AMD GPUs through amdgpu sysfs (Linux). */
export const gpuAmdCollector: GpuCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'gpu',
  runsOn: (p) => p === 'linux',
  absentClass: 'gpu-amd',
  create: createGpuAmdCollector
}
