/**
 * hwmon discovery and reading (`/sys/class/hwmon/hwmonN`), shared by the cpu, thermal and nvme collectors.
 *
 * Discovery runs once: it walks the chips, names them the way node_exporter does (stable across reboots,
 * unlike `hwmonN`), reads labels and thresholds, and remembers which `*_input` files to poll. Thresholds are
 * never re-read per tick because on some NVMe drives each read is an admin command. Per tick only the input
 * (and alarm) files are read, concurrently, through the reader's cached handles.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { FanSensor, HwmonChip, TemperatureSensor } from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import { baseName, dirName, fileUnavailable, parseSysfsInt } from './sysfs'

/** Root of the hwmon class. */
export const HWMON_CLASS_DIR = '/sys/class/hwmon'

/** Thresholds outside this range (°C) are sensor sentinels, not limits (NVMe `-273150`, `65261850`). */
export const THRESHOLD_MIN_CELSIUS = -50
export const THRESHOLD_MAX_CELSIUS = 200
/** Inputs outside this range (°C) are treated as sentinels too (`too_long` 9999999911 m°C). */
export const INPUT_MIN_CELSIUS = -100
export const INPUT_MAX_CELSIUS = 300

const TEMP_INPUT_RE = /^temp(\d+)_input$/
const FAN_INPUT_RE = /^fan(\d+)_input$/

/** A temperature sensor found at discovery, with its cached thresholds. */
export interface HwmonTempHandle {
  /** `temp1`. */
  sensor: string
  index: number
  label: string
  inputPath: string
  /** Null when the chip has no `tempN_crit_alarm` file. */
  critAlarmPath: string | null
  maxCelsius: Reading<number>
  critCelsius: Reading<number>
  emergencyCelsius: Reading<number>
  /** Last crit_alarm reading (alarms are refreshed on the slow tier only; the temperature itself every tick). */
  lastCritAlarm?: Reading<boolean>
}

/** A fan found at discovery. */
export interface HwmonFanHandle {
  sensor: string
  index: number
  label: string
  inputPath: string
  minRpm: Reading<number>
  maxRpm: Reading<number>
}

/** A hwmon chip found at discovery: everything needed to read it per tick without directory walks. */
export interface HwmonChipHandle {
  /** `/sys/class/hwmon/hwmon0`. */
  dir: string
  /** node_exporter-style stable id (`platform_coretemp_0`), else the `name` file, else the dir name. */
  chip: string
  /** The `name` file (in the hwmon dir or, for old drivers such as applesmc, in its device dir). */
  chipName: string
  /** Resolved device path (`/sys/devices/pci0000:00/.../nvme/nvme0`), or null without a (live) device link. */
  devicePath: string | null
  /** Device name: basename of the `device` link, even when the link dangles (`nvme0`, `0000:00:18.3`). */
  device: Reading<string>
  temps: HwmonTempHandle[]
  fans: HwmonFanHandle[]
}

/** node_exporter's label cleaning: lower case, anything outside `[a-z0-9:_]` becomes `_`. */
export function cleanMetricName(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9:_]/g, '_')
}

/**
 * Parses a millidegree Celsius file (`32850` → 32.85 °C; negative values allowed).
 *
 * Empty or non-integer text is a parse error.
 */
export function parseMillidegrees(text: string, what = 'file'): Reading<number> {
  const r = parseSysfsInt(text, what)
  return r.status === 'ok' ? ok(r.value / 1000) : r
}

/** A threshold in °C, or unavailable('unsupported', 'sentinel value') when outside [-50, 200] °C. */
export function thresholdCelsius(r: Reading<number>): Reading<number> {
  if (r.status !== 'ok') return r
  if (r.value < THRESHOLD_MIN_CELSIUS || r.value > THRESHOLD_MAX_CELSIUS) {
    return unavailable('unsupported', 'sentinel value')
  }
  return r
}

