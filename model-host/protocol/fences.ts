/**
 * Finds the fenced code blocks in a model's Markdown-ish answer. Models are sloppy: fences with
 * no language or the wrong one, an opening fence at the end of a prose line ("Here it is: ```html"),
 * a closing fence glued to the last code line ("</html>```"), and, when generation stops at the
 * token limit or is cancelled, no closing fence at all. All of those are accepted here; the block
 * records whether it was closed so callers can repair the fence.
 */

export interface FencedBlock {
  /** Language tag as written, lower-cased; '' when none. */
  tag: string;
  /** The code between the fences, without the fence lines. */
  code: string;
  /** False when the text ended before the closing fence (cut off). */
  closed: boolean;
  /** Line index of the opening fence and of the line after the block, in the answer. */
  startLine: number;
  endLine: number;
}

const OPEN_AT_START = /^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
/** "Here is the page: ```html" — fence with a tag at the end of a prose line. */
const OPEN_AT_END = /^(.*\S)\s*(`{3,})([\w+#.-]*)\s*$/;

function closes(line: string, fence: string): boolean {
  const t = line.trim();
  return t.length >= fence.length && t[0] === fence[0] && /^(`{3,}|~{3,})$/.test(t);
}

export function findFencedBlocks(text: string): FencedBlock[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let fence: string | undefined;
    let tag = '';
    const start = OPEN_AT_START.exec(line);
    if (start) {
      fence = start[1];
      tag = start[2];
    } else {
      const end = OPEN_AT_END.exec(line);
      if (end && !end[1].includes('`')) {
        fence = end[2];
        tag = end[3];
      }
    }
    if (!fence) {
      i++;
      continue;
    }
    const body: string[] = [];
    let closed = false;
    let j = i + 1;
    for (; j < lines.length; j++) {
      if (closes(lines[j], fence)) {
        closed = true;
        break;
      }
      // Closing fence glued to the end of the last code line.
      const glued = lines[j].match(/^(.*\S)(`{3,})\s*$/);
      if (glued && fence[0] === '`' && glued[2].length >= fence.length && !glued[1].endsWith('`')) {
        body.push(glued[1]);
        closed = true;
        break;
      }
      body.push(lines[j]);
    }
    blocks.push({ tag: tag.toLowerCase().replace(/^\{\.?|\}$/g, ''), code: body.join('\n'), closed, startLine: i, endLine: closed ? j + 1 : j });
    i = closed ? j + 1 : j;
  }
  return blocks;
}

/** The text outside every fenced block (the model's prose), trimmed. */
export function proseOutsideBlocks(text: string, blocks: FencedBlock[]): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const keep = lines.filter((_, index) => !blocks.some((b) => index >= b.startLine && index < b.endLine));
  return keep.join('\n').trim();
}

/**
 * Closes every unclosed fence in a Markdown answer so it renders (a cut-off answer otherwise turns
 * the rest of the document into code). Also unwraps an answer the model put entirely inside one
 * ```markdown fence.
 */
export function repairMarkdown(text: string): string {
  let normalized = text.replace(/\r\n?/g, '\n').trim();
  // The whole answer inside ```markdown … ```, often with inner fences of the same length, which
  // fence parsing cannot pair up: unwrap by the first and last lines.
  const wrapped = /^(`{3,}|~{3,})\s*(markdown|md)\s*\n([\s\S]*)\n\1\s*$/i.exec(normalized);
  if (wrapped) normalized = wrapped[3].trim();
  const blocks = findFencedBlocks(normalized);
  if (blocks.length === 1 && (blocks[0].tag === 'markdown' || blocks[0].tag === 'md')) {
    const only = blocks[0];
    const lines = normalized.split('\n');
    const outside = lines
      .filter((_, index) => index < only.startLine || index >= only.endLine)
      .join('')
      .trim();
    if (outside.length < 80) normalized = only.code.trim();
  }
  const again = findFencedBlocks(normalized);
  const last = again[again.length - 1];
  if (last && !last.closed) {
    const fence = /(`{3,}|~{3,})/.exec(normalized.split('\n')[last.startLine])?.[1] ?? '```';
    normalized = `${normalized.replace(/\s+$/, '')}\n${fence}`;
  }
  return normalized;
}
