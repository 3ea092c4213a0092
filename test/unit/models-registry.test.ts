import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PRESETS, parseModelRef, presetFiles, recommend } from '../../model-host/models/registry';
import { selectFiles } from '../../model-host/models/downloader';
import { globToRegExp } from '../../model-host/models/glob';
import { ModelStore, defaultInstalledModel, resolveModelDir, storeRootFrom } from '../../model-host/models/store';
import { bypassesProxy, proxyFor } from '../../model-host/models/http-proxy';
import type { DeviceInfo, ModelsProgressParams } from '../../model-host/protocol';
import { PullProgress } from '../../model-host/models/progress';

test('the four required presets exist with repo, licence, size and files', () => {
  const ids = PRESETS.map((p) => p.id);
  for (const id of ['deepseek-vl-1.3b-chat', 'deepseek-vl-7b-chat', 'janus-pro-1b', 'qwen2-vl-2b-instruct']) assert.ok(ids.includes(id), id);
  for (const p of PRESETS) {
    assert.match(p.repo, /^[\w-]+\/[\w.-]+$/);
    assert.ok(p.sizeBytes > 1e9 && p.licence && p.licenceUrl.startsWith('https://') && p.minGpuMemoryGb > 0, p.id);
    assert.ok(p.files.default.include.length > 0);
  }
  assert.equal(PRESETS.find((p) => p.id === 'deepseek-vl-7b-chat')?.repo, 'deepseek-community/deepseek-vl-7b-chat');
  assert.equal(PRESETS.find((p) => p.id === 'deepseek-vl-1.3b-chat')?.needsConversion, true);
});

test('parseModelRef accepts presets and org/name[@revision], rejects anything else clearly', () => {
  assert.equal(parseModelRef('janus-pro-1b').repo, 'onnx-community/Janus-Pro-1B-ONNX');
  assert.deepEqual(parseModelRef('org/name'), { id: 'org--name', repo: 'org/name', revision: 'main' });
  assert.deepEqual(parseModelRef('org/name@refs/pr/1'), { id: 'org--name@refs_pr_1', repo: 'org/name', revision: 'refs/pr/1' });
  for (const bad of ['name', 'a/b/c', '../x', 'org/..', 'org/na me', 'org/name@../x']) {
    assert.throws(() => parseModelRef(bad), /neither a preset .* nor a hub repository/, bad);
  }
});

test('recommend picks by GPU memory and RAM and says why', () => {
  const cpu: DeviceInfo[] = [
    { kind: 'cpu', available: true },
    { kind: 'webgpu', available: false, reason: 'no adapter' },
  ];
  const gpu: DeviceInfo[] = [
    { kind: 'webgpu', available: true },
    { kind: 'cpu', available: true },
  ];
  assert.equal(recommend(gpu, 24, 64).id, 'deepseek-vl-7b-chat');
  assert.equal(recommend(gpu, 8, 16).id, 'qwen2-vl-2b-instruct');
  assert.match(recommend(gpu, undefined, 16).reason, /not reported, assuming 8 GB/);
  assert.equal(recommend(gpu, 2, 16).id, 'janus-pro-1b');
  const cpuRec = recommend(cpu, undefined, 16);
  assert.equal(cpuRec.id, 'deepseek-vl-1.3b-chat');
  assert.match(cpuRec.reason, /no GPU device available, 16 GB of RAM/);
  assert.equal(recommend(cpu, undefined, 4).id, 'janus-pro-1b');
});

test('preset file patterns pick the device set and fail when a required file is missing', () => {
  const janus = parseModelRef('janus-pro-1b');
  const listing = [
    'config.json',
    'tokenizer.json',
    'onnx/prepare_inputs_embeds_q4.onnx',
    'onnx/language_model_q4f16.onnx',
    'onnx/language_model_q4f16.onnx_data',
    'onnx/lm_head_fp16.onnx',
    'onnx/language_model_q4.onnx',
    'onnx/lm_head.onnx',
    'onnx/image_decode.onnx',
    'README.md',
  ].map((p) => ({ path: p, size: 1 }));
  assert.deepEqual(
    selectFiles(janus, listing, 'webgpu').map((f) => f.path),
    [
      'config.json',
      'tokenizer.json',
      'onnx/prepare_inputs_embeds_q4.onnx',
      'onnx/language_model_q4f16.onnx',
      'onnx/language_model_q4f16.onnx_data',
      'onnx/lm_head_fp16.onnx',
    ],
  );
  assert.ok(presetFiles(janus.preset!, 'cpu').include.includes('onnx/language_model_q4.onnx*'));
  assert.deepEqual(
    selectFiles(janus, listing, 'cpu')
      .filter((f) => f.path.startsWith('onnx/'))
      .map((f) => f.path),
    ['onnx/prepare_inputs_embeds_q4.onnx', 'onnx/language_model_q4.onnx', 'onnx/lm_head.onnx'],
  );
  assert.throws(
    () =>
      selectFiles(
        janus,
        listing.filter((f) => !f.path.startsWith('onnx/lm_head')),
        'webgpu',
      ),
    /no file matching "onnx\/lm_head_fp16\.onnx\*"/,
  );
  assert.ok(globToRegExp('**/*.json').test('a/b/c.json'));
  assert.ok(!globToRegExp('*.json').test('a/c.json'));
});

