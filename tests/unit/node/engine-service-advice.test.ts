/**
 * The advice settings of the engine service: budget, PSU and the user's prices reach the report; bad price
 * text is refused with one line and changes nothing.
 */
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createEngine } from '../../../src-main/node/engine'
import { createEngineService } from '../../../src-main/node/engine-service'
import { validateInvokeArgs } from '../../../src-main/shared/ipc-validate'

const SESSION = resolve(import.meta.dirname, '../../fixtures/sessions/rtx4090-training-run.jsonl')

async function service() {
  const engine = await createEngine({ replayFile: SESSION, speed: 1000 })
  return createEngineService({ engine, reportEveryMs: 0 })
}

describe('node/engine-service advice settings', () => {
  it('applies the budget, the PSU and the prices from settings to the report', async () => {
    const s = await service()
    try {
      const before = await s.handlers['readiness:get-report']()
      expect(before.adviceSummary.budget).toBeNull()
      expect(before.adviceSummary.prices.status).toBe('ok')
      const prices = JSON.stringify({
        schemaVersion: 1,
        asOf: '2026-12-10',
        rows: [
          {
            key: 'geforce-rtx-4090',
            kind: 'gpu',
            prices: [
              { condition: 'used', basis: 'used-market', low: 900, high: 1100, currency: 'USD' }
            ]
          }
        ]
      })
      const set = await s.handlers['settings:set']({
        adviceBudget: 1000,
        psuWatts: 1600,
        pricesJson: prices
      })
      expect(set.adviceBudget).toBe(1000)
      const r = await s.handlers['readiness:get-report']()
      expect(r.adviceSummary.budget).toBe(1000)
      expect(r.adviceSummary.box.psuWatts).toEqual({ status: 'ok', value: 1600 })
      expect(r.adviceSummary.prices.status === 'ok' && r.adviceSummary.prices.value.userFile).toBe(
        'Settings prices'
      )
      for (const a of r.advice.filter((x) => !x.free))
        expect(a.price.status === 'priced' && a.price.low <= 1000).toBe(true)
    } finally {
      await s.close()
    }
  })

  it('refuses invalid price text with one line naming the row and field, keeping the settings', async () => {
    const s = await service()
    try {
      const bad = JSON.stringify({
        schemaVersion: 1,
        rows: [{ key: 'x', kind: 'gpu', prices: [] }]
      })
      await expect(s.handlers['settings:set']({ pricesJson: bad })).rejects.toThrow(
        /^settings:set: Settings prices rows\[0\] \(x\) prices: expected at least one price/
      )
      expect((await s.handlers['settings:get']()).pricesJson).toBe('')
    } finally {
      await s.close()
    }
  })

  it('validates the advice settings at the contract boundary', () => {
    expect(() => validateInvokeArgs('settings:set', [{ adviceBudget: -1 }])).toThrow(/adviceBudget/)
    expect(() => validateInvokeArgs('settings:set', [{ psuWatts: 99 }])).toThrow(/psuWatts/)
    expect(() =>
      validateInvokeArgs('settings:set', [{ pricesJson: 'x'.repeat(600 * 1024) }])
    ).toThrow(/pricesJson/)
    expect(validateInvokeArgs('settings:set', [{ adviceBudget: null, psuWatts: 850 }])).toEqual([
      { adviceBudget: null, psuWatts: 850 }
    ])
  })
})
