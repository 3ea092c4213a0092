/** The host follows the extension's log channel level: the mapping, and when a change is sent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { followLogLevel, hostLogLevelFor } from '../../src/host/log-level';
import type { HostState } from '../../src/host/host-client';

test("vscode.LogLevel's values map to the host's levels; Off keeps errors only", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((l) => hostLogLevelFor(l as vscode.LogLevel)),
    ['error', 'trace', 'debug', 'info', 'warn', 'error'],
  );
});

test('a change of the channel level reaches a running host, and waits for one that is not running', async () => {
  let fire: (level: vscode.LogLevel) => void = () => undefined;
  const log = { onDidChangeLogLevel: (l: typeof fire) => ((fire = l), { dispose() {} }), warn: () => undefined };
  const sent: unknown[] = [];
  const host = { state: 'stopped' as HostState, sendRequest: async (type: { method: string }, params: unknown) => void sent.push([type.method, params]) };
  followLogLevel(log as unknown as vscode.LogOutputChannel, host as never);
  fire(2 as vscode.LogLevel);
  assert.deepEqual(sent, []);
  host.state = 'busy';
  fire(1 as vscode.LogLevel);
  await Promise.resolve();
  assert.deepEqual(sent, [['host/setLogLevel', { level: 'trace' }]]);
});
