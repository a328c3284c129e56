/**
 * Free machine-wide fixes, each with its measured evidence: cooling (first when the session shows thermal
 * throttling, with the throttled time and the run time it costs), the power limit back to default, the GPU
 * moved to a full-width slot, the CPU governor, mains power, RAM at its rated speed, and swap/zram when
 * memory pressure was seen.
 */
import type { MachineModel, ProfileEvaluation } from '../../../shared/readiness'
import { ok } from '../../../shared/reading'
import type { ThrottleCause } from '../../../shared/telemetry'
import type { AdviceContext, Candidate } from './context'

/** Per-lane PCIe bandwidth per direction (GB/s) by generation (PCI-SIG figures after encoding). */
const PCIE_LANE_GBPS: Record<number, number> = {
  1: 0.25,
  2: 0.5,
  3: 0.985,
  4: 1.969,
  5: 3.938,
  6: 7.563
}

/** Thermal share of the observed time above which cooling is listed first. */
export const COOLING_FIRST_FRACTION = 0.01

function upgraded(
  machine: MachineModel,
  patch: Partial<MachineModel>,
  label: string
): MachineModel {
  return { ...machine, ...patch, origin: 'upgraded', label: `${machine.label} + ${label}` }
}

function spanText(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`
}

function hoursText(h: number): string {
  return `${h >= 100 ? h.toFixed(0) : h.toFixed(1)} h`
}

function free(
  c: Omit<Candidate, 'free' | 'parts' | 'requires' | 'costClass' | 'details' | 'notes'> &
    Partial<Pick<Candidate, 'requires' | 'details' | 'notes'>>
): Candidate {
  return {
    free: true,
    parts: [],
    requires: [],
    costClass: 'free',
    details: [],
    notes: [],
    ...c
  }
}

/** Training profiles with a known time, highest priority first. */
function timedTraining(ctx: AdviceContext): { e: ProfileEvaluation; hours: number }[] {
  const pri = new Map(ctx.profiles.map((p) => [p.id, p.priority]))
  return ctx.base.profiles
    .filter(
      (e) => (e.kind === 'finetune' || e.kind === 'pretrain') && e.speed.trainHours.status === 'ok'
    )
    .map((e) => ({ e, hours: (e.speed.trainHours as { value: number }).value }))
    .sort((a, b) => (pri.get(b.e.profileId) ?? 1) - (pri.get(a.e.profileId) ?? 1))
}

function coolingCandidate(ctx: AdviceContext): Candidate | null {
  const s = ctx.machine.sustained
  if (!s || s.gpuThrottleFractionByCause.status !== 'ok') return null
  const byCause = s.gpuThrottleFractionByCause.value
  const thermal = byCause.thermal
  if (thermal === undefined || !(thermal > 0)) return null
  const observedS = s.gpuCoverage.observedSeconds
  const throttledS = thermal * observedS
  const ratio = s.gpuThermalClockRatio
  const loss = ratio?.status === 'ok' ? Math.max(0, thermal * (1 - Math.min(1, ratio.value))) : null
  const evidence = [
    `GPU thermally throttled ${(thermal * 100).toFixed(1)}% of ${Math.round(observedS / 60)} min observed (${Math.round(throttledS)} s)`
  ]
  if (ratio?.status === 'ok')
    evidence.push(
      `while hot it ran at ${(ratio.value * 100).toFixed(0)}% of the clock it holds otherwise`
    )
  if (s.gpuThermalHeadroomCelsius.status === 'ok')
    evidence.push(
      `closest approach to the slowdown limit: ${s.gpuThermalHeadroomCelsius.value.toFixed(0)} °C`
    )
  if (s.sustainedClockRatio.status === 'ok')
    evidence.push(`sustained clock ${(s.sustainedClockRatio.value * 100).toFixed(0)}% of max`)
  const notes: string[] = []
  const details: string[] = [
    'First steps cost nothing: a steeper fan curve, a clear path for intake and exhaust air, dust out of the heatsink and filters, the side panel on (or off) as the case is designed; case fans or a new thermal pad/paste job if that is not enough (not priced).'
  ]
  if (loss !== null) {
    const lossText = `${(loss * 100).toFixed(1)}%`
    details.push(
      `time lost = thermal share × (1 − clock ratio) = ${thermal.toFixed(3)} × (1 − ${(ratio as { value: number }).value.toFixed(3)}) = ${lossText} (assumes throughput ∝ SM clock: compute-bound work such as training, prefill, image generation)`
    )
    notes.push(
      `throttling cost ≈ ${lossText} of the GPU's work (${Math.round(loss * observedS)} s of the ${spanText(observedS)} observed)`
    )
    for (const { e, hours } of timedTraining(ctx).slice(0, 2)) {
      const hot = hours / (1 - loss)
      notes.push(`${e.label}: ≈ ${hoursText(hot)} → ${hoursText(hours)}`)
    }
  } else
    notes.push(
      `thermally throttled ${spanText(throttledS)} of the ${spanText(observedS)} observed (the time it costs is unknown: ${ratio ? 'no clock to compare' : 'clock while throttled not recorded'})`
    )
  const by = { ...byCause }
  delete by.thermal
  return free({
    id: 'cooling',
    kind: 'cooling',
    title: 'Improve GPU cooling and case airflow',
    machine: upgraded(
      ctx.machine,
      {
        sustained: {
          ...s,
          gpuThrottleFractionByCause: ok(by as Partial<Record<ThrottleCause, number>>),
          gpuThermalHeadroomCelsius: ok(15)
        }
      },
      'better cooling'
    ),
    evidence,
    details,
    notes,
    relaxes: 'thermals',
    costRank: 0.5,
    first: thermal >= COOLING_FIRST_FRACTION,
    keepWithoutImpact: true
  })
}

