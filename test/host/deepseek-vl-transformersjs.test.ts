/**
 * A converted DeepSeek-VL folder follows the transformers.js LLaVA three-graph contract closely
 * enough that transformers.js itself drives it: `LlavaForConditionalGeneration.from_pretrained`
 * on our output (its own feature merge, position ids, zero-length KV cache and greedy loop)
 * reproduces the 12 greedy tokens of the PyTorch reference.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { convertDeepseekVl } from '../../model-host/convert/deepseek-vl/converter';
import { transformersModule } from '../../model-host/engines/transformers-js';
import { readNpy } from '../../model-host/formats/npy';
import { repoRoot } from './host-test-helpers';

const REF = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-tjs-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('transformers.js LlavaForConditionalGeneration generates the reference tokens from our folder', async () => {
  const model = path.join(work, 'tiny-onnx');
  convertDeepseekVl({ from: REF, to: model });
  const reference = JSON.parse(readFileSync(path.join(REF, 'reference.json'), 'utf8')) as { input_ids: number[]; greedy_new_tokens: number[] };
  const { LlavaForConditionalGeneration, Tensor } = await transformersModule();
  const llava = await LlavaForConditionalGeneration.from_pretrained(model, { dtype: 'fp32', device: 'cpu', local_files_only: true });
  const ids = reference.input_ids;
  const px = readNpy(path.join(REF, 'ref_pixel_values.npy'));
  const out = (await llava.generate({
    input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
    attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    pixel_values: new Tensor('float32', px.data as Float32Array, px.shape),
    max_new_tokens: 12,
    do_sample: false,
  } as never)) as { tolist(): bigint[][] };
  await llava.dispose();
  assert.deepEqual(out.tolist()[0].slice(ids.length).map(Number), reference.greedy_new_tokens);
});
