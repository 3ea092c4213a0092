import * as path from 'node:path';

/** `--model`: a folder (absolute, ./relative or with a separator) made absolute, else an installed model id as given. */
export function modelRefFromFlag(model: string): string {
  return path.isAbsolute(model) || model.startsWith('.') || model.includes(path.sep) ? path.resolve(model) : model;
}
