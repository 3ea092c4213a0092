/**
 * Code-aware layout after recognition: every character has an x position (from its CTC steps), so
 * on a monospace screenshot each one falls into a column. The column pitch is estimated per image,
 * indentation is rebuilt from where each line's first character sits relative to the least
 * indented line, and gaps inside a line become the right number of spaces even when the
 * recogniser dropped or merged them. Pure functions.
 */
import type { RecognisedChar } from './recognise';
import { spacesFromInk, type InkRun } from './ink';

export interface LayoutLineInput {
  /** Characters of the line left to right; recogniser spaces included (used only as hints). */
  chars: RecognisedChar[];
  box: [number, number, number, number];
  /** Ink runs of the line's pixel band; when present they decide spaces and indentation. */
  ink?: InkRun[];
  /** The gutter left of this line was read as something else than numbers or markers. */
  gutterDoubt?: boolean;
  /** Prose in a proportional font: a word space is narrower than a monospace column. */
  proportional?: boolean;
}

export interface LaidOutLine {
  text: string;
  /** Columns of leading whitespace (before tabs are applied). */
  indent: number;
  /** Confidence per character of `text` (1 for inserted spaces). */
  confidences: number[];
  box: [number, number, number, number];
  /** An empty line the layout inserted for a vertical gap (it may hide a lost `}`). */
  inferred?: boolean;
  /** Why the line's layout is uncertain: its start fell between two columns, or its gutter misread. */
  doubt?: 'indentation' | 'gutter';
}

export interface Glyph {
  char: string;
  x: number;
  confidence: number;
  /** The recogniser put a space between this glyph and the previous one. */
  spaceBefore: boolean;
}

