/**
 * PCI device attributes in sysfs (`/sys/bus/pci/devices/<bdf>/…`, `/sys/class/drm/cardN/device/…`), shared by
 * the GPU and storage collectors: link speed and width, runtime-PM status, the bound driver, the PCI address.
 *
 * Parsers are pure and never throw; file states map to reasons through sysfs.ts.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { FileReader, FileResult } from '../platform/file-reader'
import { baseName, emptyFile, fileUnavailable } from './sysfs'

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
  if (text.trim() === '') return emptyFile('link speed')
  const m = /^\s*(\d+(?:\.\d+)?)\s*GT\/s/i.exec(text)
  if (!m) return unavailable('parse-error', `link speed '${text.trim().slice(0, 40)}'`)
  const gen = pcieGenFromGTps(Number(m[1]))
  return gen === undefined ? unavailable('parse-error', `unknown rate ${m[1]} GT/s`) : ok(gen)
}

/** Parses a sysfs `current_link_width` / `max_link_width` value (`16`, `x16`); 0 / 255 are "no link". */
export function parseLinkWidth(text: string): Reading<number> {
  if (text.trim() === '') return emptyFile('link width')
  const m = /^\s*x?(\d+)\s*$/i.exec(text)
  if (!m) return unavailable('parse-error', `link width '${text.trim().slice(0, 40)}'`)
  const w = Number(m[1])
  if (w === 0 || w === 255) return unavailable('unsupported', 'link down or width not reported')
  return ok(w)
}

/** A `*_link_speed` file result as a PCIe generation. */
export function linkGenFromFile(res: FileResult<string>, what: string): Reading<number> {
  return res.ok ? parseLinkSpeedGen(res.value) : fileUnavailable(res, what)
}

/** A `*_link_width` file result as a lane count. */
export function linkWidthFromFile(res: FileResult<string>, what: string): Reading<number> {
  return res.ok ? parseLinkWidth(res.value) : fileUnavailable(res, what)
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
  return r.ok ? baseName(r.value) : undefined
}

const PCI_ADDRESS_RE = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i

/** True for a PCI address in sysfs form (`0000:01:00.0`). */
export function isPciAddress(text: string): boolean {
  return PCI_ADDRESS_RE.test(text)
}

/**
 * The PCI address of a device directory: the basename of its resolved path (`/sys/class/drm/card0/device` →
 * `0000:03:00.0`), or unavailable when the link does not lead to a PCI device (captured trees, containers).
 */
export async function readPciAddress(fs: FileReader, devicePath: string): Promise<Reading<string>> {
  const real = await fs.realPath(devicePath)
  const bus = real.ok ? baseName(real.value) : ''
  return isPciAddress(bus)
    ? ok(bus.toLowerCase())
    : unavailable('unsupported', 'device link is not a PCI address')
}
