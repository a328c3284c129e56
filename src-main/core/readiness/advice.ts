/**
 * Upgrade advice: candidates for the constraints that bind, each simulated by re-running the evaluation on
 * the modified machine (readiness reference §6.3), ranked by Σ priority × (Δscore + 50 × unlocked).
 *
 * Candidates: add or replace a GPU from the spec table (with a PSU co-requisite from TDP, Dettmers: (ΣGPU TDP
 * + CPU) × 1.1 × 1.1), RAM to the next valid size, NVMe, cooling (only when measured throttling shows thermal
 * time) and zero-cost configuration fixes (PCIe slot, power limit, CPU governor, battery).
 */
import type {
  AdviceItem,
  Constraint,
  MachineGpu,
  MachineModel,
  MachineScore,
  MinimumUpgrade,
  ProfileEvaluation,
  WorkloadProfile
} from '../../shared/readiness'
import { ok } from '../../shared/reading'
import { evaluateAll, evaluationScore } from './evaluate'
import type { GpuSpec } from '../gpu-specs'
import { GPU_SPECS } from '../gpu-specs'
import { gpuFromSpec } from './machine'

type Evaluated = { profiles: ProfileEvaluation[]; training: MachineScore; inference: MachineScore }

interface Candidate {
  id: string
  kind: AdviceItem['kind']
  title: string
  machine: MachineModel
  evidence: string[]
  costClass: AdviceItem['costClass']
  relaxes: Constraint
  /** Lower is cheaper/less disruptive (for minimum upgrades and ties). */
  costRank: number
  /** Extra effect text for changes the scores do not capture. */
  note?: string
}

