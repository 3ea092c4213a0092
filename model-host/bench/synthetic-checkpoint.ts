/**
 * Checkpoints of the real DeepSeek-VL configurations with seeded random weights, written by the host
 * itself in the Hugging Face layout (config.json, model.safetensors in bf16 with the real tensor names
 * and shapes, and the processor files of a transformers 5.x checkpoint), so speed and memory can be
 * measured at real size without downloading anything. `layers` shortens the language model (and the
 * vision towers in proportion) for quick runs and CI.
 *
 * Weights are drawn like transformers initialises them (normal with std 0.02 for matrices, ones for
 * norms, zeros for biases): the numbers are meaningless, their shapes and their cost are real.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../formats/safetensors-writer';
import { alignerTensors, siglipTensors, textTensors } from '../convert/deepseek-vl/expected-tensors';
import { readDeepseekVlConfig } from '../convert/deepseek-vl/hf-config';
import { hybridTensors, readSamConfig, relPosLength } from '../convert/deepseek-vl/sam-config';
import { CONVERSION_SCRIPT_CHAT_TEMPLATE } from '../engines/deepseek-vl/default-chat-template';
import { defaultImageProcessorConfig } from '../engines/deepseek-vl/image-processor';

export const SYNTHETIC_MODELS = ['deepseek-vl-1.3b', 'deepseek-vl-7b', 'tiny'] as const;
export type SyntheticModel = (typeof SYNTHETIC_MODELS)[number];

/** Token ids of the real DeepSeek-VL tokenizer's special tokens (vocabulary of 102400). */
const REAL_SPECIAL = { bos: 100000, eos: 100001, pad: 100002, image: 100015 };

interface Shape {
  text: { hidden: number; intermediate: number; layers: number; heads: number; vocab: number; positions: number };
  vision: { hidden: number; intermediate: number; layers: number; heads: number; image: number; patch: number };
  /** SAM-B high-res tower of the 7B hybrid. */
  sam?: { hidden: number; mlp: number; layers: number; heads: number; image: number; window: number; global: number[]; outputChannels: number };
  special: typeof REAL_SPECIAL;
}

const SHAPES: Record<SyntheticModel, Shape> = {
  // deepseek-vl-1.3b-chat: DeepSeek-LLM 1.3B + SigLIP-L/16 at 384 px.
  'deepseek-vl-1.3b': {
    text: { hidden: 2048, intermediate: 5504, layers: 24, heads: 16, vocab: 102400, positions: 4096 },
    vision: { hidden: 1024, intermediate: 4096, layers: 24, heads: 16, image: 384, patch: 16 },
    special: REAL_SPECIAL,
  },
  // deepseek-vl-7b-chat: DeepSeek-LLM 7B + SigLIP-L at 384 px + SAM-B at 1024 px.
  'deepseek-vl-7b': {
    text: { hidden: 4096, intermediate: 11008, layers: 30, heads: 32, vocab: 102400, positions: 4096 },
    vision: { hidden: 1024, intermediate: 4096, layers: 24, heads: 16, image: 384, patch: 16 },
    sam: { hidden: 768, mlp: 3072, layers: 12, heads: 12, image: 1024, window: 14, global: [2, 5, 8, 11], outputChannels: 256 },
    special: REAL_SPECIAL,
  },
  // The shape of the tiny reference fixture (hidden 64, 2 layers, 64 px SigLIP: 16 image tokens).
  tiny: {
    text: { hidden: 64, intermediate: 128, layers: 2, heads: 4, vocab: 512, positions: 4096 },
    vision: { hidden: 32, intermediate: 64, layers: 2, heads: 2, image: 64, patch: 16 },
    special: { bos: 508, eos: 509, pad: 510, image: 511 },
  },
};

