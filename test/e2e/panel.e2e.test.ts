/**
 * The screenshot-to-code panel in a real VS Code (code-server) with the converted tiny reference
 * model: a pasted image, streaming into the code view, the sandboxed preview (checked inside its
 * iframe), Insert; then Cancel of a palette command against a slow OpenAI-compatible server on
 * 127.0.0.1 (the tiny model finishes too fast to cancel), which keeps the partial text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Frame } from 'playwright-core';
import { VsCodeSession, repoRoot, waitUntil } from './harness';
import { runTaskWithCli } from '../fixtures/cli/run-task';
import { convertTinyModel } from '../fixtures/cli/tiny-model';

const MAX_NEW_TOKENS = 48;
/** What a capable remote model might answer, for the Tailwind rendering check and the docs screenshot. */
/**
 * Model output that tries to run script and reach the network from the preview: a commented and an
 * attribute `<head>` (which fooled the old "first <head" insertion), inline and SVG scripts, handlers,
 * `<base>`, a meta refresh, an auto-submitted form, remote images, styles and fonts. Every URL points at
 * the test server, which records any request that is not the chat completion.
 */
function hostileAnswer(origin: string): string {
  return [
    '```html',
    `<!--<head>--><!DOCTYPE html><html><head title="<head>"><base href="${origin}/base/">`,
    `<meta http-equiv="refresh" content="0; url=${origin}/refresh">`,
    `<link rel="stylesheet" href="${origin}/style.css"><style>@import url("${origin}/import.css"); @font-face { font-family: x; src: url("${origin}/font.woff"); }</style>`,
    '<script>window.top.pwned = 1; document.title = "PWNED";</script></head>',
    `<body onload="document.title='PWNED-onload'"><img src="${origin}/pixel.png" onerror="document.title='PWNED-onerror'">`,
    `<svg xmlns="http://www.w3.org/2000/svg"><script>document.title='PWNED-svg'</script><image href="${origin}/svg.png"/></svg>`,
    `<form id="f" action="${origin}/form" method="post"><input name="a" value="b"></form><script>document.getElementById('f').submit()</script>`,
    `<iframe src="${origin}/frame"></iframe><p id="hostile-marker">still here</p></body></html>`,
    '```',
  ].join('\n');
}

const DEMO_ANSWER = `Sure! Here is the page:
\`\`\`html
<div class="min-h-screen bg-slate-50 p-8">
  <div class="mx-auto max-w-md rounded-xl bg-white p-6 shadow-lg">
    <h1 class="text-2xl font-bold text-slate-900">Welcome back</h1>
    <p class="mt-2 text-slate-600">Sign in to continue.</p>
    <button id="cta" class="mt-6 w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white">Sign in</button>
  </div>
</div>
\`\`\`
`;
let vs: VsCodeSession;
let tmp: string;
let modelDir: string;
let png: Buffer;
let server: http.Server;
let endpoint: string;
let chunksSent = 0;
/** Requests the test server got that were not the chat completion: anything the preview let out. */
const leaks: string[] = [];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'vc-e2e-panel-'));
  modelDir = convertTinyModel(tmp);
  png = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#dd8844' } })
    .png()
    .toBuffer();
  writeFileSync(join(tmp, 'shot.png'), png);

  // A slow OpenAI-compatible server: one line of HTML every 250 ms, 400 lines in all.
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (content: string) => res.write(`data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`);
      if (req.url !== '/v1/chat/completions') {
        leaks.push(`${req.method} ${req.url}`);
        return void res.end();
      }
      if (JSON.parse(body).model === 'hostile') {
        send(hostileAnswer(`http://127.0.0.1:${(server.address() as { port: number }).port}`));
        return void res.end('data: [DONE]\n\n');
      }
      if (JSON.parse(body).model === 'demo') {
        for (const line of DEMO_ANSWER.split(/(?<=\n)/)) send(line);
        return void res.end('data: [DONE]\n\n');
      }
      send('Here it is:\n```html\n<div>\n');
      for (let i = 0; i < 400 && !res.destroyed; i++) {
        await new Promise((r) => setTimeout(r, 250));
        if (res.destroyed) break;
        send(`<p>line ${i}</p>\n`);
        chunksSent++;
      }
      if (!res.destroyed) res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;

  vs = await VsCodeSession.launch({
    files: { 'img/shot.png': png, 'notes.txt': 'BEFORE\n' },
    settings: {
      'visualCoder.model': modelDir,
      'visualCoder.device': 'cpu',
      'visualCoder.ocrAugmentedPrompts': false,
      'visualCoder.maxNewTokens': MAX_NEW_TOKENS,
    },
  });
});

