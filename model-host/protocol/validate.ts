/**
 * One validator per request method, written beside the protocol's types so a method's params are
 * checked against the shape its type declares: a wrongly typed field is `InvalidParams` (-32602) with
 * a message and `data.field` naming the field (`image.path`, `generation.maxNewTokens`), never an
 * internal error from deep inside a handler. The host runs each request's validator before its handler.
 */
import { DEVICE_PREFERENCES, LOG_LEVELS, MODEL_DTYPES, PREVIEW_RUNTIMES, type LogLevel, type ModelDtypePreference } from './constants';
import { HostError, HostErrorCodes } from './errors';
import type { BackendConfig, CustomStack, GenerationOptions, ImageInput, InitializeParams, ModelsPullParams, TaskListParams, TaskRunParams } from './index';

/** A check of one value at `field`; returns the value typed, or throws InvalidParams naming the field. */
type Check<T> = (value: unknown, field: string) => T;

function invalid(field: string, what: string): HostError {
  return new HostError(HostErrorCodes.InvalidParams, `${field} ${what}`, { field });
}

const str: Check<string> = (v, f) => {
  if (typeof v !== 'string') throw invalid(f, `must be a string (got ${describe(v)})`);
  return v;
};
const nonEmpty: Check<string> = (v, f) => {
  const s = str(v, f);
  if (s.trim() === '') throw invalid(f, 'must not be empty');
  return s;
};
const bool: Check<boolean> = (v, f) => {
  if (typeof v !== 'boolean') throw invalid(f, `must be true or false (got ${describe(v)})`);
  return v;
};
function num(min: number, max: number, integer = false): Check<number> {
  return (v, f) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw invalid(f, `must be ${integer ? 'a whole number' : 'a number'} (got ${describe(v)})`);
    }
    if (v < min || v > max) throw invalid(f, `must be between ${min} and ${max} (got ${v})`);
    return v;
  };
}
function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (v, f) => {
    if (typeof v !== 'string' || !values.includes(v as T)) throw invalid(f, `must be one of ${values.join(', ')} (got ${describe(v)})`);
    return v as T;
  };
}
function list<T>(item: Check<T>, maxItems: number): Check<T[]> {
  return (v, f) => {
    if (!Array.isArray(v)) throw invalid(f, `must be a list (got ${describe(v)})`);
    if (v.length > maxItems) throw invalid(f, `has ${v.length} items; at most ${maxItems}`);
    return v.map((x, i) => item(x, `${f}[${i}]`));
  };
}
function record(value: Check<string>): Check<Record<string, string>> {
  return (v, f) => {
    if (!isPlainObject(v)) throw invalid(f, `must be an object (got ${describe(v)})`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, `${f}.${k}`)]));
  };
}

type Shape<T> = { [K in keyof T]-?: { check: Check<NonNullable<T[K]>>; optional: undefined extends T[K] ? true : false } };

const required = <T>(check: Check<T>) => ({ check, optional: false as const });
const optional = <T>(check: Check<T>) => ({ check, optional: true as const });

