import { describe, expect, it } from 'vitest'
import { parseAppArgs } from '../../../src-main/electron-main/app-options'

describe('app-options', () => {
  it('reads replay and fixture roots in both flag forms', () => {
    expect(
      parseAppArgs([
        '/usr/bin/rigready',
        '--replay',
        'run.ndjson',
        '--sysfs-root=fx/sys',
        '--procfs-root',
        'fx/proc',
        '--interval-ms=500'
      ])
    ).toEqual({
      options: {
        replayFile: 'run.ndjson',
        sysRoot: 'fx/sys',
        procRoot: 'fx/proc',
        intervalMs: 500
      },
      errors: []
    })
  })

  it('ignores Chromium switches and unknown arguments', () => {
    expect(parseAppArgs(['app', '--no-sandbox', '--enable-features=X', '.'])).toEqual({
      options: {},
      errors: []
    })
  })

  it('reports missing and out-of-range values instead of throwing', () => {
    expect(parseAppArgs(['app', '--replay']).errors).toEqual(['--replay needs a value'])
    expect(parseAppArgs(['app', '--replay', '--sysfs-root=x']).errors).toEqual([
      '--replay needs a value'
    ])
    expect(parseAppArgs(['app', '--interval-ms=5']).errors).toEqual([
      '--interval-ms must be an integer from 100 to 60000'
    ])
    expect(parseAppArgs(['app', '--interval-ms=abc']).options).toEqual({})
  })
})
