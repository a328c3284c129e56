import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeThrottleMask,
  fillGpuInfo,
  negotiateFields,
  negotiateInventoryFields,
  normalizePciBusId,
  parseHelpQueryGpu,
  parseNvidiaInventoryCsv,
  parseNvidiaNumber,
  parseNvidiaSmiCsvRow
} from '../../../../src-main/node/sources/nvidia-smi-csv'
import {
  parseNvidiaSmiXml,
  temperatureThresholds
} from '../../../../src-main/node/sources/nvidia-smi-xml'
import { unavailable } from '../../../../src-main/shared/reading'

const FIX = resolve(__dirname, '../../../fixtures/nvidia-smi')
const help = readFileSync(resolve(FIX, 'help-query-gpu-r550.txt'), 'utf8')
const scenario = (name: string) => JSON.parse(readFileSync(resolve(FIX, name), 'utf8'))

describe('nvidia-smi csv', () => {
  it('reads every spelling of each field from --help-query-gpu but not quoted formats in descriptions', () => {
    const c = parseHelpQueryGpu(help)
    expect(c.known.has('clocks.sm')).toBe(true)
    expect(c.known.has('clocks.current.sm')).toBe(true)
    expect(c.known.has('YYYY/MM/DD HH:MM:SS.msec')).toBe(false)
    expect(c.groups).toContainEqual([
      'clocks_event_reasons.active',
      'clocks_throttle_reasons.active'
    ])
  })

  it('prefers the clocks_event_reasons spelling and asks for the µs counters when the driver has them', () => {
    const f = negotiateFields(parseHelpQueryGpu(help))
    expect(f.reasonsSpelling).toBe('event')
    expect(f.query).toContain('clocks_event_reasons.active')
    expect(f.query).toContain('clocks_event_reasons_counters.sw_power_cap')
    expect(f.query).toContain('pcie.link.gen.gpucurrent')
    expect(f.query).not.toContain('pcie.link.gen.current')
    expect(f.missing).toEqual([])
  })

  it('parses numbers with or without units and maps N/A forms to unsupported', () => {
    expect(parseNvidiaNumber('631.95 W')).toEqual({ status: 'ok', value: 631.95 })
    expect(parseNvidiaNumber(' 37 C ')).toEqual({ status: 'ok', value: 37 })
    expect(parseNvidiaNumber('16x')).toEqual({ status: 'ok', value: 16 })
    expect(parseNvidiaNumber('-7 C')).toEqual({ status: 'ok', value: -7 })
    for (const na of [
      'N/A',
      '[N/A]',
      '[Not Supported]',
      '[Unknown Error]',
      '[Requested functionality has been deprecated]'
    ]) {
      expect(parseNvidiaNumber(na)).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    }
    expect(parseNvidiaNumber('lots')).toMatchObject({
      status: 'unavailable',
      reason: 'parse-error'
    })
  })

  it('decodes each active-mask bit into its cause class', () => {
    const causes = (hex: string) => {
      const r = decodeThrottleMask(hex)
      return r.status === 'ok' ? r.value.flags.map((f) => `${f.name}:${f.cause}`) : r.reason
    }
    expect(causes('0x0000000000000000')).toEqual([])
    expect(causes('0x0000000000000001')).toEqual(['gpu_idle:idle'])
    expect(causes('0x0000000000000004')).toEqual(['sw_power_cap:power'])
    expect(causes('0x0000000000000060')).toEqual([
      'sw_thermal_slowdown:thermal',
      'hw_thermal_slowdown:thermal'
    ])
    expect(causes('0x0000000000000088')).toEqual([
      'hw_slowdown:hw-slowdown',
      'hw_power_brake_slowdown:psu'
    ])
    expect(causes('0x0000000000000112')).toEqual([
      'applications_clocks_setting:config',
      'sync_boost:config',
      'display_clock_setting:config'
    ])
    expect(causes('0x0000000000001000')).toEqual(['bit_0x1000:other'])
    expect(causes('[N/A]')).toBe('unsupported')
    expect(causes('zzz')).toBe('parse-error')
  })

  it('parses a nounits row into base units and keys counters by reason in seconds', () => {
    const fields = negotiateFields(parseHelpQueryGpu(help))
    const row = scenario('rtx4090-load-power-capped.json').gpus[0].rows[0] as Record<string, string>
    const aliases = new Map(
      parseHelpQueryGpu(help).groups.flatMap((g) => g.map((n) => [n, g] as const))
    )
    const cell = (f: string) => {
      const k = aliases.get(f)!.find((n) => n in row)
      return k === undefined ? '[N/A]' : row[k].replace(/ (W|MHz|MiB|%|us)$/, '')
    }
    const r = parseNvidiaSmiCsvRow(fields.query.map(cell).join(', '), fields)!
    expect(r.index).toBe(0)
    expect(r.memoryUsedBytes).toEqual({ status: 'ok', value: 21846 * 1048576 })
    expect(r.powerLimitWatts).toEqual({ status: 'ok', value: 450 })
    expect(r.clockSmMhz).toEqual({ status: 'ok', value: 2655 })
    expect(r.throttleCountersSeconds).toEqual({
      status: 'ok',
      value: {
        sw_power_cap: 841.305219,
        sync_boost: 0,
        sw_thermal_slowdown: 0,
        hw_thermal_slowdown: 0,
        hw_power_brake_slowdown: 0
      }
    })
    expect(r.memoryTemperatureCelsius).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
  })

  it('drops lines whose cell count does not match the request', () => {
    const fields = negotiateFields(parseHelpQueryGpu(help))
    expect(
      parseNvidiaSmiCsvRow(
        'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error',
        fields
      )
    ).toBeUndefined()
    expect(parseNvidiaSmiCsvRow('', fields)).toBeUndefined()
  })

  it('normalises bus ids to the sysfs form', () => {
    expect(normalizePciBusId('00000000:01:00.0')).toBe('0000:01:00.0')
    expect(normalizePciBusId('00000000:0C:00.0')).toBe('0000:0c:00.0')
    expect(normalizePciBusId('N/A')).toBeUndefined()
  })

  it('never throws on random or truncated input', () => {
    const fields = negotiateFields(parseHelpQueryGpu(help))
    const sample = scenario('two-gpu-rtx4090-rtx3090-load.json').gpus[0].rows[0] as Record<
      string,
      string
    >
    const good = fields.query.map((f) => sample[f] ?? '[N/A]').join(', ')
    fc.assert(
      fc.property(fc.string(), fc.nat(good.length), (s, cut) => {
        parseHelpQueryGpu(s)
        parseNvidiaNumber(s)
        decodeThrottleMask(s)
        normalizePciBusId(s)
        parseNvidiaSmiCsvRow(s, fields)
        parseNvidiaSmiCsvRow(good.slice(0, cut), fields)
        negotiateFields(parseHelpQueryGpu(help.slice(0, cut % help.length)))
      }),
      { numRuns: 400 }
    )
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant('[N/A]'),
            fc.constant(''),
            fc.string({ maxLength: 12 }),
            fc.double().map(String)
          ),
          { minLength: fields.query.length, maxLength: fields.query.length }
        ),
        (cells) => {
          const r = parseNvidiaSmiCsvRow(cells.join(','), fields)
          if (r)
            for (const v of Object.values(r))
              if (typeof v === 'object' && v.status === 'ok' && typeof v.value === 'number')
                expect(Number.isFinite(v.value)).toBe(true)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe('nvidia-smi xml', () => {
  it('reads inventory facts of both GPUs from a two-GPU -q -x', () => {
    const r = parseNvidiaSmiXml(scenario('two-gpu-rtx4090-rtx3090-load.json').xml)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.dtdVersion).toEqual({ status: 'ok', value: 12 })
    const [a, b] = r.gpus.map((g) => g.info)
    expect(a.pciBusId).toEqual({ status: 'ok', value: '0000:01:00.0' })
    expect(b.pciBusId).toEqual({ status: 'ok', value: '0000:02:00.0' })
    expect(b.tempShutdownCelsius).toEqual({ status: 'ok', value: 98 })
    expect(b.powerDefaultLimitWatts).toEqual({ status: 'ok', value: 350 })
    expect(a.pcieMaxWidth).toEqual({ status: 'ok', value: 16 })
    expect(a.migEnabled).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect(r.gpus[0].current.throttleFlags).toEqual({
      status: 'ok',
      value: [{ name: 'sw_power_cap', cause: 'power' }]
    })
  })

  it('returns parse-error instead of throwing for non-XML, empty and rootless input', () => {
    expect(parseNvidiaSmiXml('')).toMatchObject({ ok: false, reason: { reason: 'parse-error' } })
    expect(parseNvidiaSmiXml('<<<')).toMatchObject({ ok: false, reason: { reason: 'parse-error' } })
    expect(parseNvidiaSmiXml('<other/>')).toMatchObject({
      ok: false,
      reason: { reason: 'parse-error' }
    })
  })

  it('never throws on random or truncated XML', () => {
    const xml = scenario('rtx4090-load-thermal-throttled.json').xml as string
    fc.assert(
      fc.property(fc.string(), fc.nat(xml.length), (s, cut) => {
        parseNvidiaSmiXml(s)
        parseNvidiaSmiXml(xml.slice(0, cut))
        parseNvidiaSmiXml(xml.slice(0, cut) + s)
      }),
      { numRuns: 300 }
    )
  })
})

describe('nvidia-smi inventory from --query-gpu', () => {
  const fields = negotiateInventoryFields(parseHelpQueryGpu(help))
  const xmlOnly = unavailable('timeout', '-q -x hung')
  const row = (values: Record<string, string>) =>
    fields.query.map((f) => values[f] ?? '[N/A]').join(', ')

  it('asks only for fields the catalogue knows, and reads a row into a GpuInfo', () => {
    // The r550 catalogue has no vbios_version: it is not requested, so nvidia-smi cannot reject the query.
    expect(fields.missing).toEqual(['vbiosVersion'])
    expect(fields.query[0]).toBe('index')
    const [g] = parseNvidiaInventoryCsv(
      row({
        index: '0',
        'pci.bus_id': '00000000:83:00.0',
        uuid: 'GPU-1',
        name: 'NVIDIA H200',
        'memory.total': '143771',
        compute_cap: '9.0',
        'clocks.max.sm': '1980',
        'power.max_limit': '700.00',
        'mig.mode.current': 'Disabled'
      }),
      fields,
      xmlOnly
    )
    expect(g.busId).toBe('0000:83:00.0')
    expect(g.info).toMatchObject({
      id: 'nvidia:0000:83:00.0',
      name: 'NVIDIA H200',
      memoryTotalBytes: { status: 'ok', value: 143771 * 1048576 },
      computeCapability: { status: 'ok', value: '9.0' },
      clockMaxSmMhz: { status: 'ok', value: 1980 },
      powerMaxLimitWatts: { status: 'ok', value: 700 },
      migEnabled: { status: 'ok', value: false },
      tempSlowdownCelsius: xmlOnly,
      runtimeVersion: xmlOnly,
      vbiosVersion: { status: 'unavailable', reason: 'unsupported' },
      clockMaxMemoryMhz: {
        status: 'unavailable',
        reason: 'unsupported',
        detail: 'nvidia-smi reports [N/A]'
      }
    })
  })

  it('skips lines that are not rows and never throws', () => {
    expect(parseNvidiaInventoryCsv('No devices were found\n', fields, xmlOnly)).toEqual([])
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseNvidiaInventoryCsv(s, fields, xmlOnly)
      }),
      { numRuns: 200 }
    )
  })

  it('fills only what the XML inventory lacks', () => {
    const xml = parseNvidiaSmiXml(scenario('rtx4090-idle.json').xml as string)
    if (!xml.ok) throw new Error('fixture XML does not parse')
    const base = xml.gpus[0].info
    const [q] = parseNvidiaInventoryCsv(
      row({
        index: '0',
        'pci.bus_id': '00000000:01:00.0',
        name: 'other name',
        compute_cap: '8.9',
        'clocks.max.sm': '1'
      }),
      fields,
      xmlOnly
    )
    const merged = fillGpuInfo(base, q.info)
    expect(merged.computeCapability).toEqual({ status: 'ok', value: '8.9' })
    expect(merged.clockMaxSmMhz).toEqual(base.clockMaxSmMhz)
    expect(merged.name).toBe(base.name)
  })
})

