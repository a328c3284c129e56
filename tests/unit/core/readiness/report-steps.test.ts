/**
 * The step-wise report (what the agent spreads over event-loop turns) is the report: same result as the
 * one-go composition, in many steps.
 */
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadCatalogue } from '../../../../src-main/core/profiles'
import {
  analyzeWindow,
  composeReportFromAnalysis,
  composeReportFromAnalysisSteps
} from '../../../../src-main/core/readiness/report'
import { runSteps } from '../../../../src-main/core/steps'
import { readSession } from '../../../../src-main/node/recorder/session'
import { packagedPriceTable } from '../../../../src-main/node/prices/load-prices'

const SESSION = resolve(
  import.meta.dirname,
  '../../../fixtures/sessions/rtx4090-training-run.jsonl'
)

describe('report in steps', () => {
  it('yields between advice candidates and returns the same report as the one-go composition', async () => {
    const session = await readSession(SESSION)
    const inputs = {
      inventory: session.header.inventory,
      latest: session.snapshots.at(-1) ?? null,
      throttle: analyzeWindow(session.header.inventory, session.snapshots),
      profiles: loadCatalogue(),
      nowMs: Date.UTC(2026, 11, 20),
      advice: { prices: packagedPriceTable() },
      window: session.snapshots
    }
    const steps = composeReportFromAnalysisSteps(inputs)
    let yields = 0
    let r = steps.next()
    while (!r.done) {
      yields++
      r = steps.next()
    }
    // One step per advice candidate simulated, plus the evaluation: a real spread, not one big step.
    expect(yields).toBeGreaterThan(10)
    expect(r.value).toEqual(composeReportFromAnalysis(inputs))
    expect(runSteps(composeReportFromAnalysisSteps(inputs))).toEqual(r.value)
  })
})
