/**
 * Local model stores, read offline: the Hugging Face hub cache, Ollama's manifests and blobs, LM Studio's
 * models folder, llama.cpp's download cache and any folder the user names.
 *
 * Layouts:
 * - Hugging Face cache (`huggingface_hub` docs, "Understand caching"): `$HF_HUB_CACHE` or `$HF_HOME/hub`
 *   (default `~/.cache/huggingface/hub`) / `models--ORG--NAME` / `refs/main` (a commit hash) /
 *   `snapshots/<hash>/…` (config.json, safetensors, GGUF files).
 * - Ollama (`docs/faq.md`, "Where are models stored?"): `$OLLAMA_MODELS` (default `~/.ollama/models`) /
 *   `manifests/registry.ollama.ai/<namespace>/<name>/<tag>` — an OCI manifest whose layer with media type
 *   `application/vnd.ollama.image.model` names the GGUF blob `blobs/sha256-<hex>`.
 * - LM Studio: `~/.lmstudio/models/<publisher>/<repo>/*.gguf` (older: `~/.cache/lm-studio/models`).
 * - llama.cpp `-hf` downloads: `$LLAMA_CACHE`, else `~/.cache/llama.cpp` (Linux) or
 *   `~/Library/Caches/llama.cpp` (macOS).
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, join } from 'node:path'
import { readGgufModel } from './gguf'
import { readHfModel } from './hf'
import { ModelFileError, type LocalModel } from './types'

/** Bounds on a scan: no folder tree can make `models` slow or unbounded. */
const MAX_DEPTH = 5
const MAX_ENTRIES = 5000
const MAX_MODELS = 500

/** The Hugging Face hub cache folder for an environment. */
export function hfHubCache(env: NodeJS.ProcessEnv): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE
  if (env.HF_HOME) return join(env.HF_HOME, 'hub')
  return join(env.HOME ?? homedir(), '.cache', 'huggingface', 'hub')
}

/** Ollama's models folder for an environment. */
export function ollamaModelsDir(env: NodeJS.ProcessEnv): string {
  return env.OLLAMA_MODELS ?? join(env.HOME ?? homedir(), '.ollama', 'models')
}

/** Folders LM Studio and llama.cpp keep GGUF files in. */
export function ggufStoreDirs(env: NodeJS.ProcessEnv): { dir: string; store: string }[] {
  const home = env.HOME ?? homedir()
  return [
    { dir: join(home, '.lmstudio', 'models'), store: 'LM Studio' },
    { dir: join(home, '.cache', 'lm-studio', 'models'), store: 'LM Studio' },
    { dir: env.LLAMA_CACHE ?? join(home, '.cache', 'llama.cpp'), store: 'llama.cpp cache' },
    { dir: join(home, 'Library', 'Caches', 'llama.cpp'), store: 'llama.cpp cache' }
  ]
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory()
  } catch {
    return false
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p)
    return true
  } catch {
    return false
  }
}

/** The snapshot folder of `ORG/NAME` in the HF cache (refs/main, else the newest snapshot). */
export async function hfSnapshotDir(repo: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo))
    throw new ModelFileError(`hf:${repo}`, 'expected hf:ORG/NAME')
  const root = join(hfHubCache(env), `models--${repo.replace('/', '--')}`)
  if (!(await isDir(root)))
    throw new ModelFileError(`hf:${repo}`, `not in the Hugging Face cache (${root} does not exist)`)
  let hash: string | null = null
  try {
    hash = (await readFile(join(root, 'refs', 'main'), 'utf8')).trim()
  } catch {
    /* no refs/main: use the newest snapshot */
  }
  const snaps = join(root, 'snapshots')
  if (hash && (await isDir(join(snaps, hash)))) return join(snaps, hash)
  let names: string[] = []
  try {
    names = await readdir(snaps)
  } catch {
    /* none */
  }
  if (names.length === 0) throw new ModelFileError(root, 'cache entry has no snapshots')
  const withTimes = await Promise.all(
    names.map(async (n) => ({ n, t: (await stat(join(snaps, n))).mtimeMs }))
  )
  withTimes.sort((a, b) => b.t - a.t)
  return join(snaps, withTimes[0].n)
}

/** Reads `hf:ORG/NAME` from the cache: a transformers folder, or its largest GGUF file. */
export async function readHfCacheModel(repo: string, env: NodeJS.ProcessEnv): Promise<LocalModel> {
  const dir = await hfSnapshotDir(repo, env)
  if (await exists(join(dir, 'config.json'))) return readHfModel(dir, repo)
  const ggufs = (await readdir(dir)).filter((f) => /\.gguf$/i.test(f) && !/mmproj/i.test(f))
  if (ggufs.length === 0)
    throw new ModelFileError(dir, 'snapshot has neither config.json nor a .gguf file')
  const m = await readGgufModel(join(dir, ggufs.sort()[0]))
  return { ...m, id: `hf:${repo}`, name: repo }
}

/** The manifest path of `ollama:NAME[:TAG]`. */
export function ollamaManifestPath(spec: string, env: NodeJS.ProcessEnv): string {
  const [nameIn, tag = 'latest'] = spec.split(':')
  const parts = nameIn.split('/')
  const [host, ns, name] =
    parts.length === 3
      ? parts
      : parts.length === 2
        ? ['registry.ollama.ai', parts[0], parts[1]]
        : ['registry.ollama.ai', 'library', parts[0]]
  return join(ollamaModelsDir(env), 'manifests', host, ns, name, tag)
}