describe('T.Limit-relative temperature thresholds', () => {
  it('anchors relative thresholds at gpu_temp + gpu_temp_tlimit and keeps the offsets', () => {
    const t = temperatureThresholds({
      gpu_temp: '36 C',
      gpu_temp_tlimit: '46 C',
      gpu_temp_max_tlimit_threshold: '-8 C',
      gpu_temp_slow_tlimit_threshold: '-2 C',
      gpu_temp_max_gpu_tlimit_threshold: '0 C',
      memory_temp: '39 C',
      gpu_temp_max_mem_tlimit_threshold: '0 C'
    })
    expect(t.tempThresholdSource).toBe('tlimit')
    expect([t.tempSlowdownCelsius, t.tempShutdownCelsius, t.tempMaxOperatingCelsius]).toEqual([
      { status: 'ok', value: 84 },
      { status: 'ok', value: 90 },
      { status: 'ok', value: 82 }
    ])
    expect(t.tlimitSlowdownOffsetCelsius).toEqual({ status: 'ok', value: -2 })
    expect(t.tempMemoryMaxCelsius).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
  })

  it('prefers absolute thresholds, and says why when a relative one has no T.Limit reading', () => {
    expect(
      temperatureThresholds({ gpu_temp: '27 C', gpu_temp_slow_threshold: '95 C' })
    ).toMatchObject({
      tempSlowdownCelsius: { status: 'ok', value: 95 },
      tempThresholdSource: 'driver'
    })
    const t = temperatureThresholds({
      gpu_temp: '40 C',
      gpu_temp_tlimit: 'N/A',
      gpu_temp_slow_tlimit_threshold: '-2 C'
    })
    expect(t.tempSlowdownCelsius).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect((t.tempSlowdownCelsius as { detail: string }).detail).toMatch(
      /only relative to T\.Limit \(-2 °C\) and no T\.Limit reading/
    )
    expect(t.tempThresholdSource).toBeUndefined()
  })
})
