/**
 * Typed rows for FieldList.
 */
import type { Reading } from '$shared/reading'
import type { Field } from './FieldList.svelte'

export type { Field }

/** Builds a typed row. */
export function field<T>(label: string, reading: Reading<T>, format?: (v: T) => string): Field {
  return { label, reading, format: format as ((v: never) => string) | undefined }
}
