/**
 * Pure renderers for the readiness report: a terminal text report and GitHub-flavoured Markdown.
 *
 * Both show the training and inference scores with their binding constraints, a profile table (verdict,
 * memory needed vs available, speed, binding constraint), throttling found, the top advice with its effect,
 * and what was unavailable and why.
 */
import type {
  AdviceItem,
  AdviceSummary,
  MachineScore,
  ProfileEvaluation,
  ReadinessReport
} from '../../shared/readiness'
import { describeReason } from '../../shared/reading'
import {
  CONSTRAINT_TEXT,
  formatBytes,
  plainEngineText,
  profileLabel,
  workloadStatus,
  type Severity
} from '../../shared/present'
import { describeThrottleCause } from '../../shared/throttle-causes'

/** Text rendering options. */
export interface TextOptions {
  color: boolean
  width: number
}

const ESC = String.fromCharCode(27)
const SGR = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', cyan: '36' } as const

function paint(on: boolean, code: keyof typeof SGR, s: string): string {
  return on ? `${ESC}[${SGR[code]}m${s}${ESC}[0m` : s
}

const gib = formatBytes

/** Speed column: tok/s, training hours or seconds per image. */
export function speedCell(e: ProfileEvaluation): string {
  // A workload that does not run here quotes no speed as if it ran.
  if (e.verdict === 'does-not-fit' || e.verdict === 'needs-gpu' || e.verdict === 'unknown')
    return '—'
  const s = e.speed
  if (s.decodeTokensPerSec.status === 'ok')
    return `${s.decodeTokensPerSec.value.toFixed(s.decodeTokensPerSec.value >= 10 ? 0 : 1)} tok/s`
  if (s.trainHours.status === 'ok')
    return `${s.trainHours.value.toFixed(s.trainHours.value >= 10 ? 0 : 1)} h`
  if (s.ttftSeconds.status === 'ok') return `${s.ttftSeconds.value.toFixed(1)} s/image`
  if (s.prefillTokensPerSec.status === 'ok')
    return `${Math.round(s.prefillTokensPerSec.value)} tok/s in`
  return '—'
}

function scoreText(m: MachineScore): string {
  return m.score.status === 'ok' ? String(m.score.value) : `n/a (${describeReason(m.score)})`
}

/** Terminal colour of a severity: the same severity the UI colours (`shared/present`). */
function severityColor(sev: Severity): keyof typeof SGR {
  return sev === 'ok'
    ? 'green'
    : sev === 'info'
      ? 'cyan'
      : sev === 'warn'
        ? 'yellow'
        : sev === 'bad'
          ? 'red'
          : 'dim'
}

/** A profile's score, or "unknown" when its verdict depends on an unknown input. */
function profileScore(e: ProfileEvaluation): string {
  return e.score.status === 'ok' ? String(e.score.value) : 'unknown'
}

/** "needed / available" memory; the available side is unknown when the placement is. */
function memoryCell(e: ProfileEvaluation): string {
  const have = e.memory.availableBytes
  return `${gib(e.memory.requiredBytes)} / ${have.status === 'ok' ? gib(have.value) : 'unknown'}`
}

