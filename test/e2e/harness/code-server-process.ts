/**
 * Starts code-server on a free 127.0.0.1 port (it binds port 0 and prints the real address) with
 * its own user-data, extensions and config folders, so nothing is read from or written to $HOME.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface CodeServerOptions {
  userDataDir: string;
  extensionsDir: string;
  configFile: string;
  /** code-server's own stdout/stderr are written here. */
  logFile: string;
  /** Added to the environment; code-server hands its environment to the extension host. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** `--locale`: the display language. */
  locale?: string;
}

export interface RunningCodeServer {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Everything code-server printed so far. */
  output(): string;
}

/** Environment variables that would make code-server or our extension think they run elsewhere. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'NODE_OPTIONS') continue;
    // node --test sets these for its children; they would leak into the extension host.
    if (k.startsWith('NODE_TEST')) continue;
    env[k] = v;
  }
  env.XDG_RUNTIME_DIR ??= '/tmp';
  return { ...env, ...extra };
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  // The installer is a plain ES module script (npm start and CI use it too; types in code-server.d.mts).
  const { codeServerArgs, ensureCodeServer } = await import('../../../scripts/code-server.mjs');
  const entry = await ensureCodeServer();
  const child = spawn(
    process.execPath,
    codeServerArgs({
      entry,
      bindAddr: '127.0.0.1:0',
      configFile: options.configFile,
      userDataDir: options.userDataDir,
      extensionsDir: options.extensionsDir,
      extra: ['--disable-getting-started-override', '--ignore-last-opened', ...(options.locale ? ['--locale', options.locale] : [])],
    }),
    { env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(options.logFile);
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    log.write(chunk);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.on('close', () => log.end());

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`code-server did not start listening within ${timeoutMs} ms. Output:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(output);
      if (m) {
        cleanup();
        resolve(m[1]);
      }
    };
    const onExit = (code: number | null, sig: string | null) => {
      cleanup();
      reject(new Error(`code-server exited before listening (code ${code}, signal ${sig}). Output:\n${output}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', onExit);
    check();
  });
  return { child, pid: child.pid!, url, output: () => output };
}

/** Installs a .vsix into an extensions folder with code-server's own CLI (as a user would). */
export async function installVsix(vsix: string, options: Pick<CodeServerOptions, 'userDataDir' | 'extensionsDir' | 'configFile'>): Promise<void> {
  const { ensureCodeServer } = await import('../../../scripts/code-server.mjs');
  const entry = await ensureCodeServer();
  const r = spawnSync(
    process.execPath,
    [entry, '--config', options.configFile, '--user-data-dir', options.userDataDir, '--extensions-dir', options.extensionsDir, '--install-extension', vsix],
    { env: cleanEnv(), encoding: 'utf8', timeout: 180_000 },
  );
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}
