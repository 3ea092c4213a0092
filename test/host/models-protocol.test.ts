/** models/* over the real protocol: the built host (`serve`) pulling from a loopback hub. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as rpc from 'vscode-jsonrpc/node';
import { TestHub } from '../fixtures/hub/hub-server';
import { envWithoutVulkan, repoRoot, startHost, stopHost, type RunningHost } from './host-test-helpers';
import {
  HostErrorCodes,
  InitializeRequest,
  ModelsListRequest,
  ModelsProgressNotification,
  ModelsPullRequest,
  ModelsRegisterRequest,
  ModelsRemoveRequest,
  ModelsSelectRequest,
  ModelsVerifyRequest,
  PingRequest,
  type ModelsProgressParams,
} from '../../model-host/protocol';

let hub: TestHub;
let host: RunningHost;
let store: string;
const big = randomBytes(1_200_000);

before(async () => {
  hub = await TestHub.start();
  hub.addRepo('acme/vlm', { 'config.json': '{"model_type":"qwen2_vl"}', 'onnx/decoder.onnx': big, 'onnx/vision.onnx': randomBytes(300_000) });
  const tiny = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
  const tinyFiles: Record<string, Buffer> = {};
  for (const name of fs.readdirSync(tiny)) tinyFiles[name] = fs.readFileSync(path.join(tiny, name));
  hub.addRepo('deepseek-community/deepseek-vl-1.3b-chat', tinyFiles);
  store = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-proto-store-'));
  host = startHost(envWithoutVulkan({ VISUAL_CODER_TEST: '1', HF_ENDPOINT: hub.url }));
  await host.connection.sendRequest(InitializeRequest, { clientName: 'test', device: 'cpu', modelsDir: store });
});
after(async () => {
  await stopHost(host);
  await hub.close();
});

test('models/pull streams progress, can be cancelled mid-file, and a second pull completes it', async () => {
  const events: ModelsProgressParams[] = [];
  const sub = host.connection.onNotification(ModelsProgressNotification, (p: ModelsProgressParams) => {
    events.push(p);
  });
  hub.chunkDelayMs = 5;
  const cts = new rpc.CancellationTokenSource();
  try {
    const pulling = host.connection.sendRequest(ModelsPullRequest, { id: 'acme/vlm' }, cts.token);
    // Cancel once some bytes of the big file are in, and check the loop still answers meanwhile.
    for (let i = 0; i < 200 && !events.some((e) => e.phase === 'downloading' && e.doneBytes > 100_000); i++) await new Promise((r) => setTimeout(r, 25));
    const ping = await host.connection.sendRequest(PingRequest);
    assert.equal(typeof ping.hostTimeMs, 'number');
    cts.cancel();
    await assert.rejects(pulling, (err: rpc.ResponseError<{ kind: string }>) => err.code === HostErrorCodes.Cancelled && err.data?.kind === 'cancelled');
  } finally {
    hub.chunkDelayMs = 0;
  }
  const progress = events.find((e) => e.phase === 'downloading' && e.doneBytes > 0);
  assert.ok(progress, 'progress notifications arrived');
  assert.equal(progress.totalBytes, 1_500_000 + '{"model_type":"qwen2_vl"}'.length);
  assert.ok(progress.files.some((f) => f.path === 'onnx/decoder.onnx' && f.totalBytes === 1_200_000));
  assert.ok(fs.existsSync(path.join(store, 'acme--vlm', 'onnx', 'decoder.onnx.partial')), 'partial kept for resuming');

  events.length = 0;
  const result = await host.connection.sendRequest(ModelsPullRequest, { id: 'acme/vlm' });
  sub.dispose();
  assert.deepEqual(result, { id: 'acme--vlm', dir: path.join(store, 'acme--vlm'), files: 3, bytes: 1_500_000 + 25 });
  assert.deepEqual(fs.readFileSync(path.join(store, 'acme--vlm', 'onnx', 'decoder.onnx')), big);
  assert.equal(events[events.length - 1].phase, 'done');
  assert.ok(hub.rangeRequests('onnx/decoder.onnx').length > 0, 'the second pull resumed with Range');

  const verify = await host.connection.sendRequest(ModelsVerifyRequest, { id: 'acme--vlm' });
  assert.deepEqual(verify, { ok: true, problems: [] });
});

test('models/list, select, register and remove keep the store and the active model consistent', async () => {
  const list = await host.connection.sendRequest(ModelsListRequest, {});
  assert.ok(list.installed.some((m) => m.id === 'acme--vlm' && m.verifiedFiles === 3));
  assert.equal(list.presets.length >= 4, true);
  assert.ok(list.recommended?.reason);

  const selected = await host.connection.sendRequest(ModelsSelectRequest, { id: 'acme--vlm' });
  assert.equal(selected.model.dir, path.join(store, 'acme--vlm'));
  assert.equal(selected.model.device, 'cpu');

  await assert.rejects(
    host.connection.sendRequest(ModelsSelectRequest, { id: 'janus-pro-1b' }),
    (err: rpc.ResponseError<unknown>) => err.code === HostErrorCodes.NoModel && /not installed/.test(err.message),
  );

  const mine = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-my-model-'));
  fs.writeFileSync(path.join(mine, 'config.json'), '{"model_type":"multi_modality"}');
  const registered = await host.connection.sendRequest(ModelsRegisterRequest, { dir: mine, id: 'my-model' });
  assert.deepEqual(registered, { id: 'my-model', dir: mine, family: 'multi_modality', verifiedFiles: 0, local: true });
  assert.equal((await host.connection.sendRequest(ModelsSelectRequest, { id: 'my-model' })).model.dir, mine);
  // An emptied visualCoder.model: no preset is installed, so the first installed id by name.
  assert.equal((await host.connection.sendRequest(ModelsSelectRequest, { id: '' })).model.id, 'acme--vlm');
  assert.deepEqual(await host.connection.sendRequest(ModelsRemoveRequest, { id: 'my-model' }), { removed: true });
  assert.ok(fs.existsSync(path.join(mine, 'config.json')), "a registered folder's files stay");

  await assert.rejects(host.connection.sendRequest(ModelsRegisterRequest, { dir: path.join(mine, 'nope') }), /does not exist/);
  await assert.rejects(
    host.connection.sendRequest(ModelsPullRequest, { id: '../../etc' }),
    (err: rpc.ResponseError<unknown>) => err.code === rpc.ErrorCodes.InvalidParams,
  );
  assert.deepEqual(await host.connection.sendRequest(ModelsRemoveRequest, { id: 'acme--vlm' }), { removed: true });
  assert.equal(fs.existsSync(path.join(store, 'acme--vlm')), false);
  await assert.rejects(
    host.connection.sendRequest(ModelsSelectRequest, { id: '' }),
    (err: rpc.ResponseError<unknown>) => err.code === HostErrorCodes.NoModel && /No model is installed/.test(err.message),
  );
});

test('a DeepSeek-VL pull reports the conversion in tensors and bytes after the download, and a cancel during it leaves no ONNX folder', async () => {
  const events: ModelsProgressParams[] = [];
  const sub = host.connection.onNotification(ModelsProgressNotification, (p: ModelsProgressParams) => {
    events.push(p);
  });
  const converted = path.join(store, 'deepseek-vl-1.3b-chat.onnx');
  try {
    const cts = new rpc.CancellationTokenSource();
    const pulling = host.connection.sendRequest(ModelsPullRequest, { id: 'deepseek-vl-1.3b-chat', dtype: 'fp32' }, cts.token);
    for (let i = 0; i < 400 && !events.some((e) => e.phase === 'converting'); i++) await new Promise((r) => setTimeout(r, 10));
    cts.cancel();
    await assert.rejects(pulling, (err: rpc.ResponseError<{ kind: string }>) => err.code === HostErrorCodes.Cancelled);
    assert.equal(fs.existsSync(converted), false, 'a cancelled conversion installs nothing');
    assert.deepEqual(
      fs.readdirSync(store).filter((f) => f.includes('.converting-')),
      [],
    );
    assert.ok(
      events.filter((e) => e.phase === 'downloading').every((e) => e.convertsAfterDownload),
      'the download says a conversion follows',
    );

    events.length = 0;
    const result = await host.connection.sendRequest(ModelsPullRequest, { id: 'deepseek-vl-1.3b-chat', dtype: 'fp32' });
    assert.equal(result.dir, converted);
    const counted = events.filter((e) => e.phase === 'converting' && e.conversion);
    assert.ok(counted.length > 0, JSON.stringify(events));
    const last = counted[counted.length - 1].conversion!;
    assert.equal(last.tensorsDone, last.tensorsTotal);
    assert.equal(last.bytesDone, last.bytesTotal);
    assert.ok(last.bytesTotal > 1000 && last.tensorsTotal > 10, JSON.stringify(last));
    for (const e of counted) assert.deepEqual([e.doneBytes, e.totalBytes], [e.conversion!.bytesDone, e.conversion!.bytesTotal]);
  } finally {
    sub.dispose();
  }
});
