/** Starts the built model host (`dist/model-host.js`) and talks to it over the real protocol. */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as rpc from 'vscode-jsonrpc/node';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const hostScript = path.join(repoRoot, 'dist', 'model-host.js');

/** Environment that gives Dawn a Vulkan driver without a GPU (SwiftShader from Debian's chromium). */
export const SWIFTSHADER_ENV = { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json', XDG_RUNTIME_DIR: '/tmp' };

/** The environment of the test process without any Vulkan driver override: WebGPU must fail here. */
export function envWithoutVulkan(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VK_ICD_FILENAMES;
  delete env.VK_DRIVER_FILES;
  return { ...env, ...extra };
}

export interface RunningHost {
  child: ChildProcessWithoutNullStreams;
  connection: rpc.MessageConnection;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startHost(env: NodeJS.ProcessEnv = envWithoutVulkan({ VISUAL_CODER_TEST: '1' })): RunningHost {
  const child = spawn(process.execPath, [hostScript, 'serve'], { env, stdio: 'pipe' });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.listen();
  return { child, connection, stderr: () => stderr, exited };
}

/** Resolves with the exit, or with 'timeout' after `ms`. */
export function exitWithin(host: RunningHost, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
  return Promise.race([host.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

export async function stopHost(host: RunningHost): Promise<void> {
  host.connection.dispose();
  if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGKILL');
  await host.exited;
}

/** One Content-Length frame, as `printf` would write it. */
export function frame(message: object): string {
  const body = JSON.stringify({ jsonrpc: '2.0', ...message });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Splits a stdout byte stream into the JSON bodies of its frames. */
export function parseFrames(stdout: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let rest = stdout;
  for (;;) {
    const m = /^Content-Length: (\d+)\r\n(?:[^\r\n]+\r\n)*\r\n/.exec(rest);
    if (!m) return out;
    const start = m[0].length;
    const bytes = Buffer.from(rest.slice(start), 'utf8');
    if (bytes.length < Number(m[1])) return out; // the rest has not arrived yet
    const body = bytes.subarray(0, Number(m[1])).toString('utf8');
    out.push(JSON.parse(body));
    rest = bytes.subarray(Number(m[1])).toString('utf8');
  }
}

/** What `model-host run --json` prints. */
export interface RunJson {
  tokens: number[];
  text: string;
  device: string;
  finishReason: string;
  timings: Record<string, number>;
}

/**
 * `model-host run --json` on a converted reference checkpoint with the reference inputs (its
 * `input_ids`, `ref_pixel_values.npy` and, for the hybrid, `ref_high_res_pixel_values.npy`), as the
 * parity tests run it. Fails the test when the command fails; returns the JSON and stderr.
 */
export function runReference(
  model: string,
  refDir: string,
  options: { device?: string; maxNewTokens?: number; env?: NodeJS.ProcessEnv } = {},
): { out: RunJson; stderr: string } {
  const reference = JSON.parse(readFileSync(path.join(refDir, 'reference.json'), 'utf8')) as { input_ids: number[] };
  const highRes = path.join(refDir, 'ref_high_res_pixel_values.npy');
  const args = [hostScript, 'run', '--model', model, '--device', options.device ?? 'cpu', '--json', '--max-new-tokens', String(options.maxNewTokens ?? 12)];
  args.push('--input-ids', JSON.stringify(reference.input_ids), '--pixel-values', path.join(refDir, 'ref_pixel_values.npy'));
  if (existsSync(highRes)) args.push('--high-res-pixel-values', highRes);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000, env: options.env });
  assert.equal(r.status, 0, r.stderr);
  return { out: JSON.parse(r.stdout) as RunJson, stderr: r.stderr };
}
