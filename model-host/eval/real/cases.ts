/**
 * The real-tool corpus as committed by build-corpus.ts: `cases.json` (ground truth = the text fed
 * to the tool) and the PNGs in `images/`. Read by the eval (`--set real`, `--set real-holdout`)
 * and the host tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type RealSource = 'pygments-image' | 'doc-page' | 'coverage' | 'diff-view' | 'terminal-diff';

export interface RealCase {
  id: string;
  source: RealSource;
  /** `tune`: may be looked at while developing; `holdout`: only measured. */
  split: 'tune' | 'holdout';
  language: string;
  /** PNG file name inside `images/`. */
  file: string;
  truth: string;
  /** Style, font and size, for reports. */
  look: string;
}

export const REAL_CORPUS_DIR = __dirname;

export function loadRealCases(split?: RealCase['split']): RealCase[] {
  const all = JSON.parse(fs.readFileSync(path.join(REAL_CORPUS_DIR, 'cases.json'), 'utf8')) as RealCase[];
  return split ? all.filter((c) => c.split === split) : all;
}

export function realCaseImage(c: RealCase): Buffer {
  return fs.readFileSync(path.join(REAL_CORPUS_DIR, 'images', c.file));
}
