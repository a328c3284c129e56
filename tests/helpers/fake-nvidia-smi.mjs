#!/usr/bin/env node
/**
 * A fake `nvidia-smi` for tests, driven by a scenario JSON file named in FAKE_NVSMI_SCENARIO.
 *
 * Scenario shape:
 *   {
 *     "helpQueryGpu": "<--help-query-gpu text>"   (or "helpQueryGpuFile": path relative to the JSON),
 *     "xml": "<-q -x text>"                        (or "xmlFile"),
 *     "gpus": [ { "rows": [ { "<field>": "<value as printed with --format=csv>", ... }, ... ] }, ... ],
 *     "fault": { "mode": "ok" | "exit" | "garbage" | "empty" | "hang" | "die-mid-stream" | "hang-mid-stream",
 *                "code": 9, "stderr": "...", "stdout": "...", "afterTicks": 3,
 *                "commands": ["help", "xml", "query", "stream"],   (default: all)
 *                "maxFaultRuns": 1 }                                 (fault only the first N matching runs)
 *   }
 *
 * `--query-gpu=a,b,c` answers the REQUESTED fields in order: each field is resolved through the alias groups of
 * the scenario's --help-query-gpu text (`"clocks.current.sm" or "clocks.sm"`) and looked up in the per-GPU value
 * map, so field negotiation is exercised for real. A field the catalogue does not know makes it fail as the real
 * tool does (`Field "x" is not a valid field to query.`, exit 2); a known field without a value prints `[N/A]`.
 * `nounits` strips the unit suffix (`631.95 W` -> `631.95`). With `-lms N` / `-l N` it prints one row per GPU
 * every interval, cycling through each GPU's rows. FAKE_NVSMI_RUNS (optional) names a file that gets one line
 * per invocation (the arguments), so tests can count spawns.
 */
import { appendFile, readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

const args = process.argv.slice(2)
const scenarioPath = process.env.FAKE_NVSMI_SCENARIO
const runsFile = process.env.FAKE_NVSMI_RUNS

function fail(message, code) {
  process.stdout.write(message + '\n')
  process.exit(code)
}

if (!scenarioPath)
  fail(
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    9
  )
const scenario = JSON.parse(await readFile(scenarioPath, 'utf8'))
const base = dirname(scenarioPath)
const helpText = await textOf(scenario.helpQueryGpu, scenario.helpQueryGpuFile)
const xmlText = await textOf(scenario.xml, scenario.xmlFile)
async function textOf(inline, file) {
  return typeof inline === 'string' ? inline : file ? readFile(resolve(base, file), 'utf8') : ''
}

const readRuns = async () =>
  (await readFile(runsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean)
let earlierRuns = []
if (runsFile) {
  earlierRuns = await readRuns()
  await appendFile(runsFile, JSON.stringify(args) + '\n')
}

const queryArg = args.find((a) => a.startsWith('--query-gpu='))
const formatArg = args.find((a) => a.startsWith('--format=')) ?? ''
const lmsIdx = args.findIndex((a) => a === '-lms' || a === '--loop-ms')
const lIdx = args.findIndex((a) => a === '-l' || a === '--loop')
const loopMs =
  lmsIdx >= 0 ? Number(args[lmsIdx + 1]) : lIdx >= 0 ? Number(args[lIdx + 1]) * 1000 : 0
const command = args.includes('--help-query-gpu')
  ? 'help'
  : args.includes('-q') && args.includes('-x')
    ? 'xml'
    : queryArg
      ? loopMs > 0
        ? 'stream'
        : 'query'
      : 'other'

const fault = scenario.fault ?? { mode: 'ok' }
// Earlier runs of the same command kind decide whether this one is still faulty (maxFaultRuns).
const faultRuns = earlierRuns.map((l) => JSON.parse(l)).filter((a) => kindOf(a) === command).length
function kindOf(a) {
  const q = a.find((x) => x.startsWith('--query-gpu='))
  const loop =
    a.includes('-lms') || a.includes('-l') || a.includes('--loop-ms') || a.includes('--loop')
  return a.includes('--help-query-gpu')
    ? 'help'
    : a.includes('-q') && a.includes('-x')
      ? 'xml'
      : q
        ? loop
          ? 'stream'
          : 'query'
        : 'other'
}
const faultApplies =
  fault.mode !== 'ok' &&
  (!fault.commands || fault.commands.includes(command)) &&
  (fault.maxFaultRuns === undefined || faultRuns < fault.maxFaultRuns)
const mode = faultApplies ? fault.mode : 'ok'

const hangForever = () => setInterval(() => {}, 1 << 30)

if (mode === 'exit') {
  if (fault.stdout) process.stdout.write(fault.stdout + '\n')
  if (fault.stderr) process.stderr.write(fault.stderr + '\n')
  process.exitCode = fault.code ?? 9
} else if (mode === 'garbage') {
  process.stdout.write('\u0000\u00ff<<garbage>>;;; not what you asked for\n%%%%, 12, , zz\n')
} else if (mode === 'empty') {
  // nothing
} else if (mode === 'hang') {
  hangForever()
} else if (command === 'help') {
  process.stdout.write(helpText)
} else if (command === 'xml') {
  process.stdout.write(xmlText)
} else if (command === 'query' || command === 'stream') {
  runQuery()
} else {
  fail(`fake nvidia-smi: unsupported arguments ${args.join(' ')}`, 2)
}

function aliasMap() {
  const map = new Map()
  for (const raw of helpText.split(/\r?\n/)) {
    const line = raw.trim()
    if (!/^"[A-Za-z0-9_.]+"(\s+or\s+"[A-Za-z0-9_.]+")*$/.test(line)) continue
    const names = [...line.matchAll(/"([A-Za-z0-9_.]+)"/g)].map((m) => m[1])
    for (const n of names) map.set(n, names)
  }
  return map
}

function runQuery() {
  const requested = queryArg.slice('--query-gpu='.length).split(',').filter(Boolean)
  const aliases = aliasMap()
  for (const f of requested) {
    if (!aliases.has(f)) fail(`Field "${f}" is not a valid field to query.`, 2)
  }
  const noUnits = /nounits/.test(formatArg)
  const noHeader = /noheader/.test(formatArg)
  const gpus = scenario.gpus ?? []
  const cell = (values, field) => {
    const names = aliases.get(field) ?? [field]
    const key = names.find((n) => Object.prototype.hasOwnProperty.call(values, n))
    let v = key === undefined ? '[N/A]' : String(values[key])
    if (noUnits) v = v.replace(/^(-?\d+(?:\.\d+)?) (W|MHz|MiB|GiB|KiB|%|C|us|ms|s|mV|RPM)$/, '$1')
    return v
  }
  const printTick = (tick) => {
    let out = ''
    for (const g of gpus) {
      const rows = g.rows ?? []
      if (rows.length === 0) continue
      out += requested.map((f) => cell(rows[tick % rows.length], f)).join(', ') + '\n'
    }
    process.stdout.write(out)
  }
  if (!noHeader) process.stdout.write(requested.join(', ') + '\n')
  if (loopMs <= 0) {
    printTick(0)
    return
  }
  let tick = 0
  const step = () => {
    if (mode === 'die-mid-stream' && tick >= (fault.afterTicks ?? 2)) {
      if (fault.stderr) process.stderr.write(fault.stderr + '\n')
      process.exit(fault.code ?? 1)
    }
    if (mode === 'hang-mid-stream' && tick >= (fault.afterTicks ?? 2)) {
      clearInterval(timer)
      hangForever()
      return
    }
    printTick(tick)
    tick += 1
  }
  const timer = setInterval(step, loopMs)
  step()
}
