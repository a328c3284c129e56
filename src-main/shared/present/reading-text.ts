/**
 * A Reading as display text: the formatted value, or a short label ("n/a", "asleep") and the reason in
 * words, so every face says why a value is missing.
 */
import { describeReason, type Reading, type ReadingUnavailable } from '../reading'

/** What a face renders for a reading. */
export interface ReadingText {
  ok: boolean
  /** The value with its unit, or the short label of an unavailable reading. */
  text: string
  /** The reason in words for unavailable readings, else empty. */
  reason: string
}

/** Short label for an unavailable reading. */
export function unavailableLabel(r: ReadingUnavailable): string {
  switch (r.reason) {
    case 'asleep':
      return 'asleep'
    case 'permission-denied':
      return 'no access'
    case 'tool-missing':
      return 'no tool'
    case 'timeout':
      return 'timed out'
    case 'warming-up':
      return 'warming up'
    case 'not-applicable':
      return '—'
    default:
      return 'n/a'
  }
}

/** Formats a reading; `format` receives the value only when the reading is ok. */
export function readingText<T>(
  r: Reading<T> | undefined,
  format: (v: T) => string = (v) => String(v)
): ReadingText {
  if (typeof r !== 'object' || r === null || (r.status !== 'ok' && r.status !== 'unavailable'))
    return { ok: false, text: 'n/a', reason: 'not reported by this source' }
  if (r.status === 'ok') {
    try {
      return { ok: true, text: format(r.value), reason: '' }
    } catch {
      return { ok: false, text: 'n/a', reason: 'value could not be displayed' }
    }
  }
  return { ok: false, text: unavailableLabel(r), reason: describeReason(r) }
}
