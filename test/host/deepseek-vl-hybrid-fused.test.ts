/**
 * The fused decoder variant (`model-host convert --fused`: GroupQueryAttention with rotary and KV cache,
 * SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization) on the tiny hybrid checkpoint, CPU:
 * same inputs/outputs as the op-by-op decoder, logits at every prompt position within 1e-4 of the
 * reference, and the 12 greedy tokens (which exercise the KV-cache path) through `model-host run`.
 * It also composes with --dtype q4.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { readOnnxModel } from '../../model-host/convert/dtypes/onnx-io';
import { hostScript, repoRoot, runReference } from './host-test-helpers';

const REF = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl-hybrid');
const CHECK = path.join(__dirname, 'deepseek-vl-hybrid-parity-check.ts');
const reference = JSON.parse(readFileSync(path.join(REF, 'reference.json'), 'utf8')) as { input_ids: number[]; greedy_new_tokens: number[] };
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-fused-'));
after(() => rmSync(work, { recursive: true, force: true }));

function convert(to: string, ...extra: string[]): void {
  const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', REF, '--to', to, '--fused', ...extra], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
}

function greedy(model: string): number[] {
  return runReference(model, REF).out.tokens;
}

test('fused decoder: contrib ops, reference logits within 1e-4, greedy tokens equal the reference', () => {
  const model = path.join(work, 'fused');
  convert(model);
  const ops = new Set((readOnnxModel(path.join(model, 'onnx', 'decoder_model_merged.onnx')).graph.node ?? []).map((n) => n.opType));
  for (const op of ['GroupQueryAttention', 'SkipSimplifiedLayerNormalization', 'SimplifiedLayerNormalization']) assert.ok(ops.has(op), `no ${op} node`);
  assert.ok(!ops.has('Softmax'), 'attention is not written out op by op');
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHECK, 'cpu', '0', model, REF], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { maxAbs: Record<string, number> };
  process.stderr.write(`# fused hybrid parity (cpu): ${JSON.stringify(result.maxAbs)}\n`);
  assert.ok(result.maxAbs.logits <= 1e-4, `logits max |diff| ${result.maxAbs.logits}`);
  assert.deepEqual(greedy(model), reference.greedy_new_tokens);
});

test('fused decoder + q4 loads and generates', () => {
  const model = path.join(work, 'fused-q4');
  convert(model, '--dtype', 'q4');
  const ops = new Set((readOnnxModel(path.join(model, 'onnx', 'decoder_model_merged.onnx')).graph.node ?? []).map((n) => n.opType));
  assert.ok(ops.has('MatMulNBits') && ops.has('GroupQueryAttention'));
  assert.equal(greedy(model).length, 12);
});
