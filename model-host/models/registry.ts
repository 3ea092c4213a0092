/**
 * The model presets Visual Coder offers, and the recommendation of one for this machine.
 *
 * Figures come from the project's research notes (shared/research, shared/docs/deepseek-vl.md):
 * where a size was not measured on the hub it is an estimate and `sizeApproximate` says so. The
 * exact bytes are always taken from the hub's file listing at download time.
 */
import { GPU_DEVICE_KINDS, type DeviceInfo, type DeviceKind } from '../protocol';

/**
 * Which files of the hub repository a preset needs: glob patterns over the repo-relative paths
 * (`*` matches within one path segment, `**` across segments).
 */
export interface PresetFileSet {
  /** Each pattern must match at least one file, or the pull stops before downloading anything. */
  include: string[];
  /** Fetched when present (configs, tokenizer, chat template). */
  optional?: string[];
}

export interface ModelPreset {
  id: string;
  displayName: string;
  family: 'deepseek-vl' | 'deepseek-vl-hybrid' | 'janus' | 'qwen2-vl';
  repo: string;
  revision: string;
  /** Files per device; `default` is used for any device without its own entry. */
  files: { default: PresetFileSet } & Partial<Record<DeviceKind, PresetFileSet>>;
  /** Download size in bytes of the default file set. */
  sizeBytes: number;
  sizeApproximate: boolean;
  licence: string;
  licenceUrl: string;
  minGpuMemoryGb: number;
  /** Memory the model needs when it runs on the CPU instead. */
  minSystemMemoryGb: number;
  goodAt: string;
  /** True when the download is a checkpoint that the host converts to ONNX afterwards. */
  needsConversion: boolean;
  /** For converted checkpoints: weights and the fp16 KV cache of a 4096-token context, for the dtype's estimates (dtype.ts). */
  conversion?: { parameters: number; contextBytes: number };
}

const GB = 1e9;
const HF_CONFIG_FILES = ['*.json', 'tokenizer*', '*.model', '*.jinja', 'onnx/*.json'];

/** The files of a published ONNX repo: the graphs a GPU loads by default, the ones a CPU loads, each with the config files. */
function onnxRepoFiles(gpu: string[], cpu: string[]): ModelPreset['files'] {
  return { default: { optional: HF_CONFIG_FILES, include: ['config.json', ...gpu] }, cpu: { optional: HF_CONFIG_FILES, include: cpu } };
}

const DEEPSEEK_LICENCE = 'DeepSeek Model License (weights; use-based restrictions) + MIT (code)';

export const PRESETS: readonly ModelPreset[] = [
  {
    id: 'deepseek-vl-1.3b-chat',
    displayName: 'DeepSeek-VL 1.3B chat',
    family: 'deepseek-vl',
    repo: 'deepseek-community/deepseek-vl-1.3b-chat',
    revision: 'main',
    files: { default: { optional: HF_CONFIG_FILES, include: ['config.json', '*.safetensors'] } },
    // ≈1.75B parameters in bf16 (shared/docs/deepseek-vl.md "Sizes to plan for").
    sizeBytes: 3.5 * GB,
    sizeApproximate: true,
    licence: DEEPSEEK_LICENCE,
    licenceUrl: 'https://github.com/deepseek-ai/DeepSeek-VL/blob/main/LICENSE-MODEL',
    minGpuMemoryGb: 4,
    minSystemMemoryGb: 8,
    goodAt: 'Small and quick: short code snippets, explanations, simple UI sketches (one 384×384 view of the image)',
    needsConversion: true,
    // 24 layers × K and V × 2048 × 2 bytes × 4096 positions.
    conversion: { parameters: 1.8e9, contextBytes: 24 * 2 * 2048 * 2 * 4096 },
  },
  {
    id: 'deepseek-vl-7b-chat',
    displayName: 'DeepSeek-VL 7B chat',
    family: 'deepseek-vl-hybrid',
    repo: 'deepseek-community/deepseek-vl-7b-chat',
    revision: 'main',
    files: { default: { optional: HF_CONFIG_FILES, include: ['config.json', '*.safetensors'] } },
    // ≈7.3B parameters in bf16 (SigLIP + SAM-B + 6.9B language model).
    sizeBytes: 14.6 * GB,
    sizeApproximate: true,
    licence: DEEPSEEK_LICENCE,
    licenceUrl: 'https://github.com/deepseek-ai/DeepSeek-VL/blob/main/LICENSE-MODEL',
    // bf16 weights ≈14 GB; the int4 conversion needs ≈5 GB, but the KV cache and vision towers need headroom.
    minGpuMemoryGb: 16,
    minSystemMemoryGb: 32,
    goodAt: 'UI screenshots to HTML (the only preset with a published Design2Code score), 1024-px high-resolution view of the image',
    needsConversion: true,
    conversion: { parameters: 7.3e9, contextBytes: 30 * 2 * 4096 * 2 * 4096 },
  },
  {
    id: 'janus-pro-1b',
    displayName: 'Janus-Pro 1B (ONNX)',
    family: 'janus',
    repo: 'onnx-community/Janus-Pro-1B-ONNX',
    revision: 'main',
    // The understanding path only; the image-generation graphs (gen_head, gen_img_embeds, image_decode) are skipped.
    files: onnxRepoFiles(
      ['onnx/prepare_inputs_embeds_q4.onnx*', 'onnx/language_model_q4f16.onnx*', 'onnx/lm_head_fp16.onnx*'],
      ['onnx/prepare_inputs_embeds_q4.onnx*', 'onnx/language_model_q4.onnx*', 'onnx/lm_head.onnx*'],
    ),
    // Estimate from the Janus-1.3B ONNX listing: q4 embeds 1.04 GB + q4f16 LM 0.70 GB + fp16 lm_head 0.42 GB.
    sizeBytes: 2.2 * GB,
    sizeApproximate: true,
    licence: 'MIT (code) + DeepSeek Model License (weights)',
    licenceUrl: 'https://github.com/deepseek-ai/Janus/blob/main/LICENSE-MODEL',
    minGpuMemoryGb: 3,
    minSystemMemoryGb: 6,
    goodAt: 'Published ONNX, no conversion step; general image questions, short code from simple images',
    needsConversion: false,
  },
  {
    id: 'qwen2-vl-2b-instruct',
    displayName: 'Qwen2-VL 2B Instruct (ONNX)',
    family: 'qwen2-vl',
    repo: 'onnx-community/Qwen2-VL-2B-Instruct',
    revision: 'main',
    files: onnxRepoFiles(
      ['onnx/embed_tokens_fp16.onnx*', 'onnx/vision_encoder_q4f16.onnx*', 'onnx/decoder_model_merged_q4f16.onnx*'],
      ['onnx/embed_tokens.onnx*', 'onnx/vision_encoder_q4.onnx*', 'onnx/decoder_model_merged_q4.onnx*'],
    ),
    // Not measured on the hub: 2.2B parameters at mostly 4-bit plus an fp16 embedding table.
    sizeBytes: 1.9 * GB,
    sizeApproximate: true,
    licence: 'Apache-2.0',
    licenceUrl: 'https://huggingface.co/Qwen/Qwen2-VL-2B-Instruct/blob/main/LICENSE',
    minGpuMemoryGb: 4,
    minSystemMemoryGb: 8,
    goodAt: 'Reading text in screenshots, documents and charts (OCRBench 794, DocVQA 90.1, ChartQA 73.5); dynamic resolution',
    needsConversion: false,
  },
];

