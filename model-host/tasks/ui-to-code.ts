/** `ui-to-code`: a screenshot of a web page or component → code in the chosen stack. */
import type { TaskDefinition, TaskPrompt } from './task-definition';
import { extractCode } from '../protocol/code-blocks';
import { findFencedBlocks } from '../protocol/fences';
import { tagMatches } from '../protocol/languages';

const STACKS: Record<string, { title: string; language: string; short: string; detailed: string }> = {
  'html-tailwind': {
    title: 'HTML + Tailwind CSS',
    language: 'html',
    short: 'Write the HTML code of this web page using Tailwind CSS classes.',
    detailed:
      'Write a single complete HTML document that reproduces this screenshot. Style it only with Tailwind CSS utility classes (assume Tailwind is already loaded; do not add a <script> or <link> for it). Use the exact text from the screenshot, matching colours, spacing and layout.',
  },
  'html-css': {
    title: 'HTML + CSS',
    language: 'html',
    short: 'Write the HTML and CSS code of this web page.',
    detailed:
      'Write a single complete HTML document that reproduces this screenshot, with all CSS in one <style> element in the <head>. No external files, fonts or scripts. Use the exact text from the screenshot, matching colours, spacing and layout.',
  },
  'react-tailwind': {
    title: 'React + Tailwind CSS (one component)',
    language: 'javascriptreact',
    short: 'Write this web page as one React component using Tailwind CSS classes.',
    detailed:
      'Write one self-contained React function component (JSX) that reproduces this screenshot, styled only with Tailwind CSS classes. Export it as the default export. No imports other than React, no props required, no external files. Use the exact text from the screenshot.',
  },
  'vue-sfc': {
    title: 'Vue single-file component',
    language: 'vue',
    short: 'Write this web page as a Vue single-file component.',
    detailed:
      'Write one Vue 3 single-file component (<template>, <script setup>, <style scoped>) that reproduces this screenshot. No external files. Use the exact text from the screenshot, matching colours, spacing and layout.',
  },
  bootstrap: {
    title: 'HTML + Bootstrap 5',
    language: 'html',
    short: 'Write the HTML code of this web page using Bootstrap 5 classes.',
    detailed:
      "Write a single complete HTML document that reproduces this screenshot using Bootstrap 5 classes and components (assume Bootstrap's CSS is already loaded; do not add a <link> for it). Use the exact text from the screenshot.",
  },
};

export const UI_SYSTEM_PROMPT =
  'You are an expert front-end developer. You turn screenshots into clean, working code. Answer with the code in one fenced code block and nothing else.';

/**
 * For HTML + CSS some models answer with an HTML block and a separate CSS block; the editor and
 * the preview need one document, so the CSS goes into a <style> element.
 */
function mergeSeparateCss(raw: string, html: string): string {
  if (/<style[\s>]/i.test(html)) return html;
  const css = findFencedBlocks(raw)
    .find((b) => tagMatches(b.tag, 'css'))
    ?.code.trim();
  if (!css) return html;
  const style = `<style>\n${css}\n</style>\n`;
  if (/<\/head>/i.test(html)) return html.replace(/<\/head>/i, `${style}</head>`);
  return `${style}${html}`;
}

export const uiToCode: TaskDefinition = {
  id: 'ui-to-code',
  title: 'Screenshot to Code',
  language: 'html',
  engines: ['vlm', 'remote'],
  option: {
    name: 'stack',
    title: 'Stack',
    default: 'html-tailwind',
    choices: Object.entries(STACKS).map(([id, s]) => ({ id, title: s.title, language: s.language })),
  },
  prompt(choice): TaskPrompt {
    const stack = STACKS[choice] ?? STACKS['html-tailwind'];
    return { short: stack.short, detailed: stack.detailed, system: UI_SYSTEM_PROMPT };
  },
  postprocess(raw, language) {
    const code = extractCode(raw, language);
    return language === 'html' ? mergeSeparateCss(raw, code) : code;
  },
};
