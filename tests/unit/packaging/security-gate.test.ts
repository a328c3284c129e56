import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: plain ESM script without types
import { evaluateFindings } from '../../../scripts/security-scan.mjs'

const ROOT = resolve(import.meta.dirname, '../../..')
const medium = { name: 'MEDIUM' }
const issue = (over: Record<string, unknown> = {}) => ({
  id: 'OPEN_EXTERNAL_JS_CHECK',
  severity: medium,
  file: 'electron-main/app.ts',
  location: { line: 10 },
  sample: 'shell.openExternal(url)',
  description: 'Review the use of openExternal',
  ...over
})
const entry = {
  check: 'OPEN_EXTERNAL_JS_CHECK',
  file: 'electron-main/app.ts',
  sample: 'shell.openExternal(url)',
  justification:
    'Guarded by isSafeExternalUrl: only http(s) URLs with a host reach the system browser.'
}

type Gate = (
  i: unknown[],
  e: unknown[],
  a: unknown[]
) => { failures: string[]; justified: string[] }
const gate = evaluateFindings as Gate

describe('security gate (scripts/security-scan.mjs)', () => {
  it('fails on a CSP electronegativity could not parse, or no CSP at all, whatever the allow-list says', () => {
    const unparsed = issue({
      id: 'CSP_GLOBAL_CHECK',
      severity: { name: 'LOW' },
      description: 'Failed to parse CSP, it may not be valid.'
    })
    expect(gate([unparsed], [], []).failures[0]).toMatch(/not evaluated/)
    const none = issue({
      id: 'CSP_GLOBAL_CHECK',
      description: 'No CSP has been detected in the target application'
    })
    expect(gate([none], [], []).failures).toHaveLength(1)
  })

  it('fails on MEDIUM/HIGH findings without a matching justification, and passes justified ones', () => {
    expect(gate([issue()], [], []).failures[0]).toMatch(/not justified/)
    expect(gate([issue({ severity: { name: 'HIGH' } })], [], []).failures).toHaveLength(1)
    const ok = gate([issue({ location: { line: 99 } })], [], [entry])
    expect(ok.failures).toEqual([])
    expect(ok.justified).toHaveLength(1)
    // Changed code needs a new review.
    expect(
      gate([issue({ sample: 'shell.openExternal(anything)' })], [], [entry]).failures.length
    ).toBe(2)
    expect(gate([issue({ severity: { name: 'LOW' } })], [], []).failures).toEqual([])
  })

  it('fails on stale entries, empty justifications and files it could not parse', () => {
    expect(gate([], [], [entry]).failures[0]).toMatch(/stale/)
    expect(gate([issue()], [], [{ ...entry, justification: 'ok' }]).failures[0]).toMatch(
      /justification/
    )
    expect(gate([], [{ file: 'x.ts', message: 'Unexpected token' }], []).failures[0]).toMatch(
      /could not parse x\.ts/
    )
    expect(gate([], [{ file: 'x.ts', message: 'warning', tolerable: true }], []).failures).toEqual(
      []
    )
  })

  it('has a justification of substance for every allow-list entry', async () => {
    const list = JSON.parse(
      await readFile(resolve(ROOT, 'scripts/security-allowlist.json'), 'utf8')
    ) as {
      entries: { justification: string }[]
    }
    for (const e of list.entries) expect(e.justification.length).toBeGreaterThan(60)
  })
})

describe('Content-Security-Policies (the agent and the desktop renderer)', () => {
  it('parse and have no HIGH, MEDIUM or syntax finding in csp-evaluator (the library electronegativity uses)', async () => {
    const { CONTENT_SECURITY_POLICY } = await import('../../../src-main/node/server/http-server')
    const { PRODUCTION_CSP } = await import('../../../src-main/electron-main/security')
    // @ts-expect-error: CommonJS package without types
    const csp = (await import('@doyensec/csp-evaluator')) as {
      CspParser: new (text: string) => { csp: unknown }
      CspEvaluator: new (
        c: unknown,
        v: unknown
      ) => { evaluate(): { severity: number; directive: string; description: string }[] }
      Version: { CSP3: unknown }
      severities: Record<string, number>
    }
    for (const policy of [CONTENT_SECURITY_POLICY, PRODUCTION_CSP]) {
      const findings = new csp.CspEvaluator(
        new csp.CspParser(policy).csp,
        csp.Version.CSP3
      ).evaluate()
      const bad = findings.filter((f) =>
        [csp.severities.HIGH, csp.severities.SYNTAX, csp.severities.MEDIUM].includes(f.severity)
      )
      expect(
        bad.map((f) => `${f.directive}: ${f.description}`),
        policy
      ).toEqual([])
      // The one remaining note is about hosting JSONP or user uploads under 'self', which neither does.
      expect(findings.every((f) => f.severity >= csp.severities.MEDIUM_MAYBE!)).toBe(true)
    }
  })
})

describe('Electron fuses in electron-builder.yml', () => {
  // The fuses Electron defines (docs/tutorial/fuses.md, "Current Fuses", Electron 41) under electron-builder's
  // `electronFuses` names, with the hardened value each must have. Packaging tools are fetched on demand by
  // `npm run dist` (they need Node >= 22.12), so electron-builder validates the keys again when it packages.
  const HARDENED: Record<string, boolean> = {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false
  }

  it('sets every fuse Electron defines to its hardened value, and nothing else', async () => {
    const config = parse(await readFile(resolve(ROOT, 'electron-builder.yml'), 'utf8')) as {
      electronFuses: Record<string, boolean>
      asar: boolean
    }
    expect(config.asar).toBe(true)
    expect(config.electronFuses).toEqual(HARDENED)
  })
})
