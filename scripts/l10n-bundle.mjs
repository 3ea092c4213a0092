// Writes l10n/bundle.l10n.json from every t('…') call in src/ (the English message is the key, as
// vscode.l10n wants), or with --check fails when the bundle is out of date or a call cannot be
// translated (a first argument that is not a plain string, fewer arguments than its {N}s ask for).
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(repoRoot, 'l10n', 'bundle.l10n.json');

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The messages of every t() call in src/, and the calls that cannot be translated. */
export function extractMessages(root = repoRoot) {
  const messages = new Set();
  const problems = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 't') {
        const where = `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
        const [first, ...args] = node.arguments;
        if (!first || !(ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
          problems.push(`${where}: t() needs a plain string as its first argument (the bundle key)`);
        } else {
          messages.add(first.text);
          const used = [...first.text.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));
          const needed = used.length ? Math.max(...used) + 1 : 0;
          // No arguments at all is a template filled later (the panel's sentences); some but too few is a slip.
          if (args.length > 0 && args.length < needed) problems.push(`${where}: "${first.text}" has {${needed - 1}} but ${args.length} argument(s)`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { messages: [...messages].sort(), problems };
}

export function bundleText(messages) {
  return JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { messages, problems } = extractMessages();
  for (const p of problems) console.error(p);
  const text = bundleText(messages);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(BUNDLE, 'utf8');
    } catch {}
    if (current !== text) console.error(`${relative(repoRoot, BUNDLE)} is out of date: run npm run l10n`);
    process.exit(problems.length || current !== text ? 1 : 0);
  }
  mkdirSync(dirname(BUNDLE), { recursive: true });
  writeFileSync(BUNDLE, text);
  console.log(`${relative(repoRoot, BUNDLE)}: ${messages.length} messages`);
  process.exit(problems.length ? 1 : 0);
}
