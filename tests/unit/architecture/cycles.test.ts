import { readdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: plain ESM script without type declarations
import { cycles, importGraph } from '../../../scripts/lint/cycles.mjs'

const ROOT = resolve(__dirname, '../../..')

type Graph = Map<string, Set<string>>
const findCycles = cycles as (g: Graph) => string[][]
const graphOf = importGraph as (files: string[]) => Promise<Graph>

describe('import-cycle check (npm run lint)', () => {
  it('finds a two-file cycle, type-only imports included, and nothing else', async () => {
    const dir = resolve(ROOT, 'tests/fixtures/lint/cycle')
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).map((f) => resolve(dir, f))
    const found = findCycles(await graphOf(files))
    expect(found).toEqual([[resolve(dir, 'a.ts'), resolve(dir, 'b.ts')]])
  })

  it('finds none in an acyclic graph', () => {
    const g: Graph = new Map([
      ['x', new Set(['y'])],
      ['y', new Set(['z'])],
      ['z', new Set()]
    ])
    expect(findCycles(g)).toEqual([])
  })
})
