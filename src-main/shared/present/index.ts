/**
 * The presentation layer shared by the UI, the CLI and reports: units, severity and cause colours, device
 * limits and states, readiness in plain words, and the Live view's series.
 */
export * from './units'
export * from './palette'
export * from './causes'
export * from './devices'
export * from './readiness-text'
export * from './series'
export * from './reading-text'
