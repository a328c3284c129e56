/**
 * Locates `../shared/peer-fixtures` (real telemetry from other projects' test suites, kept beside the clone).
 *
 * Conformance suites use `describePeer`, which skips with a clear message when the folder is absent and is
 * required in CI (CI=true makes absence a failure, so a CI run cannot silently skip conformance).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, it } from 'vitest'

/** Absolute path of the peer-fixtures folder (may not exist). */
export const PEER_ROOT = resolve(__dirname, '../../../shared/peer-fixtures')

/** True when the peer fixtures are present. */
export const HAVE_PEER = existsSync(PEER_ROOT)

/** Path inside the peer fixtures. */
export function peer(...parts: string[]): string {
  return resolve(PEER_ROOT, ...parts)
}

/** A describe block that runs only with peer fixtures; in CI their absence fails loudly. */
export function describePeer(name: string, fn: () => void): void {
  if (HAVE_PEER) {
    describe(name, fn)
  } else if (process.env.CI) {
    describe(name, () => {
      it('requires ../shared/peer-fixtures in CI', () => {
        throw new Error(
          `peer fixtures not found at ${PEER_ROOT}; CI must provide them beside the clone`
        )
      })
    })
  } else {
    // The body is not run: suites read peer files while collecting their tests.
    describe(name, () => {
      it.skip(`skipped: ../shared/peer-fixtures not found beside the clone (${PEER_ROOT})`, () => {})
    })
  }
}
