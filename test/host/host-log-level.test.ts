/**
 * host/setLogLevel on the real built host: the threshold set at host/initialize holds until the
 * extension's log channel level changes, then the next messages follow the new one, with no restart.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as rpc from 'vscode-jsonrpc/node';
import { InitializeRequest, LogNotification, SetLogLevelRequest, TaskRunRequest } from '../../model-host/protocol';
import { startHost } from './host-test-helpers';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vc-host-log-level-'));
const svg = path.join(dir, 'code.svg');
writeFileSync(
  svg,
  '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60"><rect width="100%" height="100%" fill="#fff"/>' +
    '<text x="10" y="40" font-family="DejaVu Sans Mono" font-size="22">x = 1</text></svg>',
);
const host = startHost();

after(async () => {
  host.connection.dispose();
  host.child.stdin.end();
  await host.exited;
  rmSync(dir, { recursive: true, force: true });
});

test('debug messages start once the level is lowered, and a bad level is invalid params naming the field', async () => {
  const lines: string[] = [];
  host.connection.onNotification(LogNotification, (p: { level: string; message: string }) => void lines.push(`${p.level} ${p.message}`));
  await host.connection.sendRequest(InitializeRequest, { clientName: 'log-level-test', device: 'cpu', logLevel: 'info' });
  await host.connection.sendRequest(TaskRunRequest, { runId: 'a', taskId: 'transcribe-code', image: { path: svg } });
  await host.connection.sendRequest(SetLogLevelRequest, { level: 'warn' });
  assert.deepEqual(
    lines.filter((l) => l.startsWith('debug ')),
    [],
    lines.join('\n'),
  );
  await host.connection.sendRequest(SetLogLevelRequest, { level: 'debug' });
  await waitFor(() => lines.includes('debug log level: debug'), lines);
  await assert.rejects(
    host.connection.sendRequest(SetLogLevelRequest, { level: 'loud' as never }),
    (e: rpc.ResponseError<unknown>) => e.code === -32602 && /level/.test(e.message),
  );
});

async function waitFor(check: () => boolean, lines: string[]): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check(), lines.join('\n'));
}
