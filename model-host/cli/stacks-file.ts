/**
 * `--stacks FILE`: the user's own stacks for the command line, a JSON list in the form of the
 * `visualCoder.customStacks` setting. On the command line a bad entry is an error, not a skip:
 * a script should not quietly run another stack.
 */
import { readFileSync } from 'node:fs';
import { readCustomStacks, type CustomStack } from '../protocol';
import { UsageError } from './command';

export function readStacksFile(file: string | undefined): CustomStack[] | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--stacks ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `--stacks ${file} is not JSON (${(err as Error).message}); write a list like [{"name": "Svelte 5", "language": "svelte", "instructions": "…"}]`,
    );
  }
  const { stacks, problems } = readCustomStacks(raw);
  if (problems.length) throw new UsageError(`--stacks ${file}: ${problems.join('; ')}`);
  return stacks;
}
