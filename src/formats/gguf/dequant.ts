/**
 * Dequantization of GGML block formats to float32, following the block layouts of ggml's
 * `ggml-common.h` and the reference `dequantize_row_*` routines of `ggml-quants.c`
 * (https://github.com/ggml-org/llama.cpp). Each function decodes `nb` consecutive blocks from
 * `src` (starting at byte 0) into `dst` starting at `dstOffset`.
 */
import { FormatError } from '../../errors.js';
import { f16Table } from '../dtypes.js';
import { GGML_TYPES } from './types.js';

const H = f16Table();
const QK = 32;
const QK_K = 256;

// A missing byte reads as undefined, which `|` turns into 0, so the index is always an integer in
// [0, 65535] and no per-call guard is needed (callers check buffer sizes once per call).
const half = (b: Uint8Array, o: number): number =>
  H[(b[o] as number) | ((b[o + 1] as number) << 8)] as number;

/** Q4_0: {f16 d; u8 qs[16]} — x = (nibble − 8)·d; low nibbles are elements 0–15, high 16–31. */
export function dequantQ4_0(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  for (let i = 0; i < nb; i++) {
    const b = i * 18;
    const d = half(src, b);
    const y = o + i * QK;
    for (let j = 0; j < 16; j++) {
      const q = src[b + 2 + j] ?? 0;
      dst[y + j] = ((q & 0x0f) - 8) * d;
      dst[y + j + 16] = ((q >> 4) - 8) * d;
    }
  }
}

/** Q4_1: {f16 d; f16 m; u8 qs[16]} — x = nibble·d + m. */
export function dequantQ4_1(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  for (let i = 0; i < nb; i++) {
    const b = i * 20;
    const d = half(src, b);
    const m = half(src, b + 2);
    const y = o + i * QK;
    for (let j = 0; j < 16; j++) {
      const q = src[b + 4 + j] ?? 0;
      dst[y + j] = (q & 0x0f) * d + m;
      dst[y + j + 16] = (q >> 4) * d + m;
    }
  }
}

const u32le = (b: Uint8Array, o: number): number =>
  ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;

/** Q5_0: {f16 d; u32 qh; u8 qs[16]} — 5th bit of element j in qh bit j; x = (q − 16)·d. */
export function dequantQ5_0(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  for (let i = 0; i < nb; i++) {
    const b = i * 22;
    const d = half(src, b);
    const qh = u32le(src, b + 2);
    const y = o + i * QK;
    for (let j = 0; j < 16; j++) {
      const q = src[b + 6 + j] ?? 0;
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      dst[y + j] = (((q & 0x0f) | h0) - 16) * d;
      dst[y + j + 16] = (((q >> 4) | h1) - 16) * d;
    }
  }
}

/** Q5_1: {f16 d; f16 m; u32 qh; u8 qs[16]} — x = q·d + m. */
export function dequantQ5_1(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  for (let i = 0; i < nb; i++) {
    const b = i * 24;
    const d = half(src, b);
    const m = half(src, b + 2);
    const qh = u32le(src, b + 4);
    const y = o + i * QK;
    for (let j = 0; j < 16; j++) {
      const q = src[b + 8 + j] ?? 0;
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      dst[y + j] = ((q & 0x0f) | h0) * d + m;
      dst[y + j + 16] = ((q >> 4) | h1) * d + m;
    }
  }
}

/** Q8_0: {f16 d; i8 qs[32]} — x = q·d. */
export function dequantQ8_0(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  const s8 = new Int8Array(src.buffer, src.byteOffset, src.byteLength);
  if (s8.length < nb * 34 || dst.length < o + nb * QK) throw new RangeError('Q8_0: short buffer');
  // Bounds are checked once above, so the inner loop reads typed arrays without per-element guards.
  for (let i = 0; i < nb; i++) {
    const b = i * 34;
    const d = half(src, b);
    const y = o + i * QK;
    const q = b + 2;
    for (let j = 0; j < 32; j++) dst[y + j] = (s8[q + j] as number) * d;
  }
}

