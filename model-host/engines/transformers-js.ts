/**
 * The `@huggingface/transformers` module (tokenizers, chat templates, the Janus/Qwen2-VL model
 * classes), imported lazily because it is large, and set strictly offline (`allowRemoteModels =
 * false`): every file comes from the model folder on disk.
 */
type TransformersModule = typeof import('@huggingface/transformers', { with: { 'resolution-mode': 'import' } });

export async function transformersModule(): Promise<TransformersModule> {
  const mod = await import('@huggingface/transformers');
  mod.env.allowRemoteModels = false;
  mod.env.allowLocalModels = true;
  return mod;
}
