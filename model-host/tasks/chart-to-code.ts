/** `chart-to-code`: a chart image → code that draws it (matplotlib, plotly, Vega-Lite). */
import type { TaskDefinition } from './task-definition';
import { extractCode } from '../protocol/code-blocks';

const LIBRARIES: Record<string, { title: string; language: string; short: string; detailed: string }> = {
  matplotlib: {
    title: 'Python · matplotlib',
    language: 'python',
    short: 'Write the Python code with matplotlib that draws this chart.',
    detailed:
      'Write a complete Python script using matplotlib (and numpy if needed) that reproduces this chart: the same chart type, data values read from the image, axis labels, title, legend and colours. End with plt.show().',
  },
  plotly: {
    title: 'Python · Plotly',
    language: 'python',
    short: 'Write the Python code with plotly that draws this chart.',
    detailed:
      'Write a complete Python script using plotly (plotly.graph_objects or plotly.express) that reproduces this chart: the same chart type, data values read from the image, axis labels, title, legend and colours. End with fig.show().',
  },
  'vega-lite': {
    title: 'Vega-Lite (JSON)',
    language: 'json',
    short: 'Write the Vega-Lite JSON specification of this chart.',
    detailed:
      'Write a Vega-Lite v5 JSON specification that reproduces this chart, with the data values read from the image inlined under "data": {"values": [...]}. Answer with valid JSON only (no comments).',
  },
};

const SYSTEM =
  'You are a data visualisation expert. You read charts precisely and write the code that draws them. Answer with the code in one fenced code block.';

/** Vega-Lite must be JSON: tidy it when it parses, leave it as written when it does not (cut off). */
function tidyJson(code: string): string {
  try {
    return JSON.stringify(JSON.parse(code), null, 2) + '\n';
  } catch {
    return code;
  }
}

export const chartToCode: TaskDefinition = {
  id: 'chart-to-code',
  title: 'Chart to Code',
  language: 'python',
  engines: ['vlm', 'remote'],
  option: {
    name: 'library',
    title: 'Library',
    default: 'matplotlib',
    choices: Object.entries(LIBRARIES).map(([id, l]) => ({ id, title: l.title, language: l.language })),
  },
  prompt(choice) {
    const lib = LIBRARIES[choice] ?? LIBRARIES.matplotlib;
    return { short: lib.short, detailed: lib.detailed, system: SYSTEM };
  },
  postprocess(raw, language) {
    const code = extractCode(raw, language);
    return language === 'json' ? tidyJson(code) : code;
  },
};
