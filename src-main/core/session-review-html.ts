/**
 * A session review as one self-contained HTML file: the review's tables and SVG charts of the whole run.
 *
 * Charts draw each series' min/max envelope per pixel column (a one-sample spike survives) with its mean as
 * a line, throttle episodes shaded in their cause's colour, alerts as markers, and the device's own limits
 * as dashed lines. No script, no external resource, no font or image fetch: the file opens offline under
 * any Content-Security-Policy. Pure.
 */
import { describeReason } from '../shared/reading'
import { ALERT_RULE_TEXT, type AlertTransition } from '../shared/alerts'
import {
  ALERT_SEVERITY_COLORS,
  REVIEW_UNITS,
  THROTTLE_CAUSE_COLORS,
  formatReviewValue,
  formatShare,
  formatSpan,
  type ReviewUnit,
  type SessionEpisode,
  type SessionRange,
  type SessionReview,
  type SessionSeriesMeta
} from '../shared/session-format'
import { describeThrottleCause } from '../shared/throttle-causes'
import { PALETTES } from '../shared/present/palette'
import { formatReviewMarkdown, formatUtc } from './session-review-format'

/** What the HTML needs besides the review. */
export interface ReviewHtmlInput {
  review: SessionReview
  series: SessionSeriesMeta[]
  /** The whole run downsampled (one bucket per pixel column). */
  whole: SessionRange
  episodes: SessionEpisode[]
  alerts: AlertTransition[]
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Series colours: the palette's (light theme: the export is drawn on white). */
const PALETTE = PALETTES.light.series
const W = 1000
const H = 170
const ML = 80
const MR = 12
const MT = 10
const MB = 22

interface ChartSpec {
  title: string
  unit: ReviewUnit
  keys: string[]
  /** Devices whose throttle episodes shade this chart. */
  devices: string[]
  /** Horizontal limit lines (value, label). */
  limits: { value: number; label: string }[]
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target)
  const p = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p
  return 10 * p
}

const TIME_STEPS = [
  60e3,
  5 * 60e3,
  15 * 60e3,
  30 * 60e3,
  3600e3,
  2 * 3600e3,
  3 * 3600e3,
  6 * 3600e3,
  12 * 3600e3,
  86400e3,
  2 * 86400e3,
  7 * 86400e3
]

function timeTicks(t0: number, t1: number): number[] {
  const span = t1 - t0
  const step = TIME_STEPS.find((s) => span / s <= 8) ?? TIME_STEPS[TIME_STEPS.length - 1]
  const out: number[] = []
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t)
  return out
}

function timeLabel(t: number, spanMs: number): string {
  const iso = new Date(t).toISOString()
  return spanMs > 2 * 86400e3 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16)
}

