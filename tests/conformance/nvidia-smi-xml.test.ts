/**
 * Every real `nvidia-smi -q -x` file from telegraf's and netdata's test data parses without throwing, across
 * DTD v10–v13, and yields the values their upstream tables list.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { parseNvidiaSmiXml, type NvidiaXmlResult } from '../../src-main/node/sources/nvidia-smi-xml'
import { describePeer, HAVE_PEER, peer } from '../helpers/peer-fixtures'

const DIRS = [
  peer('influxdata__telegraf/plugins/inputs/nvidia_smi/testdata'),
  peer('netdata__netdata/src/go/plugin/go.d/collector/nvidia_smi/testdata')
]
const files = HAVE_PEER
  ? DIRS.filter(existsSync).flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.xml'))
        .map((f) => join(d, f))
    )
  : []
const byName = (name: string) => files.find((f) => f.endsWith(`/${name}`))!

function parse(name: string) {
  const r: NvidiaXmlResult = parseNvidiaSmiXml(readFileSync(byName(name), 'utf8'))
  if (!r.ok) throw new Error(`${name}: ${r.reason.detail}`)
  return r
}
const v = (r: { status: string; value?: unknown }) =>
  r.status === 'ok' ? r.value : `unavailable:${(r as { reason?: string }).reason}`

describePeer('nvidia-smi -q -x files (telegraf, netdata)', () => {
  it('finds the XML files', () => {
    expect(files.length).toBeGreaterThanOrEqual(15)
  })

  it('parses every file and extracts thresholds, max clocks and PCIe maxima wherever the file has them', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8')
      const r = parseNvidiaSmiXml(text)
      expect(r.ok, f).toBe(true)
      if (!r.ok) continue
      expect(r.gpus.length, f).toBeGreaterThanOrEqual(1)
      const g = r.gpus[0].info
      const num = (re: RegExp) => {
        const m = re.exec(text)
        return m ? Number(m[1]) : undefined
      }
      // Absolute where the file has it; else T.Limit (gpu_temp + gpu_temp_tlimit) minus the relative offset.
      const tlimit = (() => {
        const t = num(/<gpu_temp>\s*(-?\d+) C/)
        const m = num(/<gpu_temp_tlimit>\s*(-?\d+) C/)
        return t !== undefined && m !== undefined ? t + m : undefined
      })()
      const threshold = (abs: string, rel: string) => {
        const a = num(new RegExp(`<${abs}>\\s*(-?\\d+) C`))
        if (a !== undefined) return a
        const o = num(new RegExp(`<${rel}>\\s*(-?\\d+) C`))
        return o !== undefined && tlimit !== undefined ? tlimit - o : undefined
      }
      const checks: [unknown, number | undefined, string][] = [
        [
          v(g.tempSlowdownCelsius),
          threshold('gpu_temp_slow_threshold', 'gpu_temp_slow_tlimit_threshold'),
          'slowdown'
        ],
        [
          v(g.tempShutdownCelsius),
          threshold('gpu_temp_max_threshold', 'gpu_temp_max_tlimit_threshold'),
          'shutdown'
        ],
        [
          v(g.tempMaxOperatingCelsius),
          threshold('gpu_temp_max_gpu_threshold', 'gpu_temp_max_gpu_tlimit_threshold'),
          'max operating'
        ],
        [
          v(g.clockMaxGraphicsMhz),
          num(/<max_clocks>\s*<graphics_clock>\s*(\d+) MHz/),
          'max graphics clock'
        ],
        [v(g.pcieMaxGen), num(/<max_link_gen>\s*(\d+)\s*</), 'max link gen'],
        [v(g.pcieMaxWidth), num(/<max_link_width>\s*(\d+)x/), 'max link width'],
        [v(g.powerMaxLimitWatts), num(/<max_power_limit>\s*([\d.]+) W/), 'max power limit']
      ]
      for (const [got, want, what] of checks) {
        if (want !== undefined) expect(got, `${f} ${what}`).toBe(want)
        else expect(String(got), `${f} ${what}`).toMatch(/^unavailable:/)
      }
    }
  })

  it('reads the R535 RTX 4090 file (event-reason spelling, gpu_power_readings, current_power_limit)', () => {
    const r = parse('rtx-4090-driver-535.xml')
    const { info, current } = r.gpus[0]
    expect(v(r.dtdVersion)).toBe(12)
    expect(v(info.clockMaxGraphicsMhz)).toBe(3120)
    expect(v(info.pciBusId)).toBe('0000:84:00.0')
    expect(v(current.powerDrawWatts)).toBe(26.84)
    expect(v(current.powerLimitWatts)).toBe(450)
    expect(current.reasonsSpelling).toBe('event')
    expect(v(current.throttleFlags)).toEqual([{ name: 'gpu_idle', cause: 'idle' }])
    expect(v(current.temperatureHeadroomCelsius)).toBe(43)
    // Thresholds given only relative to T.Limit (slowdown -2, shutdown -7, max operating 0) are anchored at
    // T.Limit = gpu_temp 40 + margin 43 = 83 °C.
    expect(info.tempThresholdSource).toBe('tlimit')
    expect(v(info.tempSlowdownCelsius)).toBe(85)
    expect(v(info.tempShutdownCelsius)).toBe(90)
    expect(v(info.tempMaxOperatingCelsius)).toBe(83)
    expect(v(info.tlimitSlowdownOffsetCelsius!)).toBe(-2)
    expect(v(info.tlimitShutdownOffsetCelsius!)).toBe(-7)
    // No memory temperature on GDDR6X, and the memory limit is N/A: nothing to derive.
    expect(info.tempMemoryMaxCelsius.status).toBe('unavailable')
  })

  it('reads the RTX 3090 v12 file with the legacy throttle spelling and a lowered 200 W limit', () => {
    const { info, current } = parse('rtx-3090-v12.xml').gpus[0]
    expect(current.reasonsSpelling).toBe('throttle')
    expect(v(current.powerLimitWatts)).toBe(200)
    expect(v(info.powerDefaultLimitWatts)).toBe(350)
    expect(v(info.tempShutdownCelsius)).toBe(98)
    expect(v(info.tempSlowdownCelsius)).toBe(95)
    expect(info.tempThresholdSource).toBe('driver')
    expect(info.tlimitSlowdownOffsetCelsius).toBeUndefined()
    expect(v(info.clockMaxSmMhz)).toBe(2100)
  })

  it('reads the Tesla T4 link as Gen3 x8 on a x16 card', () => {
    const { info, current } = parse('tesla-t4.xml').gpus[0]
    expect([
      v(current.pcieGen),
      v(current.pcieWidth),
      v(info.pcieMaxGen),
      v(info.pcieMaxWidth)
    ]).toEqual([3, 8, 3, 16])
    expect(v(info.powerMaxLimitWatts)).toBe(70)
    expect(v(info.runtimeVersion)).toBe('11.7')
  })

  it('falls back to average_power_draw when power_draw is missing (RTX 3060 v12, RTX 3080 v13)', () => {
    expect(v(parse('rtx-3060-v12.xml').gpus[0].current.powerDrawWatts)).toBe(11.6)
    const r = parse('rtx-3080-v13.xml')
    expect(v(r.dtdVersion)).toBe(13)
    expect(v(r.gpus[0].current.powerDrawWatts)).toBe(139.62)
    expect(v(r.gpus[0].current.powerLimitWatts)).toBe(320)
    expect(v(r.gpus[0].info.memoryTotalBytes)).toBe(10240 * 1048576)
  })

  it('reads MIG mode and GPU/host PCIe maxima on A100s', () => {
    const mig = parse('a100-sxm4-mig.xml').gpus[0]
    expect(v(mig.info.migEnabled)).toBe(true)
    expect(mig.current.migDeviceCount).toBe(2)
    expect(v(mig.info.tempMemoryMaxCelsius)).toBe(95)
    expect(mig.current.utilizationPct).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
    const a = parse('a100-sxm4-v12.xml').gpus[0]
    expect([v(a.info.pcieGpuMaxGen), v(a.info.pcieHostMaxGen)]).toEqual([4, 4])
    expect(v(a.current.powerDrawWatts)).toBe(67.03)
    expect(v(a.current.powerLimitWatts)).toBe(500)
    expect(a.current.migDeviceCount).toBe(4)
  })

  it('tolerates old and trimmed files: no DTD, no driver version, N/A power', () => {
    const old = parse('gtx-1660-ti.xml')
    expect(old.gpus[0].info.name).toBe('Graphics Device')
    expect(old.dtdVersion.status).toBe('unavailable')
    expect(v(old.driverVersion)).toBe('418.43')
    const trimmed = parse('gtx-1070-ti.xml')
    expect(trimmed.driverVersion.status).toBe('unavailable')
    const p400 = parse('quadro-p400.xml').gpus[0]
    expect(p400.current.powerDrawWatts).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
    expect(p400.info.powerMaxLimitWatts.status).toBe('unavailable')
  })
})
