/**
 * A session review as text for a terminal and as Markdown, plus CSV column naming.
 *
 * Plain words first, one row per series with its unit, unavailable series grouped into one line per device
 * with the reason said once, throttling aggregated per cause (count and longest episodes, never one line per
 * episode). Pure: the review comes in, text goes out.
 */
import { describeReason, type Reading } from '../shared/reading'
import { ALERT_RULE_TEXT } from '../shared/alerts'
import {
  REVIEW_UNITS,
  formatReviewValue,
  formatShare,
  formatSpan,
  type DeviceReview,
  type DeviceThrottleReview,
  type ReviewUnit,
  type SeriesReview,
  type SessionReview,
  type ThresholdReview
} from '../shared/session-format'

/** UTC time without milliseconds: `2026-01-05 20:48:37Z`. */
export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  return new Date(Math.round(ms))
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')
}

const val = (unit: ReviewUnit, r: Reading<number>): string =>
  r.status === 'ok' ? formatReviewValue(unit, r.value) : 'n/a'

/** Series the device reported at least once, and the ones it never did (with the reason once). */
function splitSeries(d: DeviceReview): { shown: SeriesReview[]; never: SeriesReview[] } {
  const shown: SeriesReview[] = []
  const never: SeriesReview[] = []
  for (const s of d.series) (s.observedSeconds > 0 ? shown : never).push(s)
  return { shown, never }
}

function neverLine(never: SeriesReview[]): string {
  // Group by reason so "unsupported: N/A" is said once for several series.
  const byReason = new Map<string, string[]>()
  for (const s of never) {
    const r = s.unavailable[0]?.reason
    const why = r ? describeReason(r) : 'never in this session'
    const list = byReason.get(why) ?? []
    list.push(s.label)
    byReason.set(why, list)
  }
  return [...byReason].map(([why, labels]) => `${labels.join(', ')} (${why})`).join('; ')
}

function thresholdLine(t: ThresholdReview): string {
  if (t.threshold.status !== 'ok') return `${t.label}: unknown (${describeReason(t.threshold)})`
  if (t.seconds.status !== 'ok') return `${t.label}: unknown (${describeReason(t.seconds)})`
  if (t.fraction.status !== 'ok') return `${t.label}: unknown (${describeReason(t.fraction)})`
  return `${t.label} (${formatReviewValue(t.unit, t.threshold.value)}): ${formatSpan(t.seconds.value)} (${formatShare(t.fraction.value)})`
}

function episodesText(c: DeviceThrottleReview['byCause'][number]): string {
  const longest = c.longest
    .slice(0, 3)
    .map((e) => `${formatSpan(e.seconds)} at ${formatUtc(e.startMs)}`)
    .join(', ')
  return `${c.episodes} episode${c.episodes === 1 ? '' : 's'}${longest ? `; longest ${longest}` : ''}`
}

function throttleHeadline(t: DeviceThrottleReview, span: number): string {
  if (t.throttledSeconds.status !== 'ok') return `unknown (${describeReason(t.throttledSeconds)})`
  const total = t.throttledSeconds.value
  const cov = t.coverage < 0.995 ? `, reasons observed ${formatShare(t.coverage)} of the run` : ''
  if (total <= 0) return `not throttled${cov}`
  const base = t.observedSeconds > 0 ? t.observedSeconds : span
  return `throttled ${formatSpan(total)} (${formatShare(total / base)})${cov}`
}

function commandLine(r: SessionReview): string | null {
  const c = r.command
  if (!c) return null
  const cmd = c.argv.join(' ')
  if (c.error) return `${cmd} — did not run: ${c.error} (exit ${c.exitStatus ?? '?'})`
  if (c.unfinished)
    return `${cmd} — ${c.startMs !== null ? `started ${formatUtc(c.startMs)}, ` : ''}end not recorded${r.version === 1 ? ' (version-1 session)' : ' (recording stopped first)'}`
  const how = c.signal
    ? `killed by ${c.signal} (exit ${c.exitStatus ?? '?'})`
    : `exited ${c.exitCode}`
  return `${cmd} — ${how} after ${formatSpan(c.durationSeconds ?? 0)}`
}

