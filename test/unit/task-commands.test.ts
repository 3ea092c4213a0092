/**
 * A palette command as the user meets it, against the shared stub: the image the command was run on
 * (or the one picked: the open preview, the clipboard read by the host, a file), the option, and the
 * result in a new editor of the option's language; nothing opens when the user cancels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { TaskCommands, TASK_COMMANDS } from '../../src/features/task-commands';
import { ImageSource } from '../../src/tasks/image-source';
import { LastEditorTracker } from '../../src/tasks/last-editor';
import { TaskService } from '../../src/tasks/task-service';
import { Settings } from '../../src/settings/settings';
import { CHART_TO_CODE, fakeHostClient } from './fake-host-client';
import { applyEdits, recordingLog, StubDocument, StubRange, StubWorkspaceEdit, vscodeStub } from './vscode-stub';

const chart = CHART_TO_CODE;

const uri = (fsPath: string) => ({ fsPath, toString: () => `file://${fsPath}` }) as unknown as vscode.Uri;

function setup(pick: (items: vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined, activeTab?: vscode.Uri) {
  const stub = vscodeStub({ pick });
  const documents: StubDocument[] = [];
  const opened: Array<{ language?: string }> = [];
  Object.assign(stub.vs, { WorkspaceEdit: StubWorkspaceEdit, Range: StubRange, ViewColumn: { Active: -1, Beside: -2 } });
  Object.assign(stub.vs.workspace, {
    asRelativePath: (u: vscode.Uri) => u.fsPath.replace('/ws/', ''),
    openTextDocument: async (o: { language?: string; content: string }) => {
      opened.push(o);
      const doc = new StubDocument(o.content, { toString: () => `untitled:Untitled-${documents.length + 1}`, fsPath: '' });
      documents.push(doc);
      return doc;
    },
    applyEdit: async (e: StubWorkspaceEdit) => applyEdits(documents, e),
  });
  Object.assign(stub.vs.window, {
    showTextDocument: async () => undefined,
    tabGroups: { activeTabGroup: { activeTab: activeTab ? { input: { uri: activeTab } } : undefined } },
    activeTextEditor: undefined,
    visibleTextEditors: [],
    onDidChangeActiveTextEditor: () => ({ dispose() {} }),
    showOpenDialog: async () => [uri('/ws/picked.png')],
  });
  const settings = new Settings(stub.vs, stub.memento);
  const runs: unknown[] = [];
  const fake = fakeHostClient({
    'task/list': [chart],
    'clipboard/readImage': { base64: 'iVBORw0K', width: 10, height: 8 },
    'task/run': (params: unknown) => {
      runs.push(params);
      return { runId: 'r', raw: 'x', output: 'plot()\n', language: 'python', finishReason: 'stop', timings: { totalMs: 1 } };
    },
  });
  const { log, lines } = recordingLog();
  const tasks = new TaskService({ vs: stub.vs, host: fake.host, settings, log, backend: async () => undefined, offerModel: async () => false });
  const commands = new TaskCommands({
    vs: stub.vs,
    tasks,
    images: new ImageSource(stub.vs, fake.host),
    lastEditor: new LastEditorTracker(stub.vs.window),
    settings,
    log,
  });
  return { stub, commands, runs, opened, documents, lines };
}

test('every task command is registered', () => {
  const s = setup(() => undefined);
  s.commands.register();
  assert.deepEqual([...s.stub.commands.keys()].sort(), Object.keys(TASK_COMMANDS).sort());
});

test('run on an Explorer image: the option is asked, the result lands in a new editor of its language', async () => {
  const s = setup((items) => items.find((i) => i.label === 'matplotlib'));
  await s.commands.run('chart-to-code', uri('/ws/img/chart.png'));
  assert.deepEqual((s.runs[0] as { image: unknown; options: unknown }).image, { path: '/ws/img/chart.png' });
  assert.deepEqual((s.runs[0] as { options: unknown }).options, { library: 'matplotlib' });
  assert.deepEqual(s.opened, [{ language: 'python', content: '' }]);
  assert.equal(s.documents[0].text, 'plot()\n');
  assert.match(s.lines.join('\n'), /python result: 7 characters/);
});

test('without an image argument: the open preview, the clipboard (read by the host) or a file', async () => {
  const preview = setup((items) => (items[0].label.includes('shot.png') ? items[0] : items.find((i) => i.label === 'Vega-Lite')), uri('/ws/shot.png'));
  await preview.commands.run('chart-to-code', undefined);
  assert.deepEqual((preview.runs[0] as { image: unknown }).image, { path: '/ws/shot.png' });
  assert.equal(preview.opened[0].language, 'json', 'the Vega-Lite choice gives JSON');

  const clip = setup((items) => items.find((i) => /clipboard/.test(i.label)) ?? items[0]);
  await clip.commands.run('chart-to-code', undefined);
  assert.deepEqual((clip.runs[0] as { image: unknown }).image, { base64: 'iVBORw0K' }, 'the bytes, no file');

  const file = setup((items) => items.find((i) => /Choose an image file/.test(i.label)) ?? items[0]);
  await file.commands.run('chart-to-code', undefined);
  assert.deepEqual((file.runs[0] as { image: unknown }).image, { path: '/ws/picked.png' });
});

test('cancelling the image or the option runs nothing and opens nothing', async () => {
  const noImage = setup(() => undefined);
  await noImage.commands.run('chart-to-code', undefined);
  const noOption = setup(() => undefined);
  await noOption.commands.run('chart-to-code', uri('/ws/img/chart.png'));
  for (const s of [noImage, noOption]) {
    assert.deepEqual(s.runs, []);
    assert.deepEqual(s.opened, []);
  }
});
