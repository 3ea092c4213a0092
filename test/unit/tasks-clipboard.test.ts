import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipboardToolsFor, missingToolMessage, type ClipboardEnvironment } from '../../model-host/clipboard/clipboard-tools';
import { readClipboardImage } from '../../model-host/clipboard/read-clipboard-image';
import { HostErrorCodes } from '../../model-host/protocol';

const env = (platform: NodeJS.Platform, vars: Record<string, string>, installed: string[]): ClipboardEnvironment => ({
  platform,
  env: vars,
  has: (c) => installed.includes(c),
});

test('Linux X11 prefers xclip, Wayland prefers wl-paste, only installed tools are tried', () => {
  assert.deepEqual(
    clipboardToolsFor(env('linux', { DISPLAY: ':0' }, ['xclip', 'wl-paste']), '/tmp/x.png').map((t) => t.command),
    ['xclip', 'wl-paste'],
  );
  assert.deepEqual(
    clipboardToolsFor(env('linux', { WAYLAND_DISPLAY: 'wayland-0' }, ['xclip', 'wl-paste']), '/tmp/x.png').map((t) => t.command),
    ['wl-paste', 'xclip'],
  );
  assert.deepEqual(clipboardToolsFor(env('linux', {}, ['xclip']), '/tmp/x.png')[0].args, ['-selection', 'clipboard', '-t', 'image/png', '-o']);
  assert.deepEqual(clipboardToolsFor(env('linux', {}, []), '/tmp/x.png'), []);
});

test('Windows uses PowerShell and macOS osascript, both writing the file', () => {
  const win = clipboardToolsFor(env('win32', {}, []), "C:\\Temp\\it's.png");
  assert.equal(win[0].command, 'powershell.exe');
  assert.equal(win[0].stdout, false);
  assert.match(win[0].args.at(-1)!, /Save\('C:\\Temp\\it''s\.png'/);
  const mac = clipboardToolsFor(env('darwin', {}, []), '/tmp/a.png');
  assert.equal(mac[0].command, 'osascript');
  assert.match(mac[0].args[1], /PNGf/);
});

test('the missing-tool message names what to install', () => {
  assert.match(missingToolMessage(env('linux', {}, [])), /needs xclip: install it/);
  assert.match(missingToolMessage(env('linux', { WAYLAND_DISPLAY: 'w' }, [])), /install wl-clipboard/);
});

test('with no tool, reading fails with BadImage and the install hint, writing nothing', async () => {
  await assert.rejects(
    readClipboardImage(env('linux', {}, [])),
    (e: Error & { code?: number }) => e.code === HostErrorCodes.BadImage && /sudo apt install xclip/.test(e.message),
  );
});
