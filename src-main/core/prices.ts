/**
 * The price table (resources/prices.json): its schema, user overrides, look-ups and its age.
 *
 * Every price is an observation: a condition (new or used), a low–high range in one currency, what kind of
 * figure it is (a launch MSRP, a list price, a street price, a used-market range), the date it was observed
 * and the source that published it. The table never converts currencies and never invents a figure: a
 * missing price is "unknown" with a reason, not 0.
 *
 * Keys: a GPU row's key is its spec-table key (resources/gpu-specs.json, e.g. `geforce-rtx-4090`). Part
 * and machine keys are built from their attributes by {@link ramKitKey}, {@link nvmeKey}, {@link psuKey}
 * and {@link machineKey} (`ram-ddr5-2x32gb`, `nvme-gen4-2tb`, `psu-1000w-atx3`,
 * `mac-studio-m4-max-40c-128gb`), and the schema rejects a row whose key does not match its attributes.
 *
 * Pure: no I/O, no clock. `nowMs` is always an argument.
 */
import { z } from 'zod'

/** Schema version of the price table and of user price files. */
export const PRICE_TABLE_VERSION = 1

/** Currencies a price may be given in. Amounts are never converted between them. */
export const PRICE_CURRENCIES = ['USD', 'EUR'] as const
/** A currency a price may be given in. */
export type PriceCurrency = (typeof PRICE_CURRENCIES)[number]

/** New or used. */
export type PriceCondition = 'new' | 'used'

/**
 * What kind of figure a price is.
 *
 * - `launch-msrp`: the maker's suggested price at launch (low = high); the street price may differ a lot.
 * - `list-price`: the maker's or a retailer's current list price for a configuration (Apple, vendors).
 * - `street`: observed retail prices of in-stock new units.
 * - `used-market`: observed second-hand prices (sold listings, used-market reports).
 */
export type PriceBasis = 'launch-msrp' | 'list-price' | 'street' | 'used-market'

/** Where a price comes from. */
export interface PriceSource {
  /** The page the figure was read from, when it has one. */
  url?: string
  /** Who published it (outlet, vendor, tracker). */
  publication: string
  /** What the source says, with the figure, in a few words. */
  says: string
}

/**
 * How precise `observedOn` is. A source that gives only a month ("as of February 2026"), a quarter or a year
 * is recorded at the first day of that period with the matching precision, so its age is never understated.
 */
export type DatePrecision = 'day' | 'month' | 'quarter' | 'year'

/** One observed price range. */
export interface PriceObservation {
  condition: PriceCondition
  basis: PriceBasis
  /** Low end of the range, in `currency`. */
  low: number
  /** High end of the range, in `currency` (equal to `low` for a single figure). */
  high: number
  currency: PriceCurrency
  /** Date the price was published or observed, `YYYY-MM-DD` (first day of the period when not `day`). */
  observedOn: string
  /** Precision of `observedOn`; `day` when left out. */
  datePrecision?: DatePrecision
  source: PriceSource
  /** What the range covers when that is not obvious (e.g. "DDR5-6000 CL30 kits"). */
  note?: string
}

interface PriceRowBase {
  /** Unique key (see the module comment for the scheme). */
  key: string
  /** Display name. */
  name: string
  /** At least one observation. */
  prices: PriceObservation[]
  note?: string
}

/** Price of a GPU (a card), keyed by its spec-table key. */
export interface GpuPriceRow extends PriceRowBase {
  kind: 'gpu'
}

/** DDR generations priced as RAM kits. */
export type RamType = 'DDR4' | 'DDR5'

/** Price of a desktop RAM kit (unbuffered DIMMs). */
export interface RamPriceRow extends PriceRowBase {
  kind: 'ram'
  ramType: RamType
  /** Number of modules in the kit. */
  modules: number
  /** Capacity of one module, GB (decimal, as sold; equals GiB for DRAM). */
  moduleGb: number
}

/** Price of an M.2 NVMe SSD. */
export interface NvmePriceRow extends PriceRowBase {
  kind: 'nvme'
  /** PCIe generation of the drive's interface; null when the source prices NVMe drives of any generation. */
  pcieGen: 3 | 4 | 5 | null
  /** Capacity as sold, TB (decimal). */
  capacityTb: number
}

