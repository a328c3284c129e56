/**
 * A model found on disk (GGUF file, Hugging Face folder, Ollama blob), read offline from its headers only.
 */
import type { WorkloadProfile } from '../../shared/readiness'

/** Where a local model came from. */
export type LocalModelSource = 'gguf' | 'huggingface' | 'ollama'

/** A model read from disk: its shape (what the math needs), exact weight bytes and where it lives. */
export interface LocalModel {
  /** Stable id for lists (`gguf:…`, `hf:ORG/NAME`, `ollama:NAME:TAG`). */
  id: string
  name: string
  source: LocalModelSource
  /** The file or folder read. */
  path: string
  /** Weight format label (GGUF file type such as Q4_K_M, or the safetensors dtype such as BF16). */
  weightFormat: string
  /** Architecture name from the file (`llama`, `qwen3moe`, `gpt-oss`, `Qwen3MoeForCausalLM`…). */
  architecture: string
  /** Bytes on disk of the weights (sum of tensor bytes). */
  weightBytes: number
  /** Model description for the readiness math (shape, experts, attention layout, exact bytes). */
  model: WorkloadProfile['model']
  /** Where each number came from. */
  sources: string[]
}

/** A model file that could not be read: names the file and what is wrong (CLI exit 2). */
export class ModelFileError extends Error {
  override name = 'ModelFileError'
  constructor(
    readonly file: string,
    what: string
  ) {
    super(`${file}: ${what}`)
  }
}
