/**
 * Reads nvidia_gpu_exporter capture bundles (sections delimited by 80-'#' lines with '# <state> :: <name>' and
 * '# $ <command>' headers) into inputs for the fake nvidia-smi.
 */
const RULE = '#'.repeat(80)

/** Splits a capture bundle into `<state> :: <name>` → body text. */
export function sections(text: string): Map<string, string> {
  const lines = text.split(/\r?\n/)
  const out = new Map<string, string>()
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== RULE) continue
    const title = /^# (\S+) :: (.+)$/.exec(lines[i + 1] ?? '')
    if (!title || !(lines[i + 2] ?? '').startsWith('# $ ') || lines[i + 3] !== RULE) continue
    let j = i + 4
    while (j < lines.length && lines[j] !== RULE) j++
    out.set(`${title[1]} :: ${title[2]}`, lines.slice(i + 4, j).join('\n'))
    i = j - 1
  }
  return out
}

/** The CSV section as a field → value map (header units stripped from names). */
export function csvValues(body: string): Record<string, string> {
  const [header, row] = body.split('\n').filter((l) => l.trim() !== '')
  const names = header.split(',').map((h) => h.trim().replace(/\s*\[[^\]]*\]$/, ''))
  const cells = row.split(',').map((c) => c.trim())
  if (cells.length !== names.length)
    throw new Error(`CSV row has ${cells.length} cells for ${names.length} fields`)
  return Object.fromEntries(names.map((n, i) => [n, cells[i]]))
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

/** The captures hold `-q` text, not `-q -x`: a minimal -q -x with the CSV's identity stands in for probing. */
export function minimalXml(v: Record<string, string>): string {
  return `<?xml version="1.0" ?>
<nvidia_smi_log><driver_version>${escapeXml(v.driver_version)}</driver_version><attached_gpus>1</attached_gpus>
<gpu id="${escapeXml(v['pci.bus_id'])}"><product_name>${escapeXml(v.name)}</product_name><uuid>${escapeXml(v.uuid)}</uuid>
<pci><pci_bus_id>${escapeXml(v['pci.bus_id'])}</pci_bus_id></pci></gpu></nvidia_smi_log>`
}
