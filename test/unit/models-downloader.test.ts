import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TestHub } from '../fixtures/hub/hub-server';
import { pullModel } from '../../model-host/models/downloader';
import { parseModelRef } from '../../model-host/models/registry';
import { ModelStore, resolveModelDir } from '../../model-host/models/store';
import { ModelError } from '../../model-host/models/errors';
import type { ModelsProgressParams } from '../../model-host/protocol';

let hub: TestHub;
const files = {
  'config.json': JSON.stringify({ model_type: 'tiny' }),
  'tokenizer.json': '{"vocab":{}}',
  'model-00001-of-00002.safetensors': randomBytes(300_000),
  'model-00002-of-00002.safetensors': randomBytes(200_000),
  'onnx/decoder.onnx': randomBytes(150_000),
};

before(async () => {
  hub = await TestHub.start();
  hub.addRepo('org/tiny', files);
  hub.addRepo('org/gated', files, { token: 'secret-token' });
});
after(() => hub.close());

function tmpStore(): ModelStore {
  return new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'vc-models-')));
}

function pull(store: ModelStore, id: string, extra: Partial<Parameters<typeof pullModel>[0]> = {}) {
  return pullModel({ ref: parseModelRef(id), store, env: { HF_ENDPOINT: hub.url }, retryDelayMs: 10, ...extra });
}

function assertInstalled(store: ModelStore, id: string) {
  const dir = store.modelDir(id);
  for (const [p, content] of Object.entries(files)) {
    assert.deepEqual(fs.readFileSync(path.join(dir, p)), Buffer.isBuffer(content) ? content : Buffer.from(content), p);
    assert.equal(fs.existsSync(path.join(dir, `${p}.partial`)), false);
  }
  const manifest = store.readManifest(id);
  assert.equal(manifest?.complete, true);
  assert.equal(manifest?.files.length, Object.keys(files).length);
  const big = manifest?.files.find((f) => f.path === 'model-00001-of-00002.safetensors');
  assert.equal(big?.sha256, TestHub.sha256(files['model-00001-of-00002.safetensors']));
}

test('a multi-file pull downloads every file in the hub layout, verifies it and reports progress', async () => {
  const store = tmpStore();
  const events: ModelsProgressParams[] = [];
  const result = await pull(store, 'org/tiny', { onProgress: (p) => events.push(p), progressIntervalMs: 0 });
  assert.equal(result.id, 'org--tiny');
  assert.equal(result.files, 5);
  assertInstalled(store, 'org--tiny');
  assert.equal(resolveModelDir('org--tiny', store.root), store.modelDir('org--tiny'));
  const total = Object.values(files).reduce((n, c) => n + c.length, 0);
  const last = events[events.length - 1];
  assert.equal(last.phase, 'done');
  assert.equal(last.doneBytes, total);
  assert.equal(last.totalBytes, total);
  assert.ok(
    events.some((e) => e.phase === 'downloading' && e.doneBytes > 0 && e.doneBytes < total),
    'intermediate progress',
  );
  // A second pull finds everything verified and downloads nothing.
  const before = hub.requests.length;
  const again = await pull(store, 'org/tiny');
  assert.equal(again.downloadedBytes, 0);
  assert.equal(hub.requests.length - before, 1, 'only the listing');
});

test('a connection dropped mid-file resumes with Range from the bytes on disk and verifies', async () => {
  const store = tmpStore();
  hub.dropAfter.set('model-00001-of-00002.safetensors', 100_000);
  const logs: string[] = [];
  await pull(store, 'org/tiny', { log: (m) => logs.push(m) });
  const ranges = hub.rangeRequests('model-00001-of-00002.safetensors');
  assert.ok(ranges.length >= 1, 'the server saw a Range request');
  const from = Number(/bytes=(\d+)-/.exec(ranges[ranges.length - 1].range!)![1]);
  // Whatever reached the disk before the cut (the socket may lose its last buffered bytes) is kept.
  assert.ok(from > 0 && from <= 100_000, `resumed from ${from}`);
  assert.ok(
    logs.some((l) => l.includes(`resuming from byte ${from} of 300000`)),
    logs.join('\n'),
  );
  assertInstalled(store, 'org--tiny');
});

test('a server that ignores Range restarts the file and still verifies', async () => {
  const store = tmpStore();
  hub.dropAfter.set('onnx/decoder.onnx', 40_000);
  hub.ignoreRange = true;
  try {
    const logs: string[] = [];
    await pull(store, 'org/tiny', { log: (m) => logs.push(m) });
    assert.ok(
      logs.some((l) => /ignored the Range request/.test(l)),
      logs.join('\n'),
    );
    assertInstalled(store, 'org--tiny');
  } finally {
    hub.ignoreRange = false;
  }
});

