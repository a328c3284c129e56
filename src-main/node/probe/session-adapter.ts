/**
 * The probe's one link to the session recorder: everything the probe records goes through here, so moving
 * to a newer session format is a change in this file only.
 */
import { createSessionWriter } from '../recorder/session'
import type { Inventory, Snapshot } from '../../shared/telemetry'

/** Records the telemetry of one probe. */
export interface ProbeSessionRecorder {
  readonly path: string
  append(snapshot: Snapshot): void
  close(): Promise<void>
}

/** Opens a new session file for a probe (it must not exist). */
export async function openProbeSession(
  path: string,
  header: { startedAtMs: number; intervalMs: number; inventory: Inventory; argv: string[] }
): Promise<ProbeSessionRecorder> {
  const writer = await createSessionWriter(path, {
    startedAtMs: header.startedAtMs,
    intervalMs: header.intervalMs,
    inventory: header.inventory,
    command: header.argv,
    note: 'rigready probe: telemetry recorded under load'
  })
  let failed: unknown = null
  return {
    path,
    append(snapshot) {
      writer.append(snapshot).catch((e: unknown) => (failed ??= e))
    },
    async close() {
      await writer.close()
      if (failed !== null) throw failed instanceof Error ? failed : new Error(String(failed))
    }
  }
}
