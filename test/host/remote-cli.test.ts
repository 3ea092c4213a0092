// The built model host's remote paths: `run --backend openai`, `tasks run --backend openai`,
// `serve --http` binding rules and API key, and `remote/listModels` over the real protocol.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { RemoteListModelsRequest, HostErrorCodes } from '../../model-host/protocol';
import { jsonReply, modelsReply, sseCompletion, startFakeOpenAiServer, type FakeScript, type FakeServer } from '../fixtures/openai/fake-openai-server';
import { hostScript, startHttpHost, startStdioHost } from '../fixtures/openai/serve-http-process';

const work = mkdtempSync(path.join(tmpdir(), 'vc-remote-cli-'));
const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});
async function fake(script: FakeScript) {
  const s = await startFakeOpenAiServer(script);
  servers.push(s);
  return s;
}

/** Runs the host CLI without blocking this process's event loop (the fake server lives here). */
function host(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [hostScript, ...args], { env: { ...process.env, OPENAI_API_KEY: '', VISUAL_CODER_API_KEY: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function imageFile(): Promise<string> {
  const file = path.join(work, 'shot.png');
  await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#fafafa' } })
    .png()
    .toFile(file);
  return file;
}

test('run --backend openai streams from the server with OPENAI_API_KEY and downscales the image', async () => {
  const server = await fake(() => ({ chunks: [sseCompletion(['<div>', 'ok</div>'], { finish: 'stop' })] }));
  const r = await host(
    [
      'run',
      '--backend',
      'openai',
      '--endpoint',
      server.endpoint,
      '--model',
      'qwen2.5vl:7b',
      '--prompt',
      'to html',
      '--image',
      await imageFile(),
      '--max-image-side',
      '500',
      '--json',
    ],
    { OPENAI_API_KEY: 'sk-cli' },
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.text, out.finishReason, out.device], ['<div>ok</div>', 'stop', 'remote']);
  const req = server.requests[0];
  assert.equal(req.headers.authorization, 'Bearer sk-cli');
  const body = JSON.parse(req.body);
  assert.equal(body.model, 'qwen2.5vl:7b');
  const url: string = body.messages[0].content[0].image_url.url;
  const meta = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
  assert.deepEqual([meta.width, meta.height], [500, 250]);
});

test('tasks run --backend openai runs a task through the server and post-processes its answer', async () => {
  const server = await fake(() => ({ chunks: [sseCompletion(['```html\n<p>hi</p>\n```'], { finish: 'stop' })] }));
  const r = await host([
    'tasks',
    'run',
    '--task',
    'ui-to-code',
    '--image',
    await imageFile(),
    '--backend',
    'openai',
    '--endpoint',
    server.endpoint,
    '--model',
    'm',
    '--no-ocr',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /<p>hi<\/p>/);
  assert.doesNotMatch(r.stdout, /```/);
  assert.equal(server.requests.length, 1);
});

test('run --backend openai with a 401 fails with the message that says how to set the key', async () => {
  const server = await fake(() => jsonReply(401, { error: { message: 'bad key' } }));
  const r = await host(['run', '--backend', 'openai', '--endpoint', server.endpoint, '--model', 'm', '--prompt', 'x']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refused the API key \(401 Unauthorized\): bad key\. .*OPENAI_API_KEY/);
  const usage = await host(['run', '--backend', 'openai', '--model', 'm', '--prompt', 'x']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--backend openai needs --endpoint URL/);
});

test('serve --http refuses a non-loopback address without --api-key, and nothing listens', async () => {
  const r = await host(['serve', '--http', '0.0.0.0:0', '--model', work]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refusing to serve on 0\.0\.0\.0, which other machines can reach, without an API key: add --api-key KEY/);
  assert.doesNotMatch(r.stdout, /listening/);
});

test('serve --http with --api-key needs the bearer token; a missing model folder is a 503 that names it', async () => {
  const missing = path.join(work, 'no-such-model');
  const served = await startHttpHost(['--model', missing, '--api-key', 'team-key']);
  try {
    const ask = (key?: string) =>
      fetch(`${served.endpoint}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      });
    assert.equal((await ask()).status, 401);
    assert.equal((await ask('wrong')).status, 401);
    const res = await ask('team-key');
    assert.equal(res.status, 503);
    assert.match((await res.json()).error.message, /no-such-model does not exist/);
    const models = await fetch(`${served.endpoint}/models`, { headers: { authorization: 'Bearer team-key' } });
    assert.deepEqual(
      (await models.json()).data.map((m: { id: string }) => m.id),
      ['no-such-model'],
    );
  } finally {
    await served.stop();
  }
});

test('remote/listModels over the protocol lists the server models, or answers the Remote error code', async () => {
  const server = await fake((req) =>
    req.headers.authorization === 'Bearer k' ? modelsReply(['b-model', 'a-model']) : jsonReply(401, { error: { message: 'no' } }),
  );
  const h = startStdioHost();
  try {
    assert.deepEqual(await h.connection.sendRequest(RemoteListModelsRequest, { endpoint: server.endpoint, apiKey: 'k' }), {
      models: ['a-model', 'b-model'],
      // This server says nothing about images (and is neither LM Studio nor Ollama).
      details: [
        { id: 'a-model', vision: 'unknown' },
        { id: 'b-model', vision: 'unknown' },
      ],
    });
    await assert.rejects(h.connection.sendRequest(RemoteListModelsRequest, { endpoint: server.endpoint }), (err: { code?: number; message?: string }) => {
      assert.equal(err.code, HostErrorCodes.Remote);
      assert.match(err.message ?? '', /Set API Key/);
      return true;
    });
  } finally {
    await h.stop();
  }
});
