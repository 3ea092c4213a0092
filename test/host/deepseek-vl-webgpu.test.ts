/**
 * The kv-rows decoder on onnxruntime-node's WebGPU execution provider (SwiftShader's Vulkan in CI).
 *
 * GroupQueryAttention on WebGPU has been wrong for runs of 32 or more new positions on SwiftShader;
 * the engine asks the device (webgpu-attention-check.ts) and feeds prompts in runs of 31 where the
 * answer is no. Checked here: the check's verdict agrees with what a 64-position run really gives,
 * and with the rule in force the engine's logits on WebGPU match the CPU's within 1e-3 at every
 * prompt length from 1 to 600 tokens, after the prompt and after steps through the cache, for the
 * fp32 decoder and the 4-bit one (float activations: WebGPU's MatMulNBits computes in float).
 * Skipped, with the reason, where SwiftShader is not installed.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { hostScript, repoRoot, SWIFTSHADER_ENV } from './host-test-helpers';

const FIXTURE = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const CHECK = path.join(__dirname, 'webgpu-kv-rows-check.ts');
const LENGTHS = [1, 31, 32, 33, 64, 200, 600];
const skip = existsSync(SWIFTSHADER_ENV.VK_ICD_FILENAMES)
  ? false
  : `no Vulkan driver for Dawn: ${SWIFTSHADER_ENV.VK_ICD_FILENAMES} is missing (apt-get install chromium libvulkan1)`;
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-webgpu-kv-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The tiny fixture with RoPE tables for 1024 positions (its own end at 256). */
function longContextCheckpoint(): string {
  const dir = path.join(work, 'hf');
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  for (const f of readdirSync(FIXTURE)) if (!f.endsWith('.npy') && f !== 'config.json') copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
  const config = JSON.parse(readFileSync(path.join(FIXTURE, 'config.json'), 'utf8')) as { text_config: Record<string, unknown> };
  config.text_config.max_position_embeddings = 1024;
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function convert(name: string, ...extra: string[]): string {
  const to = path.join(work, name);
  const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', longContextCheckpoint(), '--to', to, '--overwrite', ...extra], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return to;
}

for (const [label, extra] of [
  ['fp32 kv-rows', ['--fused']],
  // SwiftShader has no shader-f16: a float32 cache, as GPUs without it get.
  ['q4 kv-rows (float activations)', ['--dtype', 'q4', '--q4-block', '32', '--q4-accuracy', '0', '--kv-dtype', 'fp32']],
] as const) {
  test(`WebGPU (SwiftShader), ${label}: logits within 1e-3 of the CPU's at prompts of 1 to 600 tokens`, { skip }, () => {
    const model = convert(label.replace(/\W+/g, '-'), ...extra);
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHECK, model, model, ...LENGTHS.map(String)], {
      encoding: 'utf8',
      timeout: 540_000,
      env: { ...process.env, ...SWIFTSHADER_ENV },
    });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      device: string;
      longRunsRight: boolean;
      singleRun64: number;
      byLength: Record<string, number>;
    };
    process.stderr.write(`# WebGPU ${label}: ${JSON.stringify(result)}\n`);
    assert.equal(result.device, 'webgpu');
    // The check tells the truth about this device: a 64-position run is right exactly when it says so.
    assert.equal(result.longRunsRight, result.singleRun64 < 1e-3, `check says ${result.longRunsRight}, a 64-position run is off by ${result.singleRun64}`);
    for (const n of LENGTHS) assert.ok(result.byLength[n] <= 1e-3, `prompt of ${n} tokens: max |diff| ${result.byLength[n]}`);
  });
}
