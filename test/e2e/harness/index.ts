/** The e2e harness: a real VS Code extension host (code-server) driven by Playwright. See ../README.md. */
export { VsCodeSession, withVsCode, type LaunchOptions } from './session';
export { Workbench, type NotificationHandle } from './workbench';
export { waitUntil, WaitTimeoutError, type WaitOptions } from './wait';
export { EXTENSION_ID, repoRoot, sharedRoot } from './paths';
export { descendants, isAlive, killTree } from './process-tree';
