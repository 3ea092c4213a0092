/**
 * What a fence tag may say for each output language (models write `js` for JSX, `py` for Python,
 * `vega-lite` for JSON…) and a cheap look at the content, used when the tag is missing or wrong.
 */

/** VS Code language id → fence tags that mean it. */
const TAG_ALIASES: Record<string, string[]> = {
  html: ['html', 'htm', 'xhtml', 'html5'],
  css: ['css'],
  javascriptreact: ['jsx', 'javascriptreact', 'react', 'js', 'javascript', 'tsx'],
  typescriptreact: ['tsx', 'typescriptreact', 'react', 'jsx'],
  javascript: ['javascript', 'js', 'mjs', 'node'],
  typescript: ['typescript', 'ts'],
  vue: ['vue', 'vue-sfc'],
  python: ['python', 'py', 'python3', 'py3'],
  json: ['json', 'jsonc', 'json5', 'vega', 'vega-lite', 'vegalite', 'vl'],
  mermaid: ['mermaid', 'mmd'],
  latex: ['latex', 'tex', 'math', 'katex'],
  markdown: ['markdown', 'md', 'gfm'],
  plaintext: ['text', 'txt', 'plaintext', ''],
};

export function tagMatches(tag: string, language: string): boolean {
  return (TAG_ALIASES[language] ?? [language]).includes(tag.toLowerCase());
}

/** Does this text look like code in `language`? Deliberately loose: it only ranks candidates. */
export function looksLike(code: string, language: string): boolean {
  const text = code.trim();
  if (!text) return false;
  switch (language) {
    case 'html':
      return /<(!doctype|html|head|body|div|section|header|main|nav|span|p|button|form|h[1-6]|ul|table)\b/i.test(text);
    case 'vue':
      return /<template[\s>]/i.test(text);
    case 'javascriptreact':
    case 'typescriptreact':
      return /(from\s+['"]react['"]|export\s+default|className=|return\s*\(\s*<|=>\s*\(?\s*<)/.test(text);
    case 'javascript':
    case 'typescript':
      return /(^|\n)\s*(function\s+\w+|const\s+\w+|let\s+\w+|export\s+|import\s+|interface\s+\w+|class\s+\w+|if\s*\(|while\s*\(|for\s*\(|console\.)/.test(text);
    case 'python':
      return /(^|\n)\s*(import\s+\w+|from\s+[\w.]+\s+import|def\s+\w+\s*\(|class\s+\w+|print\(|plt\.|fig\s*=|if\s+.+:\s*$|for\s+\w+\s+in\s+)/m.test(text);
    case 'json':
      return /^[[{]/.test(text) && /"\s*:/.test(text);
    case 'mermaid':
      return /^(graph|flowchart|sequenceDiagram|stateDiagram(-v2)?|classDiagram|erDiagram|gantt|pie)\b/m.test(text);
    case 'latex':
      return /\\[a-zA-Z]+|[\^_]\{|\\\(|\$/.test(text);
    case 'css':
      return /[.#]?[\w-]+\s*\{[^}]*:[^}]*\}?/.test(text) && !/<\w/.test(text);
    case 'markdown':
      return /^\s*\|.*\|/m.test(text) || /^#{1,6}\s/m.test(text);
    default:
      return true;
  }
}

/** The fence tag to write for a language (`javascriptreact` → `jsx`). */
export function fenceTag(language: string): string {
  const map: Record<string, string> = { javascriptreact: 'jsx', typescriptreact: 'tsx', plaintext: 'text' };
  return map[language] ?? language;
}

/** Guesses the language of an untagged block, for repairing fences in Markdown answers. */
export function guessLanguage(code: string): string | undefined {
  for (const language of ['vue', 'javascriptreact', 'html', 'python', 'json', 'mermaid', 'javascript']) {
    if (looksLike(code, language)) return language;
  }
  return undefined;
}