/** " (last 10 min)": the one window of the summaries and the events. */
function windowText(report: ReadinessReport): string {
  const s = report.throttling.windowSeconds
  if (!(s > 0)) return ''
  return ` (last ${s < 120 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1).replace(/\.0$/, '')} h`})`
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length)
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line.length > 0 && indent.length + line.length + 1 + word.length > width) {
      out.push(indent + line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) out.push(indent + line)
  return out
}

/** Engine text with profile ids ("qlora-8b: …") replaced by the workloads' labels. */
function withLabels(report: ReadinessReport, text: string): string {
  let out = text
  for (const p of report.profiles) out = out.split(`${p.profileId}:`).join(`${p.label}:`)
  return out
}

/** `YYYY-MM-DD` of the probe behind the report's measured values. */
function measuredDay(report: ReadinessReport): string {
  return report.measured ? new Date(report.measured.measuredAtMs).toISOString().slice(0, 10) : ''
}

/** "system RAM bandwidth: 51.2 → 20.0 GB/s (measured 14.0 GB/s read)". */
function measuredChangeText(
  ch: NonNullable<ReadinessReport['measured']>['changes'][number]
): string {
  const digits = ch.unit === 'ratio' ? 2 : ch.unit === 'MB/s' ? 0 : 1
  const unit = ch.unit === 'ratio' ? '' : ` ${ch.unit}`
  const before = ch.before.status === 'ok' ? ch.before.value.toFixed(digits) : 'unknown'
  return `${ch.label} (${ch.device}): ${before} → ${ch.after.toFixed(digits)}${unit} (${ch.basis})`
}

/** The "measured by the load probe" section: what replaced defaults, and what that changed. */
function measuredTextLines(report: ReadinessReport, width: number, c: boolean): string[] {
  const m = report.measured
  if (!m) return []
  const L = [paint(c, 'bold', `Measured by the load probe (${measuredDay(report)})`)]
  for (const ch of m.changes) L.push(...wrap(measuredChangeText(ch), width, '  '))
  for (const ef of m.effects) L.push(...wrap(ef.text, width, '  · '))
  return L
}

/** The terminal report. */
export function formatReportText(report: ReadinessReport, opts: TextOptions): string {
  const c = opts.color
  const width = Math.max(60, opts.width)
  const L: string[] = []
  L.push(paint(c, 'bold', `RigReady — ${report.machine.label}`))
  L.push('')
  for (const [name, m] of [
    ['Training', report.training],
    ['Inference', report.inference]
  ] as const) {
    L.push(
      `${paint(c, 'bold', pad(`${name} score:`, 17))}${pad(scoreText(m), 4)}  (confidence ${m.confidence})`
    )
    if (m.binding !== 'none')
      L.push(
        ...wrap(
          `limited most by ${CONSTRAINT_TEXT[m.binding]} — ${withLabels(report, plainEngineText(m.bindingDetail))}`,
          width,
          '  '
        )
      )
  }
  L.push('')
  L.push(paint(c, 'bold', 'Workloads'))
  const nameW = Math.min(30, Math.max(8, ...report.profiles.map((p) => p.label.length)))
  const header = `${pad('workload', nameW)}  ${pad('status', 17)}  score  ${pad('memory need/have', 21)}  ${pad('speed', 12)}  limited by`
  L.push(paint(c, 'dim', header))
  for (const e of report.profiles) {
    // Status weighs verdict and score together, as the UI does, so the two never disagree.
    const st = workloadStatus(e)
    const row = `${pad(truncate(e.label, nameW), nameW)}  ${paint(c, severityColor(st.severity), pad(st.label, 17))}  ${profileScore(e).padStart(5)}  ${pad(memoryCell(e), 21)}  ${pad(speedCell(e), 12)}  ${CONSTRAINT_TEXT[e.binding]}`
    L.push(row)
  }
  L.push('')
  if (report.measured) L.push(...measuredTextLines(report, width, c), '')
  L.push(paint(c, 'bold', `Throttling${windowText(report)}`))
  if (report.throttling.summaries.length === 0 && report.throttling.events.length === 0) {
    L.push(
      report.machine.sustained === null ? '  not measured (no telemetry window)' : '  none found'
    )
  } else {
    for (const s of report.throttling.summaries) L.push(...wrap(s.headline, width, '  '))
    const shown = report.throttling.events.slice(0, 5)
    for (const ev of shown)
      L.push(
        ...wrap(
          `${ev.deviceLabel}: ${describeThrottleCause(ev.cause)} for ${Math.round(ev.durationSeconds)} s${ev.clippedToWindow ? ' (began before the window)' : ''} — ${ev.evidence.join('; ')}`,
          width,
          '  · '
        )
      )
    if (report.throttling.events.length > shown.length)
      L.push(`  … ${report.throttling.events.length - shown.length} more events`)
  }
  L.push('')
  L.push(...adviceTextLines(report, width, c))
  if (report.minimumUpgrades.length > 0) {
    L.push('')
    L.push(paint(c, 'bold', 'The least upgrade per workload'))
    for (const m of report.minimumUpgrades)
      L.push(
        ...wrap(`${profileLabel(report, m.profileId)}: ${plainEngineText(m.summary)}`, width, '  ')
      )
  }
  if (report.unavailable.length > 0) {
    L.push('')
    L.push(paint(c, 'bold', 'Unavailable'))
    for (const u of report.unavailable)
      L.push(...wrap(`${u.item}: ${describeReason(u.reason)}`, width, '  '))
  }
  return L.join('\n') + '\n'
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** The report as GitHub Markdown (tables). */
export function formatReportMarkdown(report: ReadinessReport): string {
  const L: string[] = []
  L.push(`# RigReady report — ${md(report.machine.label)}`)
  L.push('')
  L.push('| | score | confidence | limited most by |')
  L.push('|---|---:|---|---|')
  for (const [name, m] of [
    ['Training', report.training],
    ['Inference', report.inference]
  ] as const) {
    L.push(
      `| ${name} | ${md(scoreText(m))} | ${m.confidence} | ${m.binding === 'none' ? '—' : `${CONSTRAINT_TEXT[m.binding]}: ${md(withLabels(report, plainEngineText(m.bindingDetail)))}`} |`
    )
  }
  L.push('')
  L.push('## Workloads')
  L.push('')
  L.push('| workload | status | score | memory need / have | speed | limited by | placement |')
  L.push('|---|---|---:|---|---|---|---|')
  for (const e of report.profiles) {
    L.push(
      `| ${md(e.label)} (\`${e.profileId}\`) | ${workloadStatus(e).label} | ${profileScore(e)} | ${memoryCell(e)} | ${speedCell(e)} | ${CONSTRAINT_TEXT[e.binding]} | ${md(e.placement.description)} |`
    )
  }
  L.push('')
  if (report.measured) {
    L.push(`## Measured by the load probe (${measuredDay(report)})`)
    L.push('')
    for (const ch of report.measured.changes) L.push(`- ${md(measuredChangeText(ch))}`)
    for (const ef of report.measured.effects) L.push(`- ${md(ef.text)}`)
    L.push('')
  }
  L.push(`## Throttling${windowText(report)}`)
  L.push('')
  if (report.throttling.summaries.length === 0 && report.throttling.events.length === 0) {
    L.push(
      report.machine.sustained === null ? 'Not measured (no telemetry window).' : 'None found.'
    )
  } else {
    for (const s of report.throttling.summaries) L.push(`- ${md(s.headline)}`)
    if (report.throttling.events.length > 0) {
      L.push('')
      L.push('| device | cause | seconds | evidence |')
      L.push('|---|---|---:|---|')
      for (const ev of report.throttling.events.slice(0, 20))
        L.push(
          `| ${md(ev.deviceLabel)} | ${describeThrottleCause(ev.cause)} | ${Math.round(ev.durationSeconds)} | ${md(ev.evidence.join('; '))} |`
        )
    }
  }
  L.push('')
  L.push(...adviceMarkdownLines(report))
  if (report.minimumUpgrades.length > 0) {
    L.push('')
    L.push('## The least upgrade per workload')
    L.push('')
    for (const m of report.minimumUpgrades)
      L.push(`- ${md(profileLabel(report, m.profileId))}: ${md(plainEngineText(m.summary))}`)
  }
  if (report.unavailable.length > 0) {
    L.push('')
    L.push('## Unavailable')
    L.push('')
    for (const u of report.unavailable) L.push(`- ${md(u.item)}: ${md(describeReason(u.reason))}`)
  }
  return L.join('\n') + '\n'
}