/** Q8_1: {f16 d; f16 s; i8 qs[32]} — x = q·d (s caches d·Σq). */
export function dequantQ8_1(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  const s8 = new Int8Array(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < nb; i++) {
    const b = i * 36;
    const d = half(src, b);
    const y = o + i * QK;
    for (let j = 0; j < 32; j++) dst[y + j] = (s8[b + 4 + j] ?? 0) * d;
  }
}

/** IQ4_NL: {f16 d; u8 qs[16]} — non-linear 4-bit codebook. */
export const KVALUES_IQ4NL = [
  -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
] as const;
export function dequantIQ4_NL(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  for (let i = 0; i < nb; i++) {
    const b = i * 18;
    const d = half(src, b);
    const y = o + i * QK;
    for (let j = 0; j < 16; j++) {
      const q = src[b + 2 + j] ?? 0;
      dst[y + j] = d * (KVALUES_IQ4NL[q & 0x0f] ?? 0);
      dst[y + j + 16] = d * (KVALUES_IQ4NL[q >> 4] ?? 0);
    }
  }
}

/**
 * Q2_K: {u8 scales[16]; u8 qs[64]; f16 d; f16 dmin} — 16 sub-blocks of 16, each with a 4-bit
 * scale (low nibble) and 4-bit min (high nibble); x = d·sc·q − dmin·m with 2-bit q.
 */
export function dequantQ2_K(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  for (let i = 0; i < nb; i++) {
    const b = i * 84;
    const d = half(src, b + 80);
    const dmin = half(src, b + 82);
    let y = o + i * QK_K;
    let is = 0;
    for (let n = 0; n < 2; n++) {
      const q = b + 16 + n * 32;
      for (let shift = 0; shift < 8; shift += 2) {
        for (let h = 0; h < 2; h++) {
          const sc = src[b + is++] ?? 0;
          const dl = d * (sc & 0xf);
          const ml = dmin * (sc >> 4);
          const qo = q + h * 16;
          for (let l = 0; l < 16; l++) dst[y++] = dl * (((src[qo + l] ?? 0) >> shift) & 3) - ml;
        }
      }
    }
  }
}

/**
 * Q3_K: {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d} — 16 sub-blocks of 16 with signed
 * 6-bit scales packed in 12 bytes; 3-bit q = 2 low bits in qs + 1 high bit in hmask (bit clear ⇒ −4).
 */
export function dequantQ3_K(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  const sc = new Int8Array(16);
  for (let i = 0; i < nb; i++) {
    const b = i * 110;
    const dAll = half(src, b + 108);
    unpackQ3Scales(src, b + 96, sc);
    let y = o + i * QK_K;
    let is = 0;
    let m = 1;
    for (let n = 0; n < 2; n++) {
      const q = b + 32 + n * 32;
      for (let shift = 0; shift < 8; shift += 2) {
        for (let h = 0; h < 2; h++) {
          const dl = dAll * ((sc[is++] ?? 0) - 32);
          for (let l = 0; l < 16; l++) {
            const idx = h * 16 + l;
            const low = ((src[q + idx] ?? 0) >> shift) & 3;
            const hi = (src[b + idx] ?? 0) & m ? 0 : 4;
            dst[y++] = dl * (low - hi);
          }
        }
        m <<= 1;
      }
    }
  }
}

/** Unpack Q3_K's 12-byte scale field into 16 unsigned 6-bit values (0..63, stored +32). */
export function unpackQ3Scales(src: Uint8Array, p: number, out: Int8Array): void {
  for (let j = 0; j < 16; j++) {
    const low = j < 8 ? (src[p + j] ?? 0) & 0x0f : (src[p + j - 8] ?? 0) >> 4;
    const high = ((src[p + 8 + (j % 4)] ?? 0) >> (2 * Math.floor(j / 4))) & 3;
    out[j] = low | (high << 4);
  }
}

