#!/usr/bin/env node
// Thin launcher: the CLI is built by electron-vite into out/main/cli.js (`npm run build:app`, or any
// `npm test` / `npm run bench`). Exit code 1 with one line when it is not built yet (README "Exit codes").
import { access } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))

try {
  await access(cli)
} catch {
  console.error(
    'rigready: the CLI is not built yet (out/main/cli.js): run `npm run build:app` once.'
  )
  process.exit(1)
}

try {
  await import(cli)
} catch (err) {
  console.error(`rigready: could not load the built CLI (${cli}): ${err?.message ?? err}`)
  if (process.env.RIGREADY_DEBUG === '1') console.error(err)
  process.exit(1)
}
