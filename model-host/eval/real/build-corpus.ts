/**
 * Builds the real-tool OCR corpus once: `node --import tsx model-host/eval/real/build-corpus.ts`
 * (needs Debian's python3-pygments and python3-pil, and Chromium). Every source snippet is rendered
 * twice by third-party tools: once by Pygments' ImageFormatter (PIL; styles, fonts, sizes, line
 * numbers with its ruled gutter, highlighted rows), once as a page around Pygments' HtmlFormatter
 * output in Chromium (documentation page, coverage report, review diff) or as a `git diff`-like
 * rendering by Pygments' diff lexer. PNGs and `cases.json` (ground truth = the text fed to the
 * tool) are committed, so the eval and the tests need neither Python nor a rebuild.
 *
 * Split: the tuning part uses the snippets of corpus.ts; the held-out part uses holdout.ts and
 * snippets.ts, never looked at while tuning.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CORPUS, type Snippet } from '../corpus';
import { HOLDOUT } from '../holdout';
import { launchChromium } from '../render';
import { coveragePageHtml, diffPageHtml, docPageHtml, type DiffRow, type HighlightedCode, type PageLook } from './pages';
import { REAL_HOLDOUT_EXTRA } from './snippets';
import type { RealCase } from './cases';

const HERE = __dirname;
const IMAGES = path.join(HERE, 'images');

const LEXERS: Record<string, string> = {
  python: 'python',
  typescript: 'typescript',
  javascript: 'javascript',
  go: 'go',
  rust: 'rust',
  java: 'java',
  c: 'c',
  cpp: 'cpp',
  shellscript: 'bash',
  makefile: 'make',
  sql: 'sql',
};
const STYLES: { name: string; dark: boolean }[] = [
  { name: 'default', dark: false },
  { name: 'monokai', dark: true },
  { name: 'friendly', dark: false },
  { name: 'github-dark', dark: true },
  { name: 'solarized-light', dark: false },
  { name: 'one-dark', dark: true },
  { name: 'xcode', dark: false },
  { name: 'dracula', dark: true },
  { name: 'gruvbox-light', dark: false },
  { name: 'native', dark: true },
];
const FONTS = ['DejaVu Sans Mono', 'Liberation Mono', 'Noto Sans Mono'];
const PROSE_FONTS = ['DejaVu Sans', 'Liberation Serif', 'Liberation Sans'];
const SIZES = [12, 13, 14, 15, 16, 18];

function python(jobs: unknown[]): unknown[] {
  const r = spawnSync('/usr/bin/python3', [path.join(HERE, 'pygments_render.py')], { input: JSON.stringify(jobs), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`pygments_render.py failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as unknown[];
}

/** A review diff of the snippet: one line added, one line changed (its old form shown removed first). */
export function diffRows(code: string): DiffRow[] {
  const lines = code.replace(/\n$/, '').split('\n');
  const nonBlank = lines.map((l, i) => (l.trim() ? i : -1)).filter((i) => i > 0);
  const added = nonBlank[Math.floor(nonBlank.length / 3)];
  const changed = nonBlank[Math.floor((2 * nonBlank.length) / 3)];
  const rows: DiffRow[] = [];
  let oldNo = 1;
  let newNo = 1;
  lines.forEach((text, i) => {
    if (i === changed && changed !== added) {
      const old = text.replace(/\b([a-z]\w{2,})\b/, '$1_old');
      if (old !== text) rows.push({ marker: '-', text: old, html: '', oldNo: oldNo++ });
    }
    if (i === added || (i === changed && rows[rows.length - 1]?.marker === '-')) rows.push({ marker: '+', text, html: '', newNo: newNo++ });
    else rows.push({ marker: ' ', text, html: '', oldNo: oldNo++, newNo: newNo++ });
  });
  return rows;
}

