#!/usr/bin/env node
// Thin launcher: the CLI is built by electron-vite into out/main/cli.js (run `npm run build:app` first).
import('../out/main/cli.js').catch((err) => {
  console.error(
    'rigready: could not load the built CLI (out/main/cli.js). Run `npm run build:app` first.'
  )
  console.error(String(err && err.message ? err.message : err))
  process.exit(70)
})
