/**
 * Prices of advice items from the dated price table: each part's quote (or why it has none), summed into a
 * range; look-ups for GPUs (the cheaper of used and new), RAM kits, NVMe drives and PSUs.
 *
 * A missing price is a reason, never 0; an item with any part unpriced has an unknown price (its known parts
 * are still listed). An item counts against a budget at the low end of its range.
 */
import type {
  AdvicePrice,
  AdvicePricePart,
  AdvicePriceQuote,
  AdviceCurrency
} from '../../../shared/readiness'
import type { PriceLookup, PriceQuote, PriceTable } from '../../prices'
import {
  findNvmeDrives,
  findPsus,
  findRamKits,
  observedOnText,
  quoteGpu,
  quotePrice,
  quoteRow
} from '../../prices'
import type { PartSpec } from './context'

/** Amount in a currency, e.g. "USD 1,000". */
export function moneyText(amount: number, currency: AdviceCurrency): string {
  return `${currency} ${Math.round(amount).toLocaleString('en-US')}`
}

/** A range "USD 700–900". */
export function rangeText(low: number, high: number, currency: AdviceCurrency): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US')
  return low === high ? `${currency} ${n(low)}` : `${currency} ${n(low)}–${n(high)}`
}

function toQuote(q: PriceQuote): AdvicePriceQuote {
  const out: AdvicePriceQuote = {
    key: q.key,
    name: q.name,
    condition: q.condition,
    basis: q.basis,
    low: q.low,
    high: q.high,
    currency: q.currency,
    observedOn: q.observedOn,
    datePrecision: q.datePrecision,
    ageDays: q.ageDays,
    stale: q.stale,
    fromUser: q.fromUser,
    source: { ...q.source }
  }
  return out
}

/** Plain words for the kind of figure a price is. */
const BASIS_WORDS: Record<AdvicePriceQuote['basis'], string> = {
  'launch-msrp': 'launch price',
  'list-price': 'list price',
  street: 'street price',
  'used-market': 'used market'
}

/** A quote's range in words, e.g. "USD 700–900 used (used market, 2026-05)". */
export function quoteRangeText(q: AdvicePriceQuote): string {
  const when = observedOnText(q.observedOn, q.datePrecision)
  return `${rangeText(q.low, q.high, q.currency)} ${q.condition} (${BASIS_WORDS[q.basis]}, ${when}${q.stale ? `, ${q.ageDays} days old` : ''}${q.fromUser ? ', your price' : ''})`
}

/** The source line of a quote for the details disclosure. */
export function quoteSourceText(q: AdvicePriceQuote): string {
  const when = observedOnText(q.observedOn, q.datePrecision)
  const basis =
    q.basis === 'launch-msrp'
      ? 'launch MSRP (street prices may differ a lot)'
      : q.basis === 'used-market'
        ? 'used-market range'
        : q.basis === 'list-price'
          ? 'list price'
          : 'street price'
  return `${q.name}: ${rangeText(q.low, q.high, q.currency)} ${q.condition}, ${basis}, ${when}${q.stale ? ` (${q.ageDays} days old)` : ''} — ${q.source.publication}: ${q.source.says}${q.source.url ? ` <${q.source.url}>` : ''}`
}

/** Prices the parts of an item against the table. */
export function priceParts(
  table: PriceTable | null,
  parts: readonly PartSpec[],
  currency: AdviceCurrency
): AdvicePrice {
  if (parts.length === 0) return { status: 'free' }
  if (table === null) {
    const detail = 'no price table given'
    return {
      status: 'unknown',
      reason: 'no-price-table',
      detail,
      parts: parts.map((p) => ({
        what: p.what,
        quote: null,
        missing: { reason: 'no-price-table', detail }
      }))
    }
  }
  const priced: AdvicePricePart[] = parts.map((p) => {
    const r = p.lookup(table)
    return r.status === 'ok'
      ? { what: p.whatFromQuote ? r.quote.name : p.what, quote: toQuote(r.quote) }
      : { what: p.what, quote: null, missing: { reason: r.reason, detail: r.detail } }
  })
  const missing = priced.find((p) => p.quote === null)
  if (missing?.missing)
    return {
      status: 'unknown',
      reason: missing.missing.reason,
      detail: `${missing.what}: ${missing.missing.detail}`,
      parts: priced
    }
  const quotes = priced.map((p) => p.quote as AdvicePriceQuote)
  const low = quotes.reduce((s, q) => s + q.low, 0)
  const high = quotes.reduce((s, q) => s + q.high, 0)
  const text =
    quotes.length === 1
      ? quoteRangeText(quotes[0])
      : `${rangeText(low, high, currency)} (${priced.map((p) => `${p.what} ${rangeText(p.quote!.low, p.quote!.high, p.quote!.currency)}${p.quote!.stale ? `, ${p.quote!.condition}, ${p.quote!.ageDays} days old` : ''}`).join(' + ')})`
  return {
    status: 'priced',
    currency,
    low,
    high,
    text,
    stale: quotes.some((q) => q.stale),
    parts: priced
  }
}

