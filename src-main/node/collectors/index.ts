/**
 * The explicit collector list and platform selection (no self-registration).
 *
 * Linux gets the procfs/sysfs collectors plus every GPU vendor; Windows and macOS get the systeminformation
 * fallback plus nvidia-smi (Windows). A vendor that finds nothing is "absent", not an error. Adding a GPU
 * vendor is one collector file, one fixture folder and one line here.
 */
import type { CollectorId } from '../../shared/telemetry'
import { createCpuCollector } from './cpu'
import { createGpuAmdCollector } from './gpu-amd'
import { createGpuIntelCollector } from './gpu-intel'
import { createGpuNvidiaCollector } from './gpu-nvidia'
import { createMemoryCollector } from './memory'
import { createPowerCollector } from './power'
import { createSiFallbackCollector } from './si-fallback'
import { createStorageCollector } from './storage'
import { createThermalCollector } from './thermal'
import type { CollectorFactory } from './types'

/** Collectors for Linux, in order. */
export const LINUX_COLLECTORS: readonly CollectorFactory[] = [
  createCpuCollector,
  createMemoryCollector,
  createThermalCollector,
  createPowerCollector,
  createStorageCollector,
  createGpuNvidiaCollector,
  createGpuAmdCollector,
  createGpuIntelCollector
]

/** Collectors for Windows. */
export const WINDOWS_COLLECTORS: readonly CollectorFactory[] = [
  createSiFallbackCollector,
  createGpuNvidiaCollector
]

/** Collectors for macOS. */
export const MAC_COLLECTORS: readonly CollectorFactory[] = [createSiFallbackCollector]

/** The collector factories for a platform. */
export function collectorsFor(platform: NodeJS.Platform): readonly CollectorFactory[] {
  if (platform === 'linux') return LINUX_COLLECTORS
  if (platform === 'win32') return WINDOWS_COLLECTORS
  if (platform === 'darwin') return MAC_COLLECTORS
  return [createSiFallbackCollector]
}

/** Ids of every collector that exists (for schemas and health tables). */
export const ALL_COLLECTOR_IDS: readonly CollectorId[] = [
  'cpu',
  'memory',
  'thermal',
  'power',
  'storage',
  'gpu-nvidia',
  'gpu-amd',
  'gpu-intel',
  'si-fallback'
]
