/**
 * Measured probe results in place of defaults: takes a MachineModel and the figures of a load probe and
 * returns the adjusted MachineModel plus one record per value that changed, with the measured value and its
 * date (pure; `nowMs` is never read).
 *
 * The evaluator's efficiencies (decode η, MFU) are defined against *spec* bandwidth and *spec* peak FLOPS
 * (`tables.ts`), and a STREAM-style or BabelStream-style measurement already sits below spec on a healthy
 * machine. Replacing the spec value with the raw measurement would count that gap twice. So a measurement
 * becomes a spec-equivalent figure: measured ÷ the fraction such a kernel typically reaches on a healthy
 * machine (`TYPICAL_ACHIEVED`). A machine measuring exactly typical keeps its estimate; one measuring half of
 * typical (single-channel RAM, a throttling GPU) gets half the speed. Sustained clocks scale compute only
 * when no matmul was measured (a measured matmul already includes any throttling). Unknown measurements
 * change nothing.
 */
import type { MeasuredProbe } from '../shared/probe'
import { ok, type Reading } from '../shared/reading'
import type {
  MachineGpu,
  MachineModel,
  MeasuredChange,
  MeasuredEffect,
  ProfileEvaluation,
  SustainedEvidence
} from '../shared/readiness'

export type { MeasuredChange, MeasuredEffect } from '../shared/readiness'

/** A fraction with where it comes from. */
export interface TypicalFraction {
  value: number
  source: string
}

/** Fractions of spec that the probe's kernels reach on a healthy machine. */
export const TYPICAL_ACHIEVED: Readonly<{
  ramRead: TypicalFraction
  gpuCopy: TypicalFraction
  gpuMatmul: TypicalFraction
}> = {
  ramRead: {
    value: 0.7,
    source:
      'assumed: STREAM-style kernels on desktop and server CPUs typically reach 60–80% of theoretical DDR bandwidth (unverified)'
  },
  gpuCopy: {
    value: 0.9,
    source:
      'assumed: device-to-device copy (BabelStream Copy) typically reaches about 90% of spec bandwidth on recent NVIDIA and AMD GPUs (unverified)'
  },
  gpuMatmul: {
    value: 0.75,
    source:
      'assumed: large bf16 GEMM typically sustains about 75% of the dense tensor spec peak (unverified)'
  }
}

/** The adjusted machine and what changed. */
export interface MeasuredAdjustment {
  machine: MachineModel
  changes: MeasuredChange[]
}

/** `YYYY-MM-DD` (UTC) of an epoch-ms time. */
export function measuredDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function norm(name: string): string {
  return name
    .toLowerCase()
    .replace(/\b(nvidia|geforce|amd|radeon|intel|apple|corporation|graphics|gpu)\b/g, '')
    .replace(/[^a-z0-9]/g, '')
}

/** True when a probe's device name and a machine GPU name describe the same model. */
export function sameGpuModel(a: string, b: string): boolean {
  const x = norm(a)
  const y = norm(b)
  return x.length > 0 && y.length > 0 && (x.includes(y) || y.includes(x))
}

function fmt(v: number, unit: string): string {
  const digits = unit === 'MB/s' ? 0 : unit === 'ratio' ? 2 : 1
  return `${v.toFixed(digits)} ${unit}`
}

