import { CONVERT_DTYPES, convertDeepseekVl, type ConvertDtype, type DecoderKind } from '../convert/deepseek-vl/converter';
import { ConvertError } from '../convert/deepseek-vl/hf-config';
import { CheckpointError } from '../formats/safetensors';
import { CONVERT_PROGRESS_PREFIX } from '../models/conversion-progress';
import { type CliCommand, flag, parseArgs, UsageError } from './command';

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: 'Convert a Hugging Face DeepSeek-VL checkpoint (safetensors) into ONNX graphs',
  usage: `model-host convert --from HF_DIR --to OUT_DIR [--dtype fp32|fp16|q4|q4f16] [--fused | --op-by-op]
                      [--q4-block 32|64|128] [--q4-zero-points] [--q4-accuracy 0|4] [--kv-dtype fp16|fp32]
                      [--overwrite] [--json] [--progress-json]

Reads HF_DIR/config.json (model_type deepseek_vl or deepseek_vl_hybrid) and its
*.safetensors (single file or sharded with model.safetensors.index.json), checks every
tensor, and writes OUT_DIR with onnx/vision_encoder.onnx, onnx/decoder_model_merged.onnx
(and onnx/embed_tokens.onnx for the op-by-op decoder; weights as .onnx_data), config,
tokenizer and processor files. OUT_DIR appears only once the conversion is complete.

dtypes: q4 (CPU: 4-bit decoder with int8 activations, int8 vision), q4f16 (GPU with
shader-f16: 4-bit weights, fp16 activations), fp16 (GPU), fp32 (the reference).
--fused: the fast kv-rows decoder (the default for every dtype but fp32);
--op-by-op: the reference decoder graph (the default for fp32).
--q4-block: values per 4-bit block (default 128 for q4, 32 for q4f16); --q4-zero-points:
asymmetric blocks (more accurate, larger and slower); --q4-accuracy 0: float activations
instead of int8 (slower on the CPU). --kv-dtype: the kv-rows decoder's cache (default fp16;
fp32 for GPUs without shader-f16).
--progress-json: for programs, lines "progress {tensorsDone, tensorsTotal, bytesDone,
bytesTotal}" on stderr while the checkpoint is read (the model host's download uses them).`,
  async run(argv) {
    const args = parseArgs(argv, {
      values: ['from', 'to', 'dtype', 'q4-block', 'q4-accuracy', 'kv-dtype'],
      switches: ['overwrite', 'json', 'fused', 'op-by-op', 'q4-zero-points', 'progress-json'],
    });
    const from = flag(args, 'from');
    const to = flag(args, 'to');
    if (!from || !to) throw new UsageError('--from and --to are required');
    const dtype = (flag(args, 'dtype') ?? 'fp32') as ConvertDtype;
    if (!CONVERT_DTYPES.includes(dtype)) throw new UsageError(`--dtype must be one of ${CONVERT_DTYPES.join(', ')}`);
    const fused = flag(args, 'fused') === 'true';
    const opByOp = flag(args, 'op-by-op') === 'true';
    if (fused && opByOp) throw new UsageError('--fused and --op-by-op exclude each other');
    const decoder: DecoderKind | undefined = fused ? 'kv-rows' : opByOp ? 'op-by-op' : undefined;
    const json = flag(args, 'json') === 'true';
    try {
      const result = convertDeepseekVl({
        from,
        to,
        dtype,
        overwrite: flag(args, 'overwrite') === 'true',
        decoder,
        q4Block: flag(args, 'q4-block') === undefined ? undefined : Number(flag(args, 'q4-block')),
        q4ZeroPoints: flag(args, 'q4-zero-points') === 'true',
        q4Accuracy: q4Accuracy(flag(args, 'q4-accuracy')),
        kvDtype: kvDtype(flag(args, 'kv-dtype')),
        log: (m) => process.stderr.write(`${m}\n`),
        progress: flag(args, 'progress-json') === 'true' ? (p) => process.stderr.write(`${CONVERT_PROGRESS_PREFIX}${JSON.stringify(p)}\n`) : undefined,
      });
      const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
      if (json) process.stdout.write(JSON.stringify({ ...result, peakRssMb }) + '\n');
      else process.stdout.write(`converted ${result.modelType} to ${result.outDir} in ${result.seconds.toFixed(2)} s (peak RSS ${peakRssMb} MB)\n`);
      return 0;
    } catch (e) {
      if (e instanceof ConvertError || e instanceof CheckpointError) {
        process.stderr.write(`error: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};

function q4Accuracy(value: string | undefined): 0 | 4 | undefined {
  if (value === undefined) return undefined;
  if (value !== '0' && value !== '4') throw new UsageError('--q4-accuracy must be 0 or 4');
  return Number(value) as 0 | 4;
}

function kvDtype(value: string | undefined): 'fp16' | 'fp32' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'fp16' && value !== 'fp32') throw new UsageError('--kv-dtype must be fp16 or fp32');
  return value;
}
