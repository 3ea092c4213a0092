/** Every `model-host` subcommand, in the order `--help` lists them. */
import type { CliCommand } from './command';
import { serveCommand } from './serve';
import { tasksCommand } from './tasks';

export const cliCommands: CliCommand[] = [serveCommand, tasksCommand];
