/**
 * Real checkpoints come with their processor as files, in two layouts (transformers 4.x: preprocessor_config.json +
 * processor_config.json + chat_template.json; 5.x: processor_config.json with the image processor nested +
 * chat_template.jinja), or with none. Each converts, the converted folder reads the checkpoint's own files, and a
 * task answers. `run --image` checks the image (caps included) before any model loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { hostScript, repoRoot } from './host-test-helpers';
import { pngClaimingSize } from '../fixtures/images/make-png';

const fixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures');
const work = mkdtempSync(path.join(tmpdir(), 'vc-layouts-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const host = (args: string[]) => spawnSync(process.execPath, [hostScript, ...args], { encoding: 'utf8', timeout: 180_000 });
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * A tiny checkpoint (random weights, 256 positions raised to 4096 for the task prompts) carrying the processor files of
 * one layout from the processor fixture, with the image sizes and token count of the tiny vision towers.
 */
function checkpoint(name: string, tiny: string, layout: string | undefined): string {
  const dir = path.join(work, name);
  cpSync(path.join(fixtures, 'deepseek-vl-reference', tiny), dir, { recursive: true });
  const config = readJson(path.join(dir, 'config.json'));
  config.text_config.max_position_embeddings = 4096;
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  if (!layout) return dir;
  const src = path.join(fixtures, 'deepseek-vl-processor', layout);
  for (const f of ['chat_template.json', 'chat_template.jinja', 'preprocessor_config.json', 'processor_config.json']) {
    try {
      cpSync(path.join(src, f), path.join(dir, f));
    } catch {
      // each layout has only some of these
    }
  }
  const processor = readJson(path.join(dir, 'processor_config.json'));
  processor.num_image_tokens = 16;
  const image = processor.image_processor ?? readJson(path.join(dir, 'preprocessor_config.json'));
  image.size = { height: 64, width: 64 };
  if (image.high_res_size) image.high_res_size = { height: 128, width: 128 };
  if (processor.image_processor) processor.image_processor = image;
  else writeFileSync(path.join(dir, 'preprocessor_config.json'), JSON.stringify(image));
  writeFileSync(path.join(dir, 'processor_config.json'), JSON.stringify(processor));
  return dir;
}

async function png(name: string, width: number, height: number): Promise<string> {
  const file = path.join(work, name);
  await sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .png()
    .toFile(file);
  return file;
}

for (const [label, tiny, layout, template, imageProcessor] of [
  ['transformers 4.x layout', 'tiny-deepseek-vl', 'deepseek-vl-1.3b', 'chat_template.json', 'preprocessor_config.json'],
  ['transformers 5.x layout (hybrid)', 'tiny-deepseek-vl-hybrid', 'deepseek-vl-7b-hybrid', 'chat_template.jinja', 'processor_config.json (image_processor)'],
  ['no processor files at all', 'tiny-deepseek-vl', undefined, 'chat_template.jinja', 'preprocessor_config.json'],
] as const) {
  test(`a checkpoint with ${label} converts, reads its own processor files and answers a task`, async () => {
    const from = checkpoint(label.replace(/\W+/g, '-'), tiny, layout);
    const to = `${from}-onnx`;
    const convert = host(['convert', '--from', from, '--to', to]);
    assert.equal(convert.status, 0, convert.stderr);
    if (!layout) {
      // Neither a template nor an image processor: the conversion scripts' defaults, and the log says so.
      assert.match(convert.stderr + convert.stdout, /no chat template: wrote the one transformers' conversion scripts use/);
      assert.match(convert.stderr + convert.stdout, /no image processor config: wrote the values transformers' conversion scripts use/);
    }
    const inputs = host(['inputs', '--processor', to, '--text', 'hi', '--out', path.join(work, `${label}-inputs`)]);
    assert.equal(inputs.status, 0, inputs.stderr);
    assert.match(inputs.stdout, new RegExp(`chat template: ${template.replace('.', '\\.')}`));
    assert.match(inputs.stdout, new RegExp(`image processor: ${imageProcessor.replace(/[.()]/g, '\\$&')}`));
    const image = await png(`${label}.png`, 120, 80);
    const run = host(['run', '--task', 'formula-to-latex', '--model', to, '--image', image, '--device', 'cpu', '--max-new-tokens', '6', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { tokens: number[]; timings: { visionMs?: number } };
    assert.ok(result.tokens.length > 0 && result.timings.visionMs !== undefined);
  });
}

test('run --image refuses a decompression bomb before any model loads, and takes a 20000×40 strip', async () => {
  const bomb = await pngClaimingSize(10_000, 10_000);
  const bombFile = path.join(work, 'bomb.png');
  writeFileSync(bombFile, bomb);
  // No model folder exists: only an image check that runs first can produce this message.
  const refused = host(['run', '--model', path.join(work, 'no-such-model'), '--image', bombFile, '--prompt', 'x']);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /10000×10000 = 100\.0 megapixels, over the limit of 40/);
  assert.doesNotMatch(refused.stderr, /no-such-model/);

  const from = checkpoint('strip', 'tiny-deepseek-vl', undefined);
  const to = `${from}-onnx`;
  assert.equal(host(['convert', '--from', from, '--to', to]).status, 0);
  const strip = await png('strip.png', 20000, 40);
  const run = host(['run', '--model', to, '--image', strip, '--prompt', 'what is this?', '--device', 'cpu', '--max-new-tokens', '3', '--json']);
  assert.equal(run.status, 0, run.stderr);
  assert.ok((JSON.parse(run.stdout) as { timings: { visionMs?: number } }).timings.visionMs !== undefined);
});