/** Applies a probe's measurements to a machine model (pure). */
export function applyMeasuredProbe(
  machine: MachineModel,
  probe: MeasuredProbe
): MeasuredAdjustment {
  const changes: MeasuredChange[] = []
  const at = probe.measuredAtMs
  const date = measuredDate(at)
  let ramBandwidthGBps = machine.ramBandwidthGBps
  const ram = probe.ramReadGBps.status === 'ok' ? probe.ramReadGBps : probe.ramCopyGBps
  const ramKernel = probe.ramReadGBps.status === 'ok' ? 'read' : 'copy'
  if (ram.status === 'ok' && ram.value > 0) {
    const f = TYPICAL_ACHIEVED.ramRead
    const after = ram.value / f.value
    changes.push({
      item: 'ram-bandwidth',
      device: 'system RAM',
      label: 'RAM bandwidth',
      before: machine.ramBandwidthGBps,
      after,
      unit: 'GB/s',
      measured: ram.value,
      measuredUnit: `GB/s (${ramKernel}, all threads)`,
      measuredAtMs: at,
      basis: `measured ${fmt(ram.value, 'GB/s')} ${ramKernel} on ${date} ÷ ${f.value} typical of theoretical = ${fmt(after, 'GB/s')} (${f.source})`
    })
    ramBandwidthGBps = ok(after)
  }
  const gpus: MachineGpu[] = machine.gpus.map((g, i) => {
    const m = probe.gpus.find((p) => p.index === i)
    if (!m || !sameGpuModel(m.name, g.name)) return g
    const label = `GPU${i} ${g.name}`
    let next = g
    if (m.copyGBps.status === 'ok' && m.copyGBps.value > 0) {
      const f = TYPICAL_ACHIEVED.gpuCopy
      const after = m.copyGBps.value / f.value
      changes.push({
        item: 'gpu-memory-bandwidth',
        device: label,
        label: 'GPU memory bandwidth',
        before: g.memoryBandwidthGBps,
        after,
        unit: 'GB/s',
        measured: m.copyGBps.value,
        measuredUnit: 'GB/s (device copy, read + write)',
        measuredAtMs: at,
        basis: `measured ${fmt(m.copyGBps.value, 'GB/s')} device copy on ${date} ÷ ${f.value} typical of spec = ${fmt(after, 'GB/s')} (${f.source})`
      })
      next = { ...next, memoryBandwidthGBps: ok(after) }
    }
    const tensorDtype = m.matmulDtype === 'bfloat16' || m.matmulDtype === 'float16'
    if (m.matmulTflops.status === 'ok' && m.matmulTflops.value > 0 && tensorDtype) {
      const f = TYPICAL_ACHIEVED.gpuMatmul
      const after = m.matmulTflops.value / f.value
      changes.push({
        item: 'gpu-compute',
        device: label,
        label: 'GPU tensor throughput',
        before: g.tensorTflops,
        after,
        unit: 'TFLOPS',
        measured: m.matmulTflops.value,
        measuredUnit: `TFLOPS (${m.matmulDtype} matmul, sustained)`,
        measuredAtMs: at,
        basis: `measured ${fmt(m.matmulTflops.value, 'TFLOPS')} sustained ${m.matmulDtype} matmul on ${date} ÷ ${f.value} typical of spec = ${fmt(after, 'TFLOPS')} (${f.source})`
      })
      next = { ...next, tensorTflops: ok(after) }
    } else if (
      m.sustainedClockRatio.status === 'ok' &&
      m.sustainedClockRatio.value > 0 &&
      g.tensorTflops.status === 'ok'
    ) {
      const r = Math.min(1, m.sustainedClockRatio.value)
      const after = g.tensorTflops.value * r
      changes.push({
        item: 'gpu-compute',
        device: label,
        label: 'GPU tensor throughput',
        before: g.tensorTflops,
        after,
        unit: 'TFLOPS',
        measured: m.sustainedClockRatio.value,
        measuredUnit: 'sustained clock ÷ max clock',
        measuredAtMs: at,
        basis: `measured sustained clock ${Math.round(r * 100)}% of boost on ${date}: spec ${fmt(g.tensorTflops.value, 'TFLOPS')} × ${r.toFixed(2)}`
      })
      next = { ...next, tensorTflops: ok(after) }
    }
    return next
  })
  let storage = machine.storage
  if (probe.storageReadMBps.status === 'ok' && probe.storageReadMBps.value > 0) {
    changes.push({
      item: 'storage-read',
      device: 'storage',
      label: 'sequential read',
      before: machine.storage.readMBps,
      after: probe.storageReadMBps.value,
      unit: 'MB/s',
      measured: probe.storageReadMBps.value,
      measuredUnit: 'MB/s (sequential, page cache excluded)',
      measuredAtMs: at,
      basis: `measured ${fmt(probe.storageReadMBps.value, 'MB/s')} sequential read on ${date}`
    })
    storage = { ...storage, readMBps: probe.storageReadMBps }
  }
  const sustained = mergeSustained(machine.sustained, probe.sustained)
  if (sustained !== machine.sustained && probe.sustained !== null) {
    const r = probe.sustained.sustainedClockRatio
    if (r.status === 'ok')
      changes.push({
        item: 'sustained',
        device: 'GPU',
        label: 'sustained clock under load',
        before: machine.sustained?.sustainedClockRatio ?? {
          status: 'unavailable',
          reason: 'unsupported',
          detail: 'no telemetry window'
        },
        after: r.value,
        unit: 'ratio',
        measured: r.value,
        measuredUnit: 'median busy clock ÷ max clock',
        measuredAtMs: at,
        basis: `measured under load on ${date}: sustained clock ${Math.round(r.value * 100)}% of max`
      })
  }
  return {
    machine: { ...machine, ramBandwidthGBps, gpus, storage, sustained },
    changes
  }
}

