// The remote engine against a loopback server speaking the real OpenAI wire format.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createRemoteEngine, type RemoteEngineOptions } from '../../model-host/engines/remote/remote-engine';
import type { GenerateContext, GenerateInput, LoadedImage } from '../../model-host/engines/engine';
import { HostErrorCodes } from '../../model-host/protocol';
import { RemoteError } from '../../model-host/engines/remote/remote-errors';
import { jsonReply, modelsReply, sseCompletion, startFakeOpenAiServer, type FakeScript, type FakeServer } from '../fixtures/openai/fake-openai-server';

const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function serve(script: FakeScript): Promise<FakeServer> {
  const s = await startFakeOpenAiServer(script);
  servers.push(s);
  return s;
}

const fast: RemoteEngineOptions = { connectTimeoutMs: 5000, idleTimeoutMs: 5000, cancelPollMs: 10 };

function context(cancelWhen?: (text: string) => boolean) {
  const deltas: string[] = [];
  const logs: string[] = [];
  const ctx: GenerateContext = {
    isCancelled: () => cancelWhen?.(deltas.join('')) ?? false,
    onText: (d) => deltas.push(d),
    log: (level, message) => logs.push(`${level}: ${message}`),
  };
  return { ctx, deltas, logs };
}

const input: GenerateInput = { prompt: { system: 'You write code.', user: 'Turn this UI into HTML.' }, generation: { maxNewTokens: 64, stop: ['</html>'] } };

async function image(width: number, height: number): Promise<LoadedImage> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .png()
    .toBuffer();
  return { png, width, height, source: 'test.png' };
}

async function rejectsRemote(promise: Promise<unknown>, pattern: RegExp): Promise<RemoteError> {
  const err = await promise.then(
    () => assert.fail('expected a RemoteError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RemoteError, `not a RemoteError: ${err}`);
  assert.equal(err.code, HostErrorCodes.Remote);
  assert.match(err.message, pattern);
  return err;
}

test('sends the OpenAI request shape: content parts, downscaled data URL, stream, max_tokens, stop, bearer key', async () => {
  const server = await serve(() => ({ chunks: [sseCompletion(['<p>', 'hi</p>'], { finish: 'stop' })] }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'vlm-7b', apiKey: 'sk-test', maxImageSide: 64 }, fast);
  const { ctx, deltas } = context();
  const out = await engine.generate({ ...input, image: await image(150, 90) }, ctx);
  assert.equal(out.text, '<p>hi</p>');
  assert.equal(out.finishReason, 'stop');
  assert.deepEqual(deltas, ['<p>', 'hi</p>']);

  const [req] = server.requests;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/v1/chat/completions');
  assert.equal(req.headers.authorization, 'Bearer sk-test');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.match(req.headers.accept ?? '', /^text\/event-stream/);
  const body = JSON.parse(req.body);
  assert.equal(body.model, 'vlm-7b');
  assert.equal(body.stream, true);
  assert.equal(body.max_tokens, 64);
  assert.equal(body.temperature, 0);
  assert.deepEqual(body.stop, ['</html>']);
  assert.deepEqual(body.messages[0], { role: 'system', content: 'You write code.' });
  assert.equal(body.messages[1].role, 'user');
  const [imagePart, textPart] = body.messages[1].content;
  assert.deepEqual(textPart, { type: 'text', text: 'Turn this UI into HTML.' });
  assert.equal(imagePart.type, 'image_url');
  const url: string = imagePart.image_url.url;
  assert.match(url, /^data:image\/png;base64,/);
  const meta = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 38]);
});

test('an image within maxImageSide is sent as it is', async () => {
  const server = await serve(() => ({ chunks: [sseCompletion(['ok'], { finish: 'stop' })] }));
  const img = await image(40, 30);
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm', maxImageSide: 64 }, fast);
  await engine.generate({ ...input, image: img }, context().ctx);
  const body = JSON.parse(server.requests[0].body);
  assert.equal(body.messages[1].content[0].image_url.url, `data:image/png;base64,${img.png.toString('base64')}`);
  assert.equal(server.requests[0].headers.authorization, undefined);
});