/** A sensor input in °C, or unavailable when the value is physically implausible (a sentinel). */
export function inputCelsius(r: Reading<number>): Reading<number> {
  if (r.status !== 'ok') return r
  if (r.value < INPUT_MIN_CELSIUS || r.value > INPUT_MAX_CELSIUS) {
    return unavailable('unsupported', `sentinel value (${r.value} °C)`)
  }
  return r
}

/** Parses an alarm file (`0`/`1`). */
export function parseAlarm(text: string, what = 'alarm'): Reading<boolean> {
  const r = parseSysfsInt(text, what)
  if (r.status !== 'ok') return r
  return r.value === 0 || r.value === 1
    ? ok(r.value === 1)
    : unavailable('parse-error', `alarm not 0/1: ${r.value}`)
}

/** Parses an RPM file; negative values are invalid. */
export function parseRpm(text: string, what = 'fan input'): Reading<number> {
  const r = parseSysfsInt(text, what)
  if (r.status !== 'ok') return r
  return r.value >= 0 ? r : unavailable('parse-error', `negative rpm: ${r.value}`)
}

/**
 * Builds the stable chip id from what discovery found (pure; node_exporter's rule).
 *
 * 1. From the device: `<parent dir>_<device dir>` cleaned (`platform_coretemp_0`, `ieee80211_phy0`), with the
 *    chip name appended when several hwmon chips share that device (`platform_asus_nb_wmi_asus`).
 * 2. Else the cleaned `name` file. 3. Else the hwmon directory name.
 */
export function hwmonChipId(input: {
  devicePath: string | null
  name: string | null
  dirName: string
  siblingsOnDevice: number
}): string {
  const name = input.name === null ? '' : cleanMetricName(input.name)
  if (input.devicePath !== null) {
    const devName = cleanMetricName(baseName(input.devicePath))
    const devType = cleanMetricName(baseName(dirName(input.devicePath)))
    let base = ''
    if (devType !== '' && devName !== '') base = `${devType}_${devName}`
    else if (devName !== '') base = devName
    if (base !== '') return input.siblingsOnDevice > 1 && name !== '' ? `${base}_${name}` : base
  }
  if (name !== '') return name
  return cleanMetricName(input.dirName) || input.dirName
}

function sensorIndexes(entries: readonly string[], re: RegExp): number[] {
  const out: number[] = []
  for (const e of entries) {
    const m = re.exec(e)
    if (m) out.push(Number(m[1]))
  }
  return out.sort((a, b) => a - b)
}

async function readLabel(fs: FileReader, path: string, fallback: string): Promise<string> {
  const r = await fs.readText(path)
  if (!r.ok) return fallback
  const t = r.value.trim()
  return t === '' ? fallback : t
}

async function readThreshold(
  fs: FileReader,
  dir: string,
  entries: Set<string>,
  file: string
): Promise<Reading<number>> {
  if (!entries.has(file)) return unavailable('unsupported', `no ${file}`)
  const r = await fs.readText(`${dir}/${file}`)
  if (!r.ok) return fileUnavailable(r, file)
  return thresholdCelsius(parseMillidegrees(r.value, file))
}

async function readRpmAttr(
  fs: FileReader,
  dir: string,
  entries: Set<string>,
  file: string
): Promise<Reading<number>> {
  if (!entries.has(file)) return unavailable('unsupported', `no ${file}`)
  const r = await fs.readText(`${dir}/${file}`)
  return r.ok ? parseRpm(r.value, file) : fileUnavailable(r, file)
}

