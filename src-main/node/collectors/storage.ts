/**
 * Storage collector: block devices from /sys/block, I/O rates from /proc/diskstats, filesystem space from
 * /proc/mounts + statfs, NVMe controller PCIe link and hwmon temperatures, SMART from smartctl (rare tier).
 *
 * Virtual block devices (loop, ram, zram, dm-*, md*, nbd, fd) are left out entirely: their I/O is already
 * counted on the physical devices under them, and they have no temperature, link or SMART. Everything else
 * is classified `nvme` (name), `hdd` (rotational), `sata-ssd` (non-rotational on an ATA transport) or `other`
 * (USB sticks, virtio, MMC, optical…).
 *
 * Every read goes through the injected FileReader, filesystem usage (statfs) included: under fixture roots
 * the reader refuses this machine's mount points, so a captured tree never reports the host's disks. NVMe
 * namespaces that only `/sys/class/nvme/<ctrl>/` lists (no `/sys/block` entry in the tree) are found there.
 * SMART runs `smartctl` on the devices found, and only those.
 */
import { ok, unavailable, valueOf, type Reading } from '../../shared/reading'
import type {
  FilesystemInfo,
  FilesystemSample,
  SmartHealth,
  StorageDeviceInfo,
  StorageDeviceSample
} from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import { discoverHwmonChips, readHwmonChip, type HwmonChipHandle } from '../sources/hwmon'
import {
  classifyStorage,
  diskRates,
  isVirtualBlockDevice,
  parseDiskstats,
  parseMounts,
  transportFromPath,
  type DiskstatsEntry,
  type MountEntry
} from '../sources/block'
import { linkGenFromFile, linkWidthFromFile } from '../sources/pci'
import { baseName, fileUnavailable, readInt, readText } from '../sources/sysfs'
import { interpretSmartctlResult } from '../sources/smartctl'
import type {
  Collector,
  CollectorDeps,
  HostCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'

const MODULE = { id: 'storage' } as const

// ---------------------------------------------------------------------------------------------------------
// Collector
// ---------------------------------------------------------------------------------------------------------

/** Options for the storage collector. */
export interface StorageCollectorOptions {
  /** smartctl executable. */
  smartctlPath?: string
  smartctlTimeoutMs?: number
  /**
   * How long a rare tick waits for a SMART refresh before returning (ms, default 400). smartctl runs in the
   * background with its own timeout, never on the tick's deadline: a slow drive delays SMART, not the tick.
   */
  smartWaitMs?: number
}

interface Disk {
  info: StorageDeviceInfo
  /** NVMe controller (`nvme0`) for link and hwmon. */
  controller: string | undefined
  hwmon: HwmonChipHandle | undefined
}

const noSmartYet = unavailable('warming-up', 'SMART not read yet (first smartctl run in progress)')

/**
 * Where a block device's attributes are: `/sys/block/<name>` with its `device` dir, or, for an NVMe namespace
 * that only its controller lists (`/sys/class/nvme/nvme0/nvme0n1`, as in trees that kept the nvme class but
 * not `/sys/block`), the namespace dir with the controller dir as its device.
 */
interface DiskPlace {
  name: string
  base: string
  deviceDir: string
  /** The NVMe controller, when the place itself says (class-listed namespaces). */
  controller?: string
}

/** NVMe namespace names under a controller (`nvme0n1`, multipath `nvme0c0n1`). */
const NVME_NAMESPACE_RE = /^nvme\d+(?:c\d+)?n\d+$/

async function readDisk(fs: FileReader, place: DiskPlace): Promise<Disk> {
  const { name, base, deviceDir } = place
  const [rot, size, model, serial, real, devLink] = await Promise.all([
    readInt(fs, `${base}/queue/rotational`),
    readInt(fs, `${base}/size`),
    readText(fs, `${deviceDir}/model`),
    readText(fs, `${deviceDir}/serial`),
    fs.realPath(base),
    place.controller === undefined
      ? fs.readLink(`${base}/device`)
      : Promise.resolve({ ok: true as const, value: place.controller })
  ])
  const rotational: Reading<boolean> = rot.status === 'ok' ? ok(rot.value === 1) : rot
  const transport = transportFromPath(name, real.ok ? real.value : undefined)
  const kind = classifyStorage(name, rotational, transport)
  // /sys/block/nvme0n1/device -> ../../nvme0 (the controller); for multipath, nvme-subsysN has no link.
  const controller =
    kind === 'nvme'
      ? devLink.ok
        ? baseName(devLink.value)
        : /^(nvme\d+)/.exec(name)?.[1]
      : undefined
  const noLink = unavailable(
    'not-applicable',
    'a PCIe link belongs to NVMe controllers, not this drive'
  )
  let link = {
    maxGen: noLink as Reading<number>,
    maxWidth: noLink as Reading<number>,
    gen: noLink as Reading<number>,
    width: noLink as Reading<number>
  }
  if (controller) {
    const d = `/sys/class/nvme/${controller}/device`
    const [ms, mw, cs, cw] = await Promise.all(
      ['max_link_speed', 'max_link_width', 'current_link_speed', 'current_link_width'].map((f) =>
        fs.readText(`${d}/${f}`)
      )
    )
    const speed = linkGenFromFile
    const width = linkWidthFromFile
    link = {
      maxGen: speed(ms, 'max_link_speed'),
      maxWidth: width(mw, 'max_link_width'),
      gen: speed(cs, 'current_link_speed'),
      width: width(cw, 'current_link_width')
    }
  }
  return {
    info: {
      name,
      kind,
      model,
      serial,
      sizeBytes: size.status === 'ok' ? ok(size.value * 512) : size,
      rotational,
      transport,
      pcieMaxGen: link.maxGen,
      pcieMaxWidth: link.maxWidth,
      pcieGen: link.gen,
      pcieWidth: link.width
    },
    controller,
    hwmon: undefined
  }
}

/** The hwmon chip of a disk: NVMe controller name (`nvme0`) or the SCSI address of a drivetemp disk. */
async function matchHwmon(
  fs: FileReader,
  disk: Disk,
  chips: HwmonChipHandle[]
): Promise<HwmonChipHandle | undefined> {
  if (disk.controller) {
    const c = disk.controller
    return chips.find(
      (h) => valueOf(h.device) === c || (h.devicePath !== null && baseName(h.devicePath) === c)
    )
  }
  const dev = await fs.readLink(`/sys/block/${disk.info.name}/device`)
  if (!dev.ok) return undefined
  const addr = baseName(dev.value)
  return chips.find((h) => h.chipName === 'drivetemp' && valueOf(h.device) === addr)
}

/** Creates the storage collector (id `storage`). */
export function createStorageCollector(
  deps: CollectorDeps,
  options: StorageCollectorOptions = {}
): Collector {
  const fs = deps.fs
  const log = deps.log.child('collector:storage')
  const smartctl = options.smartctlPath ?? 'smartctl'
  const smartTimeoutMs = options.smartctlTimeoutMs ?? 15_000
  let disks: Disk[] | undefined
  let prev: { atMs: number; stats: Map<string, DiskstatsEntry> } | undefined
  const smartWaitMs = options.smartWaitMs ?? 400
  const smartAbort = new AbortController()
  let smartInFlight: Promise<void> | undefined
  const smart = new Map<string, Reading<SmartHealth>>()
  const lastSmartReason = new Map<string, string>()
  let lastFs: FilesystemSample[] | undefined

  const discover = async (): Promise<Disk[]> => {
    const [dir, ctrls] = await Promise.all([
      fs.readDir('/sys/block'),
      fs.readDir('/sys/class/nvme')
    ])
    const places: DiskPlace[] = (dir.ok ? dir.value : [])
      .filter((n) => !isVirtualBlockDevice(n))
      .map((name) => ({ name, base: `/sys/block/${name}`, deviceDir: `/sys/block/${name}/device` }))
    // NVMe namespaces their controller lists but /sys/block lacks (trees that kept only the nvme class).
    const known = new Set(places.map((p) => p.name))
    for (const ctrl of ctrls.ok ? ctrls.value : []) {
      const entries = await fs.readDir(`/sys/class/nvme/${ctrl}`)
      for (const ns of entries.ok ? entries.value : []) {
        if (!NVME_NAMESPACE_RE.test(ns) || known.has(ns)) continue
        known.add(ns)
        places.push({
          name: ns,
          base: `/sys/class/nvme/${ctrl}/${ns}`,
          deviceDir: `/sys/class/nvme/${ctrl}`,
          controller: ctrl
        })
      }
    }
    const found = await Promise.all(places.map((p) => readDisk(fs, p)))
    const chips = await discoverHwmonChips(fs)
    for (const d of found) d.hwmon = await matchHwmon(fs, d, chips)
    return found
  }

  const filesystems = async (): Promise<
    { mount: MountEntry; sizeBytes: Reading<number>; freeBytes: Reading<number> }[]
  > => {
    const r = await fs.readText('/proc/mounts')
    if (!r.ok) return []
    return Promise.all(
      parseMounts(r.value).map(async (mount) => {
        const st = await fs.statfs(mount.mount)
        if (st.ok) {
          const s = st.value
          return { mount, sizeBytes: ok(s.blocks * s.bsize), freeBytes: ok(s.bavail * s.bsize) }
        }
        // Under fixture roots the mount point is not this machine's: say so instead of stat-ing it.
        const why = !fs.hostPaths
          ? unavailable(
              'unsupported',
              `${mount.mount}: not in the fixture tree (filesystem not stat-ed)`
            )
          : st.code === 'not-found'
            ? unavailable('no-device', `${mount.mount}: not mounted here`)
            : fileUnavailable(st, mount.mount)
        return { mount, sizeBytes: why, freeBytes: why }
      })
    )
  }

  const runSmart = async (disk: Disk, signal: AbortSignal): Promise<void> => {
    const res = await deps.run(smartctl, ['-j', '-a', `/dev/${disk.info.name}`], {
      timeoutMs: smartTimeoutMs,
      signal,
      env: deps.env
    })
    const r = interpretSmartctlResult(res, deps.clock.now())
    const prevReason = lastSmartReason.get(disk.info.name)
    const reason = r.status === 'ok' ? 'ok' : r.reason
    if (prevReason !== reason) {
      log.log(
        r.status === 'ok' ? 'info' : 'warn',
        `${disk.info.name}: SMART ${reason}${r.status === 'ok' ? '' : r.detail ? ` (${r.detail})` : ''}`
      )
      lastSmartReason.set(disk.info.name, reason)
    }
    // A timeout or failure after a good reading keeps the good one: SMART changes over days, not minutes.
    if (
      r.status === 'ok' ||
      smart.get(disk.info.name)?.status !== 'ok' ||
      r.reason === 'tool-missing'
    ) {
      smart.set(disk.info.name, r)
    }
  }

  return {
    id: MODULE.id,
    async probe(): Promise<ProbeResult> {
      if (deps.platform !== 'linux') {
        return {
          status: 'absent',
          reason: unavailable('not-applicable', 'sysfs block devices are Linux only')
        }
      }
      disks = await discover()
      const fsList = await filesystems()
      const inventory = {
        storage: disks.map((d) => d.info),
        filesystems: fsList.map((f): FilesystemInfo => ({
          mount: f.mount.mount,
          device: f.mount.device,
          fsType: f.mount.fsType,
          sizeBytes: f.sizeBytes,
          freeBytes: f.freeBytes
        }))
      }
      if (disks.length === 0) {
        return {
          status: 'absent',
          reason: unavailable(
            'no-device',
            'no physical block device in /sys/block or /sys/class/nvme'
          ),
          inventory
        }
      }
      return { status: 'present', inventory }
    },
    async sample(ctx: SampleContext): Promise<SnapshotPart> {
      disks ??= await discover()
      const nowMs = deps.clock.monotonic()
      // Start every per-tick read at once (each sequential await costs a thread-pool round trip).
      const dsP = fs.readPolled('/proc/diskstats')
      const sensorsP = disks.map((d) =>
        Promise.all([
          d.hwmon ? readHwmonChip(fs, d.hwmon, { fans: false, alarms: ctx.due.slow }) : undefined,
          d.controller
            ? fs.readPolled(`/sys/class/nvme/${d.controller}/device/current_link_speed`)
            : undefined,
          d.controller
            ? fs.readPolled(`/sys/class/nvme/${d.controller}/device/current_link_width`)
            : undefined
        ])
      )
      const ds = await dsP
      const stats = ds.ok ? parseDiskstats(ds.value) : undefined
      const before = prev
      if (stats) prev = { atMs: nowMs, stats }
      if (ctx.due.rare) {
        const current = disks
        smartInFlight ??= Promise.all(current.map((d) => runSmart(d, smartAbort.signal))).then(
          () => {
            smartInFlight = undefined
          }
        )
        await waitAtMost(smartInFlight, smartWaitMs, ctx.signal, deps.clock)
      }
      const devices = await Promise.all(
        disks.map(async (d, i): Promise<StorageDeviceSample> => {
          const name = d.info.name
          const [chip, cs, cw] = await sensorsP[i]
          const cur = stats?.get(name)
          const old = before?.stats.get(name)
          let rates: ReturnType<typeof diskRates>
          if (!ds.ok) {
            const r = fileUnavailable(ds, '/proc/diskstats')
            rates = { readBytesPerSec: r, writeBytesPerSec: r, busyPct: r }
          } else if (!cur) {
            const r = unavailable('no-device', `${name} not in /proc/diskstats`)
            rates = { readBytesPerSec: r, writeBytesPerSec: r, busyPct: r }
          } else if (!old || !before) {
            const r = unavailable('warming-up', 'I/O rates need two samples')
            rates = { readBytesPerSec: r, writeBytesPerSec: r, busyPct: r }
          } else {
            rates = diskRates(old, cur, nowMs - before.atMs)
          }
          const main =
            chip?.temperatures.find((t) => t.label === 'Composite') ?? chip?.temperatures[0]
          const noSensor = unavailable('unsupported', 'no hwmon sensor for this drive')
          const extra = (chip?.temperatures ?? [])
            .filter((t) => t !== main && t.temperatureCelsius.status === 'ok')
            .map((t) => ({
              label: t.label,
              temperatureCelsius: valueOf(t.temperatureCelsius) as number
            }))
          let pcieGen = d.info.pcieGen
          let pcieWidth = d.info.pcieWidth
          if (cs && cw) {
            pcieGen = linkGenFromFile(cs, 'current_link_speed')
            pcieWidth = linkWidthFromFile(cw, 'current_link_width')
          }
          return {
            name,
            kind: d.info.kind,
            ...rates,
            temperatureCelsius: main?.temperatureCelsius ?? noSensor,
            tempMaxCelsius: main?.maxCelsius ?? noSensor,
            tempCritCelsius: main?.critCelsius ?? noSensor,
            extraTemperatures: extra,
            pcieGen,
            pcieWidth,
            smart: smart.get(name) ?? noSmartYet
          }
        })
      )
      const fsSamples: FilesystemSample[] =
        ctx.due.slow || lastFs === undefined
          ? (await filesystems()).map((f) => ({
              mount: f.mount.mount,
              sizeBytes: f.sizeBytes,
              freeBytes: f.freeBytes
            }))
          : lastFs
      lastFs = fsSamples
      return { storage: { devices, filesystems: fsSamples } }
    },
    async close() {
      smartAbort.abort()
      await smartInFlight
    }
  }
}

/** Resolves when `p` settles, `ms` pass or `signal` aborts, whichever is first. */
function waitAtMost(
  p: Promise<unknown>,
  ms: number,
  signal: AbortSignal,
  clock: CollectorDeps['clock']
): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clock.clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = clock.setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    void p.then(done, done)
  })
}

/** Registry entry: block devices, filesystems and SMART (Linux). */
export const storageCollector: HostCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'host',
  runsOn: (p) => p === 'linux',
  absentClass: 'storage',
  create: createStorageCollector
}
