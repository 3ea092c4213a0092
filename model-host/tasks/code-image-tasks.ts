/** Tasks on screenshots of code: explain it, find the bug, transcribe it (OCR). */
import type { TaskDefinition } from './task-definition';
import { postprocessMarkdown } from './postprocess-markdown';

export const explainCodeImage: TaskDefinition = {
  id: 'explain-code-image',
  title: 'Explain Code Image',
  language: 'markdown',
  engines: ['vlm', 'remote'],
  prompt: () => ({
    // The DeepSeek-VL paper's wording (Figure 5).
    short: 'Explain the code, step by step.',
    detailed:
      'This image shows source code. Explain what it does, step by step, in Markdown: a one-sentence summary, then the steps as a numbered list, quoting identifiers in backticks.',
    system: 'You are a patient senior engineer who explains code clearly and precisely.',
  }),
  postprocess: (raw) => postprocessMarkdown(raw),
};

export const findBugInCodeImage: TaskDefinition = {
  id: 'find-bug-in-code-image',
  title: 'Find the Bug in Code Image',
  language: 'markdown',
  engines: ['vlm', 'remote'],
  prompt: () => ({
    // The DeepSeek-VL paper's wording (Figure 11), plus where the fix goes.
    short: 'Help me find the bug. Then write the corrected code in a code block.',
    detailed:
      'This image shows source code with a bug. In Markdown: say what the bug is and why it is wrong, then give the whole corrected code in one fenced code block with its language tag.',
    system: 'You are a meticulous code reviewer.',
  }),
  postprocess: (raw) => postprocessMarkdown(raw),
};

/**
 * Transcribe code runs on the OCR engine: the prompt is unused, the text is already code. On a
 * screenshot of a page (documentation, chat, blog) it takes the largest code block; `region=all`
 * takes every line of text instead.
 */
export const transcribeCode: TaskDefinition = {
  id: 'transcribe-code',
  title: 'Copy Code from Image',
  language: 'plaintext',
  engines: ['ocr'],
  option: {
    name: 'region',
    title: 'What to copy',
    choices: [
      { id: 'code', title: 'The code (the largest code block of a page)', language: 'plaintext' },
      { id: 'all', title: 'All the text in the image', language: 'plaintext' },
    ],
    default: 'code',
  },
  prompt: () => ({
    short: 'Transcribe the code in the image exactly, keeping its indentation.',
    detailed: 'Transcribe the code in the image exactly, keeping its indentation. Answer with the code only.',
    system: 'You transcribe code from images exactly.',
  }),
  postprocess: (raw) => raw.replace(/[ \t]+$/gm, '').replace(/^\n+|\n+$/g, '') + (raw.trim() ? '\n' : ''),
};
