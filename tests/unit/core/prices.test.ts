import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import packaged from '../../../resources/prices.json'
import specs from '../../../resources/gpu-specs.json'
import {
  daysSince,
  findMachines,
  findNvmeDrives,
  findPsus,
  findRamKits,
  machineKey,
  mergePriceTables,
  nvmeKey,
  parsePriceOverrides,
  parsePriceTable,
  priceAgeWarning,
  priceRangeText,
  priceSlug,
  priceTableAgeDays,
  psuKey,
  quoteGpu,
  quotePrice,
  ramKitKey,
  type PriceObservation,
  type PriceRow,
  type PriceTable
} from '../../../src-main/core/prices'

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/prices')
const DAY_MS = 86_400_000
const ms = (iso: string): number => Date.parse(`${iso}T00:00:00Z`)

function table(): PriceTable {
  const r = parsePriceTable(packaged, 'resources/prices.json')
  if (!r.ok) throw new Error(r.errors.join('\n'))
  return r.value
}

const SOURCE = { publication: 'Test Tracker', says: 'test figure' }
function obs(p: Partial<PriceObservation>): PriceObservation {
  return {
    condition: 'new',
    basis: 'street',
    low: 100,
    high: 120,
    currency: 'USD',
    observedOn: '2026-01-10',
    source: SOURCE,
    ...p
  }
}
function tiny(rows: PriceRow[], asOf = '2026-06-01'): PriceTable {
  return { schemaVersion: 1, asOf, currency: 'USD', rows }
}
const gpuRow = (key: string, prices: PriceObservation[]): PriceRow => ({
  key,
  kind: 'gpu',
  name: key,
  prices
})

