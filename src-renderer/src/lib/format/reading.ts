/**
 * Reading → display text.
 *
 * A known value goes through the given formatter; an unavailable one becomes a short label ("n/a",
 * "asleep") plus a full explanation for the title attribute, so the UI always says why a value is missing.
 */
import { describeReason, type Reading, type ReadingUnavailable } from '$shared/reading'

/** What the UI renders for a reading. */
export interface ReadingText {
  ok: boolean
  text: string
  /** Hover text: the reason for unavailable readings, else empty. */
  title: string
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
    default:
      return 'n/a'
  }
}

/** Formats a reading; `format` receives the value only when the reading is ok. */
export function readingText<T>(
  r: Reading<T> | undefined,
  format: (v: T) => string = (v) => String(v)
): ReadingText {
  if (typeof r !== 'object' || r === null || (r.status !== 'ok' && r.status !== 'unavailable')) {
    return { ok: false, text: 'n/a', title: 'not reported by this source' }
  }
  if (r.status === 'ok') {
    try {
      return { ok: true, text: format(r.value), title: '' }
    } catch {
      return { ok: false, text: 'n/a', title: 'value could not be displayed' }
    }
  }
  return { ok: false, text: unavailableLabel(r), title: describeReason(r) }
}

/** Collects every unavailable reading in a nested object, with a dotted path. */
export function findUnavailable(
  value: unknown,
  path = '',
  out: { path: string; reading: ReadingUnavailable }[] = [],
  depth = 0
): { path: string; reading: ReadingUnavailable }[] {
  if (depth > 12 || typeof value !== 'object' || value === null) return out
  const rec = value as Record<string, unknown>
  if (rec.status === 'unavailable' && typeof rec.reason === 'string') {
    out.push({ path, reading: rec as unknown as ReadingUnavailable })
    return out
  }
  if (rec.status === 'ok') return out
  if (Array.isArray(value)) {
    value.forEach((v, i) => findUnavailable(v, `${path}[${i}]`, out, depth + 1))
    return out
  }
  for (const [k, v] of Object.entries(rec))
    findUnavailable(v, path ? `${path}.${k}` : k, out, depth + 1)
  return out
}
