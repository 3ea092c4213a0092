/**
 * `visualCoder.model` edited by hand reaches the running host through models/select, without a
 * restart prompt; against recording stand-ins for the `vscode` API and the host connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rpc from 'vscode-jsonrpc';
import { HostErrorCodes, type ActiveModelInfo } from '../../model-host/protocol';
import type { HostClient, HostState } from '../../src/host/host-client';
import { watchModelSetting } from '../../src/features/models/model-setting';
import { Settings } from '../../src/settings/settings';
import { recordingLog, vscodeStub } from './vscode-stub';

type Answer = (id: string) => ActiveModelInfo;

function setup(answer: Answer, state: HostState = 'ready') {
  const sent: Array<{ method: string; params: unknown }> = [];
  const stub = vscodeStub({ config: { 'visualCoder.model': '' } });
  const { log, lines: logLines } = recordingLog();
  const host = {
    state,
    sendRequest: async (type: { method: string }, params: { id: string }) => {
      sent.push({ method: type.method, params });
      return { model: answer(params.id) };
    },
  } as unknown as HostClient;
  const own = new Set<string>();
  watchModelSetting({ window: stub.vs.window, settings: new Settings(stub.vs), host, log }, (value) => own.delete(value));
  const edit = (key: string, value: string) => stub.setConfig({ [key]: value });
  const warnings = () => stub.messages.filter((m) => m.kind === 'warning').map((m) => m.text);
  return {
    sent,
    get warnings() {
      return warnings();
    },
    logLines,
    own,
    edit,
  };
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
