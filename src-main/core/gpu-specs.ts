/**
 * The GPU spec table (resources/gpu-specs.json) and matching of driver-reported names to its rows.
 *
 * Names come in many spellings: `NVIDIA GeForce RTX 4090`, `NVIDIA H100 80GB HBM3`, `NVIDIA A100-SXM4-80GB`,
 * `Tesla T4`, `AMD Radeon RX 7900 XTX`, `Navi 31`, `gfx1100`, `Apple M2 Max`. Matching normalises case, vendor
 * words and punctuation, requires every model token of a row, rejects rows when the name carries a model
 * modifier the row lacks (Ti, SUPER, XTX, Max, Laptop…), and prefers the row whose VRAM agrees with the
 * measured VRAM. No match returns null: an unknown GPU still gets its measured facts.
 */
import table from '../../resources/gpu-specs.json'
import type { Confidence } from '../shared/readiness'
import type { GpuVendor } from '../shared/telemetry'
import { matchName } from './names'

/** One row of the spec table. */
export interface GpuSpec {
  key: string
  name: string
  vendor: GpuVendor
  arch: string
  gfxTarget: string | null
  segment: 'consumer' | 'workstation' | 'datacenter' | 'apple'
  computeCapability: string | null
  /** GiB as reported by drivers (the marketing "GB"). For Apple: the largest unified-memory configuration. */
  vramGb: number | null
  memBandwidthGBps: number | null
  fp32Tflops: number | null
  /** Dense fp16/bf16 tensor TFLOPS with fp32 accumulate; null without matrix units. */
  tensorTflopsDense: number | null
  tdpWatts: number | null
  pcieGen: number | null
  pcieWidth: number | null
  /** Power connectors of the reference / Founders Edition board (`1x 16-pin`, `2x 8-pin`, `none`); null unknown. */
  powerConnectors: string | null
  /** Length of the reference board in mm (partner cards are often longer); null unknown. */
  boardLengthMm: number | null
  /** Expansion slots the reference board occupies (2, 2.5, 3); null unknown. */
  slotWidth: number | null
  source: string
  unverifiedFields: string[]
  confidence: Confidence
}

/** Memory technology of a GPU: decode efficiency differs between HBM, GDDR and Apple unified memory. */
export type GpuMemoryType = 'hbm' | 'gddr' | 'unified'

/** The memory type of a spec row (from its vendor, name and architecture). */
export function memoryTypeOf(spec: GpuSpec): GpuMemoryType {
  if (spec.vendor === 'apple') return 'unified'
  if (
    /\b(A100|A800|H100|H800|H200|H20|B100|B200|GB200|V100|P100|MI\d{2,3}X?)\b|GA100|GH100|GB100|GV100|CDNA/i.test(
      `${spec.name} ${spec.arch}`
    )
  )
    return 'hbm'
  return 'gddr'
}

/** Apple GPU generation of a spec row (`M1`…`M4`), or null for other vendors. */
export function appleGenerationOf(spec: GpuSpec): 'M1' | 'M2' | 'M3' | 'M4' | null {
  if (spec.vendor !== 'apple') return null
  const m = /\bM([1-4])\b/.exec(`${spec.arch} ${spec.name}`)
  return m ? (`M${m[1]}` as 'M1' | 'M2' | 'M3' | 'M4') : null
}

/** A match and how far to trust it. */
export interface SpecMatch {
  spec: GpuSpec
  confidence: Confidence
  /** Why the confidence is what it is. */
  note: string
}

/** All rows of the built-in table. */
export const GPU_SPECS: readonly GpuSpec[] = (table as { rows: GpuSpec[] }).rows

