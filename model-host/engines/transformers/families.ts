/**
 * Published transformers.js VLM repos the local engine can drive through `@huggingface/transformers`:
 * Janus / Janus-Pro (`multi_modality`, e.g. onnx-community/Janus-Pro-1B-ONNX) and Qwen2-VL
 * (`qwen2_vl`, e.g. onnx-community/Qwen2-VL-2B-Instruct). This module is the pure part: which
 * ONNX file (dtype) to load for each graph on a device, per-graph device maps, and prompts.
 *
 * File names follow transformers.js: `onnx/<graph><suffix>.onnx` with the suffix of the dtype.
 * Dtypes are chosen by preference *among the files present*, so a repo downloaded with only some
 * variants still loads; fp16 variants can be ruled out (`noFp16`) after an fp16 failure.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceKind } from '../../protocol';
import type { ChatPrompt } from '../engine';

export type TransformersFamily = 'janus' | 'qwen2-vl';
export type OnnxDtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16' | 'int8' | 'uint8' | 'bnb4';

export const DTYPE_SUFFIX: Record<OnnxDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  int8: '_int8',
  uint8: '_uint8',
  bnb4: '_bnb4',
};

/** Graphs `from_pretrained` loads for each family (Janus always loads its 3 image-generation graphs too). */
export const FAMILY_GRAPHS: Record<TransformersFamily, string[]> = {
  janus: ['prepare_inputs_embeds', 'language_model', 'lm_head', 'gen_head', 'gen_img_embeds', 'image_decode'],
  'qwen2-vl': ['embed_tokens', 'vision_encoder', 'decoder_model_merged'],
};

export const FAMILY_MODEL_CLASS: Record<TransformersFamily, 'MultiModalityCausalLM' | 'Qwen2VLForConditionalGeneration'> = {
  janus: 'MultiModalityCausalLM',
  'qwen2-vl': 'Qwen2VLForConditionalGeneration',
};

type Prefs = Record<string, OnnxDtype[]>;

/** Best-first dtype preferences; GPU ones favour q4f16/fp16 (what the GPU kernels are fast at). */
const GPU_PREFS: Record<TransformersFamily, Prefs> = {
  janus: {
    prepare_inputs_embeds: ['q4', 'fp32', 'fp16'],
    language_model: ['q4f16', 'q4', 'fp16', 'fp32'],
    lm_head: ['fp16', 'fp32'],
    gen_head: ['fp16', 'q4f16', 'fp32'],
    gen_img_embeds: ['fp16', 'fp32'],
    image_decode: ['fp32', 'fp16'],
  },
  'qwen2-vl': {
    embed_tokens: ['fp16', 'fp32'],
    vision_encoder: ['q4f16', 'fp16', 'q4', 'fp32'],
    decoder_model_merged: ['q4f16', 'q4', 'fp16', 'fp32'],
  },
};
const CPU_PREFS: Record<TransformersFamily, Prefs> = {
  janus: {
    prepare_inputs_embeds: ['q4', 'fp32', 'q8'],
    language_model: ['q4', 'q8', 'fp32', 'q4f16'],
    lm_head: ['fp32', 'q8', 'fp16'],
    gen_head: ['fp32', 'fp16', 'q4f16'],
    gen_img_embeds: ['fp32', 'fp16'],
    image_decode: ['fp32', 'fp16'],
  },
  'qwen2-vl': {
    embed_tokens: ['fp32', 'q8', 'fp16'],
    vision_encoder: ['fp32', 'q8', 'q4', 'fp16'],
    decoder_model_merged: ['q4', 'q8', 'fp32', 'q4f16', 'fp16'],
  },
};

export interface FileSelection {
  /** Per-graph dtype, keyed by file base name (the key transformers.js uses). */
  dtype: Record<string, OnnxDtype>;
  /** Per-graph device. */
  device: Record<string, DeviceKind>;
  /** The ONNX files that will be loaded, relative to the model folder. */
  files: string[];
}

/**
 * Per-graph device: everything on the chosen device, except Janus's `prepare_inputs_embeds` (the
 * SigLIP + a 102400-row embedding Gather, run once per prompt) which stays on cpu next to a GPU, as
 * the Janus demos do with wasm in the browser.
 */
export function deviceMap(family: TransformersFamily, device: DeviceKind): Record<string, DeviceKind> {
  const map = Object.fromEntries(FAMILY_GRAPHS[family].map((g) => [g, device])) as Record<string, DeviceKind>;
  if (family === 'janus' && device !== 'cpu') map.prepare_inputs_embeds = 'cpu';
  return map;
}

export function selectFiles(dir: string, family: TransformersFamily, device: DeviceKind, opts: { noFp16?: boolean } = {}): FileSelection {
  const devices = deviceMap(family, device);
  const dtype: Record<string, OnnxDtype> = {};
  const files: string[] = [];
  for (const graph of FAMILY_GRAPHS[family]) {
    const prefs = (devices[graph] === 'cpu' ? CPU_PREFS : GPU_PREFS)[family][graph].filter((d) => !(opts.noFp16 && (d === 'fp16' || d === 'q4f16')));
    const found = prefs.find((d) => existsSync(join(dir, 'onnx', `${graph}${DTYPE_SUFFIX[d]}.onnx`)));
    if (!found) {
      const tried = prefs.map((d) => `onnx/${graph}${DTYPE_SUFFIX[d]}.onnx`).join(', ');
      throw new Error(`${dir} has none of ${tried}; download one of them`);
    }
    dtype[graph] = found;
    files.push(`onnx/${graph}${DTYPE_SUFFIX[found]}.onnx`);
  }
  return { dtype, device: devices, files };
}

/** Janus's conversation for VLChatProcessor (roles and image tag of the Janus-Pro chat format). */
export function janusConversation(prompt: ChatPrompt, hasImage: boolean): { role: string; content: string }[] {
  const system = prompt.system ? `${prompt.system}\n\n` : '';
  return [
    { role: '<|User|>', content: `${hasImage ? '<image_placeholder>\n' : ''}${system}${prompt.user}` },
    { role: '<|Assistant|>', content: '' },
  ];
}

/** Qwen2-VL's ChatML prompt with one image slot (the processor expands `<|image_pad|>` per image grid). */
export function qwen2VlPrompt(prompt: ChatPrompt, hasImage: boolean): string {
  const system = prompt.system ?? 'You are a helpful assistant.';
  const image = hasImage ? '<|vision_start|><|image_pad|><|vision_end|>' : '';
  return `<|im_start|>system\n${system}<|im_end|>\n<|im_start|>user\n${image}${prompt.user}<|im_end|>\n<|im_start|>assistant\n`;
}
