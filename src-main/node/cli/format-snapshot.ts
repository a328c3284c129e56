/**
 * Readable text for `rigready snapshot` and the `watch` screen: what exists, with thresholds, and for every
 * missing value or device class, why.
 */
import { describeReason, isOk, type Reading } from '../../shared/reading'
import type { GpuSample, Inventory, Snapshot, TemperatureSensor } from '../../shared/telemetry'
import { isGpuDeviceClass } from '../collectors/index'

/** Styling hooks (ANSI when on a TTY, plain otherwise). */
export interface Style {
  bold(s: string): string
  dim(s: string): string
  warn(s: string): string
  bad(s: string): string
  good(s: string): string
}

/** ANSI styles. */
export const ANSI: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  warn: (s) => `\x1b[33m${s}\x1b[39m`,
  bad: (s) => `\x1b[31m${s}\x1b[39m`,
  good: (s) => `\x1b[32m${s}\x1b[39m`
}

/** No styling. */
export const PLAIN: Style = {
  bold: (s) => s,
  dim: (s) => s,
  warn: (s) => s,
  bad: (s) => s,
  good: (s) => s
}

/** Formats a reading with a unit, or "n/a (reason)". */
export function fmt<T>(
  r: Reading<T> | undefined,
  render: (v: T) => string,
  st: Style = PLAIN
): string {
  if (r === undefined) return st.dim('n/a')
  return isOk(r) ? render(r.value) : st.dim(`n/a (${describeReason(r)})`)
}

const num =
  (d = 0) =>
  (v: number) =>
    v.toFixed(d)
const gib = (v: number): string => `${(v / 2 ** 30).toFixed(1)} GiB`
const c = (v: number): string => `${v.toFixed(1)} °C`

function tempLine(t: TemperatureSensor, st: Style): string {
  const parts: string[] = []
  if (isOk(t.maxCelsius)) parts.push(`max ${t.maxCelsius.value.toFixed(0)}`)
  if (isOk(t.critCelsius)) parts.push(`crit ${t.critCelsius.value.toFixed(0)}`)
  if (isOk(t.emergencyCelsius)) parts.push(`emerg ${t.emergencyCelsius.value.toFixed(0)}`)
  let v = fmt(t.temperatureCelsius, c, st)
  if (isOk(t.temperatureCelsius)) {
    const lim = isOk(t.maxCelsius)
      ? t.maxCelsius.value
      : isOk(t.critCelsius)
        ? t.critCelsius.value
        : null
    if (lim !== null && t.temperatureCelsius.value >= lim) v = st.bad(v)
    else if (lim !== null && t.temperatureCelsius.value >= lim - 10) v = st.warn(v)
  }
  return `${t.label.padEnd(16)} ${v}${parts.length ? st.dim(`  (${parts.join(', ')} °C)`) : ''}`
}

function gpuBlock(g: GpuSample, inv: Inventory | null, st: Style): string[] {
  const info = inv?.gpus.find((x) => x.id === g.id)
  const out: string[] = []
  out.push(
    st.bold(`GPU${g.index} ${g.name}`) +
      (g.state === 'asleep' ? st.dim('  asleep (not woken)') : '')
  )
  if (g.state === 'asleep') return out
  out.push(
    `  util ${fmt(g.utilizationPct, (v) => `${v.toFixed(0)} %`, st)}   mem ${fmt(g.memoryUsedBytes, gib, st)} / ${fmt(g.memoryTotalBytes, gib, st)}`
  )
  const slow =
    info && isOk(info.tempSlowdownCelsius)
      ? st.dim(` (slowdown ${info.tempSlowdownCelsius.value} °C)`)
      : ''
  out.push(
    `  temp ${fmt(g.temperatureCelsius, c, st)}${slow}   hotspot ${fmt(g.hotspotTemperatureCelsius, c, st)}   mem ${fmt(g.memoryTemperatureCelsius, c, st)}`
  )
  out.push(
    `  power ${fmt(g.powerDrawWatts, (v) => `${v.toFixed(1)} W`, st)} of ${fmt(g.powerLimitWatts, (v) => `${v.toFixed(0)} W`, st)}   fan ${fmt(g.fanPct, (v) => `${v.toFixed(0)} %`, st)}   pstate ${fmt(g.pstate, (v) => v, st)}`
  )
  out.push(
    `  clocks sm ${fmt(g.clockSmMhz, num())} / ${fmt(g.clockMaxSmMhz, num())} MHz   mem ${fmt(g.clockMemoryMhz, num())} / ${fmt(g.clockMaxMemoryMhz, num())} MHz`
  )
  out.push(
    `  PCIe gen ${fmt(g.pcieGen, num())} x${fmt(g.pcieWidth, num())} (max gen ${fmt(g.pcieMaxGen, num())} x${fmt(g.pcieMaxWidth, num())})`
  )
  const flags = g.throttleFlags
  if (isOk(flags)) {
    const real = flags.value.filter((f) => f.cause !== 'idle' && f.cause !== 'config')
    const text =
      flags.value.length === 0
        ? 'none'
        : flags.value.map((f) => `${f.name} (${f.cause})`).join(', ')
    out.push(`  clock-event reasons: ${real.length ? st.warn(text) : text}`)
  } else out.push(`  clock-event reasons: ${fmt(flags, () => '', st)}`)
  if (isOk(g.throttleCountersSeconds)) {
    const entries = Object.entries(g.throttleCountersSeconds.value).filter(([, v]) => v > 0)
    if (entries.length)
      out.push(
        `  time in throttle (since driver load): ${entries.map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`
      )
  }
  return out
}

