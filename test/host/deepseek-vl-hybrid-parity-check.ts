/**
 * Parity measurement for a converted DeepSeek-VL folder against the reference fixture, on one
 * onnxruntime-node execution provider. Run as a child process by the parity tests (WebGPU needs its
 * Vulkan environment set before the process starts):
 *
 *   node --import tsx test/host/deepseek-vl-hybrid-parity-check.ts cpu|webgpu GREEDY_N MODEL_DIR FIXTURE_DIR [MODEL_DIR FIXTURE_DIR ...]
 *
 * Prints one JSON line per model: { device, hybrid, maxAbs: { siglip, sam?, aligned, logits }, scale, greedy? },
 * where each maxAbs is the largest absolute difference to the reference `.npy` (vision outputs from the
 * real converted vision_encoder graph, logits at every prompt position from embed_tokens + image merge +
 * decoder_model_merged with an empty KV cache). With GREEDY_N > 0 it also generates GREEDY_N tokens
 * through the product runtime (`DeepseekVlEngine`, KV cache kept on the device) and reports them with
 * the device the engine actually used. Several models share one process because starting WebGPU on
 * SwiftShader costs seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DeepseekVlEngine, type RawInputs } from '../../model-host/engines/deepseek-vl/engine';
import { readNpy } from '../../model-host/formats/npy';

type Result = Record<string, number>;

function maxAbs(got: Float32Array, ref: Float32Array, what: string): number {
  if (got.length !== ref.length) throw new Error(`${what}: ${got.length} values, reference has ${ref.length}`);
  let m = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function largest(ref: Float32Array): number {
  let m = 0;
  for (const v of ref) m = Math.max(m, Math.abs(v));
  return m;
}

async function checkModel(device: string, greedyTokens: number, modelDir: string, fixture: string): Promise<void> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: [device === 'webgpu' ? 'webgpu' : 'cpu'] };
  const open = (name: string) => ort.InferenceSession.create(join(modelDir, 'onnx', `${name}.onnx`), options);
  const f32 = (name: string) => readNpy(join(fixture, `${name}.npy`)).data as Float32Array;
  const ref = JSON.parse(readFileSync(join(fixture, 'reference.json'), 'utf8')) as { input_ids: number[]; image_token_id: number };
  const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as {
    text_config: { hidden_size: number; num_hidden_layers: number; num_key_value_heads: number; head_dim?: number; num_attention_heads: number };
    visual_coder?: { kv_dtype?: string };
  };

  const maxAbsOut: Result = {};
  const scale: Result = {};
  const compare = (key: string, got: Float32Array, refName: string) => {
    const r = f32(refName);
    maxAbsOut[key] = maxAbs(got, r, key);
    scale[key] = largest(r);
  };

  const vision = await open('vision_encoder');
  const px = readNpy(join(fixture, 'ref_pixel_values.npy'));
  const feeds: Record<string, ort.Tensor> = { pixel_values: new ort.Tensor('float32', px.data as Float32Array, px.shape) };
  const hybrid = vision.inputNames.includes('high_res_pixel_values');
  if (hybrid) {
    const hr = readNpy(join(fixture, 'ref_high_res_pixel_values.npy'));
    feeds.high_res_pixel_values = new ort.Tensor('float32', hr.data as Float32Array, hr.shape);
  }
  const vout = await vision.run(feeds);
  compare('siglip', vout.vision_last_hidden_state.data as Float32Array, 'ref_image_last_hidden_state');
  if (hybrid) compare('sam', vout.high_res_vision_last_hidden_state.data as Float32Array, 'ref_image_high_res_vision_last_hidden_state');
  const features = vout.image_features.data as Float32Array;
  compare('aligned', features, 'ref_image_pooler_output');

  const ids = ref.input_ids;
  const L = ids.length;
  const H = config.text_config.hidden_size;
  const decoder = await open('decoder_model_merged');
  const t = config.text_config;
  const headDim = t.head_dim ?? H / t.num_attention_heads;
  const imagePositions = ids.flatMap((id, i) => (id === ref.image_token_id ? [i] : []));
  const positions = new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(i))), [1, L]);
  const allLogits = new ort.Tensor('int64', BigInt64Array.of(0n), []); // 0: logits at every prompt position
  let dfeeds: Record<string, ort.Tensor>;
  const sessions = [vision, decoder];
  if (decoder.inputNames.includes('seqlens_k')) {
    // kv-rows decoder: token ids and image features in, an empty cache of its KV type.
    const half = config.visual_coder?.kv_dtype === 'fp16';
    dfeeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, L]),
      image_features: new ort.Tensor('float32', features, [imagePositions.length, H]),
      image_positions: new ort.Tensor('int64', BigInt64Array.from(imagePositions.map(BigInt)), [imagePositions.length]),
      position_ids: positions,
      seqlens_k: new ort.Tensor('int32', Int32Array.of(L - 1), [1]),
      total_sequence_length: new ort.Tensor('int32', Int32Array.of(L), []),
      num_logits_to_keep: allLogits,
    };
    for (const name of decoder.inputNames) {
      if (name.startsWith('past_key_values.')) {
        dfeeds[name] = half
          ? new ort.Tensor('float16', new Uint16Array(0), [1, t.num_key_value_heads, 0, headDim])
          : new ort.Tensor('float32', new Float32Array(0), [1, t.num_key_value_heads, 0, headDim]);
      }
    }
  } else {
    const embed = await open('embed_tokens');
    sessions.push(embed);
    const eout = await embed.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, L]) });
    const embeds = new Float32Array(eout.inputs_embeds.data as Float32Array);
    imagePositions.forEach((pos, k) => embeds.set(features.subarray(k * H, (k + 1) * H), pos * H));
    dfeeds = {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, L, H]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(L).fill(1n), [1, L]),
      position_ids: positions,
      num_logits_to_keep: allLogits,
    };
    for (const name of decoder.inputNames) {
      if (name.startsWith('past_key_values.')) dfeeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, t.num_key_value_heads, 0, headDim]);
    }
  }
  const dout = await decoder.run(dfeeds);
  compare('logits', dout.logits.data as Float32Array, 'ref_logits');
  for (const s of sessions) await s.release();

  let greedy: { tokens: number[]; device: string } | undefined;
  if (greedyTokens > 0) {
    const engine = await DeepseekVlEngine.load(modelDir, device === 'webgpu' ? 'webgpu' : 'cpu', () => undefined);
    const raw: RawInputs = { inputIds: ids, pixelValues: { data: px.data as Float32Array, dims: px.shape } };
    if (hybrid) {
      const hr = readNpy(join(fixture, 'ref_high_res_pixel_values.npy'));
      raw.highResPixelValues = { data: hr.data as Float32Array, dims: hr.shape };
    }
    const out = await engine.generateFromInputs(
      raw,
      { maxNewTokens: greedyTokens },
      { isCancelled: () => false, onText: () => undefined, log: () => undefined },
    );
    greedy = { tokens: out.tokens ?? [], device: engine.device };
    await engine.dispose();
  }
  process.stdout.write(`${JSON.stringify({ device, hybrid, maxAbs: maxAbsOut, scale, greedy })}\n`);
}

async function main(): Promise<void> {
  const [device, greedy, ...pairs] = process.argv.slice(2);
  for (let i = 0; i + 1 < pairs.length; i += 2) await checkModel(device, Number(greedy), pairs[i], pairs[i + 1]);
}

main().catch((e: unknown) => {
  process.stderr.write(`parity check failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
