/**
 * Tunables of the throttle detector. Every threshold is an argument; nothing reads the clock.
 */

/** Tunables of the detector. */
export interface ThrottleOptions {
  /** Length of the summary window (s). Default 3600. */
  windowSeconds: number
  /** Consecutive samples NVIDIA `hw_slowdown` must be active before it counts. Default 2. */
  hwSlowdownDebounceSamples: number
  /** GPU utilisation at or above which the GPU is busy (%). Default 50. */
  busyUtilizationPct: number
  /** Without a utilisation reading, SM clock ÷ max clock at or above which the GPU is busy. Default 0.5. */
  busyClockFraction: number
  /** Power draw ÷ enforced limit at or above which a power cap counts even when utilisation is low. Default 0.9. */
  powerNearLimitFraction: number
  /** CPU utilisation at or above which the CPU is busy, for its sustained clock (%). Default 50. */
  cpuBusyUtilizationPct: number
  /** AMD TEMP_HOTSPOT is kept only when the hotspot reading is at least this (°C). Default 90. */
  hotspotFilterCelsius: number
  /** Weight of a sample with no usable predecessor (first sample, after a gap) (ms). Default 1000. */
  nominalIntervalMs: number
  /** Spacing above which two samples are not contiguous; the gap is not attributed (ms). Default 10000. */
  maxGapMs: number
  /** Fixed capacity of each device's ring of per-sample records. Default: window at 4 Hz. */
  maxSamplesPerDevice: number
  /** Fixed maximum number of kept events (oldest closed ones are dropped first). Default 1000. */
  maxEvents: number
}

/** Default detector options. */
export const DEFAULT_THROTTLE_OPTIONS: Readonly<ThrottleOptions> = {
  windowSeconds: 3600,
  hwSlowdownDebounceSamples: 2,
  busyUtilizationPct: 50,
  busyClockFraction: 0.5,
  powerNearLimitFraction: 0.9,
  cpuBusyUtilizationPct: 50,
  hotspotFilterCelsius: 90,
  nominalIntervalMs: 1000,
  maxGapMs: 10_000,
  maxSamplesPerDevice: 3600 * 4,
  maxEvents: 1000
}

/** Fills defaults and clamps counts to sane minima. */
export function resolveOptions(partial: Partial<ThrottleOptions> | undefined): ThrottleOptions {
  const o: ThrottleOptions = { ...DEFAULT_THROTTLE_OPTIONS, ...(partial ?? {}) }
  if (partial?.maxSamplesPerDevice === undefined) {
    o.maxSamplesPerDevice = Math.max(16, Math.ceil(o.windowSeconds * 4))
  }
  o.hwSlowdownDebounceSamples = Math.max(1, Math.floor(o.hwSlowdownDebounceSamples))
  o.maxEvents = Math.max(1, Math.floor(o.maxEvents))
  o.maxSamplesPerDevice = Math.max(2, Math.floor(o.maxSamplesPerDevice))
  return o
}