const RAM_SIZES_GB = [8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
const CPU_WATTS_ASSUMED = 150
/** Per-lane PCIe bandwidth per direction (GB/s) by generation (standard values). */
const PCIE_LANE_GBPS: Record<number, number> = {
  1: 0.25,
  2: 0.5,
  3: 0.985,
  4: 1.969,
  5: 3.938,
  6: 7.563
}

function upgraded(
  machine: MachineModel,
  patch: Partial<MachineModel>,
  label: string
): MachineModel {
  return { ...machine, ...patch, origin: 'upgraded', label: `${machine.label} + ${label}` }
}

function gb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 30)} GB`
}

function psuNote(gpus: MachineGpu[]): string | null {
  let tdp = 0
  for (const g of gpus) {
    if (g.tdpWatts.status !== 'ok') return null
    tdp += g.tdpWatts.value
  }
  const psu = Math.ceil(((tdp + CPU_WATTS_ASSUMED) * 1.1 * 1.1) / 50) * 50
  return `needs a PSU of ≥ ${psu} W ((${tdp} W GPUs + ~${CPU_WATTS_ASSUMED} W CPU) × 1.1 × 1.1, Dettmers)`
}

/** Cards that fit this machine: no SXM/OAM modules; datacenter cards only where one is already installed. */
function installable(spec: GpuSpec, machine: MachineModel): boolean {
  if (spec.vendor === 'apple' || /sxm|hgx|mi250|mi300|b200|h200/i.test(`${spec.key} ${spec.name}`))
    return false
  const hasDatacenter = machine.gpus.some(
    (g) => GPU_SPECS.find((r) => r.key === g.specKey)?.segment === 'datacenter'
  )
  return spec.segment !== 'datacenter' || hasDatacenter
}

function candidates(machine: MachineModel, evals: ProfileEvaluation[]): Candidate[] {
  const out: Candidate[] = []
  // Unknown evaluations bind nothing: their constraint is an unknown input, not a measured limit.
  const binding = new Set(
    evals
      .filter((e) => {
        const v = evaluationScore(e)
        return v !== null && v < 100
      })
      .map((e) => e.binding)
  )
  const gpuBound = ['vram-capacity', 'memory-bandwidth', 'compute', 'precision', 'software'].some(
    (c) => binding.has(c as Constraint)
  )

  // Zero-cost configuration fixes.
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
    out.push({
      id: `config-pcie-gpu${i}`,
      kind: 'config',
      title: narrow
        ? `Move GPU${i} (${g.name}) to an x${g.pcieMaxWidth.value} slot`
        : `Check GPU${i}'s slot/BIOS: link runs at Gen${gen} instead of Gen${maxGen}`,
      machine: upgraded(machine, { gpus: fixed }, 'full PCIe link'),
      evidence: [
        `GPU${i} runs at PCIe Gen${gen ?? '?'} x${g.pcieWidth.value} under load; the card supports Gen${maxGen ?? '?'} x${g.pcieMaxWidth.value}`
      ],
      costClass: 'free',
      relaxes: 'interconnect',
      costRank: 0,
      note:
        before > 0 && after > 0
          ? `host↔GPU bandwidth ${before.toFixed(1)} → ${after.toFixed(1)} GB/s (model loading, offload and multi-GPU traffic)`
          : undefined
    })
  })
  const s = machine.sustained
  const fractions = s?.gpuThrottleFractionByCause
  const byCause = fractions?.status === 'ok' ? fractions.value : {}
  if (s && s.powerLimitBelowDefault.status === 'ok' && s.powerLimitBelowDefault.value) {
    const by = { ...byCause }
    delete by.power
    out.push({
      id: 'config-power-limit',
      kind: 'config',
      title: 'Restore the GPU power limit to its default',
      machine: upgraded(
        machine,
        {
          sustained: {
            ...s,
            powerLimitBelowDefault: ok(false),
            gpuThrottleFractionByCause:
              fractions?.status === 'ok' ? ok(by) : s.gpuThrottleFractionByCause
          }
        },
        'default power limit'
      ),
      evidence: [
        `power limit set below default${byCause.power ? `; power-capped ${(byCause.power * 100).toFixed(0)}% of the observed time` : ''}`
      ],
      costClass: 'free',
      relaxes: 'power',
      costRank: 0
    })
  }
  if (machine.cpu.governor.status === 'ok' && machine.cpu.governor.value === 'powersave') {
    out.push({
      id: 'config-governor',
      kind: 'config',
      title: 'Set the CPU frequency governor to performance',
      machine: upgraded(
        machine,
        { cpu: { ...machine.cpu, governor: ok('performance') } },
        'performance governor'
      ),
      evidence: ['scaling_governor is powersave'],
      costClass: 'free',
      relaxes: 'cpu',
      costRank: 0,
      note: 'data loading and CPU-offloaded layers run at full clock'
    })
  }
  if (machine.onBattery.status === 'ok' && machine.onBattery.value) {
    out.push({
      id: 'config-battery',
      kind: 'config',
      title: 'Plug in to mains power',
      machine: upgraded(machine, { onBattery: ok(false) }, 'mains power'),
      evidence: ['running on battery: laptops cap GPU and CPU power'],
      costClass: 'free',
      relaxes: 'power',
      costRank: 0
    })
  }

  // Cooling: only when measured throttling shows thermal time.
  const thermal = byCause.thermal
  if (s && thermal !== undefined && thermal > 0) {
    const by = { ...byCause }
    delete by.thermal
    const observedS = s.gpuCoverage.observedSeconds
    const secs = thermal * observedS
    out.push({
      id: 'cooling',
      kind: 'cooling',
      title: 'Improve GPU cooling and case airflow',
      machine: upgraded(
        machine,
        {
          sustained: { ...s, gpuThrottleFractionByCause: ok(by), gpuThermalHeadroomCelsius: ok(15) }
        },
        'better cooling'
      ),
      evidence: [
        `GPU thermally throttled ${(thermal * 100).toFixed(1)}% of ${Math.round(observedS / 60)} min observed (${Math.round(secs)} s)`,
        ...(s.gpuThermalHeadroomCelsius.status === 'ok'
          ? [
              `closest approach to the slowdown limit: ${s.gpuThermalHeadroomCelsius.value.toFixed(0)} °C`
            ]
          : []),
        ...(s.sustainedClockRatio.status === 'ok'
          ? [`sustained clock ${(s.sustainedClockRatio.value * 100).toFixed(0)}% of max`]
          : [])
      ],
      costClass: 'part',
      relaxes: 'thermals',
      costRank: 1
    })
  }

  // RAM to the next valid sizes (only from a known size: "the next size" of an unknown one means nothing).
  if (
    machine.ramBytes.status === 'ok' &&
    (binding.has('host-ram') ||
      evals.some((e) => e.placement.kind === 'gpu-cpu-offload' || e.placement.kind === 'cpu-only'))
  ) {
    const cur = machine.ramBytes.value / 1e9
    RAM_SIZES_GB.filter((x) => x > cur * 1.05)
      .slice(0, 3)
      .forEach((size, k) => {
        const gpus = machine.gpus.map((g) => (g.unified ? g : g))
        out.push({
          id: `ram-${size}`,
          kind: 'ram',
          title: `RAM ${Math.round(cur)} → ${size} GB`,
          machine: upgraded(machine, { ramBytes: ok(size * 1e9), gpus }, `${size} GB RAM`),
          evidence: evals
            .filter((e) => e.binding === 'host-ram')
            .map((e) => `${e.profileId}: ${e.bindingDetail}`),
          costClass: 'part',
          relaxes: 'host-ram',
          costRank: 1 + k * 0.1
        })
      })
  }

  // Storage.
  if (
    binding.has('storage') ||
    machine.storage.kind === 'hdd' ||
    machine.storage.kind === 'sata-ssd'
  ) {
    out.push({
      id: 'storage-nvme',
      kind: 'storage',
      title: 'Add a 2 TB NVMe SSD for models, checkpoints and data',
      machine: upgraded(
        machine,
        { storage: { kind: 'nvme', freeBytes: ok(2e12), readMBps: ok(5000) } },
        'NVMe'
      ),
      evidence: [
        `data path is on ${machine.storage.kind}${machine.storage.freeBytes.status === 'ok' ? ` with ${gb(machine.storage.freeBytes.value)} free` : ''}`
      ],
      costClass: 'part',
      relaxes: 'storage',
      costRank: 1.5
    })
  }

  // GPUs.
  const discrete = machine.gpus.filter((g) => !g.unified)
  const knownVram = machine.gpus.map((x) => x.vramBytes).filter((r) => r.status === 'ok')
  const vramKnown = knownVram.length === machine.gpus.length
  if (gpuBound && (discrete.length > 0 || machine.gpus.length === 0)) {
    const g = discrete[0]
    if (g && g.vramBytes.status === 'ok' && vramKnown) {
      const gpus = [...machine.gpus, { ...g, pcieGen: g.pcieMaxGen, pcieWidth: g.pcieMaxWidth }]
      const psu = psuNote(gpus)
      out.push({
        id: `gpu-add-${g.specKey ?? 'same'}`,
        kind: 'gpu-add',
        title: `+${gb(g.vramBytes.value)} VRAM (${machine.gpus.length === 1 ? 'second' : 'another'} ${g.name})`,
        machine: upgraded(machine, { gpus }, `another ${g.name}`),
        evidence: [
          `GPU memory now ${gb(knownVram.reduce((a, x) => a + (x.status === 'ok' ? x.value : 0), 0))}`,
          ...(psu ? [psu] : [])
        ],
        costClass: 'part',
        relaxes: 'vram-capacity',
        costRank: 2
      })
    }
    // Largest known card; a card of unknown size is compared by bandwidth only.
    const curVram = Math.max(0, ...knownVram.map((x) => (x.status === 'ok' ? x.value : 0)))
    const curBw = Math.max(
      0,
      ...machine.gpus.map((x) =>
        x.memoryBandwidthGBps.status === 'ok' ? x.memoryBandwidthGBps.value : 0
      )
    )
    for (const spec of GPU_SPECS.filter((x) => installable(x, machine))) {
      if (spec.vramGb === null || spec.memBandwidthGBps === null) continue
      const more = spec.vramGb * 2 ** 30 > curVram * 1.05 || spec.memBandwidthGBps > curBw * 1.2
      if (!more || machine.gpus.some((x) => x.specKey === spec.key)) continue
      const newGpu = gpuFromSpec(spec)
      const noGpu = machine.gpus.length === 0
      const gpus = noGpu ? [newGpu] : [newGpu, ...machine.gpus.slice(1)]
      const psu = psuNote(gpus)
      const first = noGpu ? null : machine.gpus[0].vramBytes
      const dVram =
        first === null
          ? spec.vramGb * 2 ** 30
          : first.status === 'ok'
            ? spec.vramGb * 2 ** 30 - first.value
            : 0
      out.push({
        id: `gpu-${noGpu ? 'add' : 'replace'}-${spec.key}`,
        kind: noGpu ? 'gpu-add' : 'gpu-replace',
        title: noGpu
          ? `Add ${/^[AEIOU]/i.test(spec.name) ? 'an' : 'a'} ${spec.name} (${spec.vramGb} GB VRAM)`
          : `${dVram > 0 ? `+${gb(dVram)} VRAM: ` : ''}replace ${machine.gpus[0].name} with ${spec.name} (${spec.vramGb} GB, ${spec.memBandwidthGBps} GB/s)`,
        machine: upgraded(machine, { gpus }, spec.name),
        evidence: [`spec: ${spec.source}`, ...(psu ? [psu] : [])],
        costClass: 'part',
        relaxes: spec.vramGb * 2 ** 30 > curVram * 1.05 ? 'vram-capacity' : 'memory-bandwidth',
        costRank: 3 + spec.vramGb / 1000 + (spec.tdpWatts ?? 0) / 100000
      })
    }
  }
  return out
}