async function discoverTemps(
  fs: FileReader,
  dir: string,
  entries: string[]
): Promise<HwmonTempHandle[]> {
  const set = new Set(entries)
  return Promise.all(
    sensorIndexes(entries, TEMP_INPUT_RE).map(async (index): Promise<HwmonTempHandle> => {
      const sensor = `temp${index}`
      const [label, maxCelsius, critCelsius, emergencyCelsius] = await Promise.all([
        set.has(`${sensor}_label`)
          ? readLabel(fs, `${dir}/${sensor}_label`, sensor)
          : Promise.resolve(sensor),
        readThreshold(fs, dir, set, `${sensor}_max`),
        readThreshold(fs, dir, set, `${sensor}_crit`),
        readThreshold(fs, dir, set, `${sensor}_emergency`)
      ])
      return {
        sensor,
        index,
        label,
        inputPath: `${dir}/${sensor}_input`,
        critAlarmPath: set.has(`${sensor}_crit_alarm`) ? `${dir}/${sensor}_crit_alarm` : null,
        maxCelsius,
        critCelsius,
        emergencyCelsius
      }
    })
  )
}

async function discoverFans(
  fs: FileReader,
  dir: string,
  entries: string[]
): Promise<HwmonFanHandle[]> {
  const set = new Set(entries)
  return Promise.all(
    sensorIndexes(entries, FAN_INPUT_RE).map(async (index): Promise<HwmonFanHandle> => {
      const sensor = `fan${index}`
      const [label, minRpm, maxRpm] = await Promise.all([
        set.has(`${sensor}_label`)
          ? readLabel(fs, `${dir}/${sensor}_label`, sensor)
          : Promise.resolve(sensor),
        readRpmAttr(fs, dir, set, `${sensor}_min`),
        readRpmAttr(fs, dir, set, `${sensor}_max`)
      ])
      return { sensor, index, label, inputPath: `${dir}/${sensor}_input`, minRpm, maxRpm }
    })
  )
}

/** Merges sensors found in the hwmon dir and in its device dir; the hwmon dir wins on duplicates. */
function mergeByIndex<T extends { index: number }>(primary: T[], secondary: T[]): T[] {
  const seen = new Set(primary.map((s) => s.index))
  return [...primary, ...secondary.filter((s) => !seen.has(s.index))].sort(
    (a, b) => a.index - b.index
  )
}

/** Discovers one chip; null when `dir` is not a readable directory. */
export async function discoverHwmonChip(
  fs: FileReader,
  dir: string
): Promise<HwmonChipHandle | null> {
  const listing = await fs.readDir(dir)
  if (!listing.ok) return null
  const entries = listing.value
  const hasDeviceLink = entries.includes('device')
  const [devReal, devLink] = hasDeviceLink
    ? await Promise.all([fs.realPath(`${dir}/device`), fs.readLink(`${dir}/device`)])
    : [null, null]
  // A real device path is a directory; a plain file named `device` (or a dangling link) is not.
  const devicePath = devReal?.ok && (await fs.isDir(`${dir}/device`)) ? devReal.value : null
  const device: Reading<string> = devLink?.ok
    ? ok(baseName(devLink.value))
    : devicePath !== null
      ? ok(baseName(devicePath))
      : unavailable('unsupported', 'no device link')

  // Old drivers (applesmc) keep `name` and the sensor files in the device dir.
  const deviceDir = devicePath !== null ? `${dir}/device` : null
  const [deviceEntries, siblings, nameHere] = await Promise.all([
    deviceDir !== null ? fs.readDir(deviceDir) : Promise.resolve(null),
    deviceDir !== null ? fs.readDir(`${deviceDir}/hwmon`) : Promise.resolve(null),
    entries.includes('name') ? fs.readText(`${dir}/name`) : Promise.resolve(null)
  ])
  let name: string | null = nameHere?.ok ? nameHere.value.trim() || null : null
  if (name === null && deviceEntries?.ok && deviceEntries.value.includes('name')) {
    const r = await fs.readText(`${deviceDir}/name`)
    name = r.ok ? r.value.trim() || null : null
  }

  const devList = deviceDir !== null && deviceEntries?.ok ? deviceEntries.value : []
  const [tempsHere, fansHere, tempsDev, fansDev] = await Promise.all([
    discoverTemps(fs, dir, entries),
    discoverFans(fs, dir, entries),
    deviceDir !== null ? discoverTemps(fs, deviceDir, devList) : Promise.resolve([]),
    deviceDir !== null ? discoverFans(fs, deviceDir, devList) : Promise.resolve([])
  ])

  const dirBase = baseName(dir)
  const chip = hwmonChipId({
    devicePath,
    name,
    dirName: dirBase,
    siblingsOnDevice: siblings?.ok ? siblings.value.length : 0
  })
  return {
    dir,
    chip,
    chipName: name ?? dirBase,
    devicePath,
    device,
    temps: mergeByIndex(tempsHere, tempsDev),
    fans: mergeByIndex(fansHere, fansDev)
  }
}

