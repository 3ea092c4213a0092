import { convertDeepseekVl, type ConvertDtype } from '../convert/deepseek-vl/converter';
import { ConvertError } from '../convert/deepseek-vl/hf-config';
import { CheckpointError } from '../formats/safetensors';
import { type CliCommand, flag, parseArgs, UsageError } from './command';

const DTYPES: readonly ConvertDtype[] = ['fp32', 'fp16', 'q4'];

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: 'Convert a Hugging Face DeepSeek-VL checkpoint (safetensors) into ONNX graphs',
  usage: `model-host convert --from HF_DIR --to OUT_DIR [--dtype fp32|fp16|q4] [--fused] [--overwrite] [--json]

Reads HF_DIR/config.json (model_type deepseek_vl or deepseek_vl_hybrid) and its
*.safetensors (single file or sharded with model.safetensors.index.json), checks every
tensor, and writes OUT_DIR with onnx/vision_encoder.onnx, onnx/embed_tokens.onnx,
onnx/decoder_model_merged.onnx (weights as .onnx_data), config, tokenizer and processor
files. OUT_DIR appears only once the conversion is complete.`,
  async run(argv) {
    const args = parseArgs(argv, ['overwrite', 'json', 'fused']);
    const from = flag(args, 'from');
    const to = flag(args, 'to');
    if (!from || !to) throw new UsageError('--from and --to are required');
    const dtype = (flag(args, 'dtype') ?? 'fp32') as ConvertDtype;
    if (!DTYPES.includes(dtype)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')}`);
    const json = flag(args, 'json') === 'true';
    try {
      const result = convertDeepseekVl({
        from,
        to,
        dtype,
        overwrite: flag(args, 'overwrite') === 'true',
        fused: flag(args, 'fused') === 'true',
        log: (m) => process.stderr.write(`${m}\n`),
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