interface Simulated {
  cand: Candidate
  result: Evaluated
  item: AdviceItem
}

function speedText(e: ProfileEvaluation): string {
  const s = e.speed
  if (s.decodeTokensPerSec.status === 'ok')
    return `${s.decodeTokensPerSec.value >= 10 ? s.decodeTokensPerSec.value.toFixed(0) : s.decodeTokensPerSec.value.toFixed(1)} tok/s`
  if (s.trainHours.status === 'ok')
    return `${s.trainHours.value >= 10 ? s.trainHours.value.toFixed(0) : s.trainHours.value.toFixed(1)} h`
  if (s.ttftSeconds.status === 'ok') return `${s.ttftSeconds.value.toFixed(1)} s/image`
  if (s.prefillTokensPerSec.status === 'ok')
    return `${s.prefillTokensPerSec.value.toFixed(0)} tok/s`
  return e.score.status === 'ok' ? `score ${e.score.value}` : 'unknown'
}

function scoreOf(m: MachineScore): number | null {
  return m.score.status === 'ok' ? m.score.value : null
}

function simulate(cand: Candidate, profiles: WorkloadProfile[], base: Evaluated): Simulated {
  const result = evaluateAll(cand.machine, profiles)
  const pri = new Map(profiles.map((p) => [p.id, p.priority]))
  let impact = 0
  const unlocked: string[] = []
  const changes: { text: string; weight: number }[] = []
  result.profiles.forEach((after, i) => {
    const before = base.profiles[i]
    const sb = evaluationScore(before)
    const sa = evaluationScore(after)
    // A change from or to unknown has no size: it is listed, never counted as impact.
    const d = sb !== null && sa !== null ? sa - sb : 0
    const u =
      before.verdict === 'does-not-fit' &&
      after.verdict !== 'does-not-fit' &&
      after.verdict !== 'unknown'
    if (u) unlocked.push(after.profileId)
    const p = pri.get(after.profileId) ?? 1
    impact += p * (d + (u ? 50 : 0))
    if (d !== 0 || u || before.verdict !== after.verdict) {
      const same = before.verdict === after.verdict && speedText(before) === speedText(after)
      changes.push({
        text: same
          ? `${after.profileId} score ${sb ?? 'unknown'} → ${sa ?? 'unknown'}`
          : `${after.profileId} goes from ${before.verdict} ${speedText(before)} to ${after.verdict} ${speedText(after)}`,
        weight: p * (Math.abs(d) + (u ? 50 : 0))
      })
    }
  })
  const tb = scoreOf(base.training)
  const ta = scoreOf(result.training)
  const ib = scoreOf(base.inference)
  const ia = scoreOf(result.inference)
  const trainingDelta = tb !== null && ta !== null ? ta - tb : 0
  const inferenceDelta = ib !== null && ia !== null ? ia - ib : 0
  const parts = changes
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 3)
    .map((c) => c.text)
  if (inferenceDelta !== 0) parts.push(`inference score ${ib} → ${ia}`)
  if (trainingDelta !== 0) parts.push(`training score ${tb} → ${ta}`)
  if (cand.note) parts.push(cand.note)
  const effect = parts.length > 0 ? parts.join('; ') : 'no change for the selected profiles'
  return {
    cand,
    result,
    item: {
      id: cand.id,
      kind: cand.kind,
      title: cand.title,
      effect,
      evidence: cand.evidence,
      impact: Math.round(impact * 10) / 10,
      trainingDelta,
      inferenceDelta,
      unlocked,
      costClass: cand.costClass,
      relaxes: cand.relaxes
    }
  }
}