function coverageLine(r: SessionReview): string {
  const start = r.startMs.status === 'ok' ? formatUtc(r.startMs.value) : '—'
  const end = r.endMs.status === 'ok' ? formatUtc(r.endMs.value) : '—'
  return `${start} → ${end}: ${formatSpan(r.spanSeconds)}, ${r.samples.toLocaleString('en-US')} samples every ${formatSpan(r.intervalMs / 1000)}, ${formatShare(r.coverage)} covered`
}

function gapsLine(r: SessionReview): string {
  if (r.gapCount === 0) return 'gaps: none'
  const list = r.gaps
    .slice(0, 5)
    .map((g) => `${formatUtc(g.startMs)} (${formatSpan(g.seconds)})`)
    .join(', ')
  return `gaps: ${r.gapCount}, ${formatSpan(r.gapSeconds)} in all; longest: ${list}`
}

/** The review for a terminal. */
export function formatReviewText(r: SessionReview): string {
  const L: string[] = []
  L.push(`Session ${r.file} (version ${r.version}, host ${r.host})`)
  L.push(`  ${coverageLine(r)}`)
  L.push(`  ${gapsLine(r)}`)
  const cmd = commandLine(r)
  if (cmd) L.push(`  command: ${cmd}`)
  L.push('')
  L.push(`Verdict: ${r.verdict}`)
  for (const d of r.devices) {
    L.push('')
    const { shown, never } = splitSeries(d)
    L.push(
      `${d.label.padEnd(40).slice(0, 40)} ${'min'.padStart(11)} ${'median'.padStart(11)} ${'p95'.padStart(11)} ${'max'.padStart(11)}  covered`
    )
    for (const s of shown)
      L.push(
        `  ${s.label.padEnd(38).slice(0, 38)} ${val(s.unit, s.min).padStart(11)} ${val(s.unit, s.median).padStart(11)} ${val(s.unit, s.p95).padStart(11)} ${val(s.unit, s.max).padStart(11)}  ${formatShare(s.coverage).padStart(5)}`
      )
    if (never.length) L.push(`  not reported: ${neverLine(never)}`)
    if (d.sustainedClockRatio)
      L.push(
        `  sustained clock: ${d.sustainedClockRatio.status === 'ok' ? `${formatShare(d.sustainedClockRatio.value)} of its maximum while busy` : `unknown (${describeReason(d.sustainedClockRatio)})`}`
      )
    for (const t of d.thresholds) L.push(`  time ${thresholdLine(t)}`)
  }
  L.push('')
  L.push(
    `Throttling (${r.throttleSource === 'recorded' ? 'recorded live' : 'detected from the samples'})`
  )
  for (const t of r.throttling) {
    L.push(`  ${t.deviceLabel}: ${throttleHeadline(t, r.spanSeconds)}`)
    for (const c of t.byCause)
      L.push(
        `    ${c.label.padEnd(30)} ${formatSpan(c.seconds).padStart(12)} ${formatShare(c.fraction).padStart(5)}   ${episodesText(c)}`
      )
  }
  L.push('')
  if (r.alerts.raised === 0)
    L.push(
      r.alerts.recorded
        ? 'Alerts: none raised'
        : 'Alerts: none recorded (alerts were not evaluated while recording)'
    )
  else {
    L.push(`Alerts: ${r.alerts.raised} raised`)
    for (const a of r.alerts.list.slice(0, 30))
      L.push(`  ${formatUtc(a.atMs)} ${a.kind === 'raise' ? 'raised' : 'cleared'} ${a.message}`)
    if (r.alerts.list.length > 30) L.push(`  … ${r.alerts.list.length - 30} more in --json`)
  }
  if (r.marks.length) {
    L.push('Marks:')
    for (const m of r.marks.slice(0, 20)) L.push(`  ${formatUtc(m.atMs)} ${m.label}`)
  }
  const integrity = integrityLines(r)
  if (integrity.length) {
    L.push('')
    L.push('File')
    for (const x of integrity) L.push(`  ${x}`)
  }
  return L.join('\n') + '\n'
}

function integrityLines(r: SessionReview): string[] {
  const out: string[] = []
  const i = r.integrity
  if (i.tornTail) out.push('the last record was cut short (recording interrupted); it was skipped')
  else if (!i.cleanEnd && r.version >= 2)
    out.push('no end record: the recorder did not close the file (killed or still running)')
  for (const n of i.notes) out.push(`note: ${n}`)
  for (const p of i.problems) out.push(`skipped ${p}`)
  if (i.problemCount > i.problems.length)
    out.push(`… and ${i.problemCount - i.problems.length} more problems`)
  return out
}