function chartSvg(spec: ChartSpec, input: ReviewHtmlInput, index: number): string | null {
  const { whole } = input
  const series = spec.keys
    .map((k) => whole.series.find((s) => s.key === k))
    .filter((s): s is NonNullable<typeof s> => s !== undefined && s.max.some((v) => v !== null))
  if (series.length === 0) return null
  let lo = Infinity
  let hi = -Infinity
  for (const s of series)
    for (let i = 0; i < s.min.length; i++) {
      const a = s.min[i]
      const b = s.max[i]
      if (a !== null && a < lo) lo = a
      if (b !== null && b > hi) hi = b
    }
  for (const l of spec.limits) {
    if (l.value > hi) hi = l.value
    if (l.value < lo) lo = l.value
  }
  if (spec.unit === 'pct') {
    lo = Math.min(lo, 0)
    hi = Math.max(hi, 100)
  } else if (lo > 0 && lo < (hi - lo) * 0.5) lo = 0
  if (!(hi - lo > Math.max(1e-9, Math.abs(hi) * 0.02))) {
    // A (nearly) constant series: give it room instead of a zero-height axis.
    const mid = (hi + lo) / 2
    const pad = Math.max(1, Math.abs(mid) * 0.05)
    lo = mid - pad
    hi = mid + pad
  }
  const step = niceStep(hi - lo, 4)
  lo = Math.floor(lo / step) * step
  hi = Math.ceil(hi / step) * step
  const t0 = whole.startMs
  const t1 = whole.endMs
  const gapMs = Math.max(10_000, 5 * input.review.intervalMs, 1.5 * whole.bucketMs)
  const pw = W - ML - MR
  const ph = H - MT - MB
  const x = (t: number): number => ML + ((t - t0) / Math.max(1, t1 - t0)) * pw
  const y = (v: number): number => MT + ph - ((v - lo) / (hi - lo)) * ph
  const f = (n: number): string => n.toFixed(1)
  const parts: string[] = []
  parts.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(spec.title)}">`
  )
  // Episodes first, behind the data.
  for (const e of input.episodes) {
    if (!spec.devices.includes(e.device)) continue
    const xa = Math.max(ML, x(e.startMs))
    const xb = Math.min(W - MR, x(e.endMs))
    const wpx = Math.max(1, xb - xa)
    parts.push(
      `<rect x="${f(xa)}" y="${MT}" width="${f(wpx)}" height="${ph}" fill="${THROTTLE_CAUSE_COLORS[e.cause]}" fill-opacity="0.18"><title>${esc(`${e.deviceLabel}: ${describeThrottleCause(e.cause)} ${formatUtc(e.startMs)} for ${formatSpan((e.endMs - e.startMs) / 1000)}`)}</title></rect>`
    )
  }
  // Grid and axes.
  for (let v = lo; v <= hi + step / 2; v += step) {
    parts.push(
      `<line x1="${ML}" x2="${W - MR}" y1="${f(y(v))}" y2="${f(y(v))}" class="grid"/><text x="${ML - 6}" y="${f(y(v) + 4)}" class="ylab">${esc(formatReviewValue(spec.unit, v).replace(/\.0+ /, ' '))}</text>`
    )
  }
  for (const t of timeTicks(t0, t1))
    parts.push(
      `<line x1="${f(x(t))}" x2="${f(x(t))}" y1="${MT}" y2="${MT + ph}" class="grid"/><text x="${f(x(t))}" y="${H - 6}" class="xlab">${timeLabel(t, t1 - t0)}</text>`
    )
  for (const l of spec.limits)
    parts.push(
      `<line x1="${ML}" x2="${W - MR}" y1="${f(y(l.value))}" y2="${f(y(l.value))}" class="limit"><title>${esc(l.label)}</title></line>`
    )
  // Series: min–max band per bucket, mean line; null buckets break both.
  series.forEach((s, si) => {
    const color = PALETTE[(index + si) % PALETTE.length]
    const bands: string[] = []
    const lines: string[] = []
    let upper: string[] = []
    let lower: string[] = []
    let line: string[] = []
    const flush = (): void => {
      if (upper.length) bands.push(`M${upper.join('L')}L${lower.reverse().join('L')}Z`)
      if (line.length) lines.push(`M${line.join('L')}`)
      upper = []
      lower = []
      line = []
    }
    // Empty buckets between samples are bridged unless the time between them is a real gap.
    let prevT = NaN
    for (let i = 0; i < whole.t.length; i++) {
      const a = s.min[i]
      const b = s.max[i]
      const m = s.mean[i]
      if (a === null || b === null || m === null) continue
      if (whole.t[i] - prevT > gapMs) flush()
      prevT = whole.t[i]
      const xl = x(whole.t[i])
      const xr = x(whole.t[i] + Math.max(whole.bucketMs, 0))
      upper.push(`${f(xl)},${f(y(b))}`, `${f(xr)},${f(y(b))}`)
      lower.push(`${f(xl)},${f(y(a))}`, `${f(xr)},${f(y(a))}`)
      line.push(`${f((xl + xr) / 2)},${f(y(m))}`)
    }
    flush()
    const meta = input.series.find((m) => m.key === s.key)
    parts.push(
      `<path d="${bands.join('')}" fill="${color}" fill-opacity="0.25" stroke="none"/><path d="${lines.join('')}" fill="none" stroke="${color}" stroke-width="1.2"><title>${esc(meta ? `${meta.deviceLabel} ${meta.label}` : s.key)}</title></path>`
    )
  })
  for (const a of input.alerts) {
    if (a.kind !== 'raise' || !spec.devices.includes(a.device)) continue
    const xa = x(a.atMs)
    parts.push(
      `<path d="M${f(xa - 5)},${MT}L${f(xa + 5)},${MT}L${f(xa)},${MT + 8}Z" fill="${ALERT_SEVERITY_COLORS[a.severity]}"><title>${esc(`${formatUtc(a.atMs)} ${a.message}`)}</title></path>`
    )
  }
  parts.push(`<rect x="${ML}" y="${MT}" width="${pw}" height="${ph}" class="frame"/>`)
  parts.push('</svg>')
  const legend = series
    .map((s, si) => {
      const meta = input.series.find((m) => m.key === s.key)
      return `<span><i style="background:${PALETTE[(index + si) % PALETTE.length]}"></i>${esc(meta?.label ?? s.key)}</span>`
    })
    .join('')
  return `<figure><figcaption>${esc(spec.title)} <small>(${REVIEW_UNITS[spec.unit].symbol}; band = min–max per pixel, line = mean)</small></figcaption>${parts.join('')}<div class="legend">${legend}</div></figure>`
}