/** Price of an ATX power supply. */
export interface PsuPriceRow extends PriceRowBase {
  kind: 'psu'
  /** Rated continuous output, W. */
  watts: number
  /** ATX 3.x with a native 12V-2x6 (12VHPWR) GPU connector. */
  atx3: boolean
}

/** Whole-machine families priced as machines (unified memory cannot be upgraded). */
export const MACHINE_FAMILIES = [
  'mac-mini',
  'mac-studio',
  'macbook-pro-14',
  'macbook-pro-16'
] as const
/** A whole-machine family. */
export type MachineFamily = (typeof MACHINE_FAMILIES)[number]

/** Price of a whole machine in one chip and memory configuration. */
export interface MachinePriceRow extends PriceRowBase {
  kind: 'machine'
  family: MachineFamily
  /** Chip name as the maker sells it, e.g. `M4 Max`. */
  chip: string
  /** GPU cores of this chip configuration. */
  gpuCores: number
  /** Unified memory, GB (as sold; equals GiB). */
  unifiedMemoryGb: number
  /** Internal storage of the priced configuration, GB; null when the source does not say. */
  storageGb: number | null
  /** Spec-table key of the chip's GPU, or null when the spec table has no row for it. */
  gpuSpecKey: string | null
}

/** One row of the price table. */
export type PriceRow = GpuPriceRow | RamPriceRow | NvmePriceRow | PsuPriceRow | MachinePriceRow
/** The kinds of rows. */
export type PriceRowKind = PriceRow['kind']

/** The price table, as packaged or merged with a user file. */
export interface PriceTable {
  schemaVersion: typeof PRICE_TABLE_VERSION
  /** Date the table was compiled (`YYYY-MM-DD`); no observation is later. */
  asOf: string
  /** Currency of the table's ranking figures. */
  currency: PriceCurrency
  note?: string
  rows: PriceRow[]
  /** Keys replaced or added by a user price file, and where it came from (set by {@link mergePriceTables}). */
  overrides?: { source: string; keys: string[]; asOf?: string }
}

/** A user price file after validation: rows that replace or add to the packaged table. */
export interface PriceOverrides {
  schemaVersion: typeof PRICE_TABLE_VERSION
  asOf?: string
  currency?: PriceCurrency
  rows: PriceRow[]
}

// ---------------------------------------------------------------------------------------------------
// Keys

/** Lower-case slug: letters and digits joined by single dashes. */
export function priceSlug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

/** Key of a GPU row: the spec-table key itself (e.g. `geforce-rtx-4090`). */
export function gpuPriceKey(gpuSpecKey: string): string {
  return gpuSpecKey
}

/** Key of a RAM kit row, e.g. `ram-ddr5-2x32gb`. */
export function ramKitKey(a: { ramType: RamType; modules: number; moduleGb: number }): string {
  return `ram-${a.ramType.toLowerCase()}-${a.modules}x${a.moduleGb}gb`
}

/** Key of an NVMe row, e.g. `nvme-gen4-2tb` (or `nvme-2tb` for a price of drives of any generation). */
export function nvmeKey(a: { pcieGen: number | null; capacityTb: number }): string {
  return a.pcieGen === null ? `nvme-${a.capacityTb}tb` : `nvme-gen${a.pcieGen}-${a.capacityTb}tb`
}

/** Key of a PSU row, e.g. `psu-1000w-atx3` (or `psu-650w` without a 12V-2x6 connector). */
export function psuKey(a: { watts: number; atx3: boolean }): string {
  return `psu-${a.watts}w${a.atx3 ? '-atx3' : ''}`
}

/** Key of a machine row, e.g. `mac-studio-m4-max-40c-128gb`. */
export function machineKey(a: {
  family: MachineFamily
  chip: string
  gpuCores: number
  unifiedMemoryGb: number
}): string {
  return `${a.family}-${priceSlug(a.chip)}-${a.gpuCores}c-${a.unifiedMemoryGb}gb`
}

