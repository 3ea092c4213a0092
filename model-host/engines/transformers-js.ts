/**
 * Tokenizer of a local model folder through `@huggingface/transformers`, strictly offline
 * (`allowRemoteModels = false`), so the exact same BPE as the reference tokenizer is used.
 */
export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
}

/** The transformers.js module, imported lazily (it is large and ESM-first). */
type TransformersModule = typeof import('@huggingface/transformers', { with: { 'resolution-mode': 'import' } });

export async function transformersModule(): Promise<TransformersModule> {
  const mod = await import('@huggingface/transformers');
  mod.env.allowRemoteModels = false;
  mod.env.allowLocalModels = true;
  return mod;
}

export async function loadTokenizer(modelDir: string): Promise<Tokenizer> {
  const { AutoTokenizer } = await transformersModule();
  const tok = await AutoTokenizer.from_pretrained(modelDir, { local_files_only: true });
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }),
    decode: (ids) => tok.decode(ids, { skip_special_tokens: true }),
  };
}
