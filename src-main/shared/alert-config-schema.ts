/**
 * The schema of a user alert configuration file (`--alert-config FILE`), and its parser. Kept out of
 * `alerts.ts` so the UI does not bundle zod.
 */
import { z } from 'zod'
import { resolveAlertConfig, type AlertConfig } from './alerts'

const seconds = z.number().min(0).max(86_400)
const timing = {
  enabled: z.boolean(),
  forSeconds: seconds,
  clearSeconds: seconds,
  cooldownSeconds: seconds
}
const pct = z.number().min(0).max(100)
const celsius = z.number().min(-50).max(200)

/** Schema of a user alert configuration file (every field optional; unknown fields are rejected). */
export const alertConfigSchema = z
  .strictObject({
    nearSlowdown: z
      .strictObject({ ...timing, marginCelsius: celsius, hysteresisCelsius: celsius })
      .partial(),
    throttled: z
      .strictObject({
        ...timing,
        abovePct: pct,
        clearBelowPct: pct,
        windowSeconds: z.number().min(10).max(86_400)
      })
      .partial(),
    nvmeHot: z
      .strictObject({ ...timing, offsetCelsius: celsius, hysteresisCelsius: celsius })
      .partial(),
    vramFull: z.strictObject({ ...timing, abovePct: pct, clearBelowPct: pct }).partial(),
    ramFull: z.strictObject({ ...timing, abovePct: pct, clearBelowPct: pct }).partial(),
    swapStorm: z
      .strictObject({
        ...timing,
        aboveBytesPerSec: z.number().min(0),
        clearBelowBytesPerSec: z.number().min(0)
      })
      .partial(),
    diskFull: z
      .strictObject({
        ...timing,
        freeBelowPct: pct,
        freeBelowBytes: z.number().min(0),
        clearAbovePct: pct,
        dataPath: z.string().max(4096).nullable()
      })
      .partial(),
    gpuGone: z.strictObject(timing).partial(),
    commandFailed: z.strictObject({ enabled: z.boolean() }).partial()
  })
  .partial()

/**
 * Parses alert configuration JSON text; returns the config or one line naming the bad field.
 *
 * `name` is used in messages (the file path).
 */
export function parseAlertConfig(
  text: string,
  name: string
): { ok: true; config: AlertConfig } | { ok: false; error: string } {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    return { ok: false, error: `${name}: not JSON (${e instanceof Error ? e.message : String(e)})` }
  }
  const r = alertConfigSchema.safeParse(raw)
  if (!r.success) {
    const issue = r.error.issues[0]
    const where = issue && issue.path.length ? issue.path.map(String).join('.') : 'config'
    return { ok: false, error: `${name}: ${where}: ${issue?.message ?? 'invalid'}` }
  }
  return { ok: true, config: resolveAlertConfig(r.data) }
}
