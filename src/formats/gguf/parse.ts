/**
 * GGUF reader, versions 2 and 3 (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md):
 * magic "GGUF", u32 version, u64 tensor_count, u64 metadata_kv_count, the key/value pairs,
 * the tensor infos (name, n_dims, dims (ne[0] fastest), type, offset relative to the data
 * section), padding to `general.alignment` (default 32), then tensor data. Version 1 used 32-bit
 * counts and is refused. The header is read through a chunked cursor; no tensor data is read.
 */
import { FormatError } from '../../errors.js';
import { BufferedCursor, safeNumber, type ByteSource } from '../../sources/byte-source.js';
import {
  GGUF_MAX_ARRAY_DEPTH,
  GGUF_MAX_ARRAY_ELEMENTS,
  GGUF_MAX_KV,
  GGUF_MAX_METADATA_BYTES,
  GGUF_MAX_STRING_BYTES,
  MAX_TENSOR_ELEMENTS,
  MAX_TENSORS_PER_FILE,
} from '../limits.js';
import { GGML_TYPES, GGUF_VALUE_TYPE, type GgmlTypeInfo, type GgufValueType } from './types.js';

/** "GGUF" as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
/** Default data alignment when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** GGML_MAX_DIMS. */
export const GGUF_MAX_DIMS = 4;

/** A decoded metadata value. 64-bit integers are numbers when safe, bigints otherwise. */
export type GgufScalar = number | bigint | boolean | string;
/** A metadata value: scalar or (possibly nested) array. */
export type GgufValue = GgufScalar | GgufValue[];

/** One metadata entry with its declared type. */
export interface GgufEntry {
  readonly type: GgufValueType;
  /** Element type for arrays. */
  readonly arrayType?: GgufValueType;
  readonly value: GgufValue;
}

/** One tensor's info. */
export interface GgufTensor {
  readonly name: string;
  /** GGML dims, ne[0] fastest-varying (the reverse of PyTorch's shape). */
  readonly dims: readonly number[];
  readonly type: GgmlTypeInfo;
  /** Absolute byte offset in the file. */
  readonly offset: number;
  readonly byteLength: number;
  readonly elements: number;
}

/** A parsed GGUF file header. */
export interface GgufFile {
  readonly source: ByteSource;
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufEntry>;
  readonly tensors: ReadonlyMap<string, GgufTensor>;
  readonly alignment: number;
  /** Absolute offset of the data section. */
  readonly dataOffset: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Budget {
  bytes: number;
}

async function readString(c: BufferedCursor, what: string, budget: Budget): Promise<string> {
  const at = c.offset;
  const len64 = await c.u64(`${what} length`);
  if (len64 > BigInt(GGUF_MAX_STRING_BYTES)) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `${what}: string length ${len64} exceeds the limit ${GGUF_MAX_STRING_BYTES}`,
      {
        where: { file: c.source.name, field: what, offset: at },
      },
    );
  }
  const len = Number(len64);
  budget.bytes += len;
  if (budget.bytes > GGUF_MAX_METADATA_BYTES) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `metadata exceeds ${GGUF_MAX_METADATA_BYTES} bytes in total`,
      { where: { file: c.source.name, field: what, offset: at } },
    );
  }
  const raw = await c.bytes(len, what);
  try {
    return utf8.decode(raw);
  } catch (e) {
    throw new FormatError('BAD_UTF8', `${what}: string is not valid UTF-8`, {
      where: { file: c.source.name, field: what, offset: at + 8 },
      cause: e,
    });
  }
}

