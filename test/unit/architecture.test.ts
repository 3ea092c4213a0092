/**
 * The layout of docs/architecture.md holds in the code: every import between parts is one the table
 * allows, no two parts import each other, no file imports its own importer, and the ESLint rules that
 * keep the two processes apart catch a forbidden import (ESLint's own API on code written here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = path.resolve(__dirname, '..', '..');
const rel = (p: string) => path.relative(repoRoot, p).split(path.sep).join('/');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const FILES = ['src', 'model-host', 'media'].flatMap((d) => sourceFiles(path.join(repoRoot, d)));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g;

function resolveImport(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** file → files it imports (relative imports inside the three source folders). */
const imports = new Map<string, string[]>(
  FILES.map((f) => {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => resolveImport(f, m[1] ?? m[2] ?? m[3])).filter((t): t is string => t !== undefined);
    return [rel(f), targets.map(rel)];
  }),
);

/** The part a file belongs to: `media`, a top-level file, or `<top>/<folder>`. */
function partOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'media') return 'media';
  return parts.length <= 2 ? file : `${parts[0]}/${parts[1]}`;
}

/** The table of docs/architecture.md: part → parts it may import. */
function allowedArrows(): Map<string, Set<string>> {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'architecture.md'), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- arrows:start -->'), doc.indexOf('<!-- arrows:end -->'));
  const allowed = new Map<string, Set<string>>();
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const part = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!part) continue;
    allowed.set(part, new Set([...(cells[3] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1])));
  }
  return allowed;
}

function partGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of imports) {
    const from = partOf(file);
    for (const target of targets) {
      const to = partOf(target);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(graph: Map<string, Iterable<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

test('every part of the code is in the table of docs/architecture.md, and every arrow between parts is one it allows', () => {
  const allowed = allowedArrows();
  assert.ok(allowed.size >= 20, `the table lists ${allowed.size} parts`);
  const parts = new Set([...imports.keys()].map(partOf));
  assert.deepEqual([...parts].filter((p) => !allowed.has(p)).sort(), [], 'parts missing from the table');
  const forbidden: string[] = [];
  for (const [from, tos] of partGraph()) for (const to of tos) if (!allowed.get(from)?.has(to)) forbidden.push(`${from} -> ${to}`);
  assert.deepEqual(forbidden.sort(), [], 'imports the table does not allow');
});

test('no two parts import each other, and no file imports its own importer', () => {
  assert.deepEqual(cycles(partGraph()), []);
  assert.deepEqual(cycles(imports), []);
});

test('the extension side reaches the model host only through model-host/protocol', () => {
  const leaks = [...imports].flatMap(([file, targets]) =>
    file.startsWith('src/') || file.startsWith('media/')
      ? targets.filter((t) => t.startsWith('model-host/') && !t.startsWith('model-host/protocol/')).map((t) => `${file} -> ${t}`)
      : [],
  );
  assert.deepEqual(leaks, []);
});

test('the ESLint rules catch a forbidden import: host internals from src/, the vscode runtime outside extension.ts, src/ from the host', async () => {
  const eslint = new ESLint({ cwd: repoRoot });
  const lint = async (file: string, code: string) => (await eslint.lintText(code, { filePath: path.join(repoRoot, file) }))[0].messages.map((m) => m.ruleId);
  const rule = '@typescript-eslint/no-restricted-imports';
  assert.deepEqual(await lint('src/tasks/probe.ts', "import { listTasks } from '../../model-host/tasks/registry';\nexport const a = listTasks;\n"), [rule]);
  assert.deepEqual(await lint('media/panel/probe.ts', "import { loadImage } from '../../model-host/images/load-image';\nexport const a = loadImage;\n"), [
    rule,
  ]);
  assert.deepEqual(await lint('src/tasks/probe.ts', "import * as vscode from 'vscode';\nexport const a = vscode;\n"), [rule]);
  assert.deepEqual(await lint('model-host/tasks/probe.ts', "import { Settings } from '../../src/settings/settings';\nexport const a = Settings;\n"), [rule]);
  // What is allowed stays allowed: type imports of vscode, and the protocol.
  assert.deepEqual(
    await lint(
      'src/tasks/probe.ts',
      "import type * as vscode from 'vscode';\nimport { HostErrorCodes } from '../../model-host/protocol';\nexport type A = typeof vscode;\nexport const b = HostErrorCodes;\n",
    ),
    [],
  );
  assert.deepEqual(await lint('src/extension.ts', "import * as vscode from 'vscode';\nexport const a = vscode;\n"), []);
});
