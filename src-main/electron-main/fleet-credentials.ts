/**
 * The desktop app's fleet configuration on disk (`<userData>/fleet.json`), with the Prometheus password or
 * token encrypted by Electron `safeStorage` (the OS keychain: Keychain, DPAPI, libsecret/kwallet).
 *
 * When the OS offers no real encryption (no keyring, or Chromium's `basic_text` fallback on Linux), the
 * secret is not written at all: the URL and user name are kept, the secret lives in memory for this run,
 * and the UI says so (`storage: 'memory'`). The file goes through the same validator as an IPC call, so a
 * hand-edited file can only yield a valid configuration or none.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { FleetConfig, FleetConfigView } from '../shared/fleet'
import { validateInvokeArgs } from '../shared/ipc-validate'

/** The part of Electron's `safeStorage` this module uses (faked in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
  /** Linux only: `basic_text` means a hard-coded key, i.e. no real protection. */
  getSelectedStorageBackend?(): string
}

interface FleetFile {
  version: 1
  prometheusUrl: string | null
  authKind: 'none' | 'basic' | 'bearer'
  username?: string
  /** base64 of the safeStorage-encrypted password or token. */
  secret?: string
}

/** True when `safe` protects secrets with an OS key (not Chromium's plain-text fallback). */
export function canEncrypt(safe: SafeStorageLike): boolean {
  if (!safe.isEncryptionAvailable()) return false
  const backend = safe.getSelectedStorageBackend?.()
  return backend === undefined || backend !== 'basic_text'
}

/** Writes the configuration (atomically); returns where its secret is kept. */
export async function saveFleetConfig(
  file: string,
  config: FleetConfig,
  safe: SafeStorageLike
): Promise<FleetConfigView['storage']> {
  const auth = config.auth
  const secret = auth.kind === 'basic' ? auth.password : auth.kind === 'bearer' ? auth.token : null
  const encrypt = secret !== null && canEncrypt(safe)
  const data: FleetFile = {
    version: 1,
    prometheusUrl: config.prometheusUrl,
    authKind: auth.kind,
    ...(auth.kind === 'basic' ? { username: auth.username } : {}),
    ...(encrypt ? { secret: safe.encryptString(secret).toString('base64') } : {})
  }
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(data, null, 2) + '\n', { encoding: 'utf8', mode: 0o600 })
  await rename(tmp, file)
  return secret === null ? 'none' : encrypt ? 'encrypted' : 'memory'
}

/** Reads the saved configuration; null when missing, unreadable, invalid or its secret cannot be decrypted. */
export async function loadFleetConfig(
  file: string,
  safe: SafeStorageLike
): Promise<FleetConfig | null> {
  let data: Partial<FleetFile>
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Partial<FleetFile>
  } catch {
    return null
  }
  if (typeof data !== 'object' || data === null || data.version !== 1) return null
  let secret: string | null = null
  if (typeof data.secret === 'string' && canEncrypt(safe)) {
    try {
      secret = safe.decryptString(Buffer.from(data.secret, 'base64'))
    } catch {
      secret = null
    }
  }
  const auth =
    data.authKind === 'basic' && secret !== null
      ? { kind: 'basic', username: data.username ?? '', password: secret }
      : data.authKind === 'bearer' && secret !== null
        ? { kind: 'bearer', token: secret }
        : { kind: 'none' }
  try {
    const [config] = validateInvokeArgs('fleet:set-config', [
      { prometheusUrl: data.prometheusUrl ?? null, auth }
    ])
    return config
  } catch {
    return null
  }
}
