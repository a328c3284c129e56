import fc from 'fast-check'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import {
  DEFAULT_WINDOW_STATE,
  MIN_WINDOW_HEIGHT,
  MIN_WINDOW_WIDTH,
  loadWindowState,
  parseWindowState,
  saveWindowState
} from '../../../src-main/electron-main/window-state'

const laptop = [{ x: 0, y: 0, width: 1920, height: 1080 }]
const dual = [...laptop, { x: 1920, y: 0, width: 2560, height: 1440 }]

describe('window-state', () => {
  it('keeps a saved window that is on screen', () => {
    expect(
      parseWindowState('{"x":100,"y":50,"width":1400,"height":900,"maximized":true}', laptop)
    ).toEqual({
      x: 100,
      y: 50,
      width: 1400,
      height: 900,
      maximized: true
    })
  })

  it('drops the position when the monitor it was on is gone', () => {
    const text = '{"x":2500,"y":100,"width":1400,"height":900,"maximized":false}'
    expect(parseWindowState(text, dual)).toMatchObject({ x: 2500, y: 100 })
    const onLaptop = parseWindowState(text, laptop)
    expect(onLaptop.x).toBeUndefined()
    expect(onLaptop.y).toBeUndefined()
    expect(onLaptop.width).toBe(1400)
  })

  it('clamps sizes between the minimum and the largest display', () => {
    expect(parseWindowState('{"width":10,"height":10}', laptop)).toMatchObject({
      width: MIN_WINDOW_WIDTH,
      height: MIN_WINDOW_HEIGHT
    })
    expect(parseWindowState('{"width":99999,"height":99999}', laptop)).toMatchObject({
      width: 1920,
      height: 1080
    })
  })

  it('falls back to the default for corrupt, partial or mistyped files', () => {
    for (const text of [
      '',
      '{',
      'null',
      '[]',
      '{"width":"1400","height":900}',
      '{"width":1.5,"height":900}',
      '{"x":1}'
    ]) {
      expect(parseWindowState(text, laptop)).toEqual(DEFAULT_WINDOW_STATE)
    }
  })

  it('never throws and always returns usable sizes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v))
        ),
        (text) => {
          const s = parseWindowState(text, laptop)
          expect(s.width).toBeGreaterThanOrEqual(MIN_WINDOW_WIDTH)
          expect(s.height).toBeGreaterThanOrEqual(MIN_WINDOW_HEIGHT)
          expect((s.x === undefined) === (s.y === undefined)).toBe(true)
        }
      )
    )
  })

  it('saves and loads through the file system, and a missing file gives the default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rigready-window-'))
    try {
      const file = join(dir, 'nested', 'window-state.json')
      expect(await loadWindowState(file, laptop)).toEqual(DEFAULT_WINDOW_STATE)
      await saveWindowState(file, { x: 5, y: 6, width: 1000, height: 700, maximized: false })
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
        x: 5,
        y: 6,
        width: 1000,
        height: 700,
        maximized: false
      })
      expect(await loadWindowState(file, laptop)).toEqual({
        x: 5,
        y: 6,
        width: 1000,
        height: 700,
        maximized: false
      })
      await writeFile(file, 'garbage')
      expect(await loadWindowState(file, laptop)).toEqual(DEFAULT_WINDOW_STATE)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
