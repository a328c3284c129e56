/**
 * Alert rules over the snapshot stream: each rule reads a device's own limits (its slowdown temperature, the
 * drive's warning temperature, its memory size), keeps one hysteresis state per device, and emits raise and
 * clear transitions in plain words. Pure: snapshots and their times in, transitions out.
 *
 * Rules (defaults in `DEFAULT_ALERT_CONFIG`):
 * - `near-slowdown`: a GPU (or a CPU whose sensors report a maximum) within N °C of its own limit.
 * - `throttled`: one cause throttles a device more than X % of a sliding window (the throttle tracker's rules:
 *   idle and clock-setting flags never count, HW slowdown only when sustained, power caps only when busy).
 * - `nvme-hot`: a drive at or above its own warning temperature.
 * - `vram-full`, `ram-full`: memory nearly full. `swap-storm`: swap-in + swap-out above a rate.
 * - `disk-full`: the filesystem holding the data path nearly full.
 * - `gpu-gone`: a GPU of the inventory missing from the samples, or its tool failing.
 * - `command-failed`: the wrapped command exited non-zero (one transition, never cleared).
 */
import { createThrottleTracker, type ThrottleTracker } from '../throttle'
import type {
  AlertConfig,
  AlertRuleId,
  AlertSeverity,
  AlertTransition,
  AlertUnit
} from '../../shared/alerts'
import { valueOf, type Reading } from '../../shared/reading'
import { describeThrottleCause } from '../../shared/throttle-causes'
import type {
  FilesystemSample,
  GpuSample,
  Inventory,
  Snapshot,
  ThrottleCause
} from '../../shared/telemetry'
import { Hysteresis, type Condition } from './hysteresis'

export { Hysteresis, type Condition, type Step } from './hysteresis'

/** The alert engine. */
export interface AlertEngine {
  /** Evaluates every rule on one snapshot (in time order). */
  push(snapshot: Snapshot): AlertTransition[]
  /** The wrapped command ended with `exitStatus` (0 = success). */
  commandEnded(
    exitStatus: number,
    atMs: number,
    argv: readonly string[],
    durationMs: number
  ): AlertTransition[]
  /** Alerts raised and not cleared, newest first. */
  active(): AlertTransition[]
}