/** An object with exactly the fields of `shape` (unknown fields are refused: a typo must not be ignored). */
function object<T>(shape: Shape<T>): Check<T> {
  return (v, f) => {
    if (!isPlainObject(v)) throw invalid(f || 'params', `must be an object (got ${describe(v)})`);
    const at = (k: string) => (f ? `${f}.${k}` : k);
    for (const key of Object.keys(v)) if (!(key in shape)) throw invalid(at(key), 'is not a known field');
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape) as Array<[string, { check: Check<unknown>; optional: boolean }]>) {
      const value = (v as Record<string, unknown>)[key];
      if (value === undefined || value === null) {
        if (!field.optional) throw invalid(at(key), 'is required');
        continue;
      }
      out[key] = field.check(value, at(key));
    }
    return out as T;
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.length > 40 ? 'a long string' : JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Image paths are absolute: a relative one would resolve against the host's working folder, not the user's. */
const absolutePath: Check<string> = (v, f) => {
  const s = nonEmpty(v, f);
  if (!(s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\'))) {
    throw invalid(f, `must be an absolute path (got ${JSON.stringify(s)}); resolve it against the workspace first`);
  }
  return s;
};

const imageInput: Check<ImageInput> = (v, f) => {
  // An empty base64 is an image problem (BadImage, "the file is empty"), said by the loader, not a type error.
  const image = object<ImageInput>({ path: optional(absolutePath), base64: optional(str) })(v, f);
  if ((image.path === undefined) === (image.base64 === undefined)) throw invalid(f, 'needs exactly one of path or base64');
  return image;
};

/** Most tokens one request may ask for: engines stop at their context anyway; this only refuses nonsense. */
export const MAX_NEW_TOKENS_LIMIT = 1_000_000;

const generationOptions = object<GenerationOptions>({
  maxNewTokens: optional(num(1, MAX_NEW_TOKENS_LIMIT, true)),
  temperature: optional(num(0, 10)),
  topP: optional(num(0, 1)),
  stop: optional(list(str, 16)),
});

const backendConfig = object<BackendConfig>({
  kind: required(oneOf(['local', 'openai'] as const)),
  endpoint: optional(nonEmpty),
  model: optional(str),
  apiKey: optional(str),
  maxImageSide: optional(num(64, 16384, true)),
});

function maxLength(check: Check<string>, max: number): Check<string> {
  return (v, f) => {
    const s = check(v, f);
    if (s.length > max) throw invalid(f, `is ${s.length} characters long; at most ${max}`);
    return s;
  };
}

/** A custom stack's fields; clashes with built-in stacks are the task registry's to say. */
const customStack = object<CustomStack>({
  id: required(maxLength(nonEmpty, 48)),
  title: required(maxLength(nonEmpty, 80)),
  language: required(maxLength(nonEmpty, 40)),
  instructions: required(maxLength(nonEmpty, 4000)),
  preview: optional(oneOf(PREVIEW_RUNTIMES)),
});
const customStacks = list(customStack, 64);

/** The validators of the methods that take params, by method name. */
export const PARAMS_VALIDATORS = {
  'host/initialize': object<InitializeParams>({
    clientName: required(str),
    device: required(oneOf(DEVICE_PREFERENCES)),
    modelsDir: optional(str),
    model: optional(str),
    logLevel: optional(oneOf(LOG_LEVELS)),
  }),
  'host/setLogLevel': object<{ level: LogLevel }>({ level: required(oneOf(LOG_LEVELS)) }),
  'task/run': object<TaskRunParams>({
    runId: required(nonEmpty),
    taskId: required(nonEmpty),
    image: required(imageInput),
    options: optional(record(str)),
    instruction: optional(str),
    generation: optional(generationOptions),
    backend: optional(backendConfig),
    ocrAugment: optional(bool),
    customStacks: optional(customStacks),
  }),
  'task/list': object<TaskListParams>({ customStacks: optional(customStacks) }),
  'models/pull': object<ModelsPullParams>({ id: required(nonEmpty), store: optional(str), proxy: optional(str), dtype: optional(oneOf(MODEL_DTYPES)) }),
  'models/list': object<{ store?: string; dtype?: ModelDtypePreference }>({ store: optional(str), dtype: optional(oneOf(MODEL_DTYPES)) }),
  'models/verify': object<{ id: string; store?: string }>({ id: required(nonEmpty), store: optional(str) }),
  'models/remove': object<{ id: string; store?: string }>({ id: required(nonEmpty), store: optional(str) }),
  'models/register': object<{ dir: string; id?: string; store?: string }>({ dir: required(absolutePath), id: optional(str), store: optional(str) }),
  'models/select': object<{ id: string }>({ id: required(str) }),
  'remote/listModels': object<{ endpoint: string; apiKey?: string }>({ endpoint: required(nonEmpty), apiKey: optional(str) }),
  'remote/probeVision': object<{ endpoint: string; apiKey?: string; models: string[] }>({
    endpoint: required(nonEmpty),
    apiKey: optional(str),
    models: required(list(nonEmpty, 100)),
  }),
  'debug/burn': object<{ ms: number }>({ ms: required(num(0, 600_000)) }),
} as const;

/** The validator for a method, typed by its params (`validatorFor('task/run')`). */
export function validatorFor<M extends keyof typeof PARAMS_VALIDATORS>(method: M): (params: unknown) => ReturnType<(typeof PARAMS_VALIDATORS)[M]> {
  const check = PARAMS_VALIDATORS[method] as Check<ReturnType<(typeof PARAMS_VALIDATORS)[M]>>;
  return (params) => check(params, '');
}
