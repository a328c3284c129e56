#!/usr/bin/env node
/**
 * Builds resources/gpu-specs.json from the research spec table (../shared/data/gpu-specs.csv, beside the clone).
 *
 * Usage: node scripts/build-gpu-specs.mjs [input.csv] [output.json]
 *
 * Each row keeps its source string; `unverified:` notes in the source become `unverifiedFields` and a row
 * confidence (none → high, some → medium, all → low). Numbers are parsed; `NA`/`n/a` become null.
 * `pcie_gen` "4.0 (x8)" becomes gen 4, width 8 (width 16 otherwise). No dependencies.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const input = resolve(repoRoot, process.argv[2] ?? '../shared/data/gpu-specs.csv')
const output = resolve(repoRoot, process.argv[3] ?? 'resources/gpu-specs.json')

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
const ALL_FIELDS = ['vram', 'bw', 'fp32', 'tensor', 'tdp', 'cc', 'pcie']

function segmentOf(name, vendor) {
  if (vendor === 'apple') return 'apple'
  if (/^(geforce|radeon rx|intel arc)/i.test(name)) return 'consumer'
  if (/^rtx /i.test(name)) return 'workstation'
  return 'datacenter'
}

const text = await readFile(input, 'utf8')
const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
const header = splitCsvLine(lines[0])
const rows = lines.slice(1).map((line, i) => {
  const cells = splitCsvLine(line)
  if (cells.length !== header.length)
    throw new Error(`row ${i + 2}: ${cells.length} cells, expected ${header.length}`)
  const r = Object.fromEntries(header.map((h, j) => [h, cells[j]]))
  const vendor = VENDORS[r.vendor]
  if (!vendor) throw new Error(`row ${i + 2}: unknown vendor ${r.vendor}`)
  const unv = /unverified:\s*([^)]*)\)/i.exec(r.source)
  const unverifiedFields = unv ? unv[1].trim().split(/\s+/).filter(Boolean) : []
  const confidence = unverifiedFields.includes('all')
    ? 'low'
    : unverifiedFields.length > 0
      ? 'medium'
      : 'high'
  const pcie = /^(\d+(?:\.\d+)?)\s*(?:\(x(\d+)\))?$/.exec(r.pcie_gen)
  const gfx = /gfx[0-9a-f]+/i.exec(r.arch)
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
    source: r.source,
    unverifiedFields: unverifiedFields.includes('all') ? ALL_FIELDS : unverifiedFields,
    confidence
  }
})
const doc = {
  generatedFrom:
    'gpu-specs.csv (readiness research spec table); rebuild with scripts/build-gpu-specs.mjs',
  units: {
    vramGb: 'GiB as reported by the driver (marketing GB)',
    memBandwidthGBps: 'GB/s',
    tflops: '1e12 FLOP/s dense',
    tdpWatts: 'W'
  },
  rows
}
await writeFile(output, JSON.stringify(doc, null, 2) + '\n')
console.log(`wrote ${rows.length} GPUs to ${output}`)
