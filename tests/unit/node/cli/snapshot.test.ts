import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import Ajv from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describePeer } from '../../../helpers/peer-fixtures'
import { materializePeerTree, type PeerTree } from '../../../helpers/peer-tree'
import { runCli } from '../../../helpers/cli-io'

const schemaPath = resolve(
  import.meta.dirname,
  '../../../../resources/schema/snapshot.v1.schema.json'
)

async function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false })
  return ajv.compile(JSON.parse(await readFile(schemaPath, 'utf8')))
}

describePeer('rigready snapshot on the node_exporter fixture tree', () => {
  let tree: PeerTree
  let roots: string[] = []
  beforeAll(async () => {
    tree = await materializePeerTree('prometheus__node_exporter')
    roots = ['--sysfs-root', `${tree.root}/sys`, '--procfs-root', `${tree.root}/proc`]
  })
  afterAll(() => tree?.cleanup())

  it('prints temperatures with their own thresholds and the throttle counters', async () => {
    const r = await runCli(['snapshot', ...roots])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /platform_coretemp_0\s+Physical id 0\s+55\.0 °C\s+\(max 84, crit 100 °C\)/
    )
    expect(r.stdout).toMatch(/Core 0\s+54\.0 °C/)
    expect(r.stdout).toMatch(/package 0 throttle events 30/)
    expect(r.stdout).toMatch(/package 1 throttle events 6/)
    expect(r.stdout).toMatch(/pkg0\/core0 5/)
    expect(r.stdout).toMatch(/cpu-thermal\s+12\.4 °C/)
    expect(r.stdout).toMatch(/governor powersave/)
    expect(r.stdout).toMatch(/estimated: kernel has no MemAvailable/)
  })

  it('--json output validates against the published schema', async () => {
    const r = await runCli(['snapshot', '--json', ...roots])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    const validate = await validator()
    const ok = validate(doc)
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
    expect(doc.snapshot.cpu.status).toBe('ok')
  })
})

describe('rigready snapshot on this machine', () => {
  it('prints what exists and, for each missing device class, why', async () => {
    const r = await runCli(['snapshot'], { env: { ...process.env, PATH: '/nonexistent-bin-dir' } })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^CPU /m)
    expect(r.stdout).toMatch(/^Memory /m)
    // No GPU here: the reason names the missing tool / device.
    expect(r.stdout).toMatch(/gpu-nvidia: tool not installed: nvidia-smi not found/)
    expect(r.stdout).toMatch(/^GPU {2}none/m)
  })

  it('--json validates against the schema', async () => {
    const r = await runCli(['snapshot', '--json'])
    expect(r.code).toBe(0)
    const validate = await validator()
    expect(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
  })
})

describe('rigready CLI usage errors', () => {
  it('exits 2 with a clear message for an unknown command or flag', async () => {
    const a = await runCli(['frobnicate'])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/unknown command "frobnicate"/)
    const b = await runCli(['snapshot', '--bogus'])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/bogus/)
    const c = await runCli(['snapshot', '--replay', '/nonexistent/session.jsonl'])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/no such file/)
  })
})
