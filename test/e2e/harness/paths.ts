/** Where the repository, the shared material and the built extension are, for the e2e harness. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');

/** Read-only shared material; CI clones the repository with `shared/` beside it. */
export const sharedRoot = resolve(repoRoot, '..', 'shared');

/** Our extension's id as VS Code sees it (`publisher.name`). */
export const EXTENSION_ID = 'visual-coder.visual-coder';

/** Throws a clear message when the bundles are missing (the e2e tier runs the build first). */
export function assertBuilt(extensionRoot = repoRoot): void {
  const bundle = join(extensionRoot, 'dist', 'extension.js');
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run \`node scripts/build.mjs\` (npm run build) before the e2e tests.`);
  }
}
