/**
 * Throttle detection on real nvidia-smi captures (idle and load) from nvidia_gpu_exporter's capture bundles.
 *
 * The bundles hold `--query-gpu=… --format=csv` sections (header with units such as `power.draw [W]`,
 * values with units, `[N/A]` literals) between 80-'#' delimiter lines with `# <state> :: <name>` and
 * `# $ <command>` lines. Section splitting and header mapping live here; cells are parsed with the
 * production nvidia-smi cell parsers.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { detectThrottle, summarizeSustained } from '../../src-main/core/throttle'
import {
  decodeThrottleMask,
  parseNvidiaNumber,
  parseNvidiaText
} from '../../src-main/node/sources/nvidia-smi-csv'
import { mapReading, ok, unavailable, type Reading } from '../../src-main/shared/reading'
import type { GpuInfo, GpuSample, Inventory, Snapshot } from '../../src-main/shared/telemetry'
import { describePeer, peer } from '../helpers/peer-fixtures'
import { gpuInfo, inventory, snapshot } from '../helpers/snapshot-builder'

const CAPTURES = 'utkuozdemir__nvidia_gpu_exporter/internal/captures'
const DELIM = '#'.repeat(80)

/** One `--query-gpu` CSV row keyed by field name (units stripped from the header). */
type Row = Record<string, string>

/** Splits a capture into `{ state, name, command, body }` sections. */
function splitSections(
  text: string
): { state: string; name: string; command: string; body: string[] }[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const out: { state: string; name: string; command: string; body: string[] }[] = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== DELIM) continue
    const title = /^# (\S+) :: (.+)$/.exec(lines[i + 1] ?? '')
    if (!title) continue
    let j = i + 2
    let command = ''
    if ((lines[j] ?? '').startsWith('# $ ')) command = lines[j++].slice(4)
    if (lines[j] === DELIM) j++
    const body: string[] = []
    while (j < lines.length && lines[j] !== DELIM) body.push(lines[j++])
    out.push({ state: title[1], name: title[2], command, body })
    i = j - 1
  }
  return out
}

/** Parses the `--query-gpu … --format=csv` section of a state into rows. */
function queryGpuRows(text: string, state: 'idle' | 'load'): Row[] {
  const sec = splitSections(text).find(
    (s) =>
      s.state === state && s.command.includes('--query-gpu=') && s.command.includes('--format=csv')
  )
  if (!sec) return []
  const lines = sec.body.filter((l) => l.trim() !== '')
  const header = lines[0].split(',').map((h) => h.trim().replace(/\s*\[[^\]]*\]$/, ''))
  return lines.slice(1).flatMap((l) => {
    const cells = l.split(',').map((c) => c.trim())
    if (cells.length !== header.length) return []
    return [Object.fromEntries(header.map((h, i) => [h, cells[i]]))]
  })
}

const first = (row: Row, ...names: string[]): string | undefined =>
  names.map((n) => row[n]).find((v) => v !== undefined)
const numOf = (row: Row, ...names: string[]): Reading<number> =>
  parseNvidiaNumber(first(row, ...names))
const MiB = 1024 * 1024

/** nvidia-smi timestamp `2026/06/24 10:26:34.977` (local time of the capture; read as UTC). */
function timestampMs(row: Row): number {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(row.timestamp ?? '')
  if (!m) throw new Error(`bad timestamp ${row.timestamp}`)
  const [, y, mo, d, h, mi, s, ms] = m.map(Number)
  return Date.UTC(y, mo - 1, d, h, mi, s, ms)
}

