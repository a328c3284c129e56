import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diskRates, parseDiskstats, parseMounts } from '../../../../src-main/node/sources/block'

describe('sources/block', () => {
  it('parses 14-, 18- and 20-field diskstats lines and skips short or garbage lines', () => {
    const m = parseDiskstats(
      [
        '   8       0 sda 1 2 100 4 5 6 200 8 0 10 11',
        ' 259 0 nvme0n1 1 2 300 4 5 6 400 8 0 20 11 0 0 0 0',
        ' 259 1 nvme1n1 1 2 500 4 5 6 600 8 0 30 11 0 0 0 0 1 2',
        '   8 1 sda1 10 20 30 40',
        'garbage'
      ].join('\n')
    )
    expect([...m.keys()]).toEqual(['sda', 'nvme0n1', 'nvme1n1'])
    expect(m.get('nvme1n1')).toEqual({
      name: 'nvme1n1',
      sectorsRead: 500,
      sectorsWritten: 600,
      ioTimeMs: 30
    })
  })

  it('turns counter deltas into bytes per second and busy %, refusing backwards counters', () => {
    const a = { name: 'x', sectorsRead: 0, sectorsWritten: 0, ioTimeMs: 0 }
    const b = { name: 'x', sectorsRead: 2048, sectorsWritten: 1024, ioTimeMs: 500 }
    expect(diskRates(a, b, 1000)).toEqual({
      readBytesPerSec: { status: 'ok', value: 1048576 },
      writeBytesPerSec: { status: 'ok', value: 524288 },
      busyPct: { status: 'ok', value: 50 }
    })
    expect(diskRates(b, a, 1000).readBytesPerSec.status).toBe('unavailable')
  })

  it('keeps data filesystems and /dev/shm, decodes \\040, drops pseudo filesystems and squashfs', () => {
    const m = parseMounts(
      '/dev/nvme0n1p2 / ext4 rw 0 0\nproc /proc proc rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\ntmpfs /run tmpfs rw 0 0\n/dev/sdb1 /mnt/big\\040data xfs rw 0 0\n/dev/loop0 /snap/x squashfs ro 0 0\ntank/ds /tank/ds zfs rw 0 0\n'
    )
    expect(m.map((e) => e.mount)).toEqual(['/', '/dev/shm', '/mnt/big data', '/tank/ds'])
  })

  it('never throws on random diskstats or mounts text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        parseDiskstats(s)
        parseMounts(s)
      })
    )
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(), fc.constant(-1), fc.string({ maxLength: 4 })), {
          maxLength: 22
        }),
        (fields) => {
          parseDiskstats(` 8 0 sda ${fields.join(' ')}`)
        }
      )
    )
  })
})
