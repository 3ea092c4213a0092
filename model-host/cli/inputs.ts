/**
 * `model-host inputs`: what the model would be fed for a prompt and an image, written to files, from a
 * processor folder as a hub checkpoint has it (no weights needed) or a converted model folder. For
 * anyone debugging a wrong answer, and for the tests that hold the pipeline against transformers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeNpyF32 } from '../formats/npy';
import { loadImage } from '../images/load-image';
import { HostError } from '../protocol/errors';
import { DeepseekVlProcessor } from '../engines/deepseek-vl/processor';
import { type CliCommand, flag, parseArgs, UsageError } from './command';

export const inputsCommand: CliCommand = {
  name: 'inputs',
  summary: 'Write the prompt, input ids and pixel tensors a DeepSeek-VL processor folder makes of a text and an image',
  usage: `model-host inputs --processor DIR --text TEXT [--image FILE] [--system TEXT] --out OUTDIR

DIR holds a checkpoint's processor files (tokenizer.json, tokenizer_config.json, and
preprocessor_config.json + processor_config.json + chat_template.json, or processor_config.json +
chat_template.jinja); weights are not needed. Writes into OUTDIR:
  prompt.txt                   the chat template's output, one <image_placeholder> per image
  input_ids.json               the token ids (placeholders expanded to num_image_tokens image tokens)
  pixel_values.npy             float32 [1, 3, S, S] (with --image)
  high_res_pixel_values.npy    float32 [1, 3, S, S], for the 7B hybrid (with --image)
and prints where each part of the processor came from.`,
  async run(argv) {
    const args = parseArgs(argv, { values: ['processor', 'text', 'out', 'image', 'system'] });
    const dir = flag(args, 'processor');
    const text = flag(args, 'text');
    const out = flag(args, 'out');
    if (!dir) throw new UsageError('--processor DIR is required');
    if (text === undefined) throw new UsageError('--text TEXT is required');
    if (!out) throw new UsageError('--out OUTDIR is required');
    const imagePath = flag(args, 'image');
    let image;
    try {
      image = imagePath ? await loadImage({ path: resolve(imagePath) }) : undefined;
    } catch (err) {
      if (err instanceof HostError) throw new UsageError(err.message);
      throw err;
    }
    const notes: string[] = [];
    const processor = await DeepseekVlProcessor.load(resolve(dir), (_level, message) => notes.push(message));
    const inputs = await processor.inputs({ system: flag(args, 'system'), user: text }, image);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'prompt.txt'), inputs.prompt);
    writeFileSync(join(out, 'input_ids.json'), JSON.stringify(inputs.inputIds) + '\n');
    const written = ['prompt.txt', 'input_ids.json'];
    if (inputs.pixels) {
      writeNpyF32(join(out, 'pixel_values.npy'), inputs.pixels.pixelValues.data, inputs.pixels.pixelValues.dims);
      written.push('pixel_values.npy');
      const high = inputs.pixels.highResPixelValues;
      if (high) {
        writeNpyF32(join(out, 'high_res_pixel_values.npy'), high.data, high.dims);
        written.push('high_res_pixel_values.npy');
      }
    }
    const f = processor.files;
    for (const note of notes) process.stderr.write(`note: ${note}\n`);
    process.stdout.write(
      [
        `image processor: ${f.imageProcessorSource}`,
        `chat template: ${f.chatTemplate.source}`,
        `${inputs.inputIds.length} input ids, ${f.numImageTokens} per image (${f.imageToken} = id ${processor.imageTokenId})`,
        `wrote ${written.join(', ')} to ${resolve(out)}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
