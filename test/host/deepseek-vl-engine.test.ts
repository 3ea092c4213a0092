/**
 * The local VLM engine on a converted tiny DeepSeek-VL, as the task runner drives it
 * (`loadLocalEngine` → `generate`): the prompt ids equal transformers' processor for the same text
 * (the tiny checkpoint has no template, so the conversion scripts' one is used, and said), a
 * real PNG goes through preprocessing into the vision graph, text streams, stop strings cut,
 * cancellation stops between decode steps, and an unusable GPU falls back to cpu with a reason.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { GenerateContext } from '../../model-host/engines/engine';
import { convertDeepseekVl } from '../../model-host/convert/deepseek-vl/converter';
import { DeepseekVlEngine } from '../../model-host/engines/deepseek-vl/engine';
import { loadLocalEngine } from '../../model-host/engines/load-engine';
import { loadImage } from '../../model-host/images/load-image';
import { readNpy } from '../../model-host/formats/npy';
import { envWithoutVulkan, hostScript, repoRoot, runReference } from './host-test-helpers';

const REF = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const PROCESSOR_CASES = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-processor', 'cases.json');
const loadPng = (png: Buffer, name: string) => loadImage({ base64: png.toString('base64') }).then((i) => ({ ...i, source: name }));
const reference = JSON.parse(readFileSync(path.join(REF, 'reference.json'), 'utf8')) as {
  input_ids: number[];
  greedy_new_tokens: number[];
  greedy_text: string;
};
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-engine-'));
const model = path.join(work, 'tiny-onnx');
let engine: DeepseekVlEngine;
const logs: string[] = [];

function context(overrides: Partial<GenerateContext> = {}): GenerateContext & { deltas: string[] } {
  const deltas: string[] = [];
  return { deltas, isCancelled: () => false, onText: (d) => deltas.push(d), log: (l, m) => logs.push(`${l} ${m}`), ...overrides };
}

const refPixels = () => {
  const px = readNpy(path.join(REF, 'ref_pixel_values.npy'));
  return { data: px.data as Float32Array, dims: px.shape };
};

before(async () => {
  convertDeepseekVl({ from: REF, to: model, log: (m) => logs.push(`convert ${m}`) });
  const loaded = await loadLocalEngine(model, 'cpu', (l, m) => logs.push(`${l} ${m}`));
  assert.ok(loaded instanceof DeepseekVlEngine);
  engine = loaded;
});
after(async () => {
  await engine?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test("the prompt and its ids are what transformers' DeepseekVLProcessor makes of the same text", async () => {
  assert.equal(engine.family, 'deepseek-vl');
  assert.equal(engine.device, 'cpu');
  // The processor fixture uses this checkpoint's tokenizer (with BOS added as the real one adds it).
  const { cases } = JSON.parse(readFileSync(PROCESSOR_CASES, 'utf8')) as {
    cases: Array<{ image: string | null; user_text: string; prompt: string; input_ids: number[] }>;
  };
  const textOnly = cases.find((c) => c.image === null)!;
  const inputs = await engine.processor.inputs({ user: textOnly.user_text }, undefined);
  assert.equal(inputs.prompt, textOnly.prompt);
  assert.deepEqual(inputs.inputIds, textOnly.input_ids);
  assert.ok(
    logs.some((l) => /^convert .*no chat template.*transformers' conversion scripts/.test(l)),
    'the conversion says it used the fallback template',
  );
  // With an image: the default system prompt, then the placeholder expanded to this model's 16 tokens, no newline after it.
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  const withImage = await engine.processor.inputs({ user: 'write the code' }, await loadPng(png, 'white.png'));
  assert.match(withImage.prompt, /^You are a helpful language and vision assistant\. .*\n\nUser: <image_placeholder>write the code\n\nAssistant:$/s);
  assert.equal(withImage.inputIds.filter((id) => id === 2).length, 16);
  assert.equal(withImage.inputIds[0], 0, 'BOS first');
});

test('generate() with a PNG streams text that adds up to the result', async () => {
  const png = await sharp({ create: { width: 90, height: 40, channels: 3, background: { r: 200, g: 30, b: 60 } } })
    .png()
    .toBuffer();
  const image = await loadPng(png, 'red.png');
  const ctx = context();
  const out = await engine.generate({ prompt: { user: 'write the code' }, image, generation: { maxNewTokens: 10 } }, ctx);
  assert.equal(ctx.deltas.join(''), out.text);
  assert.ok(out.tokens && out.tokens.length > 0 && out.tokens.length <= 10);
  assert.ok(out.timings.visionMs !== undefined && out.timings.prefillMs !== undefined);
  // A different image gives different image features, hence (almost surely) other logits than the reference's.
  const blue = await loadPng(
    await sharp({ create: { width: 40, height: 90, channels: 3, background: { r: 0, g: 0, b: 255 } } })
      .png()
      .toBuffer(),
    'blue.png',
  );
  const out2 = await engine.generate({ prompt: { user: 'write the code' }, image: blue, generation: { maxNewTokens: 10 } }, context());
  assert.notDeepEqual(out2.tokens, out.tokens);
});

test('cancellation stops between decode steps', async () => {
  let checks = 0;
  const ctx = context({ isCancelled: () => ++checks > 3 });
  const out = await engine.generateFromInputs({ inputIds: reference.input_ids, pixelValues: refPixels() }, { maxNewTokens: 12 }, ctx);
  assert.equal(out.finishReason, 'cancelled');
  assert.deepEqual(out.tokens, reference.greedy_new_tokens.slice(0, 3));
});

test('a stop string ends generation and is not part of the text', async () => {
  const ctx = context();
  const out = await engine.generateFromInputs({ inputIds: reference.input_ids, pixelValues: refPixels() }, { maxNewTokens: 12, stop: ['utou'] }, ctx);
  assert.equal(out.finishReason, 'stop');
  assert.equal(out.text, reference.greedy_text.slice(0, reference.greedy_text.indexOf('utou')));
  assert.equal(ctx.deltas.join(''), out.text);
  assert.ok((out.tokens?.length ?? 0) < 12);
});

test('image-token count mismatches are explained', async () => {
  await assert.rejects(engine.generateFromInputs({ inputIds: reference.input_ids }, { maxNewTokens: 1 }, context()), /16 image tokens but no image was given/);
  await assert.rejects(
    engine.generateFromInputs({ inputIds: reference.input_ids.filter((_, i) => i !== 10), pixelValues: refPixels() }, { maxNewTokens: 1 }, context()),
    /15 image tokens but the image gives 16 features/,
  );
});

test('--device webgpu without a Vulkan driver falls back to cpu and says why', () => {
  const { out, stderr } = runReference(model, REF, { device: 'webgpu', maxNewTokens: 3, env: envWithoutVulkan() });
  assert.equal(out.device, 'cpu');
  assert.match(stderr, /could not use webgpu \(.+\); falling back/);
  assert.deepEqual(out.tokens, reference.greedy_new_tokens.slice(0, 3));
});

test('model-host run with --image and --prompt goes through preprocessing and the chat template', async () => {
  const png = path.join(work, 'chart.png');
  await sharp({ create: { width: 120, height: 60, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 0.5 } } })
    .png()
    .toFile(png);
  const r = spawnSync(
    process.execPath,
    [hostScript, 'run', '--model', model, '--device', 'cpu', '--image', png, '--prompt', 'write the code', '--max-new-tokens', '4', '--json'],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { tokens: number[]; device: string; timings: { visionMs?: number } };
  assert.equal(out.device, 'cpu');
  assert.ok(out.tokens.length >= 1 && out.tokens.length <= 4);
  assert.ok(out.timings.visionMs !== undefined, 'the image must reach the vision encoder');
  const bad = spawnSync(process.execPath, [hostScript, 'run', '--model', model, '--image', path.join(work, 'nope.png'), '--prompt', 'x'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /nope\.png/);
});

test('generation stops at max_position_embeddings instead of running past the RoPE tables', async () => {
  // The tiny model has 256 positions: a 37-token prompt leaves room for 220 new tokens.
  const out = await engine.generateFromInputs({ inputIds: reference.input_ids, pixelValues: refPixels() }, { maxNewTokens: 1000 }, context());
  assert.ok((out.tokens?.length ?? 0) <= 256 - reference.input_ids.length + 1, `${out.tokens?.length} tokens`);
  if (out.finishReason === 'length') assert.equal(out.tokens?.length, 220);
  await assert.rejects(
    engine.generateFromInputs({ inputIds: new Array(300).fill(5) }, { maxNewTokens: 1 }, context()),
    /300 tokens; this model takes at most 256/,
  );
});

test('a tokenizer that disagrees with config.json about the image token: refused, unless the caller feeds token ids', async () => {
  // Benchmark checkpoints of the real configuration borrow the tiny tokenizer (image token 2) while
  // config.json keeps the real id; prompts would put image features at the wrong positions.
  const odd = path.join(work, 'odd-image-token');
  cpSync(model, odd, { recursive: true });
  const configPath = path.join(odd, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { image_token_id: number };
  const imageToken = config.image_token_id;
  config.image_token_id = 7;
  writeFileSync(configPath, JSON.stringify(config));
  await assert.rejects(
    DeepseekVlEngine.load(odd, 'cpu', () => {}),
    /the tokenizer's image token is id \d+ but config\.json says 7/,
  );
  const warnings: string[] = [];
  const idsOnly = await DeepseekVlEngine.load(odd, 'cpu', (level, m) => level === 'warn' && warnings.push(m), { tokenIdsOnly: true });
  try {
    assert.match(warnings.join('\n'), /takes token ids only/);
    await assert.rejects(idsOnly.generate({ prompt: { user: 'x' }, generation: { maxNewTokens: 1 } }, context()), /config\.json says 7/);
    const inputIds = reference.input_ids.map((id) => (id === imageToken ? 7 : id));
    const out = await idsOnly.generateFromInputs({ inputIds, pixelValues: refPixels() }, { maxNewTokens: 12 }, context());
    assert.deepEqual(out.tokens, reference.greedy_new_tokens);
  } finally {
    await idsOnly.dispose();
  }
});