async function readScalar(
  c: BufferedCursor,
  type: number,
  what: string,
  budget: Budget,
): Promise<GgufScalar> {
  switch (type) {
    case GGUF_VALUE_TYPE.UINT8:
      return c.u8(what);
    case GGUF_VALUE_TYPE.INT8:
      return c.i8(what);
    case GGUF_VALUE_TYPE.UINT16:
      return c.u16(what);
    case GGUF_VALUE_TYPE.INT16:
      return c.i16(what);
    case GGUF_VALUE_TYPE.UINT32:
      return c.u32(what);
    case GGUF_VALUE_TYPE.INT32:
      return c.i32(what);
    case GGUF_VALUE_TYPE.FLOAT32:
      return c.f32(what);
    case GGUF_VALUE_TYPE.FLOAT64:
      return c.f64(what);
    case GGUF_VALUE_TYPE.BOOL: {
      const at = c.offset;
      const b = await c.u8(what);
      if (b > 1)
        throw new FormatError('BAD_HEADER', `${what}: bool byte is ${b}, not 0 or 1`, {
          where: { file: c.source.name, field: what, offset: at },
        });
      return b === 1;
    }
    case GGUF_VALUE_TYPE.UINT64: {
      const v = await c.u64(what);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case GGUF_VALUE_TYPE.INT64: {
      const v = await c.i64(what);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(v)
        : v;
    }
    case GGUF_VALUE_TYPE.STRING:
      return readString(c, what, budget);
    default:
      throw new FormatError('BAD_HEADER', `${what}: unknown metadata value type ${type}`, {
        where: { file: c.source.name, field: what, offset: c.offset },
      });
  }
}

const SCALAR_BYTES: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

async function readValue(
  c: BufferedCursor,
  type: number,
  what: string,
  budget: Budget,
  depth: number,
): Promise<{ value: GgufValue; arrayType?: GgufValueType }> {
  if (type !== GGUF_VALUE_TYPE.ARRAY) return { value: await readScalar(c, type, what, budget) };
  if (depth >= GGUF_MAX_ARRAY_DEPTH) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `${what}: arrays nested deeper than ${GGUF_MAX_ARRAY_DEPTH}`,
      { where: { file: c.source.name, field: what, offset: c.offset } },
    );
  }
  const at = c.offset;
  const elemType = await c.u32(`${what} array type`);
  const count64 = await c.u64(`${what} array length`);
  if (count64 > BigInt(GGUF_MAX_ARRAY_ELEMENTS)) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `${what}: array of ${count64} elements exceeds the limit ${GGUF_MAX_ARRAY_ELEMENTS}`,
      {
        where: { file: c.source.name, field: what, offset: at },
      },
    );
  }
  const count = Number(count64);
  const fixed = SCALAR_BYTES[elemType];
  if (fixed !== undefined) {
    // Fixed-size elements: the whole array must fit in the file before we allocate for it.
    if (c.offset + count * fixed > c.source.size) {
      throw new FormatError(
        'TRUNCATED',
        `${what}: array of ${count} × ${fixed} bytes runs past the end of the file`,
        {
          where: { file: c.source.name, field: what, offset: at },
        },
      );
    }
    budget.bytes += count * 8;
    if (budget.bytes > GGUF_MAX_METADATA_BYTES) {
      throw new FormatError(
        'LIMIT_EXCEEDED',
        `metadata exceeds ${GGUF_MAX_METADATA_BYTES} bytes in total`,
        { where: { file: c.source.name, field: what, offset: at } },
      );
    }
  } else if (elemType !== GGUF_VALUE_TYPE.STRING && elemType !== GGUF_VALUE_TYPE.ARRAY) {
    throw new FormatError('BAD_HEADER', `${what}: unknown array element type ${elemType}`, {
      where: { file: c.source.name, field: what, offset: at },
    });
  } else if (c.offset + count * 8 > c.source.size) {
    // every string/array element takes at least 8 bytes (its length/count)
    throw new FormatError(
      'TRUNCATED',
      `${what}: array of ${count} elements cannot fit in the rest of the file`,
      {
        where: { file: c.source.name, field: what, offset: at },
      },
    );
  }
  const out: GgufValue[] = new Array<GgufValue>(count);
  for (let i = 0; i < count; i++)
    out[i] = (await readValue(c, elemType, `${what}[${i}]`, budget, depth + 1)).value;
  return { value: out, arrayType: elemType as GgufValueType };
}

