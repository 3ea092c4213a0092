/**
 * The one protocol between the extension (client) and the model host (server).
 *
 * Transport: vscode-jsonrpc over the host's stdin/stdout with Content-Length framing.
 * Both sides import this module, so a method's name, parameters and result are declared once.
 * Every message says who sends it and why. Cancellation of any request rides on the request's
 * own token (`$/cancelRequest`), which the host turns into a cancel flag for the worker.
 *
 * Only types and `RequestType`/`NotificationType` objects live here: no behaviour, so the module is
 * safe to bundle into the extension, the host and its worker.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

// ---------------------------------------------------------------------------------------------
// Shared vocabulary

export {
  DEVICE_KINDS,
  DEVICE_PREFERENCES,
  GPU_DEVICE_KINDS,
  IMAGE_EXTENSIONS,
  IMAGE_MIME_TYPES,
  LOG_LEVELS,
  MODEL_DTYPES,
  PREVIEW_RUNTIMES,
  imageExtensionOf,
  logLevelPasses,
  type DeviceKind,
  type DevicePreference,
  type LogLevel,
  type ModelDtypePreference,
  type PreviewRuntime,
} from './constants';
import type { DeviceKind, DevicePreference, LogLevel, ModelDtypePreference, PreviewRuntime } from './constants';
export { endpointHost, formatBytes } from './format';
export { CUSTOM_STACK_ID, readCustomStacks, stackIdFromName, type CustomStack, type CustomStackEntries } from './custom-stacks';
import type { CustomStack } from './custom-stacks';

/** One device as probed by the host. `available: false` always comes with the reason. */
export interface DeviceInfo {
  kind: DeviceKind;
  available: boolean;
  /** Why the device cannot be used (e.g. "Failed to get a WebGPU adapter: No supported adapters"). */
  reason?: string;
  /** WebGPU: whether the adapter computes in fp16 (`shader-f16`); fp16 graphs need it. */
  shaderF16?: boolean;
  /** Adapter or library description when known. */
  detail?: string;
}

/** An inference engine compiled into this host. */
export interface EngineInfo {
  /** `vlm` (local ONNX vision-language models), `ocr` (PP-OCR), `remote` (OpenAI-compatible HTTP). */
  id: string;
  description: string;
}

/** The model the host currently serves, if any. */
export interface ActiveModelInfo {
  id: string;
  displayName: string;
  dir: string;
  device: DeviceKind;
  /** The converted folder's dtype (DeepSeek-VL: q4, q4f16, fp16, fp32), when it says. */
  dtype?: string;
}

/** An image handed to a task: a file the host can read, or the bytes themselves. */
export interface ImageInput {
  /** Absolute path of an image file on the host's machine. */
  path?: string;
  /** Base64 of the encoded image (png, jpeg, gif, webp, bmp, svg), e.g. pasted into the panel. */
  base64?: string;
}

/** Where a task's text comes from when it is not the local model. */
export interface BackendConfig {
  kind: 'local' | 'openai';
  /** OpenAI-compatible base URL, e.g. `http://127.0.0.1:8000/v1` (kind `openai`). */
  endpoint?: string;
  /** Model name on that server (kind `openai`). */
  model?: string;
  /** Bearer token, read from VS Code's SecretStorage by the extension; never persisted by the host. */
  apiKey?: string;
  /** Longest image side sent to the server; larger images are downscaled first. */
  maxImageSide?: number;
}

export interface GenerationOptions {
  maxNewTokens?: number;
  /** 0 or absent: greedy. */
  temperature?: number;
  topP?: number;
  stop?: string[];
}

/** Wall-clock figures of one run, in milliseconds unless named otherwise. */
export interface Timings {
  loadMs?: number;
  preprocessMs?: number;
  visionMs?: number;
  prefillMs?: number;
  decodeMs?: number;
  decodeTokensPerSecond?: number;
  totalMs: number;
}

// ---------------------------------------------------------------------------------------------
// host/*: lifecycle

export interface InitializeParams {
  /** e.g. "vscode 1.100.3" or "cli". */
  clientName: string;
  /** `visualCoder.device`. */
  device: DevicePreference;
  /** Folder of installed models (`visualCoder.modelsDir` or the extension's global storage). */
  modelsDir?: string;
  /** Model to load lazily on the first task (an installed model id or an absolute folder). */
  model?: string;
  logLevel?: LogLevel;
}

export interface InitializeResult {
  version: string;
  pid: number;
  /** Every device kind this platform could offer, each with availability and reason. */
  devices: DeviceInfo[];
  /** The device the host will use for the preference it was given. */
  device: DeviceKind;
  engines: EngineInfo[];
  model?: ActiveModelInfo;
}

/** client → host, first message: who is asking and with which settings; answers what the host can do. */
export const InitializeRequest = new RequestType<InitializeParams, InitializeResult, void>('host/initialize');

/** client → host: finish in-flight work quickly, answer, then exit with code 0. */
export const ShutdownRequest = new RequestType0<void, void>('host/shutdown');

