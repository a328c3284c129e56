/**
 * Intel GPU throttle-reason files in sysfs (i915 `gt/gt0/throttle_reason_*`, xe
 * `device/tile0/gt0/freq0/throttle/reason_*`): reason names, their cause classes, and the parser.
 *
 * Source: kernel i915 `intel_gt_sysfs_pm.c` and xe `xe_gt_throttle.c` (file names); pure, never throws.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { ThrottleFlag } from '../../shared/telemetry'

/** Throttle reason name → cause class. */
export const INTEL_THROTTLE_CAUSES: Readonly<Record<string, ThrottleFlag['cause']>> = {
  pl1: 'power',
  pl2: 'power',
  pl4: 'power',
  thermal: 'thermal',
  prochot: 'thermal',
  ratl: 'thermal',
  vr_thermalert: 'thermal',
  vr_tdc: 'current'
}

/**
 * Turns throttle file contents into flags. `status` is the summary bit; `reasons` maps reason → file text.
 * A set status with no reason set gives one `status` flag of cause 'other'. Unparseable files are skipped.
 */
export function parseIntelThrottle(
  status: string | undefined,
  reasons: Record<string, string | undefined>
): Reading<ThrottleFlag[]> {
  const flags: ThrottleFlag[] = []
  let parsed = 0
  for (const [reason, text] of Object.entries(reasons)) {
    if (text === undefined) continue
    const t = text.trim()
    if (t !== '0' && t !== '1') continue
    parsed++
    if (t === '1')
      flags.push({ name: `reason_${reason}`, cause: INTEL_THROTTLE_CAUSES[reason] ?? 'other' })
  }
  const s = status?.trim()
  if (s === '1' && flags.length === 0) flags.push({ name: 'status', cause: 'other' })
  if (parsed === 0 && s !== '0' && s !== '1')
    return unavailable('unsupported', 'no throttle reason files')
  return ok(flags)
}
