// Installs code-server (the VS Code server + web workbench) into a cache folder outside the
// product's dependencies, for the e2e tests, `npm start` and CI. Idempotent: a second call only
// checks a marker file.
//
//   node scripts/code-server.mjs            install if needed, print the entry script's path
//   node scripts/code-server.mjs --check    exit 0 if installed, 1 if not (installs nothing)
//
// Why a separate folder: code-server is ~400 MB of VS Code and must never end up in the .vsix or
// in `npm ci`'s tree. 4.100.3 (VS Code 1.100.3) is the newest release that runs on Node 20.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where code-server lives; `VISUAL_CODER_CODE_SERVER_DIR` moves it (e.g. a CI cache volume). */
export function codeServerDir() {
  return resolve(process.env.VISUAL_CODER_CODE_SERVER_DIR ?? join(repoRoot, '.cache', 'code-server'));
}

/** The script to run with Node (`node ENTRY --auth none ...`). */
export function codeServerEntry(dir = codeServerDir()) {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

const markerFile = (dir) => join(dir, `.installed-${CODE_SERVER_VERSION}`);

export function isCodeServerInstalled(dir = codeServerDir()) {
  return existsSync(markerFile(dir)) && existsSync(codeServerEntry(dir));
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub, which CI machines may not reach. It first
 * looks for the archive in `$TMPDIR/vscode-ripgrep-cache-<its version>/`, so we put one there made
 * from the system's rg (apt package `ripgrep`).
 */
function seedRipgrepCache(log) {
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p));
  if (!rg) throw new Error('ripgrep is missing: run `apt-get install -y ripgrep` (code-server needs rg and cannot download it here).');
  const work = mkdtempSync(join(tmpdir(), 'vc-rg-'));
  try {
    copyFileSync(rg, join(work, 'rg'));
    const archive = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
    const tar = spawnSync('tar', ['czf', archive, 'rg'], { cwd: work, stdio: 'inherit' });
    if (tar.status !== 0) throw new Error('tar failed while seeding the ripgrep cache');
    for (const v of ['1.15.9', '1.15.10', '1.15.11', '1.15.12', '1.15.13', '1.15.14']) {
      const cache = join(tmpdir(), `vscode-ripgrep-cache-${v}`);
      mkdirSync(cache, { recursive: true });
      copyFileSync(join(work, archive), join(cache, archive));
    }
    log(`seeded the @vscode/ripgrep cache from ${rg}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A lock folder so two test files (or `npm start` and a test) never install at the same time. */
async function withInstallLock(dir, fn) {
  const lock = `${dir}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 15 minutes belongs to an install that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) {
          rmSync(lock, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no install is running)`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Installs code-server if needed and returns the entry script's path. */
/**
 * code-server's command line for a private, offline instance on loopback: no auth (loopback only),
 * its own config, user data and extensions folders, no telemetry, update check or trust prompt.
 */
export function codeServerArgs({ entry, bindAddr, configFile, userDataDir, extensionsDir, extra = [] }) {
  return [
    entry,
    ...['--auth', 'none', '--bind-addr', bindAddr, '--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir],
    ...['--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...extra],
  ];
}

export async function ensureCodeServer({ log = (m) => console.error(`[code-server] ${m}`) } = {}) {
  const dir = codeServerDir();
  if (isCodeServerInstalled(dir)) return codeServerEntry(dir);
  return withInstallLock(dir, () => {
    if (isCodeServerInstalled(dir)) return codeServerEntry(dir);
    log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (about 2 minutes, once)`);
    seedRipgrepCache(log);
    mkdirSync(dir, { recursive: true });
    // Its own package.json so npm never walks up into the product's package.json.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'visual-coder-code-server-cache', private: true }, null, 2));
    const started = Date.now();
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
    });
    if (npm.status !== 0 || !existsSync(codeServerEntry(dir))) {
      throw new Error(
        `npm install code-server@${CODE_SERVER_VERSION} failed (exit ${npm.status}). ` +
          'It needs the apt packages libkrb5-dev and ripgrep and access to the npm registry; see docs/testing.md.',
      );
    }
    writeFileSync(markerFile(dir), `${new Date().toISOString()}\n`);
    log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return codeServerEntry(dir);
  });
}

function installedVersion(dir = codeServerDir()) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', 'code-server', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

// No top-level await: the TypeScript harness loads this module through require() (tsx, CommonJS).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--check')) {
    const ok = isCodeServerInstalled();
    console.log(ok ? `code-server ${installedVersion()} at ${codeServerDir()}` : `code-server is not installed in ${codeServerDir()}`);
    process.exit(ok ? 0 : 1);
  }
  ensureCodeServer().then(
    (entry) => console.log(entry),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
