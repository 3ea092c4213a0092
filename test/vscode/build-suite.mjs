// Compiles the in-host suite (test/vscode/suite/*.test.ts) to out/test/vscode/suite/*.test.js,
// one bundle per file with `vscode` external, so mocha can load it inside an extension host
// (which has no TypeScript loader). Used by .vscode-test.mjs and the code-server e2e route.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const suiteOutDir = resolve(here, '..', '..', 'out', 'test', 'vscode', 'suite');

export async function buildInHostSuite() {
  const srcDir = join(here, 'suite');
  const entryPoints = readdirSync(srcDir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(srcDir, f));
  await esbuild.build({
    entryPoints,
    outdir: suiteOutDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return suiteOutDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildInHostSuite().then(
    (dir) => console.log(dir),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
