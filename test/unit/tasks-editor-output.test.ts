/**
 * Where a task's text goes: streamed into a document in order, replaced at the end with exactly the
 * post-processed output, kept after a failure; at the cursor replacing the selection; opened only once
 * text arrives. And the editor the user was last in, after focus moved to a webview or a quick pick.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type * as vscode from 'vscode';
import { lazyEditorSink, openCursorOutput, StreamingRange } from '../../src/tasks/output-sinks';
import { LastEditorTracker } from '../../src/tasks/last-editor';
import type { TaskRunResult } from '../../model-host/protocol';
import { applyEdits, recordingLog, StubDocument, StubPosition, StubRange, StubWorkspaceEdit } from './vscode-stub';

function editorApi(documents: StubDocument[]) {
  let edits = 0;
  const vs = {
    WorkspaceEdit: StubWorkspaceEdit,
    Range: StubRange,
    workspace: { applyEdit: async (e: StubWorkspaceEdit) => (edits++, applyEdits(documents, e)) },
  } as unknown as typeof vscode;
  return { vs, edits: () => edits };
}

const asDoc = (d: StubDocument) => d as unknown as vscode.TextDocument;
const result = (output: string) => ({ output, language: 'python' }) as TaskRunResult;

test('deltas stream in order, batched, then the range becomes exactly the post-processed output', async () => {
  const doc = new StubDocument('# head\n');
  const { vs, edits } = editorApi([doc]);
  const range = new StreamingRange(vs, asDoc(doc), doc.text.length);
  for (const piece of ['```py', 'thon\nprint(1)', '\n```']) range.append(piece);
  await range.finish('print(1)\n');
  assert.equal(doc.text, '# head\nprint(1)\n');
  assert.ok(edits() <= 2, `${edits()} edits: deltas within 40 ms are one edit`);
  assert.deepEqual(range.writtenText(), { text: 'print(1)\n', sha256: createHash('sha256').update('print(1)\n').digest('hex') });
});

test('after a failure what was written stays', async () => {
  const doc = new StubDocument('');
  const { vs } = editorApi([doc]);
  const range = new StreamingRange(vs, asDoc(doc), 0);
  range.append('partial ');
  range.append('answer');
  await range.settle();
  assert.equal(doc.text, 'partial answer');
});

test('at the cursor: the selection is replaced by the streamed text; no editor gives none', async () => {
  const doc = new StubDocument('BEFORE\nselected\nAFTER');
  const { vs } = editorApi([doc]);
  const selection = Object.assign(new StubRange(new StubPosition(1, 0), new StubPosition(1, 8)), {});
  const editor = { document: doc, selection } as unknown as vscode.TextEditor;
  const range = (await openCursorOutput(vs, editor))!;
  range.append('x = 1');
  await range.finish('x = 1');
  assert.equal(doc.text, 'BEFORE\nx = 1\nAFTER');
  assert.equal(await openCursorOutput(vs, undefined), undefined);
});

test('the lazy sink opens its output only when text or the result comes, and logs what it wrote', async () => {
  const doc = new StubDocument('');
  const { vs } = editorApi([doc]);
  const { log, lines } = recordingLog();
  let opened = 0;
  const failed = lazyEditorSink(log, async () => (opened++, new StreamingRange(vs, asDoc(doc), 0)));
  await failed.settle();
  assert.equal(opened, 0, 'a run that failed before any text opens nothing');
  const sink = lazyEditorSink(log, async () => (opened++, new StreamingRange(vs, asDoc(doc), 0)));
  sink.append('a');
  sink.append('b');
  await sink.finish(result('ab!'));
  assert.equal(opened, 1);
  assert.equal(doc.text, 'ab!');
  assert.match(lines[0], /^python result: 3 characters \(sha256 [0-9a-f]{64}\) in untitled:Untitled-1$/);
});

test('the last text editor survives focus moving to a webview, not its closing', () => {
  let listener: (e: vscode.TextEditor | undefined) => void = () => undefined;
  const first = { document: { isClosed: false } } as unknown as vscode.TextEditor;
  const window = {
    activeTextEditor: first as vscode.TextEditor | undefined,
    visibleTextEditors: [] as vscode.TextEditor[],
    onDidChangeActiveTextEditor: (l: typeof listener) => ((listener = l), { dispose() {} }),
  };
  const tracker = new LastEditorTracker(window as unknown as typeof vscode.window);
  assert.equal(tracker.editor, first);
  window.activeTextEditor = undefined;
  listener(undefined);
  assert.equal(tracker.editor, first, 'a webview took focus');
  const second = { document: { isClosed: false } } as unknown as vscode.TextEditor;
  window.activeTextEditor = second;
  listener(second);
  window.activeTextEditor = undefined;
  (second.document as { isClosed: boolean }).isClosed = true;
  assert.equal(tracker.editor, undefined, 'a closed editor is no target');
});

test('activated on first use with an image preview focused, the text editor on screen is the target', () => {
  const onScreen = { document: { isClosed: false } } as unknown as vscode.TextEditor;
  const window = { activeTextEditor: undefined, visibleTextEditors: [onScreen], onDidChangeActiveTextEditor: () => ({ dispose() {} }) };
  assert.equal(new LastEditorTracker(window as unknown as typeof vscode.window).editor, onScreen);
});
