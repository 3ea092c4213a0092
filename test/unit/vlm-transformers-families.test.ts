import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { qwen2VlPromptText, TransformersVlmEngine, type TjsTokenizer } from '../../model-host/engines/transformers/engine';
import { transformersModule } from '../../model-host/engines/transformers-js';
import { deviceMap, janusConversation, qwen2VlPrompt, selectFiles } from '../../model-host/engines/transformers/families';

const root = mkdtempSync(join(tmpdir(), 'tjs-families-'));
after(() => rmSync(root, { recursive: true, force: true }));

function repo(name: string, files: string[]): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of files) writeFileSync(join(dir, 'onnx', f), '');
  return dir;
}

/** The files of the Janus-Pro demo's dtype sets (q4f16-capable GPU and fallback), as on the Hub. */
const janusFiles = [
  'prepare_inputs_embeds.onnx',
  'prepare_inputs_embeds_q4.onnx',
  'language_model_q4f16.onnx',
  'language_model_q4.onnx',
  'lm_head_fp16.onnx',
  'lm_head.onnx',
  'gen_head_fp16.onnx',
  'gen_head.onnx',
  'gen_img_embeds_fp16.onnx',
  'gen_img_embeds.onnx',
  'image_decode.onnx',
];

test('Janus on webgpu: q4f16 language model and fp16 heads on the GPU, prepare_inputs_embeds (q4) on cpu', () => {
  const sel = selectFiles(repo('janus', janusFiles), 'janus', 'webgpu');
  assert.deepEqual(sel.dtype, {
    prepare_inputs_embeds: 'q4',
    language_model: 'q4f16',
    lm_head: 'fp16',
    gen_head: 'fp16',
    gen_img_embeds: 'fp16',
    image_decode: 'fp32',
  });
  assert.equal(sel.device.prepare_inputs_embeds, 'cpu');
  assert.equal(sel.device.language_model, 'webgpu');
  assert.ok(sel.files.includes('onnx/language_model_q4f16.onnx'));
});

test('after an fp16 failure the same device gets the q4 / fp32 files', () => {
  const sel = selectFiles(join(root, 'janus'), 'janus', 'webgpu', { noFp16: true });
  assert.equal(sel.dtype.language_model, 'q4');
  assert.equal(sel.dtype.lm_head, 'fp32');
  assert.ok(!sel.files.some((f) => /fp16/.test(f)));
});

test('Janus on cpu avoids fp16 and keeps every graph on cpu', () => {
  const sel = selectFiles(join(root, 'janus'), 'janus', 'cpu');
  assert.deepEqual(sel.dtype, {
    prepare_inputs_embeds: 'q4',
    language_model: 'q4',
    lm_head: 'fp32',
    gen_head: 'fp32',
    gen_img_embeds: 'fp32',
    image_decode: 'fp32',
  });
  assert.deepEqual(new Set(Object.values(sel.device)), new Set(['cpu']));
});