test('chunks cut inside a UTF-8 character and inside an SSE line, with keep-alive comments, give the exact text', async () => {
  const pieces = ['const s = "héllo', ' 世界 🎉";\r\n', '// ✓ done'];
  const bytes = Buffer.from(': keep-alive\n\n' + sseCompletion(pieces, { finish: 'stop' }).replace(/\n\n/g, '\r\n\r\n'), 'utf8');
  const emoji = bytes.indexOf(Buffer.from('🎉'));
  const check = bytes.indexOf(Buffer.from('✓'));
  const cuts = [5, 20, emoji + 1, emoji + 3, check + 2, bytes.length - 3];
  const chunks = cuts.map((c, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], c));
  chunks.push(bytes.subarray(cuts[cuts.length - 1]));
  const server = await serve(() => ({ chunks, pauseMs: 15 }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, fast);
  const { ctx, deltas } = context();
  const out = await engine.generate(input, ctx);
  assert.equal(out.text, pieces.join(''));
  assert.deepEqual(deltas, pieces);
  assert.equal(out.finishReason, 'stop');
});

test('429 with Retry-After is retried after the wait, then succeeds', async () => {
  const server = await serve((_req, i) =>
    i === 0 ? jsonReply(429, { error: { message: 'slow down' } }, { 'retry-after': '1' }) : { chunks: [sseCompletion(['fine'], { finish: 'length' })] },
  );
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, fast);
  const { ctx, logs } = context();
  const out = await engine.generate(input, ctx);
  assert.equal(out.text, 'fine');
  assert.equal(out.finishReason, 'length');
  assert.equal(server.requests.length, 2);
  // Retry-After: 1 means the second request cannot come sooner than a second after the first.
  assert.ok(server.requests[1].at - server.requests[0].at >= 950, `retried after ${server.requests[1].at - server.requests[0].at} ms`);
  assert.ok(logs.some((l) => /429; retry 1/.test(l)));
});