function gpuFromRow(row: Row): GpuSample {
  const index = numOf(row, 'index')
  const mask = decodeThrottleMask(
    first(row, 'clocks_event_reasons.active', 'clocks_throttle_reasons.active')
  )
  const counters: Record<string, number> = {}
  for (const [k, v] of Object.entries(row)) {
    const m = /^clocks_(?:event|throttle)_reasons_counters\.(.+)$/.exec(k)
    const n = parseNvidiaNumber(v)
    if (m && n.status === 'ok') counters[m[1]] = n.value / 1e6
  }
  const i = index.status === 'ok' ? index.value : 0
  return {
    id: `nvidia:${i}`,
    index: i,
    vendor: 'nvidia',
    name: row.name ?? 'unknown',
    state: 'active',
    utilizationPct: numOf(row, 'utilization.gpu'),
    memoryUtilizationPct: numOf(row, 'utilization.memory'),
    memoryUsedBytes: mapReading(numOf(row, 'memory.used'), (x) => x * MiB),
    memoryTotalBytes: mapReading(numOf(row, 'memory.total'), (x) => x * MiB),
    temperatureCelsius: numOf(row, 'temperature.gpu'),
    hotspotTemperatureCelsius: unavailable('unsupported'),
    memoryTemperatureCelsius: numOf(row, 'temperature.memory'),
    temperatureHeadroomCelsius: numOf(row, 'temperature.gpu.tlimit'),
    powerDrawWatts: numOf(row, 'power.draw'),
    powerAverageWatts: numOf(row, 'power.draw.average'),
    powerInstantWatts: numOf(row, 'power.draw.instant'),
    powerLimitWatts: numOf(row, 'enforced.power.limit', 'power.limit'),
    clockSmMhz: numOf(row, 'clocks.current.sm', 'clocks.sm'),
    clockGraphicsMhz: numOf(row, 'clocks.current.graphics', 'clocks.gr'),
    clockMemoryMhz: numOf(row, 'clocks.current.memory', 'clocks.mem'),
    clockMaxSmMhz: numOf(row, 'clocks.max.sm'),
    clockMaxMemoryMhz: numOf(row, 'clocks.max.memory'),
    pcieGen: numOf(row, 'pcie.link.gen.gpucurrent', 'pcie.link.gen.current'),
    pcieWidth: numOf(row, 'pcie.link.width.current'),
    pcieMaxGen: numOf(row, 'pcie.link.gen.max'),
    pcieMaxWidth: numOf(row, 'pcie.link.width.max'),
    fanPct: numOf(row, 'fan.speed'),
    fanRpm: unavailable('unsupported'),
    pstate: parseNvidiaText(row.pstate),
    throttleFlags: mapReading(mask, (m) => m.flags),
    throttleMaskHex: mapReading(mask, (m) => m.hex),
    throttleCountersSeconds: Object.keys(counters).length
      ? ok(counters)
      : unavailable('unsupported', 'no counters')
  }
}

function infoFromRow(row: Row): GpuInfo {
  const g = gpuFromRow(row)
  return gpuInfo({
    index: g.index,
    id: g.id,
    name: g.name,
    clockMaxSmMhz: g.clockMaxSmMhz,
    clockMaxGraphicsMhz: numOf(row, 'clocks.max.graphics'),
    pcieMaxGen: g.pcieMaxGen,
    pcieMaxWidth: g.pcieMaxWidth,
    pcieGpuMaxGen: numOf(row, 'pcie.link.gen.gpumax'),
    pcieHostMaxGen: numOf(row, 'pcie.link.gen.hostmax'),
    powerDefaultLimitWatts: numOf(row, 'power.default_limit'),
    tempSlowdownCelsius: unavailable('unsupported', 'not a query field'),
    tempShutdownCelsius: unavailable('unsupported', 'not a query field'),
    tempMaxOperatingCelsius: unavailable('unsupported', 'not a query field')
  })
}

interface Capture {
  file: string
  inv: Inventory
  idle: Snapshot
  load: Snapshot
  idleRow: Row
  loadRow: Row
}

function loadCapture(file: string): Capture {
  const text = readFileSync(peer(CAPTURES, file), 'utf8')
  const idleRow = queryGpuRows(text, 'idle')[0]
  const loadRow = queryGpuRows(text, 'load')[0]
  if (!idleRow || !loadRow) throw new Error(`${file}: no idle/load query-gpu rows`)
  const snap = (row: Row, seq: number): Snapshot =>
    snapshot({ seq, t: timestampMs(row), gpus: [gpuFromRow(row)], storage: [], power: 'ac' })
  return {
    file,
    inv: inventory({ gpus: [infoFromRow(idleRow)] }),
    idle: snap(idleRow, 0),
    load: snap(loadRow, 1),
    idleRow,
    loadRow
  }
}

/** A steady stream: the captured sample repeated `n` times one second apart (the state held). */
function steady(s: Snapshot, n = 5): Snapshot[] {
  return Array.from({ length: n }, (_, i) => ({
    ...s,
    seq: i,
    timestampMs: s.timestampMs + i * 1000
  }))
}

