/**
 * `rigready report SESSION [--json | --csv | --markdown | --html] [--out FILE]`: the review of a recorded run.
 *
 * One streaming pass over the file whatever its size. Text for people by default; `--json` the whole review;
 * `--csv` one row per sample (ISO times, units in column names, fixed decimals, empty cells where a value was
 * unavailable: pandas reads them as NaN); `--markdown`; `--html` one self-contained page with charts of the
 * whole run. Skipped corrupt records are named on stderr (file and line or record) and make the exit code 2,
 * after the review of everything readable has been printed.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { seriesForInventory } from '../../core/session-stats'
import {
  csvColumnOf,
  formatReviewMarkdown,
  formatReviewText
} from '../../core/session-review-format'
import { formatReviewHtml } from '../../core/session-review-html'
import { REVIEW_UNITS, type SessionRange } from '../../shared/session-format'
import { openSession, type ReadProblem } from '../recorder/reader'
import { reviewOpened, type ReviewRunOptions } from '../recorder/review'
import { EXIT, UsageError, type CliIo } from './common'

/** Usage of the report command. */
export const REPORT_USAGE = `Usage: rigready report SESSION [--json | --csv | --markdown | --html] [--out FILE]

Reviews a recorded session (any size, read as a stream): duration and coverage with gaps, per-device
min/median/p95/max with units, time above each device's own limits, the sustained clock, throttling by
cause with the longest episodes, alerts, the wrapped command and a one-line verdict.

  --json       the whole review as JSON
  --csv        one row per sample: time_utc, elapsed_s and one column per series (units in the names)
  --markdown   the review as Markdown
  --html       one self-contained HTML page with charts of the whole run (opens offline)
  --out FILE   write to FILE instead of standard output (never overwrites)

Exit codes: 0 ok, 2 bad input (not a session, or records skipped as corrupt; the review of the rest is still
printed), 1 other failures.
`

/** Output target with backpressure. */
interface Out {
  write(s: string): Promise<void>
  end(): Promise<void>
}

function outTo(io: CliIo, file: WriteStream | null): Out {
  if (file) {
    return {
      write: (s) =>
        new Promise((resolve, reject) => {
          if (file.write(s)) resolve()
          else {
            file.once('drain', resolve)
            file.once('error', reject)
          }
        }),
      end: () =>
        new Promise((resolve, reject) =>
          file.end((err?: Error | null) => (err ? reject(err) : resolve()))
        )
    }
  }
  const stdout = io.stdout as CliIo['stdout'] & { once?: (ev: string, fn: () => void) => void }
  return {
    write: (s) =>
      new Promise((resolve) => {
        const ok = stdout.write(s)
        if (ok === false && typeof stdout.once === 'function') stdout.once('drain', resolve)
        else resolve()
      }),
    end: async () => {}
  }
}

async function openOut(path: string): Promise<WriteStream> {
  const s = createWriteStream(path, { flags: 'wx' })
  await new Promise<void>((resolve, reject) => {
    s.once('open', () => resolve())
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          err.code === 'EEXIST'
            ? `--out ${path}: already exists (refusing to overwrite)`
            : `--out ${path}: ${err.message}`
        )
      )
    )
  })
  return s
}

/** Runs the report command. */
export async function cmdReport(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      markdown: { type: 'boolean' },
      html: { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' }
    },
    allowPositionals: true,
    strict: true
  })
  if (values.help) {
    io.stdout.write(REPORT_USAGE)
    return EXIT.ok
  }
  const formats = (['json', 'csv', 'markdown', 'html'] as const).filter((f) => values[f])
  if (formats.length > 1)
    throw new UsageError(
      `choose one of --json, --csv, --markdown, --html (got ${formats.map((f) => `--${f}`).join(' ')})`
    )
  if (positionals.length !== 1) throw new UsageError('report needs exactly one SESSION file')
  const path = positionals[0]
  const format = formats[0] ?? 'text'
  const opened = await openSession(path)
  const file = values.out ? await openOut(values.out) : null
  const out = outTo(io, file)
  const problems: ReadProblem[] = []
  let corrupt = 0
  const onProblem = (p: ReadProblem): void => {
    if (p.kind !== 'torn') corrupt++
    if (problems.length < 20) problems.push(p)
  }

  let csvBuf = ''
  let onTick: ReviewRunOptions['onTick']
  if (format === 'csv') {
    const series = seriesForInventory(opened.header.inventory)
    const col = new Map(series.map((s, i) => [s.key, i]))
    const decimals = series.map((s) => REVIEW_UNITS[s.unit].csvDecimals)
    csvBuf =
      ['time_utc', 'elapsed_s', ...series.map((s) => csvColumnOf(s.key, s.unit))].join(',') + '\n'
    const row: string[] = new Array(series.length).fill('')
    const t0 = opened.header.startedAtMs
    onTick = (tMs, reviewer) => {
      row.fill('')
      reviewer.forEachCurrent((key, v) => {
        const i = col.get(key)
        if (i !== undefined && Number.isFinite(v)) row[i] = v.toFixed(decimals[i])
      })
      csvBuf += `${new Date(tMs).toISOString()},${((tMs - t0) / 1000).toFixed(3)},${row.join(',')}\n`
    }
  }
  const run = await reviewOpened(opened, {
    onProblem,
    onTick,
    envelopeBuckets: format === 'html' ? 900 : undefined,
    between: async () => {
      if (csvBuf.length > 0) {
        const chunk = csvBuf
        csvBuf = ''
        await out.write(chunk)
      }
    }
  })
  const r = run.review
  if (format === 'csv') {
    if (csvBuf) await out.write(csvBuf)
  } else if (format === 'json')
    await out.write(JSON.stringify({ review: r, episodes: run.episodes }, null, 2) + '\n')
  else if (format === 'markdown') await out.write(formatReviewMarkdown(r))
  else if (format === 'html') {
    const env = run.envelope
    const whole: SessionRange = env
      ? { startMs: env.startMs, endMs: env.endMs, bucketMs: env.bucketMs, ...env.result() }
      : { startMs: 0, endMs: 1, bucketMs: 1, t: [], series: [] }
    await out.write(
      formatReviewHtml({
        review: r,
        series: run.reviewer.seriesMeta(),
        whole,
        episodes: run.episodes,
        alerts: run.alerts
      })
    )
  } else await out.write(formatReviewText(r))
  await out.end()
  if (values.out) io.stderr.write(`wrote ${format} review to ${values.out}\n`)
  for (const p of problems) io.stderr.write(`rigready report: ${path}: ${p.where}: ${p.message}\n`)
  if (corrupt > problems.length)
    io.stderr.write(`rigready report: ${path}: … ${corrupt - problems.length} more problems\n`)
  if (r.samples === 0) {
    io.stderr.write(`rigready report: ${path}: no readable samples\n`)
    return EXIT.usage
  }
  return corrupt > 0 ? EXIT.usage : EXIT.ok
}
