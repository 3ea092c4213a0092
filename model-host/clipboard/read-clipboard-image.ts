/** Reads the clipboard's image with the platform tool into a PNG file the tasks can use. */
import { execFile } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ClipboardImageResult } from '../protocol';
import { HostErrorCodes } from '../protocol';
import { HostError } from '../protocol/errors';
import { clipboardToolsFor, missingToolMessage, type ClipboardEnvironment, type ClipboardTool } from './clipboard-tools';

function onPath(command: string, env: Record<string, string | undefined>): boolean {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? ['', '.exe', '.cmd'] : [''];
  return dirs.some((dir) => exts.some((ext) => existsSync(path.join(dir, command + ext))));
}

export function currentClipboardEnvironment(): ClipboardEnvironment {
  return { platform: process.platform, env: process.env, has: (c) => process.platform === 'win32' || process.platform === 'darwin' || onPath(c, process.env) };
}

function runTool(tool: ClipboardTool, env: Record<string, string | undefined>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      tool.command,
      tool.args,
      { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 10_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${tool.command} failed: ${stderr.toString().trim() || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The clipboard's image as a PNG file in `dir` (default: the OS temp folder). */
export async function readClipboardImage(environment = currentClipboardEnvironment(), dir = os.tmpdir()): Promise<ClipboardImageResult> {
  const file = path.join(dir, `visual-coder-clipboard-${process.pid}-${Date.now()}.png`);
  const tools = clipboardToolsFor(environment, file);
  if (tools.length === 0) throw new HostError(HostErrorCodes.BadImage, missingToolMessage(environment));
  const failures: string[] = [];
  for (const tool of tools) {
    try {
      let bytes: Buffer;
      if (tool.stdout) bytes = await runTool(tool, environment.env);
      else {
        await runTool(tool, environment.env);
        bytes = await fs.readFile(file);
      }
      if (bytes.length === 0) throw new Error('the clipboard holds no image');
      const meta = await sharp(bytes)
        .metadata()
        .catch(() => undefined);
      if (!meta?.width || !meta.height) throw new Error('the clipboard does not hold a PNG image');
      if (tool.stdout) await fs.writeFile(file, bytes);
      return { path: file, width: meta.width, height: meta.height };
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  await fs.rm(file, { force: true });
  throw new HostError(HostErrorCodes.BadImage, `No image on the clipboard: copy a screenshot first (${failures.join('; ')}).`);
}