after(async () => {
  await vs?.close();
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function panelFrame(): Promise<Frame> {
  return waitUntil(
    async () => {
      for (const frame of vs.page.frames()) {
        if (await frame.$('#generate').catch(() => null)) return frame;
      }
      return undefined;
    },
    { timeoutMs: 30_000, what: 'the panel webview' },
  );
}

test('the panel takes a pasted image, streams the code, previews it sandboxed, and inserts it', async () => {
  const want = runTaskWithCli({
    taskId: 'ui-to-code',
    option: 'stack=html-tailwind',
    image: join(tmp, 'shot.png'),
    model: modelDir,
    maxNewTokens: MAX_NEW_TOKENS,
  });
  await vs.openFile('notes.txt'); // the editor Insert goes to
  await vs.runCommand('Visual Coder: Open Screenshot to Code Panel');
  const frame = await panelFrame();
  await waitUntil(async () => ((await frame.locator('#stack option').count()) === 5 ? true : undefined), { what: 'the stacks from the host' });
  await frame.selectOption('#stack', 'html-tailwind');

  // Paste: a real paste event carrying the PNG, as Ctrl+V of a screenshot delivers it.
  await frame.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'shot.png', { type: 'image/png' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, png.toString('base64'));
  await waitUntil(async () => ((await frame.locator('#image').getAttribute('src'))?.startsWith('data:image/png;base64,') ? true : undefined), {
    what: 'the pasted image shown',
  });

  await frame.click('#generate');
  await waitUntil(async () => (/Done|token limit/.test((await frame.textContent('#status')) ?? '') ? true : undefined), {
    timeoutMs: 60_000,
    what: 'generation to end',
    describeLast: async () => (await frame.textContent('#status')) ?? '',
  });
  assert.equal(await frame.textContent('#code'), want.output);

  // The preview: sandboxed without same-origin, its own no-network CSP, Tailwind injected its styles.
  const iframe = frame.locator('iframe#preview');
  assert.equal(await iframe.getAttribute('sandbox'), 'allow-scripts');
  const preview = await waitUntil(() => frame.childFrames().find((f) => f.url() === 'about:srcdoc'), { what: 'the preview frame' });
  const inside = await preview.evaluate(() => ({
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
    styles: document.querySelectorAll('style').length,
    text: document.body.textContent ?? '',
    sameOrigin: (() => {
      try {
        return !!window.parent.document;
      } catch {
        return false;
      }
    })(),
  }));
  assert.match(inside.csp, /^default-src 'none'; img-src data:;.*script-src 'nonce-/);
  assert.ok(inside.styles > 0, 'Tailwind (bundled) injected its stylesheet');
  assert.equal(inside.sameOrigin, false, 'the preview cannot reach the panel');
  assert.ok(inside.text.replace(/\s/g, '').length > 0);

  await frame.click('#insert');
  await waitUntil(async () => ((await vs.activeEditorTitle())?.includes('notes.txt') ? true : undefined), { what: 'notes.txt active after Insert' });
  await vs.page.keyboard.press('Control+S');
  await waitUntil(() => vs.readWorkspaceFile('notes.txt') !== 'BEFORE\n' || undefined, { what: 'notes.txt saved' });
  assert.equal(vs.readWorkspaceFile('notes.txt'), want.output + 'BEFORE\n');
});

test('Cancel stops the stream and keeps the partial text, post-processed', async () => {
  for (const scope of ['User', 'Machine']) {
    const file = join(vs.userDataDir, scope, 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(
      file,
      JSON.stringify(
        {
          ...settings,
          'visualCoder.backend': 'openai',
          'visualCoder.remote.endpoint': endpoint,
          'visualCoder.remote.model': 'slow',
          'visualCoder.maxNewTokens': 100000,
        },
        null,
        2,
      ),
    );
  }
  await new Promise((r) => setTimeout(r, 2000));
  await vs.openFile('img/shot.png');
  await vs.runCommand('Visual Coder: Screenshot to Code');
  await vs.pickQuickItem(/shot\.png/);
  await vs.pickQuickItem(/HTML \+ CSS/);
  const note = await vs.waitForNotification(/Screenshot to Code.*writing/, 60_000);
  await waitUntil(() => (chunksSent >= 3 ? true : undefined), { what: 'a few lines streamed' });
  await note.clickButton('Cancel');
  const line = await vs.waitForOutput('Visual Coder', /ui-to-code: cancelled after \d+ ms/, 30_000);
  assert.ok(line);
  const sentAtCancel = chunksSent;
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(chunksSent <= sentAtCancel + 2, `the server stopped streaming (sent ${chunksSent}, ${sentAtCancel} at cancel)`);
  const text = await vs.activeEditorText();
  const lines = text.split('\n').filter(Boolean);
  // Post-processed: the chatter and the fence are gone, the partial block is kept.
  assert.equal(lines[0], '<div>');
  assert.ok(lines.length >= 3 && lines.length < 60, `kept ${lines.length} lines`);
  lines.slice(1).forEach((l, i) => assert.equal(l, `<p>line ${i}</p>`));
});

test('with a capable backend the preview renders Tailwind classes from the bundled runtime', async () => {
  for (const scope of ['User', 'Machine']) {
    const file = join(vs.userDataDir, scope, 'settings.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), 'visualCoder.remote.model': 'demo' }, null, 2));
  }
  await new Promise((r) => setTimeout(r, 2000));
  await vs.runCommand('Visual Coder: Open Screenshot to Code Panel');
  const frame = await panelFrame();
  await frame.selectOption('#stack', 'html-tailwind');
  // Keyboard only: from the stack picker, Tab reaches Choose image…, Generate, Regenerate; Enter presses it.
  await frame.focus('#stack');
  const trail = [await frame.evaluate(() => document.activeElement?.id)];
  for (let i = 0; i < 3; i++) {
    await vs.page.keyboard.press('Tab');
    trail.push(await frame.evaluate(() => document.activeElement?.id));
  }
  assert.deepEqual(trail, ['stack', 'choose', 'generate', 'regenerate']);
  await vs.page.keyboard.press('Enter');
  await waitUntil(async () => ((await frame.textContent('#status')) === 'Done.' ? true : undefined), {
    timeoutMs: 30_000,
    what: 'the demo answer',
    describeLast: async () => (await frame.textContent('#status')) ?? '',
  });
  assert.match((await frame.textContent('#code')) ?? '', /^<div class="min-h-screen/);
  const colour = await waitUntil(
    async () => {
      const preview = frame.childFrames().find((f) => f.url() === 'about:srcdoc');
      const c = await preview
        ?.evaluate(() => {
          const el = document.getElementById('cta');
          return el ? getComputedStyle(el).backgroundColor : undefined;
        })
        .catch(() => undefined);
      return c && c !== 'rgba(0, 0, 0, 0)' ? c : undefined;
    },
    { timeoutMs: 20_000, what: 'the button styled by Tailwind in the preview' },
  );
  assert.match(colour, /oklch|rgb/);
  // The README's screenshot, refreshed on request only (a test run must not dirty the tree).
  if (process.env.UPDATE_SCREENSHOTS) await vs.page.locator('.editor-group-container.active').screenshot({ path: join(repoRoot, 'docs', 'panel.png') });

  // Open as file: the code in a new editor with the stack's language.
  await frame.click('#open-file');
  await waitUntil(async () => ((await vs.activeEditorText()).includes('Welcome back') ? true : undefined), { what: 'the code opened as a file' });

  // A window reload restores the panel (serializer) with its code, image and status (webview state).
  await vs.runCommand('Developer: Reload Window');
  await vs.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  const restored = await waitUntil(
    async () => {
      for (const f of vs.page.frames()) {
        const code = await f.textContent('#code', { timeout: 500 }).catch(() => null);
        if (code) return { code, status: await f.textContent('#status'), image: await f.getAttribute('#image', 'src') };
      }
      return undefined;
    },
    { timeoutMs: 60_000, what: 'the panel restored after the reload' },
  );
  assert.match(restored.code, /^<div class="min-h-screen/);
  assert.equal(restored.status, 'Done.');
  assert.match(restored.image ?? '', /^data:image\/png;base64,/);

  // High contrast: the panel follows the theme's variables (contrast borders, focus outline).
  for (const scope of ['User', 'Machine']) {
    const file = join(vs.userDataDir, scope, 'settings.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), 'workbench.colorTheme': 'Default High Contrast' }, null, 2));
  }
  await vs.runCommand('Visual Coder: Open Screenshot to Code Panel');
  const hc = await panelFrame();
  const look = await waitUntil(
    async () => {
      const l = await hc.evaluate(() => {
        const b = getComputedStyle(document.getElementById('insert')!);
        return {
          contrast: getComputedStyle(document.documentElement).getPropertyValue('--vscode-contrastBorder').trim(),
          border: b.borderTopColor,
          bg: getComputedStyle(document.body).backgroundColor,
        };
      });
      return l.contrast ? l : undefined;
    },
    { timeoutMs: 20_000, what: 'the high-contrast theme in the panel' },
  );
  assert.equal(look.bg, 'rgb(0, 0, 0)');
  assert.notEqual(look.border, 'rgba(0, 0, 0, 0)', 'buttons have a visible contrast border');
});

test('hostile model output in the preview runs no script and reaches no server; the panel ignores messages from the preview', async () => {
  for (const scope of ['User', 'Machine']) {
    const file = join(vs.userDataDir, scope, 'settings.json');
    const settings = {
      ...JSON.parse(readFileSync(file, 'utf8')),
      'visualCoder.backend': 'openai',
      'visualCoder.remote.endpoint': endpoint,
      'visualCoder.remote.model': 'hostile',
    };
    writeFileSync(file, JSON.stringify(settings, null, 2));
  }
  await new Promise((r) => setTimeout(r, 2000));
  await vs.runCommand('Visual Coder: Open Screenshot to Code Panel');
  const frame = await panelFrame();
  await frame.selectOption('#stack', 'html-css');
  await frame.click('#generate');
  await waitUntil(async () => ((await frame.textContent('#status')) === 'Done.' ? true : undefined), {
    timeoutMs: 30_000,
    what: 'the hostile answer',
    describeLast: async () => (await frame.textContent('#status')) ?? '',
  });
  const preview = await waitUntil(
    async () => {
      const f = frame.childFrames().find((c) => c.url() === 'about:srcdoc');
      return (await f?.$('#hostile-marker').catch(() => null)) ? f : undefined;
    },
    {
      timeoutMs: 20_000,
      what: 'the hostile page in the preview',
      describeLast: async () =>
        JSON.stringify({ frames: frame.childFrames().map((c) => c.url()), leaks, code: ((await frame.textContent('#code')) ?? '').slice(0, 200) }),
    },
  );
  // Give refreshes, loads and form posts time to happen if they could.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(preview.url(), 'about:srcdoc', 'the preview did not navigate');
  assert.equal(await preview.evaluate(() => document.title), '', 'no script of the model ran');
  assert.equal(await frame.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  assert.deepEqual(leaks, [], 'no request left the preview');
  // A script in the preview (run here by the test itself) cannot drive the panel.
  const before = await frame.textContent('#code');
  await preview.evaluate(() => window.parent.postMessage({ type: 'done', output: 'INJECTED', language: 'html', finishReason: 'stop' }, '*'));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await frame.textContent('#code'), before);
});
