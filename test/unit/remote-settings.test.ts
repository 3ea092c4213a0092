import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { SERVER_PRESETS, apiKeySecretName, describeRemoteStatus, endpointProblem, readRemoteSettings } from '../../src/settings/remote-settings';
import { currentBackend } from '../../src/settings/backend';
import { Settings } from '../../src/settings/settings';
import { vscodeStub } from './vscode-stub';

const repoRoot = path.resolve(__dirname, '..', '..');

function config(values: Record<string, unknown>) {
  return { get: <T>(key: string, fallback: T): T => (key in values ? (values[key] as T) : fallback) };
}

/** Settings over the shared stub (values by their key under visualCoder.) and its SecretStorage. */
function deps(values: Record<string, unknown>, secrets: Record<string, string> = {}): [Settings, vscode.SecretStorage] {
  const stub = vscodeStub({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`visualCoder.${k}`, v])), secrets });
  return [new Settings(stub.vs), stub.secrets];
}

test('reads settings with defaults and rejects nonsense sizes', () => {
  assert.deepEqual(readRemoteSettings(config({})), { backend: 'local', endpoint: 'http://127.0.0.1:8000/v1', model: '', maxImageSide: 1024 });
  assert.deepEqual(
    readRemoteSettings(config({ backend: 'openai', 'remote.endpoint': ' http://gpu:9/v1 ', 'remote.model': 'qwen', 'remote.maxImageSide': 768.4 })),
    { backend: 'openai', endpoint: 'http://gpu:9/v1', model: 'qwen', maxImageSide: 768 },
  );
  assert.equal(readRemoteSettings(config({ backend: 'cloud', 'remote.maxImageSide': 3 })).backend, 'local');
  assert.equal(readRemoteSettings(config({ 'remote.maxImageSide': 3 })).maxImageSide, 1024);
});

test('API keys are stored per server origin, so another endpoint never gets them', () => {
  assert.equal(apiKeySecretName('http://127.0.0.1:8000/v1'), 'visualCoder.remote.apiKey:http://127.0.0.1:8000');
  assert.equal(apiKeySecretName('http://127.0.0.1:8000/other/v1'), apiKeySecretName('http://127.0.0.1:8000/v1'));
  assert.notEqual(apiKeySecretName('http://127.0.0.1:8001/v1'), apiKeySecretName('http://127.0.0.1:8000/v1'));
  assert.notEqual(apiKeySecretName('https://evil.example/v1'), apiKeySecretName('https://good.example/v1'));
});

test('endpoint problems are named', () => {
  assert.equal(endpointProblem('http://127.0.0.1:11434/v1'), undefined);
  assert.match(endpointProblem('') ?? '', /no endpoint/);
  assert.match(endpointProblem('localhost 8000') ?? '', /not a URL/);
  assert.match(endpointProblem('ftp://x/v1') ?? '', /not an http/);
});

test('presets cover vLLM, Ollama, LM Studio and llama.cpp with their usual ports and how to start them', () => {
  const byId = Object.fromEntries(SERVER_PRESETS.map((p) => [p.id, p]));
  assert.equal(byId.vllm.endpoint, 'http://127.0.0.1:8000/v1');
  assert.equal(byId.ollama.endpoint, 'http://127.0.0.1:11434/v1');
  assert.equal(byId.lmstudio.endpoint, 'http://127.0.0.1:1234/v1');
  assert.equal(byId.llamacpp.endpoint, 'http://127.0.0.1:8080/v1');
  for (const p of SERVER_PRESETS) assert.equal(endpointProblem(p.endpoint), undefined, p.id);
  assert.match(byId.llamacpp.howToStart, /--mmproj/);
});

test('the status item shows model and host only for the remote backend', () => {
  assert.equal(describeRemoteStatus(readRemoteSettings(config({}))), undefined);
  const view = describeRemoteStatus(
    readRemoteSettings(config({ backend: 'openai', 'remote.endpoint': 'http://gpu-box:8000/v1', 'remote.model': 'deepseek-vl2' })),
  );
  assert.equal(view?.text, '$(cloud) deepseek-vl2 @ gpu-box:8000');
});

test('currentBackend: local, or openai with the key of that origin, or an error that says what to set', async () => {
  assert.deepEqual(await currentBackend(...deps({})), { kind: 'local' });
  const remote = { backend: 'openai', 'remote.endpoint': 'http://gpu:8000/v1', 'remote.model': 'm', 'remote.maxImageSide': 512 };
  assert.deepEqual(
    await currentBackend(...deps(remote, { 'visualCoder.remote.apiKey:http://gpu:8000': 'sk-1', 'visualCoder.remote.apiKey:http://other:8000': 'sk-2' })),
    {
      kind: 'openai',
      endpoint: 'http://gpu:8000/v1',
      model: 'm',
      apiKey: 'sk-1',
      maxImageSide: 512,
    },
  );
  assert.equal((await currentBackend(...deps(remote))).apiKey, undefined);
  await assert.rejects(currentBackend(...deps({ ...remote, 'remote.model': '' })), /Choose Remote Model/);
  await assert.rejects(currentBackend(...deps({ ...remote, 'remote.endpoint': 'nope' })), /not a URL.*Choose Remote Server/);
});

test('package.json contributes the settings and commands, and no API key setting', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(props['visualCoder.backend'].enum, ['local', 'openai']);
  for (const key of ['visualCoder.remote.endpoint', 'visualCoder.remote.model', 'visualCoder.remote.maxImageSide']) assert.ok(props[key], key);
  assert.deepEqual(
    Object.keys(props).filter((k) => /api.?key|secret|password|bearer|access.?token/i.test(k)),
    [],
    'no setting holds a secret',
  );
  const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const c of ['visualCoder.setApiKey', 'visualCoder.chooseRemoteServer', 'visualCoder.chooseRemoteModel']) assert.ok(commands.includes(c), c);
  // An untrusted workspace must not be able to send the user's images to a server it chose.
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  assert.ok(restricted.includes('visualCoder.backend') && restricted.includes('visualCoder.remote.endpoint'), restricted.join(', '));
});
