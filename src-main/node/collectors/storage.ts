/**
 * Storage collector: block devices from /sys/block, I/O rates from /proc/diskstats, filesystem space from
 * /proc/mounts + statfs, NVMe controller PCIe link and hwmon temperatures, SMART from smartctl (rare tier).
 *
 * Virtual block devices (loop, ram, zram, dm-*, md*, nbd, fd) are left out entirely: their I/O is already
 * counted on the physical devices under them, and they have no temperature, link or SMART. Everything else
 * is classified `nvme` (name), `hdd` (rotational), `sata-ssd` (non-rotational on an ATA transport) or `other`
 * (USB sticks, virtio, MMC, optical…).
 *
 * statfs is not under the file reader's roots, so it is injectable (`options.statfs`). Without one, the
 * real `node:fs/promises` statfs is used only when the reader points at the real `/proc` and `/sys`; with
 * fixture roots filesystems are reported unavailable rather than stat-ing this machine's paths.
 */
import { statfs as nodeStatfs } from 'node:fs/promises'
import { ok, unavailable, valueOf, type Reading } from '../../shared/reading'
import type {
  FilesystemInfo,
  FilesystemSample,
  SmartHealth,
  StorageDeviceInfo,
  StorageDeviceSample,
  StorageKind
} from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import { discoverHwmonChips, readHwmonChip, type HwmonChipHandle } from './hwmon'
import { basename, fileReason, parseLinkSpeedGen, parseLinkWidth, readInt, readText } from './pci'
import { interpretSmartctlResult } from './smartctl'
import type { Collector, CollectorDeps, ProbeResult, SampleContext, SnapshotPart } from './types'

// ---------------------------------------------------------------------------------------------------------
// Pure parsers
// ---------------------------------------------------------------------------------------------------------

/** Counters of one /proc/diskstats line that the collector uses. */
export interface DiskstatsEntry {
  name: string
  sectorsRead: number
  sectorsWritten: number
  /** Milliseconds spent doing I/O (field 10, "io_ticks"). */
  ioTimeMs: number
}

/**
 * Parses /proc/diskstats. Lines have 14 (kernel ≥ 2.6.25), 18 (4.18+, discards) or 20 (5.5+, flushes)
 * fields; shorter lines (2.6 partition format) and garbage are skipped.
 */
export function parseDiskstats(text: string): Map<string, DiskstatsEntry> {
  const out = new Map<string, DiskstatsEntry>()
  // One anchored regex per line instead of split/map: this runs every tick on every block device.
  const re = DISKSTATS_LINE
  re.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) {
    const sectorsRead = Number(m[2])
    const sectorsWritten = Number(m[3])
    const ioTimeMs = Number(m[4])
    if (
      !Number.isSafeInteger(sectorsRead) ||
      !Number.isSafeInteger(sectorsWritten) ||
      !Number.isSafeInteger(ioTimeMs)
    )
      continue
    out.set(m[1], { name: m[1], sectorsRead, sectorsWritten, ioTimeMs })
  }
  return out
}

// major minor name, then fields 4–14: reads, merged, sectors read, ms, writes, merged, sectors written, ms,
// in flight, io_ticks, weighted ms (any further fields are ignored).
const DISKSTATS_LINE =
  /^[ \t]*\d+[ \t]+\d+[ \t]+(\S+)[ \t]+\d+[ \t]+\d+[ \t]+(\d+)[ \t]+\d+[ \t]+\d+[ \t]+\d+[ \t]+(\d+)[ \t]+\d+[ \t]+\d+[ \t]+(\d+)[ \t]+\d+(?=[ \t]|$)/gm

/** Rates between two diskstats samples `elapsedMs` apart (sectors are always 512 bytes in diskstats). */
export function diskRates(
  prev: DiskstatsEntry,
  cur: DiskstatsEntry,
  elapsedMs: number
): {
  readBytesPerSec: Reading<number>
  writeBytesPerSec: Reading<number>
  busyPct: Reading<number>
} {
  const dr = cur.sectorsRead - prev.sectorsRead
  const dw = cur.sectorsWritten - prev.sectorsWritten
  const dio = cur.ioTimeMs - prev.ioTimeMs
  if (!(elapsedMs > 0)) {
    const r = unavailable('failed', 'no time elapsed between samples')
    return { readBytesPerSec: r, writeBytesPerSec: r, busyPct: r }
  }
  const reset = unavailable('failed', 'counter went backwards (device reset or wrap)')
  const s = elapsedMs / 1000
  return {
    readBytesPerSec: dr < 0 ? reset : ok((dr * 512) / s),
    writeBytesPerSec: dw < 0 ? reset : ok((dw * 512) / s),
    busyPct: dio < 0 ? reset : ok(Math.min(100, (dio / elapsedMs) * 100))
  }
}

