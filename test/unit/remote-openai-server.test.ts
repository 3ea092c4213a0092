// The model host's OpenAI-compatible HTTP server, in-process, over a scripted model boundary; and our
// remote engine as its client.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { createOpenAiServer } from '../../model-host/http/openai-server';
import type { ChatBackend, ChatBackendRequest } from '../../model-host/http/chat-backend';
import type { GenerateOutput } from '../../model-host/engines/engine';
import { createRemoteEngine } from '../../model-host/engines/remote/remote-engine';
import { listModels } from '../../model-host/engines/remote/openai-http';
import { SseParser } from '../../model-host/engines/remote/sse-parser';

/** A model that writes `pieces` one by one, `pauseMs` apart, and stops when aborted. */
class ScriptedModel implements ChatBackend {
  readonly modelId = 'tiny-vlm';
  readonly requests: ChatBackendRequest[] = [];
  aborted = 0;
  constructor(
    private readonly pieces: string[],
    private readonly pauseMs = 0,
    private readonly outcome: Partial<GenerateOutput> = {},
  ) {}
  async generate(request: ChatBackendRequest, onText: (d: string) => void, signal: AbortSignal): Promise<GenerateOutput> {
    this.requests.push(request);
    let text = '';
    for (const p of this.pieces) {
      if (signal.aborted) {
        this.aborted++;
        return { text, finishReason: 'cancelled', timings: { totalMs: 0 } };
      }
      text += p;
      onText(p);
      if (this.pauseMs) await new Promise((r) => setTimeout(r, this.pauseMs));
    }
    return { text, finishReason: 'stop', tokens: this.pieces.map((_, i) => i), timings: { totalMs: 1 }, ...this.outcome };
  }
}

const closers: (() => void)[] = [];
after(() => closers.forEach((c) => c()));

async function start(model: ChatBackend, apiKey?: string) {
  const logs: string[] = [];
  const server = createOpenAiServer({ backend: model, apiKey, log: (l, m) => logs.push(`${l}: ${m}`), keepAliveMs: 20 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { base, post, logs };
}

const pngDataUrl = async () =>
  `data:image/png;base64,${(
    await sharp({ create: { width: 20, height: 10, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } })
      .png()
      .toBuffer()
  ).toString('base64')}`;

test('GET /v1/models lists the served model', async () => {
  const { base } = await start(new ScriptedModel([]));
  const res = await fetch(`${base}/models`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, 'list');
  assert.deepEqual(
    body.data.map((m: { id: string }) => m.id),
    ['tiny-vlm'],
  );
  assert.deepEqual(await listModels({ endpoint: base }), ['tiny-vlm']);
});

test('non-streaming completion has the OpenAI shape with usage, and the image reaches the model normalised', async () => {
  const model = new ScriptedModel(['<h1>', 'Hi', '</h1>']);
  const { post } = await start(model);
  const res = await post({
    model: 'tiny-vlm',
    messages: [
      { role: 'system', content: 'sys' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: await pngDataUrl() } },
          { type: 'text', text: 'to html' },
        ],
      },
    ],
    max_tokens: 12,
    temperature: 0,
    stop: '</html>',
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, 'chat.completion');
  assert.match(body.id, /^chatcmpl-/);
  assert.deepEqual(body.choices, [{ index: 0, message: { role: 'assistant', content: '<h1>Hi</h1>' }, finish_reason: 'stop' }]);
  assert.deepEqual(body.usage, { prompt_tokens: 0, completion_tokens: 3, total_tokens: 3 });
  const [req] = model.requests;
  assert.deepEqual(req.prompt, { system: 'sys', user: 'to html' });
  assert.deepEqual(req.generation, { maxNewTokens: 12, temperature: 0, stop: ['</html>'] });
  assert.deepEqual([req.image?.width, req.image?.height], [20, 10]);
  const meta = await sharp(req.image!.png).metadata();
  assert.equal(meta.hasAlpha, true, 'the pixels reach the engine as sent (each engine decides what alpha means)');
  assert.equal(req.image?.hasAlpha, true);
});

test('streaming sends role, content deltas, finish_reason, usage on request, then [DONE]', async () => {
  const { post } = await start(new ScriptedModel(['a', 'é', '🎉']));
  const res = await post({ messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const parser = new SseParser();
  const events = [...parser.push(new Uint8Array(await res.arrayBuffer())), ...parser.end().events].map((e) => e.data);
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((d) => JSON.parse(d));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  assert.deepEqual(
    chunks.slice(1, 4).map((c) => c.choices[0].delta.content),
    ['a', 'é', '🎉'],
  );
  assert.equal(chunks[4].choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks[5].usage, { prompt_tokens: 0, completion_tokens: 3, total_tokens: 3 });
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'tiny-vlm'));
});

