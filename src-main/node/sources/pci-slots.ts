/**
 * PCIe slots of the board: how many there are, their electrical lanes and generation, and which are free.
 *
 * Sources, best first:
 * 1. SMBIOS type 9 "System Slots" records, `/sys/firmware/dmi/entries/9-N/raw` (root only on most
 *    distributions): designation, slot type (generation), data bus width (electrical lanes, which can be
 *    fewer than the physical slot), current usage (available / in use) and the slot's bus address.
 * 2. `/sys/bus/pci/slots/<name>/` (ACPI or hotplug slots): `address` (`0000:01:00`), `max_bus_speed`
 *    (`16.0 GT/s PCIe`); lanes from the bridge whose `secondary_bus_number` is the slot's bus
 *    (`max_link_width`); in use when a device exists on that bus.
 *
 * Pure parsers (`parseSmbiosSlot`, `parseBusSpeedGen`) take most of the tests; `readPcieSlots` is the thin
 * I/O over the injectable FileReader, so tests point it at fixture trees. Nothing here throws: what cannot be
 * read is an unavailable reading with the reason.
 */
import type { Reading, UnavailableReason } from '../../shared/reading'
import { ok, unavailable } from '../../shared/reading'
import type { PcieSlotInfo } from '../../shared/telemetry'
import type { FileErrorCode, FileReader } from '../platform/file-reader'

/** SMBIOS structure type of System Slots. */
export const SMBIOS_SYSTEM_SLOTS = 9

/** Most slot records read (a board has a few; this bounds a broken table). */
const MAX_SLOTS = 64

/** Electrical lanes by SMBIOS "Slot Data Bus Width" code (SMBIOS 3.x, table "System Slots: Data Bus Width"). */
const BUS_WIDTH_LANES: Readonly<Record<number, number>> = {
  0x08: 1,
  0x09: 2,
  0x0a: 4,
  0x0b: 8,
  0x0c: 12,
  0x0d: 16,
  0x0e: 32
}

/**
 * PCIe generation by SMBIOS slot type: 0xA5–0xAA PCI Express (generation not stated), 0xAB–0xB0 Gen2,
 * 0xB1–0xB6 Gen3, 0xB8–0xBD Gen4, 0xBE–0xC3 Gen5, 0xC4 Gen6 and beyond. Null: PCIe, generation unknown.
 */
export function smbiosSlotGen(slotType: number): number | null | undefined {
  if (slotType >= 0xa5 && slotType <= 0xaa) return null
  if (slotType >= 0xab && slotType <= 0xb0) return 2
  if (slotType >= 0xb1 && slotType <= 0xb6) return 3
  if (slotType >= 0xb8 && slotType <= 0xbd) return 4
  if (slotType >= 0xbe && slotType <= 0xc3) return 5
  if (slotType === 0xc4) return 6
  return undefined
}

/** The n-th (1-based) string of an SMBIOS structure's string set, which starts at its formatted length. */
function smbiosString(raw: Uint8Array, formattedLength: number, index: number): string | null {
  if (index === 0) return null
  let at = formattedLength
  for (let i = 1; at < raw.length; i++) {
    let end = at
    while (end < raw.length && raw[end] !== 0) end++
    if (end === at) return null // the double NUL that ends the set
    if (i === index) return new TextDecoder('latin1').decode(raw.subarray(at, end)).trim()
    at = end + 1
  }
  return null
}

/**
 * One SMBIOS type 9 record as a PCIe slot, or null when it is not a PCIe slot (PCI, M.2 sockets, other
 * types) or too short.
 *
 * Layout (SMBIOS 3.x): 0 type, 1 length, 2–3 handle, 4 designation (string), 5 slot type, 6 data bus width,
 * 7 current usage (3 available, 4 in use), 8 length, 9–10 slot id, 11–12 characteristics, 13–14 segment
 * group, 15 bus, 16 device/function (2.6+).
 */
