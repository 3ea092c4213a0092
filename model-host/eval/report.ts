/** The Markdown section `npm run eval:ocr --write` puts into docs/quality.md. */
import type { RenderStyle } from './render';
import { totals, type SnippetScore } from './score';

export interface EvalRow {
  id: string;
  style: RenderStyle;
  styleText: string;
  score: SnippetScore;
  ms: number;
  /** CPU time of the process during the image (all threads), less sensitive to a busy machine than `ms`. */
  cpuMs: number;
  width: number;
  height: number;
  languageOk: boolean;
}

const pct = (v: number, digits = 1) => `${(100 * v).toFixed(digits)}%`;

function breakdown(rows: readonly EvalRow[], name: string, key: (r: EvalRow) => string): string {
  const groups = new Map<string, EvalRow[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const lines = [...groups.entries()].sort().map(([k, g]) => {
    const t = totals(g.map((r) => r.score));
    return `| ${name} ${k} | ${g.length} | ${pct(t.cer, 2)} | ${pct(t.exactLineRate)} | ${pct(t.indentAccuracy)} |`;
  });
  return lines.join('\n');
}

export function formatReport(rows: readonly EvalRow[], confusions: [string, number][], env: { machine: string }): string {
  const t = totals(rows.map((r) => r.score));
  const times = rows.map((r) => r.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const p90 = times[Math.floor(times.length * 0.9)] ?? 0;
  const cpu = rows.map((r) => r.cpuMs).sort((a, b) => a - b);
  const cpuMedian = cpu[Math.floor(cpu.length / 2)] ?? 0;
  const lang = rows.filter((r) => r.languageOk).length;
  return [
    `Last run: ${new Date().toISOString().slice(0, 16)}Z on ${env.machine}; ${rows.length} images of ${new Set(rows.map((r) => r.id)).size} snippets.`,
    '',
    '| | images | CER | exact lines | right indentation |',
    '|---|---|---|---|---|',
    `| **all** | ${rows.length} | **${pct(t.cer, 2)}** | **${pct(t.exactLineRate)}** | **${pct(t.indentAccuracy)}** |`,
    breakdown(rows, 'theme', (r) => r.style.theme),
    breakdown(rows, 'font', (r) => r.style.font),
    breakdown(rows, 'size', (r) => `${r.style.fontSizePx}px`),
    breakdown(rows, 'pixel ratio', (r) => `${r.style.deviceScaleFactor}x`),
    breakdown(rows, 'line numbers', (r) => (r.style.lineNumbers ? 'yes' : 'no')),
    '',
    `Per image (after a warm-up image; sessions cached): median ${Math.round(median)} ms, 90th percentile ${Math.round(p90)} ms; median CPU time ${Math.round(cpuMedian)} ms (all threads; ONNX Runtime uses ${process.env.VISUAL_CODER_OCR_THREADS ?? 2}). Language detected right on ${lang}/${rows.length} images.`,
    '',
    `Most frequent character errors (expected→got, · = space, ∅ = nothing): ${confusions.map(([k, n]) => `\`${k}\` ×${n}`).join(', ')}`,
  ].join('\n');
}