test('a streamed request waiting for the model gets keep-alive comments', async () => {
  class SlowStart extends ScriptedModel {
    override async generate(request: ChatBackendRequest, onText: (d: string) => void, signal: AbortSignal) {
      await new Promise((r) => setTimeout(r, 120)); // e.g. queued behind another request
      return super.generate(request, onText, signal);
    }
  }
  const { post } = await start(new SlowStart(['x']));
  const res = await post({ messages: [{ role: 'user', content: 'hi' }], stream: true });
  const raw = await res.text();
  assert.match(raw, /^: keep-alive$/m);
  assert.match(raw, /data: \[DONE\]\n\n$/);
});

test('our remote engine round-trips through the server with the same text', async () => {
  const { base } = await start(new ScriptedModel(['function ', 'f() {}', ' // ✓'], 5));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: base, model: 'tiny-vlm' });
  const deltas: string[] = [];
  const out = await engine.generate({ prompt: { user: 'x' }, generation: {} }, { isCancelled: () => false, onText: (d) => deltas.push(d), log: () => {} });
  assert.deepEqual([out.text, out.finishReason, deltas], ['function f() {} // ✓', 'stop', ['function ', 'f() {}', ' // ✓']]);
});

test('a client that disconnects mid-stream cancels the generation', async () => {
  const model = new ScriptedModel(
    Array.from({ length: 100 }, (_, i) => `${i} `),
    10,
  );
  const { base, logs } = await start(model);
  const engine = createRemoteEngine({ kind: 'openai', endpoint: base, model: 'tiny-vlm' }, { cancelPollMs: 5 });
  let seen = '';
  const out = await engine.generate(
    { prompt: { user: 'x' }, generation: {} },
    { isCancelled: () => seen.includes('3 '), onText: (d) => (seen += d), log: () => {} },
  );
  assert.equal(out.finishReason, 'cancelled');
  for (let i = 0; i < 100 && model.aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(model.aborted, 1, 'the model saw the abort');
  assert.ok(logs.some((l) => /client disconnected/.test(l)));
});

test('an API key is required when set: 401 without or with a wrong one, 200 with it', async () => {
  const { base, post } = await start(new ScriptedModel(['ok']), 's3cret');
  const missing = await post({ messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(missing.status, 401);
  assert.equal((await missing.json()).error.code, 'invalid_api_key');
  assert.equal((await post({ messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer nope' })).status, 401);
  assert.equal((await post({ messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer s3cret' })).status, 200);
  await assert.rejects(listModels({ endpoint: base, apiKey: 'nope' }), /refused the API key \(401/);
  assert.deepEqual(await listModels({ endpoint: base, apiKey: 's3cret' }), ['tiny-vlm']);
});

test('requests the local host cannot honour get a 400/404 that says what to send, and the model is not run', async () => {
  const model = new ScriptedModel(['never']);
  const { base, post } = await start(model);
  const cases: [unknown, number, RegExp][] = [
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 400, /works offline .*data URL/],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] }, 400, /Cannot use the image/],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 400, /"input_audio" is not supported/],
    [
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
          { role: 'user', content: 'c' },
        ],
      },
      400,
      /assistant turns are not supported/,
    ],
    [{ messages: [] }, 400, /messages must be a non-empty array/],
    [{ messages: [{ role: 'user', content: 'a' }], n: 2 }, 400, /n must be 1/],
    [{ messages: [{ role: 'user', content: 'a' }], temperature: 9 }, 400, /temperature must be a number from 0 to 2/],
    [{ model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }] }, 404, /"gpt-4o" does not exist on this server; it serves "tiny-vlm"/],
  ];
  for (const [body, status, message] of cases) {
    const res = await post(body);
    assert.equal(res.status, status, JSON.stringify(body));
    assert.match((await res.json()).error.message, message);
  }
  const notJson = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(notJson.status, 400);
  const unknown = await fetch(`${base}/completions`, { method: 'POST', body: '{}' });
  assert.equal(unknown.status, 404);
  assert.equal(model.requests.length, 0);
});

test('a model failure mid-stream is reported in the stream and our engine keeps the partial text', async () => {
  const { base } = await start(new ScriptedModel(['part'], 0, { finishReason: 'error', error: 'out of memory' }));
  const engine = createRemoteEngine({ kind: 'openai', endpoint: base, model: 'tiny-vlm' });
  const out = await engine.generate({ prompt: { user: 'x' }, generation: {} }, { isCancelled: () => false, onText: () => {}, log: () => {} });
  assert.equal(out.text, 'part');
  assert.equal(out.finishReason, 'error');
  assert.match(out.error ?? '', /out of memory/);
});