export function parseSmbiosSlot(raw: Uint8Array): PcieSlotInfo | null {
  if (raw.length < 0x0c || raw[0] !== SMBIOS_SYSTEM_SLOTS) return null
  const length = raw[1]
  if (length < 0x0c || length > raw.length) return null
  const gen = smbiosSlotGen(raw[5])
  if (gen === undefined) return null
  const name = smbiosString(raw, length, raw[4]) ?? `slot ${raw[9] | (raw[10] << 8)}`
  const lanes = BUS_WIDTH_LANES[raw[6]]
  const usage = raw[7]
  let address: Reading<string> = unavailable('unsupported', 'SMBIOS before 2.6 has no slot address')
  if (length >= 0x11) {
    const segment = raw[13] | (raw[14] << 8)
    const bus = raw[15]
    const devfn = raw[16]
    // 0xFF in segment/bus/devfn means the slot has no address (SMBIOS 2.6 note).
    if (!(segment === 0xffff && bus === 0xff && devfn === 0xff))
      address = ok(
        `${segment.toString(16).padStart(4, '0')}:${bus.toString(16).padStart(2, '0')}:${(devfn >> 3).toString(16).padStart(2, '0')}`
      )
  }
  return {
    name,
    lanes:
      lanes !== undefined
        ? ok(lanes)
        : unavailable('unsupported', `data bus width code 0x${raw[6].toString(16)}`),
    gen:
      gen !== null
        ? ok(gen)
        : unavailable('unsupported', 'slot type does not state the generation'),
    inUse:
      usage === 3
        ? ok(false)
        : usage === 4
          ? ok(true)
          : unavailable('unsupported', `current usage code ${usage} (not available / in use)`),
    address,
    source: 'smbios'
  }
}

/** PCIe generation of a sysfs bus speed (`16.0 GT/s PCIe`, `8.0 GT/s`, `2.5 GT/s PCIe`); undefined otherwise. */
export function parseBusSpeedGen(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*GT\/s/i.exec(text)
  if (!m) return undefined
  const rate = Number(m[1])
  const table: [number, number][] = [
    [2.5, 1],
    [5, 2],
    [8, 3],
    [16, 4],
    [32, 5],
    [64, 6]
  ]
  return table.find(([r]) => Math.abs(r - rate) < 0.05)?.[1]
}

function reasonOf(code: FileErrorCode): UnavailableReason {
  return code === 'permission-denied'
    ? 'permission-denied'
    : code === 'not-found'
      ? 'unsupported'
      : 'failed'
}

/** The bus number of a `0000:01:00` slot address. */
function busOf(address: string): string | null {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2})/i.exec(address.trim())
  return m ? `${m[1].toLowerCase()}:${m[2].toLowerCase()}` : null
}

/** Devices present on each bus (`0000:01`), from `/sys/bus/pci/devices` names. */
async function devicesByBus(fs: FileReader): Promise<Set<string> | null> {
  const r = await fs.readDir('/sys/bus/pci/devices')
  if (!r.ok) return null
  return new Set(r.value.map((d) => busOf(d)).filter((b): b is string => b !== null))
}

/** Bridges by the bus below them (`0000:01` → the bridge's device directory). */
async function bridgesBySecondaryBus(fs: FileReader): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const r = await fs.readDir('/sys/bus/pci/devices')
  if (!r.ok) return out
  await Promise.all(
    r.value.slice(0, 512).map(async (d) => {
      const sec = await fs.readText(`/sys/bus/pci/devices/${d}/secondary_bus_number`)
      if (!sec.ok) return
      const n = Number(sec.value.trim())
      if (!Number.isInteger(n) || n <= 0 || n > 255) return
      const domain = d.slice(0, 4).toLowerCase()
      out.set(`${domain}:${n.toString(16).padStart(2, '0')}`, d)
    })
  )
  return out
}

