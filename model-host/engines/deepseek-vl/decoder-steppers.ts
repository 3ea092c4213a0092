/**
 * One token at a time through either decoder a converted folder can hold, behind one interface so
 * the generation loop (engine.ts) does not care which:
 *
 * - `OpByOpStepper`: the reference decoder (`embed_tokens` + `decoder_model_merged` with
 *   `inputs_embeds` and the whole cache in and out as `past_key_values.*` / `present.*`).
 * - `KvRowsStepper`: the fast decoder (fast-decoder.ts): token ids and image features in; the
 *   cache kept here (kv-cache.ts, only new rows out) or on the GPU; the small inputs are allocated
 *   once and rewritten in place each step.
 */
import * as ort from 'onnxruntime-node';
import { KV_ROWS } from './kv-rows-contract';
import { KvCache } from './kv-cache';

export interface ImageEmbedding {
  /** [n, hidden] */
  features: Float32Array;
  /** The n prompt positions of the image placeholder tokens. */
  positions: number[];
}

export interface DecoderStepper {
  /** Runs the prompt (with the image written over its placeholders); the logits of its last position. */
  prefill(ids: number[], image?: ImageEmbedding): Promise<Float32Array>;
  /** Appends one token; the logits of that position. */
  step(token: number): Promise<Float32Array>;
  /** Bytes of KV cache held now. */
  readonly cacheBytes: number;
  dispose(): void;
}

export interface TextShape {
  hidden: number;
  layers: number;
  kvHeads: number;
  headDim: number;
}

function lastRow(logits: ort.Tensor): Float32Array {
  const data = logits.data as Float32Array;
  const V = logits.dims[logits.dims.length - 1];
  return data.subarray(data.length - V);
}

export function isKvRowsDecoder(session: ort.InferenceSession): boolean {
  return session.inputNames.includes(KV_ROWS.seqlensK);
}

/**
 * The kv-rows decoder. `deviceCache` false (CPU): the cache lives here, the graph returns new rows
 * only. true (WebGPU): the graph's `present.*` come back as GPU buffers and go in as the next past,
 * so the cache stays on the device; the rows are not fetched.
 */
export class KvRowsStepper implements DecoderStepper {
  private readonly cache: KvCache;
  private devicePast: Record<string, ort.Tensor> | undefined;
  private length = 0;
  private readonly fetches: string[];
  // Decode-step inputs, allocated once and rewritten in place.
  private readonly tokenIds = new BigInt64Array(1);
  private readonly tokenPosition = new BigInt64Array(1);
  private readonly seqlensK = new Int32Array(1);
  private readonly total = new Int32Array(1);
  private readonly stepFeeds: Record<string, ort.Tensor>;
  /** Decode-step outputs (CPU): logits and new rows written by ONNX Runtime into these, run after run. */
  private readonly stepFetches: Record<string, ort.Tensor> | undefined;
  private readonly deviceCache: boolean;

