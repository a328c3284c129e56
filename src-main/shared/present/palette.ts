/**
 * Severity levels and the one colour of each severity, throttle cause and chart series, in both themes.
 *
 * The UI turns this table into CSS custom properties (`paletteCssVariables`), so a cause or severity has
 * the same colour in every view; reports that colour things (HTML export) read the same table. The
 * contrast rules are tested: text colours reach 4.5:1 on their backgrounds, graphics (chart lines, bands,
 * gauge tracks, grid lines) 3:1 against the card surface (WCAG 2.2 SC 1.4.3 and 1.4.11).
 */
import type { ThrottleCause } from '../telemetry'

/** How good or bad a thing is; `unknown` is its own level (never shown as good). */
export type Severity = 'ok' | 'warn' | 'bad' | 'info' | 'unknown'

/** Every severity, best first. */
export const SEVERITIES: readonly Severity[] = ['ok', 'info', 'warn', 'bad', 'unknown']

/** Words for a severity, for people who cannot see the colour. */
export const SEVERITY_WORDS: Readonly<Record<Severity, string>> = {
  ok: 'good',
  info: 'note',
  warn: 'caution',
  bad: 'problem',
  unknown: 'unknown'
}

/** The worse of two severities (`unknown` counts as worse than `warn`, better than `bad`). */
export function worseSeverity(a: Severity, b: Severity): Severity {
  const rank: Record<Severity, number> = { ok: 0, info: 1, warn: 2, unknown: 3, bad: 4 }
  return rank[a] >= rank[b] ? a : b
}

/** Colour themes. */
export type Theme = 'light' | 'dark'

/** Neutral colours of a theme. */
export interface ThemeNeutrals {
  /** Page background. */
  bg: string
  /** Card surface: graphics are measured against this. */
  surface: string
  /** Raised controls and table stripes. */
  surface2: string
  text: string
  textMuted: string
  /** Card and table borders (decoration). */
  border: string
  /** Chart grid lines and gauge tracks (graphics: 3:1 against the surface). */
  graphic: string
  /** Links, focus ring, selected controls. */
  accent: string
}

/** Foreground (text, icons) and background (badge) of one severity. */
export interface SeverityColour {
  fg: string
  bg: string
}

/** One theme's full palette. */
export interface Palette {
  neutrals: ThemeNeutrals
  severity: Record<Severity, SeverityColour>
  cause: Record<ThrottleCause, string>
  /** Chart series colours, assigned in order. */
  series: readonly string[]
}

/** The palettes. */
export const PALETTES: Readonly<Record<Theme, Palette>> = {
  light: {
    neutrals: {
      bg: '#f4f5f7',
      surface: '#ffffff',
      surface2: '#eceef2',
      text: '#1b1f24',
      textMuted: '#535b66',
      border: '#d5d9e0',
      graphic: '#868d98',
      accent: '#1f4fbf'
    },
    severity: {
      ok: { fg: '#1a6e36', bg: '#e1f3e6' },
      info: { fg: '#1f4fbf', bg: '#e3ebfb' },
      warn: { fg: '#8a4600', bg: '#fcefd9' },
      bad: { fg: '#b3261e', bg: '#fbe4e2' },
      unknown: { fg: '#535b66', bg: '#eceef2' }
    },
    cause: {
      power: '#b45309',
      thermal: '#dc2626',
      psu: '#7c3aed',
      current: '#be185d',
      'hw-slowdown': '#854d0e',
      'pcie-link': '#2563eb',
      'storage-thermal': '#c2410c',
      battery: '#0f766e',
      idle: '#6b7280',
      config: '#475569',
      other: '#57534e'
    },
    series: ['#1f4fbf', '#c2410c', '#15803d', '#9333ea', '#b91c1c', '#0e7490', '#a16207', '#4b5563']
  },
  dark: {
    neutrals: {
      bg: '#0f1216',
      surface: '#171b21',
      surface2: '#222831',
      text: '#e6e9ee',
      textMuted: '#a1aab6',
      border: '#303843',
      graphic: '#6b7482',
      accent: '#86aaff'
    },
    severity: {
      ok: { fg: '#62d68d', bg: '#14301e' },
      info: { fg: '#86aaff', bg: '#182644' },
      warn: { fg: '#f2b75e', bg: '#3a2a10' },
      bad: { fg: '#ff8078', bg: '#3d1714' },
      unknown: { fg: '#a1aab6', bg: '#262c35' }
    },
    cause: {
      power: '#f59e0b',
      thermal: '#f87171',
      psu: '#a78bfa',
      current: '#f472b6',
      'hw-slowdown': '#facc15',
      'pcie-link': '#60a5fa',
      'storage-thermal': '#fb923c',
      battery: '#2dd4bf',
      idle: '#9ca3af',
      config: '#94a3b8',
      other: '#a8a29e'
    },
    series: ['#86aaff', '#ff9e64', '#62d68d', '#c792ea', '#ff8078', '#5ccfe6', '#e0c46c', '#a0a8b4']
  }
}

/** sRGB channel to linear light (WCAG 2.x relative luminance). */
function linear(c8: number): number {
  const c = c8 / 255
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
}

/** Relative luminance of a `#rrggbb` colour. */
export function relativeLuminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex)
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`)
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => linear(parseInt(h, 16)))
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
}

/** WCAG contrast ratio of two `#rrggbb` colours (1–21). */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a)
  const lb = relativeLuminance(b)
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
}

/**
 * The palette as CSS custom properties: `--bg`, `--surface`, `--text`, `--text-muted`, `--border`,
 * `--graphic`, `--accent`, `--ok`/`--ok-bg` … per severity, `--cause-<cause>` and `--series-<n>`.
 */
export function paletteCssVariables(theme: Theme): Record<string, string> {
  const p = PALETTES[theme]
  const n = p.neutrals
  const out: Record<string, string> = {
    '--bg': n.bg,
    '--surface': n.surface,
    '--surface-2': n.surface2,
    '--text': n.text,
    '--text-muted': n.textMuted,
    '--border': n.border,
    '--graphic': n.graphic,
    '--accent': n.accent
  }
  for (const s of SEVERITIES) {
    out[`--${s}`] = p.severity[s].fg
    out[`--${s}-bg`] = p.severity[s].bg
  }
  for (const [cause, colour] of Object.entries(p.cause)) out[`--cause-${cause}`] = colour
  p.series.forEach((c, i) => (out[`--series-${i}`] = c))
  return out
}
