/**
 * Puts an extension into a fresh code-server extensions folder the way VS Code lays out installed
 * extensions (`<publisher>.<name>-<version>/`), without packaging: package.json is copied, everything
 * else is symlinked, so a test always runs the current `dist/`.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  publisher: string;
  name: string;
  version: string;
}

/** Copied so the manifest VS Code reads is a snapshot; everything else is linked (dist, media, node_modules, ...). */
const COPIED = new Set(['package.json', 'package.nls.json']);

/** Installs the extension rooted at `extensionRoot` into `extensionsDir`; returns its id and folder. */
export function installExtension(extensionRoot: string, extensionsDir: string): { id: string; folder: string } {
  const manifestPath = join(extensionRoot, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  if (!manifest.publisher || !manifest.name || !manifest.version) {
    throw new Error(`${manifestPath} needs publisher, name and version to be installed as an extension`);
  }
  const folder = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(folder, { recursive: true });
  for (const entry of readdirSync(extensionRoot, { withFileTypes: true })) {
    // Dot folders (.git, .cache with code-server itself) are never part of an extension.
    if (entry.name.startsWith('.')) continue;
    const from = join(extensionRoot, entry.name);
    const to = join(folder, entry.name);
    if (COPIED.has(entry.name)) copyFileSync(from, to);
    else symlinkSync(from, to, entry.isDirectory() ? 'dir' : 'file');
  }
  return { id: `${manifest.publisher}.${manifest.name}`, folder };
}
