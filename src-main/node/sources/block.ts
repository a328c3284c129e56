/**
 * Block devices and their I/O: `/proc/diskstats` (per-device sector and busy-time counters), `/proc/mounts`
 * (the filesystems that hold data), and the classification of a `/sys/block/<name>` device by name,
 * rotational flag and transport (the resolved sysfs path).
 *
 * Pure parsers; nothing here throws on garbage input.
 */
import { ok, unavailable, valueOf, type Reading } from '../../shared/reading'
import type { StorageKind } from '../../shared/telemetry'

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
