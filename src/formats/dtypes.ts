/**
 * Element decoders to float32 for every safetensors dtype
 * (https://github.com/huggingface/safetensors, `Dtype` enum) and the scalar GGML types.
 * Half-precision and FP8 use lookup tables built once (IEEE 754-2008 binary16; bfloat16 as the
 * top 16 bits of binary32; FP8 E4M3FN / E5M2 per the OCP 8-bit floating point spec v1.0).
 */

/** safetensors dtype names. */
export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL'
  | 'F8_E4M3'
  | 'F8_E5M2';

/** Bytes per element of each safetensors dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** True when `s` names a supported safetensors dtype. */
export function isSafetensorsDtype(s: string): s is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

/** Decode one IEEE binary16 value. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

let F16_TABLE: Float32Array | null = null;
/** 65,536-entry binary16 → binary32 table (256 KiB, built on first use). */
export function f16Table(): Float32Array {
  if (!F16_TABLE) {
    F16_TABLE = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) F16_TABLE[i] = f16ToF32(i);
  }
  return F16_TABLE;
}

/** Encode a float32 to binary16 with round-to-nearest-even (used by writers and quantizers). */
export function f32ToF16(v: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = v;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/** Encode a float32 to bfloat16 bits with round-to-nearest-even. */
export function f32ToBf16(v: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = v;
  const x = u32[0] ?? 0;
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}

function fp8Table(
  expBits: number,
  manBits: number,
  bias: number,
  fnVariant: boolean,
): Float32Array {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const s = i & 0x80 ? -1 : 1;
    const e = (i >> manBits) & ((1 << expBits) - 1);
    const m = i & ((1 << manBits) - 1);
    const maxE = (1 << expBits) - 1;
    if (fnVariant) {
      // E4M3FN: no infinities; only S.1111.111 is NaN.
      if (e === maxE && m === (1 << manBits) - 1) {
        t[i] = NaN;
        continue;
      }
    } else if (e === maxE) {
      t[i] = m ? NaN : s * Infinity;
      continue;
    }
    t[i] =
      e === 0
        ? s * (m / (1 << manBits)) * 2 ** (1 - bias)
        : s * (1 + m / (1 << manBits)) * 2 ** (e - bias);
  }
  return t;
}

/** FP8 E4M3FN decode table (bias 7, max 448). */
export const FP8_E4M3_TABLE = fp8Table(4, 3, 7, true);
/** FP8 E5M2 decode table (bias 15, IEEE-style inf/NaN). */
export const FP8_E5M2_TABLE = fp8Table(5, 2, 15, false);

/** A view of `bytes` as `T`, copying only when the offset is misaligned for the element size. */
function aligned(bytes: Uint8Array, elem: number): ArrayBuffer | SharedArrayBuffer {
  return bytes.byteOffset % elem === 0 ? bytes.buffer : bytes.slice().buffer;
}
function alignedOffset(bytes: Uint8Array, elem: number): number {
  return bytes.byteOffset % elem === 0 ? bytes.byteOffset : 0;
}

/**
 * Decode `count` elements of `dtype` from `bytes` (little-endian) into `out` at `outOffset`.
 * `bytes` must hold at least `count * DTYPE_BYTES[dtype]` bytes.
 */
export function decodeToF32(
  dtype: SafetensorsDtype,
  bytes: Uint8Array,
  out: Float32Array,
  outOffset = 0,
  count?: number,
): void {
  const n = count ?? Math.floor(bytes.length / DTYPE_BYTES[dtype]);
  const size = DTYPE_BYTES[dtype];
  const buf = aligned(bytes, size);
  const off = alignedOffset(bytes, size);
  switch (dtype) {
    case 'F32':
      out.set(new Float32Array(buf, off, n), outOffset);
      return;
    case 'BF16': {
      const dst = new Uint32Array(out.buffer, out.byteOffset + outOffset * 4, n);
      let i = 0;
      if (off % 4 === 0) {
        // Two BF16 values per little-endian 32-bit word: ~1.5× faster than 16-bit loads.
        const pairs = n >>> 1;
        const words = new Uint32Array(buf, off, pairs);
        for (let k = 0, j = 0; k < pairs; k++, j += 2) {
          const w = words[k] as number;
          dst[j] = w << 16;
          dst[j + 1] = w & 0xffff0000;
        }
        i = pairs * 2;
      }
      if (i < n) {
        const src = new Uint16Array(buf, off + i * 2, n - i);
        for (let k = 0; k < n - i; k++) dst[i + k] = (src[k] as number) << 16;
      }
      return;
    }
    case 'F16': {
      const src = new Uint16Array(buf, off, n);
      const t = f16Table();
      for (let i = 0; i < n; i++) out[outOffset + i] = t[src[i] ?? 0] ?? 0;
      return;
    }
    case 'F64': {
      const src = new Float64Array(buf, off, n);
      for (let i = 0; i < n; i++) out[outOffset + i] = src[i] ?? 0;
      return;
    }
    case 'I64':
    case 'U64': {
      const src =
        dtype === 'I64' ? new BigInt64Array(buf, off, n) : new BigUint64Array(buf, off, n);
      for (let i = 0; i < n; i++) out[outOffset + i] = Number(src[i] ?? 0n);
      return;
    }
    case 'I32':
      copyInts(new Int32Array(buf, off, n), out, outOffset);
      return;
    case 'U32':
      copyInts(new Uint32Array(buf, off, n), out, outOffset);
      return;
    case 'I16':
      copyInts(new Int16Array(buf, off, n), out, outOffset);
      return;
    case 'U16':
      copyInts(new Uint16Array(buf, off, n), out, outOffset);
      return;
    case 'I8':
      copyInts(new Int8Array(buf, off, n), out, outOffset);
      return;
    case 'U8':
      copyInts(bytes.subarray(0, n), out, outOffset);
      return;
    case 'BOOL':
      for (let i = 0; i < n; i++) out[outOffset + i] = bytes[i] ? 1 : 0;
      return;
    case 'F8_E4M3':
      for (let i = 0; i < n; i++) out[outOffset + i] = FP8_E4M3_TABLE[bytes[i] ?? 0] ?? 0;
      return;
    case 'F8_E5M2':
      for (let i = 0; i < n; i++) out[outOffset + i] = FP8_E5M2_TABLE[bytes[i] ?? 0] ?? 0;
      return;
  }
}

function copyInts(src: ArrayLike<number>, out: Float32Array, outOffset: number): void {
  for (let i = 0; i < src.length; i++) out[outOffset + i] = src[i] ?? 0;
}