/** One /proc/mounts row. */
export interface MountEntry {
  device: string
  mount: string
  fsType: string
}

const PSEUDO_FS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'securityfs',
  'pstore',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'bpf',
  'autofs',
  'binfmt_misc',
  'rpc_pipefs',
  'nsfs',
  'efivarfs',
  'ramfs',
  'squashfs',
  'overlay',
  'fuse.gvfsd-fuse',
  'fuse.portal',
  'selinuxfs',
  'tmpfs'
])

/** Decodes the octal escapes /proc/mounts uses for spaces and the like (`\040`). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
}

/**
 * Parses /proc/mounts, keeping filesystems that hold data: block-device backed or network/ZFS ones, plus
 * `/dev/shm` (a tmpfs that data loaders fill). Pseudo filesystems are dropped; duplicates keep the first.
 */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = []
  const seen = new Set<string>()
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 3) continue
    const [device, rawMount, fsType] = f
    const mount = unescapeMount(rawMount)
    if (!mount.startsWith('/')) continue
    const keep =
      (fsType === 'tmpfs' && mount === '/dev/shm') ||
      (!PSEUDO_FS.has(fsType) &&
        (device.startsWith('/dev/') ||
          [
            'zfs',
            'nfs',
            'nfs4',
            'cifs',
            'smb3',
            'btrfs',
            'xfs',
            'ext4',
            'lustre',
            'ceph',
            'fuse.sshfs'
          ].includes(fsType)))
    if (!keep || seen.has(mount)) continue
    seen.add(mount)
    out.push({ device: unescapeMount(device), mount, fsType })
  }
  return out
}

/** True for block devices the collector leaves out (virtual layers over physical disks). */
export function isVirtualBlockDevice(name: string): boolean {
  return /^(loop|ram|zram|dm-|md|nbd|fd)/.test(name)
}

/** Classifies a block device. */
export function classifyStorage(
  name: string,
  rotational: Reading<boolean>,
  transport: Reading<string>
): StorageKind {
  if (/^nvme/.test(name)) return 'nvme'
  const t = valueOf(transport)
  if (t === 'virtio' || t === 'mmc' || (t === 'usb' && valueOf(rotational) !== true)) return 'other'
  if (valueOf(rotational) === true) return 'hdd'
  if (valueOf(rotational) === false && (t === 'sata' || t === 'sas')) return 'sata-ssd'
  return 'other'
}

