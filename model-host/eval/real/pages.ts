/**
 * Page-like screenshots for the real-tool corpus: Pygments' HtmlFormatter colours the code, and these
 * templates put it where users meet code: a documentation page (proportional prose, a sidebar, a
 * search box, one or two code blocks in boxes), a coverage report (line number and hit-count
 * columns, red and green rows) and a review diff (old/new numbers, +/- markers, red and green rows).
 * Chromium renders them (render.ts launches it). The ground truth is always the source text.
 */

export interface HighlightedCode {
  /** HtmlFormatter output, one entry per source line. */
  lines: string[];
  css: string;
  background: string;
}

export interface PageLook {
  dark: boolean;
  codeFont: string;
  proseFont: string;
  fontSizePx: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const PROSE = [
  'This section shows the smallest complete example. Copy it into a new file and run it as it is; every name it uses is defined here.',
  'The function returns early when its input is empty, so callers do not need to check that themselves. Errors are reported to the caller.',
  'Note that the example keeps its state in one place. If you need more than one instance, pass the state in instead of using a global.',
  'Options can be given in any order. Unknown options are rejected with a message that names them, which makes typos easy to spot.',
  'See the reference below for every parameter, its default and the version that introduced it.',
];

function page(look: PageLook, css: string, body: string): string {
  const bg = look.dark ? '#0d1117' : '#ffffff';
  const fg = look.dark ? '#c9d1d9' : '#24292f';
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  html,body{margin:0;background:${bg};color:${fg};font-family:'${look.proseFont}',sans-serif;font-size:${look.fontSizePx + 1}px}
  pre,code,table.src{font-family:'${look.codeFont}',monospace;font-size:${look.fontSizePx}px}
  ${css}
  </style></head><body>${body}</body></html>`;
}

/** A documentation page: sidebar, search box, heading, prose, the code block, more prose (and sometimes a one-line block). */
export function docPageHtml(code: HighlightedCode, look: PageLook, variant: number, extraCommand?: string): string {
  const side = look.dark ? '#161b22' : '#f6f8fa';
  const border = look.dark ? '#30363d' : '#d0d7de';
  const nav = ['Getting started', 'Installation', 'Configuration', 'Examples', 'API reference', 'Changelog'];
  const para = (k: number) => `<p>${PROSE[(variant + k) % PROSE.length]}</p>`;
  const block = `<pre class="hl" style="background:${code.background};border:1px solid ${border};border-radius:6px;padding:12px 16px;line-height:1.45;tab-size:4">${code.lines.join('\n')}</pre>`;
  const small = extraCommand ? `<pre style="background:${side};border:1px solid ${border};border-radius:6px;padding:8px 16px">${esc(extraCommand)}</pre>` : '';
  const css = `${code.css}
  .wrap{display:flex;width:1060px}
  nav{width:200px;background:${side};border-right:1px solid ${border};padding:16px}
  nav a{display:block;color:${look.dark ? '#58a6ff' : '#0969da'};margin:6px 0;text-decoration:none}
  .search{border:1px solid ${border};border-radius:6px;padding:6px 10px;color:#8b949e;margin-bottom:14px}
  main{flex:1;padding:8px 32px 24px 32px;line-height:1.5}
  h1{font-size:26px;margin:12px 0}`;
  const body = `<div class="wrap" id="shot"><nav><div class="search">Search docs…</div>${nav.map((n) => `<a>${n}</a>`).join('')}</nav>
  <main><h1>Example ${variant + 1}</h1>${para(0)}${variant % 2 ? small : ''}${block}${para(1)}${variant % 2 ? '' : small}${para(2)}</main></div>`;
  return page(look, css, body);
}

/** Which rows a coverage report marks as run (green) or never run (red); others are not executable. */
function coverageKind(line: string, index: number): 'hit' | 'miss' | 'none' {
  const t = line.trim();
  if (t === '' || /^[})\]];?$/.test(t) || t.startsWith('#') || t.startsWith('//')) return 'none';
  return index % 5 === 3 ? 'miss' : 'hit';
}

/** A coverage report: `lineNo|  hits|` columns (or ruled cells) then the code, rows coloured by hit or miss. */
export function coveragePageHtml(source: string, code: HighlightedCode, look: PageLook, variant: number): string {
  const src = source.replace(/\n$/, '').split('\n');
  const first = 40 + variant * 37;
  const green = look.dark ? '#12361f' : '#dafbe1';
  const red = look.dark ? '#4b1818' : '#ffd7d5';
  const pipes = variant % 2 === 0;
  const rows = code.lines
    .map((html, i) => {
      const kind = coverageKind(src[i] ?? '', i);
      const hits = kind === 'hit' ? String(((i * 37 + variant * 11) % 140) + 1) : kind === 'miss' ? '0' : '';
      const bg = kind === 'hit' ? green : kind === 'miss' ? red : 'transparent';
      const num = String(first + i);
      const gutter = pipes ? `<td class="g">${num.padStart(4)}|${hits.padStart(7)}|</td>` : `<td class="g n">${num}</td><td class="g c">${hits}</td>`;
      return `<tr style="background:${bg}">${gutter}<td class="hl code">${html || ' '}</td></tr>`;
    })
    .join('');
  const css = `${code.css}
  table.src{border-collapse:collapse;margin:12px;background:${code.background}}
  td{white-space:pre;padding:0 6px;line-height:1.4;tab-size:4}
  td.g{color:${look.dark ? '#8b949e' : '#57606a'};${pipes ? '' : `border-right:1px solid ${look.dark ? '#30363d' : '#d0d7de'};text-align:right;`}}
  td.code{padding-left:12px;min-width:520px}`;
  return page(look, css, `<table class="src" id="shot">${rows}</table>`);
}

export interface DiffRow {
  marker: ' ' | '+' | '-';
  text: string;
  html: string;
  oldNo?: number;
  newNo?: number;
}

/** A review diff: old and new line numbers, the marker column, the code; added rows green, removed rows red. */
export function diffPageHtml(rows: readonly DiffRow[], code: HighlightedCode, look: PageLook): string {
  const add = look.dark ? '#12361f' : '#e6ffec';
  const del = look.dark ? '#4b1818' : '#ffebe9';
  const addNum = look.dark ? '#1b4721' : '#ccffd8';
  const delNum = look.dark ? '#6e2222' : '#ffd7d5';
  const tr = rows
    .map((r) => {
      const bg = r.marker === '+' ? add : r.marker === '-' ? del : 'transparent';
      const nbg = r.marker === '+' ? addNum : r.marker === '-' ? delNum : 'transparent';
      return `<tr style="background:${bg}"><td class="n" style="background:${nbg}">${r.oldNo ?? ''}</td><td class="n" style="background:${nbg}">${r.newNo ?? ''}</td><td class="m">${r.marker === ' ' ? '' : r.marker}</td><td class="hl code">${r.html || ' '}</td></tr>`;
    })
    .join('');
  const css = `${code.css}
  table.src{border-collapse:collapse;margin:12px;background:${code.background}}
  td{white-space:pre;line-height:1.5;tab-size:4}
  td.n{color:${look.dark ? '#8b949e' : '#57606a'};text-align:right;padding:0 8px;min-width:28px}
  td.m{padding:0 6px;width:10px}
  td.code{padding-right:16px;min-width:520px}`;
  return page(look, css, `<table class="src" id="shot">${tr}</table>`);
}