test('Qwen2-VL picks from what was downloaded and names what is missing', () => {
  const dir = repo('qwen', ['embed_tokens.onnx', 'embed_tokens_fp16.onnx', 'vision_encoder_fp16.onnx', 'vision_encoder.onnx', 'decoder_model_merged_q4.onnx']);
  assert.deepEqual(selectFiles(dir, 'qwen2-vl', 'cuda').dtype, { embed_tokens: 'fp16', vision_encoder: 'fp16', decoder_model_merged: 'q4' });
  assert.deepEqual(selectFiles(dir, 'qwen2-vl', 'cpu').dtype, { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' });
  const partial = repo('qwen-partial', ['embed_tokens.onnx', 'vision_encoder.onnx']);
  assert.throws(() => selectFiles(partial, 'qwen2-vl', 'cpu'), /none of onnx\/decoder_model_merged_q4\.onnx, .*onnx\/decoder_model_merged\.onnx/);
  assert.deepEqual(deviceMap('qwen2-vl', 'webgpu'), { embed_tokens: 'webgpu', vision_encoder: 'webgpu', decoder_model_merged: 'webgpu' });
});

test('prompts: Janus conversation with the image tag first, Qwen2-VL ChatML with one image slot', () => {
  assert.deepEqual(janusConversation({ user: 'Convert to HTML.' }, true), [
    { role: '<|User|>', content: '<image_placeholder>\nConvert to HTML.' },
    { role: '<|Assistant|>', content: '' },
  ]);
  assert.equal(janusConversation({ system: 'Code only.', user: 'Hi' }, false)[0].content, 'Code only.\n\nHi');
  assert.equal(
    qwen2VlPrompt({ user: 'Describe.' }, true),
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Describe.<|im_end|>\n<|im_start|>assistant\n',
  );
  assert.ok(!qwen2VlPrompt({ user: 'x' }, false).includes('<|image_pad|>'));
});

test("Qwen2-VL: the checkpoint's own chat template renders the prompt when the folder has one", async () => {
  // A template shaped like Qwen2-VL's (default system turn, image slot per image part), rendered by transformers.js.
  const template =
    "{% if messages[0]['role'] != 'system' %}<|im_start|>system\nDefault.<|im_end|>\n{% endif %}" +
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% for c in m['content'] %}{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>" +
    "{% else %}{{ c['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
  const { AutoTokenizer } = await transformersModule();
  const tokenizer = (await AutoTokenizer.from_pretrained(join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl'), {
    local_files_only: true,
  })) as unknown as TjsTokenizer;
  assert.equal(
    qwen2VlPromptText(tokenizer, { template, source: 'chat_template.json' }, { user: 'Describe.' }, true),
    '<|im_start|>system\nDefault.<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Describe.<|im_end|>\n<|im_start|>assistant\n',
  );
  assert.equal(
    qwen2VlPromptText(tokenizer, { template, source: 'chat_template.json' }, { system: 'Code only.', user: 'Hi' }, false),
    '<|im_start|>system\nCode only.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
  );
  // Without a template in the folder: the ChatML layout.
  assert.equal(qwen2VlPromptText(tokenizer, undefined, { user: 'Describe.' }, true), qwen2VlPrompt({ user: 'Describe.' }, true));
});

/**
 * The streaming / stop / cancel wrapper around transformers.js generation, with the real TextStreamer
 * and InterruptableStoppingCriteria and a fake model standing in for the unreachable Hub repos: it
 * emits scripted byte tokens through the streamer and stops when the criterion is interrupted.
 */
test('TransformersVlmEngine streams, honours stop strings and cancels between tokens', async () => {
  const EOS = 0;
  const decode = (ids: (number | bigint)[]) => Buffer.from(ids.map(Number)).toString('utf8');
  const tokenizer = { decode, all_special_ids: [EOS] };
  const processor = Object.assign(async () => ({ input_ids: { dims: [1, 2] } }), { tokenizer });
  const script = [...Buffer.from('<p>héllo</p>\n```tail')];
  const fakeModel = (steps: number[]) => ({
    async generate(args: Record<string, unknown>) {
      const streamer = args.streamer as { put(v: bigint[][]): void; end(): void };
      const stop = args.stopping_criteria as { interrupted: boolean };
      const out = [7n, 7n];
      streamer.put([[7n, 7n]]); // the prompt, skipped by the streamer
      for (const t of steps.slice(0, args.max_new_tokens as number)) {
        out.push(BigInt(t));
        streamer.put([[BigInt(t)]]);
        if (stop.interrupted || t === EOS) break;
      }
      streamer.end();
      return { tolist: () => [out] };
    },
    async dispose() {},
  });
  const run = async (steps: number[], generation: object, isCancelled = () => false) => {
    const engine = TransformersVlmEngine.fromParts('qwen2-vl', 'cpu', fakeModel(steps), processor, [EOS]);
    const deltas: string[] = [];
    const out = await engine.generate({ prompt: { user: 'x' }, generation }, { isCancelled, onText: (d: string) => deltas.push(d), log: () => undefined });
    return { out, deltas };
  };
  const plain = await run([...script, EOS], { maxNewTokens: 100 });
  assert.equal(plain.out.text, '<p>héllo</p>\n```tail');
  assert.equal(plain.deltas.join(''), plain.out.text);
  assert.equal(plain.out.finishReason, 'stop'); // ended by EOS
  assert.ok(plain.deltas.every((d) => !d.includes('\ufffd')));
  const stopped = await run(script, { maxNewTokens: 100, stop: ['```'] });
  assert.equal(stopped.out.text, '<p>héllo</p>\n');
  assert.equal(stopped.deltas.join(''), '<p>héllo</p>\n');
  assert.equal(stopped.out.finishReason, 'stop');
  let n = 0;
  const cancelled = await run(script, { maxNewTokens: 100 }, () => ++n > 3);
  assert.equal(cancelled.out.finishReason, 'cancelled');
  assert.ok((cancelled.out.tokens?.length ?? 99) <= 4, `generated ${cancelled.out.tokens?.length}`);
  const limited = await run(script, { maxNewTokens: 3 });
  assert.equal(limited.out.finishReason, 'length');
  assert.equal(limited.out.text, '<p>');
});
