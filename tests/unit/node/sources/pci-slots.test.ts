import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFileReader } from '../../../../src-main/node/platform/file-reader'
import {
  parseBusSpeedGen,
  parseSmbiosSlot,
  readPcieSlots,
  smbiosSlotGen
} from '../../../../src-main/node/sources/pci-slots'

const FIX = resolve(import.meta.dirname, '../../../fixtures/sysfs')

/** A type 9 record: formatted part (SMBIOS 2.6 layout, 17 bytes) and its strings. */
function record(o: { type?: number; width: number; usage: number; bus: number; name?: string }) {
  const head = [9, 0x11, 0, 9, o.name ? 1 : 0, o.type ?? 0xbd, o.width, o.usage, 4, 1, 0, 0x0c, 3]
  const tail = [0, 0, o.bus, 0]
  const strings = o.name ? [...Buffer.from(o.name), 0, 0] : [0, 0]
  return new Uint8Array([...head, ...tail, ...strings])
}

describe('pci-slots parsers', () => {
  it('reads lanes from the data bus width, the generation from the slot type and the usage', () => {
    const s = parseSmbiosSlot(
      record({ type: 0xbd, width: 0x0a, usage: 3, bus: 5, name: 'PCIEX16_2' })
    )
    expect(s).toEqual({
      name: 'PCIEX16_2',
      lanes: { status: 'ok', value: 4 },
      gen: { status: 'ok', value: 4 },
      inUse: { status: 'ok', value: false },
      address: { status: 'ok', value: '0000:05:00' },
      source: 'smbios'
    })
  })

  it('leaves out slots that are not PCIe (M.2 sockets) and records that are too short', () => {
    expect(parseSmbiosSlot(record({ type: 0x17, width: 0x0a, usage: 4, bus: 2 }))).toBeNull()
    expect(parseSmbiosSlot(new Uint8Array([9, 4, 0, 0]))).toBeNull()
    expect(parseSmbiosSlot(new Uint8Array([17, 0x11, ...new Array(20).fill(0)]))).toBeNull()
  })

  it('says unknown, never free, when the firmware does not state the usage or the width', () => {
    const s = parseSmbiosSlot(record({ type: 0xa5, width: 0x02, usage: 2, bus: 6 }))!
    expect(s.inUse.status).toBe('unavailable')
    expect(s.lanes.status).toBe('unavailable')
    expect(s.gen.status).toBe('unavailable')
    expect(s.name).toBe('slot 1')
  })

  it('maps slot types and bus speeds to PCIe generations', () => {
    expect([0xaa, 0xb0, 0xb6, 0xbd, 0xc3, 0xc4].map(smbiosSlotGen)).toEqual([null, 2, 3, 4, 5, 6])
    expect(smbiosSlotGen(0x17)).toBeUndefined()
    expect(parseBusSpeedGen('16.0 GT/s PCIe')).toBe(4)
    expect(parseBusSpeedGen('8.0 GT/s PCIe')).toBe(3)
    expect(parseBusSpeedGen('Unknown')).toBeUndefined()
  })
})

describe('readPcieSlots', () => {
  it('reads the SMBIOS slot table: a free x4 slot beside the GPU, a slot whose usage comes from its bus', async () => {
    const fs = createFileReader({ sysRoot: resolve(FIX, 'desktop-two-x16-slots-smbios') })
    const r = await readPcieSlots(fs)
    expect(r.status).toBe('ok')
    if (r.status !== 'ok') return
    expect(r.value.map((s) => s.name)).toEqual(['PCIEX16_1', 'PCIEX16_2', 'PCIEX1_1'])
    const [gpu, second, x1] = r.value
    expect(gpu.inUse).toEqual({ status: 'ok', value: true })
    expect(gpu.lanes).toEqual({ status: 'ok', value: 16 })
    expect(gpu.gen).toEqual({ status: 'ok', value: 5 })
    expect(second.inUse).toEqual({ status: 'ok', value: false })
    expect(second.lanes).toEqual({ status: 'ok', value: 4 })
    // Usage "unknown" in the firmware: nothing on bus 06, so the slot is free.
    expect(x1.inUse).toEqual({ status: 'ok', value: false })
  })

  it('falls back to /sys/bus/pci/slots with lanes from the bridge above each slot', async () => {
    const fs = createFileReader({ sysRoot: resolve(FIX, 'desktop-hotplug-slots-sysfs') })
    const r = await readPcieSlots(fs)
    expect(r.status).toBe('ok')
    if (r.status !== 'ok') return
    const byName = Object.fromEntries(r.value.map((s) => [s.name, s]))
    expect(byName['slot 1'].lanes).toEqual({ status: 'ok', value: 16 })
    expect(byName['slot 1'].gen).toEqual({ status: 'ok', value: 4 })
    expect(byName['slot 1'].inUse).toEqual({ status: 'ok', value: true })
    expect(byName['slot 2'].lanes).toEqual({ status: 'ok', value: 4 })
    expect(byName['slot 2'].gen).toEqual({ status: 'ok', value: 3 })
    expect(byName['slot 2'].inUse).toEqual({ status: 'ok', value: false })
    expect(byName['slot 2'].source).toBe('sysfs')
  })

  it('is unavailable with both reasons on a tree that has neither', async () => {
    const fs = createFileReader({ sysRoot: resolve(FIX, 'ryzen-7950x-desktop') })
    const r = await readPcieSlots(fs)
    expect(r.status).toBe('unavailable')
    if (r.status === 'unavailable') expect(r.detail).toMatch(/SMBIOS.*; .*slots/)
  })
})
