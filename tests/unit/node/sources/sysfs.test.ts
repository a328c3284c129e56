import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import {
  intFromFile,
  parseDecimal,
  parseSysfsInt,
  readInt,
  readText,
  textFromFile
} from '../../../../src-main/node/sources/sysfs'
import { parseLinkSpeedGen, parseLinkWidth } from '../../../../src-main/node/sources/pci'
import { parseMillidegrees } from '../../../../src-main/node/sources/hwmon'

describe('sources/sysfs: one meaning per file state', () => {
  let dir: string
  let fs: FileReader
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rigready-sysfs-'))
    await writeFile(join(dir, 'number'), '42\n')
    await writeFile(join(dir, 'empty'), '')
    await writeFile(join(dir, 'blank'), ' \n')
    await writeFile(join(dir, 'garbage'), '<unsupported>\n')
    fs = createFileReader({ sysRoot: dir, procRoot: dir })
  })
  afterAll(async () => {
    await fs.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('reads a value', async () => {
    expect(await readInt(fs, '/sys/number')).toEqual({ status: 'ok', value: 42 })
    expect(await readText(fs, '/sys/number')).toEqual({ status: 'ok', value: '42' })
  })

  it('says unsupported for a missing file, naming it', async () => {
    expect(await readInt(fs, '/sys/missing')).toEqual({
      status: 'unavailable',
      reason: 'unsupported',
      detail: 'missing: not present'
    })
  })

  it('says unsupported for an empty file, the same for numbers and text, never parse-error or a value', async () => {
    for (const f of ['empty', 'blank']) {
      const want = { status: 'unavailable', reason: 'unsupported', detail: `${f} is empty` }
      expect(await readInt(fs, `/sys/${f}`)).toEqual(want)
      expect(await readText(fs, `/sys/${f}`)).toEqual(want)
    }
    expect(parseDecimal('', 'scaling_cur_freq')).toMatchObject({ reason: 'unsupported' })
    expect(parseMillidegrees('\n', 'temp1_input')).toEqual({
      status: 'unavailable',
      reason: 'unsupported',
      detail: 'temp1_input is empty'
    })
    expect(parseLinkSpeedGen('').status === 'unavailable' && parseLinkSpeedGen('')).toMatchObject({
      reason: 'unsupported'
    })
    expect(parseLinkWidth(' ')).toMatchObject({ reason: 'unsupported' })
  })

  it('says parse-error only for text that is there and malformed', async () => {
    expect(await readInt(fs, '/sys/garbage')).toMatchObject({
      status: 'unavailable',
      reason: 'parse-error'
    })
    expect(parseSysfsInt('12a')).toMatchObject({ reason: 'parse-error' })
    expect(parseSysfsInt('99999999999999999999')).toMatchObject({ reason: 'parse-error' })
  })

  it('maps permission and busy errors to their own reasons', () => {
    expect(
      intFromFile({ ok: false, code: 'permission-denied', message: 'EACCES' }, 'energy_uj')
    ).toEqual({
      status: 'unavailable',
      reason: 'permission-denied',
      detail: 'energy_uj: permission denied'
    })
    expect(textFromFile({ ok: false, code: 'busy', message: 'EBUSY' }, 'gpu_busy_percent')).toEqual(
      {
        status: 'unavailable',
        reason: 'failed',
        detail: 'gpu_busy_percent: device busy'
      }
    )
  })
})
