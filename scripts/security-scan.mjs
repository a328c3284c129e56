#!/usr/bin/env node
// Security gate for the Electron code (`npm run security`): runs @doyensec/electronegativity on src-main
// through its programmatic API and fails (exit 1) when
//  - a Content-Security-Policy was found that electronegativity could not parse, or no CSP was found at all
//    (then the CSP check did not run: that is a failure, never a pass);
//  - any file could not be parsed (a file the scanner skipped is a file nobody checked);
//  - any MEDIUM or HIGH finding is not justified, one by one, in scripts/security-allowlist.json
//    (matched by check id, file and the exact code sample, so moving a line keeps its justification but
//    changing the code asks for a new review);
//  - an allow-list entry matches no finding any more (stale justifications are removed, not kept).
// Only AvailableSecurityFixesGlobalCheck is skipped: it looks Electron releases up on the network, which
// CI does not have; the Electron version is pinned in package.json and updated through npm.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** Checks that are not run, with the reason (printed with every run). */
export const SKIPPED_CHECKS = {
  AvailableSecurityFixesGlobalCheck: 'needs network access to list Electron releases'
}

const CSP_UNPARSED = /failed to parse csp/i
const CSP_MISSING = /no csp/i

/**
 * Applies the gate to electronegativity's findings (pure, for tests).
 *
 * @param {{ id: string, severity: { name: string }, file: string, location: { line: number }, sample?: string, description: string }[]} issues
 * @param {{ file: string, message: string, tolerable?: boolean }[]} errors
 * @param {{ check: string, file: string, sample: string, justification: string }[]} allowlist
 * @returns {{ failures: string[], justified: string[], notes: string[] }}
 */
export function evaluateFindings(issues, errors, allowlist) {
  const failures = []
  const justified = []
  const notes = []
  for (const e of allowlist) {
    if (typeof e.justification !== 'string' || e.justification.trim().length < 30)
      failures.push(
        `allow-list entry ${e.check} ${e.file} has no real justification (≥ 30 characters)`
      )
  }
  for (const err of errors) {
    if (!err.tolerable) failures.push(`could not parse ${err.file}: ${err.message}`)
  }
  const used = new Set()
  for (const issue of issues) {
    const where = `${issue.file}:${issue.location?.line ?? '?'}`
    const sev = issue.severity?.name ?? String(issue.severity)
    if (
      issue.id === 'CSP_GLOBAL_CHECK' &&
      (CSP_UNPARSED.test(issue.description) || CSP_MISSING.test(issue.description))
    ) {
      failures.push(`${issue.id} ${where}: ${issue.description} — the CSP was not evaluated`)
      continue
    }
    if (sev !== 'HIGH' && sev !== 'MEDIUM') {
      notes.push(`${sev} ${issue.id} ${where}: ${issue.description}`)
      continue
    }
    const sample = (issue.sample ?? '').trim()
    const entry = allowlist.findIndex(
      (e) => e.check === issue.id && e.file === issue.file && e.sample.trim() === sample
    )
    if (entry === -1) {
      failures.push(
        `${sev} ${issue.id} ${where}: ${issue.description} — not justified in the allow-list (sample: ${sample})`
      )
      continue
    }
    used.add(entry)
    justified.push(`${sev} ${issue.id} ${where}: ${allowlist[entry].justification}`)
  }
  allowlist.forEach((e, i) => {
    if (!used.has(i))
      failures.push(
        `stale allow-list entry (matches no finding): ${e.check} ${e.file} "${e.sample}"`
      )
  })
  return { failures, justified, notes }
}

async function main() {
  const { default: run } = await import('@doyensec/electronegativity')
  const allowlistPath = fileURLToPath(new URL('./security-allowlist.json', import.meta.url))
  const allowlist = JSON.parse(await readFile(allowlistPath, 'utf8')).entries
  const result = await run({
    input: 'src-main',
    isRelative: true,
    electronVersionOverride: '41.7.1',
    excludeFromScan: Object.keys(SKIPPED_CHECKS)
  })
  const { failures, justified, notes } = evaluateFindings(result.issues, result.errors, allowlist)
  console.log(
    `electronegativity: ${result.atomicChecks} atomic and ${result.globalChecks} global checks, ${result.issues.length} finding(s)`
  )
  for (const [check, why] of Object.entries(SKIPPED_CHECKS))
    console.log(`  skipped ${check}: ${why}`)
  for (const n of notes) console.log(`  note: ${n}`)
  for (const j of justified) console.log(`  justified: ${j}`)
  for (const f of failures) console.error(`  FAIL: ${f}`)
  if (failures.length > 0) {
    console.error(`security gate: ${failures.length} failure(s)`)
    process.exit(1)
  }
  console.log('security gate: passed')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
