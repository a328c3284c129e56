/**
 * Words and severity classes for the report's enums, so every view names and colours them the same way.
 */
import type { Constraint, ProfileKind, Verdict } from '$shared/readiness'
import type { ThrottleCause } from '$shared/telemetry'

/** Severity levels used for colour everywhere. */
export type Severity = 'ok' | 'warn' | 'bad' | 'info' | 'muted'

/** Verdict text. */
export const VERDICT_TEXT: Record<Verdict, string> = {
  'does-not-fit': 'does not fit',
  'needs-gpu': 'needs a GPU',
  'fits-with-offload': 'fits with offload',
  'fits-tight': 'fits (tight)',
  'fits-comfortably': 'fits',
  unknown: 'unknown'
}

/** Verdict severity. */
export const VERDICT_SEVERITY: Record<Verdict, Severity> = {
  'does-not-fit': 'bad',
  'needs-gpu': 'bad',
  'fits-with-offload': 'warn',
  'fits-tight': 'warn',
  'fits-comfortably': 'ok',
  unknown: 'muted'
}

/** Constraint text. */
export const CONSTRAINT_TEXT: Record<Constraint, string> = {
  'vram-capacity': 'VRAM capacity',
  'memory-bandwidth': 'memory bandwidth',
  compute: 'compute',
  'host-ram': 'host RAM',
  storage: 'storage',
  interconnect: 'interconnect',
  precision: 'precision support',
  thermals: 'thermals',
  power: 'power',
  software: 'software',
  cpu: 'CPU',
  none: 'nothing'
}

/** Throttle cause text. */
export const CAUSE_TEXT: Record<ThrottleCause, string> = {
  power: 'power cap',
  thermal: 'thermal',
  psu: 'PSU brake',
  current: 'current limit',
  'hw-slowdown': 'HW slowdown',
  'pcie-link': 'PCIe link',
  'storage-thermal': 'drive hot',
  battery: 'on battery',
  idle: 'idle',
  config: 'configured clocks',
  other: 'other'
}

/** True for causes that slow work down (idle and configured clocks are not throttling). */
export function isThrottling(cause: ThrottleCause): boolean {
  return cause !== 'idle' && cause !== 'config'
}

/** Score → severity: 75+ ok, 50+ warn, else bad. */
export function scoreSeverity(score: number): Severity {
  return score >= 75 ? 'ok' : score >= 50 ? 'warn' : 'bad'
}

/** Training kinds count towards the training score; the rest towards inference. */
export function isTrainingKind(kind: ProfileKind): boolean {
  return kind === 'finetune' || kind === 'pretrain'
}
