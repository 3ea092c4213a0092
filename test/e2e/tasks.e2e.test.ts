/**
 * The visual coding commands in a real VS Code (code-server) with the converted tiny DeepSeek-VL
 * reference model: each command from the palette puts exactly what the host's own CLI produces
 * (post-processed) in the expected place; output at the cursor; the Markdown CodeLens inserts a
 * block below its image. Greedy decoding of the tiny random model is deterministic, so the CLI's
 * answer for the same image and options is the expected text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { VsCodeSession, repoRoot, waitUntil } from './harness';
import { fencedBlock } from '../../src/inline/markdown-image-links';
import type { TaskRunResult } from '../../model-host/protocol';
import { runTaskWithCli } from '../fixtures/cli/run-task';
import { convertTinyModel } from '../fixtures/cli/tiny-model';

const MAX_NEW_TOKENS = 48;
/** A stack of the user's own, as in the setting (and the CLI's --stacks file). */
const CUSTOM_STACKS = [{ name: 'Svelte 5', language: 'svelte', instructions: 'Write one Svelte 5 component using runes.', preview: 'html' }];
let vs: VsCodeSession;
let tmp: string;
let modelDir: string;
let imageFile: string;
const expected = new Map<string, TaskRunResult>();

function cli(taskId: string, option?: string): TaskRunResult {
  const key = `${taskId}:${option ?? ''}`;
  if (!expected.has(key)) expected.set(key, runTaskWithCli({ taskId, option, image: imageFile, model: modelDir, maxNewTokens: MAX_NEW_TOKENS }));
  return expected.get(key)!;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
/** Monaco renders control characters as placeholders: compare what it shows faithfully. */
const visible = (text: string) => text.replace(/[^A-Za-z0-9]/g, '');

/** A Jupyter notebook with one code cell whose output is the PNG. */
function notebook(png: Buffer): string {
  return JSON.stringify({
    cells: [
      {
        cell_type: 'code',
        execution_count: 1,
        id: 'c1',
        metadata: {},
        outputs: [{ data: { 'image/png': png.toString('base64'), 'text/plain': ['<Figure>'] }, metadata: {}, output_type: 'display_data' }],
        source: ['plot()'],
      },
    ],
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'vc-e2e-tasks-'));
  modelDir = convertTinyModel(tmp);
  const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#2255aa' } })
    .png()
    .toBuffer();
  imageFile = join(tmp, 'shot.png');
  writeFileSync(imageFile, png);
  vs = await VsCodeSession.launch({
    files: {
      'img/shot.png': png,
      'img/broken.png': 'not really a png',
      'nb.ipynb': notebook(png),
      'notes.txt': 'BEFORE\n',
      'doc.md': '# Sales\n\n![chart](img/shot.png)\n\nText after.\n',
    },
    settings: {
      'visualCoder.model': modelDir,
      'visualCoder.device': 'cpu',
      'visualCoder.ocrAugmentedPrompts': false,
      'visualCoder.maxNewTokens': MAX_NEW_TOKENS,
      'visualCoder.customStacks': CUSTOM_STACKS,
      'editor.renderControlCharacters': false,
    },
  });
});

