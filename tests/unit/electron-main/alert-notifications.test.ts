import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AlertTransition } from '../../../src-main/shared/alerts'

const shown: { title: string; body: string; urgency?: string }[] = []
let supported = true
vi.mock('electron', () => {
  class Notification {
    static isSupported(): boolean {
      return supported
    }
    private handlers: Record<string, () => void> = {}
    constructor(readonly options: { title: string; body: string; urgency?: string }) {}
    on(ev: string, fn: () => void): void {
      this.handlers[ev] = fn
    }
    show(): void {
      shown.push(this.options)
      this.handlers.click?.()
    }
  }
  return { Notification }
})

const { createAlertNotifier } = await import('../../../src-main/electron-main/alert-notifications')

const alert = (over: Partial<AlertTransition> = {}): AlertTransition => ({
  kind: 'raise',
  rule: 'near-slowdown',
  severity: 'warning',
  device: 'gpu0',
  deviceLabel: 'GPU0 NVIDIA GeForce RTX 4090',
  value: 86,
  threshold: 84,
  unit: 'celsius',
  atMs: 0,
  message: 'GPU0 is 3 °C from its slowdown temperature (86 of 89 °C)',
  ...over
})

describe('electron-main/alert-notifications', () => {
  beforeEach(() => {
    shown.length = 0
    supported = true
  })

  it('shows a raised alert with the device and message, and focuses the app on click', () => {
    const onClick = vi.fn()
    const n = createAlertNotifier({ onClick })
    expect(n.notify(alert())).toBe(true)
    expect(shown).toEqual([
      {
        title: 'RigReady: GPU0 NVIDIA GeForce RTX 4090',
        body: 'GPU0 is 3 °C from its slowdown temperature (86 of 89 °C)',
        urgency: 'normal',
        silent: true
      }
    ])
    expect(onClick).toHaveBeenCalledOnce()
  })

  it('does not notify clears, and marks critical alerts urgent', () => {
    const n = createAlertNotifier()
    expect(n.notify(alert({ kind: 'clear' }))).toBe(false)
    n.notify(alert({ severity: 'critical', rule: 'gpu-gone' }))
    expect(shown.map((s) => s.urgency)).toEqual(['critical'])
  })

  it('caps notifications per minute and counts the held ones into the next', () => {
    let t = 0
    const n = createAlertNotifier({ maxPerMinute: 2, now: () => t })
    for (let i = 0; i < 5; i++) n.notify(alert({ device: `gpu${i}` }))
    expect(shown).toHaveLength(2)
    t = 61_000
    n.notify(alert())
    expect(shown).toHaveLength(3)
    expect(shown[2].body).toMatch(/\(\+3 more alerts\)$/)
  })

  it('does nothing where the platform has no notifications', () => {
    supported = false
    expect(createAlertNotifier().notify(alert())).toBe(false)
    expect(shown).toEqual([])
  })
})
