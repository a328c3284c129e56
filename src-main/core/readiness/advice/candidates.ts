/**
 * Every advice candidate for a machine: free machine-wide fixes, free per-workload fixes, purchases.
 */
import type { AdviceContext, Candidate } from './context'
import { machineFixes } from './fixes'
import { purchaseCandidates } from './purchases'
import { workloadFixes } from './workload-fixes'

/** All candidates, free fixes first. */
export function allCandidates(ctx: AdviceContext): Candidate[] {
  return [...machineFixes(ctx), ...workloadFixes(ctx), ...purchaseCandidates(ctx)]
}
