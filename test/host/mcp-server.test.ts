/**
 * `model-host mcp` through the official MCP client of @modelcontextprotocol/sdk over stdio: the
 * tools match the task registry, Copy Code from Image (transcribe-code) runs on OCR from a path or
 * base64 with progress, a VLM task on the converted tiny DeepSeek-VL answers what `run --task` does,
 * and bad calls are tool errors the agent can read, with the server still serving.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { listTasks } from '../../model-host/tasks/registry';
import { runTaskWithCli } from '../fixtures/cli/run-task';
import { writeSolidPng } from '../fixtures/images/make-png';
import { envWithoutVulkan, hostScript, repoRoot } from './host-test-helpers';

const tinyCheckpoint = path.join(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const CODE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="420" height="110"><rect width="100%" height="100%" fill="#fff"/>' +
  '<text x="10" y="40" font-family="DejaVu Sans Mono" font-size="22">def add(a, b):</text>' +
  '<text x="63" y="80" font-family="DejaVu Sans Mono" font-size="22">return a + b</text></svg>';

let dir: string;
let codeImage: string;
let modelDir: string;

/** Every message the client read from the server, in the order it arrived on the pipe. */
type WireMessage = { id?: number | string; method?: string; params?: { progressToken?: unknown; progress?: number } };

async function connect(extraArgs: string[]): Promise<{ client: Client; stderr: () => string; wire: WireMessage[] }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [hostScript, 'mcp', '--store', path.join(dir, 'empty-store'), '--device', 'cpu', ...extraArgs],
    env: envWithoutVulkan() as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'visual-coder-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  // Tap the pipe behind the SDK: its client handles notifications a microtask after the response
  // that arrived in the same read, so it drops a last progress note the server did send first
  // (modelcontextprotocol/typescript-sdk#2580). What the server owes is the order on the wire.
  const wire: WireMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message) => {
    wire.push(message as WireMessage);
    deliver?.(message);
  };
  return { client, stderr: () => stderr, wire };
}

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as { type: string; text: string }[]).map((c) => c.text).join('');

let ocrClient: Client;
let ocrWire: WireMessage[];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-mcp-'));
  codeImage = path.join(dir, 'code.svg');
  writeFileSync(codeImage, CODE_SVG);
  ({ client: ocrClient, wire: ocrWire } = await connect([]));
});

after(async () => {
  await ocrClient?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the tools are the task registry, each option an enum of its choices', async () => {
  const { tools } = await ocrClient.listTools();
  assert.deepEqual(
    tools.map((t) => t.name).sort(),
    listTasks()
      .map((t) => t.id)
      .sort(),
  );
  const ui = tools.find((t) => t.name === 'ui-to-code')!;
  const stack = (ui.inputSchema.properties as Record<string, { enum?: string[] }>).stack;
  assert.ok(stack.enum?.includes('react-tailwind'), JSON.stringify(ui.inputSchema));
  const transcribe = tools.find((t) => t.name === 'transcribe-code')!;
  assert.match(transcribe.description ?? '', /no model download/);
  assert.ok('imagePath' in (transcribe.inputSchema.properties ?? {}));
});

test('Copy Code from Image runs through the MCP tool from a path, with progress, and from base64', async () => {
  const seenBefore = ocrWire.length;
  // onprogress makes the client send a progress token; what reaches it is checked on the wire below.
  const fromPath = await ocrClient.callTool({ name: 'transcribe-code', arguments: { imagePath: codeImage } }, undefined, { onprogress: () => undefined });
  assert.equal(fromPath.isError, undefined, textOf(fromPath));
  assert.equal(textOf(fromPath), 'def add(a, b):\n    return a + b\n');
  const call = ocrWire.slice(seenBefore);
  const responseAt = call.findIndex((m) => m.id !== undefined && m.method === undefined);
  const progress = call.filter(
    (m, i) => m.method === 'notifications/progress' && String(m.params?.progressToken) === String(call[responseAt]?.id) && i < responseAt,
  );
  assert.deepEqual(
    progress.map((m) => m.params?.progress),
    ['def add(a, b):\n    return a + b\n'.length],
    `progress for the call, before its result, on the wire: ${JSON.stringify(call)}`,
  );
  const fromBytes = await ocrClient.callTool({ name: 'transcribe-code', arguments: { imageBase64: readFileSync(codeImage).toString('base64') } });
  assert.equal(textOf(fromBytes), textOf(fromPath));
});

test('bad calls are tool errors that say what to send, and the server keeps serving', async () => {
  const none = await ocrClient.callTool({ name: 'transcribe-code', arguments: {} });
  assert.equal(none.isError, true);
  assert.match(textOf(none), /exactly one of imagePath .* or imageBase64/);
  const relative = await ocrClient.callTool({ name: 'transcribe-code', arguments: { imagePath: 'code.svg' } });
  assert.equal(relative.isError, true);
  assert.match(textOf(relative), /must be absolute/);
  const corrupt = await ocrClient.callTool({ name: 'transcribe-code', arguments: { imageBase64: Buffer.from('not an image').toString('base64') } });
  assert.equal(corrupt.isError, true);
  const badChoice = await ocrClient.callTool({ name: 'ui-to-code', arguments: { imagePath: codeImage, stack: 'cobol' } }).catch((err: Error) => err);
  assert.match(badChoice instanceof Error ? badChoice.message : textOf(badChoice), /stack/);
  const noModel = await ocrClient.callTool({ name: 'ui-to-code', arguments: { imagePath: codeImage } });
  assert.equal(noModel.isError, true);
  assert.match(textOf(noModel), /model/i);
  const again = await ocrClient.callTool({ name: 'transcribe-code', arguments: { imagePath: codeImage } });
  assert.equal(textOf(again), 'def add(a, b):\n    return a + b\n');
});

test('a VLM tool on the converted tiny DeepSeek-VL answers exactly what `run --task` does', async () => {
  modelDir = path.join(dir, 'model');
  execFileSync(process.execPath, [hostScript, 'convert', '--from', tinyCheckpoint, '--to', modelDir], { stdio: 'ignore' });
  const image = path.join(dir, 'chart.png');
  await writeSolidPng(image, 80, 60, '#44aa66');
  const cli = runTaskWithCli({ taskId: 'chart-to-code', option: 'library=plotly', image, model: modelDir, maxNewTokens: 24 });
  const { client } = await connect(['--model', modelDir, '--no-ocr']);
  try {
    const result = await client.callTool({ name: 'chart-to-code', arguments: { imagePath: image, library: 'plotly', maxNewTokens: 24 } });
    assert.equal(result.isError, undefined, textOf(result));
    assert.equal(textOf(result).replace(/\n\n\(The answer reached maxNewTokens[^)]*\)$/, ''), cli.output);
    assert.equal((result._meta as { language?: string }).language, 'python');
  } finally {
    await client.close();
  }
});