/** The key a row must have, from its attributes (GPU rows: any slug). */
function canonicalKey(row: PriceRow): string | null {
  switch (row.kind) {
    case 'gpu':
      return null
    case 'ram':
      return ramKitKey(row)
    case 'nvme':
      return nvmeKey(row)
    case 'psu':
      return psuKey(row)
    case 'machine':
      return machineKey(row)
  }
}

// ---------------------------------------------------------------------------------------------------
// Schema

const NON_EMPTY = 'expected a non-empty string'
const nonEmpty = z.string({ error: NON_EMPTY }).trim().min(1, { error: NON_EMPTY })
const DATE = 'expected a date YYYY-MM-DD'
const date = z
  .string({ error: DATE })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: DATE })
  .refine((s) => dateMs(s) !== null, { error: DATE })
const AMOUNT = 'expected a positive amount'
const amount = z.number({ error: AMOUNT }).positive({ error: AMOUNT }).finite({ error: AMOUNT })
const POS_INT = 'expected a positive whole number'
const posInt = z.number({ error: POS_INT }).int({ error: POS_INT }).positive({ error: POS_INT })
const POS_NUM = 'expected a positive number'
const posNum = z.number({ error: POS_NUM }).positive({ error: POS_NUM }).finite({ error: POS_NUM })
const SLUG = 'expected lower-case letters and digits joined by "-"'
const slug = z.string({ error: SLUG }).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: SLUG })
const currency = z.enum(PRICE_CURRENCIES, { error: 'expected USD or EUR' })

const URL_TEXT = 'expected an http(s) URL'
const sourceSchema = z
  .object({
    url: z
      .string({ error: URL_TEXT })
      .regex(/^https?:\/\/\S+$/, { error: URL_TEXT })
      .optional(),
    publication: nonEmpty,
    says: nonEmpty
  })
  .strict()

function observationSchema(requireSource: boolean, requireDate: boolean) {
  return z
    .object({
      condition: z.enum(['new', 'used'], { error: 'expected new or used' }),
      basis: z.enum(['launch-msrp', 'list-price', 'street', 'used-market'], {
        error: 'expected launch-msrp, list-price, street or used-market'
      }),
      low: amount,
      high: amount,
      currency,
      observedOn: requireDate ? date : date.optional(),
      datePrecision: z
        .enum(['day', 'month', 'quarter', 'year'], {
          error: 'expected day, month, quarter or year'
        })
        .optional(),
      source: requireSource ? sourceSchema : sourceSchema.optional(),
      note: nonEmpty.optional()
    })
    .strict()
    .superRefine((o, ctx) => {
      if (o.high < o.low)
        ctx.addIssue({ code: 'custom', path: ['high'], message: 'must not be below low' })
      if (o.basis === 'launch-msrp' && o.condition !== 'new')
        ctx.addIssue({ code: 'custom', path: ['basis'], message: 'a launch MSRP is a new price' })
      if (o.basis === 'used-market' && o.condition !== 'used')
        ctx.addIssue({
          code: 'custom',
          path: ['basis'],
          message: 'used-market needs condition used'
        })
      if (o.observedOn !== undefined && !periodStartOk(o.observedOn, o.datePrecision ?? 'day'))
        ctx.addIssue({
          code: 'custom',
          path: ['observedOn'],
          message: `a ${o.datePrecision} date must be the first day of its ${o.datePrecision}`
        })
    })
}