/** A small, fast, seeded generator (xorshift32) of normally distributed values (Box–Muller). */
class Normal {
  private state: number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  private uniform(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return (this.state + 0.5) / 4294967296;
  }
  next(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const a = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

/** bf16 bits of a float32, rounded to nearest even as torch's cast does. */
function toBf16(value: number, f: Float32Array, u: Uint32Array): number {
  f[0] = value;
  return (u[0] + 0x7fff + ((u[0] >>> 16) & 1)) >>> 16;
}

/**
 * Seeded N(0, std²) values as bf16, fast enough for a 7B checkpoint: 65 536 normals are drawn once
 * (Box–Muller) and each weight picks one with a xorshift step, about a nanosecond a value instead of
 * two logarithms and a square root.
 */
class NormalBf16 {
  private readonly table = new Uint16Array(1 << 16);
  private state: number;
  constructor(seed: number, std: number) {
    const random = new Normal(seed);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < this.table.length; i++) this.table[i] = toBf16(std * random.next(), f, u);
    this.state = (seed * 2654435761) >>> 0 || 1;
  }
  fill(out: Uint16Array): void {
    let x = this.state;
    const t = this.table;
    for (let i = 0; i < out.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = t[x >>> 16];
    }
    this.state = x >>> 0;
  }
}

/** bf16 bytes of `count` values, in pieces of 4 M values: a constant, or drawn from `normal`. */
function* bf16Pieces(count: number, init: 'ones' | 'zeros' | 'normal', normal: NormalBf16): Generator<Uint8Array> {
  const constant = init === 'ones' ? 0x3f80 : 0; // bf16 of 1.0 and 0.0
  for (let start = 0; start < count; start += 1 << 22) {
    const out = new Uint16Array(Math.min(1 << 22, count - start));
    if (init === 'normal') normal.fill(out);
    else if (constant) out.fill(constant);
    yield new Uint8Array(out.buffer);
  }
}

/** How a tensor is initialised, from its name (transformers' `_init_weights` conventions). */
function initOf(name: string): 'ones' | 'zeros' | 'normal' {
  if (/(norm|layernorm|layer_norm)\d*\.weight$|norm\.weight$/.test(name)) return 'ones';
  if (/(\.bias|_bias)$/.test(name)) return 'zeros';
  return 'normal';
}

export interface SyntheticOptions {
  model: SyntheticModel;
  /** Language-model layers (default: the real count); the vision towers shrink in proportion. */
  layers?: number;
  seed?: number;
}

/** The Hugging Face `config.json` of a synthetic model (what `save_pretrained` writes, the fields we read). */
export function syntheticConfig(options: SyntheticOptions): Record<string, unknown> {
  const s = SHAPES[options.model];
  const layers = options.layers ?? s.text.layers;
  const scale = (n: number) => Math.max(1, Math.round((n * layers) / s.text.layers));
  const text = {
    model_type: 'llama',
    vocab_size: s.text.vocab,
    hidden_size: s.text.hidden,
    intermediate_size: s.text.intermediate,
    num_hidden_layers: layers,
    num_attention_heads: s.text.heads,
    num_key_value_heads: s.text.heads,
    head_dim: s.text.hidden / s.text.heads,
    max_position_embeddings: s.text.positions,
    rms_norm_eps: 1e-6,
    rope_parameters: { rope_theta: 10000.0, rope_type: 'default' },
    bos_token_id: s.special.bos,
    eos_token_id: s.special.eos,
    pad_token_id: s.special.pad,
    hidden_act: 'silu',
    tie_word_embeddings: false,
  };
  const vision = {
    model_type: 'siglip_vision_model',
    hidden_size: s.vision.hidden,
    intermediate_size: s.vision.intermediate,
    num_hidden_layers: scale(s.vision.layers),
    num_attention_heads: s.vision.heads,
    image_size: s.vision.image,
    patch_size: s.vision.patch,
    num_channels: 3,
    layer_norm_eps: 1e-6,
    hidden_act: 'gelu_pytorch_tanh',
  };
  const config: Record<string, unknown> = {
    architectures: [s.sam ? 'DeepseekVLHybridForConditionalGeneration' : 'DeepseekVLForConditionalGeneration'],
    model_type: s.sam ? 'deepseek_vl_hybrid' : 'deepseek_vl',
    image_token_id: s.special.image,
    text_config: text,
    vision_config: vision,
    tie_word_embeddings: false,
    visual_coder_synthetic: { model: options.model, layers, seed: options.seed ?? 0 },
  };
  if (s.sam) {
    const samLayers = scale(s.sam.layers);
    const global = s.sam.global.filter((i) => i < samLayers);
    config.high_res_vision_config = {
      model_type: 'sam_vision_model',
      hidden_size: s.sam.hidden,
      mlp_dim: s.sam.mlp,
      num_hidden_layers: samLayers,
      num_attention_heads: s.sam.heads,
      image_size: s.sam.image,
      patch_size: 16,
      num_channels: 3,
      window_size: s.sam.window,
      global_attn_indexes: global.length ? global : [samLayers - 1],
      output_channels: s.sam.outputChannels,
      layer_norm_eps: 1e-6,
      qkv_bias: true,
      use_abs_pos: true,
      use_rel_pos: true,
      hidden_act: 'gelu',
    };
  }
  return config;
}

/**
 * A byte-level BPE tokenizer with the real vocabulary size and the real special tokens at the real
 * ids: ids 0..255 are the bytes, every other id is a distinct three-letter ASCII word, so whatever
 * the random model generates decodes to text like a real tokenizer's output would.
 */
function tokenizerJson(special: Shape['special'], vocabSize: number): Record<string, unknown> {
  // GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest above U+0100.
  const printable = new Set([...range(33, 126), ...range(161, 172), ...range(174, 255)]);
  let extra = 0;
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[String.fromCodePoint(printable.has(b) ? b : 256 + extra++)] = b;
  const specialIds = new Set([special.bos, special.eos, special.pad, special.image]);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let id = 256, n = 0; id < vocabSize; id++) {
    if (specialIds.has(id)) continue;
    const word = letters[n % 26] + letters[Math.floor(n / 26) % 26] + letters[Math.floor(n / 676) % 26] + (n >= 17576 ? String(Math.floor(n / 17576)) : '');
    vocab[word] = id;
    n++;
  }
  const added = [
    [special.bos, '<｜begin▁of▁sentence｜>'],
    [special.eos, '<｜end▁of▁sentence｜>'],
    [special.pad, '<｜▁pad▁｜>'],
    [special.image, '<image_placeholder>'],
  ].map(([id, content]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<｜begin▁of▁sentence｜>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<｜begin▁of▁sentence｜>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<｜begin▁of▁sentence｜>': { id: '<｜begin▁of▁sentence｜>', ids: [special.bos], tokens: ['<｜begin▁of▁sentence｜>'] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/**
 * SigLIP's attention-pooling head, which `save_pretrained` writes although DeepSeek-VL reads the
 * last hidden state (the converter skips it; a real download carries its bytes all the same).
 */
function siglipHeadTensors(H: number, I: number): [string, number[]][] {
  const p = 'model.vision_model.head.';
  return [
    [`${p}probe`, [1, 1, H]],
    [`${p}attention.in_proj_weight`, [3 * H, H]],
    [`${p}attention.in_proj_bias`, [3 * H]],
    [`${p}attention.out_proj.weight`, [H, H]],
    [`${p}attention.out_proj.bias`, [H]],
    [`${p}layernorm.weight`, [H]],
    [`${p}layernorm.bias`, [H]],
    [`${p}mlp.fc1.weight`, [I, H]],
    [`${p}mlp.fc1.bias`, [I]],
    [`${p}mlp.fc2.weight`, [H, I]],
    [`${p}mlp.fc2.bias`, [H]],
  ];
}

/** Writes the checkpoint into `dir`; returns its parameter count. */
export function writeSyntheticCheckpoint(dir: string, options: SyntheticOptions): { parameters: number; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const config = syntheticConfig(options);
  const s = SHAPES[options.model];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const cfg = readDeepseekVlConfig(dir);
  const hybrid = cfg.modelType === 'deepseek_vl_hybrid';
  const expected: [string, number[]][] = [...siglipTensors(cfg), ...textTensors(cfg, true)];
  if (hybrid) {
    const sam = readSamConfig(cfg.highResVision);
    expected.push(
      ...hybridTensors(cfg, sam).map(([name, shape]): [string, number[]] => {
        const layer = /layers\.(\d+)\.attn\.rel_pos/.exec(name);
        return [name, shape.map((d) => (d === -1 && layer ? relPosLength(sam, Number(layer[1])) : d))];
      }),
    );
  } else expected.push(...alignerTensors(cfg));
  expected.push(...siglipHeadTensors(s.vision.hidden, s.vision.intermediate));
  const normal = new NormalBf16(options.seed ?? 0, 0.02);
  const tensors: TensorToWrite[] = expected.map(([name, shape]) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const init = name.endsWith('high_res_vision_alpha') ? 'ones' : initOf(name);
    return { name, dtype: 'BF16', shape, bytes: () => bf16Pieces(count, init, normal) };
  });
  writeSafetensors(join(dir, 'model.safetensors'), tensors);
  writeProcessorFiles(dir, config, s.special, s.text.vocab);
  const parameters = expected.reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
  return { parameters, bytes: parameters * 2 };
}

/** The processor files of a transformers 5.x checkpoint: tokenizer, processor config, chat template. */
function writeProcessorFiles(dir: string, config: Record<string, unknown>, special: Shape['special'], vocabSize: number): void {
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(special, vocabSize)));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify(
      {
        tokenizer_class: 'TokenizersBackend',
        bos_token: '<｜begin▁of▁sentence｜>',
        eos_token: '<｜end▁of▁sentence｜>',
        pad_token: '<｜▁pad▁｜>',
        extra_special_tokens: ['<image_placeholder>'],
        model_max_length: 16384,
      },
      null,
      2,
    ),
  );
  const vision = config.vision_config as { image_size: number; patch_size: number };
  const imageProcessor = defaultImageProcessorConfig(config as Parameters<typeof defaultImageProcessorConfig>[0]);
  writeFileSync(
    join(dir, 'processor_config.json'),
    JSON.stringify(
      { image_processor: imageProcessor, num_image_tokens: (vision.image_size / vision.patch_size) ** 2, processor_class: 'DeepseekVLProcessor' },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, 'chat_template.jinja'), CONVERSION_SCRIPT_CHAT_TEMPLATE);
  writeFileSync(
    join(dir, 'generation_config.json'),
    JSON.stringify({ bos_token_id: special.bos, eos_token_id: special.eos, pad_token_id: special.pad }, null, 2),
  );
}