async function fromSmbios(fs: FileReader): Promise<Reading<PcieSlotInfo[]>> {
  const dir = await fs.readDir('/sys/firmware/dmi/entries')
  if (!dir.ok) return unavailable(reasonOf(dir.code), `SMBIOS entries not readable (${dir.code})`)
  const names = dir.value.filter((n) => /^9-\d+$/.test(n)).slice(0, MAX_SLOTS)
  if (names.length === 0) return unavailable('unsupported', 'the firmware lists no system slots')
  const slots: PcieSlotInfo[] = []
  let denied = false
  for (const n of names.sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))) {
    const raw = await fs.readBytes(`/sys/firmware/dmi/entries/${n}/raw`)
    if (!raw.ok) {
      if (raw.code === 'permission-denied') denied = true
      continue
    }
    const s = parseSmbiosSlot(raw.value)
    if (s) slots.push(s)
  }
  if (slots.length > 0) {
    // A slot whose usage the firmware leaves unknown is in use when a device sits on its bus.
    const buses = await devicesByBus(fs)
    return ok(
      slots.map((s) => {
        if (s.inUse.status === 'ok' || s.address.status !== 'ok' || buses === null) return s
        const bus = busOf(s.address.value)
        return bus === null ? s : { ...s, inUse: ok(buses.has(bus)) }
      })
    )
  }
  return denied
    ? unavailable('permission-denied', 'the SMBIOS slot table needs root')
    : unavailable('unsupported', 'no PCIe slot in the SMBIOS slot table')
}

async function fromSysfsSlots(fs: FileReader): Promise<Reading<PcieSlotInfo[]>> {
  const dir = await fs.readDir('/sys/bus/pci/slots')
  if (!dir.ok)
    return unavailable(reasonOf(dir.code), `/sys/bus/pci/slots not readable (${dir.code})`)
  const names = dir.value.slice(0, MAX_SLOTS)
  if (names.length === 0) return unavailable('unsupported', 'no slots under /sys/bus/pci/slots')
  const buses = await devicesByBus(fs)
  const bridges = await bridgesBySecondaryBus(fs)
  const slots: PcieSlotInfo[] = []
  for (const name of names) {
    const base = `/sys/bus/pci/slots/${name}`
    const addr = await fs.readText(`${base}/address`)
    const speed = await fs.readText(`${base}/max_bus_speed`)
    const address = addr.ok && addr.value.trim() !== '' ? addr.value.trim() : null
    const bus = address ? busOf(address) : null
    const gen = speed.ok ? parseBusSpeedGen(speed.value) : undefined
    let lanes: Reading<number> = unavailable('unsupported', 'no bridge found above the slot')
    const bridge = bus ? bridges.get(bus) : undefined
    if (bridge) {
      const w = await fs.readText(`/sys/bus/pci/devices/${bridge}/max_link_width`)
      const n = w.ok ? Number(w.value.trim()) : NaN
      lanes =
        Number.isInteger(n) && n > 0 && n <= 32
          ? ok(n)
          : unavailable('unsupported', `max_link_width of bridge ${bridge} not readable`)
    }
    slots.push({
      name: `slot ${name}`,
      lanes,
      gen:
        gen !== undefined
          ? ok(gen)
          : unavailable(
              'unsupported',
              speed.ok ? `bus speed "${speed.value.trim()}"` : 'no max_bus_speed'
            ),
      inUse:
        bus !== null && buses !== null
          ? ok(buses.has(bus))
          : unavailable('unsupported', 'slot address unknown'),
      address: address ? ok(address) : unavailable('unsupported', 'slot has no address'),
      source: 'sysfs'
    })
  }
  return ok(slots)
}

/**
 * The PCIe slots of this machine: the SMBIOS slot table where readable, else the sysfs slots; unavailable
 * with the reasons of both when neither tells.
 */
export async function readPcieSlots(fs: FileReader): Promise<Reading<PcieSlotInfo[]>> {
  const smbios = await fromSmbios(fs)
  if (smbios.status === 'ok') return smbios
  const sysfs = await fromSysfsSlots(fs)
  if (sysfs.status === 'ok') return sysfs
  const reason = smbios.reason === 'permission-denied' ? 'permission-denied' : sysfs.reason
  return unavailable(reason, `${smbios.detail ?? smbios.reason}; ${sysfs.detail ?? sysfs.reason}`)
}