function rowSchemas(requireSource: boolean, requireDate: boolean, nameRequired: boolean) {
  const common = {
    key: slug,
    name: nameRequired ? nonEmpty : nonEmpty.optional(),
    prices: z
      .array(observationSchema(requireSource, requireDate), { error: 'expected a list of prices' })
      .min(1, { error: 'expected at least one price' }),
    note: nonEmpty.optional()
  }
  return z.discriminatedUnion(
    'kind',
    [
      z.object({ ...common, kind: z.literal('gpu') }).strict(),
      z
        .object({
          ...common,
          kind: z.literal('ram'),
          ramType: z.enum(['DDR4', 'DDR5'], { error: 'expected DDR4 or DDR5' }),
          modules: posInt,
          moduleGb: posInt
        })
        .strict(),
      z
        .object({
          ...common,
          kind: z.literal('nvme'),
          pcieGen: z.union([z.literal(3), z.literal(4), z.literal(5), z.null()], {
            error: 'expected 3, 4, 5 or null'
          }),
          capacityTb: posNum
        })
        .strict(),
      z
        .object({
          ...common,
          kind: z.literal('psu'),
          watts: posInt,
          atx3: z.boolean({ error: 'expected true or false' })
        })
        .strict(),
      z
        .object({
          ...common,
          kind: z.literal('machine'),
          family: z.enum(MACHINE_FAMILIES, { error: `expected ${MACHINE_FAMILIES.join(', ')}` }),
          chip: nonEmpty,
          gpuCores: posInt,
          unifiedMemoryGb: posInt,
          storageGb: z.union([posInt, z.null()], {
            error: 'expected a positive whole number or null'
          }),
          gpuSpecKey: z.union([slug, z.null()], { error: 'expected a spec-table key or null' })
        })
        .strict()
    ],
    { error: 'expected kind gpu, ram, nvme, psu or machine' }
  )
}

const TABLE_ROW = rowSchemas(true, true, true)
const USER_ROW = rowSchemas(false, false, false)

const tableSchema = z
  .object({
    schemaVersion: z.literal(PRICE_TABLE_VERSION, { error: `expected ${PRICE_TABLE_VERSION}` }),
    asOf: date,
    currency,
    note: nonEmpty.optional(),
    rows: z.array(TABLE_ROW, { error: 'expected a list of rows' })
  })
  .strict()

const overridesSchema = z
  .object({
    schemaVersion: z.literal(PRICE_TABLE_VERSION, { error: `expected ${PRICE_TABLE_VERSION}` }),
    asOf: date.optional(),
    currency: currency.optional(),
    rows: z
      .array(USER_ROW, { error: 'expected a list of rows' })
      .min(1, { error: 'expected at least one row' })
  })
  .strict()

// ---------------------------------------------------------------------------------------------------
// Validation

/** Result of validating a price table or a user price file. */
export type PriceValidation<T> = { ok: true; value: T } | { ok: false; errors: string[] }

/** Epoch ms of a `YYYY-MM-DD` date at 00:00 UTC, or null when it is not a real calendar date. */
function dateMs(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return null
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  const d = new Date(ms)
  return d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
    ? ms
    : null
}

/** True when `iso` starts its period: any day, the 1st of a month, of a quarter, or 1 January. */
function periodStartOk(iso: string, precision: DatePrecision): boolean {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return true // the date check reports it
  const month = Number(m[1])
  const day = Number(m[2])
  switch (precision) {
    case 'day':
      return true
    case 'month':
      return day === 1
    case 'quarter':
      return day === 1 && (month - 1) % 3 === 0
    case 'year':
      return day === 1 && month === 1
  }
}

type Issue = z.core.$ZodIssue

function pathText(path: readonly PropertyKey[], rows: unknown): string {
  let out = ''
  let sep = ''
  for (let i = 0; i < path.length; i++) {
    const p = path[i]
    if (typeof p === 'number') {
      out += `[${p}]`
      sep = '.'
      // Name the row by its key so the message points at it without counting.
      if (i === 1 && path[0] === 'rows' && Array.isArray(rows)) {
        const key = (rows[p] as { key?: unknown } | undefined)?.key
        if (typeof key === 'string' && key !== '') {
          out += ` (${key})`
          sep = ' '
        }
      }
    } else {
      out += `${out === '' ? '' : sep}${String(p)}`
      sep = '.'
    }
  }
  return out
}

function issueText(file: string, issue: Issue, data: unknown): string {
  const rows = (data as { rows?: unknown } | null)?.rows
  const where = pathText(issue.path, rows)
  const head = where === '' ? file : `${file} ${where}`
  if (issue.code === 'unrecognized_keys')
    return `${head}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${head}: required`
  return `${head}: ${issue.message}`
}

/** Duplicate keys among the rows of parsed JSON (valid rows or not). */
function duplicateKeyErrors(file: string, data: unknown, errors: string[]): void {
  const rows = (data as { rows?: unknown } | null)?.rows
  if (!Array.isArray(rows)) return
  const seen = new Set<string>()
  rows.forEach((row, i) => {
    const key = (row as { key?: unknown } | null)?.key
    if (typeof key !== 'string') return
    if (seen.has(key)) errors.push(`${file} rows[${i}] (${key}) key: duplicate key "${key}"`)
    seen.add(key)
  })
}

