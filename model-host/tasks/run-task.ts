/**
 * Runs one task: load and validate the image, pick the engine, build the prompt for its family,
 * generate with streamed deltas, post-process. Engines come in through `TaskEngines` so the same
 * runner drives the local VLM, the remote server and OCR (and tests can hand it any TextEngine).
 */
import type { OcrLineInfo, TaskRunParams, TaskRunResult } from '../protocol';
import { HostErrorCodes } from '../protocol';
import type { LoadedImage, TextEngine } from '../engines/engine';
import type { LogLevel } from '../protocol';
import { loadImage } from '../images/load-image';
import { HostError } from '../protocol/errors';
import { UnknownTaskError, buildPrompt, getTask, languageFor, promptFamilyOf, resolveChoice } from './registry';

/** Default token budget per task run when the client sets none: enough for a full page of HTML. */
export const DEFAULT_MAX_NEW_TOKENS = 2048;

export interface OcrTranscription {
  text: string;
  lines?: OcrLineInfo[];
  /** VS Code language id the OCR engine detected, when it did. */
  language?: string;
}

/** Where a run gets its engines. */
export interface TaskEngines {
  /** The engine that writes text (local VLM or remote), for this run's params. */
  textEngine(params: TaskRunParams): Promise<TextEngine>;
  /** OCR, when this build has it. */
  transcribeCode?(image: LoadedImage, options?: { region?: 'code' | 'all' }): Promise<OcrTranscription>;
  ocrTextForPrompt?(image: LoadedImage): Promise<string>;
}

export interface TaskRunContext {
  isCancelled(): boolean;
  onText(delta: string): void;
  log(level: LogLevel, message: string): void;
}

/** JSON-RPC "invalid params": a task id, option or choice that does not exist. */
const INVALID_PARAMS = -32602;

export async function runTask(params: TaskRunParams, engines: TaskEngines, ctx: TaskRunContext): Promise<TaskRunResult> {
  const started = performance.now();
  let task, choice: string;
  try {
    task = getTask(params.taskId, params.customStacks);
    choice = resolveChoice(task, params.options);
  } catch (err) {
    if (err instanceof UnknownTaskError) throw new HostError(INVALID_PARAMS, err.message);
    throw err;
  }
  const language = languageFor(task, choice);
  const image = await loadImage(params.image);

  if (task.engines.length === 1 && task.engines[0] === 'ocr') {
    if (!engines.transcribeCode) throw new HostError(-32603, 'The OCR engine is not available in this build of the model host.');
    const ocr = await engines.transcribeCode(image, { region: choice === 'all' ? 'all' : 'code' });
    if (ocr.text) ctx.onText(ocr.text);
    return {
      runId: params.runId,
      raw: ocr.text,
      output: task.postprocess(ocr.text, language),
      language: ocr.language || language,
      finishReason: 'stop',
      device: 'cpu',
      model: 'pp-ocr',
      lines: ocr.lines,
      timings: { totalMs: performance.now() - started },
    };
  }

  const engine = await engines.textEngine(params);
  const loadMs = performance.now() - started;
  let ocrText: string | undefined;
  if (params.ocrAugment !== false && engines.ocrTextForPrompt) {
    try {
      ocrText = await engines.ocrTextForPrompt(image);
    } catch (err) {
      // OCR only helps the prompt; a failure must not cost the user the result.
      ctx.log('warn', `OCR for the prompt failed, continuing without it: ${(err as Error).message}`);
    }
  }
  const prompt = buildPrompt({ task, choice, family: promptFamilyOf(engine.family), ocrText, instruction: params.instruction });
  ctx.log('debug', `task ${task.id} (${choice || 'no option'}) on ${engine.modelName} [${engine.family}]`);
  const out = await engine.generate(
    { prompt, image, generation: { maxNewTokens: DEFAULT_MAX_NEW_TOKENS, ...params.generation } },
    { isCancelled: ctx.isCancelled, onText: ctx.onText, log: ctx.log },
  );
  return {
    runId: params.runId,
    raw: out.text,
    output: task.postprocess(out.text, language),
    language,
    finishReason: out.finishReason,
    ...(out.error ? { error: out.error } : {}),
    tokens: out.tokens,
    device: engine.device,
    model: engine.modelName,
    timings: { ...out.timings, loadMs: out.timings.loadMs ?? loadMs, totalMs: performance.now() - started },
  };
}

/** For callers that must tell "no model" apart (the extension then offers a download). */
export function noModelError(message: string): HostError {
  return new HostError(HostErrorCodes.NoModel, message);
}