function glyphsOf(chars: readonly RecognisedChar[]): Glyph[] {
  const out: Glyph[] = [];
  let space = false;
  for (const c of [...chars].sort((a, b) => a.x - b.x)) {
    if (c.char === ' ' || c.char === '') {
      space = true;
      continue;
    }
    out.push({ char: c.char, x: c.x, confidence: c.confidence, spaceBefore: space && out.length > 0 });
    space = false;
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Columns between consecutive glyphs. A single CTC position is only good to about ±0.4 of a
 * character at small font sizes, so one space more or less is the recogniser's call; positions
 * only add spaces it could not see (runs of spaces, gaps between boxes).
 */
export function stepColumns(prev: { x: number }, next: { x: number; spaceBefore: boolean }, pitch: number): number {
  const r = (next.x - prev.x) / pitch;
  if (next.spaceBefore) return Math.max(2, Math.round(r - 0.3));
  return r >= 2.2 ? Math.round(r) : 1;
}

/** Length of [xa, xb] not covered by ink. */
function blankBetween(ink: readonly InkRun[], xa: number, xb: number): number {
  let covered = 0;
  for (const r of ink) covered += Math.max(0, Math.min(r.x1, xb) - Math.max(r.x0, xa));
  return xb - xa - covered;
}

/** The widest blank stretch between ink runs inside [xa, xb]. */
function widestBlank(ink: readonly InkRun[], xa: number, xb: number): number {
  let widest = 0;
  for (let k = 1; k < ink.length; k++) {
    const a = Math.max(xa, ink[k - 1].x1);
    const b = Math.min(xb, ink[k].x0);
    if (b - a > widest) widest = b - a;
  }
  return widest;
}

/**
 * The horizontal pitch of one character. First guess: the median distance between consecutive
 * glyphs that are certainly adjacent: mostly ink between their centres when ink is known (a space,
 * even one the recogniser dropped, leaves a blank at least one character wide), or no recogniser
 * space otherwise. Then a least-squares fit of x against column within lines.
 */
export function estimatePitch(lines: readonly Glyph[][], fallback: number, inks: readonly (InkRun[] | undefined)[] = []): number {
  const gaps: number[] = [];
  lines.forEach((g, li) => {
    const ink = inks[li];
    for (let i = 1; i < g.length; i++) {
      const dx = g[i].x - g[i - 1].x;
      if (dx <= 0) continue;
      const adjacent = ink ? blankBetween(ink, g[i - 1].x, g[i].x) < 0.45 * dx : !g[i].spaceBefore;
      if (adjacent) gaps.push(dx);
    }
  });
  let pitch = gaps.length >= 3 ? median(gaps) : fallback;
  if (!(pitch > 0)) return fallback;
  for (let iteration = 0; iteration < 2; iteration++) {
    let num = 0;
    let den = 0;
    lines.forEach((g, li) => {
      if (g.length < 2) return;
      const ink = inks[li];
      const inkSpaces = ink
        ? spacesFromInk(
            g.map((x) => x.x),
            ink,
            pitch,
          )
        : [];
      const cols = [0];
      for (let i = 1; i < g.length; i++) cols.push(cols[i - 1] + (inkSpaces[i] !== undefined ? inkSpaces[i]! + 1 : stepColumns(g[i - 1], g[i], pitch)));
      const mc = cols.reduce((s, v) => s + v, 0) / cols.length;
      const mx = g.reduce((s, v) => s + v.x, 0) / g.length;
      for (let i = 0; i < g.length; i++) {
        num += (cols[i] - mc) * (g[i].x - mx);
        den += (cols[i] - mc) ** 2;
      }
    });
    if (den > 0) pitch = num / den;
  }
  return pitch;
}

export interface LayoutOptions {
  /** Leading whitespace as tabs of this many columns (Go, Makefiles); absent: spaces. */
  tabWidth?: number;
  /** x of the code's first column when known (a removed diff-marker column ends there); absent: the least indented line. */
  origin?: number;
}

/** Lines of text with indentation and inner spacing rebuilt from character positions. */
export function layoutLines(input: readonly LayoutLineInput[], options: LayoutOptions = {}): { lines: LaidOutLine[]; pitch: number } {
  const glyphLines = input.map((l) => glyphsOf(l.chars));
  const heights = input.map((l) => l.box[3] - l.box[1]).filter((h) => h > 0);
  const rough = (median(heights) || 16) * 0.45;
  // Ink outside the recognised glyphs (a removed gutter number, a stray mark) does not count.
  const keepInk = (pitch: number) =>
    input.map((line, i) => {
      const g = glyphLines[i];
      if (!line.ink || g.length === 0) return undefined;
      const kept = line.ink.filter((r) => r.x1 > g[0].x - pitch && r.x0 < g[g.length - 1].x + pitch);
      return kept.length ? kept : undefined;
    });
  const pitch = estimatePitch(glyphLines, rough, keepInk(rough));
  const inks = keepInk(pitch);
  const starts = glyphLines.map((g, i) => inks[i]?.[0].x0 ?? (g.length ? g[0].x - pitch / 2 : NaN)).filter((x) => !Number.isNaN(x));
  const least = starts.length ? Math.min(...starts) : 0;
  // A known origin counts only if no line starts left of it (it then never makes a negative indent).
  const origin = options.origin !== undefined && options.origin <= least + pitch / 2 ? options.origin : least;
  const lines: LaidOutLine[] = [];
  input.forEach((line, index) => {
    const glyphs = glyphLines[index];
    if (glyphs.length === 0) return;
    const ink = inks[index];
    const start = ink?.[0].x0 ?? glyphs[0].x - pitch / 2;
    const columns = (start - origin) / pitch;
    const indent = Math.max(0, Math.round(columns));
    // A start a third of a column or more off the grid could be either indentation.
    const offGrid = Math.abs(columns - Math.round(columns)) > 0.3;
    const inkSpaces = ink
      ? spacesFromInk(
          glyphs.map((g) => g.x),
          ink,
          pitch,
        )
      : [];
    let text = '';
    const confidences: number[] = [];
    glyphs.forEach((g, i) => {
      if (i > 0) {
        let spaces = inkSpaces[i] ?? stepColumns(glyphs[i - 1], g, pitch) - 1;
        // The recogniser saw a space the ink barely shows (`c` and `r` have wide side bearings): a
        // blank of over half a column between the two glyphs' centres confirms it.
        if (spaces === 0 && g.spaceBefore && ink && blankBetween(ink, glyphs[i - 1].x, g.x) >= 0.55 * pitch) spaces = 1;
        // Proportional prose: letters nearly touch, a word space is a blank of a fifth of the line's height.
        if (spaces === 0 && line.proportional && ink && widestBlank(ink, glyphs[i - 1].x, g.x) >= 0.2 * (line.box[3] - line.box[1])) spaces = 1;
        text += ' '.repeat(spaces);
        for (let s = 0; s < spaces; s++) confidences.push(1);
      }
      text += g.char;
      for (let k = 0; k < g.char.length; k++) confidences.push(g.confidence);
    });
    let lead = ' '.repeat(indent);
    if (options.tabWidth && options.tabWidth > 0) {
      const tabs = Math.round(indent / options.tabWidth);
      lead = '\t'.repeat(tabs);
    }
    const doubt = line.gutterDoubt ? ('gutter' as const) : offGrid ? ('indentation' as const) : undefined;
    lines.push({
      text: lead + text,
      indent,
      confidences: [...new Array<number>(lead.length).fill(1), ...confidences],
      box: line.box,
      ...(doubt ? { doubt } : {}),
    });
  });
  return { lines, pitch };
}
