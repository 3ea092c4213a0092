/**
 * Localisation: every t() message is in l10n/bundle.l10n.json (and the bundle holds nothing else),
 * every manifest %key% is in package.nls.json, user-facing manifest fields are all keys, the
 * messages the extension shows are never bare literals, and the translator formats as vscode.l10n does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { formatMessage, t, useTranslator } from '../../src/l10n';

const repoRoot = path.resolve(__dirname, '..', '..');

test('the bundle is exactly the messages of the t() calls, and every call can be translated', async () => {
  // The bundle's writer is a plain ES module script (`npm run l10n`).
  const { BUNDLE, bundleText, extractMessages } = await import('../../scripts/l10n-bundle.mjs');
  const { messages, problems } = extractMessages();
  assert.deepEqual(problems, []);
  assert.ok(messages.length > 100, `${messages.length} messages`);
  assert.equal(readFileSync(BUNDLE, 'utf8'), bundleText(messages), 'l10n/bundle.l10n.json is out of date: run npm run l10n');
});

test('every %key% of package.json is in package.nls.json and every key there is used', () => {
  const manifest = readFileSync(path.join(repoRoot, 'package.json'), 'utf8');
  const nls = JSON.parse(readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const used = new Set([...manifest.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]));
  assert.deepEqual(
    [...used].filter((k) => !(k in nls)),
    [],
    'keys without an English text',
  );
  assert.deepEqual(
    Object.keys(nls).filter((k) => !used.has(k)),
    [],
    'texts nothing uses',
  );
  assert.ok(Object.values(nls).every((v) => typeof v === 'string' && v.trim() !== ''));
});

test("the manifest's user-facing fields are all %keys%", () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const plain: string[] = [];
  const check = (where: string, value: unknown) => {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (typeof v === 'string' && !/^%[^%]+%$/.test(v)) plain.push(`${where}: ${v.slice(0, 40)}`);
  };
  check('displayName', pkg.displayName);
  check('description', pkg.description);
  for (const c of pkg.contributes.commands) {
    check(c.command, c.title);
    check(`${c.command} category`, c.category);
  }
  for (const s of pkg.contributes.submenus ?? []) check(s.id, s.label);
  for (const [name, prop] of Object.entries(pkg.contributes.configuration.properties as Record<string, Record<string, unknown>>)) {
    for (const f of ['description', 'markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions']) check(`${name}.${f}`, prop[f]);
  }
  for (const w of pkg.contributes.walkthroughs ?? []) {
    check(w.id, w.title);
    for (const s of w.steps) {
      check(s.id, s.title);
      check(s.id, s.description);
    }
  }
  assert.deepEqual(plain, []);
  assert.equal(pkg.l10n, './l10n');
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('what the extension shows in messages, pickers and progress is never a bare string literal', () => {
  const shown = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage']);
  const fields = new Set(['title', 'placeHolder', 'prompt', 'openLabel', 'tooltip']);
  const bare: string[] = [];
  const isLiteral = (n: ts.Node) => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n);
  // Words, not a single token such as a language id or an example URL.
  const words = /[A-Za-z]{2,}\s+[A-Za-z]/;
  const hasWords = (n: ts.Node) => words.test(n.getText());
  for (const file of sourceFiles(path.join(repoRoot, 'src'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (n: ts.Node) => `${path.relative(repoRoot, file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && shown.has(node.expression.name.text)) {
        for (const arg of node.arguments) if (isLiteral(arg) && hasWords(arg)) bare.push(where(arg));
      }
      if (
        ts.isPropertyAssignment(node) &&
        ts.isIdentifier(node.name) &&
        fields.has(node.name.text) &&
        isLiteral(node.initializer) &&
        hasWords(node.initializer)
      ) {
        // A template of translated parts (`${task.title}: ${option.title}`) is fine; words in its literal text are not.
        const literalText = ts.isTemplateExpression(node.initializer)
          ? [node.initializer.head.text, ...node.initializer.templateSpans.map((s) => s.literal.text)].join('')
          : node.initializer.getText();
        if (words.test(literalText)) bare.push(where(node.initializer));
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  assert.deepEqual(bare, []);
});

test('t() formats {N} as vscode.l10n.t does, and goes through the translator handed in', () => {
  assert.equal(formatMessage('{0} of {1} ({2}%)', '1 GB', '2 GB', 50), '1 GB of 2 GB (50%)');
  assert.equal(formatMessage('{0} and {3}', 'a'), 'a and {3}');
  assert.equal(t('Downloading {0}', 'x'), 'Downloading x');
  try {
    useTranslator((message, ...args) => `«${formatMessage(message, ...args)}»`);
    assert.equal(t('Downloading {0}', 'x'), '«Downloading x»');
  } finally {
    useTranslator(formatMessage);
  }
});