const DROP = new Set([
  'nvidia',
  'amd',
  'ati',
  'intel',
  'apple',
  'geforce',
  'radeon',
  'tesla',
  'graphics',
  'gpu',
  'corporation',
  'r',
  'tm',
  'generation',
  'advanced',
  'micro',
  'devices',
  'inc',
  'chip'
])
/** Tokens that make a different product when present (a row must carry them to match). */
const MODIFIERS = new Set([
  'ti',
  'super',
  'xt',
  'xtx',
  'max',
  'ultra',
  'pro',
  'laptop',
  'mobile',
  'maxq',
  'd',
  'ada',
  'nvl',
  'le',
  'se',
  'gre',
  'm'
])
const FORM: Record<string, string> = {
  sxm: 'sxm',
  sxm2: 'sxm',
  sxm3: 'sxm',
  sxm4: 'sxm',
  sxm5: 'sxm',
  hgx: 'sxm',
  hbm3: 'sxm',
  hbm3e: 'sxm',
  pcie: 'pcie'
}
const NAVI: Record<string, string> = {
  'navi 31': 'gfx1100',
  'navi 32': 'gfx1101',
  'navi 21': 'gfx1030',
  aldebaran: 'gfx90a'
}

interface Tokens {
  core: string[]
  forms: string[]
  sizeGb: number | null
  /** GPU core count written in the name (`(24-core GPU)`, `24-core`), Apple chips. */
  gpuCores: number | null
}

function tokenize(name: string, forRow: boolean): Tokens {
  let s = name.toLowerCase().replace(/\((r|tm)\)/g, ' ')
  const cores = /\b(\d+)[- ]?(?:core|c)\b/.exec(s)
  const gpuCores = cores ? Number(cores[1]) : null
  s = s.replace(/\b(\d+)[- ]?(?:core|c)\b/g, ' ')
  // Parenthesised detail in table names ("(32-core GPU)", "(GDDR5)", "(HGX)") is optional for matching.
  if (forRow)
    s = s.replace(/\(([^)]*)\)/g, (_m, inner: string) => (/hgx/.test(inner) ? ' hgx ' : ' '))
  s = s.replace(/max-q/g, 'maxq').replace(/[^a-z0-9.]+/g, ' ')
  const core: string[] = []
  const forms: string[] = []
  let sizeGb: number | null = null
  for (const t of s.split(' ').filter(Boolean)) {
    if (DROP.has(t)) continue
    const size = /^(\d+)gb$/.exec(t)
    if (size) {
      sizeGb = Number(size[1])
      continue
    }
    if (t in FORM) {
      forms.push(FORM[t])
      continue
    }
    core.push(t)
  }
  return { core, forms, sizeGb, gpuCores }
}

const ROW_TOKENS = new Map<string, Tokens>(GPU_SPECS.map((r) => [r.key, tokenize(r.name, true)]))

function vramAgrees(spec: GpuSpec, vramGiB: number | null): boolean | null {
  if (vramGiB === null || spec.vramGb === null) return null
  if (spec.vendor === 'apple') return vramGiB <= spec.vramGb + 0.5
  return Math.abs(vramGiB - spec.vramGb) / spec.vramGb <= 0.1
}

function lower(c: Confidence): Confidence {
  return c === 'high' ? 'medium' : 'low'
}

/**
 * Finds the spec row for a driver-reported GPU name.
 *
 * `vramBytes` (measured) breaks ties and flags mismatches; `gfxTarget` (AMD) is used when the name alone
 * does not identify the card. Returns null when no row matches.
 */
