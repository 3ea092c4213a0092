/**
 * clipboard/readImage through the real built model host against a real X clipboard: a private Xvfb
 * display, an image put on its clipboard with xclip, read back over the protocol.
 * Skipped (with the reason) where Xvfb or xclip is not installed; CI installs both (.ci/run).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as rpc from 'vscode-jsonrpc/node';
import sharp from 'sharp';
import { ClipboardReadImageRequest, HostErrorCodes, InitializeRequest } from '../../model-host/protocol';

const repoRoot = path.resolve(__dirname, '..', '..');
const missing = ['Xvfb', 'xclip'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const skip = missing.length ? `needs ${missing.join(' and ')} (apt-get install xvfb xclip)` : false;
const display = `:${90 + (process.pid % 100)}`;

let xvfb: ChildProcess | undefined;
let host: ChildProcess | undefined;
let connection: rpc.MessageConnection;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-clip-'));
  if (skip) return;
  xvfb = spawn('Xvfb', [display, '-nolisten', 'tcp', '-screen', '0', '320x240x24'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(`/tmp/.X11-unix/X${display.slice(1)}`); i++) await new Promise((r) => setTimeout(r, 25));
  // Only the X display is set: no WAYLAND_DISPLAY, so the host picks xclip.
  const env = { ...process.env, DISPLAY: display, WAYLAND_DISPLAY: '', TMPDIR: dir };
  host = spawn(process.execPath, [path.join(repoRoot, 'dist', 'model-host.js'), 'serve'], { stdio: ['pipe', 'pipe', 'inherit'], env });
  connection = rpc.createMessageConnection(new rpc.StreamMessageReader(host.stdout!), new rpc.StreamMessageWriter(host.stdin!));
  connection.listen();
  await connection.sendRequest(InitializeRequest, { clientName: 'clipboard-test', device: 'cpu' });
});

after(async () => {
  connection?.dispose();
  host?.stdin?.end();
  if (host) await new Promise((r) => host!.once('exit', r));
  // Ending the X server also ends the xclip that served the selection.
  if (xvfb?.pid) process.kill(xvfb.pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('an empty clipboard gives BadImage saying to copy a screenshot first', { skip }, async () => {
  await assert.rejects(
    connection.sendRequest(ClipboardReadImageRequest),
    (e: rpc.ResponseError<unknown>) => e.code === HostErrorCodes.BadImage && /No image on the clipboard: copy a screenshot first/.test(e.message),
  );
});

test('a PNG copied with xclip comes back as PNG bytes with its size and pixels, and leaves no file behind', { skip }, async () => {
  const source = path.join(dir, 'copied.png');
  writeFileSync(
    source,
    await sharp({ create: { width: 30, height: 20, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer(),
  );
  // xclip -i forks and keeps serving the selection until another owner takes it (or X ends).
  const put = spawnSync('xclip', ['-selection', 'clipboard', '-t', 'image/png', '-i', source], { env: { ...process.env, DISPLAY: display }, timeout: 5000 });
  assert.equal(put.status, 0, put.stderr?.toString());
  const before = readdirSync(dir);
  const result = await connection.sendRequest(ClipboardReadImageRequest);
  assert.deepEqual([result.width, result.height], [30, 20]);
  const { data } = await sharp(Buffer.from(result.base64, 'base64')).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([...data.subarray(0, 3)], [255, 0, 0]);
  assert.deepEqual(readdirSync(dir), before, 'nothing was written to the temp folder');
});
