/**
 * Puts the fake `nvidia-smi` (tests/helpers/fake-nvidia-smi.mjs) on a private PATH.
 *
 * Creates a temp dir holding an executable named `nvidia-smi` (the script with its shebang pointed at the
 * running node binary, so PATH needs nothing else and a real nvidia-smi elsewhere can never be found), writes
 * the scenario JSON there, and returns the env to inject into CollectorDeps.env.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** Scenario understood by the fake (see the header of fake-nvidia-smi.mjs). */
export interface FakeNvidiaScenario {
  helpQueryGpu?: string
  helpQueryGpuFile?: string
  xml?: string
  xmlFile?: string
  gpus?: { rows: Record<string, string>[] }[]
  fault?: {
    mode: 'ok' | 'exit' | 'garbage' | 'empty' | 'hang' | 'die-mid-stream' | 'hang-mid-stream'
    code?: number
    stderr?: string
    stdout?: string
    afterTicks?: number
    commands?: ('help' | 'xml' | 'query' | 'stream')[]
    maxFaultRuns?: number
  }
}

/** A prepared fake environment. */
export interface FakeNvidiaEnv {
  dir: string
  env: NodeJS.ProcessEnv
  /** One JSON array of arguments per invocation. */
  runs(): Promise<string[][]>
  cleanup(): Promise<void>
}

const SCRIPT = resolve(__dirname, 'fake-nvidia-smi.mjs')

/**
 * Creates the fake environment.
 *
 * `scenario` is an object or a path to a scenario JSON (its *File references resolve against that path).
 * `binary: 'missing'` leaves the tool off PATH; `'not-executable'` installs it without the exec bit
 * (permission denied).
 */
export async function createFakeNvidiaEnv(
  scenario: FakeNvidiaScenario | string,
  opts: { binary?: 'ok' | 'missing' | 'not-executable'; name?: string } = {}
): Promise<FakeNvidiaEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-nvsmi-'))
  let scenarioPath: string
  if (typeof scenario === 'string') {
    scenarioPath = resolve(scenario)
  } else {
    scenarioPath = join(dir, 'scenario.json')
    await writeFile(scenarioPath, JSON.stringify(scenario))
  }
  const binary = opts.binary ?? 'ok'
  if (binary !== 'missing') {
    const body = (await readFile(SCRIPT, 'utf8')).replace(/^#!.*\n/, `#!${process.execPath}\n`)
    const bin = join(dir, opts.name ?? 'nvidia-smi')
    await writeFile(bin, body)
    await chmod(bin, binary === 'ok' ? 0o755 : 0o644)
  }
  const runsFile = join(dir, 'runs.log')
  const env: NodeJS.ProcessEnv = {
    PATH: dir,
    FAKE_NVSMI_SCENARIO: scenarioPath,
    FAKE_NVSMI_RUNS: runsFile
  }
  return {
    dir,
    env,
    async runs() {
      try {
        return (await readFile(runsFile, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as string[])
      } catch {
        return []
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true })
  }
}
