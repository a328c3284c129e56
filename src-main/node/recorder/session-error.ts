/**
 * The error every session reader and writer throws for input it cannot use.
 */

/** A session file that cannot be used, with one line naming the file (and line or record) and the problem. */
export class SessionError extends Error {
  override name = 'SessionError'
}
