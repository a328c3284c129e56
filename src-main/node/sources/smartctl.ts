/**
 * Pure parser for `smartctl -j -a /dev/<dev>` (smartmontools JSON output, 7.x) and its exit status.
 *
 * smartctl's exit status is a bitmask: bit 0 command line error, bit 1 device open failed (missing device,
 * permission denied, standby), bit 2 a SMART command failed, bits 3-7 are findings about the disk (failing,
 * attributes at threshold, error log entries) — with bits 3+ the JSON is complete and must still be read.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { SmartHealth } from '../../shared/telemetry'
import type { CommandResult } from '../platform/command-runner'

/** Decoded smartctl exit status bits. */
export interface SmartctlExit {
  commandLineError: boolean
  openFailed: boolean
  commandFailed: boolean
  diskFailing: boolean
  prefailAtThreshold: boolean
  pastAtThreshold: boolean
  errorLogHasErrors: boolean
  selfTestLogHasErrors: boolean
}

/** Splits smartctl's exit code into its bits. */
export function decodeSmartctlExit(code: number): SmartctlExit {
  const b = (n: number): boolean => (code & (1 << n)) !== 0
  return {
    commandLineError: b(0),
    openFailed: b(1),
    commandFailed: b(2),
    diskFailing: b(3),
    prefailAtThreshold: b(4),
    pastAtThreshold: b(5),
    errorLogHasErrors: b(6),
    selfTestLogHasErrors: b(7)
  }
}

type Json = Record<string, unknown>

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined

function numReading(v: unknown, what: string): Reading<number> {
  const n = num(v)
  return n === undefined ? unavailable('unsupported', `${what} not reported`) : ok(n)
}

/** smartctl's `messages[].string`, joined. */
function messagesOf(j: Json): string {
  const s = isObj(j.smartctl) ? j.smartctl : undefined
  const msgs = s && Array.isArray(s.messages) ? s.messages : []
  return msgs
    .map((m) => (isObj(m) && typeof m.string === 'string' ? m.string : ''))
    .filter((m) => m !== '')
    .join('; ')
}

/** Raw value of an ATA attribute by id, from `ata_smart_attributes.table`. */
function ataRaw(j: Json, id: number): Reading<number> {
  const attrs = isObj(j.ata_smart_attributes) ? j.ata_smart_attributes : undefined
  if (!attrs || !Array.isArray(attrs.table))
    return unavailable('unsupported', 'no ATA attribute table')
  const row = attrs.table.find((r) => isObj(r) && r.id === id)
  if (!isObj(row)) return unavailable('unsupported', `ATA attribute ${id} not present`)
  const raw = isObj(row.raw) ? num(row.raw.value) : undefined
  return raw === undefined
    ? unavailable('parse-error', `ATA attribute ${id} has no raw value`)
    : ok(raw)
}

/** Sum of the NVMe thermal-management fields that are present (smartctl 7.3+ names), or unavailable. */
function sumPresent(log: Json, keys: string[], what: string): Reading<number> {
  const vals = keys.map((k) => num(log[k])).filter((n): n is number => n !== undefined)
  return vals.length === 0
    ? unavailable('unsupported', `${what} not reported`)
    : ok(vals.reduce((a, b) => a + b, 0))
}

/**
 * Parses smartctl JSON into SmartHealth. Never throws: garbage gives parse-error, a JSON with no device
 * data gives failed with smartctl's own messages.
 */
