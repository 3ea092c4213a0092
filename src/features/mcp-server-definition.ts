/**
 * Offers `model-host mcp` to VS Code's agent chats through the MCP server definition API (VS Code
 * 1.101 and later), so an agent can turn a screenshot into code with the local model. Older hosts
 * (code-server 4.100 is VS Code 1.100) have no such API: there this registers nothing.
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

/** The part of the proposed-then-final MCP API this uses; absent from the 1.100 typings the project builds against. */
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
  return [
    changed,
    register.call(api.lm, MCP_PROVIDER_ID, provider),
    deps.settings.onDidChange([SETTING.device, SETTING.modelsDir, SETTING.model], () => changed.fire()),
  ];
}
