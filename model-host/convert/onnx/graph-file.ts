import { GraphBuilder } from './graph-builder';

/**
 * Builds one graph into `<base>.onnx` with its weights in `<base>.onnx_data`, streamed as they are
 * produced. A build that throws leaves neither file behind (the converter then discards its folder).
 */
export function writeGraphFile(base: string, name: string, build: (g: GraphBuilder) => void): void {
  const g = new GraphBuilder(name, `${base}.onnx_data`);
  try {
    build(g);
    g.save(`${base}.onnx`);
  } finally {
    g.abort();
  }
}
