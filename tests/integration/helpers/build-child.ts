/**
 * Builds a TypeScript child-process script (one that uses project modules) into `out/test-children/` with
 * vite's SSR build, so integration tests can spawn it with plain `node`. npm packages stay external and
 * resolve from the project's node_modules.
 */
import { resolve } from 'node:path'
import { build } from 'vite'

const OUT = resolve(import.meta.dirname, '../../../out/test-children')

/** Builds `entry` (a path under tests/) and returns the path of the built `.mjs`. */
export async function buildChild(entry: string, name: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'silent',
    resolve: { alias: { $shared: resolve(import.meta.dirname, '../../../src-main/shared') } },
    build: {
      ssr: entry,
      outDir: OUT,
      emptyOutDir: false,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: `${name}.mjs` } }
    }
  })
  return resolve(OUT, `${name}.mjs`)
}

/** Wraps the built CLI so a child reports its peak RSS (KiB) on stderr as `MAXRSS=<n>` when it exits. */
export function cliWithMaxRss(cli: string): string[] {
  const code = [
    `process.on('exit', () => process.stderr.write('\\nMAXRSS=' + process.resourceUsage().maxRSS + '\\n'))`,
    `process.argv.splice(1, 0, ${JSON.stringify(cli)})`,
    `await import(${JSON.stringify(cli)})`
  ].join(';')
  return ['--input-type=module', '-e', code, '--']
}
