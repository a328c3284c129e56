/**
 * A fake command-line tool on a private directory: a Node script (shebang pointed at the running node) that
 * appends its arguments to `calls.log` beside it and prints a fixed answer. For tests of which tools run, and
 * with which arguments.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A prepared tools directory. */
export interface FakeToolDir {
  dir: string
  /** The arguments of every call of `name`, in order. */
  calls(name: string): Promise<string[][]>
  cleanup(): Promise<void>
}

/** Creates a directory with one executable per entry of `tools` (name → stdout printed, exit 0). */
export async function createFakeTools(tools: Record<string, string>): Promise<FakeToolDir> {
  const dir = await mkdtemp(join(tmpdir(), 'rr-tools-'))
  for (const [name, stdout] of Object.entries(tools)) {
    const body = [
      `#!${process.execPath}`,
      "const { appendFileSync } = require('node:fs')",
      "const { join } = require('node:path')",
      `appendFileSync(join(__dirname, ${JSON.stringify(name + '.calls.log')}), JSON.stringify(process.argv.slice(2)) + '\\n')`,
      `process.stdout.write(${JSON.stringify(stdout)})`
    ].join('\n')
    const p = join(dir, name)
    await writeFile(p, body + '\n')
    await chmod(p, 0o755)
  }
  return {
    dir,
    async calls(name) {
      const text = await readFile(join(dir, `${name}.calls.log`), 'utf8').catch(() => '')
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    },
    cleanup: () => rm(dir, { recursive: true, force: true })
  }
}
