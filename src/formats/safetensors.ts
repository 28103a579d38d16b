/**
 * safetensors reader (format: https://github.com/huggingface/safetensors#format):
 * 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping tensor names to
 * `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the byte buffer after the
 * header), optional `__metadata__` (string → string), then the byte buffer.
 *
 * Everything in the header is validated before any tensor is read: the header length against the
 * file size and {@link SAFETENSORS_MAX_HEADER_BYTES}; each tensor's dtype, rank, shape and byte
 * count; offsets in bounds, without overlaps; names unique (JSON.parse would silently keep the
 * last duplicate, so keys are checked on the raw text).
 */
import { FormatError } from '../errors.js';
import { safeNumber, type ByteSource } from '../sources/byte-source.js';
import { DTYPE_BYTES, decodeToF32, isSafetensorsDtype, type SafetensorsDtype } from './dtypes.js';
import {
  MAX_TENSOR_ELEMENTS,
  MAX_TENSOR_RANK,
  MAX_TENSORS_PER_FILE,
  SAFETENSORS_MAX_HEADER_BYTES,
} from './limits.js';

/** One tensor's entry in a safetensors header. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte offset in the file. */
  readonly offset: number;
  readonly byteLength: number;
  readonly elements: number;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  readonly source: ByteSource;
  readonly headerBytes: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  /** Byte ranges of the data buffer that no tensor covers (allowed, but reported). */
  readonly holes: readonly (readonly [number, number])[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Find duplicate top-level keys in a JSON object text (JSON.parse keeps the last silently). */
function findDuplicateTopLevelKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (k < n && /\s/.test(text[k] ?? '')) k++;
        if (text[k] === ':') {
          const key = JSON.parse(text.slice(i, j + 1)) as string;
          if (seen.has(key)) return key;
          seen.add(key);
        }
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return null;
}

/** Parse and validate a safetensors header. Reads only the header bytes. */
export async function parseSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const file = source.name;
  if (source.size < 8) {
    throw new FormatError(
      'TRUNCATED',
      `file has ${source.size} bytes, fewer than the 8-byte header length`,
      { where: { file, offset: 0 } },
    );
  }
  const lenBytes = await source.read(0, 8);
  const n64 = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    throw new FormatError(
      'HEADER_TOO_LARGE',
      `header length ${n64} exceeds the limit ${SAFETENSORS_MAX_HEADER_BYTES}`,
      {
        where: { file, field: 'header_length', offset: 0 },
      },
    );
  }
  const n = safeNumber(n64, source, 'header_length', 0);
  if (8 + n > source.size) {
    throw new FormatError(
      'TRUNCATED',
      `header length ${n} runs past the end of the file (${source.size} bytes)`,
      {
        where: { file, field: 'header_length', offset: 0 },
      },
    );
  }
  const raw = await source.read(8, n);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch (e) {
    throw new FormatError('BAD_UTF8', 'header is not valid UTF-8', {
      where: { file, field: 'header', offset: 8 },
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError('BAD_JSON', `header is not valid JSON: ${(e as Error).message}`, {
      where: { file, field: 'header', offset: 8 },
      cause: e,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FormatError('BAD_HEADER', 'header must be a JSON object', {
      where: { file, field: 'header', offset: 8 },
    });
  }
  const dup = findDuplicateTopLevelKey(text);
  if (dup !== null) {
    throw new FormatError('DUPLICATE_NAME', `tensor "${dup}" appears twice in the header`, {
      where: { file, field: dup, offset: 8 },
    });
  }
  const dataStart = 8 + n;
  const dataSize = source.size - dataStart;
  const entries = Object.entries(json as Record<string, unknown>);
  if (entries.length > MAX_TENSORS_PER_FILE) {
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `${entries.length} header entries exceed the limit ${MAX_TENSORS_PER_FILE}`,
      { where: { file, field: 'header' } },
    );
  }
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, value] of entries) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new FormatError('BAD_HEADER', '__metadata__ must be an object of strings', {
          where: { file, field: '__metadata__' },
        });
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          throw new FormatError('BAD_HEADER', `__metadata__.${k} must be a string`, {
            where: { file, field: `__metadata__.${k}` },
          });
        }
        metadata[k] = v;
      }
      continue;
    }
    tensors.set(name, validateEntry(file, name, value, dataStart, dataSize));
  }
  const holes = checkOverlaps(file, [...tensors.values()], dataStart, dataSize);
  return { source, headerBytes: n, metadata, tensors, holes };
}