  constructor(
    private readonly decoder: ort.InferenceSession,
    private readonly shape: TextShape,
    private readonly half: boolean,
    onGpu: boolean,
    private readonly vocab: number,
    private readonly prefillChunk = 0,
  ) {
    // The cache stays on the GPU when the graph returns it whole (GPU folders); otherwise rows come back.
    this.deviceCache = onGpu && decoder.outputNames.includes(KV_ROWS.present(0, 'key'));
    this.cache = new KvCache(shape.layers, shape.kvHeads, shape.headDim, half);
    const perLayer = (name: (i: number, kv: 'key' | 'value') => string) =>
      Array.from({ length: shape.layers }, (_, i) => [name(i, 'key'), name(i, 'value')]).flat();
    this.fetches = ['logits', ...perLayer(this.deviceCache ? KV_ROWS.present : KV_ROWS.rows)];
    if (this.deviceCache) this.devicePast = this.emptyPast();
    else this.stepFetches = this.rowFetches(1);
    this.stepFeeds = {
      [KV_ROWS.ids]: new ort.Tensor('int64', this.tokenIds, [1, 1]),
      [KV_ROWS.positions]: new ort.Tensor('int64', this.tokenPosition, [1, 1]),
      [KV_ROWS.seqlensK]: new ort.Tensor('int32', this.seqlensK, [1]),
      [KV_ROWS.total]: new ort.Tensor('int32', this.total, []),
      [KV_ROWS.imageFeatures]: new ort.Tensor('float32', new Float32Array(0), [0, shape.hidden]),
      [KV_ROWS.imagePositions]: new ort.Tensor('int64', new BigInt64Array(0), [0]),
      num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(1n), []),
    };
  }

  /** Output tensors for a run over `count` positions: the last position's logits and each layer's new rows. */
  private rowFetches(count: number): Record<string, ort.Tensor> {
    const width = this.shape.kvHeads * this.shape.headDim;
    const fetches: Record<string, ort.Tensor> = { logits: new ort.Tensor('float32', new Float32Array(this.vocab), [1, 1, this.vocab]) };
    for (let i = 0; i < this.shape.layers; i++) {
      for (const kv of ['key', 'value'] as const) {
        const n = count * width;
        fetches[KV_ROWS.rows(i, kv)] = this.half
          ? new ort.Tensor('float16', new Uint16Array(n), [1, count, width])
          : new ort.Tensor('float32', new Float32Array(n), [1, count, width]);
      }
    }
    return fetches;
  }

  private emptyPast(): Record<string, ort.Tensor> {
    const dims = [1, this.shape.kvHeads, 0, this.shape.headDim];
    const past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < this.shape.layers; i++) {
      for (const kv of ['key', 'value'] as const) {
        past[KV_ROWS.past(i, kv)] = this.half ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
      }
    }
    return past;
  }

  get cacheBytes(): number {
    if (!this.deviceCache) return this.cache.bytes;
    return 2 * this.shape.layers * this.shape.kvHeads * this.length * this.shape.headDim * (this.half ? 2 : 4);
  }

  private async run(feeds: Record<string, ort.Tensor>, count: number, fetches?: Record<string, ort.Tensor>): Promise<Float32Array> {
    if (this.devicePast) {
      const out = await this.decoder.run({ ...feeds, ...this.devicePast }, this.fetches);
      disposeGpu(this.devicePast);
      this.devicePast = {};
      for (let i = 0; i < this.shape.layers; i++) {
        for (const kv of ['key', 'value'] as const) this.devicePast[KV_ROWS.past(i, kv)] = out[KV_ROWS.present(i, kv)];
      }
      this.length += count;
      return lastRow(out.logits);
    }
    // CPU: ONNX Runtime writes the logits and rows straight into `fetches`' arrays (no output copies).
    const into = fetches ?? this.rowFetches(count);
    await this.decoder.run({ ...feeds, ...this.cache.feeds(KV_ROWS.past) }, into);
    this.cache.append(into, KV_ROWS.rows, count);
    this.length += count;
    return into.logits.data as Float32Array;
  }

  /**
   * The prompt in runs of at most `prefillChunk` positions (all at once when 0), each attending to
   * the cache of the runs before it: bounds the memory a long prompt needs at once and works
   * around attention kernels that are wrong for long single runs (see engine.ts).
   */
  async prefill(ids: number[], image?: ImageEmbedding): Promise<Float32Array> {
    const chunk = this.prefillChunk > 0 ? this.prefillChunk : ids.length;
    let logits: Float32Array = new Float32Array(0);
    for (let start = 0; start < ids.length; start += chunk) {
      logits = await this.prefillRun(ids.slice(start, start + chunk), start, image);
    }
    return logits;
  }

  private prefillRun(ids: number[], start: number, image?: ImageEmbedding): Promise<Float32Array> {
    const S = ids.length;
    const H = this.shape.hidden;
    // The image placeholders inside this run, at positions relative to it, with their features.
    const inRun = (image?.positions ?? []).flatMap((p, k) => (p >= start && p < start + S ? [[p - start, k]] : []));
    const features = new Float32Array(inRun.length * H);
    inRun.forEach(([, k], j) => features.set(image!.features.subarray(k * H, (k + 1) * H), j * H));
    return this.run(
      {
        [KV_ROWS.ids]: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, S]),
        [KV_ROWS.positions]: new ort.Tensor(
          'int64',
          BigInt64Array.from({ length: S }, (_, i) => BigInt(start + i)),
          [1, S],
        ),
        [KV_ROWS.seqlensK]: new ort.Tensor('int32', Int32Array.of(start + S - 1), [1]),
        [KV_ROWS.total]: new ort.Tensor('int32', Int32Array.of(start + S), []),
        [KV_ROWS.imageFeatures]: new ort.Tensor('float32', features, [inRun.length, H]),
        [KV_ROWS.imagePositions]: new ort.Tensor(
          'int64',
          BigInt64Array.from(inRun, ([p]) => BigInt(p)),
          [inRun.length],
        ),
        num_logits_to_keep: this.stepFeeds.num_logits_to_keep,
      },
      S,
    );
  }

  step(token: number): Promise<Float32Array> {
    const position = this.length;
    this.tokenIds[0] = BigInt(token);
    this.tokenPosition[0] = BigInt(position);
    this.seqlensK[0] = position;
    this.total[0] = position + 1;
    return this.run(this.stepFeeds, 1, this.stepFetches);
  }

  dispose(): void {
    if (this.devicePast) disposeGpu(this.devicePast);
  }
}

