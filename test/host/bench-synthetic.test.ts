/**
 * `model-host bench --synthetic`: checkpoints of the real DeepSeek-VL configurations written by the
 * host itself, and the benchmark run on one at CI size.
 *
 * - The tensor names match what transformers itself saves (the reference fixtures, made by
 *   `save_pretrained`), layer for layer, plus the untied lm_head of the real models; the shapes
 *   follow the real configuration (1.3B: hidden 2048, FFN 5504, vocab 102400; SigLIP-L 384 px).
 * - The 1.3B shape with 2 layers converts to q4 and is measured: a 617-token prompt with the
 *   image, decode figures, and the q4 logits against fp32's along the same tokens.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { readSafetensorsHeader } from '../../model-host/formats/safetensors';
import { syntheticConfig, writeSyntheticCheckpoint } from '../../model-host/bench/synthetic-checkpoint';
import { hostScript, repoRoot } from './host-test-helpers';

const FIXTURES = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference');
const work = mkdtempSync(path.join(tmpdir(), 'vc-synthetic-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Tensor names with layer indices folded, so towers of different depths compare. */
const shapeOfNames = (names: string[]) => [...new Set(names.map((n) => n.replace(/\.\d+\./g, '.N.')))].sort();

for (const [model, fixture] of [
  ['tiny', 'tiny-deepseek-vl'],
  ['deepseek-vl-7b', 'tiny-deepseek-vl-hybrid'],
] as const) {
  test(`${model}: the synthetic checkpoint has transformers' tensor names (${fixture})`, () => {
    const dir = path.join(work, model);
    // One layer keeps the 7B small here; the names do not depend on the depth.
    writeSyntheticCheckpoint(dir, { model, layers: model === 'tiny' ? 2 : 1 });
    const ours = readSafetensorsHeader(path.join(dir, 'model.safetensors')).map((t) => t.name);
    const theirs = readSafetensorsHeader(path.join(FIXTURES, fixture, 'model.safetensors')).map((t) => t.name);
    assert.deepEqual(shapeOfNames(ours), shapeOfNames([...theirs, 'lm_head.weight']));
    for (const t of readSafetensorsHeader(path.join(dir, 'model.safetensors'))) assert.equal(t.dtype, 'BF16', t.name);
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'processor_config.json', 'chat_template.jinja', 'config.json']) {
      assert.ok(readFileSync(path.join(dir, f)).length > 0, f);
    }
  });
}

test('the 1.3B and 7B configurations are the published ones', () => {
  const small = syntheticConfig({ model: 'deepseek-vl-1.3b' }) as { text_config: Record<string, number>; vision_config: Record<string, number> };
  assert.deepEqual(
    [
      small.text_config.hidden_size,
      small.text_config.intermediate_size,
      small.text_config.num_hidden_layers,
      small.text_config.num_attention_heads,
      small.text_config.vocab_size,
    ],
    [2048, 5504, 24, 16, 102400],
  );
  assert.deepEqual([small.vision_config.hidden_size, small.vision_config.num_hidden_layers, small.vision_config.image_size], [1024, 24, 384]);
  const big = syntheticConfig({ model: 'deepseek-vl-7b' }) as { text_config: Record<string, number>; high_res_vision_config: Record<string, unknown> };
  assert.deepEqual([big.text_config.hidden_size, big.text_config.intermediate_size, big.text_config.num_hidden_layers], [4096, 11008, 30]);
  assert.deepEqual([big.high_res_vision_config.image_size, big.high_res_vision_config.hidden_size], [1024, 768]);
});

test('bench --synthetic deepseek-vl-1.3b --layers 2 --dtype q4 converts, measures and compares with fp32', () => {
  const r = spawnSync(
    process.execPath,
    [
      hostScript,
      'bench',
      '--synthetic',
      'deepseek-vl-1.3b',
      '--layers',
      '2',
      '--dtype',
      'q4',
      '--max-new-tokens',
      '4',
      '--runs',
      '1',
      '--json',
      '--work',
      work,
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    synthetic: { checkpoint: { parameters: number } };
    conversions: { model: string; seconds: number }[];
    results: {
      dtype: string;
      promptTokens: number;
      newTokens: number;
      visionMs: number;
      prefillMs: number;
      decodeTokensPerSecond: number;
      peakRssMb: number;
    }[];
    logitsVsFp32: Record<string, { positions: number; maxAbsDiff: number; top1Agreement: number }>;
  };
  process.stderr.write(`# synthetic 1.3B (2 layers) q4: ${JSON.stringify(report.results[0])} vs fp32 ${JSON.stringify(report.logitsVsFp32)}\n`);
  // 2 text layers of 2048 + embeddings and lm_head of 102400 × 2048, 2 SigLIP-L layers, the aligner.
  assert.ok(report.synthetic.checkpoint.parameters > 500e6 && report.synthetic.checkpoint.parameters < 600e6, String(report.synthetic.checkpoint.parameters));
  assert.deepEqual(
    report.conversions.map((c) => c.model),
    ['deepseek-vl-1.3b (q4)', 'deepseek-vl-1.3b (fp32)'],
  );
  const row = report.results[0];
  assert.equal(row.dtype, 'q4');
  assert.equal(row.promptTokens, 617, 'BOS, 576 image tokens and 40 text tokens');
  assert.equal(row.newTokens, 4);
  assert.ok(row.visionMs > 0 && row.prefillMs > 0 && row.decodeTokensPerSecond > 0 && row.peakRssMb > 0);
  const agreement = report.logitsVsFp32.cpu;
  assert.equal(agreement.positions, 4);
  assert.ok(Number.isFinite(agreement.maxAbsDiff) && agreement.maxAbsDiff > 0, 'q4 differs from fp32, by a finite amount');
});
