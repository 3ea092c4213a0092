/**
 * Turns the fp32 graphs of a converted folder into the requested dtype, in place, keeping the file names
 * (`onnx/vision_encoder.onnx`, `embed_tokens.onnx`, `decoder_model_merged.onnx`) so the runtime loads a
 * folder the same way whatever its dtype (`config.json` → `visual_coder.dtype` says which it is), and
 * every graph's inputs and outputs stay float32.
 *
 * - `fp16`: all three graphs computed in fp16 (see fp16-pass.ts).
 * - `q4`: the decoder's MatMul weights (attention, MLP, lm_head) as 4-bit MatMulNBits; the vision
 *   encoder and the embedding table stay fp32 (the former is small next to the decoder, the latter is
 *   a Gather, which MatMulNBits does not cover).
 *
 * The rewritten graphs go to a sibling folder that replaces `onnx/` only when all of them are done.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { convertGraphToFp16 } from './fp16-pass';
import { quantizeGraphQ4 } from './q4-pass';

export type GraphDtype = 'fp32' | 'fp16' | 'q4';

export interface DtypeReport {
  graph: string;
  action: 'fp16' | 'q4' | 'kept fp32';
  bytesIn: number;
  bytesOut: number;
  quantizedMatMuls?: number;
}

export function applyDtypeToOnnxFolder(onnxDir: string, dtype: GraphDtype, log: (m: string) => void = () => undefined): DtypeReport[] {
  if (dtype === 'fp32') return [];
  const graphs = readdirSync(onnxDir)
    .filter((f) => f.endsWith('.onnx'))
    .sort();
  if (graphs.length === 0) throw new Error(`no .onnx graphs in ${onnxDir} to turn into ${dtype}`);
  const out = join(dirname(onnxDir), `.${basename(onnxDir)}-${dtype}-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const reports: DtypeReport[] = [];
  try {
    for (const file of graphs) {
      const name = file.replace(/\.onnx$/, '');
      const src = join(onnxDir, file);
      const dst = join(out, file);
      if (dtype === 'fp16') {
        log(`fp16: ${file}`);
        const r = convertGraphToFp16(src, dst);
        reports.push({ graph: name, action: 'fp16', bytesIn: r.bytesIn, bytesOut: r.bytesOut });
      } else if (name.startsWith('decoder')) {
        log(`q4: ${file}`);
        const r = quantizeGraphQ4(src, dst);
        reports.push({ graph: name, action: 'q4', bytesIn: r.bytesIn, bytesOut: r.bytesOut, quantizedMatMuls: r.quantized });
      } else {
        // Unchanged graphs move over as they are (their data file keeps its name, so the proto stays valid).
        renameSync(src, dst);
        if (existsSync(`${src}_data`)) renameSync(`${src}_data`, `${dst}_data`);
        reports.push({ graph: name, action: 'kept fp32', bytesIn: 0, bytesOut: 0 });
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
