/**
 * Storage phase: sequential write, then sequential read, of a probe file on the chosen path, with the page
 * cache kept out where the platform allows.
 *
 * Direct I/O: `fs.constants.O_DIRECT` (Linux) needs buffers aligned to the device's logical block. Node
 * cannot ask for an aligned allocation, but a Buffer's backing store never moves, so the phase allocates one
 * block plus 4 KiB and tries the first write at each 16-byte offset into it: the kernel rejects a misaligned
 * buffer with EINVAL, and the first offset it accepts is aligned for every later call. Where O_DIRECT is
 * missing or refused (tmpfs, some network and FUSE filesystems, macOS, Windows) the phase writes buffered and
 * says whether the file outgrew the machine's RAM (`larger-than-ram`, reads come mostly from the device) or
 * not (`cache-affected`: figures include the page cache; readiness ignores them).
 *
 * Blocks hold random bytes so compressing or deduplicating filesystems cannot shortcut the writes. The
 * write time includes a final `fdatasync`. The file is registered with the load controller the moment it
 * exists, so it is removed on completion, on a stop, on an error and on process exit; stale probe files of
 * dead processes in the same directory are removed first.
 */
import { randomBytes, randomFill } from 'node:crypto'
import { constants } from 'node:fs'
import { open, readdir, statfs, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { ok, unavailable, type Reading } from '../../shared/reading'
import type {
  RatePoint,
  StorageDirection,
  StorageMethod,
  StoragePhaseResult
} from '../../shared/probe'
import { addToBins } from './cpu-memory'
import type { PhaseContext } from './phase-context'

const MIB = 2 ** 20
const GIB = 2 ** 30

/** Probe file names: `.rigready-probe-<pid>-<random>.tmp`. */
export const PROBE_FILE_PATTERN = /^\.rigready-probe-(\d+)-[0-9a-f]+\.tmp$/

/** Options of the storage phase. */
export interface StoragePhaseOptions {
  dir: string
  /** Seconds of load in all: half writing, half reading (ms). */
  durationMs: number
  /** Block size (bytes). Default 1 MiB (as `fio --bs=1M`). */
  blockBytes?: number
  /** Largest probe file (bytes). Default 8 GiB. */
  maxFileBytes?: number
  memTotalBytes: Reading<number>
  /** Skip O_DIRECT (tests of the fallback). */
  forceBuffered?: boolean
  /** `process.kill(pid, 0)` stand-in for the stale-file sweep (tests). */
  isAlive?: (pid: number) => boolean
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes probe files left in `dir` by processes that no longer run; returns their names. */
export async function sweepStaleProbeFiles(
  dir: string,
  isAlive: (pid: number) => boolean = pidAlive
): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const n of names) {
    const m = PROBE_FILE_PATTERN.exec(n)
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue
    try {
      await unlink(join(dir, n))
      removed.push(n)
    } catch {
      // someone else removed it
    }
  }
  return removed
}

/** Room the probe leaves free on the filesystem: 1 GiB or 5 % of its size, whichever is larger. */
export function storageHeadroomBytes(sizeBytes: number): number {
  return Math.max(GIB, 0.05 * sizeBytes)
}

interface Opened {
  fh: FileHandle
  buf: Buffer
  direct: boolean
  note: string
}

/** Finds an offset into `raw` at which a direct write of `block` bytes is accepted. */
async function alignedBuffer(fh: FileHandle, raw: Buffer, block: number): Promise<Buffer | null> {
  for (let off = 0; off + block <= raw.length; off += 16) {
    try {
      await fh.write(raw, off, block, 0)
      return raw.subarray(off, off + block)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err
    }
  }
  return null
}

