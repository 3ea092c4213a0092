/**
 * The one stand-in for the `vscode` API the unit tests use (the real one exists only inside VS Code;
 * e2e covers that): settings by full key with change events, recorded messages answered by a script,
 * registered commands, progress that just runs its task, a Memento and SecretStorage in memory. It
 * records instead of rendering, so a test can assert what the user would have seen.
 */
import type * as vscode from 'vscode';

export interface ShownMessage {
  kind: 'info' | 'warning' | 'error';
  text: string;
  buttons: string[];
}

export interface StubOptions {
  /** Settings by full key (`visualCoder.model`, `http.proxy`). */
  config?: Record<string, unknown>;
  /** The button a message is answered with (or a function of the message). */
  answer?: string | ((message: ShownMessage) => string | undefined);
  /** The item a quick pick returns (by label), or a function choosing one. */
  pick?: string | ((items: vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined);
  secrets?: Record<string, string>;
}

type ConfigListener = (e: { affectsConfiguration(key: string): boolean }) => unknown;

export function vscodeStub(options: StubOptions = {}) {
  const config: Record<string, unknown> = { ...options.config };
  const messages: ShownMessage[] = [];
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const configListeners: ConfigListener[] = [];
  const quickPicks: Array<{ items: vscode.QuickPickItem[]; options?: vscode.QuickPickOptions }> = [];
  const state = new Map<string, unknown>();
  const secrets = new Map(Object.entries(options.secrets ?? {}));

  const fireConfig = async (keys: string[]) => {
    for (const l of configListeners) await l({ affectsConfiguration: (k) => keys.some((key) => key === k || key.startsWith(`${k}.`)) });
  };
  const show =
    (kind: ShownMessage['kind']) =>
    async (text: string, ...rest: unknown[]) => {
      const buttons = rest.filter((b): b is string => typeof b === 'string');
      const message = { kind, text, buttons };
      messages.push(message);
      return typeof options.answer === 'function' ? options.answer(message) : options.answer;
    };
  const section = (name: string) => ({
    get: <T>(key: string, fallback?: T): T => (`${name}.${key}` in config ? (config[`${name}.${key}`] as T) : (fallback as T)),
    update: async (key: string, value: unknown) => {
      config[`${name}.${key}`] = value;
      await fireConfig([`${name}.${key}`]);
    },
  });

  const vs = {
    workspace: {
      getConfiguration: (name = '') => section(name),
      onDidChangeConfiguration: (listener: ConfigListener) => (
        configListeners.push(listener),
        { dispose: () => configListeners.splice(configListeners.indexOf(listener), 1) }
      ),
    },
    window: {
      showInformationMessage: show('info'),
      showWarningMessage: show('warning'),
      showErrorMessage: show('error'),
      withProgress: (_options: unknown, task: (progress: { report(): void }, token: vscode.CancellationToken) => Promise<unknown>) =>
        task({ report: () => undefined }, {
          isCancellationRequested: false,
          onCancellationRequested: () => ({ dispose() {} }),
        } as unknown as vscode.CancellationToken),
      showQuickPick: async (items: vscode.QuickPickItem[] | Thenable<vscode.QuickPickItem[]>, pickOptions?: vscode.QuickPickOptions) => {
        const list = await items;
        quickPicks.push({ items: list, options: pickOptions });
        if (typeof options.pick === 'function') return options.pick(list);
        return list.find((i) => i.label === options.pick);
      },
    },
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => (commands.set(id, fn), { dispose: () => commands.delete(id) }),
      executeCommand: async (id: string, ...args: unknown[]) => commands.get(id)?.(...args),
    },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    env: { appName: 'Code Test' },
    version: '1.100.0',
  };

  const memento: Pick<vscode.Memento, 'get' | 'update'> = {
    get: <T>(key: string, fallback?: T) => (state.has(key) ? (state.get(key) as T) : fallback),
    update: async (key: string, value: unknown) => void state.set(key, value),
  } as Pick<vscode.Memento, 'get' | 'update'>;

  const secretStorage = {
    get: async (key: string) => secrets.get(key),
    store: async (key: string, value: string) => void secrets.set(key, value),
    delete: async (key: string) => void secrets.delete(key),
  } as unknown as vscode.SecretStorage;

  return {
    vs: vs as unknown as typeof vscode,
    config,
    messages,
    commands,
    quickPicks,
    memento,
    secrets: secretStorage,
    /** Changes settings (full keys) and fires the change event, as the Settings editor would. */
    setConfig: async (values: Record<string, unknown>) => {
      Object.assign(config, values);
      await fireConfig(Object.keys(values));
    },
    /** Fires a change event for keys without changing values. */
    fireConfig,
  };
}

/** A log channel that records its lines (`info` lines plain, others prefixed with their level). */
export function recordingLog() {
  const lines: string[] = [];
  let shown = 0;
  const log = {
    trace: (m: string) => lines.push(`trace: ${m}`),
    debug: (m: string) => lines.push(`debug: ${m}`),
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(`warn: ${m}`),
    error: (m: string) => lines.push(`error: ${m}`),
    show: () => void shown++,
  } as unknown as vscode.LogOutputChannel;
  return { log, lines, shown: () => shown };
}

/** An in-memory text document with the offset/position arithmetic of the real one (lines split on \n). */
export class StubDocument {
  isClosed = false;
  constructor(
    public text: string,
    readonly uri = { toString: () => 'untitled:Untitled-1', fsPath: '/untitled' },
  ) {}
  positionAt(offset: number) {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length)));
    const lines = before.split('\n');
    return new StubPosition(lines.length - 1, lines[lines.length - 1].length);
  }
  offsetAt(p: StubPosition): number {
    const lines = this.text.split('\n');
    let offset = 0;
    for (let i = 0; i < p.line; i++) offset += lines[i].length + 1;
    return offset + p.character;
  }
  getText(range?: StubRange): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  get lineCount(): number {
    return this.text.split('\n').length;
  }
  lineAt(line: number) {
    const text = this.text.split('\n')[line] ?? '';
    return { text, range: new StubRange(new StubPosition(line, 0), new StubPosition(line, text.length)) };
  }
}

export class StubPosition {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class StubRange {
  constructor(
    readonly start: StubPosition,
    readonly end: StubPosition,
  ) {}
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

type EditOp = { uri: unknown; range: StubRange; text: string };

/** Records inserts, replaces and deletes; `applyEdits` applies them to StubDocuments by uri. */
export class StubWorkspaceEdit {
  readonly ops: EditOp[] = [];
  insert(uri: unknown, at: StubPosition, text: string) {
    this.ops.push({ uri, range: new StubRange(at, at), text });
  }
  replace(uri: unknown, range: StubRange, text: string) {
    this.ops.push({ uri, range, text });
  }
  delete(uri: unknown, range: StubRange) {
    this.ops.push({ uri, range, text: '' });
  }
}

/** Applies a StubWorkspaceEdit to the documents it names (true, as VS Code's applyEdit answers). */
export function applyEdits(documents: StubDocument[], edit: StubWorkspaceEdit): boolean {
  for (const op of edit.ops) {
    const doc = documents.find((d) => d.uri === op.uri);
    if (!doc) return false;
    const start = doc.offsetAt(op.range.start);
    const end = doc.offsetAt(op.range.end);
    doc.text = doc.text.slice(0, start) + op.text + doc.text.slice(end);
  }
  return true;
}
