/**
 * The machine in one line for the header: CPU, RAM (GiB) and GPUs, or "no GPU".
 */
import { formatBytes } from '$shared/present'
import type { Inventory } from '$shared/telemetry'

/** `AMD Ryzen 9 7950X · 62.5 GiB RAM · NVIDIA GeForce RTX 4090`. */
export function machineSummary(inv: Inventory): string {
  const cpu =
    inv.cpu.model.status === 'ok' ? inv.cpu.model.value.replace(/\s+/g, ' ').trim() : 'CPU'
  const ram =
    inv.memory.totalBytes.status === 'ok' ? `${formatBytes(inv.memory.totalBytes.value)} RAM` : null
  const names = new Map<string, number>()
  for (const g of inv.gpus) names.set(g.name, (names.get(g.name) ?? 0) + 1)
  const gpus = [...names].map(([n, k]) => (k > 1 ? `${k}× ${n}` : n)).join(' + ') || 'no GPU'
  return [cpu, ram, gpus].filter((x): x is string => x !== null).join(' · ')
}