describe('packaged price table (resources/prices.json)', () => {
  it('validates against the schema', () => {
    const r = parsePriceTable(packaged, 'resources/prices.json')
    expect(r.ok ? [] : r.errors).toEqual([])
  })

  it('gives every row at least one price, and every price a source (publication and what it says) and a date', () => {
    // The schema is the check; this restates it on the raw JSON so a schema edit cannot silently drop it.
    for (const row of packaged.rows as unknown as Array<Record<string, unknown>>) {
      const prices = row.prices as Array<Record<string, unknown>>
      expect(prices.length, `${String(row.key)}: no prices`).toBeGreaterThan(0)
      for (const p of prices) {
        const src = p.source as Record<string, unknown> | undefined
        expect(typeof src?.publication, `${String(row.key)}: source.publication`).toBe('string')
        expect(typeof src?.says, `${String(row.key)}: source.says`).toBe('string')
        expect(String(p.observedOn), `${String(row.key)}: observedOn`).toMatch(
          /^\d{4}-\d{2}-\d{2}$/
        )
      }
    }
  })

  it('rejects a table whose rows lack a source, a date or any price, naming file, row and field', async () => {
    const text = await readFile(resolve(FIXTURES, 'missing-source-and-date.json'), 'utf8')
    const r = parsePriceTable(text, 'bad.json')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors).toEqual(
      expect.arrayContaining([
        'bad.json rows[0] (geforce-rtx-4090) prices[0].source: required',
        'bad.json rows[1] (ram-ddr5-2x32gb) prices[0].observedOn: required',
        'bad.json rows[2] (psu-1000w-atx3) prices: expected at least one price'
      ])
    )
    for (const e of r.errors) expect(e).not.toContain('\n')
  })

  it('cites http(s) pages, dates no price after the table, and uses each source once per figure', () => {
    const t = table()
    for (const row of t.rows)
      for (const p of row.prices) {
        if (p.source.url !== undefined) expect(p.source.url).toMatch(/^https:\/\//)
        expect(p.observedOn <= t.asOf).toBe(true)
        expect(p.source.says.length).toBeGreaterThan(10)
      }
  })

  it('keys GPU rows by the spec-table key scheme (slug of the name) and part rows by their attributes', () => {
    const specKeys = new Set(specs.rows.map((s) => s.key))
    for (const row of table().rows) {
      if (row.kind === 'gpu') {
        // scripts/build-gpu-specs.mjs keys a row by the slug of its name: a price row for a GPU the spec
        // table adds later matches it as soon as the names agree.
        expect(priceSlug(row.name.replace(/[()]/g, ' '))).toBe(row.key)
      }
      if (row.kind === 'machine' && row.gpuSpecKey !== null)
        expect(specKeys.has(row.gpuSpecKey)).toBe(true)
    }
    expect(ramKitKey({ ramType: 'DDR5', modules: 2, moduleGb: 32 })).toBe('ram-ddr5-2x32gb')
    expect(nvmeKey({ pcieGen: 4, capacityTb: 2 })).toBe('nvme-gen4-2tb')
    expect(nvmeKey({ pcieGen: null, capacityTb: 2 })).toBe('nvme-2tb')
    expect(psuKey({ watts: 1000, atx3: true })).toBe('psu-1000w-atx3')
    expect(
      machineKey({ family: 'mac-studio', chip: 'M4 Max', gpuCores: 40, unifiedMemoryGb: 128 })
    ).toBe('mac-studio-m4-max-40c-128gb')
  })

  // Consumer and workstation cards in the spec table that have no price row, each with the reason.
  // A key here that gains a price row, or leaves the spec table, fails the test below: keep it current.
  const UNPRICED: Record<string, string> = {
    // Pascal, launched 2016–2017: out of production for more than six years.
    'geforce-gtx-1060-6gb': 'launched 2016',
    'geforce-gtx-1070': 'launched 2016',
    'geforce-gtx-1080': 'launched 2016',
    'geforce-gtx-1080-ti': 'launched 2017',
    // Turing, launched 2018–2019: before the six-year window of this table (December 2020 on).
    'geforce-gtx-1650-gddr5': 'launched 2019',
    'geforce-gtx-1660-ti': 'launched 2019',
    'geforce-gtx-1660-super': 'launched 2019',
    'geforce-rtx-2060': 'launched 2019',
    'geforce-rtx-2070-super': 'launched 2019',
    'geforce-rtx-2080-ti': 'launched 2018',
    // Sold in the window, but no dated published price was found when the table was compiled: the
    // advice says "price unknown" for these until a source is added (or the user's file gives one).
    'geforce-rtx-4070-ti-super': 'no dated source found (launched 2024)',
    'rtx-a2000-6gb': 'no dated source found (launched 2021)',
    'rtx-a4000': 'no dated source found (launched 2021)',
    'rtx-a5000': 'no dated source found (launched 2021)',
    'rtx-a6000': 'no dated source found (launched 2020-10)',
    'rtx-6000-ada': 'no dated source found (launched 2022-12)',
    'radeon-rx-7800-xt': 'no dated source found (launched 2023)',
    'intel-arc-a770-16gb': 'no dated source found (launched 2022)',
    // Added to the spec table after the price table was compiled (2026-12-02): no price looked up yet.
    'geforce-rtx-2060-12gb': 'no price looked up yet',
    'geforce-rtx-2060-super': 'no price looked up yet',
    'geforce-rtx-2070': 'no price looked up yet',
    'geforce-rtx-2080': 'no price looked up yet',
    'geforce-rtx-2080-super': 'no price looked up yet',
    'geforce-rtx-3050-6gb': 'no price looked up yet',
    'geforce-rtx-3050-8gb': 'no price looked up yet',
    'geforce-rtx-3060-8gb': 'no price looked up yet',
    'geforce-rtx-3070-ti': 'no price looked up yet',
    'geforce-rtx-3080-12gb': 'no price looked up yet',
    'geforce-rtx-3080-ti': 'no price looked up yet',
    'geforce-rtx-4070-super': 'no price looked up yet',
    'geforce-rtx-5050': 'no price looked up yet',
    'quadro-rtx-4000': 'no price looked up yet',
    'quadro-rtx-5000': 'no price looked up yet',
    'quadro-rtx-6000': 'no price looked up yet',
    'quadro-rtx-8000': 'no price looked up yet',
    'rtx-a2000-12gb': 'no price looked up yet',
    'rtx-a4500': 'no price looked up yet',
    'rtx-a5500': 'no price looked up yet',
    'rtx-2000-ada': 'no price looked up yet',
    'rtx-4000-sff-ada': 'no price looked up yet',
    'rtx-4000-ada': 'no price looked up yet',
    'rtx-4500-ada': 'no price looked up yet',
    'rtx-5000-ada': 'no price looked up yet',
    'rtx-pro-6000-blackwell-max-q': 'no price looked up yet',
    'rtx-pro-5000-blackwell': 'no price looked up yet',
    'rtx-pro-4500-blackwell': 'no price looked up yet',
    'rtx-pro-4000-blackwell': 'no price looked up yet',
    'radeon-rx-6600': 'no price looked up yet',
    'radeon-rx-6600-xt': 'no price looked up yet',
    'radeon-rx-6650-xt': 'no price looked up yet',
    'radeon-rx-6700-xt': 'no price looked up yet',
    'radeon-rx-6750-xt': 'no price looked up yet',
    'radeon-rx-6950-xt': 'no price looked up yet',
    'radeon-rx-7600': 'no price looked up yet',
    'radeon-rx-7600-xt': 'no price looked up yet',
    'radeon-rx-7700-xt': 'no price looked up yet',
    'radeon-rx-7900-gre': 'no price looked up yet',
    'radeon-rx-9060-xt-8gb': 'no price looked up yet',
    'radeon-rx-9060-xt-16gb': 'no price looked up yet',
    'radeon-rx-9070': 'no price looked up yet',
    'intel-arc-a310': 'no price looked up yet',
    'intel-arc-a380': 'no price looked up yet',
    'intel-arc-a580': 'no price looked up yet',
    'intel-arc-a750': 'no price looked up yet',
    'intel-arc-a770-8gb': 'no price looked up yet'
  }

  it('prices every consumer and workstation GPU of the spec table, or names why not', () => {
    const priced = new Set(table().rows.map((r) => r.key))
    const specKeys = new Set(specs.rows.map((s) => s.key))
    const missing = specs.rows
      .filter((s) => s.segment === 'consumer' || s.segment === 'workstation')
      .filter((s) => !priced.has(s.key) && !(s.key in UNPRICED))
      .map((s) => s.key)
    expect(missing, 'spec-table GPUs with neither a price row nor an entry in UNPRICED').toEqual([])
    for (const key of Object.keys(UNPRICED)) {
      expect(specKeys.has(key), `${key} is listed in UNPRICED but is not in the spec table`).toBe(
        true
      )
      expect(priced.has(key), `${key} is listed in UNPRICED but has a price row`).toBe(false)
    }
  })
})

