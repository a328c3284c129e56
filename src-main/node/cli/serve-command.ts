/**
 * `rigready serve`: the headless agent — the Svelte UI for a browser, the JSON + SSE API and `/metrics`.
 * Binds 127.0.0.1 by default; any other address requires `--token`.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ALERT_FLAGS, alertFlagsFrom } from '../alerts/monitor'
import { createEngineService } from '../engine-service'
import { createHttpServer } from '../server/http-server'
import {
  ENGINE_FLAGS,
  EXIT,
  UsageError,
  engineOptionsFrom,
  positiveNumber,
  type CliIo
} from './common'
import { VERSION } from './version'

/** Where the built renderer lives relative to the built CLI (`out/main/cli.js` → `out/renderer`). */
export function defaultStaticDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../renderer')
}

/** Runs the agent until interrupted. */
export async function cmdServe(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...ENGINE_FLAGS,
      ...ALERT_FLAGS,
      'sessions-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      loop: { type: 'boolean' },
      'profiles-file': { type: 'string' },
      'static-dir': { type: 'string' }
    },
    strict: true
  })
  const host = values.host ?? '127.0.0.1'
  const port = values.port === undefined ? 7878 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0–65535 (got "${values.port}")`)
  const token = values.token ?? io.env.RIGREADY_TOKEN
  const userProfilesText = values['profiles-file']
    ? await readFile(values['profiles-file'], 'utf8')
    : undefined
  const alertFlags = await alertFlagsFrom(values)
  if (typeof alertFlags === 'string') throw new UsageError(alertFlags)
  const service = await createEngineService({
    ...engineOptionsFrom(values, io),
    alerts: alertFlags.enabled ? alertFlags.config : false,
    alertWebhook: alertFlags.webhookUrl,
    sessionsDir: values['sessions-dir'],
    loop: values.loop,
    userProfilesText,
    face: 'serve',
    version: VERSION
  })
  let server
  try {
    server = await createHttpServer({
      service,
      staticDir: values['static-dir'] ?? defaultStaticDir(),
      host,
      port,
      token
    })
  } catch (err) {
    await service.close()
    throw new UsageError((err as Error).message)
  }
  io.stdout.write(`RigReady serving on ${server.url}\n`)
  if (values.speed) positiveNumber('speed', values.speed, 1)
  await new Promise<void>((r) => io.onInterrupt(() => r()))
  await server.close()
  await service.close()
  return EXIT.ok
}
