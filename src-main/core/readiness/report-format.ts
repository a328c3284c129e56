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

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes >= 100 * 2 ** 30 ? 0 : 1)} GiB`
}

/** Speed column: tok/s, training hours or seconds per image. */
export function speedCell(e: ProfileEvaluation): string {
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

function verdictColor(v: ProfileEvaluation['verdict']): keyof typeof SGR {
  return v === 'fits-comfortably'
    ? 'green'
    : v === 'fits-tight'
      ? 'cyan'
      : v === 'fits-with-offload'
        ? 'yellow'
        : v === 'unknown'
          ? 'dim'
          : 'red'
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
      L.push(...wrap(`binding: ${m.binding} — ${m.bindingDetail}`, width, '  '))
  }
  L.push('')
  L.push(paint(c, 'bold', 'Profiles'))
  const idW = Math.min(22, Math.max(8, ...report.profiles.map((p) => p.profileId.length)))
  const header = `${pad('profile', idW)}  ${pad('verdict', 17)}  score  ${pad('memory need/have', 21)}  ${pad('speed', 12)}  binding`
  L.push(paint(c, 'dim', header))
  for (const e of report.profiles) {
    const row = `${pad(truncate(e.profileId, idW), idW)}  ${paint(c, verdictColor(e.verdict), pad(e.verdict, 17))}  ${profileScore(e).padStart(5)}  ${pad(memoryCell(e), 21)}  ${pad(speedCell(e), 12)}  ${e.binding}`
    L.push(row)
  }
  L.push('')
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
          `${ev.deviceLabel}: ${ev.cause} for ${Math.round(ev.durationSeconds)} s${ev.clippedToWindow ? ' (began before the window)' : ''} — ${ev.evidence.join('; ')}`,
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
    L.push(paint(c, 'bold', 'Minimum upgrade per profile'))
    for (const m of report.minimumUpgrades)
      L.push(...wrap(`${m.profileId}: ${m.summary}`, width, '  '))
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
  L.push('| | score | confidence | binding constraint |')
  L.push('|---|---:|---|---|')
  for (const [name, m] of [
    ['Training', report.training],
    ['Inference', report.inference]
  ] as const) {
    L.push(
      `| ${name} | ${md(scoreText(m))} | ${m.confidence} | ${m.binding === 'none' ? '—' : `${m.binding}: ${md(m.bindingDetail)}`} |`
    )
  }
  L.push('')
  L.push('## Profiles')
  L.push('')
  L.push('| profile | verdict | score | memory need / have | speed | binding | placement |')
  L.push('|---|---|---:|---|---|---|---|')
  for (const e of report.profiles) {
    L.push(
      `| ${md(e.label)} (\`${e.profileId}\`) | ${e.verdict} | ${profileScore(e)} | ${memoryCell(e)} | ${speedCell(e)} | ${e.binding} | ${md(e.placement.description)} |`
    )
  }
  L.push('')
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
          `| ${md(ev.deviceLabel)} | ${ev.cause} | ${Math.round(ev.durationSeconds)} | ${md(ev.evidence.join('; '))} |`
        )
    }
  }
  L.push('')
  L.push(...adviceMarkdownLines(report))
  if (report.minimumUpgrades.length > 0) {
    L.push('')
    L.push('## Minimum upgrade per profile')
    L.push('')
    for (const m of report.minimumUpgrades) L.push(`- \`${m.profileId}\`: ${md(m.summary)}`)
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