/**
 * Sustained evidence from the probe where the machine has none or its window did not see load (an idle
 * window has no busy clock and no headroom under load). Evidence observed now wins where it exists.
 */
function mergeSustained(
  current: SustainedEvidence | null,
  probe: SustainedEvidence | null
): SustainedEvidence | null {
  if (probe === null) return current
  if (current === null) return probe
  const clock =
    current.sustainedClockRatio.status === 'ok'
      ? current.sustainedClockRatio
      : probe.sustainedClockRatio
  const headroom =
    current.gpuThermalHeadroomCelsius.status === 'ok'
      ? current.gpuThermalHeadroomCelsius
      : probe.gpuThermalHeadroomCelsius
  if (clock === current.sustainedClockRatio && headroom === current.gpuThermalHeadroomCelsius)
    return current
  return { ...current, sustainedClockRatio: clock, gpuThermalHeadroomCelsius: headroom }
}

function speedOf(
  e: ProfileEvaluation,
  metric: 'decode' | 'prefill' | 'train-hours'
): Reading<number> {
  return metric === 'decode'
    ? e.speed.decodeTokensPerSec
    : metric === 'prefill'
      ? e.speed.prefillTokensPerSec
      : e.speed.trainHours
}

function reasonText(c: MeasuredChange): string {
  const date = measuredDate(c.measuredAtMs)
  switch (c.item) {
    case 'ram-bandwidth':
      return `measured RAM bandwidth ${fmt(c.measured, 'GB/s')} (${date})`
    case 'gpu-memory-bandwidth':
      return `measured ${c.device} memory bandwidth ${fmt(c.measured, 'GB/s')} (${date})`
    case 'gpu-compute':
      return c.measuredUnit.startsWith('TFLOPS')
        ? `measured ${c.device} matmul ${fmt(c.measured, 'TFLOPS')} (${date})`
        : `measured ${c.device} sustained clock ${Math.round(c.measured * 100)}% of boost (${date})`
    case 'storage-read':
      return `measured sequential read ${fmt(c.measured, 'MB/s')} (${date})`
    case 'sustained':
      return `measured sustained clock ${Math.round(c.measured * 100)}% of max (${date})`
  }
}

function because(changes: MeasuredChange[], items: MeasuredChange['item'][]): string {
  const rel = changes.filter((c) => items.includes(c.item))
  return rel.length === 0 ? '' : `: ${rel.map(reasonText).join('; ')}`
}

/**
 * Compares evaluations before and after `applyMeasuredProbe` and says what changed for each profile, naming
 * the measurements behind it (pure).
 */
export function describeMeasuredEffects(
  before: ProfileEvaluation[],
  after: ProfileEvaluation[],
  changes: MeasuredChange[]
): MeasuredEffect[] {
  const out: MeasuredEffect[] = []
  for (const b of before) {
    const a = after.find((x) => x.profileId === b.profileId)
    if (!a) continue
    const metrics: {
      metric: 'decode' | 'prefill' | 'train-hours'
      text: string
      unit: string
      items: MeasuredChange['item'][]
    }[] = [
      {
        metric: 'decode',
        text: 'decode',
        unit: 'tok/s',
        items: ['gpu-memory-bandwidth', 'ram-bandwidth']
      },
      { metric: 'prefill', text: 'prefill', unit: 'tok/s', items: ['gpu-compute'] },
      { metric: 'train-hours', text: 'training', unit: 'h', items: ['gpu-compute'] }
    ]
    for (const m of metrics) {
      const x = speedOf(b, m.metric)
      const y = speedOf(a, m.metric)
      if (x.status !== 'ok' || y.status !== 'ok') continue
      if (Math.abs(y.value - x.value) / Math.max(Math.abs(x.value), 1e-9) < 0.005) continue
      const digits = x.value >= 100 ? 0 : x.value >= 10 ? 0 : 1
      out.push({
        profileId: b.profileId,
        label: b.label,
        metric: m.metric,
        before: x.value,
        after: y.value,
        text: `${b.label}: ${m.text} ${x.value.toFixed(digits)} → ${y.value.toFixed(digits)} ${m.unit}${because(changes, m.items)}`
      })
    }
    const sb = b.score.status === 'ok' ? b.score.value : null
    const sa = a.score.status === 'ok' ? a.score.value : null
    if (sb !== null && sa !== null && sb !== sa)
      out.push({
        profileId: b.profileId,
        label: b.label,
        metric: 'score',
        before: sb,
        after: sa,
        text: `${b.label}: score ${sb} → ${sa}${b.verdict !== a.verdict ? ` (${b.verdict} → ${a.verdict})` : ''}`
      })
  }
  return out
}
