/**
 * `npm run eval:ocr`: renders the corpus with Chromium, transcribes every image with the OCR engine,
 * scores it against the source and prints (and with --write, records in docs/quality.md) the
 * character error rate, exact-line rate, indentation accuracy and per-image time.
 *
 * Flags: --limit N (first N snippets), --variants N (styles per snippet, default 2), --write,
 * --show (print the diff of every imperfect image), --save DIR (keep the rendered PNGs),
 * --set holdout (the held-out snippets instead of the corpus; --write then records nothing),
 * --set real / --set real-holdout (the committed real-tool screenshots, tuning or held-out part:
 * see real/build-corpus.ts; scored per source type, --write records them in their own blocks).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { transcribeCode } from '../engines/ocr';
import { lineConfusions } from './confusions';
import { CORPUS } from './corpus';
import { HOLDOUT } from './holdout';
import { launchChromium, renderSnippet } from './render';
import { alignLines, scoreTranscription, totals, type SnippetScore } from './score';
import { describeStyle, stylesFor } from './styles';
import { formatReport, type EvalRow } from './report';
import { runRealEval } from './real/run-real';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const limit = Number(argValue('limit') ?? CORPUS.length);
  const variants = Number(argValue('variants') ?? 2);
  const saveDir = argValue('save');
  const show = process.argv.includes('--show');
  const set = argValue('set');
  if (set === 'real' || set === 'real-holdout') {
    await runRealEval({ split: set === 'real' ? 'tune' : 'holdout', show, write: process.argv.includes('--write'), saveDir });
    return;
  }
  const holdout = set === 'holdout';
  const snippets = (holdout ? HOLDOUT : CORPUS).slice(0, limit);
  const browser = await launchChromium();
  const rows: EvalRow[] = [];
  const confusionCounts = new Map<string, number>();
  try {
    for (const [index, snippet] of snippets.entries()) {
      for (const [v, style] of stylesFor(index, variants).entries()) {
        const png = await renderSnippet(browser, snippet.code, style);
        if (saveDir) {
          fs.mkdirSync(saveDir, { recursive: true });
          fs.writeFileSync(path.join(saveDir, `${snippet.id}-${v}.png`), png);
        }
        const meta = await sharp(png).metadata();
        const image = { png, width: meta.width ?? 0, height: meta.height ?? 0, source: `${snippet.id}-${v}` };
        if (rows.length === 0) await transcribeCode(image); // warm-up: session creation is not per-image time
        const cpu0 = process.cpuUsage();
        const result = await transcribeCode(image);
        const cpu = process.cpuUsage(cpu0);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        const score: SnippetScore = scoreTranscription(snippet.code, result.code);
        rows.push({
          id: snippet.id,
          style,
          styleText: describeStyle(style),
          score,
          ms: result.timings.totalMs,
          cpuMs,
          width: image.width,
          height: image.height,
          languageOk: result.language === snippet.language,
        });
        const ref = snippet.code.replace(/\n+$/, '').split('\n');
        const hyp = result.code
          .replace(/[ \t]+$/gm, '')
          .replace(/\n+$/, '')
          .split('\n');
        for (const [r, h] of alignLines(ref, hyp)) {
          if (ref[r] !== hyp[h]) for (const c of lineConfusions(ref[r], hyp[h])) confusionCounts.set(c, (confusionCounts.get(c) ?? 0) + 1);
        }
        const line = `${snippet.id.padEnd(16)} ${describeStyle(style).padEnd(36)} CER ${((100 * score.charErrors) / score.refChars).toFixed(1).padStart(5)}%  exact ${score.exactLines}/${score.refLines}  indent ${score.rightIndent}/${score.indentLines}  ${Math.round(result.timings.totalMs)} ms (cpu ${Math.round(cpuMs)})  ${result.language}`;
        console.log(line);
        if (show && score.exactLines < score.refLines) {
          for (const [r, h] of alignLines(ref, hyp)) if (ref[r] !== hyp[h]) console.log(`    - ${JSON.stringify(ref[r])}\n    + ${JSON.stringify(hyp[h])}`);
        }
      }
    }
  } finally {
    await browser.close();
  }
  const t = totals(rows.map((r) => r.score));
  const topConfusions = [...confusionCounts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const report = formatReport(rows, topConfusions, { machine: `${os.cpus().length}-core ${os.cpus()[0]?.model ?? 'CPU'}, ${os.type()}` });
  console.log(
    `\nCER ${(100 * t.cer).toFixed(2)}%  exact lines ${(100 * t.exactLineRate).toFixed(1)}%  indentation ${(100 * t.indentAccuracy).toFixed(1)}%  images ${rows.length}`,
  );
  console.log(`top confusions: ${topConfusions.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  if (process.argv.includes('--write') && !holdout) {
    const file = path.resolve(__dirname, '..', '..', 'docs', 'quality.md');
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const start = '<!-- eval:ocr start -->';
    const end = '<!-- eval:ocr end -->';
    const block = `${start}\n${report}\n${end}`;
    const next = existing.includes(start) ? existing.replace(new RegExp(`${start}[\\s\\S]*${end}`), block) : `${existing}\n${block}\n`;
    fs.writeFileSync(file, next);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