export interface PingResult {
  /** `process.hrtime` of the host in ms, to show the protocol loop is alive even while a worker is busy. */
  hostTimeMs: number;
  /** Jobs running or queued in the worker. */
  busy: number;
}
/** client → host: liveness probe; must answer fast even while inference blocks the worker. */
export const PingRequest = new RequestType0<PingResult, void>('host/ping');

/** client → host: the lowest level of `host/log` to send from now on (the extension's log channel level changed). */
export const SetLogLevelRequest = new RequestType<{ level: LogLevel }, void, void>('host/setLogLevel');

export interface LogParams {
  level: LogLevel;
  message: string;
}
/** host → client: a line for the "Visual Coder" log channel. */
export const LogNotification = new NotificationType<LogParams>('host/log');

export interface BusyParams {
  /** Jobs running or queued. 0 means idle. */
  busy: number;
  /** What the running job is, for the status bar ("ui-to-code", "download"). */
  label?: string;
}
/** host → client: the worker became busy or idle; drives the ready ⇄ busy state. */
export const BusyNotification = new NotificationType<BusyParams>('host/busy');

export interface BurnParams {
  /** How long the worker spins the CPU. */
  ms: number;
}
/**
 * client → host, tests only (the host answers it only when started with VISUAL_CODER_TEST=1):
 * burn the worker thread's CPU so a test can prove the protocol loop stays responsive.
 */
export const DebugBurnRequest = new RequestType<BurnParams, { burnedMs: number }, void>('debug/burn');

// ---------------------------------------------------------------------------------------------
// models/*: registry, store, downloads

export interface ModelPresetInfo {
  id: string;
  displayName: string;
  family: 'deepseek-vl' | 'deepseek-vl-hybrid' | 'janus' | 'qwen2-vl' | 'ocr' | string;
  repo: string;
  revision: string;
  sizeBytes: number;
  licence: string;
  licenceUrl?: string;
  minGpuMemoryGb: number;
  goodAt: string;
  installed: boolean;
  /** For checkpoints converted after the download: the dtype this machine gets, and what it needs to run. */
  conversion?: { dtype: string; reason: string; memoryGb: number; diskBytes: number };
}

export interface InstalledModelInfo {
  id: string;
  dir: string;
  family: string;
  /** Files whose size and sha256 were verified, from the store manifest. */
  verifiedFiles: number;
  /** True when the folder is a local registration, not a download. */
  local: boolean;
}

export interface ModelsListResult {
  presets: ModelPresetInfo[];
  installed: InstalledModelInfo[];
  recommended?: { id: string; reason: string };
}
/** client → host: presets, installed models and the recommendation for this machine. */
export const ModelsListRequest = new RequestType<{ store?: string; dtype?: ModelDtypePreference }, ModelsListResult, void>('models/list');

export interface ModelsPullParams {
  /** A preset id or a hub repository `org/name[@revision]`. */
  id: string;
  store?: string;
  /** Proxy URL for the download (VS Code's `http.proxy`); overrides the host's HTTPS_PROXY/HTTP_PROXY. */
  proxy?: string;
  /** What a DeepSeek-VL checkpoint is converted to (default auto). */
  dtype?: ModelDtypePreference;
}
export interface ModelsPullResult {
  id: string;
  dir: string;
  files: number;
  bytes: number;
}
/** client → host: download (resumably) and verify a model; progress via `models/progress`; cancellable. */
export const ModelsPullRequest = new RequestType<ModelsPullParams, ModelsPullResult, void>('models/pull');

export interface FileProgress {
  path: string;
  doneBytes: number;
  totalBytes: number;
}
export interface ModelsProgressParams {
  /** The store id of the model being pulled. */
  id: string;
  /** The reference exactly as the `models/pull` request named it (a client keys its progress by it). */
  ref?: string;
  phase: 'listing' | 'downloading' | 'verifying' | 'converting' | 'done';
  doneBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  etaSeconds?: number;
  files: FileProgress[];
  message?: string;
  /** A DeepSeek-VL checkpoint is converted to ONNX after its download (the client can split its bar). */
  convertsAfterDownload?: boolean;
  /** During `converting`: how much of the checkpoint the converter has read and written. */
  conversion?: ConversionProgress;
}
export interface ConversionProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}
/** host → client: progress of a running pull. */
export const ModelsProgressNotification = new NotificationType<ModelsProgressParams>('models/progress');

/** client → host: re-hash an installed model against its manifest. */
export const ModelsVerifyRequest = new RequestType<{ id: string; store?: string }, { ok: boolean; problems: string[] }, void>('models/verify');
/** client → host: delete an installed model (not a registered local folder's files). */
export const ModelsRemoveRequest = new RequestType<{ id: string; store?: string }, { removed: boolean }, void>('models/remove');
/** client → host: register a folder the user already has as a model. */
export const ModelsRegisterRequest = new RequestType<{ dir: string; id?: string; store?: string }, InstalledModelInfo, void>('models/register');

/**
 * client → host: make a model the active one (loaded lazily on the next task). An empty id clears
 * the choice: tasks then use the recommended installed model, which the answer names (NoModel if none).
 */
export const ModelsSelectRequest = new RequestType<{ id: string }, { model: ActiveModelInfo }, void>('models/select');

