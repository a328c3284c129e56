/**
 * Serves the built renderer from a private `rigready://app/` scheme instead of `file://`.
 *
 * A custom scheme gives the renderer a real origin (so 'self' in the CSP means only the app's own files)
 * and lets the main process attach the CSP header to every response, which `file://` cannot carry.
 * Only files under the renderer directory are served; anything else is a 404.
 */
import { net, protocol } from 'electron'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The app's scheme and host. */
export const APP_SCHEME = 'rigready'
export const APP_HOST = 'app'
/** The renderer's entry URL. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/** Registers the scheme's privileges; must run before the app is ready. */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        corsEnabled: true,
        stream: true
      }
    }
  ])
}

/**
 * Maps a request URL to a file under `rendererDir`, or null when it is outside it or malformed.
 *
 * `/` maps to `index.html`. Percent-encoding is decoded once; `..` segments, NUL bytes and backslashes are
 * refused before the path is resolved, and the resolved path must still lie inside `rendererDir`.
 */
export function resolveRendererFile(rendererDir: string, requestUrl: string): string | null {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (path.includes('\0') || path.includes('\\')) return null
  const segments = path.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '..' || s === '.')) return null
  if (segments.length === 0) segments.push('index.html')
  const root = resolve(rendererDir)
  const file = resolve(root, ...segments)
  const rel = relative(root, file)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..'))
    return null
  return file
}

/** Installs the handler for the scheme (after `app.whenReady()`). */
export function handleAppScheme(rendererDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveRendererFile(rendererDir, request.url)
    if (file === null) return new Response('Not found', { status: 404 })
    let response: Response
    try {
      response = await net.fetch(pathToFileURL(file).toString())
    } catch {
      return new Response('Not found', { status: 404 })
    }
    const headers = new Headers(response.headers)
    headers.set('Content-Security-Policy', csp)
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(response.body, { status: response.status, headers })
  })
}

/** True for URLs of the app's own renderer: the app scheme, or the dev server's origin in development. */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true
  if (devServerUrl === undefined) return false
  try {
    return parsed.origin === new URL(devServerUrl).origin
  } catch {
    return false
  }
}
