/**
 * The MCP server the extension offers VS Code's agent chats: registered only where the running VS
 * Code has the API, following the settings, and its command line really starts a server the SDK's
 * client can use. The `vscode` API is a recording stand-in (code-server 4.100 has no MCP API).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MCP_PROVIDER_ID, registerMcpServerDefinition } from '../../src/features/mcp-server-definition';
import { Settings } from '../../src/settings/settings';
import { recordingLog, vscodeStub } from '../unit/vscode-stub';
import { envWithoutVulkan, hostScript } from './host-test-helpers';

class Definition {
  constructor(
    readonly label: string,
    readonly command: string,
    readonly args: string[],
    readonly env: Record<string, string>,
    readonly version?: string,
  ) {}
}

class Emitter<T> {
  private readonly listeners: ((value: T) => void)[] = [];
  readonly event = (listener: (value: T) => void) => (this.listeners.push(listener), { dispose: () => undefined });
  fire(value: T) {
    for (const l of this.listeners) l(value);
  }
  dispose() {}
}

test('without the MCP API nothing is registered, and the log says how to add it by hand', () => {
  const stub = vscodeStub();
  const { log, lines } = recordingLog();
  const disposables = registerMcpServerDefinition({ vs: stub.vs, settings: new Settings(stub.vs), hostScript, defaultModelsDir: '/m', version: '0.1.0', log });
  assert.deepEqual(disposables, []);
  assert.match(lines.join('\n'), /no MCP server API.*docs\/mcp\.md/);
});

test('with the API the definition follows the settings and starts a server the MCP client lists the tools of', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-mcp-def-'));
  const stub = vscodeStub({ config: { 'visualCoder.device': 'cpu', 'visualCoder.modelsDir': path.join(dir, 'models') } });
  const registered: { id: string; provider: { onDidChangeMcpServerDefinitions: vscode.Event<void>; provideMcpServerDefinitions(): Definition[] } }[] = [];
  const vs = Object.assign(stub.vs, {
    EventEmitter: Emitter,
    McpStdioServerDefinition: Definition,
    lm: {
      registerMcpServerDefinitionProvider: (id: string, provider: (typeof registered)[number]['provider']) => (
        registered.push({ id, provider }),
        { dispose() {} }
      ),
    },
  }) as unknown as typeof vscode;
  const { log } = recordingLog();
  registerMcpServerDefinition({ vs, settings: new Settings(vs), hostScript, defaultModelsDir: '/unused', version: '0.1.0', log });
  assert.equal(registered.length, 1);
  assert.equal(registered[0].id, MCP_PROVIDER_ID);
  const [first] = registered[0].provider.provideMcpServerDefinitions();
  assert.equal(first.label, 'Visual Coder');
  assert.deepEqual(first.args, [hostScript, 'mcp', '--store', path.join(dir, 'models'), '--device', 'cpu']);
  assert.equal(first.env.ELECTRON_RUN_AS_NODE, '1');

  let changes = 0;
  registered[0].provider.onDidChangeMcpServerDefinitions(() => changes++);
  await stub.setConfig({ 'visualCoder.model': 'deepseek-vl-1.3b-chat' });
  assert.equal(changes, 1);
  assert.deepEqual(registered[0].provider.provideMcpServerDefinitions()[0].args.slice(-2), ['--model', 'deepseek-vl-1.3b-chat']);

  const transport = new StdioClientTransport({
    command: first.command,
    args: first.args,
    env: { ...(envWithoutVulkan() as Record<string, string>), ...first.env },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'visual-coder-mcp-definition-test', version: '1.0.0' });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'transcribe-code'));
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a VS Code that refuses the definition costs the agent integration, not the activation', () => {
  const stub = vscodeStub();
  const vs = Object.assign(stub.vs, {
    EventEmitter: Emitter,
    McpStdioServerDefinition: Definition,
    lm: {
      registerMcpServerDefinitionProvider: () => {
        throw new Error('MCP configuration providers must be registered in the contributes.modelContextServerCollections array');
      },
    },
  }) as unknown as typeof vscode;
  const { log, lines } = recordingLog();
  assert.deepEqual(registerMcpServerDefinition({ vs, settings: new Settings(vs), hostScript, defaultModelsDir: '/m', version: '0.1.0', log }), []);
  assert.match(lines.join('\n'), /not offered to agent chats: VS Code refused the MCP server definition \(MCP configuration providers must/);
});
