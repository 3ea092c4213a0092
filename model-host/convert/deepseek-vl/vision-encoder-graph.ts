/**
 * `vision_encoder.onnx` for `deepseek_vl`: pixel_values [batch_size, 3, S, S] →
 * image_features [batch_size, n_img_tokens, text_hidden] = aligner(SigLIP last_hidden_state),
 * plus `vision_last_hidden_state` (the SigLIP output) as a second output for parity checks.
 */
import type { Checkpoint } from '../../formats/safetensors';
import { DataType, GraphBuilder } from '../onnx/graph-builder';
import { writeGraphFile } from '../onnx/graph-file';
import type { DeepseekVlConfig } from './hf-config';
import { buildSiglipTower, geluErf } from './siglip-graph';
import { Weights } from './weights';

export const VISION_ENCODER = 'vision_encoder';

/** The `deepseek_vl` aligner: Linear → GELU (exact, torch nn.GELU) → Linear. */
export function buildMlpAligner(g: GraphBuilder, w: Weights, features: string): string {
  return w.applyLinear(geluErf(g, w.applyLinear(features, 'model.aligner.linear1', true)), 'model.aligner.linear2', true);
}

export function writeVisionEncoder(ckpt: Checkpoint, cfg: DeepseekVlConfig, onnxDir: string, suffix = ''): void {
  writeGraphFile(`${onnxDir}/${VISION_ENCODER}${suffix}`, VISION_ENCODER, (g) => {
    const w = new Weights(ckpt, g);
    const S = cfg.vision.imageSize;
    const px = g.input('pixel_values', DataType.FLOAT, ['batch_size', cfg.vision.numChannels, S, S]);
    const hidden = buildSiglipTower(g, w, cfg.vision, px);
    const features = buildMlpAligner(g, w, hidden);
    g.output('image_features', DataType.FLOAT, ['batch_size', cfg.numImageTokens, cfg.text.hiddenSize], features);
    g.output('vision_last_hidden_state', DataType.FLOAT, ['batch_size', cfg.numImageTokens, cfg.vision.hiddenSize], hidden);
  });
}
