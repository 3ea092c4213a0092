/**
 * The step after a DeepSeek-VL checkpoint pull: converting the safetensors to ONNX graphs in a
 * sibling folder (`<id>.onnx`) with the DeepSeek-VL converter (`model-host convert`).
 *
 * The converter is synchronous and CPU-heavy, so it runs as a child process of this same host
 * program: the protocol loop stays responsive during a conversion, and a cancel kills the child.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { PullOptions } from './downloader';
import { parseConversionProgress } from './conversion-progress';
import { ModelError, cancelledError } from './errors';

/** The built host script to re-run as `convert`: the current process when it is the host. */
function hostScript(): string | undefined {
  const candidate = process.env.VISUAL_CODER_HOST_SCRIPT || process.argv[1];
  return candidate && /model-host(\.c?js)?$/.test(candidate) && fs.existsSync(candidate) ? candidate : undefined;
}

export const convertAfterPull: NonNullable<PullOptions['convert']> = async ({ modelDir, targetDir, dtype, progress, counts, signal }) => {
  const script = hostScript();
  if (!script) throw new ModelError('bad-input', 'Cannot find the model-host program to run the DeepSeek-VL conversion; run `model-host convert` by hand');
  const args = [script, 'convert', '--from', modelDir, '--to', targetDir, '--dtype', dtype.dtype, '--overwrite', '--progress-json'];
  if (dtype.kvDtype) args.push('--kv-dtype', dtype.kvDtype);
  if (signal?.aborted) throw cancelledError('The conversion');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
  const tail: string[] = [];
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    const conversion = parseConversionProgress(line);
    if (conversion) {
      counts?.(conversion);
      return;
    }
    tail.push(line);
    if (tail.length > 20) tail.shift();
    progress(line);
  });
  const onAbort = () => child.kill();
  signal?.addEventListener('abort', onAbort);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (signal?.aborted) {
      removeChildTemp(targetDir, child.pid);
      throw cancelledError('The conversion');
    }
    if (code !== 0) {
      throw new ModelError('bad-input', `Converting ${modelDir} to ONNX failed (exit ${code}): ${tail.slice(-5).join(' | ') || 'no output'}`);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
};

/**
 * A killed converter cannot clean up after itself, and its half-written folder is as big as the model:
 * remove it now rather than at the next conversion (the converter names it `.<OUT>.converting-<pid>-<ms>`).
 */
function removeChildTemp(targetDir: string, pid: number | undefined): void {
  if (pid === undefined) return;
  const parent = path.dirname(targetDir);
  const prefix = `.${path.basename(targetDir)}.converting-${pid}-`;
  for (const entry of fs.readdirSync(parent)) {
    if (entry.startsWith(prefix)) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}
