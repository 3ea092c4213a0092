/**
 * The DeepSeek-VL parity checks on onnxruntime-node's WebGPU execution provider (SwiftShader's Vulkan
 * when there is no GPU, as in CI): for both tiny reference checkpoints, converted fp32, the SigLIP
 * output, the SAM branch output (hybrid), the aligned image embeddings and the logits at every prompt
 * position are within 1e-3 of the Hugging Face reference, and the product runtime, with its KV cache on
 * the GPU, generates the 12 greedy reference tokens. One child process checks both models, because
 * starting WebGPU on SwiftShader is slow. Skipped, with the reason, where SwiftShader is not installed.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { hostScript, repoRoot, SWIFTSHADER_ENV } from './host-test-helpers';

const FIXTURES = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference');
const CHECK = path.join(__dirname, 'deepseek-vl-hybrid-parity-check.ts');
const MODELS = ['tiny-deepseek-vl', 'tiny-deepseek-vl-hybrid'];
const TOL = 1e-3;
const skip = existsSync(SWIFTSHADER_ENV.VK_ICD_FILENAMES)
  ? false
  : `no Vulkan driver for Dawn: ${SWIFTSHADER_ENV.VK_ICD_FILENAMES} is missing (apt-get install chromium libvulkan1)`;
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-webgpu-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('WebGPU (SwiftShader): vision outputs and logits within 1e-3, greedy tokens equal the reference', { skip }, () => {
  const args: string[] = [];
  for (const name of MODELS) {
    const out = path.join(work, name);
    const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', path.join(FIXTURES, name), '--to', out], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    args.push(out, path.join(FIXTURES, name));
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHECK, 'webgpu', '12', ...args], {
    encoding: 'utf8',
    timeout: 540_000,
    env: { ...process.env, ...SWIFTSHADER_ENV },
  });
  assert.equal(r.status, 0, r.stderr);
  const results = r.stdout
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          hybrid: boolean;
          maxAbs: Record<string, number>;
          greedy: { tokens: number[]; device: string };
        },
    );
  assert.equal(results.length, MODELS.length);
  results.forEach((result, i) => {
    const name = MODELS[i];
    process.stderr.write(`# ${name} webgpu parity: ${JSON.stringify(result.maxAbs)}\n`);
    const keys = result.hybrid ? ['siglip', 'sam', 'aligned', 'logits'] : ['siglip', 'aligned', 'logits'];
    assert.equal(result.hybrid, name.endsWith('hybrid'));
    for (const key of keys) assert.ok(result.maxAbs[key] <= TOL, `${name} ${key}: max |diff| ${result.maxAbs[key]} > ${TOL}`);
    const reference = JSON.parse(readFileSync(path.join(FIXTURES, name, 'reference.json'), 'utf8')) as { greedy_new_tokens: number[] };
    assert.equal(result.greedy.device, 'webgpu', 'the engine ran on WebGPU, not a CPU fallback');
    assert.deepEqual(result.greedy.tokens, reference.greedy_new_tokens);
  });
});
