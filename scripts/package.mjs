// `npm run package`: builds the .vsix for the current platform with @vscode/vsce, then proves it is
// complete by unpacking it and loading, from the unpacked copy, every module the bundles require.
//
//   node scripts/package.mjs [--target linux-x64] [--out file.vsix]
//
// The allow-list is .vscodeignore; this script appends the line that lets in the onnxruntime-node
// binaries of the target platform only (that package ships all of them, ~290 MB) and passes the
// result to vsce with --ignoreFile. vsce runs `vscode:prepublish` (the production build) itself.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
  console.warn(`warning: packaging for ${target} on ${process.platform}-${process.arch}: sharp's native package comes from ` +
    'this machine\'s npm install, so the .vsix will only work if you ran `npm install --os/--cpu` for the target first.');
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
        if (entry.fileName.endsWith('/')) { mkdirSync(target, { recursive: true }); zip.readEntry(); return; }
        mkdirSync(dirname(target), { recursive: true });
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          stream.pipe(createWriteStream(target)).on('finish', () => zip.readEntry()).on('error', reject);
        });
      });
      zip.readEntry();
    });
  });
}

/** Every bare module name the bundles require (the externals: native packages). */
function bundleExternals(distDir) {
  const names = new Set();
  for (const f of readdirSync(distDir).filter((n) => n.endsWith('.js'))) {
    for (const m of readFileSync(join(distDir, f), 'utf8').matchAll(/require\(["']([^"'./][^"']*)["']\)/g)) {
      const id = m[1].startsWith('node:') ? m[1].slice(5) : m[1];
      if (id !== 'vscode' && !builtinModules.includes(id)) names.add(m[1]);
    }
  }
  return [...names].sort();
}

/** Loads each external from inside the unpacked extension, in a child Node, so natives really load. */
function checkUnpacked(extensionDir) {
  // vsce renames LICENSE to LICENSE.txt and README.md to readme.md.
  const top = readdirSync(extensionDir).map((n) => n.toLowerCase());
  for (const f of ['package.json', 'license.txt', 'readme.md']) {
    if (!top.includes(f)) throw new Error(`the .vsix lacks ${f}`);
  }
  for (const f of ['dist/extension.js', 'dist/model-host.js', 'dist/engine-worker.js']) {
    if (!existsSync(join(extensionDir, f))) throw new Error(`the .vsix lacks ${f}`);
  }
  const externals = bundleExternals(join(extensionDir, 'dist'));
  const probe = `const r = require('node:module').createRequire(${JSON.stringify(join(extensionDir, 'dist', 'model-host.js'))});` +
    `for (const m of ${JSON.stringify(externals)}) { r(m); console.log('  loads ' + m); }`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`the unpacked .vsix cannot load what its bundles require:\n${r.stderr}`);
  const version = spawnSync(process.execPath, [join(extensionDir, 'dist', 'model-host.js'), '--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`the packaged model host does not run: ${version.stderr}`);
  console.log(`  packaged model host --version: ${version.stdout.trim()}`);
  // End to end through the packaged natives and models: OCR of a code screenshot (onnxruntime-node,
  // sharp, the PP-OCRv4 files), run from a folder outside the repository so nothing else is found.
  const env = { ...process.env };
  delete env.VISUAL_CODER_OCR_MODELS;
  const ocr = spawnSync(process.execPath, [join(extensionDir, 'dist', 'model-host.js'), 'tasks', 'run', '--task', 'transcribe-code',
    '--image', join(repoRoot, 'samples', 'code-screenshot.png')], { encoding: 'utf8', cwd: extensionDir, env, timeout: 120_000 });
  if (ocr.status !== 0 || !ocr.stdout.includes('def fizzbuzz(n: int)')) {
    throw new Error(`the packaged model host could not transcribe samples/code-screenshot.png:\n${ocr.stdout}\n${ocr.stderr}`);
  }
  console.log('  packaged OCR transcribes samples/code-screenshot.png');
}

try {
  const ignoreFile = writeIgnoreFile();
  // No public repository URL yet: without one vsce cannot turn the README's relative links (docs/...)
  // into absolute ones, so they are left as they are (the Marketplace page is not a target yet).
  run(process.execPath, [join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce'), 'package', '--target', target, '--out', out, '--ignoreFile', ignoreFile, '--allow-missing-repository', '--no-rewrite-relative-links']);
  const unpacked = mkdtempSync(join(tmpdir(), 'vc-vsix-'));
  try {
    await unzip(out, unpacked);
    console.log(`checking ${out}`);
    checkUnpacked(join(unpacked, 'extension'));
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
  console.log(`\n${out}: ${(statSync(out).size / 1024 / 1024).toFixed(1)} MB (${target})`);
} catch (err) {
  console.error(`\npackage failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
