/**
 * One end-to-end session: a fresh code-server (user data, extensions, workspace in a temp folder)
 * with our built extension installed, and a headless Debian Chromium showing its workbench.
 * `close()` ends every process it started, including what the extension spawned.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { installVsix, startCodeServer, type RunningCodeServer } from './code-server-process';
import { assertBuilt, EXTENSION_ID, repoRoot } from './paths';
import { commandLine, descendants, killTree } from './process-tree';
import { waitUntil } from './wait';
import { Workbench } from './workbench';

export interface LaunchOptions {
  /** Workspace files, relative path → content. */
  files?: Record<string, string | Uint8Array>;
  /** User settings, merged over the harness defaults (e.g. `{ 'visualCoder.device': 'cpu' }`). */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host and what it spawns. */
  env?: Record<string, string>;
  /**
   * Install our extension from this .vsix (with code-server's --install-extension) instead of
   * copying the repository's package.json + dist.
   */
  vsix?: string;
  /** More extension folders to install beside ours (e.g. a test-runner extension). */
  extraExtensions?: string[];
  /** Browser viewport; tall by default so `activeEditorText()` sees ~70 lines. */
  viewport?: { width: number; height: number };
  /** Bound for code-server + workbench startup (default 120 s: CPU is shared). */
  startTimeoutMs?: number;
  /**
   * Start in this display language with the given language pack folder (e.g. the pseudo-locale
   * `qps-ploc` and `test/e2e/fixtures/pseudo-language-pack`): the pack is installed, and registered in
   * `languagepacks.json` as VS Code's own installer does, because the server reads that file for the
   * first page it serves.
   */
  locale?: { id: string; languagePack: string };
  /** Runs on our installed extension's folder before code-server starts (e.g. to add translation files). */
  prepareExtension?(folder: string): void;
}