function pcieCandidates(ctx: AdviceContext): Candidate[] {
  const out: Candidate[] = []
  const machine = ctx.machine
  machine.gpus.forEach((g, i) => {
    if (g.pcieWidth.status !== 'ok' || g.pcieMaxWidth.status !== 'ok') return
    const gen = g.pcieGen.status === 'ok' ? g.pcieGen.value : null
    const maxGen = g.pcieMaxGen.status === 'ok' ? g.pcieMaxGen.value : gen
    const narrow = g.pcieWidth.value < g.pcieMaxWidth.value
    const slowGen = gen !== null && maxGen !== null && gen < maxGen
    if (!narrow && !slowGen) return
    const fixed = machine.gpus.map((x, j) =>
      j === i
        ? {
            ...x,
            pcieWidth: ok(g.pcieMaxWidth.status === 'ok' ? g.pcieMaxWidth.value : 16),
            pcieGen: maxGen !== null ? ok(maxGen) : x.pcieGen
          }
        : x
    )
    const before = (gen !== null ? (PCIE_LANE_GBPS[gen] ?? 0) : 0) * g.pcieWidth.value
    const after = (maxGen !== null ? (PCIE_LANE_GBPS[maxGen] ?? 0) : 0) * g.pcieMaxWidth.value
    const requires: string[] = []
    const slots = ctx.box.pcieSlots
    if (narrow && slots.status === 'ok') {
      const wide = slots.value.filter(
        (s) =>
          s.lanes.status === 'ok' &&
          s.lanes.value >= (g.pcieMaxWidth as { value: number }).value &&
          s.inUse.status === 'ok' &&
          !s.inUse.value
      )
      if (wide.length === 0)
        requires.push(
          `no free x${g.pcieMaxWidth.value} slot in the board's slot table: the lanes may be shared with M.2 drives or another card (see the board manual)`
        )
      else
        requires.push(
          `free slot ${wide[0].name} has ${(wide[0].lanes as { value: number }).value} lanes`
        )
    }
    out.push(
      free({
        id: `pcie-slot-gpu${i}`,
        kind: 'pcie-slot',
        title: narrow
          ? `Move GPU${i} (${g.name}) to an x${g.pcieMaxWidth.value} slot`
          : `Check GPU${i}'s slot and firmware setting: the link runs at Gen${gen} instead of Gen${maxGen}`,
        machine: upgraded(machine, { gpus: fixed }, 'full PCIe link'),
        evidence: [
          `GPU${i} runs at PCIe Gen${gen ?? '?'} x${g.pcieWidth.value} under load; the card supports Gen${maxGen ?? '?'} x${g.pcieMaxWidth.value}`
        ],
        notes:
          before > 0 && after > 0
            ? [
                `host↔GPU bandwidth ${before.toFixed(1)} → ${after.toFixed(1)} GB/s (model loading, offload and multi-GPU traffic)`
              ]
            : [],
        details: ['PCIe per-lane bandwidth per direction: Gen3 0.985, Gen4 1.969, Gen5 3.938 GB/s'],
        requires,
        relaxes: 'interconnect',
        costRank: 0,
        keepWithoutImpact: true
      })
    )
  })
  return out
}

function powerLimitCandidate(ctx: AdviceContext): Candidate | null {
  const s = ctx.machine.sustained
  if (!s || s.powerLimitBelowDefault.status !== 'ok' || !s.powerLimitBelowDefault.value) return null
  const fractions = s.gpuThrottleFractionByCause
  const byCause = fractions.status === 'ok' ? fractions.value : {}
  const by = { ...byCause }
  delete by.power
  return free({
    id: 'power-limit',
    kind: 'power-limit',
    title: 'Restore the GPU power limit to its default',
    machine: upgraded(
      ctx.machine,
      {
        sustained: {
          ...s,
          powerLimitBelowDefault: ok(false),
          gpuThrottleFractionByCause: fractions.status === 'ok' ? ok(by) : fractions
        }
      },
      'default power limit'
    ),
    evidence: [
      `power limit set below default${byCause.power ? `; power-capped ${(byCause.power * 100).toFixed(0)}% of the observed time` : ''}`
    ],
    details: ['NVIDIA: `nvidia-smi -pl <default W>` (or reset with `nvidia-smi -rgc` / a reboot)'],
    relaxes: 'power',
    costRank: 0,
    keepWithoutImpact: true
  })
}

