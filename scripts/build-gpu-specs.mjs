#!/usr/bin/env node
/**
 * Builds resources/gpu-specs.json from two spec tables:
 *
 * 1. the research table `../shared/data/gpu-specs.csv` (beside the clone; read-only), and
 * 2. the project's own table `resources/data/gpu-specs-extra.csv` (sources: gpu-specs-extra-sources.md).
 *
 * Usage: node scripts/build-gpu-specs.mjs [research.csv] [extra.csv] [output.json]
 *
 * Rows of the extra table with a name the research table has only fill the fields they give (board facts);
 * the others are appended. Each row keeps its source string; `unverified:` notes become `unverifiedFields`
 * and a confidence (none → high, some → medium, all → low). Numbers are parsed; empty cells are unknown
 * (null), `NA`/`n/a` not applicable (null). `pcie_gen` "4.0 (x8)" becomes gen 4, width 8 (16 otherwise).
 * Keys are the slug of the name and never change for an existing row. No dependencies.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const researchPath = resolve(repoRoot, process.argv[2] ?? '../shared/data/gpu-specs.csv')
const extraPath = resolve(repoRoot, process.argv[3] ?? 'resources/data/gpu-specs-extra.csv')
const output = resolve(repoRoot, process.argv[4] ?? 'resources/gpu-specs.json')

/** Splits one CSV line, honouring double quotes. */
function splitCsvLine(line) {
  const out = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out.map((s) => s.trim())
}

/** Parses a CSV text into objects keyed by the header (every row must have every column). */
function parseCsv(text, label) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  const header = splitCsvLine(lines[0])
  return lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line)
    if (cells.length !== header.length)
      throw new Error(`${label} row ${i + 2}: ${cells.length} cells, expected ${header.length}`)
    return Object.fromEntries(header.map((h, j) => [h, cells[j]]))
  })
}

function num(s) {
  if (s === undefined || /^(na|n\/a|)$/i.test(s)) return null
  const n = Number(s)
  if (!Number.isFinite(n)) throw new Error(`not a number: ${s}`)
  return n
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/[()]/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

const VENDORS = { NVIDIA: 'nvidia', AMD: 'amd', Apple: 'apple', Intel: 'intel' }
/** Field tokens the `unverified:` notes use. */
const ALL_FIELDS = ['vram', 'bw', 'fp32', 'tensor', 'tdp', 'cc', 'pcie', 'conn', 'length', 'slots']
/** The fields estimates use (memory, bandwidth, compute, power, link). */
const CORE_FIELDS = ['vram', 'bw', 'fp32', 'tensor', 'tdp', 'cc', 'pcie']
/** Which token covers which CSV column (for merging: a column the extra row fills clears its token). */
const FIELD_OF_COLUMN = {
  vram_gb: 'vram',
  mem_bw_gbs: 'bw',
  fp32_tflops: 'fp32',
  fp16_tensor_tflops_dense: 'tensor',
  tdp_w: 'tdp',
  cc: 'cc',
  pcie_gen: 'pcie',
  power_connectors: 'conn',
  length_mm: 'length',
  slot_width: 'slots'
}

function segmentOf(name, vendor) {
  if (vendor === 'apple') return 'apple'
  if (/^(geforce|radeon rx|intel arc)/i.test(name)) return 'consumer'
  if (/^(rtx |quadro )/i.test(name)) return 'workstation'
  return 'datacenter'
}

function unverifiedOf(source) {
  const unv = /unverified:\s*([^)]*)\)/i.exec(source)
  // The research table writes `fp16` for the matrix rate.
  const fields = unv
    ? unv[1]
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((f) => (f === 'fp16' ? 'tensor' : f))
    : []
  return fields.includes('all') ? [...ALL_FIELDS] : fields
}

