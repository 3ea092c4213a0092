// Installs an extension folder into a VS Code / code-server extensions folder the way VS Code lays
// out installed extensions (`<publisher>.<name>-<version>/`), without packaging. Used by the e2e
// harness and by `npm start` (code-server route).
//
// Files are COPIED, not linked: the extension host gives `require('vscode')` its per-extension API
// only when the requiring file's real path lies inside the extension's folder; a symlinked
// dist/extension.js would resolve to the repository and get an anonymous API instead
// ("nullExtensionDescription"). Only node_modules is linked (native modules never import vscode).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** What a packaged Visual Coder contains (see .vscodeignore), besides node_modules. */
const PRODUCT_ENTRIES = ['package.json', 'package.nls.json', 'l10n', 'dist', 'media', 'README.md', 'LICENSE'];

/**
 * Installs the extension rooted at `extensionRoot` into `extensionsDir`, replacing an older copy;
 * returns `{ id, folder }`. A root with a `dist/` folder is treated like the product (only the
 * shipped entries are copied); any other folder (a test fixture extension) is copied whole.
 */
export function installExtension(extensionRoot, extensionsDir) {
  const manifestPath = join(extensionRoot, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (!manifest.publisher || !manifest.name || !manifest.version) {
    throw new Error(`${manifestPath} needs publisher, name and version to be installed as an extension`);
  }
  const folder = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const isProduct = existsSync(join(extensionRoot, 'dist'));
  const entries = isProduct ? PRODUCT_ENTRIES : readdirSync(extensionRoot).filter((n) => !n.startsWith('.') && n !== 'node_modules');
  for (const name of entries) {
    if (existsSync(join(extensionRoot, name))) cpSync(join(extensionRoot, name), join(folder, name), { recursive: true });
  }
  if (existsSync(join(extensionRoot, 'node_modules'))) symlinkSync(join(extensionRoot, 'node_modules'), join(folder, 'node_modules'), 'dir');
  return { id: `${manifest.publisher}.${manifest.name}`, folder };
}