function chartSpecs(input: ReviewHtmlInput): ChartSpec[] {
  const { review } = input
  const out: ChartSpec[] = []
  const limit = (device: string, label: string): { value: number; label: string }[] => {
    const d = review.devices.find((x) => x.key === device)
    const t = d?.thresholds.find((x) => x.label.startsWith(label))
    return t && t.threshold.status === 'ok'
      ? [
          {
            value: t.threshold.value,
            label: `${t.label}: ${formatReviewValue(t.unit, t.threshold.value)}`
          }
        ]
      : []
  }
  const throttleDevices = (reviewKey: string): string[] => {
    const inv = review.throttling.find((t) => t.device === reviewKey)
    const keys = [reviewKey]
    for (const e of input.episodes) if (e.deviceLabel === inv?.deviceLabel) keys.push(e.device)
    return [...new Set(keys)]
  }
  for (const d of review.devices) {
    const k = d.key
    const devs = throttleDevices(k)
    if (d.kind === 'gpu') {
      out.push({
        title: `${d.label} temperatures`,
        unit: 'celsius',
        keys: [
          `${k}.temperatureCelsius`,
          `${k}.hotspotTemperatureCelsius`,
          `${k}.memoryTemperatureCelsius`
        ],
        devices: devs,
        limits: limit(k, 'at or above its slowdown')
      })
      out.push({
        title: `${d.label} power`,
        unit: 'watts',
        keys: [`${k}.powerDrawWatts`],
        devices: devs,
        limits: limit(k, 'at its power limit')
      })
      // SM and memory clocks differ by 4× or more: one axis each, so neither is a flat line.
      out.push({
        title: `${d.label} SM clock`,
        unit: 'mhz',
        keys: [`${k}.clockSmMhz`],
        devices: devs,
        limits: []
      })
      out.push({
        title: `${d.label} memory clock`,
        unit: 'mhz',
        keys: [`${k}.clockMemoryMhz`],
        devices: devs,
        limits: []
      })
      out.push({
        title: `${d.label} utilisation and fan`,
        unit: 'pct',
        keys: [`${k}.utilizationPct`, `${k}.fanPct`],
        devices: devs,
        limits: []
      })
      out.push({
        title: `${d.label} memory used`,
        unit: 'gib',
        keys: [`${k}.memoryUsedBytes`],
        devices: devs,
        limits: limit(k, 'memory')
      })
    } else if (d.kind === 'cpu') {
      out.push({
        title: `${d.label} utilisation`,
        unit: 'pct',
        keys: ['cpu.utilizationPct'],
        devices: devs,
        limits: []
      })
      out.push({
        title: `${d.label} package temperature`,
        unit: 'celsius',
        keys: ['cpu.packageTemperatureCelsius'],
        devices: devs,
        limits: limit(k, 'at or above')
      })
      out.push({
        title: `${d.label} clock`,
        unit: 'mhz',
        keys: ['cpu.frequencyMhz'],
        devices: devs,
        limits: []
      })
    } else if (d.kind === 'memory') {
      out.push({
        title: 'RAM and swap used',
        unit: 'gib',
        keys: ['memory.usedBytes', 'memory.swapUsedBytes'],
        devices: [],
        limits: limit('memory', 'RAM')
      })
    }
  }
  const drives = review.devices.filter((d) => d.kind === 'storage')
  if (drives.length) {
    out.push({
      title: 'Drive temperatures',
      unit: 'celsius',
      keys: drives.map((d) => `${d.key}.temperatureCelsius`),
      devices: drives.flatMap((d) => throttleDevices(d.key)),
      limits: drives.flatMap((d) =>
        limit(d.key, 'at or above its warning').map((l) => ({ ...l, label: `${d.key} ${l.label}` }))
      )
    })
    out.push({
      title: 'Drive throughput',
      unit: 'mb-per-sec',
      keys: drives.flatMap((d) => [`${d.key}.readBytesPerSec`, `${d.key}.writeBytesPerSec`]),
      devices: [],
      limits: []
    })
  }
  return out
}

