// `npm start`: builds, then opens the extension in a real VS Code with the samples/ workspace.
//   - the desktop VS Code (`code --extensionDevelopmentPath=<repo>`) when `code` is on PATH;
//   - otherwise code-server on 127.0.0.1 (installed on first use into .cache/code-server/), with
//     the built extension installed into .cache/start/extensions; prints the URL to open and
//     runs until Ctrl+C.
// Options: --web (code-server even when `code` exists), --port N (default: a free port),
//          --no-build (skip the build).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeServerArgs, ensureCodeServer } from './code-server.mjs';
import { installExtension } from './install-extension.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const samples = join(repoRoot, 'samples');
const args = process.argv.slice(2);
const portArg = args.includes('--port') ? args[args.indexOf('--port') + 1] : '0';
if (!/^\d+$/.test(portArg ?? '')) {
  console.error('usage: npm start [-- --web] [--port N] [--no-build]');
  process.exit(2);
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

if (!args.includes('--no-build')) {
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

if (onPath('code') && !args.includes('--web')) {
  console.log(`Opening VS Code with the extension under development (${repoRoot}) and ${samples}`);
  const code = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, samples], { stdio: 'inherit' });
  process.exit(code.status ?? 0);
}

const entry = await ensureCodeServer();
const state = join(repoRoot, '.cache', 'start');
const userData = join(state, 'user-data');
const extensions = join(state, 'extensions');
for (const scope of ['User', 'Machine']) mkdirSync(join(userData, scope), { recursive: true });
// Only the settings needed to get straight to work; the rest of the user data persists between runs.
const settings = { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' };
const userSettings = join(userData, 'User', 'settings.json');
if (!existsSync(userSettings)) writeFileSync(userSettings, JSON.stringify(settings, null, 2));
mkdirSync(extensions, { recursive: true });
const { folder } = installExtension(repoRoot, extensions);
console.log(`installed the built extension into ${folder}`);

const child = spawn(
  process.execPath,
  codeServerArgs({ entry, bindAddr: `127.0.0.1:${portArg}`, configFile: join(state, 'code-server.yaml'), userDataDir: userData, extensionsDir: extensions }),
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } },
);

let announced = false;
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk.toString());
  if (m && !announced) {
    announced = true;
    console.log(`\nVisual Coder is running in code-server. Open:\n\n  ${m[1]}/?folder=${encodeURIComponent(samples)}\n\nPress Ctrl+C to stop.`);
  }
});
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
