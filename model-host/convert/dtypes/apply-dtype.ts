/**
 * Rewrites some fp32 graphs of a converted folder, in place, keeping the file names
 * (`onnx/vision_encoder.onnx`, `embed_tokens.onnx`, `decoder_model_merged.onnx`) so the runtime
 * loads a folder the same way whatever its dtype (`config.json` → `visual_coder.dtype` says which it
 * is); every graph's inputs and outputs stay float32.
 *
 * - `fp16`: computed in fp16 (see fp16-pass.ts).
 * - `q4`: MatMul weights as 4-bit MatMulNBits (float activations).
 * - `q8`: MatMul weights as 8-bit MatMulNBits with int8 activations on CPU (accuracy_level 4).
 * - `int8`: MatMul weights as int8 DynamicQuantizeMatMul (per-column scales, activations quantized
 *   per call): the vision towers of a CPU folder, hundreds of rows per MatMul, where that GEMM is
 *   the fastest the CPU has.
 *
 * The rewritten graphs go to a sibling folder that replaces `onnx/` only when all of them are done;
 * graphs without an action move over unchanged.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { convertGraphToFp16 } from './fp16-pass';
import { quantizeGraphWeights } from './q4-pass';

export type GraphAction = 'fp16' | 'q4' | 'q8' | 'int8';

export interface DtypeReport {
  graph: string;
  action: GraphAction | 'kept';
  bytesIn: number;
  bytesOut: number;
  quantizedMatMuls?: number;
}

/** Applies `actions[graph]` to each graph of `onnxDir` (graph = file name without `.onnx`). */
export function applyGraphActions(onnxDir: string, actions: Partial<Record<string, GraphAction>>, log: (m: string) => void = () => undefined): DtypeReport[] {
  if (Object.keys(actions).length === 0) return [];
  const graphs = readdirSync(onnxDir)
    .filter((f) => f.endsWith('.onnx'))
    .sort();
  if (graphs.length === 0) throw new Error(`no .onnx graphs in ${onnxDir} to rewrite`);
  const out = join(dirname(onnxDir), `.${basename(onnxDir)}-dtype-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const reports: DtypeReport[] = [];
  try {
    for (const file of graphs) {
      const name = file.replace(/\.onnx$/, '');
      const src = join(onnxDir, file);
      const dst = join(out, file);
      const action = actions[name];
      if (action === 'fp16') {
        log(`fp16: ${file}`);
        const r = convertGraphToFp16(src, dst);
        reports.push({ graph: name, action, bytesIn: r.bytesIn, bytesOut: r.bytesOut });
      } else if (action === 'q4' || action === 'q8' || action === 'int8') {
        log(`${action}: ${file}`);
        const options =
          action === 'int8' ? { kind: 'dynamic-int8' as const } : action === 'q8' ? { bits: 8 as const, accuracyLevel: 4 as const } : { bits: 4 as const };
        const r = quantizeGraphWeights(src, dst, options);
        reports.push({ graph: name, action, bytesIn: r.bytesIn, bytesOut: r.bytesOut, quantizedMatMuls: r.quantized });
      } else {
        // Unchanged graphs move over as they are (their data file keeps its name, so the proto stays valid).
        renameSync(src, dst);
        if (existsSync(`${src}_data`)) renameSync(`${src}_data`, `${dst}_data`);
        reports.push({ graph: name, action: 'kept', bytesIn: 0, bytesOut: 0 });
      }
    }
    rmSync(onnxDir, { recursive: true, force: true });
    renameSync(out, onnxDir);
  } catch (e) {
    rmSync(out, { recursive: true, force: true });
    throw e;
  }
  return reports;
}
