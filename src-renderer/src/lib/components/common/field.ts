/**
 * Typed rows for FieldList.
 */
import type { Reading } from '$shared/reading'

/** One row: label, reading and an optional value formatter. */
export interface Field {
  label: string
  reading: Reading<unknown>
  // The formatter receives the reading's value; rows mix value types, so it is typed loosely here.
  format?: (v: never) => string
}

/** Builds a typed row. */
export function field<T>(label: string, reading: Reading<T>, format?: (v: T) => string): Field {
  return { label, reading, format: format as ((v: never) => string) | undefined }
}
