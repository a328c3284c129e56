import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createFileReader } from '../../../../src-main/node/platform/file-reader'
import {
  batteryPowerWatts,
  createPowerCollector,
  powerSource
} from '../../../../src-main/node/collectors/power'
import type { BatteryState } from '../../../../src-main/shared/telemetry'
import { fsCollectorDeps } from '../../../helpers/fs-collector-deps'

const signal = new AbortController().signal
const due = { slow: false, rare: false }
let tmp: string | null = null

const deps = fsCollectorDeps

async function supply(root: string, name: string, files: Record<string, string>): Promise<void> {
  const dir = join(root, 'class/power_supply', name)
  await mkdir(dir, { recursive: true })
  for (const [f, v] of Object.entries(files)) await writeFile(join(dir, f), v + '\n')
}

const bat = (status: string): BatteryState => ({
  name: 'BAT0',
  status: { status: 'ok', value: status },
  capacityPct: { status: 'ok', value: 50 },
  powerWatts: { status: 'ok', value: 10 }
})

afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
  tmp = null
})

describe('power', () => {
  it('reports a laptop on battery with power from current × voltage, ignoring peripheral batteries', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rigready-power-'))
    await supply(tmp, 'ADP1', { type: 'Mains', online: '0' })
    await supply(tmp, 'BAT1', {
      type: 'Battery',
      status: 'Discharging',
      capacity: '42',
      current_now: '2500000',
      voltage_now: '15400000'
    })
    await supply(tmp, 'hidpp_battery_0', {
      type: 'Battery',
      scope: 'Device',
      status: 'Discharging',
      capacity: '90'
    })
    const fs = createFileReader({ sysRoot: tmp, procRoot: tmp })
    const c = createPowerCollector(deps(fs))
    expect((await c.probe(signal)).status).toBe('present')
    const s = (await c.sample({ signal, due })).power!
    expect(s.acOnline).toEqual({ status: 'ok', value: false })
    expect(s.source).toEqual({ status: 'ok', value: 'battery' })
    expect(s.batteries).toHaveLength(1)
    expect(s.batteries[0].capacityPct).toEqual({ status: 'ok', value: 42 })
    expect(s.batteries[0].powerWatts.status).toBe('ok')
    expect((s.batteries[0].powerWatts as { value: number }).value).toBeCloseTo(38.5, 9)
    await writeFile(join(tmp, 'class/power_supply/ADP1/online'), '1\n')
    expect((await c.sample({ signal, due })).power!.source).toEqual({ status: 'ok', value: 'ac' })
    await fs.close()
  })

  it('says no-device on a desktop without /sys/class/power_supply', async () => {
    const fs = createFileReader({
      sysRoot: 'tests/fixtures/sysfs/ryzen-7950x-desktop',
      procRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop'
    })
    const c = createPowerCollector(deps(fs))
    expect(await c.probe(signal)).toMatchObject({
      status: 'absent',
      reason: { reason: 'no-device' }
    })
    const s = (await c.sample({ signal, due })).power!
    expect(s.source).toMatchObject({ status: 'unavailable', reason: 'no-device' })
    expect(s.acOnline).toMatchObject({ status: 'unavailable', reason: 'no-device' })
    expect(s.batteries).toEqual([])
  })

  it('keeps garbage and empty battery files unavailable', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rigready-power-'))
    await supply(tmp, 'BAT0', { type: 'Battery', status: '', capacity: 'lots', power_now: '' })
    const fs = createFileReader({ sysRoot: tmp, procRoot: tmp })
    const c = createPowerCollector(deps(fs))
    await c.probe(signal)
    const b = (await c.sample({ signal, due })).power!.batteries[0]
    expect(b.status).toMatchObject({ status: 'unavailable' })
    expect(b.capacityPct).toMatchObject({ status: 'unavailable', reason: 'parse-error' })
    // power_now is empty: no value behind the attribute (sources/sysfs.ts), not a parse error.
    expect(b.powerWatts).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    await fs.close()
  })

  it('decides the power source from mains and battery state', () => {
    expect(batteryPowerWatts({ status: 'ok', value: 5002000 }, null, null)).toEqual({
      status: 'ok',
      value: 5.002
    })
    expect(powerSource({ status: 'ok', value: true }, [bat('Discharging')])).toEqual({
      status: 'ok',
      value: 'ac'
    })
    expect(
      powerSource({ status: 'unavailable', reason: 'no-device' }, [bat('Discharging')])
    ).toEqual({ status: 'ok', value: 'battery' })
    expect(powerSource({ status: 'unavailable', reason: 'no-device' }, [bat('Charging')])).toEqual({
      status: 'ok',
      value: 'ac'
    })
    expect(powerSource({ status: 'unavailable', reason: 'no-device' }, []).status).toBe(
      'unavailable'
    )
  })
})
