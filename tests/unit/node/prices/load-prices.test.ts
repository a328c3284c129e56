import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findPsus, quotePrice } from '../../../../src-main/core/prices'
import {
  applyUserPrices,
  loadPrices,
  MAX_PRICES_FILE_BYTES,
  packagedPriceTable,
  PricesFileError,
  readBoundedText
} from '../../../../src-main/node/prices/load-prices'

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures/prices')
let dir = ''

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rigready-prices-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p
  } catch (e) {
    if (e instanceof PricesFileError) return e.problems
    throw e
  }
  throw new Error('expected a PricesFileError')
}

describe('load-prices', () => {
  it('returns the packaged table when no user file is given', async () => {
    const t = await loadPrices()
    expect(t.rows.length).toBe(packagedPriceTable().rows.length)
    expect(t.overrides).toBeUndefined()
    expect(t.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  it('merges a user file over the packaged table', async () => {
    const file = resolve(FIXTURES, 'user-override.json')
    const t = await loadPrices({ userFile: file })
    expect(t.overrides?.keys).toEqual(['geforce-rtx-3090', 'psu-1200w-atx3'])
    const q = quotePrice(t, 'geforce-rtx-3090', { condition: 'used', nowMs: Date.UTC(2026, 11, 1) })
    expect(q.status === 'ok' && [q.quote.low, q.quote.high, q.quote.fromUser]).toEqual([
      650,
      750,
      true
    ])
    expect(findPsus(t, { minWatts: 1200, needs12v2x6: true }).length).toBe(1)
  })

  it('names the file and says what is wrong when it is missing, a directory or not JSON', async () => {
    const missing = join(dir, 'nope.json')
    expect(await problemsOf(loadPrices({ userFile: missing }))).toEqual([
      `${missing}: no such file`
    ])
    const sub = join(dir, 'a-dir')
    await mkdir(sub)
    expect(await problemsOf(loadPrices({ userFile: sub }))).toEqual([
      `${sub}: is a directory, not a price file`
    ])
    const junk = join(dir, 'junk.json')
    await writeFile(junk, '{"schemaVersion": 1, "rows": [')
    const p = await problemsOf(loadPrices({ userFile: junk }))
    expect(p).toHaveLength(1)
    expect(p[0]).toMatch(
      new RegExp(`^${junk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`)
    )
  })

  it('rejects a file larger than the bound without reading it all', async () => {
    const big = join(dir, 'big.json')
    await writeFile(big, ' '.repeat(5000))
    expect(await problemsOf(loadPrices({ userFile: big, maxBytes: 4096 }))).toEqual([
      `${big}: larger than 4 KiB; a price file is a small JSON file`
    ])
    expect(await readBoundedText(big, 5000)).toHaveLength(5000)
    expect(MAX_PRICES_FILE_BYTES).toBeGreaterThan(100_000)
  })

  it('reports every invalid row of a user file, one line each, and uses nothing of it', async () => {
    const file = resolve(FIXTURES, 'user-invalid.json')
    const p = await problemsOf(loadPrices({ userFile: file }))
    expect(p).toEqual(
      expect.arrayContaining([
        `${file} rows[0] (geforce-rtx-3090) prices[0].high: must not be below low`,
        `${file} rows[1] (ram-ddr5-2x48gb) prices[0].currency: expected USD or EUR`
      ])
    )
    for (const line of p) expect(line).not.toContain('\n')
    const err = new PricesFileError(p)
    expect(err.message).toBe(`${p[0]} (and ${p.length - 1} more)`)
  })

  it('applies user prices given as text (the Settings field), bounded the same way', () => {
    const base = packagedPriceTable()
    const text = JSON.stringify({
      schemaVersion: 1,
      asOf: '2026-11-30',
      rows: [
        {
          key: 'geforce-rtx-4090',
          kind: 'gpu',
          prices: [
            { condition: 'used', basis: 'used-market', low: 1500, high: 1700, currency: 'USD' }
          ]
        }
      ]
    })
    const t = applyUserPrices(base, text, 'Settings › Prices')
    expect(t.overrides?.source).toBe('Settings › Prices')
    expect(() => applyUserPrices(base, text, 'Settings › Prices', 10)).toThrow(PricesFileError)
    expect(() => applyUserPrices(base, '[]', 'Settings › Prices')).toThrow(/^Settings › Prices: /)
  })
})