function simulateAll(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  base: Evaluated
): Simulated[] {
  return candidates(machine, base.profiles).map((c) => simulate(c, profiles, base))
}

/**
 * Ranked advice for a machine. Free fixes are kept even when the selected profiles do not move (they carry
 * their own evidence); paid items only when they raise a score or unlock a profile. At most two GPU
 * replacements (the best by impact) are listed.
 */
export function buildAdvice(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  base: Evaluated,
  limit = 8
): AdviceItem[] {
  const sims = simulateAll(machine, profiles, base)
  const useful = sims.filter((s) => s.cand.costClass === 'free' || s.item.impact > 0)
  const rank = (a: Simulated, b: Simulated): number =>
    b.item.impact - a.item.impact || a.cand.costRank - b.cand.costRank
  const replacements = useful
    .filter(
      (s) =>
        s.cand.kind === 'gpu-replace' || (s.cand.kind === 'gpu-add' && machine.gpus.length === 0)
    )
    .sort(rank)
    .slice(0, 2)
  const ramBest = useful
    .filter((s) => s.cand.kind === 'ram')
    .sort(rank)
    .slice(0, 1)
  const rest = useful.filter(
    (s) =>
      s.cand.kind !== 'gpu-replace' &&
      !(s.cand.kind === 'gpu-add' && machine.gpus.length === 0) &&
      s.cand.kind !== 'ram'
  )
  return [...rest, ...replacements, ...ramBest]
    .sort(rank)
    .slice(0, limit)
    .map((s) => s.item)
}

