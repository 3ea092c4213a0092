/**
 * `npm run eval:ocr -- --set real | real-holdout`: the committed real-tool screenshots through the
 * engine, scored against the text fed to the tool, reported per source type (Pygments image,
 * documentation page, coverage report, review diff, terminal diff) with gutter residue counted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { transcribeCode } from '../../engines/ocr';
import { alignLines, scoreTranscription, totals, type SnippetScore } from '../score';
import { loadRealCases, realCaseImage, type RealCase } from './cases';

/**
 * Lines whose transcription still starts with gutter material the reference line lacks: a number
 * (line number, hit count) or a diff marker. Zero on a case means its gutter was removed.
 */
export function gutterResidue(reference: string, hypothesis: string): number {
  const ref = reference.replace(/\n+$/, '').split('\n');
  const hyp = hypothesis.replace(/\n+$/, '').split('\n');
  const gutterish = /^(\d+\s*[|:]?\s*\d*\s*[|:]?|[+-])(?=\s|\S)/;
  let n = 0;
  for (const [r, h] of alignLines(ref, hyp)) {
    const rt = ref[r].trim();
    const ht = hyp[h].trim();
    const m = gutterish.exec(ht);
    if (m && !rt.startsWith(m[1].trim())) n++;
  }
  return n;
}

interface RealRow {
  c: RealCase;
  score: SnippetScore;
  ms: number;
  residue: number;
}

const pct = (v: number, digits = 1) => `${(100 * v).toFixed(digits)}%`;

function table(rows: readonly RealRow[]): string {
  const groups = new Map<string, RealRow[]>();
  for (const r of rows) groups.set(r.c.source, [...(groups.get(r.c.source) ?? []), r]);
  const line = (name: string, g: readonly RealRow[]) => {
    const t = totals(g.map((r) => r.score));
    const clean = g.filter((r) => r.residue === 0).length;
    return `| ${name} | ${g.length} | ${pct(t.cer, 2)} | ${pct(t.exactLineRate)} | ${pct(t.indentAccuracy)} | ${clean}/${g.length} |`;
  };
  const times = rows.map((r) => r.ms).sort((a, b) => a - b);
  return [
    '| source | images | CER | exact lines | right indentation | gutter removed |',
    '|---|---|---|---|---|---|',
    line('**all**', rows),
    ...[...groups.entries()].sort().map(([k, g]) => line(k, g)),
    '',
    `Median ${Math.round(times[times.length >> 1] ?? 0)} ms per image, 90th percentile ${Math.round(times[Math.floor(times.length * 0.9)] ?? 0)} ms (${os.cpus().length}-core ${os.cpus()[0]?.model ?? 'CPU'}, after a warm-up image).`,
  ].join('\n');
}

export async function runRealEval(options: { split: RealCase['split']; show: boolean; write: boolean; saveDir?: string }): Promise<void> {
  const cases = loadRealCases(options.split);
  const rows: RealRow[] = [];
  for (const c of cases) {
    const png = realCaseImage(c);
    const meta = await sharp(png).metadata();
    const image = { png, width: meta.width ?? 0, height: meta.height ?? 0, source: c.id };
    if (rows.length === 0) await transcribeCode(image);
    const result = await transcribeCode(image);
    const score = scoreTranscription(c.truth, result.code);
    const residue = gutterResidue(c.truth, result.code);
    rows.push({ c, score, ms: result.timings.totalMs, residue });
    if (options.saveDir) {
      fs.mkdirSync(options.saveDir, { recursive: true });
      fs.writeFileSync(path.join(options.saveDir, `${c.id}.txt`), result.code);
    }
    console.log(
      `${c.id.padEnd(30)} ${c.source.padEnd(14)} CER ${((100 * score.charErrors) / score.refChars).toFixed(1).padStart(5)}%  exact ${score.exactLines}/${score.refLines}  indent ${score.rightIndent}/${score.indentLines}  gutter ${residue ? `${residue} left` : 'ok'}  ${Math.round(result.timings.totalMs)} ms`,
    );
    if (options.show && score.exactLines < score.refLines) {
      const ref = c.truth.replace(/\n+$/, '').split('\n');
      const hyp = result.code
        .replace(/[ \t]+$/gm, '')
        .replace(/\n+$/, '')
        .split('\n');
      const paired = new Set<number>();
      for (const [r, h] of alignLines(ref, hyp)) {
        paired.add(h);
        if (ref[r] !== hyp[h]) console.log(`    - ${JSON.stringify(ref[r])}\n    + ${JSON.stringify(hyp[h])}`);
      }
      hyp.forEach((h, k) => paired.has(k) || console.log(`    + ${JSON.stringify(h)} (extra)`));
    }
  }
  const report = `Last run: ${new Date().toISOString().slice(0, 16)}Z; ${rows.length} images (${options.split === 'tune' ? 'tuning part' : 'held-out part'}).\n\n${table(rows)}`;
  console.log(`\n${report}`);
  if (options.write) {
    const file = path.resolve(__dirname, '..', '..', '..', 'docs', 'quality.md');
    const tag = options.split === 'tune' ? 'eval:ocr-real' : 'eval:ocr-real-holdout';
    const start = `<!-- ${tag} start -->`;
    const end = `<!-- ${tag} end -->`;
    const existing = fs.readFileSync(file, 'utf8');
    const block = `${start}\n${report}\n${end}`;
    const next = existing.includes(start) ? existing.replace(new RegExp(`${start}[\\s\\S]*${end}`), block) : `${existing}\n${block}\n`;
    fs.writeFileSync(file, next);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
