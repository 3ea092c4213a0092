/**
 * Finds image references in Markdown text: `![alt](path "title")`, `![alt](<path with spaces>)`
 * and HTML `<img src="…">`. Pure, so the CodeLens, the code action and their tests share it.
 * Remote (http, https) and data: images are left out: the model host reads local files.
 */

export interface ImageLink {
  /** Zero-based line of the reference. */
  line: number;
  /** Character range of the whole reference on that line. */
  start: number;
  end: number;
  /** The path as written (URL-decoded, no title). */
  target: string;
}

const MARKDOWN_IMAGE = /!\[[^\]]*\]\(\s*(<[^>]+>|[^)\s]+)(\s+["'(][^)]*["')])?\s*\)/g;
const HTML_IMAGE = /<img\b[^>]*?\bsrc\s*=\s*(["'])(.*?)\1[^>]*>/gi;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

function isLocal(target: string): boolean {
  return !/^(https?:|data:|mailto:|\/\/)/i.test(target);
}

function decode(target: string): string {
  const unwrapped = target.startsWith('<') && target.endsWith('>') ? target.slice(1, -1) : target;
  try {
    return decodeURI(unwrapped.split('#')[0]);
  } catch {
    return unwrapped;
  }
}

export function findImageLinks(text: string): ImageLink[] {
  const links: ImageLink[] = [];
  const lines = text.split(/\r?\n/);
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const f = FENCE.exec(line);
    if (f) {
      // Images in code blocks are code, not images.
      if (!fence) fence = f[1];
      else if (f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1]) fence = undefined;
      return;
    }
    if (fence) return;
    for (const re of [MARKDOWN_IMAGE, HTML_IMAGE]) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(line))) {
        const raw = re === MARKDOWN_IMAGE ? m[1] : m[2];
        if (!raw || !isLocal(raw)) continue;
        links.push({ line: index, start: m.index, end: m.index + m[0].length, target: decode(raw) });
      }
    }
  });
  return links.sort((a, b) => a.line - b.line || a.start - b.start);
}

/** Text for a fenced block inserted at the end of the image line: a blank line, then the block (the line break after it is the document's own). */
export function fencedBlock(code: string, tag: string): string {
  const body = code.endsWith('\n') ? code : `${code}\n`;
  // A fence longer than any backtick run inside the code, so the block cannot end early.
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `\n\n${fence}${tag}\n${body}${fence}`;
}