test('bytes that do not match the sha256 are rejected with both hashes and not installed', async () => {
  const store = tmpStore();
  hub.corrupt.add('model-00002-of-00002.safetensors');
  try {
    await assert.rejects(pull(store, 'org/tiny'), (err: ModelError) => {
      assert.equal(err.kind, 'checksum');
      assert.match(err.message, /model-00002-of-00002\.safetensors/);
      assert.match(err.message, new RegExp(TestHub.sha256(files['model-00002-of-00002.safetensors'])));
      assert.match(err.message, /sha256 [0-9a-f]{64}, expected/);
      return true;
    });
  } finally {
    hub.corrupt.clear();
  }
  const dir = store.modelDir('org--tiny');
  assert.equal(fs.existsSync(path.join(dir, 'model-00002-of-00002.safetensors')), false);
  assert.equal(fs.existsSync(path.join(dir, 'model-00002-of-00002.safetensors.partial')), false);
  assert.equal(store.readManifest('org--tiny')?.complete, false);
  assert.throws(() => resolveModelDir('org--tiny', store.root), /not installed/);
});

test('404 for a repository and 401 for a gated one give clear errors; HF_TOKEN opens the gated one', async () => {
  const store = tmpStore();
  await assert.rejects(pull(store, 'org/missing'), (err: ModelError) => err.kind === 'not-found' && /org\/missing@main.*HTTP 404/.test(err.message));
  await assert.rejects(pull(store, 'org/tiny@v9'), /HTTP 404/);
  await assert.rejects(pull(store, 'org/gated'), (err: ModelError) => err.kind === 'auth' && /HTTP 401/.test(err.message) && /HF_TOKEN/.test(err.message));
  await assert.rejects(pull(store, 'org/gated', { env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'wrong' } }), /HF_TOKEN is set but the hub refused it/);
  // The CDN hop goes to another host name, which must not see the token.
  hub.cdnHost = 'localhost';
  const seen = hub.requests.length;
  try {
    await pull(store, 'org/gated', { env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'secret-token' } });
  } finally {
    hub.cdnHost = undefined;
  }
  const requests = hub.requests.slice(seen);
  assert.ok(requests.filter((r) => !r.path.startsWith('/cdn/')).every((r) => r.authorization === 'Bearer secret-token'));
  const cdn = requests.filter((r) => r.path.startsWith('/cdn/'));
  assert.ok(cdn.length >= 3, 'LFS files came through the cross-host redirect');
  assert.ok(
    cdn.every((r) => r.authorization === undefined),
    'no token sent to the CDN host',
  );
  assert.equal(store.readManifest('org--gated')?.complete, true);
});

test('not enough free space stops the pull before any download, saying how much is needed', async () => {
  const store = tmpStore();
  const before = hub.requests.length;
  await assert.rejects(pull(store, 'org/tiny', { freeBytes: async () => 1000 }), (err: ModelError) => {
    assert.equal(err.kind, 'disk-full');
    assert.match(err.message, /Not enough free disk space.*needs 650 KB more, 1.0 KB are free/);
    return true;
  });
  assert.equal(hub.requests.length - before, 1, 'only the listing was fetched');
});

test('cancelling keeps partial files that a second pull completes', async () => {
  const store = tmpStore();
  hub.chunkDelayMs = 5;
  const controller = new AbortController();
  try {
    await assert.rejects(
      pull(store, 'org/tiny', {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.doneBytes > 120_000) controller.abort();
        },
      }),
      (err: ModelError) => err.kind === 'cancelled' && /resumes/.test(err.message),
    );
  } finally {
    hub.chunkDelayMs = 0;
  }
  const dir = store.modelDir('org--tiny');
  const partials = fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.partial'));
  assert.ok(partials.length > 0, 'partial files kept');
  assert.equal(fs.existsSync(store.lockPath('org--tiny')), false, 'lock released');
  const r = await pull(store, 'org/tiny');
  assert.ok(r.downloadedBytes < r.bytes, 'the second pull fetched only what was missing');
  assertInstalled(store, 'org--tiny');
});

test('two pulls of the same model at once do not corrupt it: the second waits for the first', async () => {
  const store = tmpStore();
  hub.chunkDelayMs = 1;
  const waits: string[] = [];
  try {
    // Either may win the lock; the other one waits.
    const [a, b] = await Promise.all([pull(store, 'org/tiny', { log: (m) => waits.push(m) }), pull(store, 'org/tiny', { log: (m) => waits.push(m) })]);
    assert.equal(a.downloadedBytes + b.downloadedBytes, a.bytes, 'the bytes were fetched once');
  } finally {
    hub.chunkDelayMs = 0;
  }
  assert.ok(waits.some((w) => /waiting for it to finish/.test(w)));
  assertInstalled(store, 'org--tiny');
  await assert.rejects(
    (async () => {
      const lock = fs.openSync(store.lockPath('org--tiny'), 'wx');
      fs.writeSync(lock, JSON.stringify({ pid: process.pid, token: 'x', since: 'now' }));
      fs.closeSync(lock);
      try {
        await pull(store, 'org/tiny', { lockWaitMs: 100 });
      } finally {
        fs.rmSync(store.lockPath('org--tiny'));
      }
    })(),
    (err: ModelError) => err.kind === 'busy' && /already being downloaded by process/.test(err.message),
  );
});

