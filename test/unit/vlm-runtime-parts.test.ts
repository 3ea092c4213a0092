import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readChatTemplate, templateMessages } from '../../model-host/engines/chat-template';
import { detectModelFolder } from '../../model-host/engines/model-folder';
import { deviceCandidates } from '../../model-host/engines/ort-sessions';
import { argmax, chooseToken } from '../../model-host/engines/decoding/sampling';
import { TextStream } from '../../model-host/engines/decoding/text-stream';

const dir = mkdtempSync(join(tmpdir(), 'vlm-parts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A byte-level "tokenizer": each id is one byte, decoded as UTF-8 with U+FFFD for broken sequences. */
const bytesDecode = (ids: number[]) => Buffer.from(ids).toString('utf8');

test('streamed deltas never split a multi-byte character and add up to the text', () => {
  const ids = [...Buffer.from('añ€😀 ok')];
  const stream = new TextStream(bytesDecode);
  const deltas: string[] = [];
  for (let i = 1; i <= ids.length; i++) deltas.push(stream.push(ids.slice(0, i)));
  deltas.push(stream.flush());
  assert.ok(
    deltas.every((d) => !d.includes('\ufffd')),
    JSON.stringify(deltas),
  );
  assert.equal(deltas.join(''), 'añ€😀 ok');
  assert.ok(deltas.filter(Boolean).length > 3, 'text must stream, not arrive at the end');
});

test('a stop string cuts the text and is never streamed, even when it arrives in pieces', () => {
  const ids = [...Buffer.from('x = 1\n```\nmore')];
  const stream = new TextStream(bytesDecode, ['```']);
  let shown = '';
  for (let i = 1; i <= ids.length && !stream.stopped; i++) shown += stream.push(ids.slice(0, i));
  assert.equal(stream.stopped, true);
  assert.equal(stream.fullText, 'x = 1\n');
  assert.equal(shown, 'x = 1\n');
});

test('each step decodes a short window of recent tokens, not the whole answer', () => {
  const text = 'def f(x):\n    return "héllo wörld €" * x\n'.repeat(40);
  const ids = [...Buffer.from(text)];
  let longest = 0;
  const stream = new TextStream((window) => {
    assert.ok(window.length > 0, 'real tokenizers refuse an empty list');
    longest = Math.max(longest, window.length);
    return bytesDecode(window);
  });
  let shown = '';
  for (let i = 1; i <= ids.length; i++) shown += stream.push(ids.slice(0, i));
  shown += stream.flush();
  assert.equal(shown, text);
  assert.ok(longest <= 8, `decoded windows of up to ${longest} tokens for a ${ids.length}-token answer`);
});

test('a tokenizer that renders a token differently at the start of a sequence still streams the right text', () => {
  // SentencePiece-style: "▁word" decodes to " word", but the leading space is dropped at the start.
  const vocab = ['▁def', '▁f', '(x):', '▁return', '▁x'];
  const decode = (window: number[]) =>
    window
      .map((i) => vocab[i].replace(/▁/g, ' '))
      .join('')
      .replace(/^ /, '');
  const stream = new TextStream(decode);
  const ids = [0, 1, 2, 3, 4];
  let shown = '';
  for (let i = 1; i <= ids.length; i++) shown += stream.push(ids.slice(0, i));
  shown += stream.flush();
  assert.equal(shown, decode(ids));
});

test('greedy picks the argmax; temperature + top-p samples only inside the nucleus', () => {
  const logits = new Float32Array([1, 5, 2, 4.9]);
  assert.equal(argmax(logits), 1);
  assert.equal(chooseToken(logits), 1);
  assert.equal(chooseToken(logits, { temperature: 0 }), 1);
  // top-p 0.5 keeps only token 1 (it alone holds more than half the mass).
  for (const r of [0, 0.3, 0.99]) assert.equal(chooseToken(logits, { temperature: 1, topP: 0.5, random: () => r }), 1);
  // with the full distribution a high random number reaches the second most likely token.
  assert.equal(chooseToken(logits, { temperature: 1, topP: 1, random: () => 0.7 }), 3);
  assert.throws(() => chooseToken(logits, { temperature: 1, topP: 0 }), /topP must be in/);
});

test('device candidates: auto tries the GPUs of the platform and always ends on cpu', () => {
  assert.deepEqual(deviceCandidates('auto', 'linux'), ['webgpu', 'cuda', 'cpu']);
  assert.deepEqual(deviceCandidates('auto', 'win32'), ['webgpu', 'cuda', 'dml', 'cpu']);
  assert.deepEqual(deviceCandidates('auto', 'darwin'), ['webgpu', 'coreml', 'cpu']);
  assert.deepEqual(deviceCandidates('webgpu'), ['webgpu', 'cpu']);
  assert.deepEqual(deviceCandidates('cpu'), ['cpu']);
});

test('a task prompt becomes chat messages: system turn when given, image before the text', () => {
  assert.deepEqual(templateMessages({ user: 'write the code' }, true), [
    { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'write the code' }] },
  ]);
  assert.deepEqual(templateMessages({ system: 'Be brief.', user: 'hi' }, false), [
    { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', content: [{ type: 'text', text: 'hi' }] },
  ]);
});

test('the chat template is read where transformers writes it, .jinja first, then chat_template.json, then tokenizer_config.json', () => {
  const folder = (name: string, files: Record<string, string>) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
    return d;
  };
  const all = folder('all', {
    'chat_template.jinja': 'J',
    'chat_template.json': JSON.stringify({ chat_template: 'C' }),
    'tokenizer_config.json': JSON.stringify({ chat_template: 'T' }),
  });
  assert.deepEqual(readChatTemplate(all), { template: 'J', source: 'chat_template.jinja' });
  const v4 = folder('v4', { 'chat_template.json': JSON.stringify({ chat_template: 'C' }), 'tokenizer_config.json': JSON.stringify({ chat_template: 'T' }) });
  assert.deepEqual(readChatTemplate(v4), { template: 'C', source: 'chat_template.json' });
  const named = folder('named', {
    'tokenizer_config.json': JSON.stringify({
      chat_template: [
        { name: 'tool_use', template: 'X' },
        { name: 'default', template: 'D' },
      ],
    }),
  });
  assert.deepEqual(readChatTemplate(named), { template: 'D', source: 'tokenizer_config.json' });
  assert.equal(readChatTemplate(folder('none', { 'tokenizer_config.json': '{}' })), undefined);
  assert.throws(() => readChatTemplate(folder('broken', { 'chat_template.json': '{oops' })), /chat_template.json is not valid JSON/);
});

