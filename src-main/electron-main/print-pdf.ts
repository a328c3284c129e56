/**
 * 'report:print-pdf': asks where to save, then prints the window's current page to PDF.
 */
import type { BrowserWindow, SaveDialogOptions, SaveDialogReturnValue } from 'electron'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** What printing needs (injected so it is tested without Electron). */
export interface PrintPdfDeps {
  window: BrowserWindow
  showSaveDialog: (
    window: BrowserWindow,
    options: SaveDialogOptions
  ) => Promise<SaveDialogReturnValue>
  /** Directory offered by default (the user's documents folder). */
  defaultDir: string
  now: () => number
  writeFile?: (path: string, data: Uint8Array) => Promise<void>
}

/** Default file name, dated: `rigready-report-2025-01-31.pdf`. */
export function defaultPdfName(nowMs: number): string {
  return `rigready-report-${new Date(nowMs).toISOString().slice(0, 10)}.pdf`
}

/** Shows the save dialog and writes the PDF; `{ saved: false, path: null }` when the user cancels. */
export async function printReportToPdf(
  deps: PrintPdfDeps
): Promise<{ saved: boolean; path: string | null }> {
  const { window } = deps
  if (window.isDestroyed()) return { saved: false, path: null }
  const choice = await deps.showSaveDialog(window, {
    title: 'Save readiness report as PDF',
    defaultPath: join(deps.defaultDir, defaultPdfName(deps.now())),
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation']
  })
  if (choice.canceled || choice.filePath === undefined || choice.filePath === '')
    return { saved: false, path: null }
  const path = /\.pdf$/i.test(choice.filePath) ? choice.filePath : `${choice.filePath}.pdf`
  const data = await window.webContents.printToPDF({
    printBackground: true,
    pageSize: 'A4',
    generateDocumentOutline: true
  })
  await (deps.writeFile ?? ((p, d) => writeFile(p, d)))(path, data)
  return { saved: true, path }
}