/** Cross-row checks (keys matching attributes, dates not after asOf) on rows that parsed. */
function checkRows(
  file: string,
  rows: ReadonlyArray<readonly [number, PriceRow]>,
  asOf: string | undefined,
  errors: string[]
): void {
  const limit = asOf === undefined ? null : dateMs(asOf)
  for (const [i, row] of rows) {
    const at = `${file} rows[${i}] (${row.key})`
    const want = canonicalKey(row)
    if (want !== null && want !== row.key)
      errors.push(`${at} key: expected "${want}" for these attributes`)
    if (limit === null) continue
    row.prices.forEach((p, j) => {
      const when = p.observedOn === undefined ? null : dateMs(p.observedOn)
      if (when !== null && when > limit)
        errors.push(
          `${at} prices[${j}].observedOn: ${p.observedOn} is after the file's asOf ${asOf}`
        )
    })
  }
}

/**
 * The rows of a file that failed validation which are valid on their own, with their indices, so the
 * cross-row errors are reported together with the field errors in one pass.
 */
function validRowsOf(
  data: unknown,
  schema: z.ZodType<unknown>
): Array<readonly [number, PriceRow]> {
  const rows = (data as { rows?: unknown } | null)?.rows
  if (!Array.isArray(rows)) return []
  const out: Array<readonly [number, PriceRow]> = []
  rows.forEach((row, i) => {
    const r = schema.safeParse(row)
    if (r.success) out.push([i, r.data as PriceRow] as const)
  })
  return out
}

function parseJson(text: string, file: string): PriceValidation<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (e) {
    return {
      ok: false,
      errors: [`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`]
    }
  }
}

/**
 * Validates the price table (parsed JSON or its text).
 *
 * Every row must carry at least one price, and every price its source and observation date. Errors are
 * one line each and name the file, the row (index and key) and the field:
 * `prices.json rows[3] (geforce-rtx-4090) prices[0].observedOn: expected a date YYYY-MM-DD`.
 */
export function parsePriceTable(input: unknown, file = 'prices.json'): PriceValidation<PriceTable> {
  let data = input
  if (typeof input === 'string') {
    const j = parseJson(input, file)
    if (!j.ok) return j
    data = j.value
  }
  const r = tableSchema.safeParse(data)
  if (!r.success) {
    const errors = r.error.issues.map((i) => issueText(file, i, data))
    duplicateKeyErrors(file, data, errors)
    const asOf = (data as { asOf?: unknown } | null)?.asOf
    checkRows(
      file,
      validRowsOf(data, TABLE_ROW),
      typeof asOf === 'string' && dateMs(asOf) !== null ? asOf : undefined,
      errors
    )
    return { ok: false, errors }
  }
  const table = r.data as PriceTable
  const errors: string[] = []
  duplicateKeyErrors(file, data, errors)
  checkRows(
    file,
    table.rows.map((row, i) => [i, row] as const),
    table.asOf,
    errors
  )
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: table }
}

/**
 * Validates a user price file: the table's shape, but partial.
 *
 * `asOf`, `currency`, each row's `name` and each price's `source` may be left out (a user's own price
 * needs no citation); each price needs `observedOn` unless the file gives `asOf`, which then stands for it.
 */