function governorCandidate(ctx: AdviceContext): Candidate | null {
  const m = ctx.machine
  if (m.cpu.governor.status !== 'ok' || m.cpu.governor.value !== 'powersave') return null
  // amd-pstate-epp and intel_pstate run "powersave" with an energy preference: the fix is the preference.
  return free({
    id: 'cpu-governor',
    kind: 'cpu-governor',
    title: 'Set the CPU frequency governor to performance',
    machine: upgraded(
      m,
      { cpu: { ...m.cpu, governor: ok('performance') } },
      'performance governor'
    ),
    evidence: ['scaling_governor is powersave'],
    notes: ['data loading and CPU-offloaded layers run at full clock'],
    details: [
      '`cpupower frequency-set -g performance`, or the energy_performance_preference of the P-state driver'
    ],
    relaxes: 'cpu',
    costRank: 0,
    keepWithoutImpact: true
  })
}

function batteryCandidate(ctx: AdviceContext): Candidate | null {
  const m = ctx.machine
  if (m.onBattery.status !== 'ok' || !m.onBattery.value) return null
  return free({
    id: 'mains-power',
    kind: 'mains-power',
    title: 'Plug in to mains power',
    machine: upgraded(m, { onBattery: ok(false) }, 'mains power'),
    evidence: ['running on battery: laptops cap GPU and CPU power'],
    relaxes: 'power',
    costRank: 0,
    keepWithoutImpact: true
  })
}

function ramSpeedCandidate(ctx: AdviceContext): Candidate | null {
  const r = ctx.ramSpeed
  if (!r || r.runningMtps.status !== 'ok' || r.ratedMtps.status !== 'ok') return null
  const running = r.runningMtps.value
  const rated = r.ratedMtps.value
  if (!(running > 0) || running >= rated * 0.97) return null
  const bw = ctx.machine.ramBandwidthGBps
  const machine =
    bw.status === 'ok'
      ? upgraded(
          ctx.machine,
          { ramBandwidthGBps: ok((bw.value * rated) / running) },
          'rated RAM speed'
        )
      : ctx.machine
  return free({
    id: 'ram-speed',
    kind: 'ram-speed',
    title: `Enable the RAM's rated profile (XMP/EXPO): it runs at ${running} of ${rated} MT/s`,
    machine,
    evidence: [`modules rated ${rated} MT/s run at ${running} MT/s`],
    notes:
      bw.status === 'ok'
        ? [
            `system RAM bandwidth ${bw.value.toFixed(0)} → ${((bw.value * rated) / running).toFixed(0)} GB/s (CPU-offloaded layers decode faster)`
          ]
        : ['CPU-offloaded layers and data loading get the rated bandwidth'],
    details: [
      'bandwidth ∝ transfer rate: MT/s × 8 bytes × channels; enable XMP (Intel) or EXPO (AMD) in the firmware and test stability (memtest) before a long run'
    ],
    relaxes: 'memory-bandwidth',
    costRank: 0.2,
    keepWithoutImpact: true
  })
}

function swapCandidate(ctx: AdviceContext): Candidate | null {
  const p = ctx.memoryPressure
  if (!p || !p.pressureSeen) return null
  const swap = p.swapTotalBytes
  const noSwap = swap.status === 'ok' && swap.value === 0
  const swapping = p.swapInMaxBytesPerSec.status === 'ok' && p.swapInMaxBytesPerSec.value >= 1e6
  const title = noSwap
    ? 'Add zram (compressed swap in RAM) or a swap file on the NVMe'
    : swapping
      ? 'Swap to zram instead of disk, and lower vm.swappiness'
      : 'Give the system swap headroom (zram) before a long run'
  return free({
    id: 'swap',
    kind: 'swap',
    title,
    machine: ctx.machine,
    evidence: [
      ...p.findings,
      swap.status === 'ok'
        ? `swap configured: ${(swap.value / 2 ** 30).toFixed(1)} GiB`
        : 'swap size unknown'
    ],
    notes: [
      'memory pressure was measured: without headroom the kernel OOM killer ends the job; the lasting fix is more RAM or a smaller batch'
    ],
    details: [
      'zram-generator: `[zram0] zram-size = ram / 2`, `compression-algorithm = zstd`; swap file: `fallocate -l 16G /swapfile && mkswap /swapfile && swapon /swapfile`; `sysctl vm.swappiness=10` keeps pages in RAM longer',
      `pressure thresholds: PSI some avg10 ≥ 10%, swap-in ≥ 1 MB/s, MemAvailable < 5% of RAM (${p.observedSamples} of ${p.samples} samples read memory)`
    ],
    relaxes: 'host-ram',
    costRank: 0.3,
    keepWithoutImpact: true
  })
}

/** Every free machine-wide fix that applies. */
export function machineFixes(ctx: AdviceContext): Candidate[] {
  return [
    coolingCandidate(ctx),
    powerLimitCandidate(ctx),
    ...pcieCandidates(ctx),
    governorCandidate(ctx),
    batteryCandidate(ctx),
    ramSpeedCandidate(ctx),
    swapCandidate(ctx)
  ].filter((c): c is Candidate => c !== null)
}
