/**
 * Reads the clipboard's image with the platform tool and hands back its PNG bytes. Tools that can
 * only write a file (PowerShell, osascript) write into a private folder (mode 0700, made by mkdtemp)
 * that is removed at once: a screenshot never lingers where other users could read it.
 */
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

/** The clipboard's image as PNG bytes with its size. */
export async function readClipboardImage(environment = currentClipboardEnvironment(), tmpRoot = os.tmpdir()): Promise<ClipboardImageResult> {
  const dir = await fs.mkdtemp(path.join(tmpRoot, 'visual-coder-clipboard-'));
  try {
    const file = path.join(dir, 'clipboard.png');
    const tools = clipboardToolsFor(environment, file);
    if (tools.length === 0) throw new HostError(HostErrorCodes.BadImage, missingToolMessage(environment));
    const failures: string[] = [];
    for (const tool of tools) {
      try {
        const bytes = tool.stdout ? await runTool(tool, environment.env) : await runTool(tool, environment.env).then(() => fs.readFile(file));
        if (bytes.length === 0) throw new Error('the clipboard holds no image');
        const meta = await sharp(bytes)
          .metadata()
          .catch(() => undefined);
        if (!meta?.width || !meta.height) throw new Error('the clipboard does not hold a PNG image');
        return { base64: bytes.toString('base64'), width: meta.width, height: meta.height };
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    throw new HostError(HostErrorCodes.BadImage, `No image on the clipboard: copy a screenshot first (${failures.join('; ')}).`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
