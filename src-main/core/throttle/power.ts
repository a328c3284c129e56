/**
 * Power-source rule: running on battery, where firmware lowers CPU and GPU power limits.
 *
 * Observation: a tick is observed when the power source (AC or battery) was read. A machine that reports no
 * power supply at all (`no-device`, most desktops) has no power device; one whose source could not be read for
 * another reason is unobserved with that reason.
 */
import { ok, valueOf } from '../../shared/reading'
import type { PowerSample } from '../../shared/telemetry'
import { num, reasonOf, round, type DeviceReading, type ThrottleRule } from './rule'

const KEY = 'power'
const LABELS = { key: KEY, label: 'Power supply', shortLabel: 'System' }

/** The power-source rule (stateless). */
export const powerRule: ThrottleRule<PowerSample, null> = {
  kind: 'power',

  devices(snapshot): DeviceReading<PowerSample>[] {
    const p = snapshot.power
    if (!p || typeof p !== 'object') return []
    if (p.status !== 'ok') {
      const r = reasonOf(p, 'power section unreadable')
      return r.reason === 'no-device' || r.reason === 'not-applicable'
        ? []
        : [{ ...LABELS, input: r }]
    }
    if (!p.value || typeof p.value !== 'object') return []
    const src = p.value.source
    if (
      src &&
      src.status === 'unavailable' &&
      (src.reason === 'no-device' || src.reason === 'not-applicable')
    )
      return []
    return [{ ...LABELS, input: ok(p.value) }]
  },

  initialState: () => null,

  evaluate(p, _state, ctx) {
    const src = valueOf(p.source)
    if (src !== 'ac' && src !== 'battery')
      return {
        observation: { observed: false, reason: reasonOf(p.source, 'power source unreadable') },
        hits: [],
        facts: {}
      }
    if (src === 'ac') return { observation: { observed: true }, hits: [], facts: {} }
    const bats = Array.isArray(p.batteries) ? p.batteries : []
    const detail = bats
      .map((b) => {
        const cap = num(b?.capacityPct)
        const w = num(b?.powerWatts)
        const values = [
          cap !== undefined ? `${round(cap)} %` : '',
          w !== undefined ? `${w.toFixed(1)} W` : ''
        ]
          .filter(Boolean)
          .join(', ')
        return [b?.name, values].filter(Boolean).join(' ')
      })
      .filter(Boolean)
    return {
      observation: { observed: true },
      hits: [
        {
          cause: 'battery',
          seconds: ctx.weightS,
          source: 'reading',
          evidence: [
            `running on battery${detail.length ? ` (${detail.join('; ')})` : ''}: firmware lowers CPU/GPU power limits`
          ],
          severity: 0
        }
      ],
      facts: {}
    }
  }
}
