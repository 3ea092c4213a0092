/**
 * `model-host serve --http` probed as a web page and as an unlucky client would (loopback only): a foreign
 * Host (DNS rebinding), a foreign Origin, a text/plain "simple" POST are refused; the official `openai`
 * client is served; an oversize body, an oversize prompt (before tokenising), a prompt longer than the
 * model's context and a full queue get 413, 400, 400 and 429 with Retry-After.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import OpenAI from 'openai';
import { convertTinyModel, startHttpHost, type HttpHost } from '../fixtures/openai/serve-http-process';

const work = mkdtempSync(path.join(tmpdir(), 'vc-http-hostile-'));
const modelDir = path.join(work, 'tiny');
const ALLOWED_ORIGIN = 'http://localhost:5173';
let host: HttpHost;
let port: number;

before(async () => {
  convertTinyModel(modelDir);
  host = await startHttpHost([
    '--model',
    modelDir,
    '--model-name',
    'tiny',
    '--device',
    'cpu',
    '--allow-origin',
    ALLOWED_ORIGIN,
    '--max-prompt-chars',
    '2000',
    '--max-queue',
    '1',
  ]);
  port = Number(new URL(host.endpoint).port);
});

after(async () => {
  await host?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so the test controls every header a browser or an attacker would send. */
function request(options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/v1/chat/completions',
        headers: options.headers,
        setHost: !options.headers?.host,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const chat = (text: string, extra: object = {}) => JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: text }], max_tokens: 4, ...extra });
const json = { 'content-type': 'application/json' };
const code = (a: Answer) => (JSON.parse(a.body) as { error: { code: string; message: string } }).error;

test('the official openai client is served (with an image, and streamed)', async () => {
  const client = new OpenAI({ baseURL: host.endpoint, apiKey: 'unused-on-loopback' });
  const png = await sharp({ create: { width: 64, height: 40, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  const whole = await client.chat.completions.create({
    model: 'tiny',
    max_tokens: 5,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          { type: 'text', text: 'to html' },
        ],
      },
    ],
  });
  assert.equal(whole.object, 'chat.completion');
  assert.ok(whole.usage && whole.usage.completion_tokens > 0);
  const stream = await client.chat.completions.create({ model: 'tiny', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hello' }] });
  let chunks = 0;
  for await (const chunk of stream) if (chunk.choices[0]?.delta) chunks++;
  assert.ok(chunks > 1);
});

test('a foreign Host (DNS rebinding) is refused; the loopback names with the port are served', async () => {
  const rebound = await request({ headers: { ...json, host: `attacker.example:${port}` }, body: chat('hi') });
  assert.equal(rebound.status, 403);
  assert.equal(code(rebound).code, 'forbidden_host');
  for (const name of [`localhost:${port}`, `127.0.0.1:${port}`]) {
    const ok = await request({ method: 'GET', path: '/v1/models', headers: { host: name } });
    assert.equal(ok.status, 200, name);
  }
  const wrongPort = await request({ method: 'GET', path: '/v1/models', headers: { host: `127.0.0.1:${port + 1}` } });
  assert.equal(wrongPort.status, 403);
});

test('a foreign Origin is refused, an allowed one is served; a text/plain "simple" POST is 415', async () => {
  const evil = await request({ headers: { ...json, origin: 'http://evil.example' }, body: chat('hi') });
  assert.equal(evil.status, 403);
  assert.equal(code(evil).code, 'forbidden_origin');
  const allowed = await request({ method: 'GET', path: '/v1/models', headers: { origin: ALLOWED_ORIGIN } });
  assert.equal(allowed.status, 200);
  const simple = await request({ headers: { 'content-type': 'text/plain' }, body: chat('hi') });
  assert.equal(simple.status, 415);
  const form = await request({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
  assert.equal(form.status, 415);
});

test('oversize body: 413; oversize prompt: 400 context_length_exceeded naming the limit, before tokenising', async () => {
  const big = await request({ headers: json, body: Buffer.alloc(65 * 1024 * 1024, 0x20) });
  assert.equal(big.status, 413);
  const long = await request({ headers: json, body: chat('x'.repeat(4 * 1024 * 1024)) });
  assert.equal(long.status, 400);
  assert.equal(code(long).code, 'context_length_exceeded');
  assert.match(code(long).message, /at most 2000/);
});

test('a prompt longer than the model context is 400 context_length_exceeded, not 500', async () => {
  // Under the character cap, over the tiny model's 256 positions.
  const answer = await request({ headers: json, body: chat('word '.repeat(380)) });
  assert.equal(answer.status, 400, answer.body);
  assert.equal(code(answer).code, 'context_length_exceeded');
  assert.match(code(answer).message, /at most 256/);
});

test('a full queue answers 429 with Retry-After', async () => {
  // The first request holds the one place while its body is still arriving; the second finds the queue full.
  const body = chat('hi');
  let resolveFirst!: (a: Answer) => void;
  const first = new Promise<Answer>((resolve) => (resolveFirst = resolve));
  const held = http.request(
    { host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { ...json, 'content-length': String(body.length) } },
    (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolveFirst({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    },
  );
  held.write(body.slice(0, 10));
  await new Promise((r) => setTimeout(r, 200));
  const second = await request({ headers: json, body: chat('hi') });
  assert.equal(second.status, 429, second.body);
  assert.ok(Number(second.headers['retry-after']) > 0);
  held.end(body.slice(10));
  assert.equal((await first).status, 200);
  // Once the place is free again the next request is served.
  assert.equal((await request({ headers: json, body: chat('hi') })).status, 200);
});
