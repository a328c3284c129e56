/**
 * Reads procfs/sysfs files against configurable roots (node_exporter's --path.sysfs / --path.procfs).
 *
 * Callers pass absolute Linux paths (`/sys/class/hwmon`, `/proc/stat`); the reader maps `/sys` and `/proc`
 * onto its roots so tests point the whole engine at fixture trees. Errors are values, not exceptions.
 */
import { open, readFile, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises'
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
   * Reads a small file through a cached open handle (nvtop's rewind-and-read): one pread per tick instead
   * of open+read+close. Used for the files polled every second.
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
  // Each cached handle owns its buffer: reads run concurrently, so a shared buffer would race.
  const handles = new Map<string, { fh: FileHandle; buf: Buffer }>()

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
    async readPolled(p) {
      const path = resolve(p)
      let h = handles.get(path)
      try {
        if (!h) {
          h = { fh: await open(path, 'r'), buf: Buffer.allocUnsafe(4096) }
          handles.set(path, h)
        }
        const { bytesRead } = await h.fh.read(h.buf, 0, h.buf.length, 0)
        return { ok: true, value: h.buf.toString('utf8', 0, bytesRead) }
      } catch (err) {
        handles.delete(path)
        await h?.fh.close().catch(() => {})
        return fail(err)
      }
    },
    async close() {
      const all = [...handles.values()]
      handles.clear()
      await Promise.all(all.map((h) => h.fh.close().catch(() => {})))
    }
  }
}
