/**
 * `--model` resolution: `hf:ORG/NAME`, `ollama:NAME[:TAG]`, a `.gguf` path, a Hugging Face folder or its
 * `config.json`; anything else is a catalogue name (null here). Offline only.
 */
import { stat } from 'node:fs/promises'
import { readGgufModel } from './gguf'
import { readHfModel } from './hf'
import { readHfCacheModel, readOllamaModel } from './stores'
import { ModelFileError, type LocalModel } from './types'

/** True when `arg` names a model on disk rather than a catalogue entry. */
export function looksLikeModelPath(arg: string): boolean {
  return (
    arg.startsWith('hf:') ||
    arg.startsWith('ollama:') ||
    /\.gguf$/i.test(arg) ||
    /config\.json$/i.test(arg) ||
    arg.includes('/') ||
    arg.includes('\\') ||
    arg.startsWith('.') ||
    arg.startsWith('~')
  )
}

/** Reads the model `arg` names, or returns null when it is not a path or store reference. */
export async function resolveLocalModel(
  arg: string,
  env: NodeJS.ProcessEnv
): Promise<LocalModel | null> {
  if (arg.startsWith('hf:')) return readHfCacheModel(arg.slice(3), env)
  if (arg.startsWith('ollama:')) return readOllamaModel(arg.slice(7), env)
  if (!looksLikeModelPath(arg)) return null
  const path = arg.startsWith('~') ? `${env.HOME ?? ''}${arg.slice(1)}` : arg
  let isDir = false
  try {
    isDir = (await stat(path)).isDirectory()
  } catch {
    throw new ModelFileError(path, 'no such file or folder')
  }
  if (isDir) return readHfModel(path)
  if (/config\.json$/i.test(path)) return readHfModel(path)
  return readGgufModel(path)
}
