/**
 * The probe's safety rules, checked on every Snapshot while load runs (pure).
 *
 * Stop at once when any device reaches its own slowdown threshold minus a margin — GPU core (the driver's
 * slowdown temperature, or its reported headroom), GPU memory (its max operating temperature), CPU package
 * (hwmon crit, else max), a drive (NVMe `temp1_max`) — or when the machine switches to battery. Every device
 * is checked in every phase: a GPU heating up during the CPU phase is as much a reason to stop.
 */
import type { ProbeStop } from '../../shared/probe'
import type { Inventory, Snapshot, TemperatureSensor } from '../../shared/telemetry'

/** Default margin below a slowdown threshold at which the probe stops (°C). */
export const DEFAULT_SAFETY_MARGIN_CELSIUS = 5

function packageSensor(sensors: TemperatureSensor[]): TemperatureSensor | undefined {
  return sensors.find((s) => /package|tctl|tdie/i.test(s.label)) ?? sensors[0]
}

/** The reason to stop now, or null when every reading is within its limits (or unknown). */
export function checkSafety(
  snapshot: Snapshot,
  inventory: Inventory,
  marginCelsius: number = DEFAULT_SAFETY_MARGIN_CELSIUS
): Omit<ProbeStop, 'atMs'> | null {
  const p = snapshot.power
  if (p.status === 'ok' && p.value.source.status === 'ok' && p.value.source.value === 'battery')
    return {
      reason: 'battery',
      detail: 'the machine switched to battery power; a probe runs only on mains power'
    }
  for (const g of snapshot.gpus) {
    if (g.state !== 'active' || g.temperatureCelsius.status !== 'ok') continue
    const t = g.temperatureCelsius.value
    const info = inventory.gpus.find((x) => x.id === g.id)
    const label = `GPU${g.index} ${g.name}`
    let limit: number | null = null
    if (info?.tempSlowdownCelsius.status === 'ok') limit = info.tempSlowdownCelsius.value
    else if (g.temperatureHeadroomCelsius.status === 'ok')
      limit = t + g.temperatureHeadroomCelsius.value
    if (limit !== null && t >= limit - marginCelsius)
      return {
        reason: 'threshold',
        detail: `${label} reached ${t.toFixed(0)} °C, within ${marginCelsius} °C of its slowdown threshold ${limit.toFixed(0)} °C`
      }
    if (
      g.memoryTemperatureCelsius.status === 'ok' &&
      info?.tempMemoryMaxCelsius.status === 'ok' &&
      g.memoryTemperatureCelsius.value >= info.tempMemoryMaxCelsius.value - marginCelsius
    )
      return {
        reason: 'threshold',
        detail: `${label} memory reached ${g.memoryTemperatureCelsius.value.toFixed(0)} °C, within ${marginCelsius} °C of its limit ${info.tempMemoryMaxCelsius.value.toFixed(0)} °C`
      }
  }
  if (snapshot.cpu.status === 'ok') {
    const c = snapshot.cpu.value
    const sensor = c.temperatures.status === 'ok' ? packageSensor(c.temperatures.value) : undefined
    const temp =
      c.packageTemperatureCelsius.status === 'ok' ? c.packageTemperatureCelsius.value : null
    const limit =
      sensor?.critCelsius.status === 'ok'
        ? sensor.critCelsius.value
        : sensor?.maxCelsius.status === 'ok'
          ? sensor.maxCelsius.value
          : null
    if (temp !== null && limit !== null && temp >= limit - marginCelsius)
      return {
        reason: 'threshold',
        detail: `CPU package reached ${temp.toFixed(0)} °C, within ${marginCelsius} °C of its limit ${limit.toFixed(0)} °C`
      }
  }
  if (snapshot.storage.status === 'ok') {
    for (const d of snapshot.storage.value.devices) {
      if (d.temperatureCelsius.status !== 'ok' || d.tempMaxCelsius.status !== 'ok') continue
      if (d.temperatureCelsius.value >= d.tempMaxCelsius.value - marginCelsius)
        return {
          reason: 'threshold',
          detail: `${d.name} reached ${d.temperatureCelsius.value.toFixed(0)} °C, within ${marginCelsius} °C of its warning temperature ${d.tempMaxCelsius.value.toFixed(0)} °C`
        }
    }
  }
  return null
}
