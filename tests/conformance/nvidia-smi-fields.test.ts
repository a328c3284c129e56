/**
 * Field negotiation against a real (older driver) `nvidia-smi --help-query-gpu` catalogue.
 */
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { negotiateFields, parseHelpQueryGpu } from '../../src-main/node/sources/nvidia-smi-csv'
import { describePeer, peer } from '../helpers/peer-fixtures'

describePeer('nvidia-smi --help-query-gpu negotiation (nvidia_gpu_exporter fields.txt)', () => {
  const catalogue = () =>
    parseHelpQueryGpu(
      readFileSync(
        peer('utkuozdemir__nvidia_gpu_exporter/internal/nvidiasmi/testdata/fields.txt'),
        'utf8'
      )
    )

  it('reads the whole catalogue, aliases included', () => {
    const c = catalogue()
    expect(c.known.size).toBeGreaterThan(100)
    expect(c.known.has('clocks.sm')).toBe(true)
    expect(c.known.has('gpu_bus_id')).toBe(true)
    expect(c.known.has('YYYY/MM/DD HH:MM:SS.msec')).toBe(false)
  })

  it('falls back to the legacy clocks_throttle_reasons spelling and asks only for known fields', () => {
    const c = catalogue()
    const f = negotiateFields(c)
    expect(f.reasonsSpelling).toBe('throttle')
    expect(f.query).toContain('clocks_throttle_reasons.active')
    expect(f.query.every((q) => c.known.has(q))).toBe(true)
    expect(f.query).toContain('pcie.link.gen.current')
    expect(f.query).toContain('clocks.sm')
    expect(f.missing).toEqual(
      expect.arrayContaining([
        'counterSwPowerCap',
        'powerDrawAverageW',
        'powerDrawInstantW',
        'temperatureTlimitC'
      ])
    )
    expect(f.missing).not.toContain('pcieGen')
  })
})