// ---------------------------------------------------------------------------------------------
// task/*: the visual coding tasks

export interface TaskOptionInfo {
  /** e.g. `stack`, `library`, `target`. */
  name: string;
  title: string;
  choices: TaskChoiceInfo[];
  default: string;
}
export interface TaskChoiceInfo {
  id: string;
  title: string;
  language: string;
  /** How the panel previews the code (default: from the language). */
  preview?: PreviewRuntime;
  /** The user's own stack (`visualCoder.customStacks`, `--stacks FILE`). */
  custom?: boolean;
}

export interface TaskListParams {
  /** Stacks to list beside the built-in ones under ui-to-code. */
  customStacks?: CustomStack[];
}

export interface TaskInfo {
  id: string;
  title: string;
  /** The VS Code language id of the output (`markdown` for explanations); per choice when options exist. */
  language: string;
  options: TaskOptionInfo[];
  /** Which engines can run it (`vlm`, `ocr`, `remote`). */
  engines: string[];
}
/** client → host: the task registry, for quick picks (`{}`: the built-in stacks only). */
export const TaskListRequest = new RequestType<TaskListParams, TaskInfo[], void>('task/list');

export interface TaskRunParams {
  /** Chosen by the client; tags the `task/delta` notifications of this run. */
  runId: string;
  taskId: string;
  image: ImageInput;
  /** Option name → choice id, e.g. `{ stack: 'react-tailwind' }`. */
  options?: Record<string, string>;
  /** Extra instruction from the user, appended to the task's prompt. */
  instruction?: string;
  generation?: GenerationOptions;
  backend?: BackendConfig;
  /** Put OCR-detected text with positions into the prompt (`visualCoder.ocrAugmentedPrompts`). */
  ocrAugment?: boolean;
  /** The user's stacks, so `options.stack` may name one of them. */
  customStacks?: CustomStack[];
}

export interface TaskDeltaParams {
  runId: string;
  /** New raw model text since the last delta. */
  text: string;
}
/** host → client: streamed text of a running task. */
export const TaskDeltaNotification = new NotificationType<TaskDeltaParams>('task/delta');

export interface OcrLineInfo {
  text: string;
  confidence: number;
  /** [x0, y0, x1, y1] in image pixels. */
  box: [number, number, number, number];
  /** Character offsets in `text` whose confidence is low. */
  lowConfidence?: number[];
  /** Set when the line's layout was inferred with low certainty: its indentation, or the gutter removed from it. */
  layoutDoubt?: 'indentation' | 'gutter';
}

export interface TaskRunResult {
  runId: string;
  /** Everything the model produced. */
  raw: string;
  /** After the task's post-processor: the code block, or Markdown for explanations. */
  output: string;
  language: string;
  /** `error`: the output stopped early (e.g. a remote stream cut off); `raw` keeps what came, `error` says why. */
  finishReason: 'stop' | 'length' | 'cancelled' | 'error';
  error?: string;
  tokens?: number[];
  device?: DeviceKind | 'remote';
  model?: string;
  timings: Timings;
  /** For OCR tasks: the lines with confidence and boxes. */
  lines?: OcrLineInfo[];
}
/** client → host: run a task on an image; deltas stream as `task/delta`; cancelling keeps the partial text in the result. */
export const TaskRunRequest = new RequestType<TaskRunParams, TaskRunResult, void>('task/run');

// ---------------------------------------------------------------------------------------------
// Images from outside the editor

export interface ClipboardImageResult {
  /** Base64 of the clipboard's PNG: bytes, not a file, so no screenshot is left on disk for others to read. */
  base64: string;
  width: number;
  height: number;
}
/** client → host: read an image from the system clipboard with the platform's tool. */
export const ClipboardReadImageRequest = new RequestType0<ClipboardImageResult, void>('clipboard/readImage');

// ---------------------------------------------------------------------------------------------
// remote/*: OpenAI-compatible servers

/** Whether a server's model reads images, and who said so (the server's metadata, or a probe). */
export interface RemoteModelInfo {
  id: string;
  vision: 'yes' | 'no' | 'unknown';
  /** e.g. "Ollama’s capabilities", "LM Studio (type vlm)", "a one-pixel image it answered". */
  source?: string;
}
/** client → host: `GET {endpoint}/models` of an OpenAI-compatible server, for a quick pick, with what each model reads. */
export const RemoteListModelsRequest = new RequestType<{ endpoint: string; apiKey?: string }, { models: string[]; details: RemoteModelInfo[] }, void>(
  'remote/listModels',
);
/** client → host: send each model a one-pixel image to learn whether it reads images (the user asks for it; it loads models). */
export const RemoteProbeVisionRequest = new RequestType<{ endpoint: string; apiKey?: string; models: string[] }, { details: RemoteModelInfo[] }, void>(
  'remote/probeVision',
);

// ---------------------------------------------------------------------------------------------
// Errors: codes, the typed error data and `HostError` live in ./errors

export { HostErrorCodes, HostError, hostErrorCode, hostErrorOf, type HostErrorCode, type HostErrorData } from './errors';
