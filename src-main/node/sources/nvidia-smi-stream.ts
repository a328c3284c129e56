/**
 * Row sets from the long-lived `nvidia-smi --query-gpu=… -lms <interval>` stream.
 *
 * The stream prints one CSV row per GPU per interval, with no tick separator. Rows are grouped by GPU index:
 * a set is complete when every expected GPU has a row, or when an index repeats before that (the set of GPUs
 * shrank: one fell off the bus), in which case the expected count follows what the driver now reports.
 */
import type { NvidiaLiveRow } from './nvidia-smi-csv'

/** Groups stream rows into per-tick row sets (one row per GPU index). */
export interface RowSetAssembler {
  /** Adds a row; returns the row set it completes, if any. */
  push(row: NvidiaLiveRow): Map<number, NvidiaLiveRow> | undefined
  /** How many GPUs a complete set has (from the inventory). */
  expect(count: number): void
  /** Drops a partial set (the stream restarted). */
  reset(): void
}

/** Creates an assembler expecting `expected` GPUs per set. */
export function createRowSetAssembler(expected = 0): RowSetAssembler {
  let pending = new Map<number, NvidiaLiveRow>()
  let expectedCount = expected
  const flush = (): Map<number, NvidiaLiveRow> | undefined => {
    if (pending.size === 0) return undefined
    const done = pending
    pending = new Map()
    return done
  }
  return {
    push(row) {
      let done: Map<number, NvidiaLiveRow> | undefined
      if (pending.has(row.index)) {
        // An index repeats before the set completed: fewer GPUs than expected answer now.
        expectedCount = pending.size
        done = flush()
      }
      pending.set(row.index, row)
      if (pending.size >= expectedCount) return flush() ?? done
      return done
    },
    expect(count) {
      expectedCount = count
    },
    reset() {
      pending = new Map()
    }
  }
}