describe('price table schema', () => {
  it('names the file, row index, row key and field in one-line errors', () => {
    const bad = structuredClone(packaged) as unknown as { rows: Array<Record<string, unknown>> }
    const row = bad.rows[3] as { key: string; prices: Array<Record<string, unknown>> }
    row.prices[0].observedOn = '2026-02-30'
    row.prices[0].low = -5
    const r = parsePriceTable(bad, 'prices.json')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors).toContain(
      `prices.json rows[3] (${row.key}) prices[0].observedOn: expected a date YYYY-MM-DD`
    )
    expect(r.errors).toContain(
      `prices.json rows[3] (${row.key}) prices[0].low: expected a positive amount`
    )
  })

  it('rejects duplicate keys, keys that do not match the attributes, reversed ranges and future dates', () => {
    const t = tiny([
      gpuRow('geforce-rtx-4090', [obs({})]),
      gpuRow('geforce-rtx-4090', [obs({ low: 300, high: 200 })]),
      {
        key: 'ram-ddr5-2x48gb',
        kind: 'ram',
        name: 'kit',
        ramType: 'DDR5',
        modules: 2,
        moduleGb: 32,
        prices: [obs({ observedOn: '2026-07-01' })]
      }
    ])
    const r = parsePriceTable(t, 't.json')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors).toEqual(
      expect.arrayContaining([
        't.json rows[1] (geforce-rtx-4090) prices[0].high: must not be below low',
        't.json rows[1] (geforce-rtx-4090) key: duplicate key "geforce-rtx-4090"',
        't.json rows[2] (ram-ddr5-2x48gb) key: expected "ram-ddr5-2x32gb" for these attributes',
        "t.json rows[2] (ram-ddr5-2x48gb) prices[0].observedOn: 2026-07-01 is after the file's asOf 2026-06-01"
      ])
    )
  })

  it('accepts month, quarter and year dates only at the start of their period', () => {
    const ok = tiny([
      gpuRow('a', [
        obs({ observedOn: '2026-02-01', datePrecision: 'month' }),
        obs({ observedOn: '2026-04-01', datePrecision: 'quarter' }),
        obs({ observedOn: '2026-01-01', datePrecision: 'year' })
      ])
    ])
    expect(parsePriceTable(ok).ok).toBe(true)
    const bad = tiny([
      gpuRow('a', [
        obs({ observedOn: '2026-02-15', datePrecision: 'month' }),
        obs({ observedOn: '2026-02-01', datePrecision: 'quarter' })
      ])
    ])
    const r = parsePriceTable(bad, 'p.json')
    expect(r.ok ? [] : r.errors).toEqual([
      'p.json rows[0] (a) prices[0].observedOn: a month date must be the first day of its month',
      'p.json rows[0] (a) prices[1].observedOn: a quarter date must be the first day of its quarter'
    ])
  })

  it('reports unknown fields, a wrong kind and bad JSON without throwing', () => {
    const r1 = parsePriceTable(
      tiny([{ ...gpuRow('a', [obs({})]), colour: 'red' } as unknown as PriceRow]),
      'p.json'
    )
    expect(r1.ok ? [] : r1.errors).toEqual(['p.json rows[0] (a): unknown field "colour"'])
    const r2 = parsePriceTable(
      tiny([{ ...gpuRow('a', [obs({})]), kind: 'cpu' } as unknown as PriceRow]),
      'p.json'
    )
    expect(r2.ok ? [] : r2.errors).toEqual([
      'p.json rows[0] (a) kind: expected kind gpu, ram, nvme, psu or machine'
    ])
    const r3 = parsePriceTable('{ "rows": [', 'p.json')
    expect(r3.ok).toBe(false)
    if (!r3.ok) expect(r3.errors[0]).toMatch(/^p\.json: not valid JSON \(/)
  })
})