describePeer('throttle detection on real nvidia-smi captures', () => {
  const files = readdirSync(peer(CAPTURES)).filter((f) => f.endsWith('.txt'))
  const get = (name: string): Capture => loadCapture(files.find((f) => f.includes(name)) ?? name)

  it('finds idle and load query-gpu rows in every capture', () => {
    expect(files.length).toBeGreaterThanOrEqual(8)
    for (const f of files) {
      const c = loadCapture(f)
      expect(c.idle.gpus[0].clockMaxSmMhz.status, f).toBe('ok')
      expect(c.load.gpus[0].throttleMaskHex.status, f).toBe('ok')
    }
  })

  it('RTX 2080 SUPER 595.71.05 idle: sw_power_cap is active at P8 and 0 % but is not counted (clocks parked)', () => {
    const c = get('rtx-2080-super__595.71.05')
    const g = c.idle.gpus[0]
    expect(g.throttleMaskHex).toEqual(ok('0x0000000000000004'))
    expect(g.throttleFlags).toEqual(ok([{ name: 'sw_power_cap', cause: 'power' }]))
    expect(g.pstate).toEqual(ok('P8'))
    expect(g.utilizationPct).toEqual(ok(0))
    const { events, summaries } = detectThrottle(steady(c.idle), c.inv)
    expect(events).toEqual([])
    expect(summaries[0].throttledFraction).toEqual(ok(0))
    expect(summaries[0].sustainedClockRatio.status).toBe('unavailable')
  })

  it('RTX 2080 SUPER 595.71.05: the sw_power_cap counter rising between idle and load while not busy is not counted', () => {
    const c = get('rtx-2080-super__595.71.05')
    const before = c.idle.gpus[0].throttleCountersSeconds
    const after = c.load.gpus[0].throttleCountersSeconds
    expect(
      before.status === 'ok' &&
        after.status === 'ok' &&
        after.value.sw_power_cap - before.value.sw_power_cap
    ).toBeCloseTo(8.756384, 5)
    // 8 % utilisation (NVENC load), 112 of 250 W: not busy, not at the limit.
    const { events } = detectThrottle([c.idle, c.load], c.inv, { maxGapMs: 20_000 })
    expect(events).toEqual([])
  })

  it('gpu_idle at idle is never counted', () => {
    for (const name of [
      'rtx-2080-super__610.57.04',
      'rtx-4080-super',
      'h100-80gb-hbm3',
      'h200-mig',
      'windows-x86_64__nvidia-geforce-rtx-2080-super__591.86'
    ]) {
      const c = get(name)
      expect(c.idle.gpus[0].throttleFlags, name).toEqual(ok([{ name: 'gpu_idle', cause: 'idle' }]))
      const { events, summaries } = detectThrottle(steady(c.idle), c.inv)
      expect(events, name).toEqual([])
      expect(summaries[0].throttledFraction, name).toEqual(ok(0))
    }
  })

  it('load captures show no throttling (active mask 0, or gpu_idle alone on Windows 591.86)', () => {
    for (const f of files) {
      const c = loadCapture(f)
      const expected = f.includes('windows-x86_64__nvidia-geforce-rtx-2080-super__591.86')
        ? [{ name: 'gpu_idle', cause: 'idle' }]
        : []
      expect(c.load.gpus[0].throttleFlags, f).toEqual(ok(expected))
      const { events, summaries } = detectThrottle(steady(c.load, 10), c.inv)
      expect(events, f).toEqual([])
      expect(summaries[0].throttledFraction, f).toEqual(ok(0))
      expect(summaries[0].headline, f).toMatch(/^GPU0 not throttled in the last 10 s/)
    }
  })

  it('a PCIe link below max at idle is not flagged (RTX 2080 SUPER idles at Gen1 of Gen3)', () => {
    const c = get('rtx-2080-super__595.71.05')
    expect(c.idle.gpus[0].pcieGen).toEqual(ok(1))
    expect(c.idle.gpus[0].pcieMaxGen).toEqual(ok(3))
    expect(c.inv.gpus[0].pcieHostMaxGen).toEqual(ok(4))
    expect(detectThrottle(steady(c.idle), c.inv).events).toEqual([])
    // Under load the link is at its maximum (Gen3 x16: min of GPU Gen3 and host Gen4), so nothing to flag either.
    expect(c.load.gpus[0].pcieGen).toEqual(ok(3))
    expect(detectThrottle(steady(c.load), c.inv).events).toEqual([])
  })

  it('H100 load: sustained-clock ratio is 1980/1980 = 1.0 with thermal headroom from tlimit', () => {
    const c = get('h100-80gb-hbm3')
    const g = c.load.gpus[0]
    expect(g.utilizationPct).toEqual(ok(100))
    expect(g.clockSmMhz).toEqual(ok(1980))
    const { summaries } = detectThrottle(steady(c.load, 10), c.inv)
    expect(summaries[0].sustainedClockRatio).toEqual(ok(1))
    expect(summaries[0].headline).toBe(
      'GPU0 not throttled in the last 10 s (sustained clock 100% of max)'
    )
    const ev = summarizeSustained(steady(c.load, 10), c.inv)
    expect(ev.sustainedClockRatio).toEqual(ok(1))
    expect(ev.gpuThermalHeadroomCelsius).toEqual(ok(26))
    expect(ev.gpuThrottleFractionByCause).toEqual(ok({}))
    expect(ev.powerLimitBelowDefault).toEqual(ok(false))
  })

  it('MIG load (utilisation [N/A]) still measures the sustained clock from the clock ratio', () => {
    const c = get('h100-mig')
    expect(c.load.gpus[0].utilizationPct.status).toBe('unavailable')
    expect(detectThrottle(steady(c.load), c.inv).summaries[0].sustainedClockRatio).toEqual(ok(1))
  })
})
