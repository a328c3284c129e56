/**
 * Pure renderers for the readiness report: a terminal text report and GitHub-flavoured Markdown.
 *
 * Both show the training and inference scores with their binding constraints, a profile table (verdict,
 * memory needed vs available, speed, binding constraint), throttling found, the top advice with its effect,
 * and what was unavailable and why.
 */
import type { MachineScore, ProfileEvaluation, ReadinessReport } from '../../shared/readiness'
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
  L.push(paint(c, 'bold', 'Advice'))
  if (report.advice.length === 0) L.push('  nothing to change for the selected profiles')
  report.advice.slice(0, 5).forEach((a, i) => {
    L.push(...wrap(`${i + 1}. [${a.costClass}] ${a.title}: ${a.effect}`, width, '  '))
    for (const ev of a.evidence.slice(0, 2)) L.push(...wrap(ev, width, '       '))
  })
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
  L.push('## Advice')
  L.push('')
  if (report.advice.length === 0) L.push('Nothing to change for the selected profiles.')
  else {
    L.push('| # | cost | advice and effect | evidence |')
    L.push('|---:|---|---|---|')
    report.advice.forEach((a, i) =>
      L.push(
        `| ${i + 1} | ${a.costClass} | ${md(`${a.title}: ${a.effect}`)} | ${md(a.evidence.join('; '))} |`
      )
    )
  }
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
