import { parseArgs as parseArgv } from 'node:util';
import { nearestName } from './nearest-name';

/** A subcommand of `model-host`. Each lives in its own module and is listed in `cli/index.ts`. */
export interface CliCommand {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Full usage text for `model-host NAME --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** The flags a command accepts: anything else is a usage error, so a misspelt flag never runs with defaults. */
export interface ArgSpec {
  /** `--name VALUE` or `--name=VALUE`; repeatable, every value kept. */
  values?: readonly string[];
  /** `--name` alone. */
  switches?: readonly string[];
}

/** Parsed arguments; a switch reads as the value `'true'`, repeated flags accumulate in order. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

/**
 * Strict parsing on Node's own `util.parseArgs`; its errors become UsageErrors that say what to type,
 * and an unknown flag names the nearest one the command has (`--devcie` → `--device`).
 */
export function parseArgs(argv: string[], spec: ArgSpec = {}): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple: true }> = {};
  for (const name of spec.values ?? []) options[name] = { type: 'string', multiple: true };
  for (const name of spec.switches ?? []) options[name] = { type: 'boolean', multiple: true };
  let parsed: ReturnType<typeof parseArgv>;
  try {
    parsed = parseArgv({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageErrorFor(err as NodeJS.ErrnoException, argv, Object.keys(options));
  }
  const flags = new Map<string, string[]>();
  for (const [name, value] of Object.entries(parsed.values)) {
    const list = (Array.isArray(value) ? value : [value]) as (string | boolean)[];
    flags.set(name, list.map(String));
  }
  return { positional: parsed.positionals, flags };
}

function usageErrorFor(err: NodeJS.ErrnoException, argv: string[], known: string[]): Error {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const unknown = firstUnknownOption(argv, known);
    if (unknown) {
      const near = nearestName(unknown.replace(/^-+/, ''), known);
      const hint = near
        ? `; did you mean --${near}?`
        : known.length
          ? `; this command takes ${known.map((k) => `--${k}`).join(', ')}`
          : '; this command takes no options';
      return new UsageError(`unknown option ${unknown}${hint}`);
    }
  }
  if (err.code?.startsWith('ERR_PARSE_ARGS_')) return new UsageError(err.message);
  return err;
}

/** The first argument that looks like an option and is not one of `known` (before a `--`). */
function firstUnknownOption(argv: string[], known: string[]): string | undefined {
  for (const arg of argv) {
    if (arg === '--') return undefined;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^-+/, '').split('=')[0];
    if (!known.includes(name)) return arg.split('=')[0];
  }
  return undefined;
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  return values?.[values.length - 1];
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}
