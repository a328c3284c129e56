/**
 * Window hardening: web preferences, the Content-Security-Policy header, navigation and new-window blocking,
 * permission denial and the only way out to the web (`shell.openExternal` for http(s) URLs).
 */
import type { Session, WebContents } from 'electron'

/**
 * The renderer's Content-Security-Policy as shipped.
 *
 * Scripts only from the app itself (no inline script, no eval). Inline styles are allowed because Svelte
 * and uPlot set element styles; nothing is loaded from the network. `installSessionSecurity` writes this
 * policy as a string literal at the header (so `npm run security` evaluates exactly this text with
 * electronegativity); a unit test keeps the two identical.
 */
export const PRODUCTION_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'"

/**
 * The Content-Security-Policy for the renderer: {@link PRODUCTION_CSP}, and in development the Vite dev
 * server's hot-reload websocket added to connect-src (the dev server's origin is 'self').
 */
export function buildContentSecurityPolicy(options: { devServerUrl?: string } = {}): string {
  if (options.devServerUrl === undefined) return PRODUCTION_CSP
  const dev = new URL(options.devServerUrl)
  return PRODUCTION_CSP.replace("connect-src 'self'", `connect-src 'self' ws://${dev.host}`)
}

const CSP_HEADER = 'content-security-policy'
const CSP_HEADER_NAME = 'Content-Security-Policy'

/** True for URLs that may be handed to the system browser: http(s) only, never file:, javascript:, custom schemes. */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== ''
}

/**
 * Sets the CSP header on every response of `session` and denies every permission request.
 *
 * Existing CSP headers (any case) are replaced so a dev server cannot loosen the policy.
 */
export function installSessionSecurity(session: Session, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {}
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== CSP_HEADER) headers[name] = value
    }
    if (csp === PRODUCTION_CSP) {
      // The shipped policy, written out so the security scan parses and evaluates it (must equal PRODUCTION_CSP).
      callback({
        responseHeaders: {
          ...headers,
          'Content-Security-Policy': [
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'"
          ]
        }
      })
      return
    }
    // Development (dev-server websocket) or a test policy.
    callback({ responseHeaders: { ...headers, [CSP_HEADER_NAME]: [csp] } })
  })
  // The app needs no camera, notifications-from-web, geolocation, clipboard-read… from its renderer.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

/** What hardening a webContents needs from the app. */
export interface HardenOptions {
  /** Opens a URL in the system browser (shell.openExternal). */
  openExternal: (url: string) => Promise<void> | void
  /** Called for blocked navigations (logging). */
  onBlocked?: (what: 'navigation' | 'window' | 'webview' | 'redirect', url: string) => void
}

/**
 * Blocks navigation, redirects, new windows and webviews on `contents`.
 *
 * A link to an http(s) URL is opened in the system browser instead; anything else is dropped.
 */
export function hardenWebContents(contents: WebContents, options: HardenOptions): void {
  const blocked = options.onBlocked ?? (() => {})
  const maybeOpen = (url: string): void => {
    if (isSafeExternalUrl(url)) void Promise.resolve(options.openExternal(url)).catch(() => {})
  }
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    blocked('navigation', url)
    maybeOpen(url)
  })
  contents.on('will-redirect', (event, url) => {
    event.preventDefault()
    blocked('redirect', url)
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    blocked('webview', '')
  })
  contents.setWindowOpenHandler(({ url }) => {
    blocked('window', url)
    maybeOpen(url)
    return { action: 'deny' }
  })
}
