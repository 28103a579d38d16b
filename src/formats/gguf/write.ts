/**
 * GGUF writer (v3 by default) for fixtures, synthetic evaluation models and benchmark files.
 * The header is computed up front; tensor data is streamed tensor by tensor so multi-GB files
 * never sit in memory.
 */
import { open } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { GGML_TYPES, GGUF_VALUE_TYPE, type GgufValueType } from './types.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC } from './parse.js';

/** A metadata entry to write. */
export interface GgufWriteEntry {
  readonly key: string;
  readonly type: GgufValueType;
  readonly value: unknown;
  readonly arrayType?: GgufValueType;
}

/** A tensor to write: GGML dims (ne[0] fastest), type id, and its bytes or a producer of them. */
export interface GgufWriteTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly typeId: number;
  /** Raw block bytes, or a function yielding them in order (for large tensors). */
  readonly data: Uint8Array | (() => AsyncIterable<Uint8Array> | Iterable<Uint8Array>);
}

/** What to write. */
export interface GgufWriteSpec {
  readonly version?: 2 | 3;
  readonly alignment?: number;
  readonly metadata: readonly GgufWriteEntry[];
  readonly tensors: readonly GgufWriteTensor[];
}

class ByteWriter {
  private parts: Uint8Array[] = [];
  length = 0;
  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u8(v: number): void {
    this.push(Uint8Array.of(v & 0xff));
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    this.push(b);
  }
  raw(b: Uint8Array): void {
    this.push(b);
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.push(b);
  }
  scalar(type: number, v: unknown): void {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    const num = (): number => Number(v);
    switch (type) {
      case GGUF_VALUE_TYPE.UINT8:
        return this.raw(Uint8Array.of(num() & 0xff));
      case GGUF_VALUE_TYPE.INT8:
        dv.setInt8(0, num());
        return this.raw(b.slice(0, 1));
      case GGUF_VALUE_TYPE.UINT16:
        dv.setUint16(0, num(), true);
        return this.raw(b.slice(0, 2));
      case GGUF_VALUE_TYPE.INT16:
        dv.setInt16(0, num(), true);
        return this.raw(b.slice(0, 2));
      case GGUF_VALUE_TYPE.UINT32:
        dv.setUint32(0, num(), true);
        return this.raw(b.slice(0, 4));
      case GGUF_VALUE_TYPE.INT32:
        dv.setInt32(0, num(), true);
        return this.raw(b.slice(0, 4));
      case GGUF_VALUE_TYPE.FLOAT32:
        dv.setFloat32(0, num(), true);
        return this.raw(b.slice(0, 4));
      case GGUF_VALUE_TYPE.FLOAT64:
        dv.setFloat64(0, num(), true);
        return this.raw(b);
      case GGUF_VALUE_TYPE.BOOL:
        return this.raw(Uint8Array.of(v ? 1 : 0));
      case GGUF_VALUE_TYPE.UINT64:
        dv.setBigUint64(0, BigInt(v as number | bigint), true);
        return this.raw(b);
      case GGUF_VALUE_TYPE.INT64:
        dv.setBigInt64(0, BigInt(v as number | bigint), true);
        return this.raw(b);
      case GGUF_VALUE_TYPE.STRING:
        return this.str(String(v));
      default:
        throw new UsageError('USAGE', `cannot write GGUF value type ${type}`);
    }
  }
  value(type: number, v: unknown, arrayType?: number): void {
    if (type !== GGUF_VALUE_TYPE.ARRAY) return this.scalar(type, v);
    if (!Array.isArray(v) || arrayType === undefined)
      throw new UsageError('USAGE', 'GGUF array value needs an array and an arrayType');
    this.u32(arrayType);
    this.u64(v.length);
    for (const e of v as unknown[]) this.scalar(arrayType, e);
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

function tensorBytes(t: GgufWriteTensor): number {
  const info = GGML_TYPES.get(t.typeId);
  if (!info) throw new UsageError('USAGE', `unknown GGML type ${t.typeId} for tensor ${t.name}`);
  const el = t.dims.reduce((a, b) => a * b, 1);
  return (el / info.blockSize) * info.typeSize;
}

/** Encode the header (including padding up to the data section) and the tensor data offsets. */
export function encodeGgufHeader(spec: GgufWriteSpec): {
  header: Uint8Array;
  offsets: number[];
  alignment: number;
} {
  const alignment = spec.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(spec.version ?? 3);
  w.u64(spec.tensors.length);
  const meta = [...spec.metadata];
  if (alignment !== GGUF_DEFAULT_ALIGNMENT && !meta.some((m) => m.key === 'general.alignment')) {
    meta.push({ key: 'general.alignment', type: GGUF_VALUE_TYPE.UINT32, value: alignment });
  }
  w.u64(meta.length);
  for (const m of meta) {
    w.str(m.key);
    w.u32(m.type);
    w.value(m.type, m.value, m.arrayType);
  }
  const offsets: number[] = [];
  let rel = 0;
  for (const t of spec.tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.typeId);
    w.u64(rel);
    offsets.push(rel);
    rel += Math.ceil(tensorBytes(t) / alignment) * alignment;
  }
  const pad = (alignment - (w.length % alignment)) % alignment;
  w.raw(new Uint8Array(pad));
  return { header: w.concat(), offsets, alignment };
}

/** Write a GGUF file, streaming each tensor's data. */
export async function writeGgufFile(path: string, spec: GgufWriteSpec): Promise<void> {
  const { header, alignment } = encodeGgufHeader(spec);
  const fh = await open(path, 'w');
  try {
    let pos = 0;
    const write = async (b: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < b.length) {
        const { bytesWritten } = await fh.write(b, done, b.length - done, pos + done);
        done += bytesWritten;
      }
      pos += b.length;
    };
    await write(header);
    for (const t of spec.tensors) {
      const expected = tensorBytes(t);
      let n = 0;
      if (t.data instanceof Uint8Array) {
        await write(t.data);
        n = t.data.length;
      } else {
        for await (const chunk of t.data()) {
          await write(chunk);
          n += chunk.length;
        }
      }
      if (n !== expected)
        throw new UsageError('USAGE', `tensor ${t.name}: wrote ${n} bytes, expected ${expected}`);
      const pad = (alignment - (n % alignment)) % alignment;
      if (pad) await write(new Uint8Array(pad));
    }
  } finally {
    await fh.close();
  }
}

/** Encode a whole (small) GGUF file in memory. */
export function encodeGguf(spec: GgufWriteSpec): Uint8Array {
  const { header, alignment } = encodeGgufHeader(spec);
  const chunks: Uint8Array[] = [header];
  for (const t of spec.tensors) {
    if (!(t.data instanceof Uint8Array))
      throw new UsageError('USAGE', 'encodeGguf needs in-memory tensor data');
    chunks.push(t.data);
    const pad = (alignment - (t.data.length % alignment)) % alignment;
    if (pad) chunks.push(new Uint8Array(pad));
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
