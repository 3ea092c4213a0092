/**
 * Closing braces the OCR lost entirely. A line holding only `}` is a single small glyph; when
 * neither the detector nor the recogniser sees it, the layout still notices a line-sized vertical
 * gap and leaves an empty line there. If a `{` is still open whose line is indented at least as
 * far as the next line, the block ends here: the empty line gets the brace back, at the opener's
 * indentation. Pure function.
 */

const OPEN = '{';

function stripLiterals(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '').replace(/\/\/.*$/, '');
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)?.[0] ?? '';
const width = (ws: string) => ws.replace(/\t/g, '    ').length;

/** `inferred[i]` is true for empty lines the layout inserted from a vertical gap. */
export function restoreLostClosers(lines: readonly string[], inferred: readonly boolean[]): string[] {
  const out = [...lines];
  const stack: { indent: string }[] = [];
  for (let i = 0; i < out.length; i++) {
    if (inferred[i] && out[i].trim() === '' && stack.length > 0) {
      const next = out.slice(i + 1).find((l) => l.trim() !== '');
      const opener = stack[stack.length - 1];
      const nextIndent = next === undefined ? 0 : width(indentOf(next));
      // The next line is outside the block, or at its level but not the block's own `}`.
      if (next !== undefined && (nextIndent < width(opener.indent) || (nextIndent === width(opener.indent) && next.trim()[0] !== '}'))) {
        out[i] = `${opener.indent}}`;
      } else if (next === undefined) {
        out[i] = `${opener.indent}}`;
      }
    }
    for (const ch of stripLiterals(out[i])) {
      if (ch === OPEN) stack.push({ indent: indentOf(out[i]) });
      else if (ch === '}') stack.pop();
    }
  }
  return out;
}
