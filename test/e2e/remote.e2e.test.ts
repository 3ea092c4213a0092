/**
 * The remote backend in a real VS Code (code-server): with `visualCoder.backend = openai` pointing
 * at an OpenAI-compatible server on 127.0.0.1 (run by this test, speaking the real wire format),
 * the status bar names model and server, Set API Key stores the key, Choose Remote Model lists the
 * server's models, and "Screenshot to Code" streams the server's answer into a new editor.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { VsCodeSession, isAlive, waitUntil } from './harness';
import { jsonReply, sseCompletion, startFakeOpenAiServer, type FakeServer } from '../fixtures/openai/fake-openai-server';

const REMOTE_STATUS = 'visualCoder.remoteStatus';
const ANSWER = ['```html\n<main class="card">\n', '  <h1>Héllo 🎉</h1>\n', '</main>\n```'];
let vs: VsCodeSession;
let server: FakeServer;

before(async () => {
  server = await startFakeOpenAiServer((req) => {
    // vision-a says it reads images, text-c that it does not, vision-b says nothing (a probe finds out).
    if (req.path === '/v1/models') {
      return jsonReply(200, {
        data: [
          { id: 'vision-a', object: 'model', input_modalities: ['text', 'image'] },
          { id: 'vision-b', object: 'model' },
          { id: 'text-c', object: 'model', input_modalities: ['text'] },
        ],
      });
    }
    if (req.headers.authorization !== 'Bearer e2e-key') return jsonReply(401, { error: { message: 'missing key' } });
    // Split inside the emoji so the editor must get the text right from split chunks too.
    const bytes = Buffer.from(sseCompletion(ANSWER, { finish: 'stop' }));
    const cut = bytes.indexOf(Buffer.from('🎉')) + 2;
    return { chunks: [bytes.subarray(0, cut), bytes.subarray(cut)], pauseMs: 30 };
  });
  const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#e8eef8' } })
    .png()
    .toBuffer();
  vs = await VsCodeSession.launch({
    files: { 'img/shot.png': png, 'notes.md': '# Notes\n' },
    settings: {
      'visualCoder.device': 'cpu',
      'visualCoder.backend': 'openai',
      'visualCoder.remote.endpoint': server.endpoint,
      'visualCoder.remote.model': 'vision-a',
      'visualCoder.ocrAugmentedPrompts': false,
    },
  });
  // The extension activates on demand: a Markdown file (its image CodeLens) is one of the triggers.
  await vs.openFile('notes.md');
  await vs.waitForActivation();
});

after(async () => {
  const pids = vs ? vs.processes().map((p) => p.pid) : [];
  await vs?.close();
  await server?.close();
  assert.deepEqual(pids.filter(isAlive), [], 'close() left processes running');
});

const host = () => new URL(server.endpoint).host;

test('the status bar shows the remote model and the server host', async () => {
  const text = await vs.waitForStatusBar(REMOTE_STATUS, /vision-a @ /, 60_000);
  assert.equal(text, `vision-a @ ${host()}`);
});

test('Set API Key stores the key in secret storage, not in settings', async () => {
  await vs.runCommand('Visual Coder: Set API Key');
  await vs.typeInQuickInput('e2e-key');
  await vs.waitForNotification(new RegExp(`saved the API key for ${host().replace(/\./g, '\\.')}`));
  for (const file of [path.join(vs.userDataDir, 'User', 'settings.json'), path.join(vs.userDataDir, 'Machine', 'settings.json')]) {
    if (existsSync(file)) assert.doesNotMatch(readFileSync(file, 'utf8'), /e2e-key/, file);
  }
});

test('Choose Remote Model marks which models read images, probes the unknown one on request, and switches to the picked one', async () => {
  await vs.runCommand('Visual Coder: Choose Remote Model');
  await waitUntil(async () => ((await vs.quickItems()).some((l) => l.includes('vision-b')) ? true : undefined), {
    timeoutMs: 30_000,
    what: 'the model quick pick',
  });
  const rows = await vs.quickItems();
  assert.deepEqual(rows.map((l) => /vision-[ab]|text-c/.exec(l)?.[0]).filter(Boolean), ['vision-a', 'vision-b', 'text-c']);
  assert.match(
    rows.find((l) => l.includes('vision-a'))!,
    /reads images/,
  );
  assert.match(
    rows.find((l) => l.includes('text-c'))!,
    /text only/,
  );
  assert.match(
    rows.find((l) => l.includes('vision-b'))!,
    /does not say whether it reads images/,
  );
  const probesBefore = server.requests.filter((r) => r.path === '/v1/chat/completions').length;
  await vs.pickQuickItem(/Check which models read images/);
  // The probe asked vision-b alone, with a one-pixel image, and the list comes back knowing.
  await waitUntil(async () => ((await vs.quickItems()).some((l) => /vision-b, reads images/.test(l)) ? true : undefined), {
    timeoutMs: 30_000,
    what: 'vision-b marked as reading images after the probe',
  });
  const probes = server.requests.filter((r) => r.path === '/v1/chat/completions').slice(probesBefore);
  assert.deepEqual(
    probes.map((r) => (JSON.parse(r.body) as { model: string }).model),
    ['vision-b'],
  );
  assert.match(probes[0].body, /data:image\/png;base64,/);
  await vs.pickQuickItem(/vision-b/);
  assert.equal(await vs.waitForStatusBar(REMOTE_STATUS, /vision-b/, 30_000), `vision-b @ ${host()}`);
});

test('Screenshot to Code with backend openai streams the server answer into a new editor', async () => {
  await vs.openFile('img/shot.png');
  await vs.runCommand('Visual Coder: Screenshot to Code');
  await vs.pickQuickItem(/shot\.png/);
  await vs.pickQuickItem(/HTML \+ CSS/);
  // The answer streams in as the server sends it, fences and all; when the task ends the editor gets
  // the post-processed code. Wait for that final text, not the first one that holds `</main>`.
  const expected = '<main class="card">\n  <h1>Héllo 🎉</h1>\n</main>';
  let last = '';
  await waitUntil(
    async () => {
      last = await vs.activeEditorText().catch(() => '');
      return last.trim() === expected || undefined;
    },
    { timeoutMs: 60_000, what: 'the post-processed remote answer in the editor', describeLast: () => `the editor held ${JSON.stringify(last)}` },
  );

  // The probe of the test before sent one request (stream false); the task sends one more.
  const chat = server.requests.filter((r) => r.path === '/v1/chat/completions' && JSON.parse(r.body).stream === true);
  assert.equal(chat.length, 1);
  assert.equal(chat[0].headers.authorization, 'Bearer e2e-key');
  const body = JSON.parse(chat[0].body);
  assert.equal(body.model, 'vision-b');
  assert.equal(body.stream, true);
  assert.match(body.messages.at(-1).content[0].image_url.url, /^data:image\/png;base64,/);
});
