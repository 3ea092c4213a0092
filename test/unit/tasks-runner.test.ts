import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTask, type TaskEngines } from '../../model-host/tasks/run-task';
import type { GenerateContext, GenerateInput, TextEngine } from '../../model-host/engines/engine';
import { HostErrorCodes, type TaskRunParams } from '../../model-host/protocol';
import { HostError } from '../../model-host/protocol/errors';
import { modelDirFor } from '../../model-host/models/resolve-model';
import { ModelStore } from '../../model-host/models/store';
import { writeSolidPng } from '../fixtures/images/make-png';

let dir: string;
let imagePath: string;
before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-runner-'));
  imagePath = path.join(dir, 'shot.png');
  await writeSolidPng(imagePath, 8, 6, '#fff');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A TextEngine at the engine interface boundary: streams a scripted answer in pieces, checks the
 * cancel flag between pieces like the real engines do, and records what it was given.
 */
class ScriptedEngine implements TextEngine {
  readonly modelName = 'scripted';
  readonly device = 'cpu' as const;
  inputs: GenerateInput[] = [];
  constructor(
    readonly family: string,
    private readonly pieces: string[],
    private readonly cancelAfter = Infinity,
  ) {}
  async generate(input: GenerateInput, ctx: GenerateContext) {
    this.inputs.push(input);
    let text = '';
    for (let i = 0; i < this.pieces.length; i++) {
      if (ctx.isCancelled()) return { text, finishReason: 'cancelled' as const, timings: { totalMs: 1 } };
      text += this.pieces[i];
      ctx.onText(this.pieces[i]);
      if (i + 1 >= this.cancelAfter) this.cancelled = true;
    }
    return { text, finishReason: 'stop' as const, tokens: [1, 2, 3], timings: { totalMs: 1 } };
  }
  cancelled = false;
  async dispose() {}
}

const params = (over: Partial<TaskRunParams> = {}): TaskRunParams => ({ runId: 'r1', taskId: 'ui-to-code', image: { path: imagePath }, ...over });

test('streams deltas, post-processes the answer, and reports language, model and timings', async () => {
  const engine = new ScriptedEngine('deepseek-vl', [
    'Sure! Here it is:\n```jsx\n',
    'export default function A() {\n',
    '  return <div className="p-2">A</div>;\n}\n```\nEnjoy!',
  ]);
  const deltas: string[] = [];
  const result = await runTask(
    params({ options: { stack: 'react-tailwind' }, ocrAugment: false }),
    { textEngine: async () => engine },
    { isCancelled: () => false, onText: (t) => deltas.push(t), log: () => {} },
  );
  assert.equal(deltas.join(''), result.raw);
  assert.equal(result.output, 'export default function A() {\n  return <div className="p-2">A</div>;\n}\n');
  assert.equal(result.language, 'javascriptreact');
  assert.equal(result.finishReason, 'stop');
  assert.equal(result.model, 'scripted');
  assert.deepEqual(result.tokens, [1, 2, 3]);
  assert.ok(result.timings.totalMs >= 0);
  // The engine got the normalised image and the deepseek-vl prompt.
  assert.equal(engine.inputs[0].image?.width, 8);
  assert.equal(engine.inputs[0].prompt.user, 'Write this web page as one React component using Tailwind CSS classes.');
  assert.equal(engine.inputs[0].generation.maxNewTokens, 2048);
});

test('cancel keeps the partial text, post-processed, with finishReason cancelled', async () => {
  const engine = new ScriptedEngine('remote', ['```python\n', 'import matplotlib.pyplot as plt\n', 'plt.plot([1, 2])\n', 'plt.show()\n```'], 2);
  const result = await runTask(
    params({ taskId: 'chart-to-code', generation: { maxNewTokens: 5 } }),
    { textEngine: async () => engine },
    { isCancelled: () => engine.cancelled, onText: () => {}, log: () => {} },
  );
  assert.equal(result.finishReason, 'cancelled');
  assert.equal(result.raw, '```python\nimport matplotlib.pyplot as plt\n');
  assert.equal(result.output, 'import matplotlib.pyplot as plt\n');
  assert.equal(engine.inputs[0].generation.maxNewTokens, 5);
  assert.match(engine.inputs[0].prompt.system!, /data visualisation/);
});

