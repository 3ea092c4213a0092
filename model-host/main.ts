/**
 * The model host: a separate Node program that owns models, devices, downloads and inference.
 * The extension spawns `model-host serve`; everything else is a CLI for scripting and benchmarks.
 */
import { cliCommands } from './cli/index';
import { UsageError } from './cli/command';
import { nearestName } from './cli/nearest-name';
import { HOST_VERSION } from './version';

function help(): string {
  const width = Math.max(...cliCommands.map((c) => c.name.length));
  return [
    `model-host ${HOST_VERSION}: the Visual Coder model host`,
    '',
    'Usage: model-host <command> [options]',
    '',
    'Commands:',
    ...cliCommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --version  print the version',
    '  --help     print this help; `model-host <command> --help` for a command',
  ].join('\n');
}

/** An option before any command (`model-host --devcie cpu`): name the nearest flag some command takes. */
function leadingOptionMessage(option: string): string {
  const name = option.replace(/^-+/, '').split('=')[0];
  const documented = new Set(cliCommands.flatMap((c) => [...c.usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1])));
  const near = nearestName(name, [...documented]);
  const takers = near ? cliCommands.filter((c) => c.usage.includes(`--${near}`)).map((c) => c.name) : [];
  return near
    ? `unknown option ${option.split('=')[0]}; did you mean --${near}? It goes after a command (${takers.join(', ')}), e.g. model-host ${takers[0]} --${near} …`
    : `unknown option ${option.split('=')[0]}; options go after a command, e.g. model-host run --help`;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(help() + '\n');
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(HOST_VERSION + '\n');
    return 0;
  }
  if (first.startsWith('-')) {
    process.stderr.write(`error: ${leadingOptionMessage(first)}\n\n${help()}\n`);
    return 2;
  }
  const command = cliCommands.find((c) => c.name === first);
  if (!command) {
    process.stderr.write(`unknown command: ${first}\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    if (process.env.VISUAL_CODER_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`fatal: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
