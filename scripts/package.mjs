// `npm run package`: builds the .vsix for the current platform with @vscode/vsce, then proves it is
// complete by unpacking it outside the repository and, from the unpacked copy, loading every module
// the bundles load and running what it advertises: OCR, and a local DeepSeek-VL model it converts.
//
//   node scripts/package.mjs [--target linux-x64] [--out file.vsix]
//
// The allow-list is .vscodeignore; this script appends the line that lets in the onnxruntime-node
// binaries of the target platform only (that package ships all of them, ~290 MB) and passes the
// result to vsce with --ignoreFile. vsce runs `vscode:prepublish` (the production build) itself.
import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

/** vsce's target names: `<os>-<arch>` with Node's os/arch names except armhf and alpine. */
const target = option('--target') ?? `${process.platform}-${process.arch === 'arm' ? 'armhf' : process.arch}`;
const [targetOs, targetArch] = target.split('-');
const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const out = resolve(option('--out') ?? join(repoRoot, `${name}-${version}-${target}.vsix`));

if (target !== `${process.platform}-${process.arch}`) {
  console.warn(
    `warning: packaging for ${target} on ${process.platform}-${process.arch}: sharp's native package comes from ` +
      "this machine's npm install, so the .vsix will only work if you ran `npm install --os/--cpu` for the target first.",
  );
}

/** .vscodeignore plus the onnxruntime-node binary folder of the target (the package ships all platforms). */
function writeIgnoreFile() {
  const binDir = join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', targetOs, targetArch);
  if (!existsSync(binDir)) throw new Error(`onnxruntime-node has no binaries for ${target} (${binDir}); run npm ci first, or pick another --target.`);
  const lines = [
    readFileSync(join(repoRoot, '.vscodeignore'), 'utf8'),
    `# added by scripts/package.mjs for ${target}`,
    `!node_modules/onnxruntime-node/bin/napi-v6/${targetOs}/${targetArch}/**`,
  ];
  const dir = join(repoRoot, '.cache');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `vscodeignore-${target}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function run(cmd, cmdArgs) {
  console.log(`> ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs[0] ?? ''} failed with exit code ${r.status}`);
}

/** Unpacks the .vsix (a zip) with yauzl, which vsce itself depends on. */
async function unzip(file, dest) {
  const yauzl = createRequire(require.resolve('@vscode/vsce/package.json'))('yauzl');
  await new Promise((resolvePromise, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('error', reject);
      zip.on('end', resolvePromise);
      zip.on('entry', (entry) => {
        const target = join(dest, entry.fileName);
        if (!target.startsWith(dest)) return reject(new Error(`bad path in vsix: ${entry.fileName}`));
        if (entry.fileName.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          zip.readEntry();
          return;
        }
        mkdirSync(dirname(target), { recursive: true });
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          stream
            .pipe(createWriteStream(target))
            .on('finish', () => zip.readEntry())
            .on('error', reject);
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Every bare module name the bundles load at run time: static `require("x")`, dynamic `import("x")`
 * and the `createRequire(...)`-made loaders bundled libraries use (`requireFromHere("x")`), in the
 * host, its worker and the extension.
 */
function bundleExternals(distDir) {
  const names = new Set();
  // Not right after a quote or backtick: that is the text of a string (ajv keeps `require("ajv/dist/runtime/…")`
  // and `require("ajv-formats/…")` as text for the standalone code it can generate), never a call the bundle makes.
  const loads = /(?<![\w`'"])(?:\w*[rR]equire\w*|import)\(\s*["']([^"'./][^"']*)["']\s*\)/g;
  for (const f of readdirSync(distDir).filter((n) => n.endsWith('.js'))) {
    for (const m of readFileSync(join(distDir, f), 'utf8').matchAll(loads)) {
      const id = m[1].startsWith('node:') ? m[1].slice(5) : m[1];
      if (id !== 'vscode' && !builtinModules.includes(id.split('/')[0]) && !builtinModules.includes(id)) names.add(m[1]);
    }
  }
  return [...names].sort();
}

/**
 * A preload (`node --require`) that writes every file Node resolves to VC_RESOLVE_LOG: run from the
 * unpacked .vsix outside the repository, each must lie inside the extension.
 */
const RESOLVE_TRACER = `const Module = require('node:module'); const fs = require('node:fs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const file = resolve.call(this, request, ...rest);
  if (!Module.isBuiltin(file)) fs.appendFileSync(process.env.VC_RESOLVE_LOG, file + '\\n');
  return file;
};`;

