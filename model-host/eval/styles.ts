/**
 * Which rendering styles each corpus snippet gets: a deterministic walk through themes, fonts,
 * sizes, gutters, selection highlights and pixel ratios, so that every dimension is covered
 * without rendering the full cross product.
 */
import type { RenderStyle } from './render';

const FONTS: RenderStyle['font'][] = ['DejaVu Sans Mono', 'Liberation Mono', 'Noto Sans Mono'];
const SIZES = [12, 14, 16, 18, 20];

/** `variants` styles for the snippet at `index` (two by default: one light, one dark). */
export function stylesFor(index: number, variants = 2): RenderStyle[] {
  const out: RenderStyle[] = [];
  for (let v = 0; v < variants; v++) {
    const k = index * variants + v;
    out.push({
      theme: (index + v) % 2 === 0 ? 'light' : 'dark',
      font: FONTS[k % 3],
      fontSizePx: SIZES[(index + 2 * v) % 5],
      lineNumbers: k % 4 === 1 || k % 4 === 2,
      deviceScaleFactor: k % 3 === 2 ? 2 : 1,
      selectedLine: k % 5 === 3 ? 1 : undefined,
      tabSize: 4,
    });
  }
  return out;
}

export function describeStyle(style: RenderStyle): string {
  return `${style.theme} ${style.font} ${style.fontSizePx}px${style.lineNumbers ? ' +ln' : ''}${style.selectedLine !== undefined ? ' +sel' : ''} ${style.deviceScaleFactor}x`;
}
