/**
 * Shape checks of snapshots read from session files, so a wrongly typed field becomes one clear line
 * ("gpus.0.index must be a number") instead of a TypeError deep inside a consumer.
 *
 * Checks what every consumer dereferences: the top-level fields, each section being a Reading, GPU identity
 * fields, and every nested object that calls itself a Reading (`status` of `ok` or `unavailable`).
 */

const SECTIONS = ['cpu', 'memory', 'storage', 'thermal', 'power'] as const
const MAX_DEPTH = 12

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function checkReadings(x: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return null
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const p = checkReadings(x[i], `${path}.${i}`, depth + 1)
      if (p) return p
    }
    return null
  }
  if (!isObject(x)) return null
  // A Reading has only its own keys; other objects with a `status` (collector health) are not Readings.
  const keys = Object.keys(x)
  if (
    x.status === 'unavailable' &&
    keys.every((k) => k === 'status' || k === 'reason' || k === 'detail')
  ) {
    if (typeof x.reason !== 'string') return `${path}.reason must be a string`
    if (x.detail !== undefined && typeof x.detail !== 'string')
      return `${path}.detail must be a string`
    return null
  }
  if (x.status === 'ok' && keys.length <= 2 && keys.every((k) => k === 'status' || k === 'value')) {
    if (!('value' in x)) return `${path}.value is missing`
    return checkReadings(x.value, `${path}.value`, depth + 1)
  }
  for (const k of Object.keys(x)) {
    const p = checkReadings(x[k], path ? `${path}.${k}` : k, depth + 1)
    if (p) return p
  }
  return null
}

/** Null when `x` has the shape of a Snapshot, else the first problem (`gpus.0.index must be a number`). */
export function snapshotProblem(x: unknown): string | null {
  if (!isObject(x)) return 'not a JSON object'
  if (typeof x.timestampMs !== 'number' || !Number.isFinite(x.timestampMs))
    return 'timestampMs must be a finite number'
  if (typeof x.seq !== 'number') return 'seq must be a number'
  if (!Array.isArray(x.gpus)) return 'gpus must be an array'
  for (let i = 0; i < x.gpus.length; i++) {
    const g: unknown = x.gpus[i]
    if (!isObject(g)) return `gpus.${i} must be an object`
    if (typeof g.index !== 'number') return `gpus.${i}.index must be a number`
    if (typeof g.id !== 'string') return `gpus.${i}.id must be a string`
    if (typeof g.name !== 'string') return `gpus.${i}.name must be a string`
  }
  for (const s of SECTIONS) {
    const r = x[s]
    if (!isObject(r) || (r.status !== 'ok' && r.status !== 'unavailable'))
      return `${s} must be a reading ({"status":"ok","value":…} or {"status":"unavailable","reason":…})`
    if (r.status === 'ok' && !isObject(r.value)) return `${s}.value must be an object`
  }
  if (x.health !== undefined && !Array.isArray(x.health)) return 'health must be an array'
  return checkReadings(x, '', 0)
}
