/**
 * The GPU-count what-if moves the result both ways: fewer GPUs than the machine has, and more (copies of
 * its last GPU), on the recorded RTX 4090 machine.
 */
import { scoreNumber } from '../../../src-main/shared/present/readiness-text'
import type { Placement } from '../../../src-main/shared/readiness'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluateProfile } from '../../../src-main/core/readiness/evaluate'
import { machineFromInventory } from '../../../src-main/core/readiness/machine'
import { loadCatalogue } from '../../../src-main/core/profiles'
import { parseSession } from '../../../src-main/node/recorder/session'

const SESSION = resolve(__dirname, '../../fixtures/sessions/rtx4090-training-run.jsonl')

describe('evaluateProfile gpuCount', () => {
  const session = parseSession(readFileSync(SESSION, 'utf8'), SESSION)
  const machine = machineFromInventory(session.header.inventory, session.snapshots.at(-1)!, null)
  const profile = loadCatalogue().find((p) => p.id === 'serve-70b-q4')!

  it('starts from a one-GPU machine on which the 70B model spills into system RAM', () => {
    expect(machine.gpus.length).toBe(1)
    const one = evaluateProfile(machine, profile, { gpuCount: 1 })
    expect(one).toEqual(evaluateProfile(machine, profile))
    expect(one.placement.kind).toBe('gpu-cpu-offload')
  })

  it('adds GPUs (copies of the last one) when asked for more than the machine has', () => {
    const one = evaluateProfile(machine, profile, { gpuCount: 1 })
    const two = evaluateProfile(machine, profile, { gpuCount: 2 })
    const four = evaluateProfile(machine, profile, { gpuCount: 4 })
    expect((two.placement as Placement).gpuCount).toBe(2)
    expect((two.placement as Placement).gpuFraction).toBe(1)
    expect(scoreNumber(two.score)!).toBeGreaterThan(scoreNumber(one.score)!)
    expect((four.placement as Placement).gpuCount).toBe(4)
    expect(scoreNumber(four.score)!).toBeGreaterThan(scoreNumber(two.score)!)
    expect(four.verdict).toBe('fits-comfortably')
  })

  it('goes back to the one-GPU result when the count is lowered again', () => {
    evaluateProfile(machine, profile, { gpuCount: 17 })
    expect(evaluateProfile(machine, profile, { gpuCount: 1 })).toEqual(
      evaluateProfile(machine, profile)
    )
  })

  it('leaves a machine without GPUs as it is (there is no GPU to copy)', () => {
    const none = { ...machine, gpus: [] }
    expect(evaluateProfile(none, profile, { gpuCount: 3 })).toEqual(evaluateProfile(none, profile))
  })
})