/**
 * Finds every hwmon chip once (at probe). A missing `/sys/class/hwmon` gives `[]`.
 *
 * Entries that are not directories are skipped. Chips are sorted by id for stable output.
 */
export async function discoverHwmonChips(
  fs: FileReader,
  classDir: string = HWMON_CLASS_DIR
): Promise<HwmonChipHandle[]> {
  const listing = await fs.readDir(classDir)
  if (!listing.ok) return []
  const found = await Promise.all(
    listing.value.map((e) => discoverHwmonChip(fs, `${classDir}/${e}`))
  )
  return found
    .filter((c): c is HwmonChipHandle => c !== null)
    .sort((a, b) => (a.chip < b.chip ? -1 : a.chip > b.chip ? 1 : 0))
}

async function readTemp(
  fs: FileReader,
  h: HwmonChipHandle,
  t: HwmonTempHandle,
  alarms: boolean
): Promise<TemperatureSensor> {
  const readAlarm = t.critAlarmPath !== null && (alarms || t.lastCritAlarm === undefined)
  const [input, alarm] = await Promise.all([
    fs.readPolled(t.inputPath),
    readAlarm && t.critAlarmPath !== null ? fs.readPolled(t.critAlarmPath) : null
  ])
  const temperatureCelsius = input.ok
    ? inputCelsius(parseMillidegrees(input.value, `${t.sensor}_input`))
    : fileUnavailable(input, `${t.sensor}_input`)
  if (alarm !== null)
    t.lastCritAlarm = alarm.ok
      ? parseAlarm(alarm.value, `${t.sensor}_crit_alarm`)
      : fileUnavailable(alarm, `${t.sensor}_crit_alarm`)
  const critAlarm: Reading<boolean> =
    t.critAlarmPath === null
      ? unavailable('unsupported', `no ${t.sensor}_crit_alarm`)
      : (t.lastCritAlarm as Reading<boolean>)
  return {
    chip: h.chip,
    chipName: h.chipName,
    sensor: t.sensor,
    label: t.label,
    temperatureCelsius,
    maxCelsius: t.maxCelsius,
    critCelsius: t.critCelsius,
    emergencyCelsius: t.emergencyCelsius,
    critAlarm
  }
}

async function readFan(fs: FileReader, h: HwmonChipHandle, f: HwmonFanHandle): Promise<FanSensor> {
  const input = await fs.readPolled(f.inputPath)
  const rpm = input.ok
    ? parseRpm(input.value, `${f.sensor}_input`)
    : fileUnavailable(input, `${f.sensor}_input`)
  return { chip: h.chip, sensor: f.sensor, label: f.label, rpm, minRpm: f.minRpm, maxRpm: f.maxRpm }
}

/**
 * Reads one chip's inputs (per tick). Thresholds come from the discovery cache.
 *
 * `fans: false` skips fan inputs (fans belong to the slow tier).
 */
export async function readHwmonChip(
  fs: FileReader,
  h: HwmonChipHandle,
  options: { fans?: boolean; alarms?: boolean } = {}
): Promise<HwmonChip> {
  const [temperatures, fans] = await Promise.all([
    Promise.all(h.temps.map((t) => readTemp(fs, h, t, options.alarms !== false))),
    options.fans === false ? Promise.resolve([]) : Promise.all(h.fans.map((f) => readFan(fs, h, f)))
  ])
  return { chip: h.chip, chipName: h.chipName, device: h.device, temperatures, fans }
}
