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
import { jsonReply, modelsReply, sseCompletion, startFakeOpenAiServer, type FakeServer } from '../fixtures/openai/fake-openai-server';

const REMOTE_STATUS = 'visualCoder.remoteStatus';
const ANSWER = ['```html\n<main class="card">\n', '  <h1>Héllo 🎉</h1>\n', '</main>\n```'];
let vs: VsCodeSession;
let server: FakeServer;

before(async () => {
  server = await startFakeOpenAiServer((req) => {
    if (req.path === '/v1/models') return modelsReply(['vision-a', 'vision-b']);
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

test('Choose Remote Model lists the server models and switches to the picked one', async () => {
  await vs.runCommand('Visual Coder: Choose Remote Model');
  await waitUntil(async () => ((await vs.quickItems()).some((l) => l.includes('vision-b')) ? true : undefined), {
    timeoutMs: 30_000,
    what: 'the model quick pick',
  });
  assert.deepEqual((await vs.quickItems()).map((l) => /vision-[ab]/.exec(l)?.[0]).filter(Boolean), ['vision-a', 'vision-b']);
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

  const chat = server.requests.filter((r) => r.path === '/v1/chat/completions');
  assert.equal(chat.length, 1);
  assert.equal(chat[0].headers.authorization, 'Bearer e2e-key');
  const body = JSON.parse(chat[0].body);
  assert.equal(body.model, 'vision-b');
  assert.equal(body.stream, true);
  assert.match(body.messages.at(-1).content[0].image_url.url, /^data:image\/png;base64,/);
});
