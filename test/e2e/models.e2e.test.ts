/**
 * Choosing and downloading a model in a real VS Code (code-server): the walkthrough, Select Model's
 * quick pick (recommended first), the licence dialog, the download from a hub served from 127.0.0.1
 * by this test with its progress notification, and the status bar naming the new active model.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VsCodeSession, isAlive, repoRoot } from './harness';
import { TestHub } from '../fixtures/hub/hub-server';

const MODEL_STATUS = 'visualCoder.activeModel';
let vs: VsCodeSession;
let hub: TestHub;
let store: string;
const decoder = randomBytes(6_000_000);
const janusLm = randomBytes(8_000_000);

before(async () => {
  hub = await TestHub.start();
  // The Qwen2-VL preset's files, for GPU and CPU file sets (the host here runs on the CPU).
  const files: Record<string, Buffer | string> = { 'config.json': '{"model_type":"qwen2_vl"}', 'tokenizer.json': '{}' };
  for (const name of ['embed_tokens', 'embed_tokens_fp16', 'vision_encoder_q4', 'vision_encoder_q4f16', 'decoder_model_merged_q4f16']) {
    files[`onnx/${name}.onnx`] = randomBytes(50_000);
  }
  files['onnx/decoder_model_merged_q4.onnx'] = decoder;
  hub.addRepo('onnx-community/Qwen2-VL-2B-Instruct', files);
  hub.addRepo('onnx-community/Janus-Pro-1B-ONNX', {
    'config.json': '{"model_type":"multi_modality"}',
    'onnx/prepare_inputs_embeds_q4.onnx': randomBytes(50_000),
    'onnx/language_model_q4.onnx': janusLm,
    'onnx/lm_head.onnx': randomBytes(50_000),
  });
  // Slow enough that the progress notification stays up for a few seconds.
  hub.chunkDelayMs = 8;
  store = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-e2e-models-'));
  vs = await VsCodeSession.launch({
    files: { 'notes.md': '# Notes\n' },
    settings: { 'visualCoder.device': 'cpu', 'visualCoder.modelsDir': store },
    env: { HF_ENDPOINT: hub.url, HF_TOKEN: '' },
  });
  // The extension activates on demand: a Markdown file (its image CodeLens) is one of the triggers.
  await vs.openFile('notes.md');
  await vs.waitForActivation();
});

after(async () => {
  const pids = vs ? vs.processes().map((p) => p.pid) : [];
  await vs?.close();
  await hub?.close();
  assert.deepEqual(pids.filter(isAlive), [], 'close() left processes running');
});

test('the status bar says there is no model yet, and the walkthrough offers one', async () => {
  assert.match(await vs.waitForStatusBar(MODEL_STATUS, /No model/, 60_000), /No model/);
  await vs.runCommand('Welcome: Open Walkthrough');
  await vs.pickQuickItem(/Get Started with Visual Coder/);
  await vs.page.getByText('Download the recommended model').first().waitFor({ state: 'visible', timeout: 30_000 });
  await vs.page.getByText('Choose a model').first().click();
  await vs.page.getByRole('button', { name: 'Select Model' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  // The walkthrough's media pane renders the markdown; give it a moment, then keep a picture for the docs.
  await vs.page
    .getByText('Already have a model folder?')
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 })
    .catch(() => undefined);
  // docs/walkthrough.png is refreshed only on request, so a test run leaves the tree unchanged.
  const shot = process.env.VISUAL_CODER_UPDATE_SCREENSHOTS ? path.join(repoRoot, 'docs', 'walkthrough.png') : path.join(store, 'walkthrough.png');
  await vs.screenshot(shot);
  assert.ok(fs.statSync(shot).size > 10_000, 'a real screenshot');
  await vs.runCommand('View: Close All Editors');
});

test('Select Model lists the recommendation first, shows the licence, and downloads with visible progress', async () => {
  await vs.runCommand('Visual Coder: Select Model');
  const items = await waitForItems(/DeepSeek-VL 1\.3B/);
  assert.match(items[0], /DeepSeek-VL 1\.3B chat/, `recommended (CPU machine) first: ${JSON.stringify(items)}`);
  assert.ok(items.some((i) => /Qwen2-VL 2B Instruct/.test(i)));
  await vs.pickQuickItem(/Qwen2-VL 2B Instruct/);

  const dialog = vs.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 20_000 });
  assert.match((await dialog.textContent()) ?? '', /Licence: Apache-2\.0/);
  await dialog.getByRole('button', { name: 'Download', exact: true }).click();

  const note = await vs.waitForNotification(/Downloading Qwen2-VL 2B Instruct \(ONNX\).*MB of .*MB \(\d+%\)/, 60_000);
  assert.ok(note.buttons.includes('Cancel'), `progress has Cancel: ${JSON.stringify(note.buttons)}`);
  console.log(`progress notification seen: ${note.text}`);

  await vs.waitForNotification(/Visual Coder now uses Qwen2-VL 2B Instruct/, 120_000);
  assert.match(await vs.waitForStatusBar(MODEL_STATUS, /qwen2-vl-2b-instruct/, 30_000), /qwen2-vl-2b-instruct/);
  assert.deepEqual(fs.readFileSync(path.join(store, 'qwen2-vl-2b-instruct', 'onnx', 'decoder_model_merged_q4.onnx')), decoder);
  const manifest = JSON.parse(fs.readFileSync(path.join(store, 'qwen2-vl-2b-instruct', 'visual-coder-manifest.json'), 'utf8')) as {
    complete: boolean;
    files: unknown[];
  };
  assert.equal(manifest.complete, true);
  assert.equal(manifest.files.length, 5, 'config, tokenizer and the three CPU graphs');
});

test('Cancel on the download notification keeps the partial download, and the next download resumes it', async () => {
  await vs.runCommand('Visual Coder: Download Model');
  await waitForItems(/Janus-Pro 1B/);
  const offered = await vs.quickItems();
  assert.ok(!offered.some((i) => /Qwen2-VL/.test(i)), `installed models are not offered for download: ${JSON.stringify(offered)}`);
  await vs.pickQuickItem(/Janus-Pro 1B/);
  await clickDialogButton('Download');
  const note = await vs.waitForNotification(/Downloading Janus-Pro 1B \(ONNX\).*MB of/, 60_000);
  await note.clickButton('Cancel');
  await vs.waitForNotification(/Download of Janus-Pro 1B \(ONNX\) cancelled\. Download it again to resume/, 30_000);
  const partial = path.join(store, 'janus-pro-1b', 'onnx', 'language_model_q4.onnx.partial');
  assert.ok(fs.existsSync(partial), 'the partial file stays');
  const kept = fs.statSync(partial).size;
  assert.ok(kept > 0 && kept < janusLm.length, `partial size ${kept}`);

  const seen = hub.requests.length;
  await vs.runCommand('Visual Coder: Download Model');
  await vs.pickQuickItem(/Janus-Pro 1B/);
  await clickDialogButton('Download');
  await vs.waitForNotification(/Visual Coder now uses Janus-Pro 1B/, 120_000);
  const resumed = hub.requests.slice(seen).filter((r) => r.path.startsWith('/cdn/') && r.path.endsWith('language_model_q4.onnx'));
  assert.deepEqual(
    resumed.map((r) => r.range),
    [`bytes=${kept}-`],
  );
  assert.deepEqual(fs.readFileSync(path.join(store, 'janus-pro-1b', 'onnx', 'language_model_q4.onnx')), janusLm);
  assert.match(await vs.waitForStatusBar(MODEL_STATUS, /janus-pro-1b/, 30_000), /janus-pro-1b/);
});

async function clickDialogButton(name: string): Promise<void> {
  const dialog = vs.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 20_000 });
  await dialog.getByRole('button', { name, exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 20_000 });
}

async function waitForItems(pattern: RegExp): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const items = await vs.quickItems();
    if (items.some((t) => pattern.test(t))) return items;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`quick pick never showed ${pattern}: ${JSON.stringify(await vs.quickItems())}`);
}
