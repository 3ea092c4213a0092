/**
 * Input and output names of the kv-rows decoder (built by convert/deepseek-vl/fast-decoder.ts,
 * fed by decoder-steppers.ts): the contract both sides of the conversion share.
 */
export const KV_ROWS = {
  ids: 'input_ids',
  imageFeatures: 'image_features',
  imagePositions: 'image_positions',
  positions: 'position_ids',
  seqlensK: 'seqlens_k',
  total: 'total_sequence_length',
  past: (i: number, kv: 'key' | 'value') => `past_key_values.${i}.${kv}`,
  rows: (i: number, kv: 'key' | 'value') => `present_rows.${i}.${kv}`,
  present: (i: number, kv: 'key' | 'value') => `present.${i}.${kv}`,
} as const;
