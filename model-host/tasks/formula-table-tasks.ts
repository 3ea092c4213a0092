/** Tasks that read structured content: a formula → LaTeX, a table → Markdown. */
import type { TaskDefinition } from './task-definition';
import { postprocessLatex, postprocessTable } from './postprocess-markdown';

export const formulaToLatex: TaskDefinition = {
  id: 'formula-to-latex',
  title: 'Formula to LaTeX',
  language: 'latex',
  engines: ['vlm', 'remote'],
  prompt: () => ({
    // The DeepSeek-VL paper's wording (Figure 1).
    short: 'Please generate the latex code of the formula in the image.',
    detailed:
      'Write the LaTeX code of the formula in the image, exactly as shown (same symbols, sub- and superscripts). Answer with the LaTeX only, without $ delimiters.',
    system: 'You are an expert in mathematical typesetting.',
  }),
  postprocess: (raw) => postprocessLatex(raw),
};

export const tableToMarkdown: TaskDefinition = {
  id: 'table-to-markdown',
  title: 'Table to Markdown',
  language: 'markdown',
  engines: ['vlm', 'remote'],
  prompt: () => ({
    // The DeepSeek-VL paper's wording (Figure 13).
    short: 'Convert it to markdown table.',
    detailed: 'Convert the table in the image to a Markdown table with the same header, rows and cell text. Answer with the table only.',
    system: 'You transcribe tables precisely.',
  }),
  postprocess: (raw) => postprocessTable(raw),
};
