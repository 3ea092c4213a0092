/**
 * Offers `model-host mcp` to VS Code's agent chats through the MCP server definition API, so an
 * agent can turn a screenshot into code with the local model. package.json contributes the provider
 * under both names the contribution point has had (`modelContextServerCollections` in VS Code 1.100,
 * `mcpServerDefinitionProviders` from 1.101); a VS Code without the API, or one that refuses the
 * definition, gets nothing registered and a line in the log.
 */
import type * as vscode from 'vscode';
import { SETTING, type Settings } from '../settings/settings';

export const MCP_PROVIDER_ID = 'visualCoder.mcp';

/** The command line of the MCP server for the current settings: the same models folder, model and device as the panel. */
export interface McpServerLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export function mcpServerLaunch(settings: Pick<Settings, 'device' | 'modelsDir' | 'model'>, hostScript: string, defaultModelsDir: string): McpServerLaunch {
  const args = [hostScript, 'mcp', '--store', settings.modelsDir ?? defaultModelsDir, '--device', settings.device];
  if (settings.model) args.push('--model', settings.model);
  // process.execPath is Electron inside VS Code; this makes it run the script as Node.
  return { command: process.execPath, args, env: { ELECTRON_RUN_AS_NODE: '1' } };
}

/** The part of the MCP API this uses; absent from the 1.100 typings the project builds against. */
interface McpApi {
  lm?: {
    registerMcpServerDefinitionProvider?(
      id: string,
      provider: { onDidChangeMcpServerDefinitions?: vscode.Event<void>; provideMcpServerDefinitions(): unknown[] },
    ): vscode.Disposable;
  };
  McpStdioServerDefinition?: new (label: string, command: string, args: string[], env: Record<string, string>, version?: string) => unknown;
}

export interface McpRegistrationDeps {
  vs: typeof vscode;
  settings: Settings;
  hostScript: string;
  defaultModelsDir: string;
  version: string;
  log: Pick<vscode.LogOutputChannel, 'info'>;
}

export function registerMcpServerDefinition(deps: McpRegistrationDeps): vscode.Disposable[] {
  const api = deps.vs as unknown as McpApi;
  const register = api.lm?.registerMcpServerDefinitionProvider;
  const Definition = api.McpStdioServerDefinition;
  if (!register || !Definition) {
    deps.log.info('this VS Code has no MCP server API: model-host mcp is not offered to agent chats here (see docs/mcp.md to add it by hand)');
    return [];
  }
  const changed = new deps.vs.EventEmitter<void>();
  const provider = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions() {
      const launch = mcpServerLaunch(deps.settings, deps.hostScript, deps.defaultModelsDir);
      return [new Definition('Visual Coder', launch.command, launch.args, launch.env, deps.version)];
    },
  };
  let registration: vscode.Disposable;
  try {
    registration = register.call(api.lm, MCP_PROVIDER_ID, provider);
  } catch (err) {
    // An API that changed shape between releases must cost the agent integration, never the activation.
    deps.log.info(`model-host mcp is not offered to agent chats: VS Code refused the MCP server definition (${(err as Error).message})`);
    changed.dispose();
    return [];
  }
  deps.log.info(`model-host mcp is offered to agent chats as "Visual Coder" (${MCP_PROVIDER_ID})`);
  return [changed, registration, deps.settings.onDidChange([SETTING.device, SETTING.modelsDir, SETTING.model], () => changed.fire())];
}