/** get_scale_min_k4, scale half: 6-bit scale of sub-block j from the 12-byte K-quant scale field. */
function scaleK4(src: Uint8Array, p: number, j: number): number {
  return j < 4
    ? (src[p + j] as number) & 63
    : ((src[p + j + 4] as number) & 0x0f) | (((src[p + j - 4] as number) >> 6) << 4);
}

/** get_scale_min_k4, min half: 6-bit min of sub-block j. */
function minK4(src: Uint8Array, p: number, j: number): number {
  return j < 4
    ? (src[p + j + 4] as number) & 63
    : ((src[p + j + 4] as number) >> 4) | (((src[p + j] as number) >> 6) << 4);
}

/** get_scale_min_k4: 6-bit scale and min of sub-block j from the 12-byte K-quant scale field. */
export function scaleMinK4(src: Uint8Array, p: number, j: number): [number, number] {
  return [scaleK4(src, p, j), minK4(src, p, j)];
}

/** Q4_K: {f16 d; f16 dmin; u8 scales[12]; u8 qs[128]} — 8 sub-blocks of 32; x = d·sc·q − dmin·m. */
export function dequantQ4_K(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  if (src.length < nb * 144 || dst.length < o + nb * QK_K)
    throw new RangeError('Q4_K: short buffer');
  const sc = new Float64Array(8);
  const mn = new Float64Array(8);
  for (let i = 0; i < nb; i++) {
    const b = i * 144;
    const d = half(src, b);
    const dmin = half(src, b + 2);
    for (let j = 0; j < 8; j++) {
      sc[j] = d * scaleK4(src, b + 4, j);
      mn[j] = dmin * minK4(src, b + 4, j);
    }
    let y = o + i * QK_K;
    let q = b + 16;
    for (let j = 0; j < 8; j += 2) {
      const d1 = sc[j] as number;
      const m1 = mn[j] as number;
      const d2 = sc[j + 1] as number;
      const m2 = mn[j + 1] as number;
      for (let l = 0; l < 32; l++) {
        const v = src[q + l] as number;
        dst[y + l] = d1 * (v & 0x0f) - m1;
        dst[y + 32 + l] = d2 * (v >> 4) - m2;
      }
      y += 64;
      q += 32;
    }
  }
}

/** Q5_K: {f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]} — as Q4_K with a 5th bit from qh. */
export function dequantQ5_K(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  for (let i = 0; i < nb; i++) {
    const b = i * 176;
    const d = half(src, b);
    const dmin = half(src, b + 2);
    const qh = b + 16;
    let ql = b + 48;
    let y = o + i * QK_K;
    let u1 = 1;
    let u2 = 2;
    for (let j = 0; j < 8; j += 2) {
      const [s1, m1] = scaleMinK4(src, b + 4, j);
      const [s2, m2] = scaleMinK4(src, b + 4, j + 1);
      const d1 = d * s1;
      const mm1 = dmin * m1;
      const d2 = d * s2;
      const mm2 = dmin * m2;
      for (let l = 0; l < 32; l++)
        dst[y + l] = d1 * (((src[ql + l] ?? 0) & 0x0f) + ((src[qh + l] ?? 0) & u1 ? 16 : 0)) - mm1;
      for (let l = 0; l < 32; l++)
        dst[y + 32 + l] =
          d2 * (((src[ql + l] ?? 0) >> 4) + ((src[qh + l] ?? 0) & u2 ? 16 : 0)) - mm2;
      y += 64;
      ql += 32;
      u1 <<= 2;
      u2 <<= 2;
    }
  }
}