/** Parse a GGUF header (metadata and tensor infos) and validate every tensor's bounds. */
export async function parseGguf(source: ByteSource): Promise<GgufFile> {
  const file = source.name;
  const c = new BufferedCursor(source, 0);
  if (source.size < 24) {
    throw new FormatError(
      'TRUNCATED',
      `file has ${source.size} bytes, fewer than a GGUF header (24)`,
      { where: { file, offset: 0 } },
    );
  }
  const magic = await c.u32('magic');
  if (magic !== GGUF_MAGIC) {
    throw new FormatError(
      'BAD_MAGIC',
      `not a GGUF file (magic 0x${magic.toString(16).padStart(8, '0')})`,
      { where: { file, field: 'magic', offset: 0 } },
    );
  }
  const version = await c.u32('version');
  if (version !== 2 && version !== 3) {
    throw new FormatError('BAD_VERSION', `GGUF version ${version} is not supported (2 and 3 are)`, {
      where: { file, field: 'version', offset: 4 },
    });
  }
  const nTensors64 = await c.u64('tensor_count');
  const nKv64 = await c.u64('metadata_kv_count');
  if (nTensors64 > BigInt(MAX_TENSORS_PER_FILE)) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `tensor_count ${nTensors64} exceeds the limit ${MAX_TENSORS_PER_FILE}`,
      { where: { file, field: 'tensor_count', offset: 8 } },
    );
  }
  if (nKv64 > BigInt(GGUF_MAX_KV)) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `metadata_kv_count ${nKv64} exceeds the limit ${GGUF_MAX_KV}`,
      { where: { file, field: 'metadata_kv_count', offset: 16 } },
    );
  }
  const nTensors = Number(nTensors64);
  const nKv = Number(nKv64);
  const budget: Budget = { bytes: 0 };
  const metadata = new Map<string, GgufEntry>();
  for (let i = 0; i < nKv; i++) {
    const at = c.offset;
    const key = await readString(c, `metadata key #${i}`, budget);
    if (metadata.has(key))
      throw new FormatError('DUPLICATE_NAME', `metadata key "${key}" appears twice`, {
        where: { file, field: key, offset: at },
      });
    const type = await c.u32(`${key} type`);
    const { value, arrayType } = await readValue(c, type, key, budget, 0);
    metadata.set(key, {
      type: type as GgufValueType,
      value,
      ...(arrayType !== undefined ? { arrayType } : {}),
    });
  }
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const al = metadata.get('general.alignment');
  if (al) {
    if (
      al.type !== GGUF_VALUE_TYPE.UINT32 ||
      typeof al.value !== 'number' ||
      al.value === 0 ||
      (al.value & (al.value - 1)) !== 0
    ) {
      throw new FormatError(
        'BAD_ALIGNMENT',
        `general.alignment must be a non-zero power-of-two u32, got ${String(al.value)}`,
        { where: { file, field: 'general.alignment' } },
      );
    }
    alignment = al.value;
  }
  const infos: { name: string; dims: number[]; type: GgmlTypeInfo; rel: number; at: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < nTensors; i++) {
    const at = c.offset;
    const name = await readString(c, `tensor #${i} name`, budget);
    if (names.has(name))
      throw new FormatError('DUPLICATE_NAME', `tensor "${name}" appears twice`, {
        where: { file, field: name, offset: at },
      });
    names.add(name);
    const nDims = await c.u32(`${name} n_dims`);
    if (nDims > GGUF_MAX_DIMS) {
      throw new FormatError(
        'BAD_HEADER',
        `tensor "${name}": n_dims ${nDims} exceeds ${GGUF_MAX_DIMS}`,
        { where: { file, field: name, offset: at } },
      );
    }
    const dims: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const dimAt = c.offset;
      const v = safeNumber(await c.u64(`${name} ne[${d}]`), source, `${name} ne[${d}]`, dimAt);
      dims.push(v);
      elements *= v;
      if (elements > MAX_TENSOR_ELEMENTS) {
        throw new FormatError(
          'LIMIT_EXCEEDED',
          `tensor "${name}": dims ${JSON.stringify(dims)} exceed ${MAX_TENSOR_ELEMENTS} elements`,
          { where: { file, field: name, offset: dimAt } },
        );
      }
    }
    const typeAt = c.offset;
    const typeId = await c.u32(`${name} type`);
    const type = GGML_TYPES.get(typeId);
    if (!type)
      throw new FormatError('UNKNOWN_DTYPE', `tensor "${name}": unknown GGML type id ${typeId}`, {
        where: { file, field: name, offset: typeAt },
        details: { typeId },
      });
    const offAt = c.offset;
    const rel = safeNumber(await c.u64(`${name} offset`), source, `${name} offset`, offAt);
    if ((dims[0] ?? 1) % type.blockSize !== 0) {
      throw new FormatError(
        'SHAPE_MISMATCH',
        `tensor "${name}": ne[0] = ${dims[0]} is not a multiple of ${type.name}'s block size ${type.blockSize}`,
        { where: { file, field: name, offset: at } },
      );
    }
    if (rel % alignment !== 0) {
      throw new FormatError(
        'BAD_ALIGNMENT',
        `tensor "${name}": offset ${rel} is not a multiple of the alignment ${alignment}`,
        { where: { file, field: name, offset: offAt } },
      );
    }
    infos.push({ name, dims, type, rel, at });
  }
  const dataOffset = Math.ceil(c.offset / alignment) * alignment;
  if (dataOffset > source.size) {
    throw new FormatError(
      'TRUNCATED',
      `data section would start at ${dataOffset}, past the end of the file (${source.size})`,
      { where: { file, offset: c.offset } },
    );
  }
  const tensors = new Map<string, GgufTensor>();
  for (const t of infos) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    const byteLength = (elements / t.type.blockSize) * t.type.typeSize;
    const offset = dataOffset + t.rel;
    if (offset + byteLength > source.size) {
      throw new FormatError(
        'OUT_OF_BOUNDS',
        `tensor "${t.name}" data [${t.rel}, ${t.rel + byteLength}) exceeds data size ${source.size - dataOffset}`,
        {
          where: { file, field: t.name, offset },
          details: { begin: t.rel, end: t.rel + byteLength, dataSize: source.size - dataOffset },
        },
      );
    }
    tensors.set(t.name, { name: t.name, dims: t.dims, type: t.type, offset, byteLength, elements });
  }
  const sorted = [...tensors.values()]
    .filter((t) => t.byteLength > 0)
    .sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a && b && b.offset < a.offset + a.byteLength) {
      throw new FormatError('OVERLAP', `tensor "${b.name}" data overlaps tensor "${a.name}"`, {
        where: { file, field: b.name, offset: b.offset },
      });
    }
  }
  return { source, version, metadata, tensors, alignment, dataOffset };
}

/** A metadata value by key, or undefined. */
export function ggufGet(f: GgufFile, key: string): GgufValue | undefined {
  return f.metadata.get(key)?.value;
}

/** A numeric metadata value (u64 bigints converted when safe), or undefined. */
export function ggufNumber(f: GgufFile, key: string): number | undefined {
  const v = ggufGet(f, key);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return undefined;
}

/** A string metadata value, or undefined. */
export function ggufString(f: GgufFile, key: string): string | undefined {
  const v = ggufGet(f, key);
  return typeof v === 'string' ? v : undefined;
}
