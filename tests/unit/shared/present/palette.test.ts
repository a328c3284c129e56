import { describe, expect, it } from 'vitest'
import {
  contrastRatio,
  paletteCssVariables,
  PALETTES,
  SEVERITIES,
  type Theme
} from '../../../../src-main/shared/present/palette'
import { THROTTLING_CAUSES } from '../../../../src-main/shared/present/causes'

const THEMES: Theme[] = ['light', 'dark']

describe('present/palette', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21)
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 1)
  })

  for (const theme of THEMES) {
    const p = PALETTES[theme]
    const n = p.neutrals
    it(`${theme}: body and muted text reach 4.5:1 on page, card and raised surfaces`, () => {
      for (const bg of [n.bg, n.surface, n.surface2]) {
        expect(contrastRatio(n.text, bg)).toBeGreaterThanOrEqual(4.5)
        expect(contrastRatio(n.textMuted, bg), `${n.textMuted} on ${bg}`).toBeGreaterThanOrEqual(
          4.5
        )
        expect(contrastRatio(n.accent, bg)).toBeGreaterThanOrEqual(4.5)
      }
    })
    it(`${theme}: each severity's text reaches 4.5:1 on its badge and on the card`, () => {
      for (const s of SEVERITIES) {
        const c = p.severity[s]
        expect(contrastRatio(c.fg, c.bg), `${s} on its badge`).toBeGreaterThanOrEqual(4.5)
        expect(contrastRatio(c.fg, n.surface), `${s} on the card`).toBeGreaterThanOrEqual(4.5)
      }
    })
    it(`${theme}: graphics (grid, tracks, series, causes) reach 3:1 against the card`, () => {
      expect(contrastRatio(n.graphic, n.surface)).toBeGreaterThanOrEqual(3)
      for (const c of p.series) expect(contrastRatio(c, n.surface), c).toBeGreaterThanOrEqual(3)
      for (const cause of THROTTLING_CAUSES)
        expect(contrastRatio(p.cause[cause], n.surface), cause).toBeGreaterThanOrEqual(3)
      expect(contrastRatio(p.severity.ok.fg, n.surface)).toBeGreaterThanOrEqual(3)
    })
    it(`${theme}: gives every throttling cause its own colour`, () => {
      const colours = THROTTLING_CAUSES.map((c) => p.cause[c])
      expect(new Set(colours).size).toBe(colours.length)
    })
  }

  it('exposes one CSS variable per severity, cause and series colour', () => {
    const vars = paletteCssVariables('dark')
    expect(vars['--bad']).toBe(PALETTES.dark.severity.bad.fg)
    expect(vars['--cause-thermal']).toBe(PALETTES.dark.cause.thermal)
    expect(vars['--series-0']).toBe(PALETTES.dark.series[0])
    expect(Object.keys(paletteCssVariables('light')).sort()).toEqual(Object.keys(vars).sort())
  })
})