test('429 that persists ends with a message after the bounded retries; a Retry-After too long is not waited for', async () => {
  const server = await serve(() => jsonReply(429, { error: { message: 'quota' } }, { 'retry-after': '0' }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, { ...fast, maxRetries: 2 });
  await rejectsRemote(engine.generate(input, context().ctx), /still rate limiting \(429\) after 2 retries: quota/);
  assert.equal(server.requests.length, 3);

  const long = await serve(() => jsonReply(429, {}, { 'retry-after': '3600' }));
  const engine2 = createRemoteEngine({ kind: 'openai', endpoint: long.endpoint, model: 'm' }, fast);
  await rejectsRemote(engine2.generate(input, context().ctx), /rate limiting requests \(429/);
  assert.equal(long.requests.length, 1);
});

test('a stream cut without [DONE] keeps the partial text and reports finishReason error', async () => {
  const full = sseCompletion(['<div>', 'half'], { done: false });
  const server = await serve((_req, i) => (i === 0 ? { chunks: [full, 'data: {"choi'], pauseMs: 30, then: 'destroy' } : { chunks: [full] }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, fast);
  const cut = await engine.generate(input, context().ctx);
  assert.equal(cut.text, '<div>half');
  assert.equal(cut.finishReason, 'error');
  assert.match(cut.error ?? '', /stopped the stream before it finished .*The 9 characters received are kept/);

  // Ended cleanly by the server but without [DONE] or a finish_reason: still not a complete answer.
  const ended = await engine.generate(input, context().ctx);
  assert.equal(ended.text, '<div>half');
  assert.equal(ended.finishReason, 'error');
  assert.match(ended.error ?? '', /closed without \[DONE\]/);
});

test('a server that goes silent mid-stream hits the idle timeout; partial text is kept', async () => {
  const server = await serve(() => ({ chunks: [sseCompletion(['abc'], { done: false })], then: 'hang' }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, { ...fast, idleTimeoutMs: 300 });
  const out = await engine.generate(input, context().ctx);
  assert.equal(out.text, 'abc');
  assert.equal(out.finishReason, 'error');
  assert.match(out.error ?? '', /nothing received for 0.3 s/);
});

test('cancelling aborts the HTTP request and keeps the text so far', async () => {
  const many = Array.from({ length: 200 }, (_, i) =>
    sseCompletion([`t${i} `], { done: false })
      .split('\n\n')
      .slice(1)
      .join('\n\n'),
  );
  const server = await serve(() => ({ chunks: many, pauseMs: 20, then: 'hang' }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, fast);
  const out = await engine.generate(input, context((text) => text.includes('t2 ')).ctx);
  assert.equal(out.finishReason, 'cancelled');
  assert.match(out.text, /^t0 t1 t2 /);
  await server.requests[0].aborted; // the server saw the connection go
});

test('401 says how to set the API key', async () => {
  const server = await serve(() => jsonReply(401, { error: { message: 'Invalid API key' } }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm', apiKey: 'wrong' }, fast);
  const err = await rejectsRemote(
    engine.generate(input, context().ctx),
    /refused the API key \(401 Unauthorized\): Invalid API key\. .*Visual Coder: Set API Key/,
  );
  assert.equal(err.status, 401);
});

test('404 for a model names it and lists what the server has', async () => {
  const server = await serve((req) =>
    req.path === '/v1/models' ? modelsReply(['qwen2-vl', 'llava']) : jsonReply(404, { error: { message: 'model not found' } }),
  );
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'gpt-x' }, fast);
  await rejectsRemote(engine.generate(input, context().ctx), /no model "gpt-x" \(404\)\. It serves: llava, qwen2-vl\. Choose one/);
});

test('413 says to lower maxImageSide; 5xx carries the server message', async () => {
  const big = await serve(() => jsonReply(413, { error: { message: 'request too large' } }));
  await rejectsRemote(
    createRemoteEngine({ kind: 'openai', endpoint: big.endpoint, model: 'm', maxImageSide: 2048 }, fast).generate(input, context().ctx),
    /too large .*Lower visualCoder\.remote\.maxImageSide \(now 2048\)/,
  );
  const broken = await serve(() => jsonReply(503, { error: { message: 'CUDA out of memory' } }));
  await rejectsRemote(
    createRemoteEngine({ kind: 'openai', endpoint: broken.endpoint, model: 'm' }, fast).generate(input, context().ctx),
    /failed \(503 Service Unavailable\): CUDA out of memory\. Check the server's log/,
  );
});

test('an error status whose body never finishes still fails promptly with the status', async () => {
  const server = await serve(() => ({ status: 502, headers: { 'content-type': 'application/json' }, chunks: ['{"error": {"mess'], then: 'hang' }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, { ...fast, idleTimeoutMs: 200 });
  await rejectsRemote(engine.generate(input, context().ctx), /failed \(502 Bad Gateway\)\. Check the server's log/);
});

test('a closed port and a missing setting give messages that say what to do', async () => {
  const gone = await serve(() => ({}));
  await gone.close();
  await rejectsRemote(
    createRemoteEngine({ kind: 'openai', endpoint: gone.endpoint, model: 'm' }, fast).generate(input, context().ctx),
    /connection refused\): is the server running\?/,
  );
  assert.throws(() => createRemoteEngine({ kind: 'openai', model: 'm' }), /visualCoder\.remote\.endpoint/);
  assert.throws(() => createRemoteEngine({ kind: 'openai', endpoint: 'http://x/v1' }), /Choose Remote Model/);
  await rejectsRemote(createRemoteEngine({ kind: 'openai', endpoint: 'ftp://x', model: 'm' }).generate(input, context().ctx), /not an http\(s\) URL/);
});

test('a server that ignores stream:true and answers JSON is accepted', async () => {
  const server = await serve(() => jsonReply(200, { choices: [{ index: 0, message: { role: 'assistant', content: 'whole' }, finish_reason: 'stop' }] }));
  const { ctx, deltas } = context();
  const out = await createRemoteEngine({ kind: 'openai', endpoint: server.endpoint, model: 'm' }, fast).generate(input, ctx);
  assert.deepEqual([out.text, out.finishReason, deltas], ['whole', 'stop', ['whole']]);
});