export function parsePriceOverrides(input: unknown, file: string): PriceValidation<PriceOverrides> {
  let data = input
  if (typeof input === 'string') {
    const j = parseJson(input, file)
    if (!j.ok) return j
    data = j.value
  }
  const r = overridesSchema.safeParse(data)
  if (!r.success) {
    const errors = r.error.issues.map((i) => issueText(file, i, data))
    duplicateKeyErrors(file, data, errors)
    checkRows(file, validRowsOf(data, USER_ROW), undefined, errors)
    return { ok: false, errors }
  }
  const errors: string[] = []
  const asOf = r.data.asOf
  const userSource: PriceSource = {
    publication: `user price file ${file}`,
    says: 'set by the user'
  }
  const rows = r.data.rows.map((row, i) => {
    const prices = row.prices.map((p, j) => {
      const observedOn = p.observedOn ?? asOf
      if (observedOn === undefined)
        errors.push(
          `${file} rows[${i}] (${row.key}) prices[${j}].observedOn: required (or give the file an asOf date)`
        )
      return { ...p, observedOn: observedOn ?? '', source: p.source ?? userSource }
    })
    return { ...row, name: row.name ?? row.key, prices } as PriceRow
  })
  duplicateKeyErrors(file, data, errors)
  checkRows(
    file,
    rows.map((row, i) => [i, row] as const),
    asOf,
    errors
  )
  if (errors.length > 0) return { ok: false, errors }
  const value: PriceOverrides = { schemaVersion: PRICE_TABLE_VERSION, rows }
  if (asOf !== undefined) value.asOf = asOf
  if (r.data.currency !== undefined) value.currency = r.data.currency
  return { ok: true, value }
}

/**
 * The table with a user file's rows applied: a user row replaces the packaged row with the same key
 * (whole row: its prices are the user's), and rows with new keys are added.
 *
 * A user row that leaves out `name` keeps the packaged row's name; a `currency` in the user file becomes
 * the table's currency. The result records which keys came from the user file in `overrides`.
 */
export function mergePriceTables(
  base: PriceTable,
  user: PriceOverrides,
  userSource: string
): PriceTable {
  const byKey = new Map(base.rows.map((r) => [r.key, r]))
  for (const row of user.rows) {
    const prev = byKey.get(row.key)
    const named = prev !== undefined && row.name === row.key ? { ...row, name: prev.name } : row
    byKey.set(row.key, named)
  }
  const overrides: NonNullable<PriceTable['overrides']> = {
    source: userSource,
    keys: user.rows.map((r) => r.key)
  }
  if (user.asOf !== undefined) overrides.asOf = user.asOf
  // A user file in another currency makes that the ranking currency: its own prices are then found, and
  // packaged rows without a price in it read "no price in EUR" rather than being converted.
  return { ...base, currency: user.currency ?? base.currency, rows: [...byKey.values()], overrides }
}

// ---------------------------------------------------------------------------------------------------
// Look-ups

const DAY_MS = 86_400_000

/** Default age after which a price or the table counts as old, days. */
export const PRICE_STALE_AFTER_DAYS = 180

/** A price found for a row: the most recent matching observation. */
export interface PriceQuote {
  key: string
  name: string
  kind: PriceRowKind
  condition: PriceCondition
  basis: PriceBasis
  low: number
  high: number
  currency: PriceCurrency
  observedOn: string
  datePrecision: DatePrecision
  /** Whole days between `observedOn` and `nowMs` (0 when observed later than now). */
  ageDays: number
  /** True when older than the stale threshold of the look-up. */
  stale: boolean
  /** True when the price came from the user's price file. */
  fromUser: boolean
  source: PriceSource
  note?: string
}

/** Why no price was found. */
export type PriceMissingReason = 'not-in-table' | 'no-price-for-condition' | 'no-price-in-currency'

/** A price, or why there is none (never 0). */
export type PriceLookup =
  | { status: 'ok'; quote: PriceQuote }
  | { status: 'unavailable'; reason: PriceMissingReason; detail: string }

/** Options of a look-up. */
export interface PriceLookupOptions {
  condition: PriceCondition
  /** Epoch ms of "now" (never read from the clock here). */
  nowMs: number
  /** Currency wanted; the table's currency when left out. Prices are never converted. */
  currency?: PriceCurrency
  /** Age in days after which the quote is marked stale; default {@link PRICE_STALE_AFTER_DAYS}. */
  staleAfterDays?: number
}

// Street and used-market figures say more about today's price than a list price or a launch MSRP of
// the same date.
const BASIS_RANK: Record<PriceBasis, number> = {
  street: 3,
  'used-market': 3,
  'list-price': 2,
  'launch-msrp': 1
}

