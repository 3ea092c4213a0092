// One Markdown table from run-on-device.sh's files: node summarize.mjs OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
const dir = process.argv[2];
const rows = [
  '| model | dtype | device | load s | vision ms | prefill ms | first token ms | decode tok/s | peak RSS GB | peak GPU GB |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const file of fs
  .readdirSync(dir)
  .filter((f) => /^bench-.*\.json$/.test(f))
  .sort()) {
  const [, model, dtype] = /^bench-(.*)-([^-]+)\.json$/.exec(file);
  let report;
  try {
    report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n').pop());
  } catch {
    rows.push(`| ${model} | ${dtype} | — | no result (see log.txt) | | | | | | |`);
    continue;
  }
  const gpuFile = path.join(dir, `gpu-mem-${model}-${dtype}.txt`);
  const gpu = fs.existsSync(gpuFile) ? (Number(fs.readFileSync(gpuFile, 'utf8')) / 1024).toFixed(1) : '—';
  for (const r of report.results) {
    if (r.error) {
      rows.push(`| ${model} | ${dtype} | ${r.requestedDevice} | failed: ${r.error.slice(0, 80)} | | | | | | |`);
    } else {
      rows.push(
        `| ${model} | ${dtype} | ${r.device} | ${(r.loadMs / 1000).toFixed(2)} | ${r.visionMs} | ${r.prefillMs} | ${r.ttftMs} | ${r.decodeTokensPerSecond} | ${(r.peakRssMb / 1024).toFixed(2)} | ${gpu} |`,
      );
    }
  }
}
process.stdout.write(rows.join('\n') + '\n');
