/**
 * Purchase candidates for the constraints that bind, each with the parts to price and what the box needs:
 * a second GPU (the same card, or another card of the same vendor that has a price), a replacement GPU from
 * the spec table, an external GPU for laptops, RAM to the next sizes, an NVMe drive, and for unified-memory
 * machines (nothing to add) a machine with more memory from the price table.
 */
import type {
  Constraint,
  MachineGpu,
  MachineModel,
  ProfileEvaluation
} from '../../../shared/readiness'
import { ok } from '../../../shared/reading'
import type { GpuSpec } from '../../gpu-specs'
import { GPU_SPECS } from '../../gpu-specs'
import { findMachines, findPriceRow, quoteRow, type MachinePriceRow } from '../../prices'
import { evaluationScore } from '../evaluate'
import { gpuFromSpec } from '../machine'
import { cardPhysical, gpuFit, psuNeed, specOf } from './box'
import type { AdviceContext, Candidate, PartSpec } from './context'
import { gbText } from './context'
import { gpuPart, nvmePart, psuPart, ramPart, unpricedPart } from './pricing'

/** Standard RAM sizes (GB) an upgrade goes to. */
const RAM_SIZES_GB = [8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
/** Smallest card worth adding beside another (GiB). */
const MIN_ADDED_VRAM_GB = 12

function upgraded(
  machine: MachineModel,
  patch: Partial<MachineModel>,
  label: string
): MachineModel {
  return { ...machine, ...patch, origin: 'upgraded', label: `${machine.label} + ${label}` }
}

function bindingSet(evals: ProfileEvaluation[]): Set<Constraint> {
  // Unknown evaluations bind nothing: their constraint is an unknown input, not a measured limit.
  return new Set(
    evals
      .filter((e) => {
        const v = evaluationScore(e)
        return v !== null && v < 100
      })
      .map((e) => e.binding)
  )
}

/** Cards that fit a desktop: no SXM/OAM modules; datacenter cards only where one is already installed. */
function installable(spec: GpuSpec, machine: MachineModel): boolean {
  if (
    spec.vendor === 'apple' ||
    /sxm|hgx|oam|mi250|mi300|b200|h200/i.test(`${spec.key} ${spec.name}`)
  )
    return false
  if (/laptop|mobile/i.test(spec.name)) return false
  const hasDatacenter = machine.gpus.some((g) => specOf(g)?.segment === 'datacenter')
  return spec.segment !== 'datacenter' || hasDatacenter
}

function vramOf(gpus: readonly MachineGpu[]): number {
  return gpus.reduce((a, g) => a + (g.vramBytes.status === 'ok' ? g.vramBytes.value : 0), 0)
}

function hasPrice(ctx: AdviceContext, key: string): boolean {
  return ctx.prices !== null && findPriceRow(ctx.prices, key) !== undefined
}

function withLink(g: MachineGpu, lanes: number | null, gen: number | null): MachineGpu {
  return {
    ...g,
    pcieWidth:
      lanes !== null
        ? ok(Math.min(lanes, g.pcieMaxWidth.status === 'ok' ? g.pcieMaxWidth.value : lanes))
        : g.pcieMaxWidth,
    pcieGen:
      gen !== null
        ? ok(Math.min(gen, g.pcieMaxGen.status === 'ok' ? g.pcieMaxGen.value : gen))
        : g.pcieMaxGen
  }
}

function purchase(
  c: Omit<Candidate, 'free' | 'notes' | 'costClass'> & {
    notes?: string[]
    costClass?: Candidate['costClass']
  }
): Candidate {
  return { free: false, notes: [], costClass: 'part', ...c }
}

function gpuAddCandidates(ctx: AdviceContext, external: boolean): Candidate[] {
  const m = ctx.machine
  const discrete = m.gpus.filter((g) => !g.unified)
  const first = discrete[0]
  const vramKnown = m.gpus.every((g) => g.vramBytes.status === 'ok')
  if (!vramKnown) return []
  const specs: GpuSpec[] = []
  const same = first ? specOf(first) : undefined
  if (same && !(external && /laptop|mobile/i.test(same.name))) specs.push(same)
  for (const s of GPU_SPECS) {
    if (s === same || !installable(s, m) || s.vramGb === null || s.vramGb < MIN_ADDED_VRAM_GB)
      continue
    if (first && s.vendor !== first.vendor) continue
    if (!hasPrice(ctx, s.key)) continue
    specs.push(s)
  }
  const out: Candidate[] = []
  for (const spec of specs) {
    const g = gpuFromSpec(spec)
    const gpusAfter = [...m.gpus, g]
    const fit = gpuFit(ctx, spec, gpusAfter, external ? 'external' : 'add')
    const link = fit.link
    const added = link ? withLink(g, link.lanes, link.gen) : withLink(g, null, null)
    const part = gpuPart(spec.key, spec.name, { nowMs: ctx.nowMs, table: ctx.prices })
    const parts: PartSpec[] = [part, ...fit.parts]
    if (external)
      parts.push(unpricedPart('eGPU enclosure', 'eGPU enclosures are not in the price table'))
    const cardWords = part.what
    const sameCard = spec === same
    const psuWords = fit.parts.length > 0 ? ` + a ${fit.parts.map((p) => p.what).join(' + ')}` : ''
    out.push(
      purchase({
        id: `${external ? 'external-gpu' : 'gpu-add'}-${spec.key}`,
        kind: external ? 'external-gpu' : 'gpu-add',
        title: external
          ? `External GPU: ${cardWords} (${spec.vramGb} GiB) in a Thunderbolt/USB4 enclosure`
          : m.gpus.length === 0
            ? `Add ${cardWords} (${spec.vramGb} GiB VRAM)${psuWords}`
            : `+${spec.vramGb} GiB VRAM: ${sameCard ? (m.gpus.length === 1 ? 'a second ' : 'another ') : 'add '}${cardWords}${sameCard ? '' : ` beside the ${first?.name ?? 'GPU'}`}${psuWords}`,
        machine: upgraded(
          m,
          { gpus: [...m.gpus, added] },
          external ? `eGPU ${spec.name}` : `another ${spec.name}`
        ),
        evidence: [
          `GPU memory ${gbText(vramOf(m.gpus))} → ${gbText(vramOf([...m.gpus, added]))}${external ? ' (the eGPU holds its own layers)' : ''}`
        ],
        details: [`spec: ${spec.name} (${spec.source})`, ...fit.details],
        requires: fit.requires,
        blocked: fit.blocked,
        parts,
        relaxes: 'vram-capacity',
        costRank: 2,
        // The same card again is the option people think of first: it keeps its own place in the list.
        group: external ? 'external-gpu' : sameCard ? 'gpu-add-same' : 'gpu-add'
      })
    )
  }
  return out
}

function gpuReplaceCandidates(ctx: AdviceContext): Candidate[] {
  const m = ctx.machine
  const knownVram = m.gpus.map((x) => x.vramBytes).filter((r) => r.status === 'ok')
  if (m.gpus.length === 0 || knownVram.length !== m.gpus.length) return []
  const curVram = Math.max(0, ...knownVram.map((x) => (x.status === 'ok' ? x.value : 0)))
  const curBw = Math.max(
    0,
    ...m.gpus.map((x) => (x.memoryBandwidthGBps.status === 'ok' ? x.memoryBandwidthGBps.value : 0))
  )
  const old = m.gpus[0]
  const out: Candidate[] = []
  for (const spec of GPU_SPECS.filter((x) => installable(x, m))) {
    if (spec.vramGb === null || spec.memBandwidthGBps === null) continue
    const moreVram = spec.vramGb * 2 ** 30 > curVram * 1.05
    const more = moreVram || spec.memBandwidthGBps > curBw * 1.2
    if (!more || m.gpus.some((x) => x.specKey === spec.key)) continue
    // The new card goes in the old card's slot: it runs at that slot's measured link.
    const g = gpuFromSpec(spec)
    const placed: MachineGpu =
      old.pcieWidth.status === 'ok'
        ? withLink(g, old.pcieWidth.value, old.pcieGen.status === 'ok' ? old.pcieGen.value : null)
        : g
    const gpus = [placed, ...m.gpus.slice(1)]
    const fit = gpuFit(ctx, spec, gpus, 'replace')
    const part = gpuPart(spec.key, spec.name, { nowMs: ctx.nowMs, table: ctx.prices })
    const first = old.vramBytes.status === 'ok' ? old.vramBytes.value : 0
    const dVram = spec.vramGb * 2 ** 30 - first
    const psuWords = fit.parts.length > 0 ? ` + a ${fit.parts.map((p) => p.what).join(' + ')}` : ''
    out.push(
      purchase({
        id: `gpu-replace-${spec.key}`,
        kind: 'gpu-replace',
        title: `${dVram > 0.5 * 2 ** 30 ? `+${gbText(dVram)} VRAM: ` : ''}replace the ${old.name} with ${part.what} (${spec.vramGb} GB, ${spec.memBandwidthGBps} GB/s)${psuWords}`,
        machine: upgraded(m, { gpus }, spec.name),
        evidence: [
          `GPU memory ${gbText(vramOf(m.gpus))} → ${gbText(vramOf(gpus))}; memory bandwidth ${curBw} → ${spec.memBandwidthGBps} GB/s`
        ],
        details: [`spec: ${spec.name} (${spec.source})`, ...fit.details],
        requires: fit.requires,
        blocked: fit.blocked,
        parts: [part, ...fit.parts],
        relaxes: moreVram ? 'vram-capacity' : 'memory-bandwidth',
        costRank: 3 + spec.vramGb / 1000 + (spec.tdpWatts ?? 0) / 100000,
        group: 'gpu-replace'
      })
    )
  }
  return out
}

/** Installed RAM as the nearest standard kit size (GiB), from the bytes the OS reports (or a GB figure). */
function installedRamGb(bytes: number): number {
  const gib = bytes / 2 ** 30
  const gb = bytes / 1e9
  const near = RAM_SIZES_GB.find((s) => Math.abs(s - gib) / s < 0.08 || Math.abs(s - gb) / s < 0.08)
  return near ?? Math.round(gib)
}

function ramCandidates(ctx: AdviceContext): Candidate[] {
  const m = ctx.machine
  if (m.ramBytes.status !== 'ok') return []
  const cur = installedRamGb(m.ramBytes.value)
  const laptop = ctx.box.formFactor === 'laptop'
  const type = ctx.ramType.status === 'ok' ? ctx.ramType.value : null
  const modules = ctx.ramModules.status === 'ok' ? ctx.ramModules.value : null
  const bound = ctx.base.profiles.filter((e) => e.binding === 'host-ram')
  return RAM_SIZES_GB.filter((x) => x > cur)
    .slice(0, 3)
    .map((size, k) => {
      const requires: string[] = []
      let part: PartSpec
      const add = size === 2 * cur
      if (laptop) {
        part = unpricedPart(
          `${size} GiB SO-DIMM kit`,
          'laptop SO-DIMM kits are not in the price table'
        )
        requires.push('socketed SO-DIMM slots (many laptops solder their RAM)')
      } else if (type === null) {
        part = unpricedPart(
          `${add ? cur : size} GiB RAM kit`,
          `RAM type unknown (${ctx.ramType.status === 'unavailable' ? (ctx.ramType.detail ?? ctx.ramType.reason) : ''})`
        )
      } else if (add) {
        part = ramPart(type, cur, `${type} kit of ${cur} GiB (added beside yours)`, ctx.nowMs)
        requires.push(
          modules !== null
            ? `${modules} free DIMM slots beside the ${modules} modules installed (4 on most desktop boards)`
            : 'free DIMM slots for a second kit'
        )
      } else part = ramPart(type, size, `${type} kit of ${size} GiB (replaces yours)`, ctx.nowMs)
      return purchase({
        id: `ram-${size}`,
        kind: 'ram',
        title: `RAM ${cur} → ${size} GiB`,
        machine: upgraded(m, { ramBytes: ok(size * 2 ** 30) }, `${size} GiB RAM`),
        evidence: bound.map((e) => `${e.label}: ${e.bindingDetail}`),
        details: [
          'four DIMMs often run below the kit rating on DDR5 desktop boards (check the board QVL)'
        ],
        requires,
        parts: [part],
        relaxes: 'host-ram',
        costRank: 1 + k * 0.1,
        group: 'ram'
      })
    })
}

function storageCandidate(ctx: AdviceContext, binding: Set<Constraint>): Candidate | null {
  const m = ctx.machine
  if (!(binding.has('storage') || m.storage.kind === 'hdd' || m.storage.kind === 'sata-ssd'))
    return null
  return purchase({
    id: 'storage-nvme',
    kind: 'storage',
    title: 'Add a 2 TB NVMe SSD for models, checkpoints and data',
    machine: upgraded(
      m,
      { storage: { kind: 'nvme', freeBytes: ok(2e12), readMBps: ok(5000) } },
      'NVMe'
    ),
    evidence: [
      `data path is on ${m.storage.kind}${m.storage.freeBytes.status === 'ok' ? ` with ${gbText(m.storage.freeBytes.value)} free` : ''}`
    ],
    details: [],
    requires: ['a free M.2 slot'],
    parts: [nvmePart(2, ctx.nowMs)],
    relaxes: 'storage',
    costRank: 1.5,
    group: 'storage'
  })
}

/** The spec row of a machine price row: its own key, else the Apple row of the same chip and core count. */
function machineSpec(row: MachinePriceRow): GpuSpec | undefined {
  if (row.gpuSpecKey !== null) return GPU_SPECS.find((s) => s.key === row.gpuSpecKey)
  const chip = row.chip.toLowerCase()
  return GPU_SPECS.find(
    (s) =>
      s.vendor === 'apple' &&
      s.name.toLowerCase().includes(`${chip} (`) &&
      s.name.includes(`(${row.gpuCores}-core GPU)`)
  )
}

function machineCandidates(ctx: AdviceContext): Candidate[] {
  const m = ctx.machine
  if (ctx.prices === null || m.ramBytes.status !== 'ok') return []
  const cur = installedRamGb(m.ramBytes.value)
  const out: Candidate[] = []
  for (const row of findMachines(ctx.prices, { minUnifiedMemoryGb: cur + 1 })) {
    const spec = machineSpec(row)
    const parts: PartSpec[] = [
      { what: row.name, lookup: (t) => quoteRow(t, row, { condition: 'new', nowMs: ctx.nowMs }) }
    ]
    const ramBytes = row.unifiedMemoryGb * 2 ** 30
    const base = {
      id: `machine-${row.key}`,
      kind: 'machine' as const,
      title: `A ${row.name} (unified memory cannot be upgraded)`,
      evidence: [`unified memory now ${cur} GiB; ${row.unifiedMemoryGb} GiB in the ${row.name}`],
      details: spec ? [`spec: ${spec.source}`] : [],
      requires: [],
      parts,
      relaxes: 'vram-capacity' as const,
      costRank: 4 + row.unifiedMemoryGb / 1000,
      group: 'machine' as const,
      costClass: 'platform' as const
    }
    if (!spec) {
      out.push(
        purchase({
          ...base,
          machine: m,
          blocked: `no spec-table row for the ${row.chip} with a ${row.gpuCores}-core GPU: its effect cannot be estimated`
        })
      )
      continue
    }
    const g = gpuFromSpec(spec, { ramBytes })
    out.push(
      purchase({
        ...base,
        machine: {
          ...m,
          origin: 'upgraded',
          label: row.name,
          gpus: [g],
          ramBytes: ok(ramBytes),
          ramBandwidthGBps: g.memoryBandwidthGBps
        }
      })
    )
  }
  return out
}

/** A PSU below what the GPUs already in the box need (user-given rating). */
function psuCandidate(ctx: AdviceContext): Candidate | null {
  const psu = ctx.box.psuWatts
  if (psu.status !== 'ok' || ctx.machine.gpus.filter((g) => !g.unified).length === 0) return null
  const need = psuNeed(ctx.machine.gpus)
  if (need.watts === null || psu.value >= need.watts) return null
  const connectors = ctx.machine.gpus.some((g) =>
    /16-pin/i.test(cardPhysical(specOf(g)).powerConnectors ?? '')
  )
  return purchase({
    id: 'psu',
    kind: 'psu',
    title: `Replace the ${psu.value} W power supply: the GPUs and CPU need ≥ ${need.watts} W`,
    machine: ctx.machine,
    evidence: [`PSU ${psu.value} W (given); ${need.formula}`],
    details: [
      'an undersized PSU shuts down or brakes the GPU on load spikes: recent cards draw short peaks above their TDP, which the 1.1 × 1.1 margin covers'
    ],
    notes: ['no score changes: it keeps a long run from shutting down under load spikes'],
    requires: [],
    parts: [psuPart(need.watts, connectors, ctx.nowMs)],
    relaxes: 'power',
    costRank: 1.2,
    keepWithoutImpact: true
  })
}

/** Every purchase candidate for the machine and its base evaluation. */
export function purchaseCandidates(ctx: AdviceContext): Candidate[] {
  const evals = ctx.base.profiles
  const binding = bindingSet(evals)
  const offloaded = evals.some(
    (e) => e.placement.kind === 'gpu-cpu-offload' || e.placement.kind === 'cpu-only'
  )
  const gpuBound =
    ['vram-capacity', 'memory-bandwidth', 'compute', 'precision', 'software'].some((c) =>
      binding.has(c as Constraint)
    ) || offloaded
  const out: Candidate[] = []
  const ff = ctx.box.formFactor
  if (ff === 'unified') {
    if (gpuBound || binding.has('host-ram')) out.push(...machineCandidates(ctx))
  } else {
    if (binding.has('host-ram') || offloaded) out.push(...ramCandidates(ctx))
    if (gpuBound) {
      if (ff === 'laptop') out.push(...gpuAddCandidates(ctx, true))
      else {
        out.push(...gpuAddCandidates(ctx, false))
        out.push(...gpuReplaceCandidates(ctx))
      }
    }
  }
  const st = storageCandidate(ctx, binding)
  if (st) out.push(st)
  const psu = psuCandidate(ctx)
  if (psu) out.push(psu)
  return out
}
