/**
 * Storage throttle rule: a drive's main temperature above its own `tempMaxCelsius` (NVMe hwmon temp1_max,
 * SMART warning temperature). Drives throttle themselves there.
 *
 * Observation: a tick is observed when both the drive's temperature and a plausible limit were read; a drive
 * without either is unobserved (a limit outside 1–200 °C is a sentinel such as 65261.85, not a threshold).
 */
import { ok, unavailable } from '../../shared/reading'
import type { StorageDeviceSample } from '../../shared/telemetry'
import { num, reasonOf, round, type CauseHit, type DeviceReading, type ThrottleRule } from './rule'

/** The storage rule (stateless). */
export const storageRule: ThrottleRule<StorageDeviceSample, null> = {
  kind: 'storage',

  devices(snapshot): DeviceReading<StorageDeviceSample>[] {
    const st = snapshot.storage
    if (!st || st.status !== 'ok' || !st.value || !Array.isArray(st.value.devices)) return []
    const out: DeviceReading<StorageDeviceSample>[] = []
    for (const s of st.value.devices) {
      if (!s || typeof s.name !== 'string' || !s.name) continue
      out.push({ key: `storage:${s.name}`, label: s.name, shortLabel: s.name, input: ok(s) })
    }
    return out
  },

  missingReason(snapshot) {
    return snapshot.storage && snapshot.storage.status === 'unavailable'
      ? reasonOf(snapshot.storage, 'storage section unreadable')
      : undefined
  },

  initialState: () => null,

  evaluate(s, _state, ctx) {
    const t = num(s.temperatureCelsius)
    const lim = num(s.tempMaxCelsius)
    if (t === undefined)
      return {
        observation: {
          observed: false,
          reason: reasonOf(s.temperatureCelsius, `${s.name}: temperature unreadable`)
        },
        hits: [],
        facts: {}
      }
    if (lim === undefined || !(lim > 0 && lim < 200))
      return {
        observation: {
          observed: false,
          reason:
            lim === undefined
              ? unavailable(
                  reasonOf(s.tempMaxCelsius, '').reason,
                  `${s.name} reports no temperature limit`
                )
              : unavailable('unsupported', `${s.name} reports a sentinel temperature limit`)
        },
        hits: [],
        facts: {}
      }
    const hits: CauseHit[] = []
    if (t > lim) {
      const crit = num(s.tempCritCelsius)
      hits.push({
        cause: 'storage-thermal',
        seconds: ctx.weightS,
        source: 'reading',
        evidence: [
          `${s.name} ${round(t)} °C above its own limit ${round(lim)} °C${crit !== undefined && crit < 200 ? ` (critical ${round(crit)} °C)` : ''}`
        ],
        severity: lim / t
      })
    }
    return { observation: { observed: true }, hits, facts: {} }
  }
}
