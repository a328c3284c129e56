/**
 * Context keys for the state classes (one Symbol per class, as in shadcn-svelte's context pairs).
 */
export const SETTINGS_KEY = Symbol('rigready.settings')
export const PREFERENCES_KEY = Symbol('rigready.preferences')
export const TELEMETRY_KEY = Symbol('rigready.telemetry')
export const READINESS_KEY = Symbol('rigready.readiness')
export const BRIDGE_KEY = Symbol('rigready.bridge')