test('store root, registration of a folder and resolveModelDir', async () => {
  assert.equal(storeRootFrom('/x/y', {}), '/x/y');
  assert.equal(storeRootFrom(undefined, { VISUAL_CODER_MODELS: '/env/models' }), '/env/models');
  assert.equal(storeRootFrom(undefined, { XDG_CACHE_HOME: '/c' }), '/c/visual-coder/models');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-store-unit-'));
  const store = new ModelStore(root);
  const mine = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-mine-'));
  await assert.rejects(store.register(mine), /no config\.json and no \.onnx file/);
  fs.mkdirSync(path.join(mine, 'onnx'));
  fs.writeFileSync(path.join(mine, 'onnx', 'model.onnx'), 'x');
  const m = await store.register(mine, 'mine');
  assert.equal(m.local, true);
  assert.deepEqual(
    m.files.map((f) => f.path),
    ['onnx/model.onnx'],
  );
  assert.equal(resolveModelDir('mine', root), mine);
  assert.equal(defaultInstalledModel(root, ['janus-pro-1b', 'mine']), 'mine');
  assert.equal(defaultInstalledModel(root), 'mine');
  assert.equal(defaultInstalledModel(path.join(root, 'empty')), undefined);
  assert.equal(resolveModelDir(mine, root), mine);
  assert.throws(() => resolveModelDir('janus-pro-1b', root), /not installed in .*models pull janus-pro-1b/);
  assert.throws(() => resolveModelDir('/does/not/exist', root), /does not exist/);
  assert.throws(() => store.modelDir('../escape'), /not a valid model id/);
  assert.equal(await store.remove('mine'), true);
  assert.ok(fs.existsSync(path.join(mine, 'onnx', 'model.onnx')));
});

test('proxy settings: HTTPS_PROXY/HTTP_PROXY with NO_PROXY exceptions', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'proxy2:8080', NO_PROXY: 'localhost,.internal,10.0.0.1:8443' };
  assert.equal(proxyFor(new URL('https://huggingface.co/x'), env)?.href, 'http://proxy:3128/');
  assert.equal(proxyFor(new URL('http://example.com/'), env)?.href, 'http://proxy2:8080/');
  assert.equal(proxyFor(new URL('https://hub.internal/'), env), undefined);
  assert.equal(proxyFor(new URL('http://localhost:9/'), env), undefined);
  assert.equal(bypassesProxy(new URL('https://10.0.0.1:8443/'), env), true);
  assert.equal(bypassesProxy(new URL('https://10.0.0.1/'), env), false);
  assert.equal(proxyFor(new URL('https://x/'), { https_proxy: 'http://lower:1' })?.host, 'lower:1');
  assert.equal(proxyFor(new URL('https://x/'), {}), undefined);
});

test('remove refuses while a live process holds the pull lock, and ignores a stale one', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-store-lock-'));
  const store = new ModelStore(root);
  fs.mkdirSync(store.modelDir('m'), { recursive: true });
  fs.mkdirSync(path.dirname(store.lockPath('m')), { recursive: true });
  fs.writeFileSync(store.lockPath('m'), JSON.stringify({ pid: process.pid, token: 't', since: 'now' }));
  await assert.rejects(store.remove('m'), new RegExp(`being downloaded right now by process ${process.pid}`));
  // A pid that cannot exist (above the kernel's pid_max) stands for a crashed pull.
  fs.writeFileSync(store.lockPath('m'), JSON.stringify({ pid: 2 ** 30, token: 't', since: 'then' }));
  assert.equal(await store.remove('m'), true);
});

test('progress reports rate over the recent window and an ETA', () => {
  let now = 0;
  const seen: ModelsProgressParams[] = [];
  const p = new PullProgress(
    'm',
    (x) => seen.push(x),
    250,
    () => now,
  );
  p.addFile('a', 1000, 0);
  p.addFile('b', 1000, 500);
  p.force('downloading');
  now = 1000;
  p.setDone('a', 200);
  const last = seen[seen.length - 1];
  assert.deepEqual([last.doneBytes, last.totalBytes, last.bytesPerSecond, last.etaSeconds], [700, 2000, 200, 7]);
  assert.deepEqual(
    last.files.map((f) => f.path),
    ['a', 'b'],
  );
  now = 1100;
  p.setDone('a', 300);
  assert.equal(seen.length, 2, 'throttled within 250 ms');
});