/** The price of an item in words: the range, "free", or "price unknown: why". */
export function priceWords(p: AdvicePrice): string {
  switch (p.status) {
    case 'free':
      return 'free'
    case 'priced':
      return p.text
    case 'unknown': {
      const known = p.parts.filter((x) => x.quote !== null)
      return `price unknown (${p.detail})${known.length > 0 ? `; ${known.map((x) => `${x.what} ${rangeText(x.quote!.low, x.quote!.high, x.quote!.currency)}`).join(', ')}` : ''}`
    }
  }
}

/** Low end of a price, or null when free or unknown. */
export function priceLow(p: AdvicePrice): number | null {
  return p.status === 'priced' ? p.low : null
}

/**
 * A GPU bought for an upgrade: the cheaper of its used and new prices (a used card is named as such).
 * Returns the condition chosen with the lookup.
 */
export function gpuPart(
  specKey: string,
  name: string,
  opts: { nowMs: number; table: PriceTable | null }
): PartSpec {
  let condition: 'new' | 'used' | null = null
  if (opts.table) {
    const q = quoteGpu(opts.table, specKey, { nowMs: opts.nowMs })
    const lows = [
      q.used.status === 'ok' ? { c: 'used' as const, low: q.used.quote.low } : null,
      q.new.status === 'ok' ? { c: 'new' as const, low: q.new.quote.low } : null
    ].filter((x) => x !== null)
    condition = lows.sort((a, b) => a.low - b.low)[0]?.c ?? null
  }
  return {
    what: condition === 'used' ? `used ${name}` : name,
    lookup: (t) => quotePrice(t, specKey, { condition: condition ?? 'new', nowMs: opts.nowMs })
  }
}

/** The condition a GPU part resolved to ("used …" in its name). */
export function isUsedPart(p: PartSpec): boolean {
  return p.what.startsWith('used ')
}

/** A PSU of at least `minWatts` (ATX 3 with a 12V-2x6 connector when the card needs one), smallest first. */
export function psuPart(minWatts: number, needs12v2x6: boolean, nowMs: number): PartSpec {
  const what = `≥ ${minWatts} W power supply${needs12v2x6 ? ' (ATX 3, 12V-2x6)' : ''}`
  return {
    what,
    whatFromQuote: true,
    lookup: (t) => {
      const rows = findPsus(t, { minWatts, needs12v2x6 })
      const any = rows.length === 0 && needs12v2x6 ? findPsus(t, { minWatts }) : rows
      for (const row of any) {
        const r = quoteRow(t, row, { condition: 'new', nowMs })
        if (r.status === 'ok') return r
      }
      return missing(`no power supply of ≥ ${minWatts} W with a price in the table (${t.asOf})`)
    }
  }
}

/** RAM kits giving `totalGb` of `ramType`, fewest modules first. */
export function ramPart(ramType: string, totalGb: number, what: string, nowMs: number): PartSpec {
  return {
    what,
    lookup: (t) => {
      const type = ramType.toUpperCase()
      if (type !== 'DDR4' && type !== 'DDR5')
        return missing(`RAM type ${ramType} is not priced in the table (DDR4, DDR5)`)
      for (const row of findRamKits(t, { ramType: type, totalGb })) {
        const r = quoteRow(t, row, { condition: 'new', nowMs })
        if (r.status === 'ok') return r
      }
      return missing(`no ${type} kit of ${totalGb} GiB with a price in the table (${t.asOf})`)
    }
  }
}

/** An NVMe drive of at least `minTb`. */
export function nvmePart(minTb: number, nowMs: number): PartSpec {
  return {
    what: `${minTb} TB NVMe SSD`,
    lookup: (t) => {
      for (const row of findNvmeDrives(t, { minCapacityTb: minTb })) {
        const r = quoteRow(t, row, { condition: 'new', nowMs })
        if (r.status === 'ok') return r
      }
      return missing(`no NVMe drive of ≥ ${minTb} TB with a price in the table (${t.asOf})`)
    }
  }
}

/** A part that has no price row at all (an eGPU enclosure, case fans). */
export function unpricedPart(what: string, why: string): PartSpec {
  return { what, lookup: () => missing(why) }
}

function missing(detail: string): PriceLookup {
  return { status: 'unavailable', reason: 'not-in-table', detail }
}
