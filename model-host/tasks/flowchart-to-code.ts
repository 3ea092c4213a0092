/** `flowchart-to-code`: a flowchart → a program (Python, TypeScript) or the diagram as Mermaid. */
import type { TaskDefinition } from './task-definition';
import { extractCode } from '../protocol/code-blocks';

const TARGETS: Record<string, { title: string; language: string; short: string; detailed: string }> = {
  python: {
    title: 'Python',
    language: 'python',
    // The DeepSeek-VL paper's own wording (Figure 1).
    short: 'Can you translate the flowchart to a python code?',
    detailed:
      'Translate this flowchart into a Python program that follows the same steps, decisions and loops. Use clear function and variable names taken from the labels in the chart.',
  },
  typescript: {
    title: 'TypeScript',
    language: 'typescript',
    short: 'Can you translate the flowchart to a TypeScript code?',
    detailed:
      'Translate this flowchart into a TypeScript program that follows the same steps, decisions and loops. Use clear function and variable names taken from the labels in the chart, with type annotations.',
  },
  mermaid: {
    title: 'Mermaid diagram',
    language: 'mermaid',
    short: 'Write this flowchart as a Mermaid diagram.',
    detailed:
      'Write this flowchart as a Mermaid `flowchart TD` diagram with the same nodes (same labels and shapes: rectangles for steps, diamonds for decisions) and the same labelled edges.',
  },
};

const SYSTEM = 'You are a senior software engineer. You turn diagrams into correct, readable code. Answer with the code in one fenced code block.';

/** Mermaid must start with its diagram keyword; a model sometimes writes `mermaid` as the first line instead of a tag. */
function tidyMermaid(code: string): string {
  return code.replace(/^mermaid\s*\n/, '');
}

export const flowchartToCode: TaskDefinition = {
  id: 'flowchart-to-code',
  title: 'Flowchart to Code',
  language: 'python',
  engines: ['vlm', 'remote'],
  option: {
    name: 'target',
    title: 'Target',
    default: 'python',
    choices: Object.entries(TARGETS).map(([id, t]) => ({ id, title: t.title, language: t.language })),
  },
  prompt(choice) {
    const target = TARGETS[choice] ?? TARGETS.python;
    return { short: target.short, detailed: target.detailed, system: SYSTEM };
  },
  postprocess(raw, language) {
    const code = extractCode(raw, language);
    return language === 'mermaid' ? tidyMermaid(code) : code;
  },
};