test('a paginated listing is followed to the end', async () => {
  const store = tmpStore();
  hub.pageSize = 2;
  try {
    const r = await pull(store, 'org/tiny');
    assert.equal(r.files, 5);
  } finally {
    hub.pageSize = 0;
  }
});

test('a disk that fills up during the download (ENOSPC) gives a clear error and keeps the partial', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-enospc-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    fs.rmdirSync(mount);
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  try {
    // The free-space probe is fooled on purpose, so the write itself hits the full disk.
    await assert.rejects(pull(new ModelStore(mount), 'org/tiny', { freeBytes: async () => 1e12, parallel: 1 }), (err: ModelError) => {
      assert.equal(err.kind, 'disk-full');
      assert.match(err.message, /The disk is full while writing .* free some space and pull again \(the download resumes\)/);
      return true;
    });
  } finally {
    execFileSync('umount', [mount]);
    fs.rmdirSync(mount);
  }
});

test('a disk that fills up while the manifest is written is the same disk-full error', async () => {
  // On a full disk the manifest's write can fail before a file's does (it raced one CI run in five).
  class FullAfterFirstManifest extends ModelStore {
    private writes = 0;
    override async writeManifest(manifest: Parameters<ModelStore['writeManifest']>[0]): Promise<void> {
      if (++this.writes > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return super.writeManifest(manifest);
    }
  }
  const store = new FullAfterFirstManifest(fs.mkdtempSync(path.join(os.tmpdir(), 'vc-models-')));
  await assert.rejects(pull(store, 'org/tiny', { parallel: 1 }), (err: ModelError) => {
    assert.equal(err.kind, 'disk-full');
    assert.match(err.message, /The disk is full while writing .* free some space and pull again \(the download resumes\)/);
    return true;
  });
});

test('downloads go through HTTP_PROXY when one is set (and not for NO_PROXY hosts)', async () => {
  const http = await import('node:http');
  const seen: string[] = [];
  // A minimal forward proxy: absolute-URL requests are replayed to the target.
  const proxy = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    const upstream = http.request(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  try {
    const store = tmpStore();
    await pull(store, 'org/tiny', { env: { HF_ENDPOINT: hub.url, HTTP_PROXY: proxyUrl } });
    assertInstalled(store, 'org--tiny');
    assert.ok(
      seen.some((u) => u.startsWith(`${hub.url}/api/models/org/tiny/tree/main`)),
      JSON.stringify(seen),
    );
    assert.ok(seen.some((u) => u.startsWith(`${hub.url}/cdn/org/tiny/resolve/main/`)));
    seen.length = 0;
    await pull(tmpStore(), 'org/tiny', { env: { HF_ENDPOINT: hub.url, HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
    assert.deepEqual(seen, []);
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});

test('an unreachable hub gives a clear error after the retries', async () => {
  const store = tmpStore();
  const logs: string[] = [];
  // Port 9 (discard) on loopback: nothing listens there, so connections are refused at once.
  await assert.rejects(pull(store, 'org/tiny', { env: { HF_ENDPOINT: 'http://127.0.0.1:9' }, attempts: 2, log: (m) => logs.push(m) }), (err: ModelError) => {
    assert.equal(err.kind, 'network');
    assert.match(
      err.message,
      /Cannot reach the hub at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\): check the network connection, HF_ENDPOINT and the proxy settings/,
    );
    return true;
  });
  assert.equal(logs.filter((l) => /retry 1 of 1/.test(l)).length, 1);
});

test("a hub file named like the store's own files (manifest, .partial) is refused as bad input, and nothing is installed", async () => {
  for (const [repo, name] of [
    ['org/manifest-clash', 'visual-coder-manifest.json'],
    ['org/partial-clash', 'weights.safetensors.partial'],
  ]) {
    hub.addRepo(repo, { 'config.json': '{}', [name]: '{"files":[]}' });
    const store = tmpStore();
    await assert.rejects(pull(store, repo), (err: ModelError) => err.kind === 'bad-input' && err.message.includes(name) && /uses for itself/.test(err.message));
    assert.equal(fs.existsSync(store.modelDir(parseModelRef(repo).id)), false, `${repo} left a folder`);
  }
});
