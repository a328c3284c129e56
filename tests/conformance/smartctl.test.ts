import { readdirSync, readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseSmartctlJson } from '../../src-main/node/sources/smartctl'
import type { SmartHealth } from '../../src-main/shared/telemetry'
import { describePeer, peer } from '../helpers/peer-fixtures'

const DIR = 'prometheus-community__smartctl_exporter/testdata'

function health(path: string): SmartHealth {
  const r = parseSmartctlJson(readFileSync(path, 'utf8'), 0)
  if (r.status !== 'ok') throw new Error(`${path}: ${r.reason} ${r.detail ?? ''}`)
  return r.value
}
const v = <T>(r: { status: string; value?: T }): T | undefined =>
  r.status === 'ok' ? r.value : undefined

describePeer('conformance: smartctl_exporter testdata', () => {
  const files = readdirSync(peer(DIR)).filter((f) => f.endsWith('.json'))

  it('parses every smartctl JSON file: temperature finite in [0, 90] or unavailable, passed boolean when present', () => {
    expect(files.length).toBeGreaterThan(150)
    for (const f of files) {
      const h = health(peer(DIR, f))
      const t = h.temperatureCelsius
      if (t.status === 'ok') {
        expect(Number.isFinite(t.value), f).toBe(true)
        expect(t.value, f).toBeGreaterThanOrEqual(0)
        expect(t.value, f).toBeLessThanOrEqual(90)
      }
      if (h.passed.status === 'ok') expect(typeof h.passed.value, f).toBe('boolean')
    }
  })

  it('extracts the MANIFEST values for NVMe health', () => {
    const failing = health(peer(DIR, 'nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json'))
    expect(v(failing.criticalWarning)).toBe(16)
    expect(v(failing.passed)).toBe(false)
    const intel = health(peer(DIR, 'nvme-null-INTEL_SSDPE2KX020T7-nvme6.json'))
    expect([v(intel.percentageUsed), v(intel.temperatureCelsius), v(intel.powerOnHours)]).toEqual([
      75, 19, 49441
    ])
    expect([v(intel.availableSparePct), v(intel.availableSpareThresholdPct)]).toEqual([99, 10])
    expect(v(health(peer(DIR, 'nvme-null-INTEL_SSDPE2KX010T8-nvme1.json')).percentageUsed)).toBe(73)
    expect(
      v(health(peer(DIR, 'nvme-null-INTEL_SSDPE2KE020T7-nvme0.json')).temperatureCelsius)
    ).toBe(14)
    const optane = health(peer(DIR, 'nvme-null-INTEL_MEMPEK1W032GA-nvme0.json'))
    expect([v(optane.availableSpareThresholdPct), v(optane.temperatureCelsius)]).toEqual([0, 31])
    const micron = health(peer(DIR, 'nvme-null-Micron_7300_MTFDHBE1T9TDF-nvme0.json'))
    expect([
      v(micron.percentageUsed),
      v(micron.availableSpareThresholdPct),
      v(micron.mediaErrors)
    ]).toEqual([9, 5, 0])
  })

  it('extracts the MANIFEST values for ATA drives', () => {
    const realloc = health(peer(DIR, 'ST3500418AS_12.json'))
    expect([
      v(realloc.reallocatedSectors),
      v(realloc.pendingSectors),
      v(realloc.temperatureCelsius),
      v(realloc.powerOnHours)
    ]).toEqual([304, 0, 33, 44668])
    const hgst = health(peer(DIR, 'HGST_HUS724020ALE640_28.json'))
    expect([v(hgst.temperatureCelsius), v(hgst.powerOnHours), v(hgst.passed)]).toEqual([
      26,
      83425,
      true
    ])
    const wd = health(peer(DIR, 'WDC_WD20EFRX-68EUZN0_17.json'))
    expect([v(wd.temperatureCelsius), v(wd.powerOnHours), v(wd.reallocatedSectors)]).toEqual([
      34, 47657, 0
    ])
    const samsung = health(peer(DIR, 'SAMSUNG_MZ7WD240HAFV-00003_21.json'))
    expect(v(samsung.pendingSectors)).toBeUndefined()
    expect(samsung.criticalWarning).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
  })
})

describePeer('conformance: telegraf smartctl testcases', () => {
  const base = 'influxdata__telegraf/plugins/inputs/smartctl/testcases_device'
  it('reads the Sabrent Rocket NVMe health values', () => {
    const h = health(peer(base, 'nvme/response.json'))
    expect({
      t: v(h.temperatureCelsius),
      used: v(h.percentageUsed),
      spare: v(h.availableSparePct),
      thr: v(h.availableSpareThresholdPct),
      poh: v(h.powerOnHours),
      media: v(h.mediaErrors),
      warn: v(h.criticalWarning),
      passed: v(h.passed)
    }).toEqual({ t: 48, used: 4, spare: 100, thr: 5, poh: 8733, media: 0, warn: 0, passed: true })
  })

  it('says "not reported" for the USB bridge without a temperature instead of 0', () => {
    const h = health(peer(base, 'usb/response.json'))
    expect(h.temperatureCelsius).toMatchObject({ status: 'unavailable' })
    expect(v(h.powerOnHours)).toBe(11)
  })
})