export function matchGpuSpec(
  name: string,
  opts: { vramBytes?: number; gfxTarget?: string; table?: readonly GpuSpec[] } = {}
): SpecMatch | null {
  const rows = opts.table ?? GPU_SPECS
  const vramGiB =
    opts.vramBytes !== undefined && opts.vramBytes > 0 ? opts.vramBytes / 2 ** 30 : null
  const q = tokenize(name, false)
  const qset = new Set(q.core)
  let best: { spec: GpuSpec; score: number } | null = null
  let tie = false
  for (const spec of rows) {
    const rt = rows === GPU_SPECS ? ROW_TOKENS.get(spec.key) : tokenize(spec.name, true)
    if (!rt || rt.core.length === 0) continue
    if (!rt.core.every((t) => qset.has(t))) continue
    const rset = new Set(rt.core)
    if (q.core.some((t) => MODIFIERS.has(t) && !rset.has(t))) continue
    if (q.gpuCores !== null && rt.gpuCores !== null && q.gpuCores !== rt.gpuCores) continue
    let score = rt.core.length * 10
    if (q.gpuCores !== null && rt.gpuCores === q.gpuCores) score += 4
    for (const f of q.forms) score += rt.forms.includes(f) ? 5 : -5
    const size = q.sizeGb ?? vramGiB
    if (size !== null && spec.vramGb !== null)
      score += Math.abs(size - spec.vramGb) / spec.vramGb <= 0.1 ? 3 : -3
    if (best === null || score > best.score) {
      best = { spec, score }
      tie = false
    } else if (score === best.score) tie = true
  }
  if (best === null) {
    const byGfx = matchByGfx(name, opts.gfxTarget, vramGiB, rows)
    return byGfx
  }
  const agrees = vramAgrees(best.spec, vramGiB)
  if (agrees === false) {
    return {
      spec: best.spec,
      confidence: 'low',
      note: `name matches ${best.spec.name} but measured VRAM ${vramGiB?.toFixed(1)} GiB differs from its ${best.spec.vramGb} GB`
    }
  }
  if (tie)
    return {
      spec: best.spec,
      confidence: lower(best.spec.confidence),
      note: `name is ambiguous; picked ${best.spec.name}`
    }
  return { spec: best.spec, confidence: best.spec.confidence, note: noteFor(best.spec) }
}

function noteFor(spec: GpuSpec): string {
  return spec.unverifiedFields.length > 0
    ? `spec row ${spec.name}; unverified: ${spec.unverifiedFields.join(', ')}`
    : `spec row ${spec.name}`
}

function matchByGfx(
  name: string,
  gfxTarget: string | undefined,
  vramGiB: number | null,
  table: readonly GpuSpec[]
): SpecMatch | null {
  const lowerName = name.toLowerCase()
  let gfx = gfxTarget?.toLowerCase().trim() ?? /gfx[0-9a-f]+/.exec(lowerName)?.[0] ?? null
  if (gfx === null) {
    for (const [navi, g] of Object.entries(NAVI))
      if (lowerName.replace(/[^a-z0-9]+/g, ' ').includes(navi)) gfx = g
  }
  if (gfx === null) return null
  const rows = table.filter((r) => r.gfxTarget === gfx)
  if (rows.length === 0) return null
  const agreeing = rows.filter((r) => vramAgrees(r, vramGiB) === true)
  if (agreeing.length === 1)
    return {
      spec: agreeing[0],
      confidence: lower(agreeing[0].confidence),
      note: `${gfx} with ${vramGiB?.toFixed(0)} GiB → ${agreeing[0].name}`
    }
  // Several cards share a die: pick the one with the most VRAM that is consistent, else the first, and say so.
  const pool = agreeing.length > 0 ? agreeing : rows
  const pick = [...pool].sort((a, b) => (b.vramGb ?? 0) - (a.vramGb ?? 0))[0]
  return {
    spec: pick,
    confidence: 'low',
    note: `${gfx} is shared by ${rows.map((r) => r.name).join(', ')}; assumed ${pick.name}`
  }
}

/** Looks a row up by key or by a user-typed name (for `rigready estimate --gpu`). */
export function findGpuSpec(query: string): GpuSpec | null {
  const byKey = GPU_SPECS.find((r) => r.key === query.toLowerCase())
  if (byKey) return byKey
  return matchGpuSpec(query)?.spec ?? null
}

/** Rows whose names share tokens with a query, best first (for "did you mean" messages). */
export function closeGpuMatches(query: string, limit = 5): GpuSpec[] {
  const q = tokenize(query, false).core
  const scored = GPU_SPECS.map((spec) => {
    const rt = ROW_TOKENS.get(spec.key)?.core ?? []
    let s = 0
    for (const t of q) {
      if (rt.includes(t)) s += 2
      else if (
        rt.some(
          (r) => r.startsWith(t) || t.startsWith(r) || (t.length >= 3 && r.includes(t.slice(0, 3)))
        )
      )
        s += 1
    }
    return { spec, s }
  })
  return scored
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s)
    .slice(0, limit)
    .map((x) => x.spec)
}

/** Family words a user may leave out (`4090` for `GeForce RTX 4090`). */
const FAMILY = new Set(['rtx', 'gtx', 'rx', 'arc', 'quadro', 'instinct'])