/** Renders an inventory plus one snapshot. */
export function formatSnapshotText(inv: Inventory, s: Snapshot, st: Style = PLAIN): string {
  const L: string[] = []
  const h = inv.host
  L.push(
    st.bold(`RigReady snapshot — ${h.hostname}`) +
      st.dim(`  ${new Date(s.timestampMs).toISOString()}`)
  )
  L.push(
    `OS ${fmt(h.os, (v) => v, st)}, kernel ${fmt(h.kernel, (v) => v, st)}, ${h.platform}/${h.arch}`
  )
  L.push('')
  // CPU
  L.push(
    st.bold(`CPU  ${fmt(inv.cpu.model, (v) => v, st)}`) +
      st.dim(`  ${fmt(inv.cpu.logicalCores, num())} logical cores`)
  )
  if (isOk(s.cpu)) {
    const cpu = s.cpu.value
    L.push(
      `  util ${fmt(cpu.utilizationPct, (v) => `${v.toFixed(1)} %`, st)}   freq ${fmt(cpu.frequencyMhz, (v) => `${v.toFixed(0)} MHz`, st)} (max ${fmt(cpu.frequencyMaxMhz, (v) => `${v.toFixed(0)} MHz`, st)})   governor ${fmt(cpu.governor, (v) => (v === 'powersave' ? st.warn(v) : v), st)}`
    )
    L.push(`  package power ${fmt(cpu.packagePowerWatts, (v) => `${v.toFixed(1)} W`, st)}`)
    if (isOk(cpu.temperatures)) {
      if (cpu.temperatures.value.length === 0) L.push(st.dim('  temperatures: none found'))
      for (const t of cpu.temperatures.value)
        L.push('  ' + st.dim(t.chip.padEnd(22)) + ' ' + tempLine(t, st))
    } else L.push(`  temperatures: ${fmt(cpu.temperatures, () => '', st)}`)
    if (isOk(cpu.packageThrottle)) {
      for (const p of cpu.packageThrottle.value)
        L.push(
          `  package ${p.packageId} throttle events ${fmt(p.count, num(), st)}   total ${fmt(p.totalTimeMs, (v) => `${(v / 1000).toFixed(1)} s`, st)}`
        )
    } else L.push(`  package throttle counters: ${fmt(cpu.packageThrottle, () => '', st)}`)
    if (isOk(cpu.coreThrottle)) {
      const rows = cpu.coreThrottle.value
      if (rows.length)
        L.push(
          `  core throttle events: ${rows.map((r) => `pkg${r.packageId}/core${r.coreId} ${fmt(r.count, num(), st)}`).join(', ')}`
        )
    }
  } else L.push(`  ${fmt(s.cpu, () => '', st)}`)
  L.push('')
  // Memory
  if (isOk(s.memory)) {
    const m = s.memory.value
    L.push(
      st.bold('Memory') +
        `  ${fmt(m.usedBytes, gib, st)} used of ${fmt(m.totalBytes, gib, st)}, ${fmt(m.availableBytes, gib, st)} available${m.availableIsEstimate ? st.dim(' (estimated: kernel has no MemAvailable)') : ''}`
    )
    L.push(
      `  swap ${fmt(m.swapUsedBytes, gib, st)} of ${fmt(m.swapTotalBytes, gib, st)}   in ${fmt(m.swapInBytesPerSec, (v) => `${(v / 1e6).toFixed(1)} MB/s`, st)} out ${fmt(m.swapOutBytesPerSec, (v) => `${(v / 1e6).toFixed(1)} MB/s`, st)}   pressure ${fmt(m.pressureSomeAvg10Pct, (v) => `${v.toFixed(1)} %`, st)}`
    )
  } else L.push(st.bold('Memory') + `  ${fmt(s.memory, () => '', st)}`)
  L.push('')
  // GPUs
  if (s.gpus.length === 0) {
    const why = inv.absent.filter((a) => isGpuDeviceClass(a.deviceClass))
    L.push(st.bold('GPU') + '  none')
    for (const a of why) L.push(st.dim(`  ${a.deviceClass}: ${describeReason(a.reason)}`))
  } else for (const g of s.gpus) L.push(...gpuBlock(g, inv, st))
  L.push('')
  // Storage
  if (isOk(s.storage)) {
    const st2 = s.storage.value
    L.push(st.bold('Storage') + (st2.devices.length === 0 ? '  no block devices visible' : ''))
    for (const d of st2.devices) {
      const info = inv.storage.find((x) => x.name === d.name)
      const lim = [
        isOk(d.tempMaxCelsius) ? `max ${d.tempMaxCelsius.value}` : '',
        isOk(d.tempCritCelsius) ? `crit ${d.tempCritCelsius.value}` : ''
      ]
        .filter(Boolean)
        .join(', ')
      L.push(
        `  ${d.name.padEnd(10)} ${d.kind.padEnd(8)} ${fmt(info?.model, (v) => v, st)}  read ${fmt(d.readBytesPerSec, (v) => `${(v / 1e6).toFixed(1)} MB/s`, st)} write ${fmt(d.writeBytesPerSec, (v) => `${(v / 1e6).toFixed(1)} MB/s`, st)}  temp ${fmt(d.temperatureCelsius, c, st)}${lim ? st.dim(` (${lim} °C)`) : ''}`
      )
      if (isOk(d.smart)) {
        const sm = d.smart.value
        L.push(
          st.dim(
            `             SMART passed ${fmt(sm.passed, (v) => (v ? 'yes' : st.bad('NO')), st)}, used ${fmt(sm.percentageUsed, (v) => `${v} %`, st)}, spare ${fmt(sm.availableSparePct, (v) => `${v} %`, st)}, media errors ${fmt(sm.mediaErrors, num(), st)}`
          )
        )
      } else L.push(st.dim(`             SMART ${fmt(d.smart, () => '', st)}`))
    }
    for (const f of st2.filesystems)
      L.push(
        st.dim(
          `  ${f.mount.padEnd(20)} free ${fmt(f.freeBytes, gib, st)} of ${fmt(f.sizeBytes, gib, st)}`
        )
      )
  } else L.push(st.bold('Storage') + `  ${fmt(s.storage, () => '', st)}`)
  L.push('')
  // Thermal
  if (isOk(s.thermal)) {
    const t = s.thermal.value
    L.push(
      st.bold('Thermal') +
        (t.chips.length + t.zones.length === 0 ? '  no hwmon chips or thermal zones visible' : '')
    )
    for (const chip of t.chips) {
      if (chip.temperatures.length === 0 && chip.fans.length === 0) continue
      L.push(`  ${st.dim(chip.chip)}`)
      for (const ts of chip.temperatures) L.push('    ' + tempLine(ts, st))
      for (const f of chip.fans)
        L.push(`    ${f.label.padEnd(16)} ${fmt(f.rpm, (v) => `${v} RPM`, st)}`)
    }
    for (const z of t.zones)
      L.push(`  zone ${z.zone} ${z.type.padEnd(16)} ${fmt(z.temperatureCelsius, c, st)}`)
    for (const cd of t.cooling)
      L.push(
        `  cooling ${cd.id} ${cd.type.padEnd(14)} state ${fmt(cd.curState, num(), st)} / ${fmt(cd.maxState, num(), st)}`
      )
  } else L.push(st.bold('Thermal') + `  ${fmt(s.thermal, () => '', st)}`)
  L.push('')
  // Power
  if (isOk(s.power)) {
    const p = s.power.value
    L.push(
      st.bold('Power') +
        `  source ${fmt(p.source, (v) => (v === 'battery' ? st.warn('battery (laptops throttle on battery)') : 'mains'), st)}`
    )
    for (const b of p.batteries)
      L.push(
        `  ${b.name} ${fmt(b.status, (v) => v, st)} ${fmt(b.capacityPct, (v) => `${v} %`, st)} ${fmt(b.powerWatts, (v) => `${v.toFixed(1)} W`, st)}`
      )
  } else L.push(st.bold('Power') + `  ${fmt(s.power, () => '', st)}`)
  // Missing device classes
  const absent = inv.absent.filter((a) => !isGpuDeviceClass(a.deviceClass))
  if (absent.length) {
    L.push('')
    L.push(st.bold('Not available here'))
    for (const a of absent) L.push(`  ${a.deviceClass}: ${describeReason(a.reason)}`)
  }
  L.push('')
  L.push(
    st.dim(
      'collectors: ' +
        s.health
          .map(
            (h) =>
              `${h.collector} ${h.status}${h.status === 'ok' ? ` ${h.lastDurationMs.toFixed(1)} ms` : h.lastError ? ` (${h.lastError})` : ''}`
          )
          .join(', ')
    )
  )
  return L.join('\n') + '\n'
}