// ------------------------------------------------------------------------------------------------------
// Advice

/** Most advice items shown in the terminal and in Markdown. */
export const ADVICE_SHOWN = 10

/** "free", the price range, or "price unknown (why)". */
export function advicePriceText(a: AdviceItem): string {
  const p = a.price
  if (p.status === 'free') return 'free'
  if (p.status === 'priced') return p.text
  const known = p.parts.filter((x) => x.quote !== null)
  return `price unknown (${p.detail})${known.length > 0 ? `; known: ${known.map((x) => `${x.what} ${x.quote!.currency} ${Math.round(x.quote!.low).toLocaleString('en-US')}–${Math.round(x.quote!.high).toLocaleString('en-US')}`).join(', ')}` : ''}`
}

/** The price table line: its date and age, and the warning when it is old. */
export function priceTableText(s: AdviceSummary): string {
  if (s.prices.status !== 'ok') return `Prices: none (${describeReason(s.prices)})`
  const p = s.prices.value
  const line = `Prices: table of ${p.asOf} (${p.ageDays} day${p.ageDays === 1 ? '' : 's'} old)${p.userFile ? `, with your prices from ${p.userFile}` : ''}; a purchase counts at the low end of its range`
  return p.warning ? `${line}. ${p.warning}` : line
}

