/**
 * safetensors writer for fixtures, synthetic evaluation models and benchmark files. Tensors are
 * laid out contiguously in the given order; data may be streamed per tensor.
 */
import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { DTYPE_BYTES, f32ToBf16, f32ToF16, type SafetensorsDtype } from './dtypes.js';

/** A tensor to write. `data` holds raw little-endian bytes or produces them in order. */
export interface SafetensorsWriteTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Uint8Array | (() => AsyncIterable<Uint8Array> | Iterable<Uint8Array>);
}

/** Encode the JSON header (padded with spaces to 8-byte alignment, as the reference writer does). */
export function encodeSafetensorsHeader(
  tensors: readonly SafetensorsWriteTensor[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
  out.set(body, 8);
  return out;
}

/** Encode a whole (small) safetensors file in memory. */
export function encodeSafetensors(
  tensors: readonly SafetensorsWriteTensor[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const head = encodeSafetensorsHeader(tensors, metadata);
  const datas = tensors.map((t) => {
    if (!(t.data instanceof Uint8Array))
      throw new UsageError('USAGE', 'encodeSafetensors needs in-memory tensor data');
    return t.data;
  });
  const out = new Uint8Array(head.length + datas.reduce((a, d) => a + d.length, 0));
  out.set(head, 0);
  let o = head.length;
  for (const d of datas) {
    out.set(d, o);
    o += d.length;
  }
  return out;
}

/** Write a safetensors file, streaming tensor data. */
export async function writeSafetensorsFile(
  path: string,
  tensors: readonly SafetensorsWriteTensor[],
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const head = encodeSafetensorsHeader(tensors, metadata);
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
    await write(head);
    for (const t of tensors) {
      const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
      let n = 0;
      if (t.data instanceof Uint8Array) {
        await write(t.data);
        n = t.data.length;
      } else {
        for await (const c of t.data()) {
          await write(c);
          n += c.length;
        }
      }
      if (n !== expected)
        throw new UsageError('USAGE', `tensor ${t.name}: wrote ${n} bytes, expected ${expected}`);
    }
  } finally {
    await fh.close();
  }
}

/** Encode float32 values as raw bytes of a floating dtype (F32, F16 or BF16). */
export function encodeFloats(dtype: 'F32' | 'F16' | 'BF16', x: Float32Array): Uint8Array {
  if (dtype === 'F32')
    return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  const out = new Uint16Array(x.length);
  const f = dtype === 'F16' ? f32ToF16 : f32ToBf16;
  for (let i = 0; i < x.length; i++) out[i] = f(x[i] ?? 0);
  return new Uint8Array(out.buffer);
}
