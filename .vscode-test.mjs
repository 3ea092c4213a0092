// @vscode/test-cli configuration for `npm run test:vscode`: downloads a desktop VS Code (stable),
// starts it with this repository as the extension under development and runs the in-host mocha
// suite test/vscode/suite/*.test.ts (compiled here first) inside its extension host.
// Machines that cannot reach update.code.visualstudio.com run the same suite inside code-server
// instead: test/e2e/in-host-suite.e2e.test.ts (part of `npm test`). See docs/testing.md.
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInHostSuite } from './test/vscode/build-suite.mjs';

const suiteDir = await buildInHostSuite();

// A throwaway workspace whose settings pin the device to the CPU, like the e2e tests.
const workspace = mkdtempSync(join(tmpdir(), 'vc-vscode-test-'));
mkdirSync(join(workspace, '.vscode'));
writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'visualCoder.device': 'cpu' }));

export default defineConfig({
  label: 'in-host',
  files: `${suiteDir}/**/*.test.js`,
  version: 'stable',
  // Offline alternative to the download: a VS Code executable already on this machine.
  ...(process.env.VISUAL_CODER_VSCODE_PATH ? { useInstallation: { fromPath: process.env.VISUAL_CODER_VSCODE_PATH } } : {}),
  workspaceFolder: workspace,
  extensionDevelopmentPath: import.meta.dirname,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60_000 },
});
