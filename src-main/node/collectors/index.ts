/**
 * The collector registry: one line per collector module, in probe order (no self-registration).
 *
 * Each collector file exports one `CollectorModule` that declares its id, the platforms it runs on, what is
 * absent when it finds nothing and, for GPU collectors, the vendor and compute backend of its GPUs.
 * Everything else derives from this list: the ids (`RegisteredCollectorId`), platform selection, the absent
 * class in the Inventory and the `backend` of every GPU. Adding a GPU vendor is one collector module, one
 * source file under `../sources/`, one fixture folder and one line here.
 */
import { cpuCollector } from './cpu'
import { gpuAmdCollector } from './gpu-amd'
import { gpuIntelCollector } from './gpu-intel'
import { gpuNvidiaCollector } from './gpu-nvidia'
import { memoryCollector } from './memory'
import { powerCollector } from './power'
import { siFallbackCollector } from './si-fallback'
import { storageCollector } from './storage'
import { thermalCollector } from './thermal'
import type { CollectorFactory, CollectorModule } from './types'

/** Every collector module, in the order collectors are probed and sampled. */
export const COLLECTOR_REGISTRY = [
  cpuCollector,
  memoryCollector,
  thermalCollector,
  powerCollector,
  storageCollector,
  siFallbackCollector,
  gpuNvidiaCollector,
  gpuAmdCollector,
  gpuIntelCollector
] as const satisfies readonly CollectorModule[]

/** Ids of every collector that exists (the registry's literal union). */
export type RegisteredCollectorId = (typeof COLLECTOR_REGISTRY)[number]['id']

/** Ids of every collector that exists, in registry order (for schemas and health tables). */
export const ALL_COLLECTOR_IDS: readonly RegisteredCollectorId[] = COLLECTOR_REGISTRY.map(
  (m) => m.id
)

/** The registry entry of a collector id, if it is registered. */
export function collectorModule(id: string): CollectorModule | undefined {
  return (COLLECTOR_REGISTRY as readonly CollectorModule[]).find((m) => m.id === id)
}

/** The collector modules that run on a platform, in registry order. */
export function modulesFor(platform: NodeJS.Platform): readonly CollectorModule[] {
  return (COLLECTOR_REGISTRY as readonly CollectorModule[]).filter((m) => m.runsOn(platform))
}

/** The collector factories for a platform. */
export function collectorsFor(platform: NodeJS.Platform): readonly CollectorFactory[] {
  return modulesFor(platform).map((m) => m.create)
}

/** True for `gpu` and for the absent class of any GPU collector (`gpu-nvidia`, …). */
export function isGpuDeviceClass(deviceClass: string): boolean {
  return (
    deviceClass === 'gpu' ||
    (COLLECTOR_REGISTRY as readonly CollectorModule[]).some(
      (m) => m.kind === 'gpu' && m.absentClass === deviceClass
    )
  )
}
