/**
 * The KV cache of a kv-rows decoder (convert/deepseek-vl/fast-decoder.ts), kept on the JavaScript
 * side: per layer one key and one value buffer in BNSH order [kv_heads, capacity, head_dim], of
 * which the first `length` positions are valid. The decoder reads them as `past_key_values.*` and
 * returns only the rows of the positions it computed (`present_rows.*`, [S, kv_heads · head_dim]),
 * which `append` writes into place.
 *
 * Capacity grows in steps of `GROWTH` positions: onnxruntime-node copies each input on every run,
 * so spare capacity costs a copy per token, while each growth copies the cache once.
 */
import * as ort from 'onnxruntime-node';

const GROWTH = 64;

type KvArray = Float32Array | Uint16Array;

export class KvCache {
  length = 0;
  capacity = 0;
  private keys: KvArray[];
  private values: KvArray[];

  constructor(
    readonly layers: number,
    readonly kvHeads: number,
    readonly headDim: number,
    readonly half: boolean,
  ) {
    this.keys = Array.from({ length: layers }, () => this.alloc(0));
    this.values = Array.from({ length: layers }, () => this.alloc(0));
  }

  private alloc(capacity: number): KvArray {
    const n = this.kvHeads * capacity * this.headDim;
    return this.half ? new Uint16Array(n) : new Float32Array(n);
  }

  /** The past inputs of the next run: every buffer with its whole capacity. */
  feeds(pastName: (i: number, kv: 'key' | 'value') => string): Record<string, ort.Tensor> {
    const type = this.half ? 'float16' : 'float32';
    const dims = [1, this.kvHeads, this.capacity, this.headDim];
    const feeds: Record<string, ort.Tensor> = {};
    for (let i = 0; i < this.layers; i++) {
      feeds[pastName(i, 'key')] = new ort.Tensor(type, this.keys[i], dims);
      feeds[pastName(i, 'value')] = new ort.Tensor(type, this.values[i], dims);
    }
    return feeds;
  }

  /** Makes room for `total` positions, keeping the valid ones. */
  private reserve(total: number): void {
    if (total <= this.capacity) return;
    const capacity = total + GROWTH;
    const D = this.headDim;
    const grow = (old: KvArray): KvArray => {
      const next = this.alloc(capacity);
      for (let h = 0; h < this.kvHeads; h++) {
        next.set(old.subarray(h * this.capacity * D, (h * this.capacity + this.length) * D), h * capacity * D);
      }
      return next;
    };
    this.keys = this.keys.map(grow);
    this.values = this.values.map(grow);
    this.capacity = capacity;
  }

  /** Writes the `count` new positions' rows ([count, kv_heads · head_dim] per layer) after the valid ones. */
  append(outputs: Record<string, ort.Tensor>, rowsName: (i: number, kv: 'key' | 'value') => string, count: number): void {
    this.reserve(this.length + count);
    const D = this.headDim;
    const C = this.capacity;
    for (let i = 0; i < this.layers; i++) {
      for (const [kind, target] of [
        ['key', this.keys[i]],
        ['value', this.values[i]],
      ] as const) {
        const rows = outputs[rowsName(i, kind)].data as KvArray;
        for (let s = 0; s < count; s++) {
          for (let h = 0; h < this.kvHeads; h++) {
            const from = (s * this.kvHeads + h) * D;
            target.set(rows.subarray(from, from + D), (h * C + this.length + s) * D);
          }
        }
      }
    }
    this.length += count;
  }

  /** Bytes held (both buffers of every layer). */
  get bytes(): number {
    return 2 * this.layers * this.kvHeads * this.capacity * this.headDim * (this.half ? 2 : 4);
  }
}