describe('user price files', () => {
  it('accept partial rows: name, source and asOf optional, the file asOf dating undated prices', async () => {
    const text = await readFile(resolve(FIXTURES, 'user-override.json'), 'utf8')
    const r = parsePriceOverrides(text, 'my-prices.json')
    expect(r.ok ? [] : r.errors).toEqual([])
    if (!r.ok) return
    const used = r.value.rows[0].prices[0]
    expect(used.observedOn).toBe('2026-11-20')
    expect(used.source.publication).toBe('user price file my-prices.json')
  })

  it('require a date when the file has no asOf, and name file, row and field', async () => {
    const text = await readFile(resolve(FIXTURES, 'user-invalid.json'), 'utf8')
    const r = parsePriceOverrides(text, 'mine.json')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors).toEqual(
      expect.arrayContaining([
        'mine.json rows[0] (geforce-rtx-3090) prices[0].high: must not be below low',
        'mine.json rows[1] (ram-ddr5-2x48gb) prices[0].currency: expected USD or EUR'
      ])
    )
    const noDate = parsePriceOverrides(
      {
        schemaVersion: 1,
        rows: [{ key: 'a', kind: 'gpu', prices: [obs({ observedOn: undefined })] }]
      },
      'mine.json'
    )
    expect(noDate.ok ? [] : noDate.errors).toEqual([
      'mine.json rows[0] (a) prices[0].observedOn: required (or give the file an asOf date)'
    ])
  })

  it('override packaged rows by key, keep the packaged name, and add new keys', async () => {
    const base = table()
    const r = parsePriceOverrides(
      await readFile(resolve(FIXTURES, 'user-override.json'), 'utf8'),
      'my-prices.json'
    )
    if (!r.ok) throw new Error(r.errors.join('\n'))
    const merged = mergePriceTables(base, r.value, 'my-prices.json')
    expect(merged.rows.length).toBe(base.rows.length + 1)
    const now = ms('2026-12-01')
    const used = quotePrice(merged, 'geforce-rtx-3090', { condition: 'used', nowMs: now })
    expect(used.status).toBe('ok')
    if (used.status !== 'ok') return
    expect([used.quote.low, used.quote.high, used.quote.fromUser]).toEqual([650, 750, true])
    expect(used.quote.name).toBe('GeForce RTX 3090')
    // The user row replaces the whole packaged row: no packaged new price is left behind it.
    expect(quotePrice(merged, 'geforce-rtx-3090', { condition: 'new', nowMs: now }).status).toBe(
      'unavailable'
    )
    expect(findPsus(merged, { minWatts: 1100, needs12v2x6: true }).map((p) => p.key)).toEqual([
      'psu-1200w-atx3'
    ])
    expect(merged.overrides).toEqual({
      source: 'my-prices.json',
      keys: ['geforce-rtx-3090', 'psu-1200w-atx3'],
      asOf: '2026-11-20'
    })
    expect(merged.currency).toBe('USD')
    // The packaged table is not modified.
    expect(base.rows.some((x) => x.key === 'psu-1200w-atx3')).toBe(false)
  })

  it('take the user file currency as the ranking currency, never converting packaged prices', () => {
    const base = table()
    const merged = mergePriceTables(
      base,
      {
        schemaVersion: 1,
        currency: 'EUR',
        rows: [gpuRow('geforce-rtx-4090', [obs({ currency: 'EUR', low: 1900, high: 2100 })])]
      },
      'eur.json'
    )
    const now = ms('2026-12-01')
    const q = quotePrice(merged, 'geforce-rtx-4090', { condition: 'new', nowMs: now })
    expect(q.status === 'ok' && [q.quote.currency, q.quote.low]).toEqual(['EUR', 1900])
    expect(quotePrice(merged, 'geforce-rtx-3090', { condition: 'new', nowMs: now })).toMatchObject({
      status: 'unavailable',
      reason: 'no-price-in-currency'
    })
  })

  it('merge keeps every packaged key and lets user rows win (property)', () => {
    const base = table()
    const keys = base.rows.map((r) => r.key)
    fc.assert(
      fc.property(
        fc.subarray(keys),
        fc.array(fc.constantFrom('extra-a', 'extra-b'), { maxLength: 2 }),
        (pick, extra) => {
          const userRows = [...pick, ...new Set(extra)].map((k) =>
            gpuRow(k, [obs({ low: 1, high: 2 })])
          )
          const merged = mergePriceTables(base, { schemaVersion: 1, rows: userRows }, 'u.json')
          const mergedKeys = new Set(merged.rows.map((r) => r.key))
          for (const k of keys) expect(mergedKeys.has(k)).toBe(true)
          for (const u of userRows)
            expect(merged.rows.find((r) => r.key === u.key)?.prices[0].low).toBe(1)
          expect(merged.rows.length).toBe(keys.length + new Set(extra).size)
        }
      ),
      { numRuns: 50 }
    )
  })
})