/** Merges an extra row into a research row: filled cells win, their fields are re-sourced. */
function mergeRow(base, extra) {
  const merged = { ...base }
  const baseUnverified = new Set(unverifiedOf(base.source))
  for (const [col, value] of Object.entries(extra)) {
    if (col === 'name' || col === 'source' || value === '') continue
    merged[col] = value
    if (FIELD_OF_COLUMN[col]) baseUnverified.delete(FIELD_OF_COLUMN[col])
  }
  const extraUnverified = unverifiedOf(extra.source)
  const all = [...new Set([...baseUnverified, ...extraUnverified])]
  const strip = (s) => s.replace(/\s*\(unverified:[^)]*\)/i, '').trim()
  merged.source = `${strip(base.source)}; ${strip(extra.source)}${all.length > 0 ? ` (unverified: ${all.join(' ')})` : ''}`
  return merged
}

function toSpec(r, i) {
  const vendor = VENDORS[r.vendor]
  if (!vendor) throw new Error(`row ${i + 2} (${r.name}): unknown vendor ${r.vendor}`)
  if (!r.source) throw new Error(`row ${i + 2} (${r.name}): no source`)
  const unverifiedFields = unverifiedOf(r.source)
  // Confidence is about the figures the estimates use; unverified board facts do not lower it.
  const core = unverifiedFields.filter((f) => CORE_FIELDS.includes(f))
  const confidence =
    core.length === CORE_FIELDS.length ? 'low' : core.length > 0 ? 'medium' : 'high'
  const pcie = /^(\d+(?:\.\d+)?)\s*(?:\(x(\d+)\))?$/.exec(r.pcie_gen ?? '')
  const gfx = /gfx[0-9a-f]+/i.exec(r.arch)
  const connectors = r.power_connectors ?? ''
  return {
    key: slug(r.name),
    name: r.name,
    vendor,
    arch: r.arch,
    gfxTarget: gfx ? gfx[0].toLowerCase() : null,
    segment: segmentOf(r.name, vendor),
    computeCapability: /^\d+\.\d+$/.test(r.cc) ? r.cc : null,
    vramGb: num(r.vram_gb),
    memBandwidthGBps: num(r.mem_bw_gbs),
    fp32Tflops: num(r.fp32_tflops),
    tensorTflopsDense: num(r.fp16_tensor_tflops_dense),
    tdpWatts: num(r.tdp_w),
    pcieGen: pcie ? Math.round(Number(pcie[1])) : null,
    pcieWidth: pcie ? Number(pcie[2] ?? 16) : null,
    powerConnectors: connectors === '' ? null : connectors,
    boardLengthMm: num(r.length_mm),
    slotWidth: num(r.slot_width),
    source: r.source,
    unverifiedFields,
    confidence
  }
}

const research = parseCsv(await readFile(researchPath, 'utf8'), 'research table')
const extra = parseCsv(await readFile(extraPath, 'utf8'), 'extra table')
const byName = new Map(research.map((r) => [r.name, r]))
const appended = []
for (const e of extra) {
  const base = byName.get(e.name)
  if (base) byName.set(e.name, mergeRow(base, e))
  else if (appended.some((a) => a.name === e.name)) throw new Error(`duplicate row ${e.name}`)
  else appended.push(e)
}
const rows = [...byName.values(), ...appended].map(toSpec)
const keys = new Set()
for (const r of rows) {
  if (keys.has(r.key)) throw new Error(`duplicate key ${r.key}`)
  keys.add(r.key)
}
const doc = {
  generatedFrom:
    'gpu-specs.csv (readiness research spec table) + resources/data/gpu-specs-extra.csv; rebuild with scripts/build-gpu-specs.mjs',
  units: {
    vramGb: 'GiB as reported by the driver (marketing GB)',
    memBandwidthGBps: 'GB/s',
    tflops: '1e12 FLOP/s dense',
    tdpWatts: 'W',
    boardLengthMm: 'mm (reference / Founders Edition board)',
    slotWidth: 'expansion slots (reference board)'
  },
  rows
}
await writeFile(output, JSON.stringify(doc, null, 2) + '\n')
console.log(`wrote ${rows.length} GPUs (${appended.length} from the extra table) to ${output}`)
