// `npm run eval:ocr [-- --write --show --limit N --variants N --save DIR]`: renders the OCR corpus
// with Chromium, transcribes it with the OCR engine and scores it (see model-host/eval/run-eval.ts).
// The evaluation is TypeScript; tsx runs it without a build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'model-host', 'eval', 'run-eval.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
