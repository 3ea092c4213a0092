/**
 * The user's stacks as they write them (the `visualCoder.customStacks` setting, `--stacks FILE`):
 * `{ name, language?, instructions, preview? }` entries read into the protocol's `CustomStack`s, with
 * a sentence for each entry that cannot be used, the same in the editor and on the command line.
 */
import { PREVIEW_RUNTIMES, type PreviewRuntime } from './constants';

/** A stack of the user's own for Screenshot to Code: what it is called, the language it writes, what the model is told. */
export interface CustomStack {
  /** Lower-case letters, digits and dashes; not a built-in stack's id. */
  id: string;
  title: string;
  /** VS Code language id of the code, e.g. `svelte`, `dart`, `html`. */
  language: string;
  /** What the model is told besides "reproduce this screenshot": framework, component library, conventions. */
  instructions: string;
  preview?: PreviewRuntime;
}

/** Ids a custom stack may have: short, lower-case, usable on a command line and in an MCP enum. */
export const CUSTOM_STACK_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;

/** A stack id from its name: `Svelte 5 + Tailwind` → `svelte-5-tailwind` (empty when the name has no letter or digit). */
export function stackIdFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off their letters: Ü → U
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

export interface CustomStackEntries {
  stacks: CustomStack[];
  /** One sentence per entry left out, naming it and what to fix. */
  problems: string[];
}

/** Reads the entries; a bad entry is left out with a problem, the others still count. */
export function readCustomStacks(raw: unknown): CustomStackEntries {
  const out: CustomStackEntries = { stacks: [], problems: [] };
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) return { ...out, problems: ['custom stacks must be a list of { "name", "instructions" } objects'] };
  const ids = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const at = `custom stack ${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return void out.problems.push(`${at} is not an object`);
    const e = entry as Record<string, unknown>;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    const instructions = typeof e.instructions === 'string' ? e.instructions.trim() : '';
    const id = stackIdFromName(name);
    if (!name || !id) return void out.problems.push(`${at} needs a "name" with letters or digits`);
    if (!instructions) return void out.problems.push(`"${name}" needs "instructions": what the model should write (framework, component library, conventions)`);
    if (ids.has(id)) return void out.problems.push(`"${name}" has the same id (${id}) as an earlier stack; rename one`);
    const language =
      e.language === undefined ? 'html' : typeof e.language === 'string' && /^[A-Za-z0-9][\w.+-]{0,39}$/.test(e.language) ? e.language : undefined;
    if (!language) return void out.problems.push(`"${name}" has a "language" that is not a VS Code language id (e.g. svelte, dart, html)`);
    if (e.preview !== undefined && !(PREVIEW_RUNTIMES as readonly unknown[]).includes(e.preview)) {
      return void out.problems.push(`"${name}" has "preview" ${JSON.stringify(e.preview)}; use one of ${PREVIEW_RUNTIMES.join(', ')}`);
    }
    ids.add(id);
    out.stacks.push({
      id,
      title: name.slice(0, 80),
      language,
      instructions: instructions.slice(0, 4000),
      ...(e.preview ? { preview: e.preview as PreviewRuntime } : {}),
    });
  });
  return out;
}
