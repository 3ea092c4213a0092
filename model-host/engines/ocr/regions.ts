/**
 * Finding the code in a screenshot of a page. A documentation page, a chat or a blog post puts a
 * code block among prose, headings, a sidebar and a search box; Copy Code from Image should copy
 * the block, not the page. The recognised page is cut into segments (a line's boxes, split at very
 * wide gaps), segments are joined into blocks (stacked, overlapping in x, on the same background,
 * at most a blank line apart), each block is classed as code, prose or chrome by what it says, and
 * the largest code block wins. Code blocks split only by a highlighted row (coverage, diffs) or a
 * blank stretch are joined back; a one-line block of another kind between them (a highlighted
 * comment) goes with them. A page with no code block, or one block, is kept whole. Pure functions.
 */
import type { RecognisedBox } from './recognise';
import type { RgbRaster } from './raster';
import type { Band } from './separators';

export type RegionKind = 'code' | 'prose' | 'chrome';

/** What a piece of recognised text reads like: code (symbols, capitals of SQL), prose (long, letters, few symbols), or chrome (a short label). */
/** Words that start a line of code in common languages, never a label or a sentence's first word in lower case. */
const CODE_START =
  /^(import|from|def|class|return|if|elif|else|for|while|const|let|var|fn|func|package|public|private|protected|static|use|pub|impl|struct|enum|type|interface|export|async|await|try|catch|except|finally|raise|throw|switch|case|break|continue|yield|with|lambda|echo|fi|done|then|do|esac|SELECT|FROM|WHERE|INSERT|UPDATE|CREATE)\b/;

