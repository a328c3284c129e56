import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '../../..')
const eslint = new ESLint({ cwd: ROOT })

/** Lints a fixture snippet as if it lived at `pretendPath`; returns the layer-rule messages. */
async function layerMessages(fixture: string, pretendPath: string): Promise<string[]> {
  const code = await readFile(resolve(ROOT, 'tests/fixtures/lint', fixture), 'utf8')
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, pretendPath) })
  return result.messages.filter((m) => m.ruleId === 'layers/imports').map((m) => m.message)
}

describe('layer rules (npm run lint)', () => {
  it('fails core/ importing node/ two folders deep', async () => {
    const msgs = await layerMessages(
      'core-two-deep-imports-node.ts',
      'src-main/core/readiness/sub/bad.ts'
    )
    expect(msgs).toHaveLength(1)
    expect(msgs[0]).toMatch(/\(core\) may not import node/)
  })

  it('passes core/ importing shared/ from the same depth', async () => {
    expect(
      await layerMessages('core-two-deep-imports-shared.ts', 'src-main/core/readiness/sub/good.ts')
    ).toEqual([])
  })

  it('fails shared/ importing a node builtin below its top folder', async () => {
    const msgs = await layerMessages(
      'shared-imports-node-builtin.ts',
      'src-main/shared/deep/bad.ts'
    )
    expect(msgs.join()).toMatch(/shared\/ is pure/)
  })

  it('fails the renderer importing core/ by relative path, allows $shared', async () => {
    const msgs = await layerMessages('renderer-imports-core.ts', 'src-renderer/src/lib/a/b/bad.ts')
    expect(msgs).toHaveLength(1)
    expect(msgs[0]).toMatch(/\(renderer\) may not import core/)
  })

  it('fails node/ importing electron dynamically', async () => {
    const msgs = await layerMessages(
      'node-imports-electron-dynamic.ts',
      'src-main/node/server/deep/bad.ts'
    )
    expect(msgs.join()).toMatch(/never imports electron/)
  })

  it('fails production code importing tests/', async () => {
    const msgs = await layerMessages('node-imports-tests.ts', 'src-main/node/x/bad.ts')
    expect(msgs.join()).toMatch(/never imports tests/)
  })
})
