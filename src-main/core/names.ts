/**
 * "Did you mean" for names users type (`--gpu rtx4090`, `--quant q5ks`, `--model qwen3-30b`): normalised exact
 * matches first, then candidates whose normalised form contains the query, then small edit distances. Never
 * a silent pick: one candidate is a match, several are an ambiguity the caller reports.
 */

/** Lower-case letters and digits only (`RTX 4090` → `rtx4090`, `Q4_K_M` → `q4km`). */
export function normaliseName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/** Levenshtein distance (bounded inputs: names are short). */
export function editDistance(a: string, b: string): number {
  const m = a.length
  const n = b.length
  if (m === 0) return n
  if (n === 0) return m
  let prev = Array.from({ length: n + 1 }, (_, j) => j)
  for (let i = 1; i <= m; i++) {
    const cur = [i]
    for (let j = 1; j <= n; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[n]
}

/** Outcome of looking a name up among candidates. */
export type NameMatch<T> =
  | { kind: 'exact'; item: T }
  | { kind: 'unique'; item: T }
  | { kind: 'ambiguous'; items: T[] }
  | { kind: 'none'; suggestions: T[] }

/**
 * Looks `query` up in `items` by the names `namesOf` gives each (several spellings allowed). Exact
 * normalised match wins; else the items whose name contains the query (or is contained by it) — one is a
 * match, several ambiguous (at most `ambiguousLimit` returned); else up to `limit` suggestions by edit
 * distance (≤ 40% of the length).
 */
export function matchName<T>(
  query: string,
  items: readonly T[],
  namesOf: (t: T) => string[],
  limit = 5,
  ambiguousLimit = 12
): NameMatch<T> {
  const q = normaliseName(query)
  if (q === '') return { kind: 'none', suggestions: [] }
  const norm = items.map((t) => ({ t, names: namesOf(t).map(normaliseName).filter(Boolean) }))
  const exact = norm.filter((x) => x.names.includes(q))
  if (exact.length === 1) return { kind: 'exact', item: exact[0].t }
  if (exact.length > 1) return { kind: 'ambiguous', items: exact.map((x) => x.t) }
  const contains = norm.filter((x) =>
    x.names.some((n) => n.includes(q) || (q.length >= 4 && q.includes(n) && n.length >= 4))
  )
  if (contains.length === 1) return { kind: 'unique', item: contains[0].t }
  if (contains.length > 1)
    return { kind: 'ambiguous', items: contains.slice(0, ambiguousLimit).map((x) => x.t) }
  const scored = norm
    .map((x) => ({ t: x.t, d: Math.min(...x.names.map((n) => editDistance(q, n))) }))
    .filter((x) => x.d <= Math.max(1, Math.ceil(q.length * 0.4)))
    .sort((a, b) => a.d - b.d)
  return { kind: 'none', suggestions: scored.slice(0, limit).map((x) => x.t) }
}
