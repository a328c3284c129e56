/**
 * Text output of `rigready probe`: the progress line and the result summary.
 *
 * Units: GFLOPS/TFLOPS, GB/s and MB/s are SI (1e9, 1e6 bytes per second); array and file sizes are binary
 * (MiB, GiB), as everywhere in RigReady.
 */
import { describeReason, type Reading } from '../../shared/reading'
import type {
  DeviceUnderLoad,
  KernelBandwidth,
  ProbeProgress,
  ProbeResult,
  StorageDirection
} from '../../shared/probe'

/** A reading as text: `12.3 GB/s`, or `unknown: reason`. */
export function readingText(r: Reading<number>, unit: string, digits = 1): string {
  return r.status === 'ok'
    ? `${r.value.toFixed(digits)}${unit ? ` ${unit}` : ''}`
    : `unknown: ${describeReason(r)}`
}

function pct(r: Reading<number>): string {
  return r.status === 'ok' ? `${Math.round(r.value * 100)}%` : `unknown: ${describeReason(r)}`
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** One progress line; with `width`, a bar that fits it. */
export function formatProgress(p: ProbeProgress, width?: number): string {
  const percent = `${String(Math.round(p.fraction * 100)).padStart(3)}%`
  const time = `${clock(p.elapsedSeconds)}/${clock(p.totalSeconds)}`
  const tail = `${percent} ${time} ${p.phase === 'setup' || p.phase === 'analysis' ? '' : `${p.phase} · `}${p.line}`
  if (width === undefined) return `probe ${tail}`
  const barWidth = Math.max(10, Math.min(30, width - tail.length - 4))
  const filled = Math.round(p.fraction * barWidth)
  const line = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${tail}`
  return line.length > width - 1 ? line.slice(0, width - 1) : line
}

function kernelLine(name: string, k: KernelBandwidth): string {
  return `  ${name.padEnd(6)} ${readingText(k.bestGBps, 'GB/s').padEnd(14)} best of ${k.trials} (median ${readingText(k.medianGBps, 'GB/s')}; ${k.countedBytesPerElement} bytes counted per element)`
}

function direction(name: string, d: StorageDirection): string {
  const series = d.series.map((p) => p.value.toFixed(0)).join(' ')
  return `  ${name.padEnd(6)} ${readingText(d.meanMBps, 'MB/s', 0).padEnd(14)} ${(d.bytes / 2 ** 30).toFixed(2)} GiB in ${d.seconds.toFixed(1)} s${series ? `; per second: ${series}` : ''}`
}

function deviceLines(d: DeviceUnderLoad): string[] {
  const out = [`  ${d.headline}`]
  const c = d.clock
  if (c.peakMhz.status === 'ok' || c.sustainedMhz.status === 'ok')
    out.push(
      `    clock: peak ${readingText(c.peakMhz, 'MHz', 0)}, sustained ${readingText(c.sustainedMhz, 'MHz', 0)} of max ${readingText(c.maxMhz, 'MHz', 0)} (ratio ${pct(c.sustainedRatio)})`
    )
  else if (c.peakMhz.status === 'unavailable' && c.peakMhz.reason !== 'not-applicable')
    out.push(`    clock: unknown: ${describeReason(c.peakMhz)}`)
  const t = d.temperature
  out.push(
    t.peakCelsius.status === 'ok'
      ? `    temperature: ${readingText(t.startCelsius, '°C', 0)} → peak ${readingText(t.peakCelsius, '°C', 0)} (+${readingText(t.riseCelsius, '°C', 0)}); steady after ${readingText(t.steadyStateSeconds, 's', 0)}; headroom to slowdown ${readingText(t.headroomCelsius, '°C', 0)}`
      : `    temperature: unknown: ${describeReason(t.peakCelsius)}`
  )
  if (d.power.medianWatts.status === 'ok')
    out.push(
      `    power: median ${readingText(d.power.medianWatts, 'W', 0)}, peak ${readingText(d.power.peakWatts, 'W', 0)}, limit ${readingText(d.power.limitWatts, 'W', 0)} (${pct(d.power.fractionOfLimit)})`
    )
  if (d.pcie)
    out.push(
      `    PCIe under load: Gen${readingText(d.pcie.genReached, '', 0)} x${readingText(d.pcie.widthReached, '', 0)} of max Gen${readingText(d.pcie.maxGen, '', 0)} x${readingText(d.pcie.maxWidth, '', 0)}`
    )
  return out
}

/** The result as text. */
export function formatProbeText(r: ProbeResult): string {
  const out: string[] = []
  const when = new Date(r.startedAtMs).toISOString().replace('T', ' ').slice(0, 19)
  out.push(
    `RigReady probe — ${r.machineLabel} — ${when} UTC, ${((r.endedAtMs - r.startedAtMs) / 1000).toFixed(0)} s`
  )
  if (r.stop) out.push(`STOPPED (${r.stop.reason}): ${r.stop.detail}`)
  if (r.cpu) {
    out.push('', `CPU (${r.cpu.status}): ${r.cpu.threads} threads, ${r.cpu.detail ?? ''}`)
    out.push(
      `  peak ${readingText(r.cpu.gflopsPeak, 'GFLOPS')}, sustained ${readingText(r.cpu.gflopsSustained, 'GFLOPS')} (fp64)`
    )
  }
  if (r.memory) {
    out.push('', `Memory (${r.memory.status}): ${r.memory.sizing}; ${r.memory.threads} threads`)
    if (r.memory.detail) out.push(`  ${r.memory.detail}`)
    for (const k of ['read', 'write', 'copy', 'triad'] as const)
      out.push(kernelLine(k, r.memory.kernels[k]))
  }
  if (r.storage) {
    out.push(
      '',
      `Storage (${r.storage.status}): ${r.storage.path}, ${r.storage.method} (${r.storage.methodDetail}), ${(r.storage.blockBytes / 2 ** 20).toFixed(0)} MiB blocks`
    )
    if (r.storage.detail) out.push(`  ${r.storage.detail}`)
    out.push(direction('write', r.storage.write), direction('read', r.storage.read))
    if (!r.storage.fileRemoved) out.push('  WARNING: the probe file could not be removed')
  }
  if (r.gpu) {
    out.push(
      '',
      `GPU (${r.gpu.status}): ${r.gpu.runtime ?? (r.gpu.backend.status === 'ok' ? r.gpu.backend.value : 'no runtime')}`
    )
    if (r.gpu.detail) out.push(`  ${r.gpu.detail}`)
    if (r.gpu.installHint) out.push(`  To probe the GPU: ${r.gpu.installHint}`)
    for (const g of r.gpu.devices) {
      out.push(
        `  GPU${g.index} ${g.name}: matmul ${g.matmul.dtype} n=${g.matmul.n} peak ${readingText(g.matmul.tflopsPeak, 'TFLOPS')}, sustained ${readingText(g.matmul.tflopsSustained, 'TFLOPS')} (${pct(g.matmul.ratioToSpec)} of spec ${readingText(g.matmul.specTflops, 'TFLOPS')})`,
        `    copy ${readingText(g.copy.medianGBps, 'GB/s', 0)} median, best ${readingText(g.copy.bestGBps, 'GB/s', 0)} (${pct(g.copy.ratioToSpec)} of spec ${readingText(g.copy.specGBps, 'GB/s', 0)})`
      )
    }
  }
  if (r.command)
    out.push(
      '',
      `Command (${r.command.status}): ${r.command.argv.join(' ')} — ${r.command.detail ?? ''}`
    )
  if (r.devices.length > 0) {
    out.push('', 'Devices under load:')
    for (const d of r.devices) out.push(...deviceLines(d))
  }
  for (const n of r.notes) out.push(`note: ${n}`)
  return out.join('\n') + '\n'
}