export class OpByOpStepper implements DecoderStepper {
  private past: Record<string, ort.Tensor>;
  private total = 0;
  private readonly keepsLogits: boolean;

  constructor(
    private readonly embedTokens: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    private readonly shape: TextShape,
  ) {
    this.past = this.emptyPast();
    this.keepsLogits = decoder.inputNames.includes('num_logits_to_keep');
  }

  get cacheBytes(): number {
    let bytes = 0;
    for (const t of Object.values(this.past)) bytes += t.size * 4;
    return bytes;
  }

  private emptyPast(): Record<string, ort.Tensor> {
    const past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < this.shape.layers; i++) {
      for (const kv of ['key', 'value']) {
        past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, this.shape.kvHeads, 0, this.shape.headDim]);
      }
    }
    return past;
  }

  private async embed(ids: number[]): Promise<Float32Array> {
    const out = await this.embedTokens.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
    return out.inputs_embeds.data as Float32Array;
  }

  private async run(embeds: Float32Array, count: number): Promise<Float32Array> {
    const H = this.shape.hidden;
    this.total += count;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, count, H]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(this.total).fill(1n), [1, this.total]),
      position_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: count }, (_, i) => BigInt(this.total - count + i)),
        [1, count],
      ),
      ...this.past,
    };
    // Only the last position's logits are sampled; folders converted before the input existed return every position.
    if (this.keepsLogits) feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.of(1n), []);
    const out = await this.decoder.run(feeds);
    disposeGpu(this.past);
    this.past = {};
    for (const [name, tensor] of Object.entries(out)) {
      if (name.startsWith('present.')) this.past[name.replace('present.', 'past_key_values.')] = tensor;
    }
    return lastRow(out.logits);
  }

  async prefill(ids: number[], image?: ImageEmbedding): Promise<Float32Array> {
    const embeds = await this.embed(ids);
    const H = this.shape.hidden;
    image?.positions.forEach((pos, k) => embeds.set(image.features.subarray(k * H, (k + 1) * H), pos * H));
    return this.run(embeds, ids.length);
  }

  async step(token: number): Promise<Float32Array> {
    return this.run(await this.embed([token]), 1);
  }

  dispose(): void {
    disposeGpu(this.past);
  }
}

/** Frees GPU-resident KV tensors we no longer feed (cpu tensors have nothing to free). */
function disposeGpu(tensors: Record<string, ort.Tensor>): void {
  for (const t of Object.values(tensors)) if (t.location === 'gpu-buffer') t.dispose();
}
