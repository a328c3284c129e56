/**
 * Reads procfs/sysfs files against configurable roots (node_exporter's --path.sysfs / --path.procfs).
 *
 * Callers pass absolute Linux paths (`/sys/class/hwmon`, `/proc/stat`); the reader maps `/sys` and `/proc`
 * onto its roots so tests point the whole engine at fixture trees. Errors are values, not exceptions.
 *
 * Hermetic trees: a root given as `null` is "not in this tree" (a captured sysfs tree without procfs): every
 * read under it is `not-found`, never this machine's file. Paths outside `/sys` and `/proc` (filesystem usage
 * of a mount point) refer to this machine only when both roots are the real ones (`hostPaths`); under fixture
 * roots they are `not-found` too.
 */
import { close as closeFd, open as openFd, read as readFd } from 'node:fs'
import { readFile, readdir, readlink, realpath, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'

/** Why a file could not be read. */
export type FileErrorCode = 'not-found' | 'permission-denied' | 'busy' | 'other'

/** A file operation's outcome. */
export type FileResult<T> =
  { ok: true; value: T } | { ok: false; code: FileErrorCode; message: string }

/** Filesystem statistics of a mount point (the statfs fields the storage collector uses). */
export interface StatfsResult {
  /** Block size (bytes). */
  bsize: number
  /** Total blocks. */
  blocks: number
  /** Blocks available to unprivileged users. */
  bavail: number
}

/** The injectable reader every collector receives. */
export interface FileReader {
  /** Where `/sys` is read from; null when the (fixture) tree has no sysfs. */
  readonly sysRoot: string | null
  /** Where `/proc` is read from; null when the (fixture) tree has no procfs. */
  readonly procRoot: string | null
  /** True when the roots are this machine's `/sys` and `/proc`, so other absolute paths are this machine's. */
  readonly hostPaths: boolean
  /** Maps a `/sys/...` or `/proc/...` path onto the configured root. */
  resolve(path: string): string
  readText(path: string): Promise<FileResult<string>>
  readBytes(path: string): Promise<FileResult<Uint8Array>>
  readDir(path: string): Promise<FileResult<string[]>>
  readLink(path: string): Promise<FileResult<string>>
  /** Resolves symlinks, returned relative to the roots again (`/sys/devices/...`). */
  realPath(path: string): Promise<FileResult<string>>
  isDir(path: string): Promise<boolean>
  /**
   * Reads a file through a cached open descriptor (nvtop's rewind-and-read): one pread per tick instead of
   * open+read+close. Used for the files polled every second. Concurrent reads of the same path share one
   * read (two collectors polling the same hwmon file in one tick cost one syscall).
   */
  readPolled(path: string): Promise<FileResult<string>>
  /** Filesystem statistics of a mount point; `not-found` under fixture roots (never this machine's disks). */
  statfs(path: string): Promise<FileResult<StatfsResult>>
  /** Closes cached handles. */
  close(): Promise<void>
}

/** Roots for the file reader (default: the real `/sys` and `/proc`; null: not in this tree). */
export interface FileReaderOptions {
  sysRoot?: string | null
  procRoot?: string | null
}

const NOT_IN_TREE: FileResult<never> = {
  ok: false,
  code: 'not-found',
  message: 'not in the fixture tree'
}

function toCode(err: unknown): FileErrorCode {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENODEV' || code === 'ENXIO')
    return 'not-found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission-denied'
  if (code === 'EAGAIN' || code === 'EBUSY') return 'busy'
  return 'other'
}

function fail<T>(err: unknown): FileResult<T> {
  return { ok: false, code: toCode(err), message: String((err as Error)?.message ?? err) }
}

/** The real reader. */
export function createFileReader(options: FileReaderOptions = {}): FileReader {
  const sysRoot = options.sysRoot === undefined ? '/sys' : options.sysRoot
  const procRoot = options.procRoot === undefined ? '/proc' : options.procRoot
  const hostPaths = sysRoot === '/sys' && procRoot === '/proc'
  // Each cached descriptor owns its buffer: reads of different files run concurrently, so a shared buffer
  // would race. Keyed by the caller's path, so the per-tick fast path does no path joining.
  interface Polled {
    fd: number
    buf: Buffer
    /** The read in flight, shared by concurrent callers (two collectors polling one hwmon file). */
    pending: Promise<FileResult<string>> | null
  }
  const handles = new Map<string, Polled>()
  const openP = (path: string): Promise<number> =>
    new Promise((res, rej) => openFd(path, 'r', (err, fd) => (err ? rej(err) : res(fd))))
  const closeP = (fd: number): Promise<void> => new Promise((res) => closeFd(fd, () => res()))
  // Reads requested while one tick's collectors run synchronously are submitted to the thread pool
  // back-to-back in one microtask: a burst keeps the pool's threads awake, whereas reads trickling in one by
  // one each pay a thread wake-up (the dominant per-read cost measured by `npm run bench`).
  let burst: (() => void)[] = []
  const flush = (): void => {
    const b = burst
    burst = []
    for (const submit of b) submit()
  }
  const readHandle = (key: string, h: Polled): Promise<FileResult<string>> =>
    new Promise((res) => {
      const onRead = (err: NodeJS.ErrnoException | null, n: number): void => {
        if (err) {
          h.pending = null
          handles.delete(key)
          closeFd(h.fd, () => {})
          res(fail(err))
        } else if (n === h.buf.length && h.buf.length < 4 * 1024 * 1024) {
          // procfs files such as /proc/stat outgrow 4 KiB on large machines: grow once and keep the size.
          h.buf = Buffer.allocUnsafe(h.buf.length * 4)
          readFd(h.fd, h.buf, 0, h.buf.length, 0, onRead)
        } else {
          h.pending = null
          res({ ok: true, value: h.buf.toString('utf8', 0, n) })
        }
      }
      if (burst.length === 0) queueMicrotask(flush)
      burst.push(() => readFd(h.fd, h.buf, 0, h.buf.length, 0, onRead))
    })
  const opening = new Map<string, Promise<FileResult<string>>>()
  function openAndRead(key: string): Promise<FileResult<string>> {
    // Concurrent first reads of one path share one open (no leaked descriptor).
    let p = opening.get(key)
    if (!p) {
      p = openThenRead(key).finally(() => opening.delete(key))
      opening.set(key, p)
    }
    return p
  }
  async function openThenRead(key: string): Promise<FileResult<string>> {
    let fd: number
    try {
      fd = await openP(resolve(key))
    } catch (err) {
      return fail(err)
    }
    const h: Polled = { fd, buf: Buffer.allocUnsafe(4096), pending: null }
    handles.set(key, h)
    return readHandle(key, h)
  }
  const underSys = (p: string): boolean => p === '/sys' || p.startsWith('/sys/')
  const underProc = (p: string): boolean => p === '/proc' || p.startsWith('/proc/')
  /** True when the path is in no tree this reader may read (a missing root, or a host path under fixtures). */
  const outside = (p: string): boolean =>
    underSys(p) ? sysRoot === null : underProc(p) ? procRoot === null : !hostPaths
  const resolve = (p: string): string => {
    if (underSys(p) && sysRoot !== null) return join(sysRoot, p.slice(4))
    if (underProc(p) && procRoot !== null) return join(procRoot, p.slice(5))
    return p
  }
  const unresolve = (real: string, sysReal: string | null, procReal: string | null): string => {
    if (sysReal !== null && (real === sysReal || real.startsWith(sysReal + '/')))
      return '/sys' + real.slice(sysReal.length)
    if (procReal !== null && (real === procReal || real.startsWith(procReal + '/')))
      return '/proc' + real.slice(procReal.length)
    return real
  }
  let rootsReal: Promise<[string | null, string | null]> | undefined
  const realRoot = (r: string | null): Promise<string | null> =>
    r === null ? Promise.resolve(null) : realpath(r).catch(() => r)
  const roots = (): Promise<[string | null, string | null]> =>
    (rootsReal ??= Promise.all([realRoot(sysRoot), realRoot(procRoot)]))

  return {
    sysRoot,
    procRoot,
    hostPaths,
    resolve,
    async readText(p) {
      if (outside(p)) return NOT_IN_TREE
      try {
        return { ok: true, value: await readFile(resolve(p), 'utf8') }
      } catch (err) {
        return fail(err)
      }
    },
    async readBytes(p) {
      if (outside(p)) return NOT_IN_TREE
      try {
        return { ok: true, value: new Uint8Array(await readFile(resolve(p))) }
      } catch (err) {
        return fail(err)
      }
    },
    async readDir(p) {
      if (outside(p)) return NOT_IN_TREE
      try {
        return { ok: true, value: (await readdir(resolve(p))).sort() }
      } catch (err) {
        return fail(err)
      }
    },
    async readLink(p) {
      if (outside(p)) return NOT_IN_TREE
      try {
        return { ok: true, value: await readlink(resolve(p)) }
      } catch (err) {
        return fail(err)
      }
    },
    async realPath(p) {
      if (outside(p)) return NOT_IN_TREE
      try {
        const real = await realpath(resolve(p))
        const [s, pr] = await roots()
        return { ok: true, value: unresolve(real, s, pr) }
      } catch (err) {
        return fail(err)
      }
    },
    async isDir(p) {
      if (outside(p)) return false
      try {
        return (await stat(resolve(p))).isDirectory()
      } catch {
        return false
      }
    },
    readPolled(p) {
      if (outside(p)) return Promise.resolve(NOT_IN_TREE)
      const h = handles.get(p)
      if (h === undefined) return openAndRead(p)
      return (h.pending ??= readHandle(p, h))
    },
    async statfs(p) {
      if (outside(p)) return NOT_IN_TREE
      try {
        const r = await statfs(resolve(p))
        return { ok: true, value: { bsize: r.bsize, blocks: r.blocks, bavail: r.bavail } }
      } catch (err) {
        return fail(err)
      }
    },
    async close() {
      const all = [...handles.values()]
      handles.clear()
      await Promise.all(all.map((h) => closeP(h.fd)))
    }
  }
}