async function main(): Promise<void> {
  fs.rmSync(IMAGES, { recursive: true, force: true });
  fs.mkdirSync(IMAGES, { recursive: true });
  const sources: { snippet: Snippet; split: 'tune' | 'holdout' }[] = [
    ...CORPUS.map((snippet) => ({ snippet, split: 'tune' as const })),
    ...[...HOLDOUT, ...REAL_HOLDOUT_EXTRA].map((snippet) => ({ snippet, split: 'holdout' as const })),
  ];
  const cases: RealCase[] = [];
  const imageJobs: unknown[] = [];
  const pages: { id: string; html: () => string }[] = [];
  const htmlJobs: { key: string; job: unknown }[] = [];
  sources.forEach(({ snippet, split }, i) => {
    const lexer = LEXERS[snippet.language];
    const style = STYLES[i % STYLES.length];
    const font = FONTS[i % FONTS.length];
    const size = SIZES[i % SIZES.length];
    const lineNumbers = i % 3 !== 2;
    const hl = i % 4 === 1 ? [2, 3] : [];
    const id = `pyg-${snippet.id}`;
    imageJobs.push({
      kind: 'image',
      out: path.join(IMAGES, `${id}.png`),
      code: snippet.code,
      lexer,
      options: {
        style: style.name,
        font_name: font,
        font_size: size,
        line_numbers: lineNumbers,
        hl_lines: hl,
        hl_color: style.dark ? '#49483e' : '#fff3b0',
        ...(style.dark && i % 2 === 0 ? { line_number_bg: '#272822', line_number_fg: '#75715e' } : {}),
      },
    });
    cases.push({
      id,
      source: 'pygments-image',
      split,
      language: snippet.language,
      file: `${id}.png`,
      truth: snippet.code,
      look: `${style.name}, ${font} ${size}px${lineNumbers ? ', line numbers' : ''}${hl.length ? ', highlighted rows' : ''}`,
    });
    const kind = (['doc-page', 'coverage', 'diff-view', 'terminal-diff'] as const)[i % 4];
    const look: PageLook = { dark: style.dark, codeFont: FONTS[(i + 1) % 3], proseFont: PROSE_FONTS[i % 3], fontSizePx: SIZES[(i + 2) % SIZES.length] };
    // Page kinds take every 4th snippet: (i >> 2) varies their look and layout among themselves.
    const round = i >> 2;
    const pageStyle = STYLES[(round + i) % STYLES.length];
    look.dark = pageStyle.dark;
    const pid = `${kind}-${snippet.id}`;
    if (kind === 'terminal-diff') {
      const rows = diffRows(snippet.code);
      imageJobs.push({
        kind: 'image',
        out: path.join(IMAGES, `${pid}.png`),
        code: rows.map((r) => r.marker + r.text).join('\n') + '\n',
        lexer: 'diff',
        options: { style: pageStyle.name, font_name: look.codeFont, font_size: look.fontSizePx, line_numbers: false },
      });
      cases.push({
        id: pid,
        source: 'terminal-diff',
        split,
        language: snippet.language,
        file: `${pid}.png`,
        truth: rows.map((r) => r.text).join('\n') + '\n',
        look: `${pageStyle.name}, ${look.codeFont} ${look.fontSizePx}px, diff lexer`,
      });
      return;
    }
    const rows = kind === 'diff-view' ? diffRows(snippet.code) : undefined;
    const text = rows ? rows.map((r) => r.text).join('\n') + '\n' : snippet.code;
    htmlJobs.push({ key: pid, job: { kind: 'html', code: text, lexer, style: pageStyle.name } });
    pages.push({
      id: pid,
      html: () => {
        const code = highlighted.get(pid)!;
        if (kind === 'doc-page') {
          return docPageHtml(code, look, round, round % 2 ? `${snippet.language === 'python' ? 'pip' : 'npm'} install example-lib` : undefined);
        }
        if (kind === 'coverage') return coveragePageHtml(text, code, look, round);
        return diffPageHtml(
          rows!.map((r, k) => ({ ...r, html: code.lines[k] ?? '' })),
          code,
          look,
        );
      },
    });
    cases.push({
      id: pid,
      source: kind,
      split,
      language: snippet.language,
      file: `${pid}.png`,
      truth: text,
      look: `${pageStyle.name}, ${look.codeFont} ${look.fontSizePx}px${kind === 'doc-page' ? `, prose in ${look.proseFont}` : ''}`,
    });
  });
  python(imageJobs);
  const results = python(htmlJobs.map((h) => h.job)) as HighlightedCode[];
  const highlighted = new Map(htmlJobs.map((h, k) => [h.key, results[k]]));
  const browser = await launchChromium();
  try {
    for (const p of pages) {
      const tab = await browser.newPage({ deviceScaleFactor: 1, viewport: { width: 1100, height: 900 } });
      await tab.setContent(p.html());
      await tab.evaluate(() => document.fonts.ready.then(() => undefined));
      const element = await tab.$('#shot');
      if (!element) throw new Error(`${p.id}: no #shot element`);
      fs.writeFileSync(path.join(IMAGES, `${p.id}.png`), await element.screenshot({ type: 'png' }));
      await tab.close();
    }
  } finally {
    await browser.close();
  }
  fs.writeFileSync(path.join(HERE, 'cases.json'), JSON.stringify(cases, null, 1) + '\n');
  const bytes = fs.readdirSync(IMAGES).reduce((s, f) => s + fs.statSync(path.join(IMAGES, f)).size, 0);
  console.log(`${cases.length} cases, ${(bytes / 1e6).toFixed(2)} MB of PNG`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
