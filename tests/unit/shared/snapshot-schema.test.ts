import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isFiniteReading, parseSnapshot } from '../../../src-main/shared/snapshot-schema'
import { gpuSample, snapshot } from '../../helpers/snapshot-builder'

const SESSION = resolve(import.meta.dirname, '../../fixtures/sessions/rtx4090-training-run.jsonl')

describe('snapshot-schema', () => {
  it('accepts every snapshot of the recorded session and returns the input object itself', async () => {
    const lines = (await readFile(SESSION, 'utf8')).trim().split('\n').slice(1)
    expect(lines.length).toBeGreaterThan(100)
    for (const line of lines) {
      const value: unknown = JSON.parse(line)
      const r = parseSnapshot(value)
      expect(r.ok ? null : r.error).toBeNull()
      if (r.ok) expect(r.snapshot).toBe(value)
    }
  })

  it('accepts builder snapshots (the shapes tests use)', () => {
    const r = parseSnapshot(
      snapshot({ gpus: [gpuSample({ index: 0, throttle: ['sw_power_cap'] })] })
    )
    expect(r.ok ? null : r.error).toBeNull()
  })

  it('names the first wrongly typed field with its path', () => {
    const s = JSON.parse(
      JSON.stringify(snapshot({ gpus: [gpuSample({ index: 0, temperatureCelsius: 70 })] }))
    ) as { gpus: { temperatureCelsius: { value: unknown } }[] }
    s.gpus[0]!.temperatureCelsius.value = '70'
    const r = parseSnapshot(s)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(/^gpus\.0\.temperatureCelsius\.value: /)
  })

  it('refuses unknown reasons, missing arrays and non-objects', () => {
    const s = JSON.parse(JSON.stringify(snapshot({}))) as Record<string, unknown>
    expect(parseSnapshot({ ...s, gpus: 'none' }).ok).toBe(false)
    expect(parseSnapshot({ ...s, cpu: { status: 'unavailable', reason: 'gremlins' } }).ok).toBe(
      false
    )
    expect(parseSnapshot(null).ok).toBe(false)
    expect(parseSnapshot('snapshot').ok).toBe(false)
  })

  it('keeps fields it does not know (newer writers stay readable)', () => {
    const s = { ...(JSON.parse(JSON.stringify(snapshot({}))) as object), extra: { a: 1 } }
    const r = parseSnapshot(s)
    expect(r.ok).toBe(true)
    if (r.ok) expect((r.snapshot as unknown as { extra: unknown }).extra).toEqual({ a: 1 })
  })

  it('isFiniteReading accepts only ok readings with finite numbers', () => {
    expect(isFiniteReading({ status: 'ok', value: 3 })).toBe(true)
    expect(isFiniteReading({ status: 'ok', value: '3' })).toBe(false)
    expect(isFiniteReading({ status: 'unavailable', reason: 'timeout' })).toBe(false)
    expect(isFiniteReading(undefined)).toBe(false)
  })
})
