// The remote engine against the model host's own HTTP server serving the converted tiny reference
// model: the streamed text must equal the local engine's greedy output for the same input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { loadLocalEngine } from '../../model-host/engines/load-engine';
import { loadImage } from '../../model-host/images/load-image';
import { createRemoteEngine } from '../../model-host/engines/remote/remote-engine';
import type { GenerateInput, GenerateOutput, TextEngine } from '../../model-host/engines/engine';
import { convertTinyModel, startHttpHost, type HttpHost } from '../fixtures/openai/serve-http-process';

const work = mkdtempSync(path.join(tmpdir(), 'vc-remote-parity-'));
const modelDir = path.join(work, 'tiny');
let host: HttpHost;
let local: TextEngine;
let remote: TextEngine;
let withImage: GenerateInput;
const withoutImage: GenerateInput = { prompt: { user: 'write the code' }, generation: { maxNewTokens: 12 } };

before(async () => {
  convertTinyModel(modelDir);
  const png = await sharp({
    create: { width: 96, height: 64, channels: 3, background: { r: 240, g: 240, b: 240 } },
  })
    .composite([{ input: { create: { width: 40, height: 20, channels: 3, background: { r: 20, g: 90, b: 200 } } }, left: 10, top: 30 }])
    .png()
    .toBuffer();
  withImage = { prompt: { user: 'write the code' }, image: await loadImage({ base64: png.toString('base64') }), generation: { maxNewTokens: 12 } };
  host = await startHttpHost(['--model', modelDir, '--model-name', 'tiny-deepseek-vl', '--device', 'cpu']);
  local = await loadLocalEngine(modelDir, 'cpu', () => {});
  remote = createRemoteEngine({ kind: 'openai', endpoint: host.endpoint, model: 'tiny-deepseek-vl' });
});

after(async () => {
  await local?.dispose();
  await host?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function run(engine: TextEngine, input: GenerateInput): Promise<{ out: GenerateOutput; streamed: string }> {
  let streamed = '';
  const out = await engine.generate(input, { isCancelled: () => false, onText: (d) => (streamed += d), log: () => {} });
  return { out, streamed };
}

test('streamed text over HTTP equals the local greedy output, with an image', async () => {
  const a = await run(local, withImage);
  const b = await run(remote, withImage);
  assert.ok(a.out.text.length > 0, 'the local model wrote something');
  assert.equal(b.out.text, a.out.text);
  assert.equal(b.streamed, a.streamed);
  assert.equal(b.out.finishReason, a.out.finishReason);
});

test('streamed text over HTTP equals the local greedy output, text only', async () => {
  const a = await run(local, withoutImage);
  const b = await run(remote, withoutImage);
  assert.equal(b.out.text, a.out.text);
  assert.equal(b.out.finishReason, a.out.finishReason);
});

test('the non-streaming answer carries the same text and the token count in usage', async () => {
  const a = await run(local, withImage);
  const res = await fetch(`${host.endpoint}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'tiny-deepseek-vl',
      max_tokens: 12,
      temperature: 0,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:image/png;base64,${withImage.image!.png.toString('base64')}` } },
            { type: 'text', text: 'write the code' },
          ],
        },
      ],
    }),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.choices[0].message.content, a.out.text);
  assert.equal(body.choices[0].finish_reason, a.out.finishReason);
  assert.equal(body.usage.completion_tokens, a.out.tokens?.length);
});

test('latency of the HTTP path against the local path (reported, not asserted)', async (t) => {
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const localMs: number[] = [];
  const remoteMs: number[] = [];
  for (let i = 0; i < 15; i++) {
    let t0 = performance.now();
    await run(local, withImage);
    localMs.push(performance.now() - t0);
    t0 = performance.now();
    await run(remote, withImage);
    remoteMs.push(performance.now() - t0);
  }
  const min = (xs: number[]) => Math.min(...xs);
  t.diagnostic(
    `tiny model, 12 new tokens with image, 15 runs: median local ${median(localMs).toFixed(1)} ms, HTTP ${median(remoteMs).toFixed(1)} ms ` +
      `(overhead ${(median(remoteMs) - median(localMs)).toFixed(1)} ms); min local ${min(localMs).toFixed(1)} ms, HTTP ${min(remoteMs).toFixed(1)} ms`,
  );
  assert.equal(remoteMs.length, 15);
});