/**
 * The least upgrade that brings each below-target profile to a GPU-resident fit with a score ≥ 70, cheapest
 * candidate first; when none does, the capacity it would need.
 */
export function minimumUpgrades(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  base: Evaluated
): MinimumUpgrade[] {
  const known = (e: ProfileEvaluation): number => evaluationScore(e) ?? -Infinity
  // Unknown evaluations are left out: what would change them is knowing the input, not an upgrade.
  const needing = base.profiles.filter(
    (e) =>
      e.verdict !== 'unknown' &&
      (known(e) < 70 || e.verdict === 'does-not-fit' || e.verdict === 'fits-with-offload')
  )
  if (needing.length === 0) return []
  const sims = simulateAll(machine, profiles, base).sort(
    (a, b) => a.cand.costRank - b.cand.costRank
  )
  return needing.map((e) => {
    const i = base.profiles.indexOf(e)
    const hit = sims.find((s) => {
      const a = s.result.profiles[i]
      return (a.verdict === 'fits-comfortably' || a.verdict === 'fits-tight') && known(a) >= 70
    })
    if (hit) {
      const a = hit.result.profiles[i]
      return {
        profileId: e.profileId,
        achievable: true,
        summary: `${hit.cand.title} → ${a.verdict}, ${speedText(a)}, score ${known(e)} → ${known(a)}`
      }
    }
    // Nothing reaches the bar: say how close the best single upgrade gets and what still binds it, rather
    // than quoting a memory figure the upgrade may already satisfy.
    const best = sims
      .map((sim) => sim.result.profiles[i])
      .filter((a) => evaluationScore(a) !== null)
      .reduce<ProfileEvaluation | null>((b, a) => (b === null || known(a) > known(b) ? a : b), null)
    if (best && best.verdict !== 'does-not-fit' && known(best) > known(e)) {
      const hitBest = sims.find((sim) => sim.result.profiles[i] === best)!
      return {
        profileId: e.profileId,
        achievable: false,
        summary: `no single upgrade reaches score 70; closest: ${hitBest.cand.title} → ${best.verdict}, ${speedText(best)}, score ${known(e)} → ${known(best)}, then bound by ${best.binding} (${best.bindingDetail})`
      }
    }
    const need = e.memory.requiredBytes / 0.9
    return {
      profileId: e.profileId,
      achievable: false,
      summary: `no single upgrade in the table reaches the target; needs about ${gb(need)} of ${machine.gpus.length > 0 || e.kind !== 'inference' ? 'GPU memory' : 'memory'} (required ÷ 0.9) — binding: ${e.binding}`
    }
  })
}
