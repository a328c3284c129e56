import { describe, expect, it } from 'vitest'
import type { NvidiaLiveRow } from '../../../../src-main/node/sources/nvidia-smi-csv'
import { createRowSetAssembler } from '../../../../src-main/node/sources/nvidia-smi-stream'

const row = (index: number) => ({ index }) as NvidiaLiveRow

describe('sources/nvidia-smi-stream', () => {
  it('completes a set when every expected GPU has a row', () => {
    const a = createRowSetAssembler(2)
    expect(a.push(row(0))).toBeUndefined()
    expect([...a.push(row(1))!.keys()]).toEqual([0, 1])
    expect(a.push(row(0))).toBeUndefined()
  })

  it('follows a shrinking GPU set when an index repeats before the set completes', () => {
    const a = createRowSetAssembler(2)
    a.push(row(0))
    // GPU 1 fell off the bus: GPU 0 answers again, so the one-GPU set is published and expected drops to 1.
    expect([...a.push(row(0))!.keys()]).toEqual([0])
    expect([...a.push(row(0))!.keys()]).toEqual([0])
  })

  it('drops a partial set on reset', () => {
    const a = createRowSetAssembler(2)
    a.push(row(0))
    a.reset()
    expect(a.push(row(1))).toBeUndefined()
    expect([...a.push(row(0))!.keys()]).toEqual([1, 0])
  })
})