export function classifyText(text: string): RegionKind {
  const t = text.trim();
  if (CODE_START.test(t) && !/^[A-Z][a-z]+ [a-z]+ [a-z]+ [a-z]+/.test(t)) return 'code';
  if (/\b[a-z]+[A-Z]\w*|\b[a-z]+_[a-z]\w*/.test(t)) return 'code'; // camelCase, snake_case
  const letters = (t.match(/[A-Za-z]/g) ?? []).length;
  const symbols = (t.match(/[(){}[\]<>=;:"'_/\\|&*+#$@!%^~`]/g) ?? []).length;
  const capitalWords = (t.match(/\b[A-Z]{2,}\b/g) ?? []).length;
  if (symbols === 0 && letters <= 24) return 'chrome';
  if (letters >= 20 && symbols / Math.max(1, t.length) < 0.04 && capitalWords < 2) return 'prose';
  return 'code';
}

interface Segment {
  line: number;
  boxes: RecognisedBox[];
  x0: number;
  x1: number;
  cy: number;
  chars: number;
  kind: RegionKind;
  bg: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : 0;
}

/** The most common colour (packed RGB) of a band between x0 and x1, on a sample of its pixels. */
function backgroundOf(raster: RgbRaster, band: Band, x0: number, x1: number): number {
  const { data, width, height } = raster;
  const counts = new Map<number, number>();
  const ya = Math.max(0, Math.floor(band.y0));
  const yb = Math.min(height, Math.ceil(band.y1));
  const xa = Math.max(0, Math.floor(x0));
  const xb = Math.min(width, Math.ceil(x1));
  const step = Math.max(1, Math.floor((xb - xa) / 200));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x += step) {
      const i = (y * width + x) * 3;
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  let best = -1;
  let bestN = 0;
  for (const [k, n] of counts) {
    if (n > bestN) {
      best = k;
      bestN = n;
    }
  }
  return best;
}

const textOf = (boxes: readonly RecognisedBox[]) => boxes.map((b) => b.text).join(' ');

/** Segments of each line: its boxes split where the gap is wider than `gap` (a comment after code stays with it). */
function segmentsOf(lines: readonly RecognisedBox[][], bands: readonly Band[], raster: RgbRaster, gap: number): Segment[] {
  const out: Segment[] = [];
  lines.forEach((line, i) => {
    const groups: RecognisedBox[][] = [];
    for (const b of line) {
      const last = groups[groups.length - 1];
      const prev = last?.[last.length - 1];
      const comment = /^\s*(#|\/\/|\/\*|--)/.test(b.text);
      if (prev && (b.box.x0 - prev.box.x1 <= gap || comment)) last.push(b);
      else groups.push([b]);
    }
    for (const g of groups) {
      const x0 = Math.min(...g.map((b) => b.box.x0));
      const x1 = Math.max(...g.map((b) => b.box.x1));
      const text = textOf(g);
      out.push({
        line: i,
        boxes: g,
        x0,
        x1,
        cy: (Math.min(...g.map((b) => b.box.y0)) + Math.max(...g.map((b) => b.box.y1))) / 2,
        chars: text.replace(/\s/g, '').length,
        kind: classifyText(text),
        bg: bands[i] ? backgroundOf(raster, bands[i], x0, x1) : -1,
      });
    }
  });
  return out;
}

/** Backgrounds within 3 levels a channel: a code block's #f8f8f8 is not the page's white. */
function sameColour(a: number, b: number): boolean {
  const d = (s: number) => Math.abs(((a >> s) & 255) - ((b >> s) & 255));
  return d(0) <= 3 && d(8) <= 3 && d(16) <= 3;
}

const overlapX = (a: { x0: number; x1: number }, b: { x0: number; x1: number }) => Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 0;

interface Block {
  segments: Segment[];
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  chars: number;
  code: number;
  codeSegments: number;
}

function blockOf(segments: Segment[]): Block {
  return {
    segments,
    x0: Math.min(...segments.map((s) => s.x0)),
    x1: Math.max(...segments.map((s) => s.x1)),
    top: Math.min(...segments.map((s) => s.cy)),
    bottom: Math.max(...segments.map((s) => s.cy)),
    chars: segments.reduce((n, s) => n + s.chars, 0),
    code: segments.reduce((n, s) => n + (s.kind === 'code' ? s.chars : 0), 0),
    codeSegments: segments.filter((s) => s.kind === 'code').length,
  };
}

/** Code by characters, or by lines: a long comment on a highlighted row must not outweigh the code beside it. */
const isCode = (b: Block) => b.chars > 0 && (b.code >= 0.35 * b.chars || b.codeSegments >= 0.5 * b.segments.length);

/**
 * The boxes of the page's code: `keep[i]` is the set of boxes of line i that belong to the chosen
 * code block, or undefined when the page is kept whole (one block, or no code block).
 */
export function selectCodeRegion(lines: readonly RecognisedBox[][], bands: readonly Band[], raster: RgbRaster): Set<RecognisedBox> | undefined {
  if (lines.length < 2) return undefined;
  const boxes = lines.flat();
  const h = median(boxes.map((b) => (b.box.core ?? b.box).y1 - (b.box.core ?? b.box).y0)) || 10;
  const centres = lines.map((l) => (Math.min(...l.map((b) => b.box.y0)) + Math.max(...l.map((b) => b.box.y1))) / 2);
  const steps = centres
    .slice(1)
    .map((c, i) => c - centres[i])
    .sort((a, b) => a - b);
  const pitch = steps[Math.floor((steps.length - 1) / 4)] || 1.5 * h;
  const segments = segmentsOf(lines, bands, raster, 6 * h);
  // Union-find over segments: stacked, overlapping in x, same background, at most a blank line apart.
  const parent = segments.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let a = 0; a < segments.length; a++) {
    for (let b = a + 1; b < segments.length; b++) {
      const sa = segments[a];
      const sb = segments[b];
      if (sb.line === sa.line) continue;
      if (sb.cy - sa.cy > 2.6 * pitch) break;
      // Widened by a few characters: a closing brace sits left of the deeper line above it.
      const near = overlapX({ x0: sa.x0 - 3 * h, x1: sa.x1 + 3 * h }, sb);
      if (near && sameColour(sa.bg, sb.bg)) parent[find(b)] = find(a);
    }
  }
  const groups = new Map<number, Segment[]>();
  segments.forEach((s, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), s]));
  let blocks = [...groups.values()].map(blockOf).sort((a, b) => a.top - b.top);
  if (blocks.length < 2) return undefined;
  // Join code blocks stacked with nothing else in x between them; a one-line block between two code blocks joins too.
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < blocks.length && !changed; i++) {
      for (let j = i + 1; j < blocks.length && !changed; j++) {
        const a = blocks[i];
        const b = blocks[j];
        if (!overlapX(a, b) || !isCode(a)) continue;
        // A block inside a code block's span (a highlighted row the code on both sides skipped over) is part of it.
        if (b.top >= a.top && b.bottom <= a.bottom) {
          blocks = [...blocks.filter((c) => c !== a && c !== b), blockOf([...a.segments, ...b.segments])].sort((x, y) => x.top - y.top);
          changed = true;
          continue;
        }
        if (b.top < a.bottom) continue;
        const between = blocks.filter((c) => c !== a && c !== b && overlapX(c, a) && c.top > a.bottom && c.bottom < b.top);
        const bridge = between.length === 1 && between[0].segments.length === 1 && isCode(b);
        // A short label-like block right under the code and inside its indentation (`return y`, `fi`) is code too.
        const tail = !isCode(b) && b.segments.length <= 2 && b.segments.every((s) => s.kind === 'chrome') && b.top - a.bottom <= 4 * pitch && b.x0 >= a.x0 - h;
        if ((!isCode(b) && !tail) || b.top - a.bottom > 6 * pitch || (between.length > 0 && !bridge)) continue;
        const merged = blockOf([...a.segments, ...b.segments, ...(bridge ? between[0].segments : [])]);
        blocks = [...blocks.filter((c) => c !== a && c !== b && !(bridge && c === between[0])), merged].sort((x, y) => x.top - y.top);
        changed = true;
      }
    }
  }
  const code = blocks.filter(isCode).sort((a, b) => b.chars - a.chars);
  if (code.length === 0 || blocks.length < 2) return undefined;
  return new Set(code[0].segments.flatMap((s) => s.boxes));
}

/** The page restricted to the given boxes: other boxes, and lines left empty, go; ink is cut to the kept boxes' extent. */
export function restrictLines<T extends { lines: RecognisedBox[][]; ink: { x0: number; x1: number }[][]; bands: Band[]; gutterDoubt?: boolean[] }>(
  page: T,
  keep: ReadonlySet<RecognisedBox>,
): T {
  const kept = page.lines.flat().filter((b) => keep.has(b));
  const h = median(kept.map((b) => b.box.y1 - b.box.y0));
  const x0 = Math.min(...kept.map((b) => b.box.x0)) - h;
  const x1 = Math.max(...kept.map((b) => b.box.x1)) + h;
  const lines: RecognisedBox[][] = [];
  const ink: T['ink'] = [];
  const bands: Band[] = [];
  const doubts: boolean[] = [];
  page.lines.forEach((line, i) => {
    const boxes = line.filter((b) => keep.has(b));
    if (boxes.length === 0) return;
    lines.push(boxes);
    doubts.push(page.gutterDoubt?.[i] ?? false);
    ink.push(page.ink[i].filter((r) => r.x1 > x0 && r.x0 < x1));
    bands.push({ ...page.bands[i], x0: Math.max(page.bands[i].x0, x0), x1: Math.min(page.bands[i].x1, x1) });
  });
  return { ...page, lines, ink, bands, ...(page.gutterDoubt ? { gutterDoubt: doubts } : {}) };
}
