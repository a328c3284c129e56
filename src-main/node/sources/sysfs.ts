/**
 * The one file-reading vocabulary for sysfs and procfs attribute files: every source and collector turns file
 * results into readings through these functions, so one file state always means one reason.
 *
 * What each file state means (decided once, here):
 * - **missing** (`ENOENT`, `ENODEV`, `ENXIO`): the kernel or driver does not offer the attribute →
 *   `unsupported`, detail `<file>: not present`.
 * - **permission denied** (`EACCES`, `EPERM`) → `permission-denied` (root-only files such as RAPL `energy_uj`).
 * - **busy** (`EAGAIN`, `EBUSY`) and other I/O errors → `failed`, with the error text.
 * - **empty** (the file exists and reads as nothing but whitespace): the attribute is there but the driver gives
 *   no value (a sensor slot with nothing behind it, a capture that could not read the file) → `unsupported`,
 *   detail `<file> is empty`. Never a parse error and never `''`/`0`: nothing malformed was read, and nothing
 *   was read at all. Lists (`/sys/devices/system/cpu/offline`) are the exception: an empty list is a value
 *   (see `parseCpuList` in procfs.ts).
 * - **text that is not the expected form** (`<unsupported>`, `12a`, out-of-range integers) → `parse-error`.
 *
 * Paths are the absolute Linux paths (`/sys/…`, `/proc/…`); the FileReader maps them onto its roots.
 */
import {
  ok,
  unavailable,
  type Reading,
  type ReadingUnavailable,
  type UnavailableReason
} from '../../shared/reading'
import type { FileErrorCode, FileReader, FileResult } from '../platform/file-reader'

const INTEGER_RE = /^[+-]?\d+$/
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Maps a file error code to a reading reason (see the module comment). */
export function reasonForFileError(code: FileErrorCode): UnavailableReason {
  switch (code) {
    case 'not-found':
      return 'unsupported'
    case 'permission-denied':
      return 'permission-denied'
    case 'busy':
      return 'failed'
    case 'other':
      return 'failed'
  }
}

/** Turns a failed file read into an unavailable reading naming the file (`temp1_input: not present`). */
export function fileUnavailable(
  res: { ok: false; code: FileErrorCode; message: string },
  what: string
): ReadingUnavailable {
  const why =
    res.code === 'not-found'
      ? 'not present'
      : res.code === 'permission-denied'
        ? 'permission denied'
        : res.code === 'busy'
          ? 'device busy'
          : res.message
  return unavailable(reasonForFileError(res.code), `${what}: ${why}`)
}

/** The reading for an empty attribute file (see the module comment). */
export function emptyFile(what: string): ReadingUnavailable {
  return unavailable('unsupported', `${what} is empty`)
}

/**
 * Parses a sysfs integer file (`12345\n`, `-44000`).
 *
 * Empty text is `unsupported` (the driver gives no value); text (`<unsupported>`) and non-integers are parse
 * errors; sysfs never pads numbers.
 */
export function parseSysfsInt(text: string, what = 'file'): Reading<number> {
  const t = text.trim()
  if (t === '') return emptyFile(what)
  if (!INTEGER_RE.test(t))
    return unavailable('parse-error', `${what}: not an integer: ${t.slice(0, 32)}`)
  const n = Number(t)
  return Number.isSafeInteger(n)
    ? ok(n)
    : unavailable('parse-error', `${what}: integer out of range: ${t.slice(0, 32)}`)
}

/** Parses a decimal number (`800.083`, `1e3`); empty text is `unsupported` as for integers. */
export function parseDecimal(text: string, what = 'value'): Reading<number> {
  const t = text.trim()
  if (t === '') return emptyFile(what)
  if (!DECIMAL_RE.test(t))
    return unavailable('parse-error', `${what}: not a number: ${t.slice(0, 32)}`)
  const n = Number(t)
  return Number.isFinite(n)
    ? ok(n)
    : unavailable('parse-error', `${what}: not a finite number: ${t.slice(0, 32)}`)
}

/** A file result as an integer reading. */
export function intFromFile(res: FileResult<string>, what: string): Reading<number> {
  return res.ok ? parseSysfsInt(res.value, what) : fileUnavailable(res, what)
}

/** A file result as trimmed text; an empty file is unavailable, never ''. */
export function textFromFile(res: FileResult<string>, what: string): Reading<string> {
  if (!res.ok) return fileUnavailable(res, what)
  const t = res.value.trim()
  return t === '' ? emptyFile(what) : ok(t)
}

/** Reads a text attribute once (static facts). */
export async function readText(fs: FileReader, path: string): Promise<Reading<string>> {
  return textFromFile(await fs.readText(path), baseName(path))
}

/** Reads an integer attribute once (static facts). */
export async function readInt(fs: FileReader, path: string): Promise<Reading<number>> {
  return intFromFile(await fs.readText(path), baseName(path))
}

/** Reads an integer attribute through a cached handle (files polled every tick). */
export async function readPolledInt(fs: FileReader, path: string): Promise<Reading<number>> {
  return intFromFile(await fs.readPolled(path), baseName(path))
}

/** The trimmed text of a file, or null when it cannot be read (for names and types with a fallback). */
export async function readTrimmedOrNull(fs: FileReader, path: string): Promise<string | null> {
  const r = await fs.readText(path)
  return r.ok ? r.value.trim() : null
}

/** Last path element, ignoring trailing slashes (`/sys/class/hwmon/hwmon0/` → `hwmon0`). */
export function baseName(path: string): string {
  const p = path.replace(/\/+$/, '')
  const i = p.lastIndexOf('/')
  return i === -1 ? p : p.slice(i + 1)
}

/** Parent path, ignoring trailing slashes. */
export function dirName(path: string): string {
  const p = path.replace(/\/+$/, '')
  const i = p.lastIndexOf('/')
  return i <= 0 ? '/' : p.slice(0, i)
}

/** Scales an ok numeric reading (µW → W: `scale(r, 1e-6)`). */
export function scale(r: Reading<number>, factor: number): Reading<number> {
  return r.status === 'ok' ? ok(r.value * factor) : r
}