/** Transport from the resolved sysfs path of a block device. */
export function transportFromPath(name: string, realPath: string | undefined): Reading<string> {
  if (/^nvme/.test(name)) return ok('nvme')
  if (/^vd/.test(name)) return ok('virtio')
  if (/^mmcblk/.test(name)) return ok('mmc')
  if (realPath === undefined) return unavailable('unsupported', 'no device path')
  if (/\/usb\d*\//.test(realPath)) return ok('usb')
  if (/\/ata\d+\//.test(realPath)) return ok('sata')
  if (/\/virtio\d+\//.test(realPath)) return ok('virtio')
  if (/\/(host\d+\/)?(port-\d+:\d+|end_device-)/.test(realPath)) return ok('sas')
  return unavailable('unsupported', 'transport not recognised')
}

// ---------------------------------------------------------------------------------------------------------
// Collector
// ---------------------------------------------------------------------------------------------------------

/** statfs subset the collector needs. */
export interface StatfsResult {
  bsize: number
  blocks: number
  bavail: number
}

/** Options for the storage collector. */
export interface StorageCollectorOptions {
  /** Filesystem statistics for a mount point (real path). Defaults as described in the file comment. */
  statfs?: (path: string) => Promise<StatfsResult>
  /** smartctl executable. */
  smartctlPath?: string
  smartctlTimeoutMs?: number
}

interface Disk {
  info: StorageDeviceInfo
  /** NVMe controller (`nvme0`) for link and hwmon. */
  controller: string | undefined
  hwmon: HwmonChipHandle | undefined
}

const noSmartYet = unavailable('unsupported', 'SMART not collected yet (rare tier)')

async function readDisk(fs: FileReader, name: string): Promise<Disk> {
  const base = `/sys/block/${name}`
  const [rot, size, model, serial, real, devLink] = await Promise.all([
    readInt(fs, `${base}/queue/rotational`),
    readInt(fs, `${base}/size`),
    readText(fs, `${base}/device/model`),
    readText(fs, `${base}/device/serial`),
    fs.realPath(base),
    fs.readLink(`${base}/device`)
  ])
  const rotational: Reading<boolean> = rot.status === 'ok' ? ok(rot.value === 1) : rot
  const transport = transportFromPath(name, real.ok ? real.value : undefined)
  const kind = classifyStorage(name, rotational, transport)
  // /sys/block/nvme0n1/device -> ../../nvme0 (the controller); for multipath, nvme-subsysN has no link.
  const controller =
    kind === 'nvme'
      ? devLink.ok
        ? basename(devLink.value)
        : /^(nvme\d+)/.exec(name)?.[1]
      : undefined
  const noLink = unavailable('unsupported', 'PCIe link only for NVMe controllers')
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
    const speed = (r: typeof ms, f: string): Reading<number> =>
      r.ok ? parseLinkSpeedGen(r.value) : unavailable(fileReason(r.code), f)
    const width = (r: typeof ms, f: string): Reading<number> =>
      r.ok ? parseLinkWidth(r.value) : unavailable(fileReason(r.code), f)
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
      (h) => valueOf(h.device) === c || (h.devicePath !== null && basename(h.devicePath) === c)
    )
  }
  const dev = await fs.readLink(`/sys/block/${disk.info.name}/device`)
  if (!dev.ok) return undefined
  const addr = basename(dev.value)
  return chips.find((h) => h.chipName === 'drivetemp' && valueOf(h.device) === addr)
}

/** Creates the storage collector (id `storage`). */
export function createStorageCollector(
  deps: CollectorDeps,
  options: StorageCollectorOptions = {}
): Collector {
  const fs = deps.fs
  const log = deps.log.child('collector:storage')
  const realRoots = fs.sysRoot === '/sys' && fs.procRoot === '/proc'
  const statfs =
    options.statfs ??
    (realRoots
      ? async (p: string): Promise<StatfsResult> => {
          const s = await nodeStatfs(p)
          return { bsize: s.bsize, blocks: s.blocks, bavail: s.bavail }
        }
      : undefined)
  const smartctl = options.smartctlPath ?? 'smartctl'
  const smartTimeoutMs = options.smartctlTimeoutMs ?? 15_000
  let disks: Disk[] | undefined
  let prev: { atMs: number; stats: Map<string, DiskstatsEntry> } | undefined
  const smart = new Map<string, Reading<SmartHealth>>()
  const lastSmartReason = new Map<string, string>()
  let lastFs: FilesystemSample[] | undefined

  const discover = async (): Promise<Disk[]> => {
    const dir = await fs.readDir('/sys/block')
    if (!dir.ok) return []
    const names = dir.value.filter((n) => !isVirtualBlockDevice(n))
    const found = await Promise.all(names.map((n) => readDisk(fs, n)))
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
        if (!statfs) {
          const why = unavailable('unsupported', 'fixture root: filesystem not stat-ed')
          return { mount, sizeBytes: why, freeBytes: why }
        }
        try {
          const s = await statfs(mount.mount)
          return { mount, sizeBytes: ok(s.blocks * s.bsize), freeBytes: ok(s.bavail * s.bsize) }
        } catch (err) {
          const code = (err as NodeJS.ErrnoException)?.code
          const why =
            code === 'EACCES' || code === 'EPERM'
              ? unavailable('permission-denied', mount.mount)
              : code === 'ENOENT'
                ? unavailable('no-device', mount.mount)
                : unavailable('failed', `${mount.mount}: ${code ?? String(err)}`)
          return { mount, sizeBytes: why, freeBytes: why }
        }
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
    id: 'storage',
    async probe(): Promise<ProbeResult> {
      if (deps.platform !== 'linux') {
        return {
          status: 'absent',
          reason: unavailable('unsupported', 'sysfs block devices are Linux only')
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
          reason: unavailable('no-device', 'no physical block device in /sys/block'),
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
      if (ctx.due.rare) await Promise.all(disks.map((d) => runSmart(d, ctx.signal)))
      const devices = await Promise.all(
        disks.map(async (d, i): Promise<StorageDeviceSample> => {
          const name = d.info.name
          const [chip, cs, cw] = await sensorsP[i]
          const cur = stats?.get(name)
          const old = before?.stats.get(name)
          let rates: ReturnType<typeof diskRates>
          if (!ds.ok) {
            const r = unavailable(fileReason(ds.code), '/proc/diskstats')
            rates = { readBytesPerSec: r, writeBytesPerSec: r, busyPct: r }
          } else if (!cur) {
            const r = unavailable('no-device', `${name} not in /proc/diskstats`)
            rates = { readBytesPerSec: r, writeBytesPerSec: r, busyPct: r }
          } else if (!old || !before) {
            const r = unavailable('unsupported', 'rate needs a second sample')
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
            pcieGen = cs.ok
              ? parseLinkSpeedGen(cs.value)
              : unavailable(fileReason(cs.code), 'current_link_speed')
            pcieWidth = cw.ok
              ? parseLinkWidth(cw.value)
              : unavailable(fileReason(cw.code), 'current_link_width')
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
    async close() {}
  }
}
