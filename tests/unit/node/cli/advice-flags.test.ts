/**
 * `--budget`, `--prices` and `--psu` on `check` and `estimate`, and the advice `estimate` now gives for a
 * described machine.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { readFile } from 'node:fs/promises'
import Ajv from 'ajv'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli-io'

const repo = resolve(import.meta.dirname, '../../../..')
const SESSION = resolve(repo, 'tests/fixtures/sessions/rtx4090-training-run.jsonl')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rigready-advice-'))
})

async function schema(name: string) {
  const ajv = new Ajv({ allErrors: true, strict: false })
  return ajv.compile(JSON.parse(await readFile(resolve(repo, 'resources/schema', name), 'utf8')))
}

describe('advice flags', () => {
  it('estimate on a described 24 GB GPU machine gives advice; --budget 1000 proposes nothing above it', async () => {
    const r = await runCli([
      'estimate',
      '--gpu',
      'RTX 3090',
      '--ram',
      '64',
      '--ram-type',
      'DDR5-6000',
      '--profile',
      'serve-70b-q4',
      '--profile',
      'chat-qwen32b-q4',
      '--profile',
      'qlora-8b',
      '--budget',
      '1000',
      '--json'
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    const validate = await schema('estimate.v1.schema.json')
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
    expect(doc.advice.length).toBeGreaterThan(0)
    for (const a of doc.advice.filter((x: { free: boolean }) => !x.free)) {
      expect(a.price.status).toBe('priced')
      expect(a.price.low).toBeLessThanOrEqual(1000)
    }
    expect(doc.adviceSummary.budget).toBe(1000)
    expect(doc.adviceSummary.bestUnderBudget.text).toMatch(/^Best under USD 1,000: /)
    // The free KV-cache fix for the 32B model comes before any purchase.
    const kinds = doc.advice.map((a: { kind: string }) => a.kind)
    expect(kinds).toContain('kv-cache')
  })

  it('estimate prints the advice section with prices, the best item under the budget and the price table age', async () => {
    const r = await runCli([
      'estimate',
      '--gpu',
      'RTX 4090',
      '--ram',
      '64',
      '--profile',
      'serve-70b-q4',
      '--budget',
      '1000',
      '--psu',
      '550'
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Advice \(budget USD 1,000\)$/m)
    expect(r.stdout).toMatch(/\[purchase\] .* — USD [\d,]+/)
    expect(r.stdout).toMatch(/Best under USD 1,000: |Nothing priced under USD 1,000/)
    expect(r.stdout).toMatch(/Prices: table of \d{4}-\d{2}-\d{2} \(\d+ days? old\)/)
    expect(r.stdout).toMatch(/PSU 550 W/)
  })

  it('check --markdown puts formulas and price sources behind a details disclosure', async () => {
    const r = await runCli(['check', '--replay', SESSION, '--markdown'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^## Advice$/m)
    expect(r.stdout).toMatch(/1\. \*\*Improve GPU cooling and case airflow\*\* — free/)
    expect(r.stdout).toContain('<details><summary>details</summary>')
    expect(r.stdout).toMatch(/time lost = thermal share/)
    expect(r.stdout).toMatch(/price: .* — [^:]+: /)
  })

  it('--prices merges the user file: its price is used and named', async () => {
    const file = join(dir, 'prices.json')
    await writeFile(
      file,
      JSON.stringify({
        schemaVersion: 1,
        asOf: '2026-12-10',
        rows: [
          {
            key: 'geforce-rtx-4090',
            kind: 'gpu',
            prices: [
              { condition: 'used', basis: 'used-market', low: 1300, high: 1500, currency: 'USD' }
            ]
          }
        ]
      })
    )
    const r = await runCli([
      'check',
      '--replay',
      SESSION,
      '--profile',
      'serve-70b-q4',
      '--prices',
      file,
      '--json'
    ])
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout)
    expect(doc.adviceSummary.prices.value.userFile).toBe(file)
    const second = doc.advice.find((a: { id: string }) => a.id === 'gpu-add-geforce-rtx-4090')
    expect(second.title).toMatch(/used GeForce RTX 4090/)
    expect(second.price.parts[0].quote.fromUser).toBe(true)
    expect(second.price.low).toBe(1300)
  })

  it('a bad --prices file exits 2 with one line naming the file, row and field', async () => {
    const file = join(dir, 'bad.json')
    await writeFile(
      file,
      JSON.stringify({
        schemaVersion: 1,
        asOf: '2026-12-10',
        rows: [{ key: 'geforce-rtx-4090', kind: 'gpu', prices: [{ condition: 'new', low: -5 }] }]
      })
    )
    for (const cmd of [
      ['check', '--replay', SESSION],
      ['estimate', '--gpu', 'RTX 4090']
    ]) {
      const r = await runCli([...cmd, '--prices', file])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      const lines = r.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(
        new RegExp(
          `^rigready ${cmd[0]}: --prices ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} rows\\[0\\] \\(geforce-rtx-4090\\) prices\\[0\\]\\.`
        )
      )
    }
    const missing = await runCli([
      'estimate',
      '--gpu',
      'RTX 4090',
      '--prices',
      join(dir, 'nope.json')
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--prices .*nope\.json: no such file/)
  })

  it('rejects a budget or PSU that is not a number in range, with exit 2', async () => {
    for (const [flag, v, msg] of [
      ['--budget', 'lots', /--budget must be a number/],
      ['--budget', '-1', /--budget must be a number/],
      ['--psu', '20', /--psu must be a whole number from 100 to 5000/],
      ['--psu', '750.5', /--psu must be a whole number/]
    ] as const) {
      const r = await runCli(['estimate', '--gpu', 'RTX 4090', `${flag}=${v}`])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(msg)
    }
  })
})
