import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import {
  discoverHwmonChips,
  hwmonChipId,
  inputCelsius,
  parseAlarm,
  parseMillidegrees,
  parseRpm,
  readHwmonChip,
  thresholdCelsius
} from '../../../../src-main/node/sources/hwmon'

const SYS = 'tests/fixtures/sysfs/ryzen-7950x-desktop'

/** A reader whose files under `prefix` fail with `code`. */
function failing(
  fs: FileReader,
  prefix: string,
  code: 'permission-denied' | 'not-found' | 'busy'
): FileReader {
  const err = { ok: false as const, code, message: code }
  return {
    ...fs,
    readPolled: async (p) => (p.startsWith(prefix) ? err : fs.readPolled(p)),
    readText: async (p) => (p.startsWith(prefix) ? err : fs.readText(p))
  }
}

describe('hwmon', () => {
  it('parses millidegrees, including negative values and no trailing newline', () => {
    expect(parseMillidegrees('32850\n')).toEqual({ status: 'ok', value: 32.85 })
    expect(parseMillidegrees('-44000')).toEqual({ status: 'ok', value: -44 })
    expect(parseMillidegrees('').status).toBe('unavailable')
    expect(parseMillidegrees('N/A\n')).toMatchObject({
      status: 'unavailable',
      reason: 'parse-error'
    })
  })

  it('treats thresholds outside -50..200 °C as sentinels', () => {
    expect(thresholdCelsius(parseMillidegrees('-273150'))).toEqual({
      status: 'unavailable',
      reason: 'unsupported',
      detail: 'sentinel value'
    })
    expect(thresholdCelsius(parseMillidegrees('65261850'))).toMatchObject({ reason: 'unsupported' })
    expect(thresholdCelsius(parseMillidegrees('84850'))).toEqual({ status: 'ok', value: 84.85 })
  })

  it('parses alarms and rpm strictly', () => {
    expect(parseAlarm('1\n')).toEqual({ status: 'ok', value: true })
    expect(parseAlarm('7').status).toBe('unavailable')
    expect(parseRpm('-5').status).toBe('unavailable')
    expect(parseRpm('1245')).toEqual({ status: 'ok', value: 1245 })
  })

  it('builds node_exporter-style chip ids', () => {
    expect(
      hwmonChipId({
        devicePath: '/sys/devices/platform/coretemp.0',
        name: 'coretemp',
        dirName: 'hwmon0',
        siblingsOnDevice: 1
      })
    ).toBe('platform_coretemp_0')
    expect(
      hwmonChipId({
        devicePath: '/sys/devices/platform/asus-nb-wmi',
        name: 'asus',
        dirName: 'hwmon6',
        siblingsOnDevice: 2
      })
    ).toBe('platform_asus_nb_wmi_asus')
    expect(
      hwmonChipId({ devicePath: null, name: 'nvme', dirName: 'hwmon3', siblingsOnDevice: 0 })
    ).toBe('nvme')
    expect(
      hwmonChipId({ devicePath: null, name: null, dirName: 'hwmon4', siblingsOnDevice: 0 })
    ).toBe('hwmon4')
  })

  it('discovers chips through class symlinks, with labels, non-contiguous indexes and fans', async () => {
    const fs = createFileReader({
      sysRoot: SYS,
      procRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop'
    })
    const chips = await discoverHwmonChips(fs)
    expect(chips.map((c) => [c.chip, c.chipName])).toEqual([
      ['pci0000:00_0000:00:18_3', 'k10temp'],
      ['platform_nct6775_656', 'nct6798']
    ])
    const k10 = await readHwmonChip(fs, chips[0])
    expect(k10.device).toEqual({ status: 'ok', value: '0000:00:18.3' })
    expect(k10.temperatures.map((t) => [t.sensor, t.label, t.temperatureCelsius])).toEqual([
      ['temp1', 'Tctl', { status: 'ok', value: 88.125 }],
      ['temp3', 'Tccd1', { status: 'ok', value: 86.5 }],
      ['temp4', 'Tccd2', { status: 'ok', value: 71.25 }]
    ])
    expect(k10.temperatures[0].maxCelsius).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
    const nct = await readHwmonChip(fs, chips[1])
    expect(nct.fans.map((f) => [f.label, f.rpm, f.minRpm])).toEqual([
      ['CPU_FAN', { status: 'ok', value: 1245 }, { status: 'ok', value: 300 }],
      ['fan2', { status: 'ok', value: 0 }, expect.objectContaining({ status: 'unavailable' })]
    ])
    expect(nct.temperatures[0].critAlarm).toEqual({ status: 'ok', value: false })
    expect((await readHwmonChip(fs, chips[1], { fans: false })).fans).toEqual([])
    await fs.close()
  })

  it('returns no chips when /sys/class/hwmon is missing', async () => {
    const fs = createFileReader({
      sysRoot: 'tests/fixtures/sysfs/does-not-exist',
      procRoot: 'tests/fixtures/procfs/does-not-exist'
    })
    expect(await discoverHwmonChips(fs)).toEqual([])
  })

  it('reports permission denied and vanished inputs per sensor, never throwing', async () => {
    const real = createFileReader({ sysRoot: SYS, procRoot: SYS })
    const chips = await discoverHwmonChips(real)
    const denied = await readHwmonChip(
      failing(real, '/sys/class/hwmon/hwmon1/temp1', 'permission-denied'),
      chips[0]
    )
    expect(denied.temperatures[0].temperatureCelsius).toMatchObject({
      status: 'unavailable',
      reason: 'permission-denied'
    })
    expect(denied.temperatures[1].temperatureCelsius.status).toBe('ok')
    const gone = await readHwmonChip(
      failing(real, '/sys/class/hwmon/hwmon1', 'not-found'),
      chips[0]
    )
    expect(gone.temperatures.every((t) => t.temperatureCelsius.status === 'unavailable')).toBe(true)
    await real.close()
  })

  it('never throws on random or truncated value files', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        for (const r of [
          parseMillidegrees(s),
          parseAlarm(s),
          parseRpm(s),
          inputCelsius(parseMillidegrees(s))
        ]) {
          expect(['ok', 'unavailable']).toContain(r.status)
          if (r.status === 'ok')
            expect(typeof r.value === 'boolean' || Number.isFinite(r.value)).toBe(true)
        }
      })
    )
    fc.assert(
      fc.property(fc.integer({ min: -300000, max: 300000 }), fc.nat(8), (n, cut) => {
        const text = `${n}\n`
        expect(() => parseMillidegrees(text.slice(0, text.length - cut))).not.toThrow()
        expect(parseMillidegrees(text)).toEqual({ status: 'ok', value: n / 1000 })
      })
    )
  })
})
