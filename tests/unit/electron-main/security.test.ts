import fc from 'fast-check'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import type { Session, WebContents } from 'electron'
import {
  buildContentSecurityPolicy,
  hardenWebContents,
  installSessionSecurity,
  isSafeExternalUrl
} from '../../../src-main/electron-main/security'
import { FakeWebContents } from './fake-electron'

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/)
      return [name, values] as const
    })
  )
}

describe('security', () => {
  it('builds a CSP that allows scripts only from the app, with no inline script or eval', () => {
    const d = directives(buildContentSecurityPolicy())
    expect(d.get('default-src')).toEqual(["'none'"])
    expect(d.get('script-src')).toEqual(["'self'"])
    expect(d.get('object-src')).toEqual(["'none'"])
    expect(d.get('base-uri')).toEqual(["'none'"])
    expect(d.get('frame-ancestors')).toEqual(["'none'"])
    expect(d.get('connect-src')).toEqual(["'self'"])
    expect(buildContentSecurityPolicy()).not.toMatch(/unsafe-eval|\*|https?:/)
  })

  it('adds only the dev server websocket in development', () => {
    const d = directives(buildContentSecurityPolicy({ devServerUrl: 'http://localhost:5173/' }))
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173'])
    expect(d.get('script-src')).toEqual(["'self'"])
  })

  it('sets the CSP header on every response, replacing any the server sent, and denies permissions', () => {
    let onHeaders:
      | ((details: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void)
      | null = null
    const permission = vi.fn()
    const check = vi.fn()
    const fakeSession = {
      webRequest: { onHeadersReceived: (fn: typeof onHeaders) => (onHeaders = fn) },
      setPermissionRequestHandler: permission,
      setPermissionCheckHandler: check
    }
    installSessionSecurity(fakeSession as unknown as Session, "default-src 'none'")
    const cb = vi.fn()
    onHeaders!(
      {
        responseHeaders: {
          'content-security-policy': ['default-src *'],
          'Content-Type': ['text/html']
        }
      },
      cb
    )
    expect(cb).toHaveBeenCalledWith({
      responseHeaders: {
        'Content-Type': ['text/html'],
        'Content-Security-Policy': ["default-src 'none'"]
      }
    })
    // The shipped policy goes out exactly as built (the literal the security scan evaluates).
    installSessionSecurity(fakeSession as unknown as Session, buildContentSecurityPolicy())
    const prod = vi.fn()
    onHeaders!({ responseHeaders: {} }, prod)
    expect(prod).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Security-Policy': [buildContentSecurityPolicy()] }
    })
    const decide = vi.fn()
    permission.mock.calls[0][0]({}, 'media', decide)
    expect(decide).toHaveBeenCalledWith(false)
    expect(check.mock.calls[0][0]()).toBe(false)
  })

  describe('hardenWebContents', () => {
    let contents: FakeWebContents
    const openExternal = vi.fn()
    beforeEach(() => {
      contents = new FakeWebContents()
      openExternal.mockReset()
      hardenWebContents(contents as unknown as WebContents, { openExternal })
    })

    it('blocks every navigation and opens http(s) targets in the system browser', () => {
      const event = { preventDefault: vi.fn() }
      contents.emit('will-navigate', event, 'https://example.com/docs')
      expect(event.preventDefault).toHaveBeenCalled()
      expect(openExternal).toHaveBeenCalledWith('https://example.com/docs')
    })

    it('blocks navigation to file: and javascript: URLs without opening them', () => {
      for (const url of [
        'file:///etc/passwd',
        'javascript:alert(1)',
        'rigready://app/other.html'
      ]) {
        const event = { preventDefault: vi.fn() }
        contents.emit('will-navigate', event, url)
        expect(event.preventDefault).toHaveBeenCalled()
      }
      expect(openExternal).not.toHaveBeenCalled()
    })

    it('denies every new window, handing only http(s) links to the system browser', () => {
      expect(contents.windowOpenHandler!({ url: 'http://example.com' })).toEqual({ action: 'deny' })
      expect(contents.windowOpenHandler!({ url: 'smb://share/x' })).toEqual({ action: 'deny' })
      expect(contents.windowOpenHandler!({ url: 'file:///tmp/x.html' })).toEqual({ action: 'deny' })
      expect(openExternal.mock.calls).toEqual([['http://example.com']])
    })

    it('blocks webviews and redirects', () => {
      const webview = { preventDefault: vi.fn() }
      contents.emit('will-attach-webview', webview, {}, {})
      expect(webview.preventDefault).toHaveBeenCalled()
      const redirect = { preventDefault: vi.fn() }
      contents.emit('will-redirect', redirect, 'https://elsewhere.example')
      expect(redirect.preventDefault).toHaveBeenCalled()
    })
  })

  it('accepts only http and https URLs as external', () => {
    expect(isSafeExternalUrl('https://huggingface.co/meta-llama')).toBe(true)
    expect(isSafeExternalUrl('http://localhost:9090/metrics')).toBe(true)
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,hi',
      'ms-msdt:x',
      'not a url',
      ''
    ]) {
      expect(isSafeExternalUrl(bad)).toBe(false)
    }
  })

  it('never throws on arbitrary URL text', () => {
    fc.assert(fc.property(fc.string(), (s) => typeof isSafeExternalUrl(s) === 'boolean'))
  })
})
