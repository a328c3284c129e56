/**
 * `rigready report SESSION [--json | --csv]`: what happened during a recorded run — span, gaps, per-series
 * min/mean/p95/max with time above thresholds, and throttling with causes.
 */
import { parseArgs } from 'node:util'
import { summarizeSession } from '../../core/session-stats'
import { detectThrottle } from '../../core/throttle'
import { describeReason, isOk, type Reading } from '../../shared/reading'
import { readSession } from '../recorder/session'
import { EXIT, UsageError, type CliIo } from './common'

const f = (r: Reading<number>, d = 1): string =>
  isOk(r) ? r.value.toFixed(d) : `n/a (${describeReason(r)})`

/** Runs the report command. */
export async function cmdReport(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, csv: { type: 'boolean' } },
    allowPositionals: true,
    strict: true
  })
  if (positionals.length !== 1) throw new UsageError('report needs exactly one SESSION file')
  const session = await readSession(positionals[0])
  const summary = summarizeSession(session.snapshots, {
    nominalIntervalMs: session.header.intervalMs
  })
  const throttle = detectThrottle(session.snapshots, session.header.inventory)
  if (values.json) {
    io.stdout.write(
      JSON.stringify(
        {
          header: { ...session.header, inventory: undefined },
          badLines: session.badLines,
          tornTail: session.tornTail,
          summary,
          throttle
        },
        null,
        2
      ) + '\n'
    )
    return EXIT.ok
  }
  if (values.csv) {
    io.stdout.write('series,unit,samples,min,mean,p95,max\n')
    for (const s of summary.series) {
      const v = (r: Reading<number>): string => (isOk(r) ? String(r.value) : '')
      io.stdout.write(
        `${s.key},${s.unit},${s.samples},${v(s.min)},${v(s.mean)},${v(s.p95)},${v(s.max)}\n`
      )
    }
    return EXIT.ok
  }
  const L: string[] = []
  L.push(`Session ${positionals[0]}`)
  L.push(
    `  ${summary.sampleCount} snapshots over ${(summary.spanSeconds / 3600).toFixed(2)} h (${(summary.observedSeconds / 3600).toFixed(2)} h observed)`
  )
  if (session.header.command) L.push(`  wrapped command: ${session.header.command.join(' ')}`)
  if (session.tornTail) L.push('  last line was cut short (recording interrupted); ignored')
  if (session.badLines.length)
    L.push(
      `  ${session.badLines.length} corrupt line(s) skipped: ${session.badLines.slice(0, 10).join(', ')}`
    )
  for (const g of summary.gaps)
    L.push(`  gap: ${new Date(g.startMs).toISOString()} → ${new Date(g.endMs).toISOString()}`)
  L.push('')
  L.push('Throttling')
  if (throttle.summaries.length === 0) L.push('  none detected')
  for (const s of throttle.summaries) L.push(`  ${s.headline}`)
  for (const e of throttle.events.slice(0, 20))
    L.push(
      `  ${new Date(e.startMs).toISOString()} ${e.deviceLabel} ${e.cause} ${e.durationSeconds.toFixed(0)} s — ${e.evidence.join('; ')}`
    )
  L.push('')
  L.push('Series                                   min      mean       p95       max   time above')
  for (const s of summary.series) {
    const above = s.timeAbove
      .map((t) => `≥${t.threshold}: ${(t.fraction * 100).toFixed(0)} %`)
      .join(', ')
    L.push(
      `  ${s.label.padEnd(36).slice(0, 36)} ${f(s.min).padStart(8)} ${f(s.mean).padStart(9)} ${f(s.p95).padStart(9)} ${f(s.max).padStart(9)}   ${above}`
    )
  }
  io.stdout.write(L.join('\n') + '\n')
  return EXIT.ok
}
