/**
 * Reads procfs/sysfs files against configurable roots (node_exporter's --path.sysfs / --path.procfs).
 *
 * Callers pass absolute Linux paths (`/sys/class/hwmon`, `/proc/stat`); the reader maps `/sys` and `/proc`
 * onto its roots so tests point the whole engine at fixture trees. Errors are values, not exceptions.
 */
import { close as closeFd, open as openFd, read as readFd } from 'node:fs'
import { readFile, readdir, readlink, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** Why a file could not be read. */
export type FileErrorCode = 'not-found' | 'permission-denied' | 'busy' | 'other'

/** A file operation's outcome. */
export type FileResult<T> = { ok: true; value: T } | { ok: false; code: FileErrorCode; message: string }

/** The injectable reader every collector receives. */
export interface FileReader {
  readonly sysRoot: string
  readonly procRoot: string
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
  /** Closes cached handles. */
  close(): Promise<void>
}

/** Roots for the file reader. */
export interface FileReaderOptions {
  sysRoot?: string
  procRoot?: string
}

function toCode(err: unknown): FileErrorCode {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENODEV' || code === 'ENXIO') return 'not-found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission-denied'
  if (code === 'EAGAIN' || code === 'EBUSY') return 'busy'
  return 'other'
}

function fail<T>(err: unknown): FileResult<T> {
  return { ok: false, code: toCode(err), message: String((err as Error)?.message ?? err) }
}

/** The real reader. */
export function createFileReader(options: FileReaderOptions = {}): FileReader {
  const sysRoot = options.sysRoot ?? '/sys'
  const procRoot = options.procRoot ?? '/proc'
  // Each cached descriptor owns its buffer: reads run concurrently, so a shared buffer would race.
  const handles = new Map<string, { fd: number; buf: Buffer }>()
  const inFlight = new Map<string, Promise<FileResult<string>>>()
  const openP = (path: string): Promise<number> =>
    new Promise((res, rej) => openFd(path, 'r', (err, fd) => (err ? rej(err) : res(fd))))
  const preadP = (fd: number, buf: Buffer): Promise<number> =>
    new Promise((res, rej) => readFd(fd, buf, 0, buf.length, 0, (err, n) => (err ? rej(err) : res(n))))
  const closeP = (fd: number): Promise<void> => new Promise((res) => closeFd(fd, () => res()))
  async function polled(path: string): Promise<FileResult<string>> {
    let h = handles.get(path)
    try {
      if (!h) {
        h = { fd: await openP(path), buf: Buffer.allocUnsafe(4096) }
        handles.set(path, h)
      }
      let n = await preadP(h.fd, h.buf)
      // procfs files such as /proc/stat outgrow 4 KiB on large machines: grow once and keep the size.
      while (n === h.buf.length && h.buf.length < 4 * 1024 * 1024) {
        h.buf = Buffer.allocUnsafe(h.buf.length * 4)
        n = await preadP(h.fd, h.buf)
      }
      return { ok: true, value: h.buf.toString('utf8', 0, n) }
    } catch (err) {
      handles.delete(path)
      if (h) await closeP(h.fd)
      return fail(err)
    }
  }

  const resolve = (p: string): string => {
    if (p === '/sys' || p.startsWith('/sys/')) return join(sysRoot, p.slice(4))
    if (p === '/proc' || p.startsWith('/proc/')) return join(procRoot, p.slice(5))
    return p
  }
  const unresolve = (real: string, sysReal: string, procReal: string): string => {
    if (real === sysReal || real.startsWith(sysReal + '/')) return '/sys' + real.slice(sysReal.length)
    if (real === procReal || real.startsWith(procReal + '/')) return '/proc' + real.slice(procReal.length)
    return real
  }
  let rootsReal: Promise<[string, string]> | undefined
  const roots = (): Promise<[string, string]> =>
    (rootsReal ??= Promise.all([
      realpath(sysRoot).catch(() => sysRoot),
      realpath(procRoot).catch(() => procRoot)
    ]))

  return {
    sysRoot,
    procRoot,
    resolve,
    async readText(p) {
      try {
        return { ok: true, value: await readFile(resolve(p), 'utf8') }
      } catch (err) {
        return fail(err)
      }
    },
    async readBytes(p) {
      try {
        return { ok: true, value: new Uint8Array(await readFile(resolve(p))) }
      } catch (err) {
        return fail(err)
      }
    },
    async readDir(p) {
      try {
        return { ok: true, value: (await readdir(resolve(p))).sort() }
      } catch (err) {
        return fail(err)
      }
    },
    async readLink(p) {
      try {
        return { ok: true, value: await readlink(resolve(p)) }
      } catch (err) {
        return fail(err)
      }
    },
    async realPath(p) {
      try {
        const real = await realpath(resolve(p))
        const [s, pr] = await roots()
        return { ok: true, value: unresolve(real, s, pr) }
      } catch (err) {
        return fail(err)
      }
    },
    async isDir(p) {
      try {
        return (await stat(resolve(p))).isDirectory()
      } catch {
        return false
      }
    },
    readPolled(p) {
      const path = resolve(p)
      const pending = inFlight.get(path)
      if (pending) return pending
      const r = polled(path).finally(() => inFlight.delete(path))
      inFlight.set(path, r)
      return r
    },
    async close() {
      const all = [...handles.values()]
      handles.clear()
      await Promise.all(all.map((h) => closeP(h.fd)))
    }
  }
}
