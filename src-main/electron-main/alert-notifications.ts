/**
 * Desktop notifications for alerts raised while a job runs (near slowdown, throttled, drive hot, memory or
 * disk nearly full, GPU gone, the command failed). Clears are not notified: the app's views show them.
 *
 * The alert rules already hold and cool down, so a notification per raise never floods; as a last guard at
 * most `maxPerMinute` notifications are shown per minute and the rest are summed into the next one.
 */
import { Notification } from 'electron'
import type { AlertTransition } from '../shared/alerts'

/** Options of the notifier. */
export interface AlertNotifierOptions {
  /** Called when the user clicks a notification (show the window). */
  onClick?: () => void
  /** Default 6. */
  maxPerMinute?: number
  now?: () => number
}

/** Shows alerts as desktop notifications. */
export interface AlertNotifier {
  /** Shows `alert` when it is a raise; returns whether a notification was shown. */
  notify(alert: AlertTransition): boolean
}

/** Creates the notifier (a no-op where the platform has no notifications). */
export function createAlertNotifier(options: AlertNotifierOptions = {}): AlertNotifier {
  const max = options.maxPerMinute ?? 6
  const now = options.now ?? Date.now
  const shown: number[] = []
  let held = 0
  return {
    notify(alert) {
      if (alert.kind !== 'raise' || !Notification.isSupported()) return false
      const t = now()
      while (shown.length && t - shown[0] > 60_000) shown.shift()
      if (shown.length >= max) {
        held++
        return false
      }
      shown.push(t)
      const more = held > 0 ? ` (+${held} more alert${held === 1 ? '' : 's'})` : ''
      held = 0
      const n = new Notification({
        title: `RigReady: ${alert.deviceLabel}`,
        body: `${alert.message}${more}`,
        urgency: alert.severity === 'critical' ? 'critical' : 'normal',
        silent: alert.severity !== 'critical'
      })
      if (options.onClick) n.on('click', options.onClick)
      n.show()
      return true
    }
  }
}
