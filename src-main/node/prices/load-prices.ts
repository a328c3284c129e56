/**
 * Loads the price table: the packaged resources/prices.json, merged with an optional user price file.
 *
 * The user file (`--prices FILE`, the Settings field) is read with a size bound and validated; every
 * problem comes back as one line naming the file, row and field, in a {@link PricesFileError} (the CLI
 * prints it and exits 2). A broken packaged table is a build bug and throws a plain Error.
 */
import { open } from 'node:fs/promises'
import packaged from '../../../resources/prices.json'
import {
  mergePriceTables,
  parsePriceOverrides,
  parsePriceTable,
  type PriceTable
} from '../../core/prices'

/** Largest user price file read, bytes (a full table is ~100 KB; this leaves room, bounds memory). */
export const MAX_PRICES_FILE_BYTES = 2 * 1024 * 1024

/** A user price file that cannot be used: missing, unreadable, too large or invalid. */
export class PricesFileError extends Error {
  override name = 'PricesFileError'
  /** Each problem, one line. */
  readonly problems: string[]
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems[0]} (and ${problems.length - 1} more)`)
    this.problems = problems
  }
}

/**
 * The packaged table, validated.
 *
 * Throws (a build bug, caught by the test suite) when resources/prices.json breaks its schema.
 */
export function packagedPriceTable(): PriceTable {
  const r = parsePriceTable(packaged, 'resources/prices.json')
  if (!r.ok) throw new Error(`resources/prices.json is invalid:\n${r.errors.join('\n')}`)
  return r.value
}

/**
 * Reads a text file of at most `maxBytes`; the error messages name the file.
 *
 * Reads one byte past the limit instead of trusting `stat`, so a file that grows while read, a FIFO or
 * /dev/zero is still bounded.
 */
export async function readBoundedText(file: string, maxBytes: number): Promise<string> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (e) {
    throw new PricesFileError([`${file}: ${describeFsError(e)}`])
  }
  try {
    const buf = Buffer.alloc(maxBytes + 1)
    let used = 0
    while (used < buf.length) {
      const { bytesRead } = await handle.read(buf, used, buf.length - used, null)
      if (bytesRead === 0) break
      used += bytesRead
    }
    if (used > maxBytes)
      throw new PricesFileError([
        `${file}: larger than ${Math.round(maxBytes / 1024)} KiB; a price file is a small JSON file`
      ])
    return buf.subarray(0, used).toString('utf8')
  } catch (e) {
    if (e instanceof PricesFileError) throw e
    throw new PricesFileError([`${file}: ${describeFsError(e)}`])
  } finally {
    await handle.close()
  }
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return 'no such file'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'is a directory, not a price file'
    default:
      return e instanceof Error ? e.message : String(e)
  }
}

/** Options of {@link loadPrices}. */
export interface LoadPricesOptions {
  /** Path of the user price file, if any. */
  userFile?: string
  /** Size bound of the user file, bytes; default {@link MAX_PRICES_FILE_BYTES}. */
  maxBytes?: number
  /** The base table (tests); the packaged table when left out. */
  base?: PriceTable
}

/**
 * The price table to use: the packaged one, with the user file's rows applied when a file is given.
 *
 * Throws {@link PricesFileError} for a user file that is missing, unreadable, too large or invalid;
 * nothing of a bad file is used.
 */
export async function loadPrices(opts: LoadPricesOptions = {}): Promise<PriceTable> {
  const base = opts.base ?? packagedPriceTable()
  if (opts.userFile === undefined) return base
  const text = await readBoundedText(opts.userFile, opts.maxBytes ?? MAX_PRICES_FILE_BYTES)
  return applyUserPrices(base, text, opts.userFile)
}

/**
 * The base table with user prices given as JSON text (the Settings field), labelled `label` in errors.
 *
 * Throws {@link PricesFileError} when the text is too large or invalid.
 */
export function applyUserPrices(
  base: PriceTable,
  text: string,
  label: string,
  maxBytes = MAX_PRICES_FILE_BYTES
): PriceTable {
  if (Buffer.byteLength(text, 'utf8') > maxBytes)
    throw new PricesFileError([
      `${label}: larger than ${Math.round(maxBytes / 1024)} KiB; a price file is a small JSON file`
    ])
  const r = parsePriceOverrides(text, label)
  if (!r.ok) throw new PricesFileError(r.errors)
  return mergePriceTables(base, r.value, label)
}
