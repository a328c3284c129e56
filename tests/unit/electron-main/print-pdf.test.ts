import { describe, expect, it, vi } from 'vitest'
import type { BrowserWindow, SaveDialogOptions } from 'electron'
import { defaultPdfName, printReportToPdf } from '../../../src-main/electron-main/print-pdf'

function fakeWindow() {
  const printToPDF = vi.fn(async () => new Uint8Array([1, 2, 3]))
  return {
    win: { isDestroyed: () => false, webContents: { printToPDF } } as unknown as BrowserWindow,
    printToPDF
  }
}

const now = () => Date.UTC(2025, 0, 31, 12)

describe('print-pdf', () => {
  it('does nothing when the user cancels the dialog', async () => {
    const { win, printToPDF } = fakeWindow()
    const writeFile = vi.fn()
    const r = await printReportToPdf({
      window: win,
      showSaveDialog: async () => ({ canceled: true, filePath: '' }),
      defaultDir: '/docs',
      now,
      writeFile
    })
    expect(r).toEqual({ saved: false, path: null })
    expect(printToPDF).not.toHaveBeenCalled()
    expect(writeFile).not.toHaveBeenCalled()
  })

  it('offers a dated file name and writes the printed PDF where the user chose', async () => {
    const { win, printToPDF } = fakeWindow()
    const writeFile = vi.fn(async () => {})
    const showSaveDialog = vi.fn(async (_w: unknown, _o: SaveDialogOptions) => ({
      canceled: false,
      filePath: '/home/me/report'
    }))
    const r = await printReportToPdf({
      window: win,
      showSaveDialog,
      defaultDir: '/docs',
      now,
      writeFile
    })
    expect(showSaveDialog.mock.calls[0][1]).toMatchObject({
      defaultPath: '/docs/rigready-report-2025-01-31.pdf'
    })
    expect(printToPDF).toHaveBeenCalledWith(expect.objectContaining({ printBackground: true }))
    expect(writeFile).toHaveBeenCalledWith('/home/me/report.pdf', new Uint8Array([1, 2, 3]))
    expect(r).toEqual({ saved: true, path: '/home/me/report.pdf' })
  })

  it('names files by UTC date', () => {
    expect(defaultPdfName(now())).toBe('rigready-report-2025-01-31.pdf')
  })
})