const GIB = 1024 ** 3
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const num = (r: Reading<number> | undefined): number | undefined => {
  const v = valueOf(r)
  return fin(v) ? v : undefined
}
const r0 = (x: number): string => String(Math.round(x))
const r1 = (x: number): string => x.toFixed(1)

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`
}

/** The filesystem whose mount point is the longest prefix of `path`. */
export function filesystemFor(
  path: string,
  filesystems: readonly FilesystemSample[]
): FilesystemSample | undefined {
  const norm = (p: string): string => p.replace(/\\/g, '/').replace(/\/+$/, '') || '/'
  const target = norm(path)
  let best: FilesystemSample | undefined
  let bestLen = -1
  for (const fs of filesystems) {
    const m = norm(fs.mount)
    const hit =
      m === '/' ||
      target === m ||
      target.startsWith(m + '/') ||
      (/^[A-Za-z]:$/.test(m) && target.toLowerCase().startsWith(m.toLowerCase()))
    if (hit && m.length > bestLen) {
      best = fs
      bestLen = m.length
    }
  }
  return best
}

/** Creates the engine for one inventory. */
export function createAlertEngine(config: AlertConfig, inventory: Inventory): AlertEngine {
  const states = new Map<string, Hysteresis>()
  const active = new Map<string, AlertTransition>()
  const tracker: ThrottleTracker | null = config.throttled.enabled
    ? createThrottleTracker({ windowSeconds: config.throttled.windowSeconds })
    : null

  const state = (key: string, timing: ConstructorParameters<typeof Hysteresis>[0]): Hysteresis => {
    let s = states.get(key)
    if (!s) states.set(key, (s = new Hysteresis(timing)))
    return s
  }

  interface Eval {
    rule: AlertRuleId
    device: string
    deviceLabel: string
    severity: AlertSeverity
    unit: AlertUnit
    cond: Condition
    value: number
    threshold: number
    raiseText: () => string
    clearText: () => string
  }

  const apply = (
    e: Eval,
    timing: ConstructorParameters<typeof Hysteresis>[0],
    tMs: number,
    out: AlertTransition[],
    sub = ''
  ): void => {
    const key = `${e.rule}|${e.device}|${sub}`
    const step = state(key, timing).step(e.cond, tMs)
    if (step === null) return
    const t: AlertTransition = {
      kind: step,
      rule: e.rule,
      severity: e.severity,
      device: e.device,
      deviceLabel: e.deviceLabel,
      value: e.value,
      threshold: e.threshold,
      unit: e.unit,
      atMs: tMs,
      message: step === 'raise' ? e.raiseText() : e.clearText()
    }
    if (step === 'raise') active.set(key, t)
    else active.delete(key)
    out.push(t)
  }

  const gpuInfo = (g: GpuSample) =>
    inventory.gpus.find((x) => x.id === g.id) ??
    inventory.gpus.find((x) => x.index === g.index && x.vendor === g.vendor)

  return {
    push(snap) {
      const out: AlertTransition[] = []
      const t = snap.timestampMs
      if (!fin(t)) return out
      const gpus = Array.isArray(snap.gpus) ? snap.gpus : []
      for (const g of gpus) {
        const key = `gpu${g.index}`
        const label = `GPU${g.index} ${g.name}`
        const info = gpuInfo(g)
        const temp = num(g.temperatureCelsius)
        // near-slowdown
        const c = config.nearSlowdown
        if (c.enabled) {
          const slow =
            num(info?.tempSlowdownCelsius) ??
            (temp !== undefined && num(g.temperatureHeadroomCelsius) !== undefined
              ? temp + (num(g.temperatureHeadroomCelsius) as number)
              : undefined)
          const known = temp !== undefined && slow !== undefined
          const headroom = known ? slow - temp : NaN
          apply(
            {
              rule: 'near-slowdown',
              device: key,
              deviceLabel: label,
              severity: 'warning',
              unit: 'celsius',
              cond: {
                firing: known ? headroom <= c.marginCelsius : null,
                clearing: headroom >= c.marginCelsius + c.hysteresisCelsius
              },
              value: temp ?? NaN,
              threshold: slow !== undefined ? slow - c.marginCelsius : NaN,
              raiseText: () =>
                `GPU${g.index} is ${r0(Math.max(0, headroom))} °C from its slowdown temperature (${r0(temp ?? NaN)} of ${r0(slow ?? NaN)} °C)`,
              clearText: () =>
                `GPU${g.index} back to ${r0(headroom)} °C below its slowdown temperature (${r0(temp ?? NaN)} °C)`
            },
            c,
            t,
            out
          )
        }
        // vram-full
        const v = config.vramFull
        const used = num(g.memoryUsedBytes)
        const total = num(g.memoryTotalBytes) ?? num(info?.memoryTotalBytes)
        if (v.enabled) {
          const known = used !== undefined && total !== undefined && total > 0
          const pct = known ? (used / total) * 100 : NaN
          apply(
            {
              rule: 'vram-full',
              device: key,
              deviceLabel: label,
              severity: 'warning',
              unit: 'pct',
              cond: { firing: known ? pct >= v.abovePct : null, clearing: pct < v.clearBelowPct },
              value: pct,
              threshold: v.abovePct,
              raiseText: () =>
                `GPU${g.index} memory ${r0(pct)}% full (${r1((used ?? 0) / GIB)} of ${r1((total ?? 0) / GIB)} GiB)`,
              clearText: () => `GPU${g.index} memory back to ${r0(pct)}% full`
            },
            v,
            t,
            out
          )
        }
      }
      // gpu-gone: every GPU the inventory knows must keep reporting.
      const gg = config.gpuGone
      if (gg.enabled) {
        for (const info of inventory.gpus) {
          const g =
            gpus.find((x) => x.id === info.id) ??
            gpus.find((x) => x.index === info.index && x.vendor === info.vendor)
          const collector = `gpu-${info.vendor}`
          const health = Array.isArray(snap.health)
            ? snap.health.find((h) => h.collector === collector)
            : undefined
          const toolDead =
            health !== undefined && (health.status === 'failed' || health.status === 'timeout')
          const asleep = g?.state === 'asleep'
          const reading = g
            ? g.utilizationPct.status === 'ok' || g.temperatureCelsius.status === 'ok'
            : false
          const firing = !asleep && (g === undefined || toolDead || !reading)
          const why =
            g === undefined
              ? 'missing from the samples'
              : toolDead
                ? `its tool ${health?.status === 'timeout' ? 'timed out' : 'failed'}${health?.lastError ? ` (${health.lastError})` : ''}`
                : 'no readings'
          apply(
            {
              rule: 'gpu-gone',
              device: `gpu${info.index}`,
              deviceLabel: `GPU${info.index} ${info.name}`,
              severity: 'critical',
              unit: 'none',
              cond: { firing, clearing: !firing },
              value: firing ? 1 : 0,
              threshold: 1,
              raiseText: () =>
                `GPU${info.index} gone: ${why} (fallen off the bus, driver crashed or tool dead)`,
              clearText: () => `GPU${info.index} reporting again`
            },
            gg,
            t,
            out
          )
        }
      }
      // throttled: per device and cause over the window.
      if (tracker) {
        tracker.push(snap, inventory)
        const th = config.throttled
        const minWindow = Math.min(60, th.windowSeconds)
        for (const s of tracker.summaries(t)) {
          const enough = s.windowSeconds >= minWindow
          const causes = new Set<ThrottleCause>([...(Object.keys(s.byCause) as ThrottleCause[])])
          for (const cause of causes) {
            if (cause === 'idle' || cause === 'config') continue
            const pct = (s.byCause[cause] ?? 0) * 100
            const device = reviewKey(s.device, inventory)
            const words = describeThrottleCause(cause)
            apply(
              {
                rule: 'throttled',
                device,
                deviceLabel: s.deviceLabel,
                severity: cause === 'thermal' || cause === 'psu' ? 'critical' : 'warning',
                unit: 'pct',
                cond: {
                  firing: enough ? pct > th.abovePct : null,
                  clearing: pct < th.clearBelowPct
                },
                value: pct,
                threshold: th.abovePct,
                raiseText: () =>
                  `${shortLabel(s.deviceLabel)} ${words} ${r0(pct)}% of the last ${formatDuration(s.windowSeconds * 1000)}`,
                clearText: () =>
                  `${shortLabel(s.deviceLabel)} ${words} down to ${r0(pct)}% of the last ${formatDuration(s.windowSeconds * 1000)}`
              },
              th,
              t,
              out,
              cause
            )
          }
          // Causes that vanished from the window still need their clear evaluated.
          for (const [k, a] of active) {
            if (a.rule !== 'throttled' || a.device !== reviewKey(s.device, inventory)) continue
            const cause = k.split('|')[2] as ThrottleCause
            if (causes.has(cause)) continue
            apply(
              {
                rule: 'throttled',
                device: a.device,
                deviceLabel: a.deviceLabel,
                severity: a.severity,
                unit: 'pct',
                cond: { firing: false, clearing: true },
                value: 0,
                threshold: th.abovePct,
                raiseText: () => a.message,
                clearText: () =>
                  `${shortLabel(a.deviceLabel)} ${describeThrottleCause(cause)} no longer seen in the last ${formatDuration(s.windowSeconds * 1000)}`
              },
              th,
              t,
              out,
              cause
            )
          }
        }
      }
      // CPU near its own maximum, when its sensors report one.
      const cpu = snap.cpu?.status === 'ok' ? snap.cpu.value : null
      if (cpu && config.nearSlowdown.enabled) {
        const temp = num(cpu.packageTemperatureCelsius)
        let max: number | undefined
        for (const s of valueOf(cpu.temperatures) ?? []) {
          const m = num(s.maxCelsius) ?? num(s.critCelsius)
          if (m !== undefined && (max === undefined || m < max)) max = m
        }
        if (max !== undefined) {
          const c = config.nearSlowdown
          const headroom = temp !== undefined ? max - temp : NaN
          apply(
            {
              rule: 'near-slowdown',
              device: 'cpu',
              deviceLabel: 'CPU',
              severity: 'warning',
              unit: 'celsius',
              cond: {
                firing: temp !== undefined ? headroom <= c.marginCelsius : null,
                clearing: headroom >= c.marginCelsius + c.hysteresisCelsius
              },
              value: temp ?? NaN,
              threshold: max - c.marginCelsius,
              raiseText: () =>
                `CPU is ${r0(Math.max(0, headroom))} °C from its maximum temperature (${r0(temp ?? NaN)} of ${r0(max as number)} °C)`,
              clearText: () => `CPU back to ${r0(headroom)} °C below its maximum temperature`
            },
            c,
            t,
            out
          )
        }
      }
      const mem = snap.memory?.status === 'ok' ? snap.memory.value : null
      if (mem) {
        const rf = config.ramFull
        const used = num(mem.usedBytes)
        const total = num(mem.totalBytes)
        if (rf.enabled) {
          const known = used !== undefined && total !== undefined && total > 0
          const pct = known ? (used / total) * 100 : NaN
          apply(
            {
              rule: 'ram-full',
              device: 'memory',
              deviceLabel: 'RAM',
              severity: 'warning',
              unit: 'pct',
              cond: { firing: known ? pct >= rf.abovePct : null, clearing: pct < rf.clearBelowPct },
              value: pct,
              threshold: rf.abovePct,
              raiseText: () =>
                `RAM ${r0(pct)}% full (${r1((used ?? 0) / GIB)} of ${r1((total ?? 0) / GIB)} GiB)`,
              clearText: () => `RAM back to ${r0(pct)}% full`
            },
            rf,
            t,
            out
          )
        }
        const ss = config.swapStorm
        const sin = num(mem.swapInBytesPerSec)
        const sout = num(mem.swapOutBytesPerSec)
        if (ss.enabled) {
          const known = sin !== undefined && sout !== undefined
          const rate = known ? sin + sout : NaN
          apply(
            {
              rule: 'swap-storm',
              device: 'memory',
              deviceLabel: 'Swap',
              severity: 'warning',
              unit: 'bytes-per-sec',
              cond: {
                firing: known ? rate >= ss.aboveBytesPerSec : null,
                clearing: rate <= ss.clearBelowBytesPerSec
              },
              value: rate,
              threshold: ss.aboveBytesPerSec,
              raiseText: () =>
                `swapping ${r0(rate / 1e6)} MB/s (in ${r0((sin ?? 0) / 1e6)}, out ${r0((sout ?? 0) / 1e6)} MB/s)`,
              clearText: () => `swapping down to ${r1(rate / 1e6)} MB/s`
            },
            ss,
            t,
            out
          )
        }
      }
      const storage = snap.storage?.status === 'ok' ? snap.storage.value : null
      if (storage) {
        const nh = config.nvmeHot
        if (nh.enabled)
          for (const d of storage.devices ?? []) {
            const temp = num(d.temperatureCelsius)
            const warn = num(d.tempMaxCelsius)
            if (warn === undefined) continue
            const limit = warn + nh.offsetCelsius
            apply(
              {
                rule: 'nvme-hot',
                device: d.name,
                deviceLabel: d.name,
                severity: 'warning',
                unit: 'celsius',
                cond: {
                  firing: temp !== undefined ? temp >= limit : null,
                  clearing: temp !== undefined && temp <= limit - nh.hysteresisCelsius
                },
                value: temp ?? NaN,
                threshold: limit,
                raiseText: () =>
                  `${d.name} at ${r0(temp ?? NaN)} °C, at or above its warning temperature (${r0(warn)} °C)`,
                clearText: () =>
                  `${d.name} back to ${r0(temp ?? NaN)} °C (warning at ${r0(warn)} °C)`
              },
              nh,
              t,
              out
            )
          }
        const df = config.diskFull
        if (df.enabled && df.dataPath) {
          const fs = filesystemFor(df.dataPath, storage.filesystems ?? [])
          if (fs) {
            const free = num(fs.freeBytes)
            const size = num(fs.sizeBytes)
            const known = free !== undefined && size !== undefined && size > 0
            const pct = known ? (free / size) * 100 : NaN
            apply(
              {
                rule: 'disk-full',
                device: `fs:${fs.mount}`,
                deviceLabel: fs.mount,
                severity: 'critical',
                unit: 'pct',
                cond: {
                  firing: known
                    ? pct < df.freeBelowPct || (free as number) < df.freeBelowBytes
                    : null,
                  clearing:
                    known && pct >= df.clearAbovePct && (free as number) >= df.freeBelowBytes
                },
                value: pct,
                threshold: df.freeBelowPct,
                raiseText: () =>
                  `${fs.mount} nearly full: ${r1(pct)}% free (${r1((free ?? 0) / GIB)} GiB) where ${df.dataPath} is written`,
                clearText: () => `${fs.mount} has room again: ${r1(pct)}% free`
              },
              df,
              t,
              out
            )
          }
        }
      }
      return out
    },
    commandEnded(exitStatus, atMs, argv, durationMs) {
      if (!config.commandFailed.enabled || exitStatus === 0) return []
      const t: AlertTransition = {
        kind: 'raise',
        rule: 'command-failed',
        severity: 'critical',
        device: 'command',
        deviceLabel: argv.join(' ').slice(0, 200),
        value: exitStatus,
        threshold: 0,
        unit: 'exit-code',
        atMs,
        message: `command exited ${exitStatus} after ${formatDuration(durationMs)}: ${argv.join(' ').slice(0, 200)}`
      }
      active.set('command-failed|command|', t)
      return [t]
    },
    active() {
      return [...active.values()].sort((a, b) => b.atMs - a.atMs)
    }
  }
}

function shortLabel(label: string): string {
  const m = /^(GPU\d+)\b/.exec(label)
  return m ? m[1] : label
}

function reviewKey(device: string, inv: Inventory): string {
  const g = inv.gpus.find((x) => x.id === device)
  if (g) return `gpu${g.index}`
  if (device.startsWith('storage:')) return device.slice('storage:'.length)
  return device
}
