/**
 * The import graph of `src-main/core`: no cycles, and core imports only core, shared and packaged data.
 *
 * Reads every module's static imports (`import … from`, `export … from`) with the TypeScript scanner, resolves
 * relative specifiers to files, and walks the graph depth-first.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const repo = resolve(import.meta.dirname, '../../..')
const core = join(repo, 'src-main/core')

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** Static import specifiers of a module (type-only imports included: they are part of the design). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, false)
  return info.importedFiles.map((f) => f.fileName)
}

function resolveSpecifier(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null
  const base = resolve(dirname(from), spec)
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    const st = statSync(candidate, { throwIfNoEntry: false })
    if (st?.isFile()) return candidate
    if (!st?.isDirectory()) continue
  }
  throw new Error(`${relative(repo, from)}: cannot resolve ${spec}`)
}

const files = filesUnder(core)
const graph = new Map<string, string[]>(
  files.map((f) => [
    f,
    importsOf(f)
      .map((s) => resolveSpecifier(f, s))
      .filter((x): x is string => x !== null)
  ])
)

/** Every cycle found by a depth-first walk, as paths relative to the repo. */
function cycles(): string[][] {
  const out: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (f: string): void => {
    state.set(f, 'open')
    stack.push(f)
    for (const g of graph.get(f) ?? []) {
      if (!graph.has(g)) continue
      if (state.get(g) === 'open')
        out.push([...stack.slice(stack.indexOf(g)), g].map((x) => relative(repo, x)))
      else if (!state.has(g)) visit(g)
    }
    stack.pop()
    state.set(f, 'done')
  }
  for (const f of files) if (!state.has(f)) visit(f)
  return out
}

describe('core architecture', () => {
  it('reads a non-trivial import graph (the check itself works)', () => {
    expect(files.length).toBeGreaterThan(15)
    const report = graph.get(join(core, 'readiness/report.ts')) ?? []
    expect(report).toContain(join(core, 'readiness/evaluate.ts'))
    expect(report).toContain(join(core, 'throttle/index.ts'))
  })

  it('has no import cycle', () => {
    expect(cycles()).toEqual([])
  })

  it('imports only core, shared and packaged resources, at any depth', () => {
    const outside: string[] = []
    for (const [f, deps] of graph) {
      for (const d of deps) {
        const r = relative(repo, d)
        if (
          !r.startsWith('src-main/core/') &&
          !r.startsWith('src-main/shared/') &&
          !r.startsWith('resources/')
        )
          outside.push(`${relative(repo, f)} → ${r}`)
      }
      for (const s of importsOf(f))
        if (!s.startsWith('.') && s !== 'zod') outside.push(`${relative(repo, f)} → ${s}`)
    }
    expect(outside).toEqual([])
  })

  it('keeps advice importing evaluate, and evaluate importing neither advice nor the report', () => {
    const evaluate = graph.get(join(core, 'readiness/evaluate.ts')) ?? []
    expect(evaluate).not.toContain(join(core, 'readiness/advice.ts'))
    expect(evaluate).not.toContain(join(core, 'readiness/report.ts'))
    expect(graph.get(join(core, 'readiness/advice.ts'))).toContain(
      join(core, 'readiness/evaluate.ts')
    )
  })
})