describe('price look-ups', () => {
  const now = ms('2026-12-02')

  it('quotes a GPU new and used from the packaged table, most recent observation first', () => {
    const q = quoteGpu(table(), 'geforce-rtx-3090', { nowMs: now })
    expect(q.new.status).toBe('ok')
    expect(q.used.status).toBe('ok')
    if (q.used.status !== 'ok' || q.new.status !== 'ok') return
    expect(q.new.quote.basis).toBe('launch-msrp')
    expect(q.new.quote.low).toBe(1499)
    expect(q.used.quote.observedOn).toBe('2026-05-16')
    expect([q.used.quote.low, q.used.quote.high]).toEqual([700, 900])
    expect(q.used.quote.stale).toBe(true)
    expect(q.used.quote.ageDays).toBe(200)
  })

  it('prefers a street price over a launch MSRP of the same date, and later dates over both', () => {
    const t = tiny([
      gpuRow('g', [
        obs({ basis: 'launch-msrp', low: 500, high: 500, observedOn: '2026-01-10' }),
        obs({ basis: 'street', low: 650, high: 700, observedOn: '2026-01-10' })
      ]),
      gpuRow('h', [
        obs({ basis: 'street', low: 650, high: 700, observedOn: '2026-01-10' }),
        obs({ basis: 'launch-msrp', low: 500, high: 500, observedOn: '2026-03-01' })
      ])
    ])
    const g = quotePrice(t, 'g', { condition: 'new', nowMs: now })
    const h = quotePrice(t, 'h', { condition: 'new', nowMs: now })
    expect(g.status === 'ok' && g.quote.low).toBe(650)
    expect(h.status === 'ok' && h.quote.low).toBe(500)
  })

  it('says why there is no price instead of returning 0', () => {
    const t = tiny([gpuRow('g', [obs({ condition: 'new' })])])
    expect(quotePrice(t, 'nope', { condition: 'new', nowMs: now })).toMatchObject({
      status: 'unavailable',
      reason: 'not-in-table'
    })
    expect(quotePrice(t, 'g', { condition: 'used', nowMs: now })).toMatchObject({
      status: 'unavailable',
      reason: 'no-price-for-condition'
    })
    const eur = quotePrice(t, 'g', { condition: 'new', nowMs: now, currency: 'EUR' })
    expect(eur).toMatchObject({ status: 'unavailable', reason: 'no-price-in-currency' })
    if (eur.status === 'unavailable') expect(eur.detail).toContain('only USD')
  })

  it('marks quotes older than the threshold as stale', () => {
    const t = tiny([gpuRow('g', [obs({ observedOn: '2026-01-10' })])])
    const at = (days: number, staleAfterDays?: number) => {
      const q = quotePrice(t, 'g', {
        condition: 'new',
        nowMs: ms('2026-01-10') + days * DAY_MS,
        staleAfterDays
      })
      return q.status === 'ok' ? [q.quote.ageDays, q.quote.stale] : null
    }
    expect(at(180)).toEqual([180, false])
    expect(at(181)).toEqual([181, true])
    expect(at(31, 30)).toEqual([31, true])
    expect(at(-5)).toEqual([0, false])
  })

  it('finds RAM kits by type and total capacity, fewest modules first', () => {
    const t = tiny([
      {
        key: 'ram-ddr5-4x16gb',
        kind: 'ram',
        name: 'k4',
        ramType: 'DDR5',
        modules: 4,
        moduleGb: 16,
        prices: [obs({})]
      },
      {
        key: 'ram-ddr5-2x32gb',
        kind: 'ram',
        name: 'k2',
        ramType: 'DDR5',
        modules: 2,
        moduleGb: 32,
        prices: [obs({})]
      },
      {
        key: 'ram-ddr4-2x32gb',
        kind: 'ram',
        name: 'd4',
        ramType: 'DDR4',
        modules: 2,
        moduleGb: 32,
        prices: [obs({})]
      }
    ])
    expect(findRamKits(t, { ramType: 'DDR5', totalGb: 64 }).map((r) => r.key)).toEqual([
      'ram-ddr5-2x32gb',
      'ram-ddr5-4x16gb'
    ])
    expect(findRamKits(t, { ramType: 'DDR5', totalGb: 64, maxModules: 2 }).length).toBe(1)
    expect(findRamKits(t, { ramType: 'DDR4', totalGb: 32 })).toEqual([])
    expect(findRamKits(table(), { ramType: 'DDR5', totalGb: 64 }).map((r) => r.key)).toEqual([
      'ram-ddr5-2x32gb'
    ])
  })

  it('finds NVMe drives by capacity and generation, leaving unstated generations out of a generation query', () => {
    const t = table()
    expect(findNvmeDrives(t, { minCapacityTb: 2 }).map((r) => r.key)).toEqual([
      'nvme-2tb',
      'nvme-4tb',
      'nvme-8tb',
      'nvme-gen4-8tb'
    ])
    expect(findNvmeDrives(t, { minCapacityTb: 1, pcieGen: 4 }).map((r) => r.key)).toEqual([
      'nvme-gen4-1tb',
      'nvme-gen4-8tb'
    ])
    expect(findNvmeDrives(t, { minCapacityTb: 1, pcieGen: 5 })).toEqual([])
  })

  it('finds power supplies of at least a wattage, and only 12V-2x6 units when the GPU needs one', () => {
    const t = table()
    expect(findPsus(t, { minWatts: 900 }).map((r) => r.key)).toEqual(['psu-1000w', 'psu-1200w'])
    // The packaged PSU prices are 2021 units without the connector: none qualifies.
    expect(findPsus(t, { minWatts: 650, needs12v2x6: true })).toEqual([])
  })

  it('finds whole machines by unified memory, family and chip', () => {
    const t = table()
    expect(findMachines(t, { minUnifiedMemoryGb: 32 }).map((m) => m.key)).toEqual([
      'mac-studio-m4-max-32c-36gb',
      'mac-studio-m3-ultra-60c-96gb'
    ])
    expect(findMachines(t, { chip: 'm3 ultra' }).map((m) => m.unifiedMemoryGb)).toEqual([96])
    expect(findMachines(t, { family: 'mac-mini' }).map((m) => m.gpuCores)).toEqual([10])
  })

  it('writes a compact range text with the basis and date', () => {
    const q = quoteGpu(table(), 'geforce-rtx-4090', { nowMs: ms('2026-03-01') })
    expect(q.new.status === 'ok' && priceRangeText(q.new.quote)).toBe(
      'USD 2,200–2,800 new (street, 2026-02)'
    )
    const u = quoteGpu(table(), 'geforce-rtx-3090', { nowMs: now })
    expect(u.used.status === 'ok' && priceRangeText(u.used.quote)).toBe(
      'USD 700–900 used (used-market, 2026-05-16, old)'
    )
  })
})

