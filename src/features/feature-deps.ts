import type * as vscode from 'vscode';
import type { HostClient } from '../host/host-client';

/**
 * What `extension.ts` hands every feature module (`src/features/*.ts`, each exporting
 * `registerX(deps)`). Features use `deps.vs` instead of importing the `vscode` runtime so they can be
 * unit-tested in plain Node with a stub.
 */
export interface FeatureDeps {
  vs: typeof vscode;
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  host: HostClient;
}
