/**
 * Number-for-number parity of the converted tiny DeepSeek-VL *hybrid* (SigLIP + SAM-B branch + hybrid
 * aligner; fp32, CPU) with the Hugging Face transformers reference: SigLIP output, SAM branch output,
 * aligned image embeddings and logits at every prompt position within 1e-4, and the 12 greedy tokens
 * through the real `model-host run` CLI. Also: fp16 and q4 conversions of the same checkpoint load and
 * generate (agreement with fp32 is printed, not asserted), and hybrid-specific checkpoint errors.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { hostScript, repoRoot, runReference } from './host-test-helpers';

const REF = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl-hybrid');
const CHECK = path.join(__dirname, 'deepseek-vl-hybrid-parity-check.ts');
const TOL = 1e-4;
const reference = JSON.parse(readFileSync(path.join(REF, 'reference.json'), 'utf8')) as { input_ids: number[]; greedy_new_tokens: number[] };
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-hybrid-'));
const modelDir = (dtype: string) => path.join(work, `hybrid-${dtype}`);

function convert(from: string, to: string, dtype = 'fp32') {
  return spawnSync(process.execPath, [hostScript, 'convert', '--from', from, '--to', to, '--dtype', dtype, '--json'], { encoding: 'utf8', timeout: 120_000 });
}

function greedy(model: string): { tokens: number[]; device: string } {
  return runReference(model, REF).out;
}

before(() => {
  const r = convert(REF, modelDir('fp32'));
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { seconds: number; peakRssMb: number };
  process.stderr.write(`# tiny hybrid conversion: ${summary.seconds} s, peak RSS ${summary.peakRssMb} MB\n`);
});
after(() => rmSync(work, { recursive: true, force: true }));

test('SigLIP, SAM branch, aligned embeddings and every prompt logit within 1e-4 of the reference', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHECK, 'cpu', '0', modelDir('fp32'), REF], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { hybrid: boolean; maxAbs: Record<string, number>; scale: Record<string, number> };
  process.stderr.write(`# hybrid parity (cpu): ${JSON.stringify(result.maxAbs)}\n`);
  assert.equal(result.hybrid, true, 'the vision encoder takes high_res_pixel_values');
  for (const key of ['siglip', 'sam', 'aligned', 'logits']) {
    assert.ok(result.maxAbs[key] <= TOL, `${key}: max |diff| ${result.maxAbs[key]} > ${TOL}`);
  }
  // The SAM branch is small in magnitude (its values reach ~1e-2), so also hold it to a relative bound.
  assert.ok(result.maxAbs.sam <= 1e-4 * result.scale.sam, `sam relative error ${result.maxAbs.sam / result.scale.sam}`);
});

test('model-host run gives the 12 greedy reference tokens', () => {
  const out = greedy(modelDir('fp32'));
  assert.equal(out.device, 'cpu');
  assert.deepEqual(out.tokens, reference.greedy_new_tokens);
});

test('fp16 and q4 conversions load and generate (agreement with fp32 reported)', () => {
  const reports: string[] = [];
  for (const dtype of ['fp16', 'q4']) {
    const r = convert(REF, modelDir(dtype), dtype);
    assert.equal(r.status, 0, r.stderr);
    const config = JSON.parse(readFileSync(path.join(modelDir(dtype), 'config.json'), 'utf8')) as { visual_coder: { dtype: string } };
    assert.equal(config.visual_coder.dtype, dtype);
    const out = greedy(modelDir(dtype));
    assert.equal(out.tokens.length, 12);
    const agree = out.tokens.filter((t, i) => t === reference.greedy_new_tokens[i]).length;
    let prefix = 0;
    while (prefix < 12 && out.tokens[prefix] === reference.greedy_new_tokens[prefix]) prefix++;
    reports.push(`${dtype}: ${agree}/12 tokens equal fp32, first ${prefix} identical`);
  }
  process.stderr.write(`# hybrid dtype agreement: ${reports.join('; ')}\n`);
});

test('a SAM config or tensor that does not fit names the problem and leaves no model folder', () => {
  const bad = path.join(work, 'bad-src');
  cpSync(REF, bad, { recursive: true });
  const cfgPath = path.join(bad, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { high_res_vision_config: Record<string, unknown> };
  cfg.high_res_vision_config.output_channels = 8;
  writeFileSync(cfgPath, JSON.stringify(cfg));
  let r = convert(bad, path.join(work, 'bad-out'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /neck\.conv1\.weight has shape \[16, 32, 1, 1\] but the config implies \[8, 32, 1, 1\]/);
  assert.equal(existsSync(path.join(work, 'bad-out')), false);

  cfg.high_res_vision_config.output_channels = 16;
  cfg.high_res_vision_config.global_attn_indexes = [7];
  writeFileSync(cfgPath, JSON.stringify(cfg));
  r = convert(bad, path.join(work, 'bad-out'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /global_attn_indexes \[7\] must name at least one layer below 2/);
  assert.equal(existsSync(path.join(work, 'bad-out')), false);
});
