import type { DevicePreference, GenerationOptions } from '../protocol';
import { DEVICE_PREFERENCES } from '../protocol';
import type { GenerateContext, GenerateOutput, TextEngine } from '../engines/engine';
import { DeepseekVlEngine, type RawInputs } from '../engines/deepseek-vl/engine';
import { loadLocalEngine } from '../engines/load-engine';
import { createRemoteEngine } from '../engines/remote/remote-engine';
import { REMOTE_CLI_FLAGS, REMOTE_CLI_USAGE, remoteBackendFromArgs } from './remote-options';
import { type LoadedImage, loadImage } from '../images/load-image';
import { rgbDroppingAlpha } from '../images/rgb-pixels';
import { HostError } from '../protocol/errors';
import { readNpy } from '../formats/npy';
import { type CliCommand, flag, type ParsedArgs, parseArgs, UsageError } from './command';
import { runTaskFromCli, TASK_RUN_USAGE } from './tasks';

function intFlag(args: ParsedArgs, name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

function numFlag(args: ParsedArgs, name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number`);
  return n;
}

function parseIds(text: string): number[] {
  let ids: unknown;
  try {
    ids = JSON.parse(text);
  } catch {
    throw new UsageError('--input-ids must be a JSON array of token ids, e.g. [0, 56, 86]');
  }
  if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new UsageError('--input-ids must be a JSON array of non-negative integers');
  }
  return ids as number[];
}

function npyPixels(path: string): RawInputs['pixelValues'] {
  const a = readNpy(path);
  if (!(a.data instanceof Float32Array) || a.shape.length !== 4) throw new UsageError(`${path} must hold a float32 array [1, 3, S, S]`);
  return { data: a.data, dims: a.shape };
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'Generate with a local model folder (streams text; --json for one result object)',
  usage: `model-host run --model DIR (--prompt TEXT | --input-ids JSON) [--image PNG] [options]
model-host run ${TASK_RUN_USAGE}   (a visual coding task, see \`model-host tasks\`)

  --device auto|cpu|webgpu|cuda|dml|coreml   (default auto; falls back to cpu, logged on stderr)
  --max-new-tokens N      (default 256)
  --temperature T --top-p P   sampling (default greedy)
  --stop TEXT             stop string (repeatable)
  --json                  print one JSON object at the end: tokens, text, device, finishReason, timings
${REMOTE_CLI_USAGE}
Parity/debug (DeepSeek-VL folders):
  --input-ids JSON_ARRAY  token ids as is (no chat template, no BOS added)
  --pixel-values FILE.npy / --high-res-pixel-values FILE.npy   skip image preprocessing`,
  async run(argv) {
    if (argv.some((a) => a === '--task' || a.startsWith('--task='))) return runTaskFromCli(argv);
    const args = parseArgs(argv, {
      values: [
        'model',
        'prompt',
        'input-ids',
        'image',
        'device',
        'max-new-tokens',
        'temperature',
        'top-p',
        'stop',
        'pixel-values',
        'high-res-pixel-values',
        ...REMOTE_CLI_FLAGS,
      ],
      switches: ['json'],
    });
    const model = flag(args, 'model');
    if (!model) throw new UsageError('--model is required');
    const prompt = flag(args, 'prompt');
    const idsText = flag(args, 'input-ids');
    if (!prompt && !idsText) throw new UsageError('give --prompt or --input-ids');
    const device = (flag(args, 'device') ?? 'auto') as DevicePreference;
    if (!DEVICE_PREFERENCES.includes(device)) throw new UsageError(`--device must be one of ${DEVICE_PREFERENCES.join(', ')}`);
    const json = flag(args, 'json') === 'true';
    const generation: GenerationOptions = {
      maxNewTokens: intFlag(args, 'max-new-tokens') ?? 256,
      temperature: numFlag(args, 'temperature'),
      topP: numFlag(args, 'top-p'),
      stop: args.flags.get('stop'),
    };
    const imagePath = flag(args, 'image');
    const log = (level: string, message: string) => process.stderr.write(`[${level}] ${message}\n`);
    // The image is checked (caps included) before any model loads: a bad file costs nothing.
    let image: LoadedImage | undefined;
    if (imagePath) {
      try {
        image = await loadImage({ path: imagePath });
      } catch (err) {
        if (err instanceof HostError) throw new UsageError(err.message);
        throw err;
      }
    }
    const remote = remoteBackendFromArgs(args);
    const engine: TextEngine = remote ? createRemoteEngine(remote) : await loadLocalEngine(model, device, log);
    const ctx: GenerateContext = {
      isCancelled: () => false,
      onText: (delta) => {
        if (!json) process.stdout.write(delta);
      },
      log,
    };
    let result: GenerateOutput;
    try {
      if (idsText) {
        if (!(engine instanceof DeepseekVlEngine)) throw new UsageError('--input-ids works with converted DeepSeek-VL folders only');
        const inputs: RawInputs = { inputIds: parseIds(idsText) };
        const px = flag(args, 'pixel-values');
        const hr = flag(args, 'high-res-pixel-values');
        if (px) inputs.pixelValues = npyPixels(px);
        if (hr) inputs.highResPixelValues = npyPixels(hr);
        if (!px && image) {
          const pre = engine.processor.pixels(await rgbDroppingAlpha(image));
          inputs.pixelValues = pre.pixelValues;
          inputs.highResPixelValues = pre.highResPixelValues;
        }
        result = await engine.generateFromInputs(inputs, generation, ctx);
      } else {
        result = await engine.generate({ prompt: { user: prompt ?? '' }, image, generation }, ctx);
      }
    } finally {
      await engine.dispose();
    }
    if (json) {
      process.stdout.write(
        JSON.stringify({ tokens: result.tokens, text: result.text, device: engine.device, finishReason: result.finishReason, timings: result.timings }) + '\n',
      );
    } else {
      process.stdout.write('\n');
    }
    return 0;
  },
};
