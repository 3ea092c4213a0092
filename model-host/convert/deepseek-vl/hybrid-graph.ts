/**
 * The DeepSeek-VL-7B (`deepseek_vl_hybrid`) vision encoder graph: SigLIP (low-res, H2a's tower) + the SAM
 * branch + the hybrid aligner, following Hugging Face's `DeepseekVLHybridModel.get_image_features`:
 *
 *   sam = SAM encoder(high_res_pixel_values)                       (last_hidden_state after SAM's neck)
 *   global = high_res_vision_neck(hidden state of the first global-attention layer)
 *   high = proj(sam) + proj(global) · high_res_vision_alpha        (proj = bilinear resize to 4·grid,
 *                                                                   two stride-2 3×3 convs)
 *   high → [B, grid², 4·out_channels]
 *   image_features = proj(GELU(concat[high_res_vision_proj(high), vision_proj(siglip)]))
 *
 * Outputs: `image_features`, plus `vision_last_hidden_state` (SigLIP) and
 * `high_res_vision_last_hidden_state` (the SAM branch before the aligner) for parity checks.
 */
import type { Checkpoint } from '../../formats/safetensors';
import { DataType, GraphBuilder } from '../onnx/graph-builder';
import { writeGraphFile } from '../onnx/graph-file';
import { ConvertError, type DeepseekVlConfig } from './hf-config';
import { HYBRID_ALPHA, HYBRID_NECK_PREFIX, HYBRID_PROJ_PREFIX, hybridTensors, readSamConfig, type SamConfig } from './sam-config';
import { buildSamEncoder, samNeck } from './sam-graph';
import { buildSiglipTower, geluErf } from './siglip-graph';
import { VISION_ENCODER } from './vision-encoder-graph';
import { Weights } from './weights';

/** HF `DeepseekVLSamVisionProj`: bilinear (align_corners=False) to 4·grid, then two stride-2 convolutions. */
function samProj(g: GraphBuilder, x: string, grid: number, convWeights: [string, string]): string {
  const size = 4 * grid;
  const sizes = g.op1('Concat', [g.shape(x, 0, 2), g.constI64([size, size])], { axis: 0 });
  // pytorch_half_pixel is PyTorch's align_corners=False mapping (also for a size-1 output).
  const resized = g.op1('Resize', [x, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' });
  const conv = (t: string, weight: string) => g.op1('Conv', [t, weight], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  return conv(conv(resized, convWeights[0]), convWeights[1]);
}

/**
 * The SAM branch of the hybrid model on `highResPixels` [B, 3, S_hr, S_hr]; returns
 * `high_res_vision_last_hidden_state` [B, grid², 4·out_channels] where grid is SigLIP's patch grid.
 */
export function buildSamBranch(g: GraphBuilder, w: Weights, sam: SamConfig, highResPixels: string, siglipGrid: number): string {
  const enc = buildSamEncoder(g, w, sam, highResPixels);
  // One projection module serves both paths in HF, so its weights are stored once.
  const proj: [string, string] = [w.raw(`${HYBRID_PROJ_PREFIX}conv1.weight`), w.raw(`${HYBRID_PROJ_PREFIX}conv2.weight`)];
  const last = samProj(g, enc.lastHiddenState, siglipGrid, proj);
  const global = samProj(g, samNeck(g, w, enc.firstGlobalHiddenState, HYBRID_NECK_PREFIX), siglipGrid, proj);
  const mixed = g.add(last, g.mul(global, w.raw(HYBRID_ALPHA)));
  return g.reshape(g.transpose(mixed, [0, 2, 3, 1]), [0, -1, 4 * sam.outputChannels]);
}

/** HF `DeepseekVLHybridAligner`: the high-res projection goes first in the concatenation. */
export function buildHybridAligner(g: GraphBuilder, w: Weights, lowRes: string, highRes: string): string {
  const lo = w.applyLinear(lowRes, 'model.aligner.vision_proj', true);
  const hi = w.applyLinear(highRes, 'model.aligner.high_res_vision_proj', true);
  const joined = g.op1('Concat', [hi, lo], { axis: -1 });
  return w.applyLinear(geluErf(g, joined), 'model.aligner.proj', true);
}

/** Checks every SAM/aligner tensor against the config (−1 in an expected shape matches any size). */
export function checkHybridTensors(ckpt: Checkpoint, cfg: DeepseekVlConfig, sam: SamConfig): void {
  for (const [name, shape] of hybridTensors(cfg, sam)) {
    const info = ckpt.get(name);
    if (info.shape.length !== shape.length || info.shape.some((d, i) => shape[i] !== -1 && d !== shape[i])) {
      throw new ConvertError(
        `tensor ${name} has shape [${info.shape.join(', ')}] but the config implies [${shape.map((d) => (d === -1 ? '*' : d)).join(', ')}] (file ${info.file})`,
      );
    }
  }
  const textHidden = cfg.text.hiddenSize;
  if (textHidden % 2 !== 0) throw new ConvertError('config.json: text hidden_size must be even for the hybrid aligner');
}

/** Writes `onnx/vision_encoder{suffix}.onnx` (+ `.onnx_data`) for a `deepseek_vl_hybrid` checkpoint. */
export function writeHybridVisionEncoder(ckpt: Checkpoint, cfg: DeepseekVlConfig, onnxDir: string, suffix = ''): void {
  const sam = readSamConfig(cfg.highResVision);
  checkHybridTensors(ckpt, cfg, sam);
  writeGraphFile(`${onnxDir}/${VISION_ENCODER}${suffix}`, VISION_ENCODER, (g) => {
    const w = new Weights(ckpt, g);
    const S = cfg.vision.imageSize;
    const px = g.input('pixel_values', DataType.FLOAT, ['batch_size', cfg.vision.numChannels, S, S]);
    const hr = g.input('high_res_pixel_values', DataType.FLOAT, ['batch_size', sam.numChannels, sam.imageSize, sam.imageSize]);
    const low = buildSiglipTower(g, w, cfg.vision, px);
    const high = buildSamBranch(g, w, sam, hr, cfg.vision.imageSize / cfg.vision.patchSize);
    const features = buildHybridAligner(g, w, low, high);
    const n = cfg.numImageTokens;
    g.output('image_features', DataType.FLOAT, ['batch_size', n, cfg.text.hiddenSize], features);
    g.output('vision_last_hidden_state', DataType.FLOAT, ['batch_size', n, cfg.vision.hiddenSize], low);
    g.output('high_res_vision_last_hidden_state', DataType.FLOAT, ['batch_size', n, 4 * sam.outputChannels], high);
  });
}
