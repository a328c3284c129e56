/**
 * The state machine every alert rule shares: a condition must hold `forSeconds` before the alert is raised,
 * must stay clear `clearSeconds` (past a separate, lower clear threshold) before it clears, and after a clear
 * the same rule on the same device waits `cooldownSeconds` before it may be raised again. Between the raise
 * and clear thresholds nothing changes, so a value hovering at the limit never flaps.
 *
 * Unknown inputs (`firing: null`) leave the state as it is: an unreadable sensor neither raises nor clears.
 * Time comes from the samples (epoch ms); nothing reads the clock.
 */
import type { AlertRuleConfig } from '../../shared/alerts'

/** One evaluation of a rule's condition. */
export interface Condition {
  /** Past the raise threshold; null when the inputs are unknown. */
  firing: boolean | null
  /** Past the clear threshold (on the safe side of the hysteresis band). */
  clearing: boolean
}

/** What a step did. */
export type Step = 'raise' | 'clear' | null

/** Per rule-and-device state. */
export class Hysteresis {
  private phase: 'idle' | 'pending' | 'active' = 'idle'
  private pendingSinceMs = 0
  private clearSinceMs: number | null = null
  private lastClearMs = -Infinity

  constructor(
    private readonly timing: Pick<
      AlertRuleConfig,
      'forSeconds' | 'clearSeconds' | 'cooldownSeconds'
    >
  ) {}

  /** True while raised. */
  get active(): boolean {
    return this.phase === 'active'
  }

  /** Advances with one condition at time `tMs`. */
  step(c: Condition, tMs: number): Step {
    if (c.firing === null) return null
    const forMs = this.timing.forSeconds * 1000
    switch (this.phase) {
      case 'idle':
        if (!c.firing) return null
        this.phase = 'pending'
        this.pendingSinceMs = tMs
        return this.tryRaise(tMs, forMs)
      case 'pending':
        if (!c.firing) {
          this.phase = 'idle'
          return null
        }
        return this.tryRaise(tMs, forMs)
      case 'active':
        if (!c.clearing) {
          this.clearSinceMs = null
          return null
        }
        this.clearSinceMs ??= tMs
        if (tMs - this.clearSinceMs >= this.timing.clearSeconds * 1000) {
          this.phase = 'idle'
          this.clearSinceMs = null
          this.lastClearMs = tMs
          return 'clear'
        }
        return null
    }
  }

  private tryRaise(tMs: number, forMs: number): Step {
    if (tMs - this.pendingSinceMs < forMs) return null
    if (tMs - this.lastClearMs < this.timing.cooldownSeconds * 1000) return null
    this.phase = 'active'
    this.clearSinceMs = null
    return 'raise'
  }
}