/**
 * The spellings a row answers to: its name, the name without vendor words or parentheses, its key. Apple
 * chips sold with several GPU core counts answer to the bare chip name (`M1 Max`) only for the full chip;
 * the binned variant answers to `M1 Max 24-core` / `M1 Max 24c`, so `--gpu "M1 Max"` is never ambiguous and
 * the row it resolves to names its core count.
 */
export function gpuNameAliases(spec: GpuSpec): string[] {
  const bare = spec.name.replace(/\([^)]*\)/g, ' ').trim()
  const noVendor = bare.replace(/^(NVIDIA|GeForce|AMD|Radeon|Apple|Intel|Tesla)\s+/gi, '')
  const cores = ROW_TOKENS.get(spec.key)?.gpuCores ?? null
  if (spec.vendor === 'apple' && cores !== null) {
    const withCores = [
      `${noVendor} ${cores}-core`,
      `${noVendor} ${cores}c`,
      `${bare} ${cores}-core`
    ]
    const siblings = GPU_SPECS.filter(
      (o) => o.vendor === 'apple' && o.name.replace(/\([^)]*\)/g, ' ').trim() === bare
    )
    const most = Math.max(...siblings.map((o) => ROW_TOKENS.get(o.key)?.gpuCores ?? 0))
    return cores === most
      ? [spec.name, bare, noVendor, spec.key, ...withCores]
      : [spec.name, spec.key, ...withCores]
  }
  return [spec.name, bare, noVendor, noVendor.replace(/^(GeForce|Radeon)\s+/i, ''), spec.key]
}

/**
 * Among candidates a name contains, the ones the query names completely: every model token of the row
 * (family words such as `RTX` aside) is in the query, and a size the query gives (`16GB`) is the row's.
 * `4060` → RTX 4060 (not the Ti rows); `4060 Ti` → both Ti rows (8 and 16 GB: ambiguous until the size is
 * given).
 */
function namedCompletely(query: string, candidates: readonly GpuSpec[]): GpuSpec[] {
  const q = tokenize(query, false)
  const qset = new Set(q.core.filter((t) => !FAMILY.has(t)))
  return candidates.filter((spec) => {
    const rt = ROW_TOKENS.get(spec.key)
    if (!rt) return false
    if (!rt.core.filter((t) => !FAMILY.has(t)).every((t) => qset.has(t))) return false
    if (q.sizeGb !== null && spec.vramGb !== null && Math.abs(q.sizeGb - spec.vramGb) > 1)
      return false
    return q.gpuCores === null || rt.gpuCores === null || rt.gpuCores === q.gpuCores
  })
}

/** Result of resolving a user-typed GPU name. */
export type GpuNameResult = { ok: true; spec: GpuSpec } | { ok: false; message: string }

/**
 * Resolves `--gpu NAME` against the table: exact or unique matches resolve; ambiguous names and unknown names
 * come back with a message listing candidates ("did you mean"), never a silent pick.
 */
export function resolveGpuName(query: string): GpuNameResult {
  const r = matchName(query, GPU_SPECS, gpuNameAliases, 5, 40)
  if (r.kind === 'exact' || r.kind === 'unique') return { ok: true, spec: r.item }
  if (r.kind === 'ambiguous') {
    const complete = namedCompletely(query, r.items)
    if (complete.length === 1) return { ok: true, spec: complete[0] }
    const listed = (complete.length > 1 ? complete : r.items).slice(0, 12)
    return {
      ok: false,
      message: `GPU "${query}" is ambiguous: ${listed.map((s) => s.name).join(', ')}${
        listed.some((s) => /\d+GB$/.test(s.name)) ? ' (add the memory size, e.g. "16GB")' : ''
      }`
    }
  }
  const sugg = r.suggestions.length > 0 ? r.suggestions : closeGpuMatches(query)
  return {
    ok: false,
    message: `unknown GPU "${query}"${sugg.length > 0 ? `; did you mean: ${sugg.map((s) => s.name).join(', ')}?` : ' (see `rigready list gpus`)'}`
  }
}
