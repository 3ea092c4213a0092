/** The built model host's command line: version, help, and the device probe in both environments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envWithoutVulkan, hostScript, repoRoot, SWIFTSHADER_ENV } from './host-test-helpers';

const run = (args: string[], env = envWithoutVulkan()) => spawnSync(process.execPath, [hostScript, ...args], { env, encoding: 'utf8', timeout: 60_000 });

test('--version prints the package version', () => {
  const r = run(['--version']);
  assert.equal(r.status, 0);
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  assert.equal(r.stdout.trim(), version);
});

test('--help lists the commands; an unknown command fails with the help', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: model-host <command>/);
  for (const name of ['serve', 'devices']) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
  const bad = run(['frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command: frobnicate/);
});

test('a misspelt flag is a usage error naming the valid one, before a command and after it; nothing runs', () => {
  const leading = run(['--devcie', 'cpu']);
  assert.equal(leading.status, 2);
  assert.match(leading.stderr, /unknown option --devcie; did you mean --device\?/);
  const after = run(['tasks', 'run', '--task', 'transcribe-code', '--image', 'missing.png', '--devcie', 'cpu']);
  assert.equal(after.status, 2);
  assert.match(after.stderr, /^error: unknown option --devcie; did you mean --device\?/);
  assert.match(after.stderr, /--task ID --image FILE/, 'the usage follows the error');
  assert.doesNotMatch(after.stderr, /missing\.png/, 'the task was not started with defaults');
  const typo = run(['run', '--model', 'x', '--prompt', 'hi', '--max-new-token', '4']);
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /did you mean --max-new-tokens\?/);
});

test('devices: without a Vulkan driver WebGPU is unavailable with the reason, and auto picks cpu', () => {
  const r = run(['devices', '--json'], envWithoutVulkan({ VK_ICD_FILENAMES: '/nonexistent/icd.json' }));
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const webgpu = out.devices.find((d: { kind: string }) => d.kind === 'webgpu');
  assert.equal(webgpu.available, false);
  assert.match(webgpu.reason, /WebGPU adapter/);
  assert.deepEqual(
    out.devices.find((d: { kind: string }) => d.kind === 'cpu'),
    { kind: 'cpu', available: true },
  );
  assert.equal(out.chosen, 'cpu');
  if (process.platform === 'linux' && process.arch === 'x64') {
    const cuda = out.devices.find((d: { kind: string }) => d.kind === 'cuda');
    assert.equal(cuda.available, false);
    assert.match(cuda.reason, /libonnxruntime_providers_cuda\.so/);
  }
});

test(
  'devices: with SwiftShader the WebGPU probe really runs a graph and auto picks webgpu',
  { skip: process.platform !== 'linux' && 'SwiftShader recipe is Linux-only' },
  () => {
    const r = run(['devices', '--json'], envWithoutVulkan(SWIFTSHADER_ENV));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    // SwiftShader implements no shader-f16, so the probe's fp16 graph must fail and say so.
    assert.deepEqual(out.devices[0], {
      kind: 'webgpu',
      available: true,
      detail: 'onnxruntime-node WebGPU execution provider, no shader-f16',
      shaderF16: false,
    });
    assert.equal(out.chosen, 'webgpu');
  },
);

test('devices --device with a bad value is a usage error', () => {
  const r = run(['devices', '--device', 'tpu']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--device must be one of auto, webgpu/);
});

test('tasks --stacks FILE lists your stacks under ui-to-code; a bad file is a usage error saying what to fix', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-cli-stacks-'));
  try {
    const good = path.join(dir, 'stacks.json');
    writeFileSync(good, JSON.stringify([{ name: 'Flutter', language: 'dart', instructions: 'One StatelessWidget.', preview: 'none' }]));
    const listed = run(['tasks', '--stacks', good]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /--option stack=flutter +Flutter → dart {2}\(your stack\)/);
    const json = JSON.parse(run(['tasks', '--stacks', good, '--json']).stdout) as { id: string; options: { choices: { id: string; custom?: boolean }[] }[] }[];
    assert.equal(json.find((t) => t.id === 'ui-to-code')?.options[0].choices.at(-1)?.custom, true);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'Flutter' }]));
    const refused = run(['tasks', '--stacks', bad]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--stacks .*bad\.json: "Flutter" needs "instructions"/);
    writeFileSync(bad, '[{');
    assert.match(run(['tasks', '--stacks', bad]).stderr, /is not JSON/);
    assert.match(run(['tasks', '--stacks', path.join(dir, 'none.json')]).stderr, /no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