function validateEntry(
  file: string,
  name: string,
  value: unknown,
  dataStart: number,
  dataSize: number,
): SafetensorsTensor {
  const where = { file, field: name };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError('BAD_HEADER', `tensor "${name}": entry must be an object`, { where });
  }
  const v = value as Record<string, unknown>;
  const dtype = v['dtype'];
  if (typeof dtype !== 'string' || !isSafetensorsDtype(dtype)) {
    throw new FormatError(
      'UNKNOWN_DTYPE',
      `tensor "${name}": unknown dtype ${JSON.stringify(dtype)}`,
      { where, details: { dtype } },
    );
  }
  const shape = v['shape'];
  if (
    !Array.isArray(shape) ||
    shape.length > MAX_TENSOR_RANK ||
    !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
  ) {
    throw new FormatError(
      'BAD_HEADER',
      `tensor "${name}": shape ${JSON.stringify(shape)} must be at most ${MAX_TENSOR_RANK} non-negative integers`,
      { where },
    );
  }
  let elements = 1;
  for (const d of shape as number[]) {
    elements *= d;
    // Guard the product: a hostile shape must not overflow float64 exactness.
    if (elements > MAX_TENSOR_ELEMENTS) {
      throw new FormatError(
        'LIMIT_EXCEEDED',
        `tensor "${name}": shape ${JSON.stringify(shape)} has more than ${MAX_TENSOR_ELEMENTS} elements`,
        { where },
      );
    }
  }
  const offs = v['data_offsets'];
  if (
    !Array.isArray(offs) ||
    offs.length !== 2 ||
    !offs.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    throw new FormatError(
      'BAD_HEADER',
      `tensor "${name}": data_offsets ${JSON.stringify(offs)} must be two non-negative integers`,
      { where },
    );
  }
  const [begin, end] = offs as [number, number];
  if (end < begin) {
    throw new FormatError(
      'OUT_OF_BOUNDS',
      `tensor "${name}": data_offsets [${begin}, ${end}] end before they begin`,
      { where, details: { begin, end } },
    );
  }
  if (end > dataSize) {
    throw new FormatError(
      'OUT_OF_BOUNDS',
      `tensor "${name}" data_offsets [${begin}, ${end}] exceed data size ${dataSize}`,
      {
        where: { ...where, offset: dataStart + begin },
        details: { begin, end, dataSize },
      },
    );
  }
  const byteLength = elements * DTYPE_BYTES[dtype];
  if (end - begin !== byteLength) {
    throw new FormatError(
      'SHAPE_MISMATCH',
      `tensor "${name}": ${dtype}${JSON.stringify(shape)} needs ${byteLength} bytes but data_offsets span ${end - begin}`,
      {
        where: { ...where, offset: dataStart + begin },
        details: { expected: byteLength, actual: end - begin },
      },
    );
  }
  return { name, dtype, shape: shape as number[], offset: dataStart + begin, byteLength, elements };
}

function checkOverlaps(
  file: string,
  ts: SafetensorsTensor[],
  dataStart: number,
  dataSize: number,
): [number, number][] {
  const sorted = ts.filter((t) => t.byteLength > 0).sort((a, b) => a.offset - b.offset);
  const holes: [number, number][] = [];
  let cursor = dataStart;
  let prev: SafetensorsTensor | null = null;
  for (const t of sorted) {
    if (t.offset < cursor && prev) {
      throw new FormatError(
        'OVERLAP',
        `tensor "${t.name}" bytes [${t.offset - dataStart}, ${t.offset - dataStart + t.byteLength}) overlap tensor "${prev.name}"`,
        {
          where: { file, field: t.name, offset: t.offset },
        },
      );
    }
    if (t.offset > cursor) holes.push([cursor, t.offset]);
    cursor = t.offset + t.byteLength;
    prev = t;
  }
  if (cursor < dataStart + dataSize) holes.push([cursor, dataStart + dataSize]);
  return holes;
}

/** Bytes decoded per chunk when streaming a tensor (bounds memory; large enough to amortise I/O). */
export const SAFETENSORS_READ_CHUNK = 8 * 1024 * 1024;

/**
 * Read elements `[start, start + count)` of a tensor (row-major) as float32.
 * Reads only those bytes.
 */
export async function readSafetensorsRange(
  file: SafetensorsFile,
  tensor: SafetensorsTensor,
  start: number,
  count: number,
  out: Float32Array = new Float32Array(count),
  outOffset = 0,
): Promise<Float32Array> {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(count) ||
    start < 0 ||
    count < 0 ||
    start + count > tensor.elements
  ) {
    throw new FormatError(
      'OUT_OF_BOUNDS',
      `elements [${start}, ${start + count}) outside tensor "${tensor.name}" of ${tensor.elements} elements`,
      {
        where: { file: file.source.name, field: tensor.name },
      },
    );
  }
  const esize = DTYPE_BYTES[tensor.dtype];
  const perChunk = Math.max(1, Math.floor(SAFETENSORS_READ_CHUNK / esize));
  const src = file.source;
  for (let done = 0; done < count; done += perChunk) {
    const k = Math.min(perChunk, count - done);
    const at = tensor.offset + (start + done) * esize;
    if (src.readInto) {
      // Reuse scratch buffers: fresh multi-MiB allocations cost page faults and GC on every chunk.
      const scratch = takeScratch(k * esize);
      try {
        await src.readInto(scratch, at);
        decodeToF32(tensor.dtype, scratch, out, outOffset + done, k);
      } finally {
        if (scratchPool.length < SCRATCH_POOL_MAX) scratchPool.push(scratch.buffer as ArrayBuffer);
      }
    } else {
      const bytes = await src.read(at, k * esize);
      decodeToF32(tensor.dtype, bytes, out, outOffset + done, k);
    }
  }
  return out;
}

/** Scratch buffers kept for reuse (one per concurrent read; a scan keeps one or two in use). */
export const SCRATCH_POOL_MAX = 4;
const scratchPool: ArrayBuffer[] = [];

function takeScratch(length: number): Uint8Array {
  for (let i = scratchPool.length - 1; i >= 0; i--) {
    const b = scratchPool[i] as ArrayBuffer;
    if (b.byteLength >= length) {
      scratchPool.splice(i, 1);
      return new Uint8Array(b, 0, length);
    }
  }
  return new Uint8Array(new ArrayBuffer(Math.max(length, SAFETENSORS_READ_CHUNK)), 0, length);
}