const md = (s: string): string => s.replace(/\|/g, '\\|')

/** The review as Markdown. */
export function formatReviewMarkdown(r: SessionReview): string {
  const L: string[] = []
  L.push(`# Session review: ${md(r.file.split(/[\\/]/).pop() ?? r.file)}`)
  L.push('')
  L.push(`**Verdict:** ${md(r.verdict)}`)
  L.push('')
  L.push(`- Host: ${md(r.host)}, session version ${r.version}`)
  L.push(`- ${coverageLine(r)}`)
  L.push(`- ${gapsLine(r)}`)
  const cmd = commandLine(r)
  if (cmd) L.push(`- Command: \`${cmd.replace(/`/g, "'")}\``)
  for (const d of r.devices) {
    L.push('')
    L.push(`## ${md(d.label)}`)
    L.push('')
    const { shown, never } = splitSeries(d)
    if (shown.length) {
      L.push('| Series | Min | Median | p95 | Max | Covered |')
      L.push('|---|---:|---:|---:|---:|---:|')
      for (const s of shown)
        L.push(
          `| ${md(s.label)} | ${val(s.unit, s.min)} | ${val(s.unit, s.median)} | ${val(s.unit, s.p95)} | ${val(s.unit, s.max)} | ${formatShare(s.coverage)} |`
        )
      L.push('')
    }
    if (never.length) L.push(`Not reported: ${md(neverLine(never))}`, '')
    if (d.sustainedClockRatio)
      L.push(
        `Sustained clock: ${d.sustainedClockRatio.status === 'ok' ? `${formatShare(d.sustainedClockRatio.value)} of its maximum while busy` : `unknown (${md(describeReason(d.sustainedClockRatio))})`}`,
        ''
      )
    for (const t of d.thresholds) L.push(`- Time ${md(thresholdLine(t))}`)
  }
  L.push('')
  L.push(
    `## Throttling (${r.throttleSource === 'recorded' ? 'recorded live' : 'detected from the samples'})`
  )
  L.push('')
  L.push('| Device | Cause | Time | Share | Episodes | Longest |')
  L.push('|---|---|---:|---:|---:|---|')
  for (const t of r.throttling) {
    if (t.byCause.length === 0)
      L.push(`| ${md(t.deviceLabel)} | ${md(throttleHeadline(t, r.spanSeconds))} | | | | |`)
    for (const c of t.byCause)
      L.push(
        `| ${md(t.deviceLabel)} | ${md(c.label)} | ${formatSpan(c.seconds)} | ${formatShare(c.fraction)} | ${c.episodes} | ${c.longest
          .slice(0, 3)
          .map((e) => `${formatSpan(e.seconds)} at ${formatUtc(e.startMs)}`)
          .join(', ')} |`
      )
  }
  L.push('')
  L.push('## Alerts')
  L.push('')
  if (r.alerts.list.length === 0)
    L.push(
      r.alerts.recorded
        ? 'None raised.'
        : 'None recorded (alerts were not evaluated while recording).'
    )
  else
    for (const a of r.alerts.list.slice(0, 200))
      L.push(
        `- ${formatUtc(a.atMs)} **${a.kind === 'raise' ? 'raised' : 'cleared'}** ${md(ALERT_RULE_TEXT[a.rule])}: ${md(a.message)}`
      )
  const integrity = integrityLines(r)
  if (integrity.length) {
    L.push('')
    L.push('## File')
    L.push('')
    for (const x of integrity) L.push(`- ${md(x)}`)
  }
  return L.join('\n') + '\n'
}

/** CSV column for a series key and unit: `gpu0.temperatureCelsius` → `gpu0_temperature_c`. */
export function csvColumnOf(key: string, unit: ReviewUnit): string {
  const dot = key.indexOf('.')
  const device = (dot >= 0 ? key.slice(0, dot) : key).replace(/[^A-Za-z0-9]+/g, '_')
  const field = (dot >= 0 ? key.slice(dot + 1) : '')
    .replace(/(BytesPerSec|Celsius|Bytes|Pct|Mhz|Watts)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
  return `${device}${field ? `_${field}` : ''}_${REVIEW_UNITS[unit].csvSuffix}`
}
