/**
 * Renders code snippets to PNG screenshots with Chromium (playwright-core, the system's
 * /usr/bin/chromium): an editor-like page with a theme, a monospace font, a size, optional line
 * numbers in a gutter, naive syntax colouring and an optional selection highlight.
 */
import type { Browser } from 'playwright-core';

export interface RenderStyle {
  theme: 'light' | 'dark';
  font: 'DejaVu Sans Mono' | 'Liberation Mono' | 'Noto Sans Mono';
  fontSizePx: number;
  lineNumbers: boolean;
  deviceScaleFactor: 1 | 2;
  /** 0-based line index to paint with a selection background. */
  selectedLine?: number;
  /** Columns a tab occupies when rendered. */
  tabSize?: number;
}

const THEMES = {
  light: { bg: '#ffffff', fg: '#1f2328', gutter: '#8c959f', kw: '#cf222e', str: '#0a3069', com: '#6e7781', num: '#0550ae', sel: '#add6ff' },
  dark: { bg: '#1e1e1e', fg: '#d4d4d4', gutter: '#858585', kw: '#569cd6', str: '#ce9178', com: '#6a9955', num: '#b5cea8', sel: '#264f78' },
} as const;

const KEYWORDS = new Set(
  (
    'def class return if elif else for while in import from as with try except finally raise lambda pass yield not and or None True False ' +
    'function const let var new this typeof interface type export async await extends implements public private static void ' +
    'func package go defer chan map struct range fn mut impl pub use match enum trait int char long double float unsigned ' +
    'include define echo then fi do done case esac switch break continue default'
  ).split(' '),
);

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A deliberately simple highlighter: enough colour variety to stress OCR, not a real grammar. */
export function highlightLine(line: string, theme: (typeof THEMES)['light' | 'dark']): string {
  const token = /(\/\/.*$|#.*$|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\b\d+(?:\.\d+)?\b|\b[A-Za-z_]\w*\b)/g;
  let out = '';
  let last = 0;
  for (const m of line.matchAll(token)) {
    const t = m[0];
    out += escapeHtml(line.slice(last, m.index));
    let color: string | undefined;
    if (t.startsWith('//') || t.startsWith('#')) color = theme.com;
    else if (t.startsWith('"') || t.startsWith("'")) color = theme.str;
    else if (/^\d/.test(t)) color = theme.num;
    else if (KEYWORDS.has(t)) color = theme.kw;
    out += color ? `<span style="color:${color}">${escapeHtml(t)}</span>` : escapeHtml(t);
    last = (m.index ?? 0) + t.length;
  }
  return out + escapeHtml(line.slice(last));
}

export function snippetHtml(code: string, style: RenderStyle): string {
  const theme = THEMES[style.theme];
  const lines = code.replace(/\n$/, '').split('\n');
  const width = String(lines.length).length;
  const rows = lines
    .map((line, i) => {
      const gutter = style.lineNumbers ? `<span class="g">${String(i + 1).padStart(width, ' ')}</span>` : '';
      const sel = style.selectedLine === i ? ' sel' : '';
      return `<div class="l${sel}">${gutter}<span>${highlightLine(line, theme) || ' '}</span></div>`;
    })
    .join('');
  return `<!doctype html><html><head><style>
  html,body{margin:0;background:${theme.bg}}
  pre{margin:0;padding:14px 18px;display:inline-block;font-family:'${style.font}',monospace;font-size:${style.fontSizePx}px;
      line-height:1.45;color:${theme.fg};tab-size:${style.tabSize ?? 4};white-space:pre}
  .l{white-space:pre;display:flex}.sel{background:${theme.sel}}
  /* The gutter is its own flex item so that tab stops count from the code's first column, as in editors. */
  .g{color:${theme.gutter};display:inline-block;margin-right:2.2em;user-select:none}
  </style></head><body><pre id="code">${rows}</pre></body></html>`;
}

/** Launches the system Chromium headless; the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--font-render-hinting=none'] });
}

/** Renders one snippet; the screenshot is cropped to the code block. */
export async function renderSnippet(browser: Browser, code: string, style: RenderStyle): Promise<Buffer> {
  const page = await browser.newPage({ deviceScaleFactor: style.deviceScaleFactor, viewport: { width: 1400, height: 900 } });
  try {
    await page.setContent(snippetHtml(code, style));
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const element = await page.$('#code');
    if (!element) throw new Error('render page has no #code element');
    return await element.screenshot({ type: 'png' });
  } finally {
    await page.close();
  }
}
