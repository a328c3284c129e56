/**
 * Reasons mean one thing (src-main/shared/telemetry.ts): rates on a first sample are `warming-up`, readings that
 * do not exist for a device are `not-applicable`, and `unsupported` is left for what this hardware, driver or
 * tool does not give. Checked on whole engine snapshots of fixture trees, reading by reading.
 */
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createEngine } from '../../../../src-main/node/engine'
import { silentLogger } from '../../../../src-main/node/platform/logger'
import type { ReadingUnavailable } from '../../../../src-main/shared/reading'

const FIX = resolve(import.meta.dirname, '../../../fixtures')

/** Every unavailable reading in a JSON document, with its path. */
function unavailableReadings(doc: unknown, path = ''): { path: string; r: ReadingUnavailable }[] {
  if (doc === null || typeof doc !== 'object') return []
  const o = doc as Record<string, unknown>
  if (o.status === 'unavailable' && typeof o.reason === 'string')
    return [{ path, r: o as unknown as ReadingUnavailable }]
  return Object.entries(o).flatMap(([k, v]) => unavailableReadings(v, `${path}.${k}`))
}

async function firstTick(sysRoot: string, procRoot: string) {
  const engine = await createEngine({ sysRoot, procRoot, log: silentLogger, toolsPath: null })
  try {
    const snap = await engine.source.tick()
    return { inventory: engine.inventory, snap }
  } finally {
    await engine.close()
  }
}

describe('unavailable reasons', () => {
  it('says warming-up for every first-sample rate and not-applicable where a reading does not exist', async () => {
    const storage = resolve(FIX, 'sysfs/storage-nvme-ssd-hdd')
    const { inventory, snap } = await firstTick(storage, resolve(storage, 'proc'))
    const disks = snap.storage.status === 'ok' ? snap.storage.value.devices : []
    expect(disks.map((d) => d.name)).toEqual(['nvme0n1', 'sda', 'sdb'])
    for (const d of disks)
      expect(d.readBytesPerSec).toMatchObject({ status: 'unavailable', reason: 'warming-up' })
    const sata = inventory.storage.find((d) => d.name === 'sda')!
    expect(sata.pcieMaxGen).toMatchObject({ status: 'unavailable', reason: 'not-applicable' })
    const nvme = inventory.storage.find((d) => d.name === 'nvme0n1')!
    expect(nvme.pcieMaxGen).toEqual({ status: 'ok', value: 4 })
  })

  it('never files a needs-another-sample or does-not-apply reading under unsupported', async () => {
    const trees: [string, string][] = [
      [resolve(FIX, 'sysfs/ryzen-7950x-desktop'), resolve(FIX, 'procfs/ryzen-7950x-desktop')],
      [resolve(FIX, 'sysfs/storage-nvme-ssd-hdd'), resolve(FIX, 'sysfs/storage-nvme-ssd-hdd/proc')],
      [resolve(FIX, 'sysfs/amd-rx9060xt-load'), resolve(FIX, 'procfs/ryzen-7950x-desktop')]
    ]
    const all: { path: string; r: ReadingUnavailable }[] = []
    for (const [sys, proc] of trees) {
      const { inventory, snap } = await firstTick(sys, proc)
      all.push(...unavailableReadings(inventory, 'inventory'), ...unavailableReadings(snap, 'snap'))
    }
    expect(all.length).toBeGreaterThan(20)
    const wrong = all.filter(({ r }) => {
      const d = r.detail ?? ''
      if (/two samples|second sample|not read yet|in progress/i.test(d))
        return r.reason !== 'warming-up'
      if (
        /an (NVIDIA|AMD) concept|NVIDIA feature|NVIDIA's|not this drive|Intel-only|Linux.only/i.test(
          d
        )
      )
        return r.reason !== 'not-applicable'
      return false
    })
    expect(wrong).toEqual([])
    const count = (reason: string) => all.filter((x) => x.r.reason === reason).length
    expect(count('warming-up')).toBeGreaterThan(0)
    expect(count('not-applicable')).toBeGreaterThan(0)
    const amd = all.filter((x) => x.path.includes('gpus'))
    // The RX 9060 XT has no P-state name (NVIDIA's notion) and no compute capability: not applicable.
    expect(amd.find((x) => x.path.endsWith('.pstate'))?.r.reason).toBe('not-applicable')
    expect(amd.find((x) => x.path.endsWith('.computeCapability'))?.r.reason).toBe('not-applicable')
    // The AMD CPU has no Intel thermal_throttle counters.
    expect(all.find((x) => x.path.endsWith('cpu.value.coreThrottle'))?.r).toMatchObject({
      reason: 'not-applicable'
    })
  })
})