/** Q6_K: {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d} — 6-bit q (4 low + 2 high bits) − 32, 16 sub-blocks of 16. */
export function dequantQ6_K(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  const s8 = new Int8Array(src.buffer, src.byteOffset, src.byteLength);
  if (s8.length < nb * 210 || dst.length < o + nb * QK_K)
    throw new RangeError('Q6_K: short buffer');
  for (let i = 0; i < nb; i++) {
    const b = i * 210;
    const d = half(src, b + 208);
    let y = o + i * QK_K;
    let ql = b;
    let qh = b + 128;
    let sc = b + 192;
    for (let n = 0; n < 2; n++) {
      for (let is = 0; is < 2; is++) {
        const d1 = d * (s8[sc + is] as number);
        const d2 = d * (s8[sc + is + 2] as number);
        const d3 = d * (s8[sc + is + 4] as number);
        const d4 = d * (s8[sc + is + 6] as number);
        for (let l = is * 16; l < is * 16 + 16; l++) {
          const a = src[ql + l] as number;
          const c = src[ql + l + 32] as number;
          const h = src[qh + l] as number;
          dst[y + l] = d1 * (((a & 0x0f) | ((h & 3) << 4)) - 32);
          dst[y + l + 32] = d2 * (((c & 0x0f) | (((h >> 2) & 3) << 4)) - 32);
          dst[y + l + 64] = d3 * (((a >> 4) | (((h >> 4) & 3) << 4)) - 32);
          dst[y + l + 96] = d4 * (((c >> 4) | (((h >> 6) & 3) << 4)) - 32);
        }
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}

/** Q8_K: {f32 d; i8 qs[256]; i16 bsums[16]} — x = q·d. */
export function dequantQ8_K(src: Uint8Array, nb: number, dst: Float32Array, o: number): void {
  const s8 = new Int8Array(src.buffer, src.byteOffset, src.byteLength);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < nb; i++) {
    const b = i * 292;
    const d = dv.getFloat32(b, true);
    const y = o + i * QK_K;
    for (let j = 0; j < 256; j++) dst[y + j] = (s8[b + 4 + j] ?? 0) * d;
  }
}

function scalar(src: Uint8Array, n: number, dst: Float32Array, o: number, typeId: number): void {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  switch (typeId) {
    case 0:
      for (let i = 0; i < n; i++) dst[o + i] = dv.getFloat32(i * 4, true);
      return;
    case 1:
      for (let i = 0; i < n; i++) dst[o + i] = H[dv.getUint16(i * 2, true)] ?? 0;
      return;
    case 30: {
      const out = new Uint32Array(dst.buffer, dst.byteOffset + o * 4, n);
      for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, true) << 16;
      return;
    }
    case 24:
      for (let i = 0; i < n; i++) dst[o + i] = dv.getInt8(i);
      return;
    case 25:
      for (let i = 0; i < n; i++) dst[o + i] = dv.getInt16(i * 2, true);
      return;
    case 26:
      for (let i = 0; i < n; i++) dst[o + i] = dv.getInt32(i * 4, true);
      return;
    case 27:
      for (let i = 0; i < n; i++) dst[o + i] = Number(dv.getBigInt64(i * 8, true));
      return;
    case 28:
      for (let i = 0; i < n; i++) dst[o + i] = dv.getFloat64(i * 8, true);
      return;
  }
}

type BlockDecoder = (src: Uint8Array, nb: number, dst: Float32Array, o: number) => void;
const BLOCK_DECODERS: ReadonlyMap<number, BlockDecoder> = new Map<number, BlockDecoder>([
  [2, dequantQ4_0],
  [3, dequantQ4_1],
  [6, dequantQ5_0],
  [7, dequantQ5_1],
  [8, dequantQ8_0],
  [9, dequantQ8_1],
  [10, dequantQ2_K],
  [11, dequantQ3_K],
  [12, dequantQ4_K],
  [13, dequantQ5_K],
  [14, dequantQ6_K],
  [15, dequantQ8_K],
  [20, dequantIQ4_NL],
]);

/**
 * Decode `elements` values of GGML type `typeId` from `src` into `dst[dstOffset..]`.
 * `elements` must be a multiple of the type's block size and `src` must hold exactly the blocks.
 */
export function dequantize(
  typeId: number,
  src: Uint8Array,
  elements: number,
  dst: Float32Array,
  dstOffset = 0,
  where?: { file: string; field: string },
): void {
  const info = GGML_TYPES.get(typeId);
  if (!info)
    throw new FormatError('UNKNOWN_DTYPE', `unknown GGML type id ${typeId}`, {
      ...(where ? { where } : {}),
    });
  if (!info.dequantizable) {
    throw new FormatError(
      'UNKNOWN_DTYPE',
      `GGML type ${info.name} (id ${typeId}) is recognised but not supported for dequantization`,
      {
        ...(where ? { where } : {}),
        details: { type: info.name },
      },
    );
  }
  const nb = elements / info.blockSize;
  if (!Number.isInteger(nb) || src.length < nb * info.typeSize) {
    throw new FormatError(
      'SHAPE_MISMATCH',
      `${elements} ${info.name} elements need ${Math.ceil(nb) * info.typeSize} bytes, got ${src.length}`,
      {
        ...(where ? { where } : {}),
      },
    );
  }
  if (dstOffset < 0 || dst.length < dstOffset + elements)
    throw new FormatError(
      'SHAPE_MISMATCH',
      `output holds ${dst.length - dstOffset} of ${elements} ${info.name} elements`,
      { ...(where ? { where } : {}) },
    );
  const dec = BLOCK_DECODERS.get(typeId);
  if (dec) {
    // Typed views below require natural alignment for multi-byte reads only in Q8_K (DataView) — safe.
    dec(src, nb, dst, dstOffset);
    return;
  }
  scalar(src, elements, dst, dstOffset, typeId);
}

/**
 * Quantization bin width of every element (the multiplier of its integer code), for block types
 * with linear codes: an input value x was rounded to this element's value v iff
 * |x − v| ≤ step/2 (round-to-nearest quantizers). Used by the quantized-copy test.
 * Returns false for types without linear codes (IQ*), leaving `dst` untouched.
 */
export function dequantSteps(
  typeId: number,
  src: Uint8Array,
  nb: number,
  dst: Float32Array,
  o: number,
): boolean {
  const fill = (y: number, n: number, v: number): void => {
    dst.fill(v, y, y + n);
  };
  switch (typeId) {
    case 2:
    case 3:
    case 6:
    case 7:
    case 8:
    case 9: {
      const size = GGML_TYPES.get(typeId)?.typeSize ?? 0;
      for (let i = 0; i < nb; i++) fill(o + i * QK, QK, Math.abs(half(src, i * size)));
      return true;
    }
    case 10:
      for (let i = 0; i < nb; i++) {
        const b = i * 84;
        const d = half(src, b + 80);
        for (let j = 0; j < 16; j++)
          fill(o + i * QK_K + 16 * j, 16, Math.abs(d * ((src[b + j] ?? 0) & 0xf)));
      }
      return true;
    case 11: {
      const sc = new Int8Array(16);
      for (let i = 0; i < nb; i++) {
        const b = i * 110;
        const d = half(src, b + 108);
        unpackQ3Scales(src, b + 96, sc);
        for (let j = 0; j < 16; j++)
          fill(o + i * QK_K + 16 * j, 16, Math.abs(d * ((sc[j] ?? 0) - 32)));
      }
      return true;
    }
    case 12:
    case 13: {
      const size = typeId === 12 ? 144 : 176;
      for (let i = 0; i < nb; i++) {
        const b = i * size;
        const d = half(src, b);
        for (let j = 0; j < 8; j++)
          fill(o + i * QK_K + 32 * j, 32, Math.abs(d * scaleMinK4(src, b + 4, j)[0]));
      }
      return true;
    }
    case 14: {
      const s8 = new Int8Array(src.buffer, src.byteOffset, src.byteLength);
      for (let i = 0; i < nb; i++) {
        const b = i * 210;
        const d = half(src, b + 208);
        for (let j = 0; j < 16; j++)
          fill(o + i * QK_K + 16 * j, 16, Math.abs(d * (s8[b + 192 + j] ?? 0)));
      }
      return true;
    }
    case 15: {
      const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
      for (let i = 0; i < nb; i++) fill(o + i * QK_K, QK_K, Math.abs(dv.getFloat32(i * 292, true)));
      return true;
    }
    default:
      return false;
  }
}
