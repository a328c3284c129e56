/**
 * Small PCI/sysfs helpers shared by the AMD, Intel and storage collectors: link speed parsing, runtime-PM
 * status, and number/text readings from sysfs attribute files.
 *
 * Parsers are pure and never throw; readers turn file errors into unavailable readings.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import { reasonForFileError } from './procfs-parsers'
import type { FileReader, FileResult } from '../platform/file-reader'

/** PCIe transfer rate per lane (GT/s) → generation. */
const GTPS_TO_GEN: readonly [number, number][] = [
  [2.5, 1],
  [5, 2],
  [8, 3],
  [16, 4],
  [32, 5],
  [64, 6],
  [128, 7]
]

/** PCIe generation for a transfer rate in GT/s (2.5 → 1, 8.0 → 3, 32 → 5), or undefined. */
export function pcieGenFromGTps(gtps: number): number | undefined {
  if (!Number.isFinite(gtps)) return undefined
  const hit = GTPS_TO_GEN.find(([rate]) => Math.abs(rate - gtps) < 0.05)
  return hit?.[1]
}

/**
 * Parses a sysfs `current_link_speed` / `max_link_speed` value into a PCIe generation.
 *
 * Formats: `8.0 GT/s PCIe`, `16.0 GT/s PCIe`, `2.5 GT/s`, older `5 GT/s`; `Unknown` (link down) and garbage
 * give unavailable.
 */
export function parseLinkSpeedGen(text: string): Reading<number> {
  const m = /^\s*(\d+(?:\.\d+)?)\s*GT\/s/i.exec(text)
  if (!m) return unavailable('parse-error', `link speed '${text.trim().slice(0, 40)}'`)
  const gen = pcieGenFromGTps(Number(m[1]))
  return gen === undefined ? unavailable('parse-error', `unknown rate ${m[1]} GT/s`) : ok(gen)
}

/** Parses a sysfs `current_link_width` / `max_link_width` value (`16`, `x16`); 0 / 255 are "no link". */
export function parseLinkWidth(text: string): Reading<number> {
  const m = /^\s*x?(\d+)\s*$/i.exec(text)
  if (!m) return unavailable('parse-error', `link width '${text.trim().slice(0, 40)}'`)
  const w = Number(m[1])
  if (w === 0 || w === 255) return unavailable('unsupported', 'link down or width not reported')
  return ok(w)
}

/** Maps a file error to an unavailable reason (the procfs parsers' mapping, under the name this module uses). */
export const fileReason = reasonForFileError

/** A file result as a trimmed text reading. Empty files are unavailable, never ''. */
export function textReading(r: FileResult<string>, what: string): Reading<string> {
  if (!r.ok) return unavailable(fileReason(r.code), `${what}: ${r.code}`)
  const t = r.value.trim()
  return t === '' ? unavailable('unsupported', `${what} is empty`) : ok(t)
}

/** Parses an integer sysfs value (optionally signed); anything else is a parse error. */
export function parseIntReading(text: string, what: string): Reading<number> {
  const t = text.trim()
  if (!/^-?\d+$/.test(t)) return unavailable('parse-error', `${what}: '${t.slice(0, 40)}'`)
  const n = Number(t)
  return Number.isSafeInteger(n) ? ok(n) : unavailable('parse-error', `${what}: out of range`)
}

/** Reads a text attribute (not polled). */
export async function readText(fs: FileReader, path: string): Promise<Reading<string>> {
  return textReading(await fs.readText(path), basename(path))
}

/** Reads an integer attribute through a cached handle (files polled every tick). */
export async function readPolledInt(fs: FileReader, path: string): Promise<Reading<number>> {
  const r = await fs.readPolled(path)
  if (!r.ok) return unavailable(fileReason(r.code), `${basename(path)}: ${r.code}`)
  return parseIntReading(r.value, basename(path))
}

/** Reads an integer attribute once (static facts). */
export async function readInt(fs: FileReader, path: string): Promise<Reading<number>> {
  const r = await fs.readText(path)
  if (!r.ok) return unavailable(fileReason(r.code), `${basename(path)}: ${r.code}`)
  return parseIntReading(r.value, basename(path))
}

/** Last path component. */
export function basename(path: string): string {
  const parts = path.split('/').filter((p) => p !== '')
  return parts[parts.length - 1] ?? ''
}

/** Runtime-PM state of a device (`power/runtime_status`). */
export type RuntimeStatus =
  'active' | 'suspended' | 'suspending' | 'resuming' | 'unsupported' | 'unknown'

/**
 * Reads `<devicePath>/power/runtime_status`. Reading this file never wakes the device, unlike most
 * driver attributes, so it is the one file a collector may read on a sleeping GPU.
 */
export async function readRuntimeStatus(
  fs: FileReader,
  devicePath: string
): Promise<RuntimeStatus> {
  const r = await fs.readPolled(`${devicePath}/power/runtime_status`)
  if (!r.ok) return 'unknown'
  const v = r.value.trim()
  return v === 'active' ||
    v === 'suspended' ||
    v === 'suspending' ||
    v === 'resuming' ||
    v === 'unsupported'
    ? v
    : 'unknown'
}

/** Driver bound to a device: basename of the `driver` symlink (the target need not exist). */
export async function readDriverName(
  fs: FileReader,
  devicePath: string
): Promise<string | undefined> {
  const r = await fs.readLink(`${devicePath}/driver`)
  return r.ok ? basename(r.value) : undefined
}

/** Scales an ok numeric reading. */
export function scale(r: Reading<number>, factor: number): Reading<number> {
  return r.status === 'ok' ? ok(r.value * factor) : r
}