export function parseSmartctlJson(text: string, collectedAtMs: number): Reading<SmartHealth> {
  let j: unknown
  try {
    j = JSON.parse(text)
  } catch {
    return unavailable('parse-error', text.trim() === '' ? 'empty output' : 'not JSON')
  }
  if (!isObj(j)) return unavailable('parse-error', 'JSON is not an object')
  const hasData =
    isObj(j.smart_status) ||
    isObj(j.nvme_smart_health_information_log) ||
    isObj(j.ata_smart_attributes) ||
    isObj(j.temperature)
  if (!hasData) {
    const msg = messagesOf(j)
    if (/permission denied/i.test(msg)) return unavailable('permission-denied', msg)
    return unavailable('failed', msg || 'no SMART data in output')
  }
  const nvme = isObj(j.nvme_smart_health_information_log)
    ? j.nvme_smart_health_information_log
    : undefined
  const noNvme = unavailable('unsupported', 'not an NVMe device')
  const status = isObj(j.smart_status) ? j.smart_status : undefined
  const temp = isObj(j.temperature) ? num(j.temperature.current) : undefined
  const poh = isObj(j.power_on_time) ? num(j.power_on_time.hours) : undefined
  const nvmeTemp = nvme ? num(nvme.temperature) : undefined
  const isAta = isObj(j.ata_smart_attributes)
  const noAta = unavailable('unsupported', 'not an ATA device')
  return ok({
    collectedAtMs,
    passed:
      status && typeof status.passed === 'boolean'
        ? ok(status.passed)
        : unavailable('unsupported', 'SMART overall status not reported'),
    temperatureCelsius:
      temp !== undefined
        ? ok(temp)
        : nvmeTemp !== undefined
          ? ok(nvmeTemp)
          : unavailable('unsupported', 'temperature not reported'),
    powerOnHours:
      poh !== undefined
        ? ok(poh)
        : nvme
          ? numReading(nvme.power_on_hours, 'power_on_hours')
          : unavailable('unsupported', 'power-on time not reported'),
    criticalWarning: nvme ? numReading(nvme.critical_warning, 'critical_warning') : noNvme,
    percentageUsed: nvme ? numReading(nvme.percentage_used, 'percentage_used') : noNvme,
    availableSparePct: nvme ? numReading(nvme.available_spare, 'available_spare') : noNvme,
    availableSpareThresholdPct: nvme
      ? numReading(nvme.available_spare_threshold, 'available_spare_threshold')
      : noNvme,
    mediaErrors: nvme ? numReading(nvme.media_errors, 'media_errors') : noNvme,
    warningTempTimeMinutes: nvme ? numReading(nvme.warning_temp_time, 'warning_temp_time') : noNvme,
    criticalCompTimeMinutes: nvme
      ? numReading(nvme.critical_comp_time, 'critical_comp_time')
      : noNvme,
    thermalTransitionCount: nvme
      ? sumPresent(
          nvme,
          ['thermal_temp1_transition_count', 'thermal_temp2_transition_count'],
          'thermal management transitions'
        )
      : noNvme,
    thermalTotalTimeSeconds: nvme
      ? sumPresent(
          nvme,
          ['thermal_temp1_total_time', 'thermal_temp2_total_time'],
          'thermal management time'
        )
      : noNvme,
    reallocatedSectors: isAta ? ataRaw(j, 5) : noAta,
    pendingSectors: isAta ? ataRaw(j, 197) : noAta
  })
}

/**
 * Interprets one smartctl run: the runner outcome, the exit bitmask and the JSON.
 *
 * Missing tool → tool-missing; open failure with "Permission denied" (stderr or JSON messages) →
 * permission-denied; bits 0/1 otherwise → failed (or no-device); bits 2+ → parse the JSON that smartctl
 * still printed.
 */
export function interpretSmartctlResult(
  result: CommandResult,
  collectedAtMs: number
): Reading<SmartHealth> {
  switch (result.kind) {
    case 'ok':
      return parseSmartctlJson(result.stdout, collectedAtMs)
    case 'not-found':
      return unavailable(
        'tool-missing',
        result.notRun ?? 'smartctl not found (install smartmontools)'
      )
    case 'permission-denied':
      return unavailable('permission-denied', result.message)
    case 'timeout':
      return unavailable('timeout', `smartctl did not answer within ${result.timeoutMs} ms`)
    case 'aborted':
      return unavailable('failed', 'aborted')
    case 'exit': {
      if (result.code === null)
        return unavailable(
          'failed',
          result.stderr.trim() || `killed by ${result.signal ?? 'signal'}`
        )
      const bits = decodeSmartctlExit(result.code)
      let messages = ''
      try {
        const j: unknown = JSON.parse(result.stdout)
        if (isObj(j)) messages = messagesOf(j)
      } catch {
        // stdout is not JSON; stderr carries the reason
      }
      const why = [messages, result.stderr.trim()].filter((s) => s !== '').join('; ')
      if (bits.openFailed && /permission denied|operation not permitted/i.test(why)) {
        return unavailable('permission-denied', why || 'smartctl: permission denied (run as root)')
      }
      if (bits.commandLineError) return unavailable('failed', why || 'smartctl: command line error')
      if (bits.openFailed) {
        return /no such (file|device)/i.test(why)
          ? unavailable('no-device', why)
          : unavailable('failed', why || 'smartctl: device open failed')
      }
      // Bits 2-7: the JSON is there (complete for 3+, partial for 2).
      return parseSmartctlJson(result.stdout, collectedAtMs)
    }
  }
}