const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  'editor.wordWrap': 'off',
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export class VsCodeSession extends Workbench {
  private closed = false;

  private constructor(
    page: Workbench['page'],
    private readonly browser: Browser,
    private readonly server: RunningCodeServer,
    /** Temp folder holding everything below; removed by close(). */
    readonly root: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly workspace: string,
    readonly url: string,
  ) {
    super(page);
  }

  static async launch(options: LaunchOptions = {}): Promise<VsCodeSession> {
    if (!options.vsix) assertBuilt();
    const root = mkdtempSync(join(tmpdir(), 'vc-e2e-'));
    const userDataDir = join(root, 'user-data');
    const extensionsDir = join(root, 'extensions');
    const workspace = join(root, 'workspace');
    const settings = JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2);
    // User settings, and the same as remote ("Machine") settings: code-server is a remote window,
    // where machine-scoped settings are only read from the latter.
    for (const scope of ['User', 'Machine']) {
      mkdirSync(join(userDataDir, scope), { recursive: true });
      writeFileSync(join(userDataDir, scope, 'settings.json'), settings);
    }
    mkdirSync(extensionsDir, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    for (const [rel, content] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(workspace, rel)), { recursive: true });
      writeFileSync(join(workspace, rel), content);
    }
    const startTimeoutMs = options.startTimeoutMs ?? 120_000;
    let server: RunningCodeServer | undefined;
    let browser: Browser | undefined;
    try {
      // Shared with `npm start` (a plain .mjs script; types in install-extension.d.mts).
      const { installExtension } = await import('../../../scripts/install-extension.mjs');
      if (options.vsix) await installVsix(options.vsix, { userDataDir, extensionsDir, configFile: join(root, 'code-server.yaml') });
      else {
        const installed = installExtension(repoRoot, extensionsDir);
        options.prepareExtension?.(installed.folder);
      }
      for (const extra of options.extraExtensions ?? []) installExtension(extra, extensionsDir);
      if (options.locale) registerLanguagePack(options.locale, installExtension(options.locale.languagePack, extensionsDir), userDataDir);
      server = await startCodeServer({
        userDataDir,
        extensionsDir,
        configFile: join(root, 'code-server.yaml'),
        logFile: join(root, 'code-server.log'),
        env: options.env,
        startTimeoutMs,
        locale: options.locale?.id,
      });
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: startTimeoutMs });
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 1600 } });
      const page = await context.newPage();
      const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
      await page.goto(url, { timeout: startTimeoutMs });
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: startTimeoutMs });
      const session = new VsCodeSession(page, browser, server, root, userDataDir, extensionsDir, workspace, url);
      // The extension host is up once its log exists; commands run before that would be lost.
      await waitUntil(() => session.extensionHostLogFile(), { timeoutMs: startTimeoutMs, what: 'the extension host log' });
      return session;
    } catch (err) {
      const dir = dumpFiles(root, 'launch');
      await browser?.close().catch(() => undefined);
      if (server) await killTree(server.pid);
      rmSync(root, { recursive: true, force: true });
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n(e2e diagnostics: ${dir})`);
    }
  }

  /** Absolute path of a workspace file. */
  workspacePath(rel: string): string {
    return join(this.workspace, rel);
  }

  readWorkspaceFile(rel: string): string {
    return readFileSync(this.workspacePath(rel), 'utf8');
  }

  /** Log files under `<user-data>/logs/<session>/exthost*`, recursively. */
  private logFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.log')) out.push(p);
      }
    };
    const logs = join(this.userDataDir, 'logs');
    if (existsSync(logs)) walk(logs);
    return out;
  }

  private extensionHostLogFile(): string | undefined {
    return this.logFiles().find((f) => /\/exthost\d*\/(remote)?exthost\.log$/.test(f));
  }

  /** The extension host's own log (activation lines, extension errors). */
  extensionHostLog(): string {
    const file = this.extensionHostLogFile();
    return file ? readFileSync(file, 'utf8') : '';
  }

  /** What an output channel wrote (LogOutputChannel or plain), e.g. `outputChannelLog('Visual Coder')`. */
  outputChannelLog(name: string): string {
    const files = this.logFiles().filter((f) => f.includes('/exthost') && (f.endsWith(`/${name}.log`) || f.endsWith(`-${name}.log`)));
    return files.map((f) => readFileSync(f, 'utf8')).join('');
  }

  /** Waits for a line matching `pattern` in an output channel; returns the matching text. */
  async waitForOutput(channel: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitUntil(() => pattern.exec(this.outputChannelLog(channel))?.[0], {
      timeoutMs,
      what: `output channel "${channel}" to match ${pattern}`,
      describeLast: () => this.outputChannelLog(channel).slice(-2000) || '(channel empty or missing)',
    });
  }

  /**
   * Waits until the extension host has activated `id` and returns the log line's timestamp.
   * Fails early with VS Code's message when activation threw.
   */
  async waitForActivation(id = EXTENSION_ID, timeoutMs = 60_000): Promise<Date> {
    return waitUntil(
      () => {
        const log = this.extensionHostLog();
        const failed = new RegExp(`Activating extension '?${id}'? failed(.*\\n){1,6}`, 'i').exec(log);
        if (failed) throw Object.assign(new Error(failed[0]), { fatal: true });
        const m = new RegExp(`^(\\S+ \\S+) \\[info\\] ExtensionService#_doActivateExtension ${id.replace(/\./g, '\\.')},`, 'm').exec(log);
        return m ? new Date(m[1].replace(' ', 'T')) : undefined;
      },
      { timeoutMs, what: `activation of ${id} in the extension host log`, describeLast: () => this.extensionHostLog().slice(-3000) },
    );
  }

  /** Pids of everything running under code-server now (extension host, model host, ...). */
  processes(): Array<{ pid: number; command: string }> {
    return descendants(this.server.pid).map((pid) => ({ pid, command: commandLine(pid) }));
  }

  /** Copies a screenshot and all logs to a new temp folder (kept after close) and returns its path. */
  async dumpDiagnostics(label: string): Promise<string> {
    const dir = dumpFiles(this.root, label);
    await this.screenshot(join(dir, 'screenshot.png')).catch(() => undefined);
    return dir;
  }

  /**
   * Ends Chromium, code-server and every process under it (model host included) and removes the
   * temp folder. Throws if some process survived.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Closing the browser ends code-server's window: its extension host may exit first, leaving its
    // children (a language server) to init, out of the tree below. Remember them now.
    const known = descendants(this.server.pid);
    await Promise.race([this.browser.close(), new Promise((r) => setTimeout(r, 10_000))]).catch(() => undefined);
    const leftovers = await killTree(this.server.pid, undefined, known);
    rmSync(this.root, { recursive: true, force: true });
    if (leftovers.length > 0) {
      throw new Error(`processes survived close(): ${leftovers.map((p) => `${p} ${commandLine(p)}`).join('; ')}`);
    }
  }
}

function dumpFiles(root: string, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vc-e2e-failure-${label.replace(/[^\w-]+/g, '_').slice(0, 40)}-`));
  for (const name of ['user-data/logs', 'code-server.log']) {
    if (existsSync(join(root, name))) cpSync(join(root, name), join(dir, name), { recursive: true });
  }
  return dir;
}

/**
 * Launches a session, runs `fn`, and always closes. On failure it saves a screenshot and the logs,
 * and the error message names that folder.
 */
export async function withVsCode<T>(options: LaunchOptions, fn: (vs: VsCodeSession) => Promise<T>): Promise<T> {
  const vs = await VsCodeSession.launch(options);
  try {
    return await fn(vs);
  } catch (err) {
    const dir = await vs.dumpDiagnostics('test');
    if (err instanceof Error) err.message += `\n(e2e diagnostics: ${dir})`;
    throw err;
  } finally {
    await vs.close();
  }
}

/** The entry VS Code writes to `<user-data>/languagepacks.json` when a language pack is installed. */
function registerLanguagePack(locale: { id: string }, pack: { id: string; folder: string }, userDataDir: string): void {
  const manifest = JSON.parse(readFileSync(join(pack.folder, 'package.json'), 'utf8')) as {
    version: string;
    contributes: { localizations: { languageId: string; translations: { id: string; path: string }[] }[] };
  };
  const localization = manifest.contributes.localizations.find((l) => l.languageId === locale.id);
  if (!localization) throw new Error(`${pack.folder} has no localization for ${locale.id}`);
  const translations = Object.fromEntries(localization.translations.map((tr) => [tr.id, join(pack.folder, tr.path)]));
  const entry = {
    hash: `${pack.id}-${manifest.version}`,
    extensions: [{ extensionIdentifier: { id: pack.id }, version: manifest.version }],
    translations,
    label: locale.id,
  };
  writeFileSync(join(userDataDir, 'languagepacks.json'), JSON.stringify({ [locale.id]: entry }));
}