describe('price table age', () => {
  const t = tiny([gpuRow('g', [obs({})])], '2026-06-01')

  it('counts whole days from asOf to nowMs, never negative', () => {
    expect(priceTableAgeDays(t, ms('2026-06-01'))).toBe(0)
    expect(priceTableAgeDays(t, ms('2026-06-01') + DAY_MS - 1)).toBe(0)
    expect(priceTableAgeDays(t, ms('2026-12-28'))).toBe(210)
    expect(priceTableAgeDays(t, ms('2025-01-01'))).toBe(0)
    expect(daysSince('2024-02-28', ms('2024-03-01'))).toBe(2)
  })

  it('warns once the table is older than the threshold', () => {
    expect(priceAgeWarning(t, ms('2026-11-28'))).toBeNull()
    expect(priceAgeWarning(t, ms('2026-11-29'))).toBe(
      'The price table is from 2026-06-01, 181 days ago: prices may have moved; check current prices, or give your own with --prices FILE.'
    )
    expect(priceAgeWarning(t, ms('2026-07-10'), 30)).toContain('39 days ago')
  })

  it('dates a table with a newer user file by the user file', () => {
    const merged = mergePriceTables(
      t,
      { schemaVersion: 1, asOf: '2026-11-01', rows: [gpuRow('g', [obs({})])] },
      'u.json'
    )
    expect(priceTableAgeDays(merged, ms('2026-11-11'))).toBe(10)
    expect(priceAgeWarning(merged, ms('2026-11-11'))).toBeNull()
  })
})
