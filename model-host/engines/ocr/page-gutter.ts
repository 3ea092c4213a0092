/**
 * Drops a gutter found by column geometry from a recognised page: boxes left of the separator go,
 * boxes that straddle it (the detector often joins `12` and the code after it into one box) are
 * cropped at the separator and read again, and ink runs left of it are cut so that indentation
 * counts from the code's own first column. The char-level line-number removal in gutter.ts stays
 * as the fallback for gutters without a clean separator.
 */
import { charsWithBoxGaps, chooseGutter, gutterEvidence } from './gutter-geometry';
import { loadOcrSessions } from './models';
import type { OcrPage } from './pipeline';
import { recogniseBoxes, type RecognisedBox } from './recognise';
import { verticalSeparators, type Separator } from './separators';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : 0;
}

/** The gutter separator of the page, if its lines have one. */
export function findPageGutter(page: OcrPage): Separator | undefined {
  if (page.lines.length < 2) return undefined;
  const boxes = page.lines.flat();
  const height = median(boxes.map((b) => (b.box.core ?? b.box).y1 - (b.box.core ?? b.box).y0));
  const x0 = Math.min(...boxes.map((b) => b.box.x0));
  const x1 = Math.max(...boxes.map((b) => b.box.x1));
  // Narrower than a space: the verification of what is left of it decides, not the width.
  const separators = verticalSeparators(page.raster, page.bands, x0, x1, Math.max(2, 0.4 * height));
  return chooseGutter(
    page.lines.map((line) => charsWithBoxGaps(line)),
    separators,
  );
}

/** The page without the gutter left of `sep` (straddling boxes read again from the separator on). */
export async function dropGutter(page: OcrPage, sep: Separator): Promise<OcrPage> {
  const cut = Math.max(sep.ruleX1 ?? sep.x0, sep.x0 + 0.5 * (sep.x1 - sep.x0));
  const straddling: RecognisedBox[] = [];
  for (const line of page.lines) {
    for (const b of line) {
      const core = b.box.core ?? b.box;
      if (core.x0 < sep.x0 && core.x1 > sep.x1) straddling.push(b);
    }
  }
  const reread = new Map<RecognisedBox, RecognisedBox>();
  if (straddling.length) {
    const sessions = await loadOcrSessions();
    const boxes = straddling.map((b) => ({ ...b.box, x0: cut, core: b.box.core && { ...b.box.core, x0: sep.x1 } }));
    const results = await recogniseBoxes(sessions.recogniser, sessions.charset, page.raster, boxes);
    const byBox = new Map(results.map((r) => [r.box, r]));
    straddling.forEach((b, i) => {
      const r = byBox.get(boxes[i]);
      if (r) reread.set(b, r);
    });
  }
  const lines: RecognisedBox[][] = [];
  const ink: OcrPage['ink'] = [];
  const bands: OcrPage['bands'] = [];
  const gutterDoubt: boolean[] = [];
  page.lines.forEach((line, i) => {
    const kept = line
      .map((b) => reread.get(b) ?? b)
      .filter((b) => (b.box.core ?? b.box).x0 >= sep.x0 && b.text.trim() !== '')
      .map((b) => ({ ...b, chars: b.chars.filter((c) => c.x >= sep.x1 - 1) }))
      .filter((b) => b.chars.length > 0);
    if (kept.length === 0) return;
    // What this line had left of the separator did not read as a number or marker: code may have gone with it.
    gutterDoubt.push((page.gutterDoubt?.[i] ?? false) || gutterEvidence([charsWithBoxGaps(line)], sep).junk > 0);
    lines.push(kept);
    ink.push(page.ink[i].filter((r) => r.x0 >= sep.x1 - 1));
    bands.push(page.bands[i]);
  });
  return { ...page, lines, ink, bands, gutterDoubt };
}