async function openProbeFile(
  ctx: PhaseContext,
  path: string,
  block: number,
  forceBuffered: boolean
): Promise<Opened> {
  const base = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL
  const directFlag = (constants as { O_DIRECT?: number }).O_DIRECT
  if (!forceBuffered && directFlag !== undefined) {
    let fh: FileHandle | null = null
    try {
      fh = await open(path, base | directFlag, 0o600)
      ctx.controller.addFile(path, fh)
      const raw = Buffer.allocUnsafeSlow(block + 4096)
      const buf = await alignedBuffer(fh, raw, block)
      if (buf !== null) return { fh, buf, direct: true, note: 'O_DIRECT with an aligned buffer' }
      await ctx.controller.removeFile(path)
      fh = null
      const fh2 = await open(path, base, 0o600)
      ctx.controller.addFile(path, fh2)
      return {
        fh: fh2,
        buf: Buffer.allocUnsafe(block),
        direct: false,
        note: 'O_DIRECT refused every buffer alignment'
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EINVAL' && code !== 'EOPNOTSUPP') throw err
      if (fh !== null) await ctx.controller.removeFile(path)
      const fh2 = await open(path, base, 0o600)
      ctx.controller.addFile(path, fh2)
      return {
        fh: fh2,
        buf: Buffer.allocUnsafe(block),
        direct: false,
        note: `this filesystem refuses O_DIRECT (${code})`
      }
    }
  }
  const fh = await open(path, base, 0o600)
  ctx.controller.addFile(path, fh)
  return {
    fh,
    buf: Buffer.allocUnsafe(block),
    direct: false,
    note: directFlag === undefined ? 'no O_DIRECT on this platform' : 'buffered I/O requested'
  }
}

function direction(bins: number[], bytes: number, seconds: number): StorageDirection {
  const whole = Math.floor(seconds)
  const series: RatePoint[] = bins
    .slice(0, whole)
    .map((b, i) => ({ tSeconds: i + 1, value: b / 1e6 }))
  return {
    meanMBps:
      seconds > 0 && bytes > 0
        ? ok(bytes / seconds / 1e6)
        : unavailable('failed', 'nothing was transferred'),
    series,
    bytes,
    seconds
  }
}

const emptyDirection = (why: string): StorageDirection => ({
  meanMBps: unavailable('not-applicable', why),
  series: [],
  bytes: 0,
  seconds: 0
})

/** Runs the storage phase. */
export async function runStoragePhase(
  ctx: PhaseContext,
  opts: StoragePhaseOptions
): Promise<StoragePhaseResult> {
  const startedAtMs = ctx.now()
  const block = opts.blockBytes ?? MIB
  const base = {
    startedAtMs,
    path: opts.dir,
    blockBytes: block,
    fileBytes: 0,
    fileRemoved: true
  }
  const notRun = (
    status: StoragePhaseResult['status'],
    detail: string,
    method: StorageMethod = 'cache-affected'
  ): StoragePhaseResult => ({
    ...base,
    status,
    detail,
    endedAtMs: ctx.now(),
    method,
    methodDetail: detail,
    write: emptyDirection(detail),
    read: emptyDirection(detail)
  })
  let fsInfo: { free: number; size: number }
  try {
    const s = await statfs(opts.dir)
    fsInfo = { free: s.bavail * s.bsize, size: s.blocks * s.bsize }
  } catch (err) {
    return notRun('unavailable', `${opts.dir}: ${(err as Error).message}`)
  }
  const swept = await sweepStaleProbeFiles(opts.dir, opts.isAlive)
  const cap = Math.min(
    opts.maxFileBytes ?? 8 * GIB,
    fsInfo.free - storageHeadroomBytes(fsInfo.size)
  )
  const fileCap = Math.floor(cap / block) * block
  if (fileCap < 64 * MIB)
    return notRun(
      'unavailable',
      `${opts.dir}: only ${(fsInfo.free / GIB).toFixed(1)} GiB free; the probe keeps ${(storageHeadroomBytes(fsInfo.size) / GIB).toFixed(1)} GiB free and needs 64 MiB more`
    )
  const path = join(
    opts.dir,
    `.rigready-probe-${process.pid}-${randomBytes(6).toString('hex')}.tmp`
  )
  let opened: Opened
  try {
    opened = await openProbeFile(ctx, path, block, opts.forceBuffered ?? false)
  } catch (err) {
    await ctx.controller.removeFile(path)
    // A stop closes the file under a pending write: that error is the stop, not a failing drive.
    if (ctx.signal.aborted) return notRun('stopped', 'stopped while opening the probe file')
    return notRun('failed', `${path}: ${(err as Error).message}`)
  }
  if (ctx.signal.aborted) {
    await ctx.controller.removeFile(path)
    return notRun('stopped', 'stopped while opening the probe file')
  }
  const { fh, buf, direct } = opened
  await new Promise<void>((resolve, reject) => randomFill(buf, (e) => (e ? reject(e) : resolve())))
  const halfMs = opts.durationMs / 2
  const writeBins: number[] = []
  const readBins: number[] = []
  let written = 0
  let extent = 0
  let writeSeconds = 0
  let readBytes = 0
  let readSeconds = 0
  let failure: string | null = null
  const io = async (
    kind: 'write' | 'read',
    bins: number[],
    limitBytes: number
  ): Promise<{ bytes: number; seconds: number }> => {
    const origin = ctx.now()
    const end = origin + halfMs
    let pos = 0
    let bytes = 0
    while (!ctx.signal.aborted && ctx.now() < end) {
      const t0 = ctx.now()
      const r =
        kind === 'write' ? await fh.write(buf, 0, block, pos) : await fh.read(buf, 0, block, pos)
      const n =
        kind === 'write'
          ? (r as { bytesWritten: number }).bytesWritten
          : (r as { bytesRead: number }).bytesRead
      const t1 = ctx.now()
      if (n <= 0) {
        pos = 0
        continue
      }
      addToBins(bins, origin, t0, t1, n)
      bytes += n
      pos += n
      if (kind === 'write') extent = Math.max(extent, pos)
      if (pos + block > limitBytes) pos = 0
      if (bins.length >= 2)
        ctx.status(
          `storage ${kind} ${(bins[bins.length - 2] / 1e6).toFixed(0)} MB/s${direct ? ' (direct I/O)' : ''}`
        )
    }
    if (kind === 'write' && !ctx.signal.aborted) await fh.datasync()
    return { bytes, seconds: (ctx.now() - origin) / 1000 }
  }
  try {
    const w = await io('write', writeBins, fileCap)
    written = w.bytes
    writeSeconds = w.seconds
    if (!ctx.signal.aborted) {
      const r = await io('read', readBins, extent)
      readBytes = r.bytes
      readSeconds = r.seconds
    }
  } catch (err) {
    if (!ctx.signal.aborted) {
      failure = `${path}: ${(err as Error).message}`
      ctx.toolFailed(`storage ${failure}`)
    }
  }
  const removed = await ctx.controller.removeFile(path)
  let method: StorageMethod
  let methodDetail: string
  const ram = opts.memTotalBytes
  if (direct) {
    method = 'direct-io'
    methodDetail = opened.note
  } else if (ram.status === 'ok' && extent > ram.value) {
    method = 'larger-than-ram'
    methodDetail = `${opened.note}; buffered, but the ${(extent / GIB).toFixed(1)} GiB file outgrew the ${(ram.value / GIB).toFixed(1)} GiB of RAM`
  } else {
    method = 'cache-affected'
    methodDetail = `${opened.note}; buffered ${(extent / GIB).toFixed(2)} GiB file${ram.status === 'ok' ? ` below the ${(ram.value / GIB).toFixed(1)} GiB of RAM` : ''}: figures include the page cache`
  }
  const notes = [swept.length > 0 ? `removed ${swept.length} stale probe file(s)` : null, failure]
    .filter((x): x is string => x !== null)
    .join('; ')
  return {
    ...base,
    status: failure !== null ? 'failed' : ctx.signal.aborted ? 'stopped' : 'completed',
    detail: notes || null,
    endedAtMs: ctx.now(),
    fileBytes: extent,
    fileRemoved: removed,
    method,
    methodDetail,
    write: direction(writeBins, written, writeSeconds),
    read:
      readSeconds > 0
        ? direction(readBins, readBytes, readSeconds)
        : emptyDirection('the read pass did not run')
  }
}