/** Reads `ollama:NAME[:TAG]`: the manifest's model layer → its GGUF blob. */
export async function readOllamaModel(spec: string, env: NodeJS.ProcessEnv): Promise<LocalModel> {
  if (!/^[\w./-]+(:[\w.-]+)?$/.test(spec))
    throw new ModelFileError(`ollama:${spec}`, 'expected ollama:NAME[:TAG]')
  const manifest = ollamaManifestPath(spec, env)
  let text: string
  try {
    text = await readFile(manifest, 'utf8')
  } catch {
    throw new ModelFileError(`ollama:${spec}`, `not in the Ollama store (no manifest ${manifest})`)
  }
  let doc: { layers?: { mediaType?: string; digest?: string }[] }
  try {
    doc = JSON.parse(text) as typeof doc
  } catch (err) {
    throw new ModelFileError(manifest, `corrupt Ollama manifest (${(err as Error).message})`)
  }
  const layer = doc.layers?.find((l) => l.mediaType === 'application/vnd.ollama.image.model')
  if (!layer?.digest || !/^sha256:[0-9a-f]{64}$/.test(layer.digest))
    throw new ModelFileError(manifest, 'Ollama manifest has no model layer with a sha256 digest')
  const blob = join(ollamaModelsDir(env), 'blobs', layer.digest.replace(':', '-'))
  const m = await readGgufModel(blob)
  const name = spec.includes(':') ? spec : `${spec}:latest`
  return { ...m, id: `ollama:${name}`, name, source: 'ollama' }
}

/** A model found by discovery, or a file that looked like one and could not be read. */
export type Found =
  | { ok: true; model: LocalModel; store: string }
  | { ok: false; path: string; error: string; store: string }

async function tryRead(
  store: string,
  read: () => Promise<LocalModel>,
  path: string
): Promise<Found> {
  try {
    return { ok: true, model: await read(), store }
  } catch (err) {
    return {
      ok: false,
      path,
      store,
      error: err instanceof ModelFileError ? err.message : `${path}: ${(err as Error).message}`
    }
  }
}

/** GGUF files and HF folders under `dir` (bounded depth and entry count; projector and later shards skipped). */
async function walk(
  dir: string,
  out: { gguf: string[]; hf: string[] },
  depth = 0,
  seen = { n: 0 }
): Promise<void> {
  if (depth > MAX_DEPTH || seen.n > MAX_ENTRIES) return
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  if (
    entries.some((e) => e.name === 'config.json') &&
    entries.some((e) => /safetensors/.test(e.name))
  )
    out.hf.push(dir)
  for (const e of entries) {
    if (++seen.n > MAX_ENTRIES) return
    const p = join(dir, e.name)
    if (e.isDirectory() && !e.name.startsWith('.')) await walk(p, out, depth + 1, seen)
    else if (
      (e.isFile() || e.isSymbolicLink()) &&
      /\.gguf$/i.test(e.name) &&
      !/mmproj/i.test(e.name)
    ) {
      const shard = /-(\d{5})-of-\d{5}\.gguf$/i.exec(e.name)
      if (!shard || shard[1] === '00001') out.gguf.push(p)
    }
  }
}

/** Finds models in the stores of this environment and in `dirs`. */
export async function discoverModels(env: NodeJS.ProcessEnv, dirs: string[]): Promise<Found[]> {
  const found: Found[] = []
  const seenPaths = new Set<string>()
  const add = (f: Found): void => {
    const key = f.ok ? f.model.path : f.path
    if (seenPaths.has(key) || found.length >= MAX_MODELS) return
    seenPaths.add(key)
    found.push(f)
  }
  for (const d of dirs) {
    const out = { gguf: [] as string[], hf: [] as string[] }
    await walk(d, out)
    for (const g of out.gguf) add(await tryRead(`folder ${d}`, () => readGgufModel(g), g))
    for (const h of out.hf) add(await tryRead(`folder ${d}`, () => readHfModel(h), h))
  }
  // Hugging Face cache.
  const hub = hfHubCache(env)
  let cacheEntries: string[] = []
  try {
    cacheEntries = (await readdir(hub)).filter((n) => n.startsWith('models--'))
  } catch {
    /* no cache */
  }
  for (const e of cacheEntries.slice(0, MAX_MODELS)) {
    const repo = e.slice('models--'.length).replace('--', '/')
    add(await tryRead('Hugging Face cache', () => readHfCacheModel(repo, env), join(hub, e)))
  }
  // Ollama.
  const manRoot = join(ollamaModelsDir(env), 'manifests')
  for (const host of await safeList(manRoot))
    for (const ns of await safeList(join(manRoot, host)))
      for (const name of await safeList(join(manRoot, host, ns)))
        for (const tag of await safeList(join(manRoot, host, ns, name))) {
          const spec = `${host === 'registry.ollama.ai' ? (ns === 'library' ? '' : `${ns}/`) : `${host}/${ns}/`}${name}:${tag}`
          add(
            await tryRead(
              'Ollama',
              () => readOllamaModel(spec, env),
              join(manRoot, host, ns, name, tag)
            )
          )
        }
  // LM Studio and llama.cpp.
  for (const { dir, store } of ggufStoreDirs(env)) {
    const out = { gguf: [] as string[], hf: [] as string[] }
    await walk(dir, out)
    for (const g of out.gguf) add(await tryRead(store, () => readGgufModel(g), g))
  }
  return found
}

async function safeList(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith('.')).slice(0, MAX_MODELS)
  } catch {
    return []
  }
}

/** A display name for a path-based model. */
export function displayName(m: LocalModel): string {
  return m.source === 'gguf' ? basename(m.path) : m.name
}
