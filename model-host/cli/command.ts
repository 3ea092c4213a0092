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

/** Minimal `--flag value` / `--flag=value` / `--switch` parser; repeated flags accumulate. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: string[], switches: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      add(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (switches.includes(arg.slice(2))) {
      add(arg.slice(2), 'true');
    } else {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      add(arg.slice(2), value);
      i++;
    }
  }
  return { positional, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  return values?.[values.length - 1];
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}