/** The tiny DeepSeek-VL checkpoint with room for the tasks' prompts (its config says 256 positions; RoPE tables follow the config). */
function tinyCheckpointCopy(work) {
  const fixture = join(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
  if (!existsSync(join(fixture, 'config.json'))) {
    throw new Error(`the tiny DeepSeek-VL fixture is missing (${fixture}); it is needed to run a local model from the .vsix`);
  }
  const dir = join(work, 'tiny-checkpoint');
  cpSync(fixture, dir, { recursive: true });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  config.text_config.max_position_embeddings = 4096;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/** Loads each external from inside the unpacked extension, then runs local-model and OCR tasks from it, traced. */
function checkUnpacked(extensionDir, work) {
  // vsce renames LICENSE to LICENSE.txt and README.md to readme.md.
  const top = readdirSync(extensionDir).map((n) => n.toLowerCase());
  for (const f of ['package.json', 'license.txt', 'readme.md']) {
    if (!top.includes(f)) throw new Error(`the .vsix lacks ${f}`);
  }
  for (const f of ['dist/extension.js', 'dist/model-host.js', 'dist/engine-worker.js']) {
    if (!existsSync(join(extensionDir, f))) throw new Error(`the .vsix lacks ${f}`);
  }
  const externals = bundleExternals(join(extensionDir, 'dist'));
  const probe =
    `const r = require('node:module').createRequire(${JSON.stringify(join(extensionDir, 'dist', 'model-host.js'))});` +
    `for (const m of ${JSON.stringify(externals)}) { r(m); console.log('  loads ' + m); }`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', cwd: work });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`the unpacked .vsix cannot load what its bundles require:\n${r.stderr}`);

  const host = join(extensionDir, 'dist', 'model-host.js');
  const tracer = join(work, 'resolve-tracer.cjs');
  writeFileSync(tracer, RESOLVE_TRACER);
  const log = join(work, 'resolved.txt');
  const env = { ...process.env, NODE_OPTIONS: `--require ${tracer}`, VC_RESOLVE_LOG: log };
  delete env.VISUAL_CODER_OCR_MODELS;
  const packaged = (what, args, check) => {
    const out = spawnSync(process.execPath, [host, ...args], { encoding: 'utf8', cwd: work, env, timeout: 300_000 });
    if (out.status !== 0 || !check(out.stdout)) {
      throw new Error(`the packaged model host could not ${what}:\n${out.stdout.slice(-2000)}\n${out.stderr.slice(-2000)}`);
    }
    console.log(`  packaged model host: ${what}`);
    return out.stdout;
  };
  packaged('print its version', ['--version'], (o) => /\d+\.\d+/.test(o));
  // End to end through the packaged natives and models, from a folder outside the repository so nothing else is found:
  // OCR of a code screenshot (onnxruntime-node, sharp, the PP-OCRv4 files) ...
  const sample = join(repoRoot, 'samples', 'code-screenshot.png');
  packaged('transcribe samples/code-screenshot.png', ['run', '--task', 'transcribe-code', '--image', sample], (o) => o.includes('def fizzbuzz(n: int)'));
  // ... and a local DeepSeek-VL model (transformers.js's tokenizer and Jinja, onnxruntime-node): convert, then a task.
  const model = join(work, 'tiny-converted');
  packaged('convert the tiny DeepSeek-VL checkpoint', ['convert', '--from', tinyCheckpointCopy(work), '--to', model], () =>
    existsSync(join(model, 'config.json')),
  );
  const answer = packaged(
    'run formula-to-latex on the converted model',
    ['run', '--task', 'formula-to-latex', '--model', model, '--image', sample, '--device', 'cpu', '--max-new-tokens', '8', '--json'],
    (o) => {
      const result = JSON.parse(o);
      return result.model && result.tokens?.length > 0 && result.device === 'cpu';
    },
  );
  console.log(`    ${JSON.parse(answer).tokens.length} tokens from ${JSON.parse(answer).model}`);
  // ... and the MCP server agent chats start (the SDK's bundled code): list the tools, run Copy Code from Image.
  const mcpLines = [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'package-check', version: '1' } },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'transcribe-code', arguments: { imagePath: sample } } },
  ];
  const mcp = spawnSync(process.execPath, [host, 'mcp', '--store', join(work, 'empty-store')], {
    encoding: 'utf8',
    cwd: work,
    env,
    input: mcpLines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    timeout: 120_000,
  });
  const replies = new Map(
    mcp.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .map((m) => [m.id, m]),
  );
  const tools = replies.get(2)?.result?.tools ?? [];
  const copied = replies.get(3)?.result?.content?.[0]?.text ?? '';
  if (mcp.status !== 0 || !tools.some((t) => t.name === 'transcribe-code') || !copied.includes('def fizzbuzz(n: int)')) {
    throw new Error(`the packaged model host could not serve MCP:\n${mcp.stdout.slice(-2000)}\n${mcp.stderr.slice(-2000)}`);
  }
  console.log(`  packaged model host: serve ${tools.length} MCP tools and run transcribe-code through one`);
  const loaded = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
  const outside = loaded.filter((f) => !f.startsWith(extensionDir + sep));
  if (outside.length) throw new Error(`the packaged model host loaded files from outside the extension:\n  ${outside.join('\n  ')}`);
  if (!loaded.some((f) => f.endsWith('.node'))) throw new Error('the resolve trace saw no native module: the tracer did not run');
  console.log(`  all ${loaded.length} files the packaged host loaded lie inside the extension`);
}

try {
  const ignoreFile = writeIgnoreFile();
  // No public repository URL yet: without one vsce cannot turn the README's relative links (docs/...)
  // into absolute ones, so they are left as they are (the Marketplace page is not a target yet).
  run(process.execPath, [
    join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce'),
    'package',
    '--target',
    target,
    '--out',
    out,
    '--ignoreFile',
    ignoreFile,
    '--allow-missing-repository',
    '--no-rewrite-relative-links',
  ]);
  const unpacked = mkdtempSync(join(tmpdir(), 'vc-vsix-'));
  try {
    await unzip(out, unpacked);
    console.log(`checking ${out}`);
    const work = join(unpacked, 'work');
    mkdirSync(work);
    checkUnpacked(join(unpacked, 'extension'), work);
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
  console.log(`\n${out}: ${(statSync(out).size / 1024 / 1024).toFixed(1)} MB (${target})`);
} catch (err) {
  console.error(`\npackage failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