function boxText(s: AdviceSummary): string {
  const b = s.box
  const parts = [`${b.formFactor} (${b.formFactorBasis})`]
  parts.push(
    b.psuWatts.status === 'ok'
      ? `PSU ${b.psuWatts.value} W`
      : `PSU unknown: ${b.psuWatts.detail ?? describeReason(b.psuWatts)}`
  )
  if (b.pcieSlots.status === 'ok') {
    const free = b.pcieSlots.value.filter((x) => x.inUse.status === 'ok' && !x.inUse.value)
    parts.push(
      `${b.pcieSlots.value.length} PCIe slots, ${free.length} free${free.length > 0 ? ` (${free.map((x) => `${x.name}${x.lanes.status === 'ok' ? ` x${x.lanes.value}` : ''}`).join(', ')})` : ''}`
    )
  } else parts.push(`PCIe slots unknown: ${b.pcieSlots.detail ?? describeReason(b.pcieSlots)}`)
  return `Box: ${parts.join('; ')}`
}

/** The advice section alone, as terminal text (`estimate`). */
export function formatAdviceText(
  report: Pick<ReadinessReport, 'advice' | 'adviceSummary'>,
  opts: TextOptions
): string {
  return adviceTextLines(report, Math.max(60, opts.width), opts.color).join('\n') + '\n'
}

function adviceTextLines(
  report: Pick<ReadinessReport, 'advice' | 'adviceSummary'>,
  width: number,
  c: boolean
): string[] {
  const L: string[] = []
  const s = report.adviceSummary
  L.push(
    paint(
      c,
      'bold',
      `Advice${s.budget !== null ? ` (budget ${s.currency} ${Math.round(s.budget).toLocaleString('en-US')})` : ''}`
    )
  )
  if (report.advice.length === 0) L.push('  nothing to change for the selected profiles')
  report.advice.slice(0, ADVICE_SHOWN).forEach((a, i) => {
    L.push(
      ...wrap(
        `${i + 1}. ${paint(c, a.free ? 'green' : 'cyan', a.free ? '[free]' : '[purchase]')} ${a.title} — ${advicePriceText(a)}`,
        width,
        '  '
      )
    )
    L.push(...wrap(a.effectText, width, '       '))
    for (const r of a.requires) L.push(...wrap(`needs: ${r}`, width, '       '))
    for (const ev of a.evidence.slice(0, 2)) L.push(...wrap(paint(c, 'dim', ev), width, '       '))
  })
  if (report.advice.length > ADVICE_SHOWN)
    L.push(`  … ${report.advice.length - ADVICE_SHOWN} more (--json lists all)`)
  if (s.bestUnderBudget) L.push(...wrap(s.bestUnderBudget.text, width, '  '))
  if (s.bestValue && s.budget === null) L.push(...wrap(s.bestValue.text, width, '  '))
  if (s.leftOut.length > 0) {
    const shown = s.leftOut.slice(0, 3)
    L.push(
      ...wrap(
        `Not proposed: ${shown.map((x) => `${x.title} (${x.reason})`).join('; ')}${s.leftOut.length > shown.length ? `; and ${s.leftOut.length - shown.length} more` : ''}`,
        width,
        '  '
      )
    )
  }
  L.push(...wrap(priceTableText(s), width, '  '))
  L.push(...wrap(boxText(s), width, '  '))
  L.push(paint(c, 'dim', '  formulas and price sources: --markdown (details) or --json'))
  return L
}

