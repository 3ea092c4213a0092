/**
 * Serialises an ONNX ModelProto with `onnx-proto` (protobufjs), weights as external data.
 *
 * The graph proto itself only holds names, shapes and offsets, so it stays small even for a 7B
 * model; the bytes of every large initializer are appended to `<model>.onnx_data` as they are
 * produced (see `ExternalDataFile`), which keeps conversion memory bounded by the largest tensor.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { onnx } from 'onnx-proto';

/** ONNX element types we emit (values of `onnx.TensorProto.DataType`). */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  UINT4: 21,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** Tensors at or under this many bytes are stored inline (shape constants, scalars). */
export const INLINE_LIMIT_BYTES = 1024;

/** Appends raw tensor bytes to one external data file and remembers where each tensor went. */
export class ExternalDataFile {
  private fd: number;
  private offset = 0;
  readonly location: string;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    this.location = basename(path);
  }

  /** Writes `bytes` (16-byte aligned so runtimes may map them) and returns the proto entries. */
  append(bytes: Uint8Array): onnx.IStringStringEntryProto[] {
    return this.appendChunks([bytes]);
  }

  /** Appends one tensor given as consecutive pieces (never all in memory at once). */
  appendChunks(chunks: Iterable<Uint8Array>): onnx.IStringStringEntryProto[] {
    const pad = (16 - (this.offset % 16)) % 16;
    if (pad) {
      writeSync(this.fd, new Uint8Array(pad));
      this.offset += pad;
    }
    const start = this.offset;
    for (const bytes of chunks) {
      let written = 0;
      // writeSync takes at most 2 GiB per call; write big pieces in 1 GiB parts.
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, Math.min(bytes.length - written, 1 << 30));
      this.offset += bytes.length;
    }
    return [
      { key: 'location', value: this.location },
      { key: 'offset', value: String(start) },
      { key: 'length', value: String(this.offset - start) },
    ];
  }

  get bytesWritten(): number {
    return this.offset;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface OpsetImport {
  domain: string;
  version: number;
}

/** Writes the final `.onnx` file. The caller closes the external data file. */
export function writeModelFile(path: string, graph: onnx.IGraphProto, opsets: OpsetImport[], producer = 'visual-coder'): void {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: producer,
    producerVersion: '1',
    opsetImport: opsets.map((o) => onnx.OperatorSetIdProto.create(o)),
    graph: onnx.GraphProto.create(graph),
  });
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
}