/** Whole days from a `YYYY-MM-DD` date to `nowMs`, never negative. */
export function daysSince(isoDate: string, nowMs: number): number {
  const ms = dateMs(isoDate)
  if (ms === null) throw new Error(`daysSince: not a date: ${isoDate}`)
  return Math.max(0, Math.floor((nowMs - ms) / DAY_MS))
}

/** The row with this key, or undefined. */
export function findPriceRow(table: PriceTable, key: string): PriceRow | undefined {
  return table.rows.find((r) => r.key === key)
}

/**
 * The price of one row in one condition: the most recent observation in the wanted currency (on the same
 * date a street or used-market figure before a list price, a list price before a launch MSRP).
 */
export function quotePrice(table: PriceTable, key: string, opts: PriceLookupOptions): PriceLookup {
  const row = findPriceRow(table, key)
  if (!row)
    return {
      status: 'unavailable',
      reason: 'not-in-table',
      detail: `no price for "${key}" in the price table (${table.asOf})`
    }
  return quoteRow(table, row, opts)
}

/** {@link quotePrice} for a row already found. */
export function quoteRow(table: PriceTable, row: PriceRow, opts: PriceLookupOptions): PriceLookup {
  const cur = opts.currency ?? table.currency
  const ofCondition = row.prices.filter((p) => p.condition === opts.condition)
  if (ofCondition.length === 0)
    return {
      status: 'unavailable',
      reason: 'no-price-for-condition',
      detail: `the price table has no ${opts.condition} price for ${row.name}`
    }
  const candidates = ofCondition.filter((p) => p.currency === cur)
  if (candidates.length === 0)
    return {
      status: 'unavailable',
      reason: 'no-price-in-currency',
      detail: `the price table has no ${opts.condition} price in ${cur} for ${row.name} (only ${[...new Set(ofCondition.map((p) => p.currency))].join(', ')})`
    }
  const best = candidates.reduce((a, b) => {
    if (a.observedOn !== b.observedOn) return a.observedOn > b.observedOn ? a : b
    return BASIS_RANK[b.basis] > BASIS_RANK[a.basis] ? b : a
  })
  const ageDays = daysSince(best.observedOn, opts.nowMs)
  const quote: PriceQuote = {
    key: row.key,
    name: row.name,
    kind: row.kind,
    condition: best.condition,
    basis: best.basis,
    low: best.low,
    high: best.high,
    currency: best.currency,
    observedOn: best.observedOn,
    datePrecision: best.datePrecision ?? 'day',
    ageDays,
    stale: ageDays > (opts.staleAfterDays ?? PRICE_STALE_AFTER_DAYS),
    fromUser: table.overrides?.keys.includes(row.key) ?? false,
    source: best.source
  }
  if (best.note !== undefined) quote.note = best.note
  return { status: 'ok', quote }
}

/** New and used prices of a GPU, by its spec-table key. */
export function quoteGpu(
  table: PriceTable,
  gpuSpecKey: string,
  opts: Omit<PriceLookupOptions, 'condition'>
): { new: PriceLookup; used: PriceLookup } {
  const key = gpuPriceKey(gpuSpecKey)
  return {
    new: quotePrice(table, key, { ...opts, condition: 'new' }),
    used: quotePrice(table, key, { ...opts, condition: 'used' })
  }
}

/** Rows of one kind, typed. */
export function rowsOfKind<K extends PriceRowKind>(
  table: PriceTable,
  kind: K
): Extract<PriceRow, { kind: K }>[] {
  return table.rows.filter((r): r is Extract<PriceRow, { kind: K }> => r.kind === kind)
}

/**
 * RAM kits of a type that add up to `totalGb`, fewest modules first (2×32 before 4×16): the kits that
 * give a machine that much memory.
 */
export function findRamKits(
  table: PriceTable,
  want: { ramType: RamType; totalGb: number; maxModules?: number }
): RamPriceRow[] {
  return rowsOfKind(table, 'ram')
    .filter(
      (r) =>
        r.ramType === want.ramType &&
        r.modules * r.moduleGb === want.totalGb &&
        r.modules <= (want.maxModules ?? Infinity)
    )
    .sort((a, b) => a.modules - b.modules)
}

/**
 * NVMe drives of at least `minCapacityTb`, smallest first; with `pcieGen` only drives of that generation
 * (rows of unstated generation are left out then).
 */
