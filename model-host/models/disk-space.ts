import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bytes available to this user on the file system holding `dir` (or its nearest existing parent). */
export async function freeBytes(dir: string): Promise<number> {
  let probe = path.resolve(dir);
  while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
  const s = await fs.promises.statfs(probe);
  return s.bavail * s.bsize;
}

export { formatBytes } from '../protocol/format';