after(async () => {
  await vs?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Opens the image in VS Code's image preview, so the commands offer it as "the image open now". */
async function runOnOpenImage(command: string, option?: RegExp): Promise<void> {
  await vs.openFile('img/shot.png');
  await vs.runCommand(command);
  await vs.pickQuickItem(/shot\.png/);
  if (option) await vs.pickQuickItem(option);
}

const COMMANDS: { title: string; taskId: string; option?: [RegExp, string]; language: string }[] = [
  { title: 'Visual Coder: Screenshot to Code', taskId: 'ui-to-code', option: [/React \+ Tailwind/, 'stack=react-tailwind'], language: 'javascriptreact' },
  { title: 'Visual Coder: Chart to Code', taskId: 'chart-to-code', option: [/Vega-Lite/, 'library=vega-lite'], language: 'json' },
  { title: 'Visual Coder: Flowchart to Code', taskId: 'flowchart-to-code', option: [/Mermaid/, 'target=mermaid'], language: 'mermaid' },
  { title: 'Visual Coder: Explain Code Image', taskId: 'explain-code-image', language: 'markdown' },
  { title: 'Visual Coder: Find the Bug in Code Image', taskId: 'find-bug-in-code-image', language: 'markdown' },
  { title: 'Visual Coder: Formula to LaTeX', taskId: 'formula-to-latex', language: 'latex' },
  { title: 'Visual Coder: Table to Markdown', taskId: 'table-to-markdown', language: 'markdown' },
];

test('every command from the palette writes exactly the post-processed CLI output into a new editor', async () => {
  for (const [index, c] of COMMANDS.entries()) {
    const want = cli(c.taskId, c.option?.[1]);
    assert.equal(want.language, c.language);
    await runOnOpenImage(c.title, c.option?.[0]);
    // The extension logs the sha256 of what the document holds where it wrote; the n-th result line is this run's.
    const line = await waitUntil(
      () => [...vs.outputChannelLog('Visual Coder').matchAll(/(\S+) result: (\d+) characters \(sha256 ([0-9a-f]{64})\) in (\S+)/g)][index],
      { timeoutMs: 60_000, what: `the result of ${c.title}` },
    );
    assert.equal(line[1], c.language, c.title);
    assert.equal(line[3], sha(want.output), `${c.title}: the document holds exactly the post-processed output`);
    assert.match(line[4], /^untitled:/);
    if (want.output.trim()) {
      // Explanations open beside the image; which group is active then depends on focus timing.
      await waitUntil(async () => (await vs.visibleEditorTexts()).some((t) => visible(t) === visible(want.output)) || undefined, {
        what: `${c.title} in an editor on screen`,
        describeLast: async () => (await vs.visibleEditorTexts()).join('\n----\n'),
      });
    }
  }
});

test('a stack from visualCoder.customStacks is offered as "your stack" and runs end to end, as the CLI runs it with --stacks', async () => {
  const stacksFile = join(tmp, 'stacks.json');
  writeFileSync(stacksFile, JSON.stringify(CUSTOM_STACKS));
  const want = runTaskWithCli({
    taskId: 'ui-to-code',
    option: 'stack=svelte-5',
    stacks: stacksFile,
    image: imageFile,
    model: modelDir,
    maxNewTokens: MAX_NEW_TOKENS,
  });
  assert.equal(want.language, 'svelte');
  assert.notEqual(want.output, cli('ui-to-code', 'stack=react-tailwind').output, 'the custom prompt gives another answer');
  await vs.openFile('img/shot.png');
  await vs.runCommand('Visual Coder: Screenshot to Code');
  await vs.pickQuickItem(/shot\.png/);
  const item = vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Svelte 5' }).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await item.innerText(), /your stack/);
  await vs.pickQuickItem(/Svelte 5/);
  const line = await vs.waitForOutput('Visual Coder', /svelte result: \d+ characters \(sha256 ([0-9a-f]{64})\) in untitled:/, 60_000);
  assert.equal(/sha256 ([0-9a-f]{64})/.exec(line)?.[1], sha(want.output), 'the document holds the CLI output for the custom stack');
});

test('with visualCoder.output = cursor the code goes at the cursor of the editor', async () => {
  const settingsFile = join(vs.userDataDir, 'User', 'settings.json');
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  writeFileSync(settingsFile, JSON.stringify({ ...settings, 'visualCoder.output': 'cursor' }, null, 2));
  const machine = join(vs.userDataDir, 'Machine', 'settings.json');
  writeFileSync(machine, JSON.stringify({ ...JSON.parse(readFileSync(machine, 'utf8')), 'visualCoder.output': 'cursor' }, null, 2));
  // The extension has the new value once it logs the change (not after a guessed delay).
  await vs.waitForOutput('Visual Coder', /settings changed: .*visualCoder\.output/, 30_000);
  const want = cli('formula-to-latex');
  await vs.openFile('notes.txt');
  // Focus the editor and put the cursor at the end; wait until VS Code shows it there (line 2, col 1).
  await vs.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await vs.page.keyboard.press('Control+End');
  await vs.waitForStatusBar('status.editor.selection', /Ln 2, Col 1/);
  // Run from the image preview: the cursor of the text editor the user was last in is the target.
  await runOnOpenImage('Visual Coder: Formula to LaTeX');
  await vs.waitForOutput('Visual Coder', /latex result: \d+ characters \(sha256 [0-9a-f]{64}\) in file:\S*notes\.txt/, 60_000);
  await vs.openFile('notes.txt');
  await vs.page.keyboard.press('Control+S');
  await waitUntil(() => vs.readWorkspaceFile('notes.txt') !== 'BEFORE\n' || undefined, { what: 'notes.txt saved' });
  assert.equal(vs.readWorkspaceFile('notes.txt'), 'BEFORE\n' + want.output);
});

test('the Markdown CodeLens "Chart to code" inserts a fenced block right below its image', async () => {
  // The last chart library chosen in the palette (Vega-Lite above) is what one click uses.
  const want = cli('chart-to-code', 'library=vega-lite');
  await vs.openFile('doc.md');
  const lens = vs.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Chart to code' }).first();
  await lens.waitFor({ state: 'visible', timeout: 30_000 });
  assert.deepEqual(await vs.page.locator('.contentWidgets .codelens-decoration a').allTextContents(), ['Chart to code', 'Screenshot to code', 'Explain']);
  const box = (await vs.page.locator('.editor-group-container.active').boundingBox())!;
  // The README's screenshot, refreshed on request only (a test run must not dirty the tree).
  if (process.env.UPDATE_SCREENSHOTS) {
    await vs.page.screenshot({ path: join(repoRoot, 'docs', 'codelens.png'), clip: { x: box.x, y: box.y, width: Math.min(box.width, 560), height: 200 } });
  }
  await lens.click();
  await waitUntil(async () => ((await vs.activeEditorText()).includes('```') ? true : undefined), { timeoutMs: 60_000, what: 'the inserted block' });
  await vs.page.keyboard.press('Control+S');
  await waitUntil(() => vs.readWorkspaceFile('doc.md').includes('```') || undefined, { what: 'doc.md saved' });
  assert.equal(vs.readWorkspaceFile('doc.md'), '# Sales\n\n![chart](img/shot.png)' + fencedBlock(want.output, 'json') + '\n\nText after.\n');
});

test('a broken image gives a clear error and opens or changes nothing', async () => {
  await vs.openFile('img/broken.png');
  const tabs = await vs.page.locator('.tab').count();
  await vs.runCommand('Visual Coder: Table to Markdown');
  await vs.pickQuickItem(/broken\.png/);
  const note = await vs.waitForNotification(/Cannot use the image broken\.png: it is not an image Visual Coder can read/);
  assert.ok(note.text);
  assert.equal(await vs.page.locator('.tab').count(), tabs, 'no editor was opened');
});

test('in a notebook, Image Output to Code inserts the result as a new cell below the image cell', async () => {
  const want = cli('chart-to-code', 'library=vega-lite');
  await vs.openFile('nb.ipynb');
  await vs.page.locator('.notebook-editor .cell-list-container').first().waitFor({ state: 'visible', timeout: 30_000 });
  await vs.page.locator('.notebook-editor .output').first().waitFor({ state: 'attached', timeout: 30_000 });
  await vs.runCommand('Visual Coder: Image Output to Code');
  await vs.pickQuickItem('Chart to code');
  await waitUntil(async () => ((await vs.page.locator('.notebook-editor .cell-list-container .monaco-list-row').count()) >= 2 ? true : undefined), {
    timeoutMs: 60_000,
    what: 'a second cell',
  });
  await vs.page.keyboard.press('Control+S');
  const saved = await waitUntil(
    () => {
      const nb = JSON.parse(vs.readWorkspaceFile('nb.ipynb')) as { cells: { cell_type: string; source: string | string[] }[] };
      return nb.cells.length === 2 ? nb : undefined;
    },
    { what: 'nb.ipynb saved with two cells' },
  );
  const source = saved.cells[1].source;
  assert.equal(saved.cells[1].cell_type, 'code');
  assert.equal(Array.isArray(source) ? source.join('') : source, want.output.trimEnd());
});

test('with no model, a command offers the model download instead of failing, and opens nothing', async () => {
  for (const scope of ['User', 'Machine']) {
    const file = join(vs.userDataDir, scope, 'settings.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), 'visualCoder.model': '' }, null, 2));
  }
  // Applied to the running host through models/select, without a restart.
  await vs.waitForOutput('Visual Coder', /visualCoder\.model is empty and no model is installed/, 60_000);
  await vs.openFile('img/shot.png');
  const tabs = await vs.page.locator('.tab').count();
  await vs.runCommand('Visual Coder: Formula to LaTeX');
  await vs.pickQuickItem(/shot\.png/);
  await vs.waitForNotification(/needs a vision model|No model is installed/, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${vs.outputChannelLog('Visual Coder').slice(-3000)}`);
  });
  assert.equal(await vs.page.locator('.tab').count(), tabs);
});