export function findNvmeDrives(
  table: PriceTable,
  want: { minCapacityTb: number; pcieGen?: 3 | 4 | 5 }
): NvmePriceRow[] {
  // A price of drives "of any generation" does not answer a question about one generation.
  return rowsOfKind(table, 'nvme')
    .filter(
      (r) =>
        r.capacityTb >= want.minCapacityTb &&
        (want.pcieGen === undefined || r.pcieGen === want.pcieGen)
    )
    .sort((a, b) => a.capacityTb - b.capacityTb || (a.pcieGen ?? 0) - (b.pcieGen ?? 0))
}

/**
 * Power supplies of at least `minWatts`, smallest first; with `needs12v2x6` only ATX 3.x units with the
 * 12V-2x6 connector.
 */
export function findPsus(
  table: PriceTable,
  want: { minWatts: number; needs12v2x6?: boolean }
): PsuPriceRow[] {
  return rowsOfKind(table, 'psu')
    .filter((r) => r.watts >= want.minWatts && (!want.needs12v2x6 || r.atx3))
    .sort((a, b) => a.watts - b.watts || Number(a.atx3) - Number(b.atx3))
}

/** Machines with at least `minUnifiedMemoryGb` (of a family or chip when given), least memory first. */
export function findMachines(
  table: PriceTable,
  want: { minUnifiedMemoryGb?: number; family?: MachineFamily; chip?: string }
): MachinePriceRow[] {
  return rowsOfKind(table, 'machine')
    .filter(
      (r) =>
        r.unifiedMemoryGb >= (want.minUnifiedMemoryGb ?? 0) &&
        (want.family === undefined || r.family === want.family) &&
        (want.chip === undefined || priceSlug(r.chip) === priceSlug(want.chip))
    )
    .sort((a, b) => a.unifiedMemoryGb - b.unifiedMemoryGb || a.gpuCores - b.gpuCores)
}

// ---------------------------------------------------------------------------------------------------
// Age

/** Whole days since the table's `asOf` date (the user file's `asOf` when it overrides rows and is newer). */
export function priceTableAgeDays(table: PriceTable, nowMs: number): number {
  return daysSince(tableAsOf(table), nowMs)
}

function tableAsOf(table: PriceTable): string {
  const userAsOf = table.overrides?.asOf
  return userAsOf !== undefined && userAsOf > table.asOf ? userAsOf : table.asOf
}

/**
 * A one-line warning when the table is older than `thresholdDays` (default 180), else null.
 *
 * E.g. "The price table is from 2026-02-15, 290 days ago: prices may have moved; check current prices, or
 * give your own with --prices FILE." Each quote also carries its own observation age and `stale` flag.
 */
export function priceAgeWarning(
  table: PriceTable,
  nowMs: number,
  thresholdDays = PRICE_STALE_AFTER_DAYS
): string | null {
  const days = priceTableAgeDays(table, nowMs)
  if (days <= thresholdDays) return null
  return `The price table is from ${tableAsOf(table)}, ${days} days ago: prices may have moved; check current prices, or give your own with --prices FILE.`
}

/** `observedOn` written at its precision: `2026-02-15`, `2026-02`, `2026-Q1` or `2026`. */
export function observedOnText(observedOn: string, precision: DatePrecision): string {
  switch (precision) {
    case 'day':
      return observedOn
    case 'month':
      return observedOn.slice(0, 7)
    case 'quarter':
      return `${observedOn.slice(0, 4)}-Q${Math.floor((Number(observedOn.slice(5, 7)) - 1) / 3) + 1}`
    case 'year':
      return observedOn.slice(0, 4)
  }
}

/** Compact text of a quote's range, e.g. "USD 1,400–1,800 used (used-market, 2026-02, old)". */
export function priceRangeText(q: PriceQuote): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US')
  const range = q.low === q.high ? n(q.low) : `${n(q.low)}–${n(q.high)}`
  const when = observedOnText(q.observedOn, q.datePrecision)
  return `${q.currency} ${range} ${q.condition} (${q.basis}, ${when}${q.stale ? ', old' : ''})`
}