test('OCR text goes into the prompt; an OCR failure is logged and the run continues', async () => {
  const engine = new ScriptedEngine('deepseek-vl', ['| a |\n| 1 |']);
  const engines: TaskEngines = { textEngine: async () => engine, ocrTextForPrompt: async () => 'Total 42' };
  await runTask(params({ taskId: 'table-to-markdown' }), engines, { isCancelled: () => false, onText: () => {}, log: () => {} });
  assert.match(engine.inputs[0].prompt.user, /read by OCR \(top to bottom\):\nTotal 42$/);
  const logs: string[] = [];
  const failing: TaskEngines = { textEngine: async () => engine, ocrTextForPrompt: async () => Promise.reject(new Error('det model missing')) };
  const result = await runTask(params({ taskId: 'table-to-markdown' }), failing, { isCancelled: () => false, onText: () => {}, log: (_l, m) => logs.push(m) });
  assert.equal(result.output, '| a |\n| --- |\n| 1 |\n');
  assert.match(logs.join('\n'), /OCR for the prompt failed, continuing without it: det model missing/);
  // ocrAugment false: OCR is not called.
  let called = false;
  await runTask(
    params({ taskId: 'table-to-markdown', ocrAugment: false }),
    { textEngine: async () => engine, ocrTextForPrompt: async () => ((called = true), '') },
    { isCancelled: () => false, onText: () => {}, log: () => {} },
  );
  assert.equal(called, false);
});

test('transcribe-code runs on OCR, not on the text engine', async () => {
  const engines: TaskEngines = {
    textEngine: async () => assert.fail('text engine must not be used'),
    transcribeCode: async () => ({ text: 'def f():\n    return 1   \n', lines: [{ text: 'def f():', confidence: 0.9, box: [0, 0, 10, 10] }] }),
  };
  const result = await runTask(params({ taskId: 'transcribe-code' }), engines, { isCancelled: () => false, onText: () => {}, log: () => {} });
  assert.equal(result.output, 'def f():\n    return 1\n');
  assert.equal(result.lines?.length, 1);
});

test('bad requests fail with a clear error before any engine is touched', async () => {
  const engines: TaskEngines = { textEngine: async () => assert.fail('engine must not be loaded') };
  const ctx = { isCancelled: () => false, onText: () => {}, log: () => {} };
  await assert.rejects(runTask(params({ taskId: 'nope' }), engines, ctx), (e: HostError) => e.code === -32602 && /unknown task "nope"/.test(e.message));
  await assert.rejects(runTask(params({ options: { stack: 'angular' } }), engines, ctx), /"angular" is not a stack/);
  await assert.rejects(runTask(params({ image: { path: path.join(dir, 'missing.png') } }), engines, ctx), (e: HostError) => e.code === HostErrorCodes.BadImage);
});

test('no model selected or installed → NoModel with what to do', () => {
  const emptyStore = path.join(dir, 'empty-store');
  assert.throws(
    () => modelDirFor({ device: 'cpu', modelsDir: emptyStore }),
    (e: HostError) => e.code === HostErrorCodes.NoModel && /Download Model/.test(e.message),
  );
  assert.throws(
    () => modelDirFor({ device: 'cpu', model: 'deepseek-vl-1.3b', modelsDir: dir }),
    (e: HostError) => e.code === HostErrorCodes.NoModel && /not installed/.test(e.message),
  );
  assert.throws(
    () => modelDirFor({ device: 'cpu', model: path.join(dir, 'nope') }),
    (e: HostError) => e.code === HostErrorCodes.NoModel && /does not exist/.test(e.message),
  );
  assert.equal(modelDirFor({ device: 'cpu', model: dir }), dir);
});

/** Registers a folder with one ONNX file in `store` under `id`, as `models register` does. */
async function installFolder(store: ModelStore, id: string): Promise<string> {
  const folder = path.join(dir, `folder-${id}`);
  mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  writeFileSync(path.join(folder, 'onnx', 'model.onnx'), 'x');
  await store.register(folder, id);
  return folder;
}

test('an empty visualCoder.model uses the recommended installed model, then a preset, then any installed one', async () => {
  const store = new ModelStore(path.join(dir, 'store'));
  const mine = await installFolder(store, 'aaa-mine');
  assert.equal(modelDirFor({ device: 'cpu', modelsDir: store.root }), mine, 'the only installed model');
  const janus = await installFolder(store, 'janus-pro-1b');
  assert.equal(modelDirFor({ device: 'cpu', model: '', modelsDir: store.root }), janus, 'a preset before an id that sorts first');
  const small = await installFolder(store, 'deepseek-vl-1.3b-chat');
  const qwen = await installFolder(store, 'qwen2-vl-2b-instruct');
  // On the CPU the 1.3B model is recommended (or, under 8 GB of RAM, Janus-Pro 1B: then the presets'
  // order puts the 1.3B model first all the same); on a GPU of unknown memory, the Qwen2-VL 2B.
  assert.equal(modelDirFor({ device: 'cpu', modelsDir: store.root }), small);
  assert.equal(modelDirFor({ device: 'webgpu', modelsDir: store.root }), qwen);
  assert.equal(modelDirFor({ device: 'webgpu', model: 'aaa-mine', modelsDir: store.root }), mine, 'a set model wins');
});
