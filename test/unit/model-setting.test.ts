/**
 * `visualCoder.model` edited by hand reaches the running host through models/select, without a
 * restart prompt; against recording stand-ins for the `vscode` API and the host connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import * as rpc from 'vscode-jsonrpc';
import { HostErrorCodes, type ActiveModelInfo } from '../../model-host/protocol';
import type { HostClient, HostState } from '../../src/host/host-client';
import { watchModelSetting } from '../../src/features/model-setting';

type Answer = (id: string) => ActiveModelInfo;

function setup(answer: Answer, state: HostState = 'ready') {
  const config: Record<string, string> = { model: '' };
  const sent: Array<{ method: string; params: unknown }> = [];
  const warnings: string[] = [];
  const logLines: string[] = [];
  let listener: ((e: { affectsConfiguration(s: string): boolean }) => Promise<void>) | undefined;
  const vs = {
    workspace: {
      getConfiguration: () => ({ get: <T>(key: string, dflt: T) => (key in config ? (config[key] as T) : dflt) }),
      onDidChangeConfiguration: (l: typeof listener) => ((listener = l), { dispose() {} }),
    },
    window: { showWarningMessage: async (text: string) => void warnings.push(text) },
  } as unknown as typeof vscode;
  const host = {
    state,
    sendRequest: async (type: { method: string }, params: { id: string }) => {
      sent.push({ method: type.method, params });
      return { model: answer(params.id) };
    },
  } as unknown as HostClient;
  const log = { info: (m: string) => logLines.push(m), warn: (m: string) => logLines.push(`warn: ${m}`) } as unknown as vscode.LogOutputChannel;
  const own = new Set<string>();
  watchModelSetting({ vs, host, log, context: {} as vscode.ExtensionContext }, (value) => own.delete(value));
  const edit = async (key: string, value: string) => {
    config[key.replace('visualCoder.', '')] = value;
    await listener!({ affectsConfiguration: (s) => s === key });
  };
  return { sent, warnings, logLines, own, edit };
}

const info = (id: string): ActiveModelInfo => ({ id, displayName: `Model ${id}`, dir: `/store/${id}`, device: 'cpu' });

test('a hand-edited visualCoder.model is selected on the host; other settings are left alone', async () => {
  const s = setup(info);
  await s.edit('visualCoder.device', 'cpu');
  await s.edit('visualCoder.model', ' janus-pro-1b ');
  assert.deepEqual(s.sent, [{ method: 'models/select', params: { id: 'janus-pro-1b' } }]);
  assert.match(s.logLines[0], /the next task uses Model janus-pro-1b \(\/store\/janus-pro-1b\)/);
  assert.deepEqual(s.warnings, []);
});

test('emptying it asks the host for the recommended installed model; with none installed it only logs', async () => {
  const s = setup(info);
  await s.edit('visualCoder.model', '');
  assert.deepEqual(s.sent, [{ method: 'models/select', params: { id: '' } }]);
  assert.match(s.logLines[0], /visualCoder\.model is empty: tasks use the recommended installed model/);
  const none = setup(() => {
    throw new rpc.ResponseError(HostErrorCodes.NoModel, 'No model is installed');
  });
  await none.edit('visualCoder.model', '');
  assert.match(none.logLines[0], /no model is installed: a task will offer a download/);
  assert.deepEqual(none.warnings, []);
});

test('a model that is not installed is a warning that says what to do', async () => {
  const s = setup(() => {
    throw new rpc.ResponseError(HostErrorCodes.NoModel, 'The model "nope" is not installed in /store; download it with "Visual Coder: Download Model"');
  });
  await s.edit('visualCoder.model', 'nope');
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0], /"nope" is not installed .*Download Model.*keeps the model it had/);
});

test('the value Select Model just wrote, and a host that is not running, send nothing', async () => {
  const s = setup(info);
  s.own.add('janus-pro-1b');
  await s.edit('visualCoder.model', 'janus-pro-1b');
  assert.deepEqual(s.sent, []);
  await s.edit('visualCoder.model', 'janus-pro-1b-again');
  assert.equal(s.sent.length, 1);
  const stopped = setup(info, 'crashed');
  await stopped.edit('visualCoder.model', 'janus-pro-1b');
  assert.deepEqual(stopped.sent, []);
});
