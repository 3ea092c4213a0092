/** Every `model-host` subcommand, in the order `--help` lists them. */
import type { CliCommand } from './command';
import { benchCommand } from './bench';
import { convertCommand } from './convert';
import { runCommand } from './run';
import { serveCommand } from './serve';
import { tasksCommand } from './tasks';
import { modelsCommand } from './models';
import { devicesCommand } from './devices';
import { inputsCommand } from './inputs';
import { mcpCommand } from './mcp';

export const cliCommands: CliCommand[] = [
  serveCommand,
  devicesCommand,
  tasksCommand,
  convertCommand,
  inputsCommand,
  runCommand,
  modelsCommand,
  benchCommand,
  mcpCommand,
];
