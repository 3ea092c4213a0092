/**
 * `model-host models …` as a user runs it: the built dist/model-host.js as a child process against a
 * hub served from 127.0.0.1 by this test (HF_ENDPOINT).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TestHub } from '../fixtures/hub/hub-server';
import { hostScript, repoRoot } from './host-test-helpers';

let hub: TestHub;
const files: Record<string, Buffer | string> = {
  'config.json': '{"model_type":"tiny"}',
  'weights/part-1.safetensors': randomBytes(1_500_000),
  'weights/part-2.safetensors': randomBytes(700_000),
  'onnx/model.onnx': randomBytes(400_000),
};

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, onStart?: (kill: () => void) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [hostScript, 'models', ...args], { env: { ...process.env, HF_ENDPOINT: hub.url, HF_TOKEN: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onStart?.(() => child.kill('SIGKILL'));
  });
}

function tmpStore(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vc-store-'));
}

function assertComplete(store: string, id: string) {
  for (const [p, c] of Object.entries(files)) {
    assert.deepEqual(fs.readFileSync(path.join(store, id, p)), Buffer.isBuffer(c) ? c : Buffer.from(c), p);
  }
}

before(async () => {
  assert.ok(fs.existsSync(hostScript), 'run `node scripts/build.mjs` first');
  hub = await TestHub.start();
  hub.addRepo('acme/widget', files);
  hub.addRepo('acme/gated', files, { token: 't0ken' });
  const tiny = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
  const tinyFiles: Record<string, Buffer> = {};
  for (const name of fs.readdirSync(tiny)) tinyFiles[name] = fs.readFileSync(path.join(tiny, name));
  hub.addRepo('deepseek-community/deepseek-vl-1.3b-chat', tinyFiles);
});
after(() => hub.close());

test('pull, list, verify, remove: a multi-file model end to end with progress on stderr', async () => {
  const store = tmpStore();
  const pull = await cli(['pull', 'acme/widget', '--store', store]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(pull.stdout.trim(), path.join(store, 'acme--widget'));
  assert.match(pull.stderr, /\[downloading\]/);
  assert.match(pull.stderr, /\[done\] 2\.6 MB \/ 2\.6 MB \(100%\)/);
  assert.match(pull.stderr, /acme--widget: 4 files, 2\.6 MB verified/);
  assertComplete(store, 'acme--widget');

  const list = await cli(['list', '--json', '--store', store]);
  assert.equal(list.code, 0, list.stderr);
  const listed = JSON.parse(list.stdout) as { installed: { id: string; verifiedFiles: number }[]; presets: { id: string }[]; recommended: { id: string } };
  assert.deepEqual(
    listed.installed.map((m) => [m.id, m.verifiedFiles]),
    [['acme--widget', 4]],
  );
  assert.ok(listed.presets.some((p) => p.id === 'deepseek-vl-7b-chat'));
  assert.ok(listed.recommended.id);

  assert.equal((await cli(['verify', 'acme--widget', '--store', store])).code, 0);
  // Damage one byte: verify must find it.
  const victim = path.join(store, 'acme--widget', 'weights', 'part-2.safetensors');
  const fd = fs.openSync(victim, 'r+');
  fs.writeSync(fd, Buffer.from([0]), 0, 1, 1000);
  fs.closeSync(fd);
  const bad = await cli(['verify', 'acme--widget', '--store', store]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /weights\/part-2\.safetensors: sha256 [0-9a-f]{64}, expected/);

  const removed = await cli(['remove', 'acme--widget', '--store', store]);
  assert.equal(removed.code, 0);
  assert.equal(fs.existsSync(path.join(store, 'acme--widget')), false);
});

test('a pull killed mid-download resumes after the restart with a Range request and verifies', async () => {
  const store = tmpStore();
  hub.chunkDelayMs = 3;
  let first: CliResult;
  try {
    first = await cli(['pull', 'acme/widget', '--store', store], {}, (kill) => {
      const timer = setInterval(() => {
        const partial = path.join(store, 'acme--widget', 'weights', 'part-1.safetensors.partial');
        if (fs.existsSync(partial) && fs.statSync(partial).size > 300_000) {
          clearInterval(timer);
          kill();
        }
      }, 20);
    });
  } finally {
    hub.chunkDelayMs = 0;
  }
  assert.notEqual(first.code, 0);
  const onDisk = fs.statSync(path.join(store, 'acme--widget', 'weights', 'part-1.safetensors.partial')).size;
  const seen = hub.requests.length;
  const second = await cli(['pull', 'acme/widget', '--store', store]);
  assert.equal(second.code, 0, second.stderr);
  // Counted at the CDN hop (the hub's resolve URL redirects there, with the same Range).
  const ranges = hub.requests.slice(seen).filter((r) => r.path.startsWith('/cdn/') && r.path.endsWith('part-1.safetensors'));
  assert.deepEqual(
    ranges.map((r) => r.range),
    [`bytes=${onDisk}-`],
  );
  assert.match(second.stderr, new RegExp(`part-1\\.safetensors: resuming from byte ${onDisk} of 1500000`));
  assertComplete(store, 'acme--widget');
});

test('401 suggests HF_TOKEN, 404 names the repository, and both exit 1 without installing', async () => {
  const store = tmpStore();
  const denied = await cli(['pull', 'acme/gated', '--store', store]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /error: Listing acme\/gated@main .*access denied \(HTTP 401\).*set HF_TOKEN/);
  const missing = await cli(['pull', 'acme/nothing@v2', '--store', store]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /error: Listing acme\/nothing@v2 .*not found \(HTTP 404\)/);
  const bad = await cli(['pull', 'not a repo', '--store', store]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /neither a preset .* nor a hub repository of the form org\/name\[@revision\]/);
  const ok = await cli(['pull', 'acme/gated', '--store', store], { HF_TOKEN: 't0ken' });
  assert.equal(ok.code, 0, ok.stderr);
});

test('a full disk (1 MB tmpfs) stops the pull before downloading, with the sizes', async (t) => {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    fs.rmdirSync(mount);
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  try {
    const r = await cli(['pull', 'acme/widget', '--store', mount]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Not enough free disk space for acme--widget in .*: it needs 2\.6 MB more, 1\.0 MB are free/);
    assert.equal(fs.existsSync(path.join(mount, 'acme--widget', 'weights')), false);
  } finally {
    execFileSync('umount', [mount]);
    fs.rmdirSync(mount);
  }
});

test('two CLI pulls of the same model at once both succeed and leave one verified copy', async () => {
  const store = tmpStore();
  hub.chunkDelayMs = 1;
  try {
    const [a, b] = await Promise.all([cli(['pull', 'acme/widget', '--store', store]), cli(['pull', 'acme/widget', '--store', store])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.match(a.stderr + b.stderr, /is being pulled by process \d+ .*waiting for it to finish/);
  } finally {
    hub.chunkDelayMs = 0;
  }
  assertComplete(store, 'acme--widget');
  assert.equal((await cli(['verify', 'acme--widget', '--store', store])).code, 0);
  assert.equal(fs.readdirSync(path.join(store, '.locks')).length, 0);
});

test('the DeepSeek-VL preset pulls the checkpoint files only and converts them to ONNX beside it, in the dtype of the device', async () => {
  const store = tmpStore();
  const r = await cli(['pull', 'deepseek-vl-1.3b-chat', '--store', store, '--device', 'cpu']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[converting\].*converting deepseek-vl-1\.3b-chat to ONNX \(q4: the CPU/);
  assert.match(r.stderr, /\[converting\].*decoder layer 2\/2/, 'the conversion reports its progress');
  const counts = [...r.stderr.matchAll(/\[converting\] (\d+)\/(\d+) tensors, .* \((\d+)%\)/g)];
  assert.ok(counts.length > 0, `tensor counts while converting: ${r.stderr}`);
  const last = counts[counts.length - 1];
  assert.deepEqual([last[1], last[3]], [last[2], '100'], 'the last count is every tensor, 100%');
  const converted = path.join(store, 'deepseek-vl-1.3b-chat.onnx');
  assert.equal(r.stdout.trim(), converted);
  // The reference .npy files in the repo are not part of the preset.
  assert.deepEqual(
    fs.readdirSync(path.join(store, 'deepseek-vl-1.3b-chat')).filter((f) => f.endsWith('.npy')),
    [],
  );
  assert.ok(fs.existsSync(path.join(store, 'deepseek-vl-1.3b-chat', 'model.safetensors')));
  assert.ok(fs.readdirSync(path.join(converted, 'onnx')).some((f) => f.endsWith('.onnx')));
  const config = () => JSON.parse(fs.readFileSync(path.join(converted, 'config.json'), 'utf8')) as { visual_coder: { dtype: string; decoder: string } };
  assert.deepEqual([config().visual_coder.dtype, config().visual_coder.decoder], ['q4', 'kv-rows']);
  const list = JSON.parse((await cli(['list', '--json', '--store', store])).stdout) as {
    presets: { id: string; installed: boolean; conversion?: { dtype: string; memoryGb: number; diskBytes: number } }[];
  };
  const preset = list.presets.find((p) => p.id === 'deepseek-vl-1.3b-chat');
  assert.equal(preset?.installed, true);
  assert.equal(preset?.conversion?.dtype, 'q4');
  assert.ok((preset?.conversion?.memoryGb ?? 0) > 1 && (preset?.conversion?.memoryGb ?? 0) < 4, 'q4 of 1.8B weights runs in 1 to 4 GB');
  // Asking for another dtype converts the verified files again, without downloading them.
  const again = await cli(['pull', 'deepseek-vl-1.3b-chat', '--store', store, '--dtype', 'fp16']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /all files already verified/);
  assert.match(again.stderr, /\(fp16: asked for fp16\)/);
  assert.equal(config().visual_coder.dtype, 'fp16');
  const same = await cli(['pull', 'deepseek-vl-1.3b-chat', '--store', store, '--dtype', 'fp16']);
  assert.doesNotMatch(same.stderr, /\[converting\]/, 'the same dtype is not converted twice');
});

test('--include picks files of a hub repository; a pattern that matches nothing is an error', async () => {
  const store = tmpStore();
  const r = await cli(['pull', 'acme/widget', '--include', 'weights/*', '--include', 'config.json', '--store', store]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(path.join(store, 'acme--widget'), { recursive: true }).map(String).sort(), [
    'config.json',
    'visual-coder-manifest.json',
    'weights',
    'weights/part-1.safetensors',
    'weights/part-2.safetensors',
  ]);
  const none = await cli(['pull', 'acme/widget', '--include', '*.gguf', '--store', store]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /No file of acme\/widget@main matches \*\.gguf/);
});
