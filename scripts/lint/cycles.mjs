// Fails when modules under src-main/ import each other in a cycle (ARCHITECTURE.md: no import cycle).
//
// Reads every .ts file's imports with TypeScript's own pre-processor (type-only imports included: a cycle of
// types is still a knot in the design), resolves relative specifiers to files, and reports each strongly
// connected component of more than one file, plus self-imports. Usage: node scripts/lint/cycles.mjs [dir…]
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import ts from 'typescript'

const ROOT = path.resolve(import.meta.dirname, '../..')

async function walk(dir, out) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) await walk(p, out)
    else if (/\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

async function exists(p) {
  try {
    return (await stat(p)).isFile()
  } catch {
    return false
  }
}

async function resolveSpec(from, spec) {
  if (!spec.startsWith('.')) return null
  const base = path.resolve(path.dirname(from), spec)
  for (const c of [base, `${base}.ts`, path.join(base, 'index.ts')]) if (await exists(c)) return c
  return null
}

/** Import graph of the given files: file → files it imports. */
export async function importGraph(files) {
  const graph = new Map()
  for (const f of files) {
    const info = ts.preProcessFile(await readFile(f, 'utf8'), true, true)
    const deps = new Set()
    for (const ref of info.importedFiles) {
      const to = await resolveSpec(f, ref.fileName)
      if (to) deps.add(to)
    }
    graph.set(f, deps)
  }
  return graph
}

/** Strongly connected components with more than one member, or a self-edge (Tarjan). */
export function cycles(graph) {
  let index = 0
  const idx = new Map()
  const low = new Map()
  const stack = []
  const on = new Set()
  const out = []
  function visit(v) {
    idx.set(v, index)
    low.set(v, index)
    index++
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const comp = []
      let w
      do {
        w = stack.pop()
        on.delete(w)
        comp.push(w)
      } while (w !== v)
      if (comp.length > 1 || graph.get(v)?.has(v)) out.push(comp.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.slice(2)
  const files = []
  for (const d of dirs.length ? dirs : ['src-main']) await walk(path.resolve(ROOT, d), files)
  const found = cycles(await importGraph(files))
  for (const c of found)
    console.error(`import cycle: ${c.map((f) => path.relative(ROOT, f)).join(' ↔ ')}`)
  if (found.length) process.exit(1)
  console.log(`no import cycles in ${files.length} files`)
}
