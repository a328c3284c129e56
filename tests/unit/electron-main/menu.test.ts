import { describe, expect, it, vi } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import { buildMenuTemplate } from '../../../src-main/electron-main/menu'

function roles(t: MenuItemConstructorOptions[]): string[] {
  return t.flatMap((i) => [
    ...(i.role ? [i.role] : []),
    ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])
  ])
}

describe('menu', () => {
  it('offers dev tools and reload only in development', () => {
    const base = { appName: 'RigReady', isMac: false, onSavePdf: vi.fn() }
    expect(roles(buildMenuTemplate({ ...base, isDev: false }))).not.toContain('toggleDevTools')
    expect(roles(buildMenuTemplate({ ...base, isDev: false }))).not.toContain('reload')
    expect(roles(buildMenuTemplate({ ...base, isDev: true }))).toContain('toggleDevTools')
  })

  it('adds the app menu on macOS only', () => {
    expect(
      buildMenuTemplate({ appName: 'RigReady', isMac: true, isDev: false, onSavePdf: vi.fn() })[0]
        .label
    ).toBe('RigReady')
    expect(
      buildMenuTemplate({ appName: 'RigReady', isMac: false, isDev: false, onSavePdf: vi.fn() })[0]
        .label
    ).toBe('File')
  })

  it('saves the report as PDF from the File menu', () => {
    const onSavePdf = vi.fn()
    const file = buildMenuTemplate({
      appName: 'RigReady',
      isMac: false,
      isDev: false,
      onSavePdf
    })[0]
    const item = (file.submenu as MenuItemConstructorOptions[]).find((i) =>
      i.label?.includes('PDF')
    )!
    ;(item.click as () => void)()
    expect(onSavePdf).toHaveBeenCalled()
  })
})