function adviceMarkdownLines(report: ReadinessReport): string[] {
  const L: string[] = []
  const s = report.adviceSummary
  L.push(
    `## Advice${s.budget !== null ? ` (budget ${s.currency} ${Math.round(s.budget).toLocaleString('en-US')})` : ''}`
  )
  L.push('')
  if (report.advice.length === 0) L.push('Nothing to change for the selected profiles.')
  report.advice.slice(0, ADVICE_SHOWN).forEach((a, i) => {
    L.push(
      `${i + 1}. **${md(a.title)}** — ${a.free ? 'free' : `purchase, ${md(advicePriceText(a))}`}  `
    )
    L.push(`   ${md(a.effectText)}`)
    for (const r of a.requires) L.push(`   - needs: ${md(r)}`)
    for (const d of a.scoreDrops)
      L.push(`   - ${md(d.label)} score ${d.before} → ${d.after}: ${md(d.reason)}`)
    L.push('')
    L.push('   <details><summary>details</summary>')
    L.push('')
    for (const ev of a.evidence) L.push(`   - evidence: ${md(ev)}`)
    for (const d of a.details) L.push(`   - ${md(d)}`)
    L.push(`   - engine: ${md(a.effect)}`)
    L.push('')
    L.push('   </details>')
    L.push('')
  })
  if (s.bestUnderBudget) L.push(`**${md(s.bestUnderBudget.text)}**`, '')
  if (s.bestValue) L.push(md(s.bestValue.text), '')
  if (s.leftOut.length > 0) {
    L.push('<details><summary>not proposed</summary>', '')
    for (const x of s.leftOut) L.push(`- ${md(x.title)}: ${md(x.reason)}`)
    L.push('', '</details>', '')
  }
  L.push(md(priceTableText(s)), '')
  L.push(md(boxText(s)))
  return L
}

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/**
 * The advice as an HTML fragment (for HTML reports): each item in plain words with its price, what else it
 * needs and why a score goes down; evidence, formulas and price sources inside a `<details>` disclosure.
 * Every string is escaped.
 */
export function formatAdviceHtml(report: ReadinessReport): string {
  const s = report.adviceSummary
  const L: string[] = ['<section class="advice">', '<h2>Advice</h2>']
  if (report.advice.length === 0) L.push('<p>Nothing to change for the selected profiles.</p>')
  else {
    L.push('<ol>')
    for (const a of report.advice) {
      L.push(
        `<li data-kind="${esc(a.kind)}"><strong>${esc(a.title)}</strong> — <span class="${a.free ? 'free' : 'price'}">${esc(a.free ? 'free' : advicePriceText(a))}</span>`
      )
      L.push(`<p>${esc(a.effectText)}</p>`)
      if (a.requires.length > 0)
        L.push(
          `<ul class="requires">${a.requires.map((r) => `<li>needs: ${esc(r)}</li>`).join('')}</ul>`
        )
      if (a.scoreDrops.length > 0)
        L.push(
          `<ul class="drops">${a.scoreDrops.map((d) => `<li>${esc(d.label)} score ${d.before} → ${d.after}: ${esc(d.reason)}</li>`).join('')}</ul>`
        )
      L.push(
        `<details><summary>details</summary><ul>${[...a.evidence.map((e) => `evidence: ${e}`), ...a.details].map((d) => `<li>${esc(d)}</li>`).join('')}</ul></details>`
      )
      L.push('</li>')
    }
    L.push('</ol>')
  }
  if (s.bestUnderBudget)
    L.push(`<p class="best"><strong>${esc(s.bestUnderBudget.text)}</strong></p>`)
  if (s.bestValue) L.push(`<p class="best-value">${esc(s.bestValue.text)}</p>`)
  L.push(`<p class="prices">${esc(priceTableText(s))}</p>`)
  L.push(`<p class="box">${esc(boxText(s))}</p>`)
  L.push('</section>')
  return L.join('\n') + '\n'
}