const CSS = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f7f9}
body{max-width:1080px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d9dde3;padding-bottom:4px}
.verdict{font-size:16px;background:#fff;border:1px solid #d9dde3;border-left:4px solid #2454c5;padding:10px 14px;border-radius:4px}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:13px}th,td{border:1px solid #d9dde3;padding:4px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{background:#fff;border:1px solid #d9dde3;border-radius:4px;margin:12px 0;padding:8px 10px}figcaption{font-weight:600;font-size:13px;margin-bottom:4px}figcaption small{font-weight:400;color:#6b7280}
.chart .grid{stroke:#e5e7eb;stroke-width:1}.chart .limit{stroke:#dc2626;stroke-dasharray:4 3;stroke-width:1.2}.chart .frame{fill:none;stroke:#9ca3af}
.chart text{font-size:11px;fill:#6b7280}.chart .ylab{text-anchor:end}.chart .xlab{text-anchor:middle}
.legend{font-size:12px;color:#374151;display:flex;gap:14px;flex-wrap:wrap}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.causes span{margin-right:14px;font-size:12px}.causes i{display:inline-block;width:10px;height:10px;margin-right:4px;opacity:.5}
.muted{color:#6b7280;font-size:13px}
`

/** The review as a self-contained HTML page. */
export function formatReviewHtml(input: ReviewHtmlInput): string {
  const r = input.review
  const name = r.file.split(/[\\/]/).pop() ?? r.file
  const charts = chartSpecs(input)
    .map((c, i) => chartSvg(c, input, i))
    .filter((x): x is string => x !== null)
  const causes = [...new Set(input.episodes.map((e) => e.cause))]
  const causeLegend = causes.length
    ? `<p class="causes">Shaded: ${causes.map((c) => `<span><i style="background:${THROTTLE_CAUSE_COLORS[c]}"></i>${esc(describeThrottleCause(c))}</span>`).join('')}</p>`
    : '<p class="muted">No throttle episodes to shade.</p>'
  const rows: string[] = []
  for (const d of r.devices)
    for (const s of d.series) {
      const v = (x: typeof s.min): string =>
        x.status === 'ok'
          ? esc(formatReviewValue(s.unit, x.value))
          : `<span class="muted">${esc(describeReason(x))}</span>`
      rows.push(
        s.observedSeconds > 0
          ? `<tr><td>${esc(d.label)}</td><td>${esc(s.label)}</td><td class="n">${v(s.min)}</td><td class="n">${v(s.median)}</td><td class="n">${v(s.p95)}</td><td class="n">${v(s.max)}</td><td class="n">${formatShare(s.coverage)}</td></tr>`
          : `<tr><td>${esc(d.label)}</td><td>${esc(s.label)}</td><td colspan="5" class="muted">not reported: ${esc(s.unavailable[0] ? describeReason(s.unavailable[0].reason) : 'never in this session')}</td></tr>`
      )
    }
  const throttleRows: string[] = []
  for (const t of r.throttling) {
    if (t.byCause.length === 0)
      throttleRows.push(
        `<tr><td>${esc(t.deviceLabel)}</td><td colspan="4">${esc(t.throttledSeconds.status === 'ok' ? `not throttled (reasons observed ${formatShare(t.coverage)} of the run)` : `unknown: ${describeReason(t.throttledSeconds)}`)}</td></tr>`
      )
    for (const c of t.byCause)
      throttleRows.push(
        `<tr><td>${esc(t.deviceLabel)}</td><td><i style="display:inline-block;width:10px;height:10px;background:${THROTTLE_CAUSE_COLORS[c.cause]}"></i> ${esc(c.label)}</td><td class="n">${formatSpan(c.seconds)} (${formatShare(c.fraction)})</td><td class="n">${c.episodes}</td><td>${esc(
          c.longest
            .slice(0, 3)
            .map((e) => `${formatSpan(e.seconds)} at ${formatUtc(e.startMs)}`)
            .join(', ')
        )}</td></tr>`
      )
  }
  const alerts = input.alerts.length
    ? `<table><tr><th>Time (UTC)</th><th></th><th>Rule</th><th>What</th></tr>${input.alerts
        .slice(0, 500)
        .map(
          (a) =>
            `<tr><td>${formatUtc(a.atMs)}</td><td>${a.kind === 'raise' ? 'raised' : 'cleared'}</td><td>${esc(ALERT_RULE_TEXT[a.rule])}</td><td>${esc(a.message)}</td></tr>`
        )
        .join('')}</table>`
    : `<p class="muted">${r.alerts.recorded ? 'No alerts raised.' : 'No alerts recorded (alerts were not evaluated while recording).'}</p>`
  // The Markdown text carries every detail (thresholds, command, file integrity) in plain words.
  const details = esc(formatReviewMarkdown(r))
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>RigReady session review: ${esc(name)}</title><style>${CSS}</style></head>
<body>
<h1>Session review: ${esc(name)}</h1>
<p class="verdict">${esc(r.verdict)}</p>
<p class="muted">${esc(r.host)} · ${r.startMs.status === 'ok' ? formatUtc(r.startMs.value) : '—'} → ${r.endMs.status === 'ok' ? formatUtc(r.endMs.value) : '—'} · ${formatSpan(r.spanSeconds)} · ${r.samples.toLocaleString('en-US')} samples · ${formatShare(r.coverage)} covered${r.gapCount ? ` · ${r.gapCount} gaps (${formatSpan(r.gapSeconds)})` : ''}</p>
<h2>The whole run</h2>
${causeLegend}
${charts.join('\n')}
<h2>Series</h2>
<table><tr><th>Device</th><th>Series</th><th>Min</th><th>Median</th><th>p95</th><th>Max</th><th>Covered</th></tr>${rows.join('')}</table>
<h2>Throttling</h2>
<table><tr><th>Device</th><th>Cause</th><th>Time</th><th>Episodes</th><th>Longest</th></tr>${throttleRows.join('')}</table>
<h2>Alerts</h2>
${alerts}
<h2>Details</h2>
<pre style="white-space:pre-wrap;font-size:12px;background:#fff;border:1px solid #d9dde3;padding:10px">${details}</pre>
</body></html>
`
}