test('model folders are recognised by their config', () => {
  const mk = (name: string, config: object, graphs: string[] = []) => {
    const d = join(dir, name);
    mkdirSync(join(d, 'onnx'), { recursive: true });
    writeFileSync(join(d, 'config.json'), JSON.stringify(config));
    for (const g of graphs) writeFileSync(join(d, 'onnx', `${g}.onnx`), '');
    return d;
  };
  const all = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
  assert.equal(detectModelFolder(mk('ours', { model_type: 'llava', visual_coder: { family: 'deepseek-vl' } }, all)), 'deepseek-vl');
  assert.throws(() => detectModelFolder(mk('partial', { visual_coder: { family: 'deepseek-vl' } }, all.slice(0, 2))), /decoder_model_merged.onnx is missing/);
  assert.equal(detectModelFolder(mk('janus', { model_type: 'multi_modality' })), 'janus');
  assert.equal(detectModelFolder(mk('qwen', { model_type: 'qwen2_vl' })), 'qwen2-vl');
  assert.equal(detectModelFolder(mk('hf', { model_type: 'deepseek_vl' })), 'hf-checkpoint');
  assert.throws(() => detectModelFolder(mk('bert', { model_type: 'bert' })), /"bert" model/);
  assert.throws(() => detectModelFolder(join(dir, 'nothing')), /has no config.json/);
});