export function findPreset(id: string): ModelPreset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** The file patterns of a preset for a device. */
export function presetFiles(preset: ModelPreset, device: DeviceKind | undefined): PresetFileSet {
  return (device && preset.files[device]) || preset.files.default;
}

/** What a `models pull` argument names: a preset, or any hub repository `org/name[@revision]`. */
export interface ModelRef {
  /** Store id: the preset id, or `org--name` (`@revision` appended when not `main`). */
  id: string;
  repo: string;
  revision: string;
  preset?: ModelPreset;
}

const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses a preset id or `org/name[@revision]`; throws with what a valid reference looks like. */
export function parseModelRef(text: string): ModelRef {
  const preset = findPreset(text);
  if (preset) return { id: preset.id, repo: preset.repo, revision: preset.revision, preset };
  const at = text.indexOf('@');
  const repo = at >= 0 ? text.slice(0, at) : text;
  const revision = at >= 0 ? text.slice(at + 1) : 'main';
  const parts = repo.split('/');
  if (parts.length !== 2 || !parts.every((p) => REPO_PART.test(p) && p !== '..') || !/^[A-Za-z0-9._/-]+$/.test(revision) || revision.includes('..')) {
    throw new Error(`"${text}" is neither a preset (${PRESETS.map((p) => p.id).join(', ')}) nor a hub repository of the form org/name[@revision]`);
  }
  const id = `${parts[0]}--${parts[1]}` + (revision === 'main' ? '' : `@${revision.replace(/\//g, '_')}`);
  return { id, repo, revision };
}

export interface Recommendation {
  id: string;
  reason: string;
}

/**
 * Picks a default preset for a machine. `gpuMemoryGb` is undefined when the GPU's memory is not known
 * (WebGPU does not tell); then the GPU is assumed to be a mid-range one (8 GB).
 */
export function recommend(devices: DeviceInfo[], gpuMemoryGb: number | undefined, systemMemoryGb: number): Recommendation {
  const gpu = devices.find((d) => d.available && GPU_DEVICE_KINDS.includes(d.kind));
  if (gpu) {
    const mem = gpuMemoryGb ?? 8;
    const known = gpuMemoryGb === undefined ? 'GPU memory not reported, assuming 8 GB' : `${mem} GB of GPU memory`;
    if (mem >= 16) {
      return { id: 'deepseek-vl-7b-chat', reason: `${gpu.kind} with ${known}: room for the 7B model, the strongest at UI screenshots → HTML` };
    }
    if (mem >= 4) {
      return {
        id: 'qwen2-vl-2b-instruct',
        reason: `${gpu.kind} with ${known}: the 2B model fits and reads text in images best of the small presets (Apache-2.0)`,
      };
    }
    return { id: 'janus-pro-1b', reason: `${gpu.kind} with ${known}: only the smallest model (about 3 GB) fits` };
  }
  if (systemMemoryGb >= 8) {
    return {
      id: 'deepseek-vl-1.3b-chat',
      reason: `no GPU device available, ${Math.round(systemMemoryGb)} GB of RAM: the 1.3B model is the quickest on the CPU`,
    };
  }
  return { id: 'janus-pro-1b', reason: `no GPU device and only ${Math.round(systemMemoryGb)} GB of RAM: the smallest download (4-bit ONNX)` };
}
