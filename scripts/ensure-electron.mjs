// Runs before `npm start` / `npm run dev`: makes sure the Electron binary is there, downloading it on first use.
//
// `npm install` does not download Electron (package.json's allowScripts denies its postinstall), so an
// install on a machine without internet access succeeds and everything but the desktop window works
// (`rigready serve` gives the same UI in a browser). This script fetches the binary only when the desktop
// app is started, through Electron's own installer (honours ELECTRON_MIRROR and proxies).
import { spawn } from 'node:child_process'
import { access } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

async function binaryPresent() {
  try {
    await access(require('electron'))
    return true
  } catch {
    return false
  }
}

if (!(await binaryPresent())) {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    console.error(
      'rigready: the Electron binary is not installed and ELECTRON_SKIP_BINARY_DOWNLOAD is set; unset it to download it, or use `npx rigready serve` for the browser UI.'
    )
    process.exit(1)
  }
  console.error('rigready: downloading the Electron binary (first start of the desktop app)…')
  const installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js')
  // The installer's own stack trace is noise here: keep its stderr and show the one line that says why.
  let stderr = ''
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { stdio: ['ignore', 'inherit', 'pipe'] })
    child.stderr.on('data', (d) => {
      if (stderr.length < 65536) stderr += d
    })
    child.on('exit', (c) => resolve(c ?? 1))
    child.on('error', () => resolve(1))
  })
  const why = stderr
    .split('\n')
    .find((l) => /error/i.test(l))
    ?.trim()
  if (process.env.RIGREADY_DEBUG === '1') process.stderr.write(stderr)
  if (code !== 0 || !(await binaryPresent())) {
    console.error(
      `rigready: the Electron binary could not be downloaded${why ? ` (${why})` : ''}. Set ELECTRON_MIRROR or HTTPS_PROXY and retry; the CLI and \`npx rigready serve\` work without it.`
    )
    process.exit(1)
  }
}
