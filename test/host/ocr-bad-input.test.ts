/**
 * Bad input to the OCR engine, in process (the engine itself) and through the real host
 * (`task/run transcribe-code`): an empty file, an image without text, a 20000×200 strip and a huge
 * image each give a clear result or a clear BadImage error, and the host keeps serving afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { HostErrorCodes, InitializeRequest, PingRequest, TaskRunRequest } from '../../model-host/protocol';
import { ocrTextForPrompt, transcribeCode } from '../../model-host/engines/ocr';
import { ocrJob } from '../../model-host/worker/jobs/ocr-job';
import { hostScript, startHost, stopHost, type RunningHost } from './host-test-helpers';

let host: RunningHost;
let dir: string;

const blank = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();

/** A strip with a line of "text-like" dark bars, so the detector has something to look at. */
async function strip(width: number, height: number): Promise<Buffer> {
  const bars = Array.from({ length: 40 }, (_, i) => ({
    input: { create: { width: 8, height: 14, channels: 3 as const, background: '#000000' } },
    left: 20 + i * 12,
    top: 90,
  }));
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(bars)
    .png()
    .toBuffer();
}

before(async () => {
  assert.ok(existsSync(hostScript), 'run `node scripts/build.mjs` first');
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-ocr-bad-'));
  writeFileSync(path.join(dir, 'empty.png'), Buffer.alloc(0));
  writeFileSync(path.join(dir, 'blank.png'), await blank(400, 200));
  writeFileSync(path.join(dir, 'strip.png'), await strip(20000, 200));
  // 8000×6000 = 48 megapixels: over the 40-megapixel cap, but a small file (it is all white).
  writeFileSync(path.join(dir, 'huge.png'), await blank(8000, 6000));
  host = startHost();
  await host.connection.sendRequest(InitializeRequest, { clientName: 'ocr-bad-input-test', device: 'cpu', modelsDir: dir });
});

after(async () => {
  if (host) await stopHost(host);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (file: string) => host.connection.sendRequest(TaskRunRequest, { runId: file, taskId: 'transcribe-code', image: { path: path.join(dir, file) } });

test('an empty file is a BadImage error that says so', async () => {
  await assert.rejects(run('empty.png'), (err: { code: number; message: string }) => err.code === HostErrorCodes.BadImage && /empty/.test(err.message));
});

test('an image without text gives empty code, not an error', async () => {
  const result = await run('blank.png');
  assert.equal(result.output.trim(), '');
  assert.deepEqual(result.lines ?? [], []);
});

test('a 20000×200 strip is read without a crash', async () => {
  const result = await run('strip.png');
  assert.equal(result.finishReason, 'stop');
  assert.equal(typeof result.output, 'string');
});

test('a huge image is a BadImage error that says what to do', async () => {
  await assert.rejects(
    run('huge.png'),
    (err: { code: number; message: string }) => err.code === HostErrorCodes.BadImage && /megapixels/.test(err.message) && /crop|downscale/.test(err.message),
  );
});

test('the host still answers after the bad inputs', async () => {
  const pong = await host.connection.sendRequest(PingRequest);
  assert.equal(typeof pong.hostTimeMs, 'number');
});

test('the engine itself: empty and oversized images are refused with a message, blank ones give a message', async () => {
  await assert.rejects(transcribeCode({ png: Buffer.alloc(0), width: 0, height: 0, source: 'zero' }), /empty \(0×0\)/);
  await assert.rejects(transcribeCode({ png: Buffer.alloc(10), width: 9000, height: 9000, source: 'big' }), /too large for OCR.*crop it/);
  await assert.rejects(transcribeCode({ png: Buffer.from('not a png'), width: 10, height: 10, source: 'junk' }), /cannot decode/);
  const png = await blank(300, 80);
  const result = await transcribeCode({ png, width: 300, height: 80, source: 'blank' });
  assert.equal(result.code, '');
  assert.match(result.message ?? '', /No text/);
  assert.equal(await ocrTextForPrompt({ png, width: 300, height: 80, source: 'blank' }), '');
});

test('the worker job takes the image as a structured-cloned Uint8Array and refuses a payload without one', async () => {
  const ctx = { isCancelled: () => false, emit: () => undefined, log: () => undefined };
  const png = new Uint8Array(await blank(200, 60));
  assert.deepEqual(await ocrJob({ op: 'prompt-text', image: { png, width: 200, height: 60, source: 'blank' } }, ctx), { text: '' });
  const result = (await ocrJob({ op: 'transcribe', image: { png, width: 200, height: 60, source: 'blank' } }, ctx)) as { code: string };
  assert.equal(result.code, '');
  await assert.rejects(ocrJob({ op: 'transcribe' }, ctx), /ocr job needs/);
});
