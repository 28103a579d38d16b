/**
 * Reference quantizers (float32 → GGML blocks) for every block type we dequantize. They produce
 * valid blocks for the layouts in ggml-common.h using simple min/max (or max-abs) scaling per
 * (sub-)block, like ggml's `quantize_row_*_ref` without importance weighting. Used to build test
 * fixtures, synthetic quantized copies for the lineage evaluation, and benchmark files.
 */
import { UsageError } from '../../errors.js';
import { f16Table, f32ToF16 } from '../dtypes.js';
import { GGML_TYPES } from './types.js';

const H = f16Table();
const QK = 32;
const QK_K = 256;

function putF16(dst: Uint8Array, o: number, v: number): number {
  const h = f32ToF16(v);
  dst[o] = h & 0xff;
  dst[o + 1] = h >> 8;
  return H[h] ?? 0; // the value the decoder will see
}

function maxAbsSigned(x: Float32Array, o: number, n: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < n; j++) {
    const v = x[o + j] ?? 0;
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

function minMax(x: Float32Array, o: number, n: number): [number, number] {
  let mn = Infinity;
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = x[o + j] ?? 0;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  return [mn, mx];
}

function qQ4_0(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const b = i * 18;
    const max = maxAbsSigned(x, o, QK);
    const d = putF16(dst, b, max / -8);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 16; j++) {
      const a = Math.min(15, Math.max(0, Math.floor((x[o + j] ?? 0) * id + 8.5)));
      const c = Math.min(15, Math.max(0, Math.floor((x[o + j + 16] ?? 0) * id + 8.5)));
      dst[b + 2 + j] = a | (c << 4);
    }
  }
}

function qQ4_1(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const b = i * 20;
    const [mn, mx] = minMax(x, o, QK);
    const d = putF16(dst, b, (mx - mn) / 15);
    const m = putF16(dst, b + 2, mn);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 16; j++) {
      const a = Math.min(15, Math.max(0, Math.floor(((x[o + j] ?? 0) - m) * id + 0.5)));
      const c = Math.min(15, Math.max(0, Math.floor(((x[o + j + 16] ?? 0) - m) * id + 0.5)));
      dst[b + 4 + j] = a | (c << 4);
    }
  }
}

function putU32(dst: Uint8Array, o: number, v: number): void {
  dst[o] = v & 0xff;
  dst[o + 1] = (v >>> 8) & 0xff;
  dst[o + 2] = (v >>> 16) & 0xff;
  dst[o + 3] = (v >>> 24) & 0xff;
}

function qQ5(x: Float32Array, nb: number, dst: Uint8Array, withMin: boolean): void {
  const bs = withMin ? 24 : 22;
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const b = i * bs;
    let d: number;
    let m = 0;
    if (withMin) {
      const [mn, mx] = minMax(x, o, QK);
      d = putF16(dst, b, (mx - mn) / 31);
      m = putF16(dst, b + 2, mn);
    } else {
      d = putF16(dst, b, maxAbsSigned(x, o, QK) / -16);
    }
    const id = d ? 1 / d : 0;
    let qh = 0;
    const qs = b + (withMin ? 8 : 6);
    for (let j = 0; j < 16; j++) {
      const enc = (v: number): number =>
        Math.min(
          31,
          Math.max(0, withMin ? Math.floor((v - m) * id + 0.5) : Math.floor(v * id + 16.5)),
        );
      const a = enc(x[o + j] ?? 0);
      const c = enc(x[o + j + 16] ?? 0);
      dst[qs + j] = (a & 0x0f) | ((c & 0x0f) << 4);
      qh |= ((a & 0x10) >> 4) << j;
      qh |= ((c & 0x10) >> 4) << (j + 16);
    }
    putU32(dst, b + (withMin ? 4 : 2), qh >>> 0);
  }
}

function qQ8_0(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const b = i * 34;
    const amax = Math.abs(maxAbsSigned(x, o, QK));
    const d = putF16(dst, b, amax / 127);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 32; j++)
      dst[b + 2 + j] = Math.max(-128, Math.min(127, Math.round((x[o + j] ?? 0) * id))) & 0xff;
  }
}

function qQ8_1(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const b = i * 36;
    const amax = Math.abs(maxAbsSigned(x, o, QK));
    const d = putF16(dst, b, amax / 127);
    const id = d ? 1 / d : 0;
    let sum = 0;
    for (let j = 0; j < 32; j++) {
      const q = Math.max(-128, Math.min(127, Math.round((x[o + j] ?? 0) * id)));
      sum += q;
      dst[b + 4 + j] = q & 0xff;
    }
    putF16(dst, b + 2, sum * d);
  }
}

function qIQ4_NL(x: Float32Array, nb: number, dst: Uint8Array): void {
  const kv = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const b = i * 18;
    const max = maxAbsSigned(x, o, QK);
    const d = putF16(dst, b, max / -127);
    const nearest = (v: number): number => {
      if (!d) return 8;
      const t = v / d;
      let best = 0;
      for (let k = 1; k < 16; k++)
        if (Math.abs((kv[k] ?? 0) - t) < Math.abs((kv[best] ?? 0) - t)) best = k;
      return best;
    };
    for (let j = 0; j < 16; j++)
      dst[b + 2 + j] = nearest(x[o + j] ?? 0) | (nearest(x[o + j + 16] ?? 0) << 4);
  }
}

/** Per-sub-block (scale ≥ 0, min ≥ 0) so that x ≈ scale·q − min with q ∈ [0, nmax]. */
function subScaleMin(x: Float32Array, o: number, n: number, nmax: number): [number, number] {
  const [mn0, mx] = minMax(x, o, n);
  let mn = mn0;
  if (mn > 0) mn = 0; // like ggml: the min offset is never positive
  const scale = (mx - mn) / nmax;
  return [scale, -mn];
}

function qQ2_K(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * QK_K;
    const b = i * 84;
    const scales = new Float64Array(16);
    const mins = new Float64Array(16);
    for (let j = 0; j < 16; j++) [scales[j], mins[j]] = subScaleMin(x, o + 16 * j, 16, 3);
    const maxSc = Math.max(...scales);
    const maxMin = Math.max(...mins);
    const d = putF16(dst, b + 80, maxSc / 15);
    const dmin = putF16(dst, b + 82, maxMin / 15);
    const L = new Uint8Array(QK_K);
    for (let j = 0; j < 16; j++) {
      const ls = d ? Math.min(15, Math.round((scales[j] ?? 0) / d)) : 0;
      const lm = dmin ? Math.min(15, Math.round((mins[j] ?? 0) / dmin)) : 0;
      dst[b + j] = ls | (lm << 4);
      const sc = d * ls;
      const mm = dmin * lm;
      for (let k = 0; k < 16; k++)
        L[16 * j + k] = sc
          ? Math.min(3, Math.max(0, Math.round(((x[o + 16 * j + k] ?? 0) + mm) / sc)))
          : 0;
    }
    // pack: element index e = n*128 + shiftIdx*32 + h*16 + l lives in qs[n*32 + h*16 + l] at bit shift
    for (let n = 0; n < 2; n++)
      for (let s = 0; s < 4; s++)
        for (let l = 0; l < 32; l++) {
          const e = n * 128 + s * 32 + l;
          dst[b + 16 + n * 32 + l] =
            ((dst[b + 16 + n * 32 + l] ?? 0) & ~(3 << (2 * s))) | ((L[e] ?? 0) << (2 * s));
        }
  }
}

function qQ3_K(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * QK_K;
    const b = i * 110;
    dst.fill(0, b, b + 110);
    const scales = new Float64Array(16);
    for (let j = 0; j < 16; j++) scales[j] = maxAbsSigned(x, o + 16 * j, 16) / -4;
    let maxScale = 0;
    for (const s of scales) if (Math.abs(s) > Math.abs(maxScale)) maxScale = s;
    const d = putF16(dst, b + 108, maxScale / -32);
    const ls = new Int8Array(16);
    for (let j = 0; j < 16; j++)
      ls[j] = d ? Math.max(-32, Math.min(31, Math.round((scales[j] ?? 0) / d))) : 0;
    // pack 6-bit scales (stored +32): low nibbles in bytes 0..7, high 2 bits in bytes 8..11
    const p = b + 96;
    for (let j = 0; j < 16; j++) {
      const l = (ls[j] ?? 0) + 32;
      if (j < 8) dst[p + j] = ((dst[p + j] ?? 0) & 0xf0) | (l & 0x0f);
      else dst[p + j - 8] = ((dst[p + j - 8] ?? 0) & 0x0f) | ((l & 0x0f) << 4);
      dst[p + 8 + (j % 4)] =
        (dst[p + 8 + (j % 4)] ?? 0) | (((l >> 4) & 3) << (2 * Math.floor(j / 4)));
    }
    for (let j = 0; j < 16; j++) {
      const sc = d * (ls[j] ?? 0);
      for (let k = 0; k < 16; k++) {
        const e = 16 * j + k;
        const q = sc ? Math.max(-4, Math.min(3, Math.round((x[o + e] ?? 0) / sc))) : 0;
        const u = q + 4; // 0..7: bit 2 → hmask, bits 0..1 → qs
        const n = e >> 7;
        const s = (e >> 5) & 3;
        const idx = e & 31; // h*16 + l
        dst[b + 32 + n * 32 + idx] = (dst[b + 32 + n * 32 + idx] ?? 0) | ((u & 3) << (2 * s));
        if (u & 4) dst[b + idx] = (dst[b + idx] ?? 0) | (1 << (n * 4 + s));
      }
    }
  }
}

/** Pack 8 six-bit (scale, min) pairs into the 12-byte K-quant field (inverse of get_scale_min_k4). */
function packScaleMinK4(
  dst: Uint8Array,
  p: number,
  ls: ArrayLike<number>,
  lm: ArrayLike<number>,
): void {
  for (let j = 0; j < 12; j++) dst[p + j] = 0;
  for (let j = 0; j < 8; j++) {
    const s = ls[j] ?? 0;
    const m = lm[j] ?? 0;
    if (j < 4) {
      dst[p + j] = (dst[p + j] ?? 0) | (s & 63);
      dst[p + j + 4] = (dst[p + j + 4] ?? 0) | (m & 63);
    } else {
      dst[p + j + 4] = (s & 0x0f) | ((m & 0x0f) << 4);
      dst[p + j - 4] = (dst[p + j - 4] ?? 0) | ((s >> 4) << 6);
      dst[p + j] = (dst[p + j] ?? 0) | ((m >> 4) << 6);
    }
  }
}

function qQ45_K(x: Float32Array, nb: number, dst: Uint8Array, five: boolean): void {
  const bs = five ? 176 : 144;
  const nmax = five ? 31 : 15;
  for (let i = 0; i < nb; i++) {
    const o = i * QK_K;
    const b = i * bs;
    dst.fill(0, b, b + bs);
    const scales = new Float64Array(8);
    const mins = new Float64Array(8);
    for (let j = 0; j < 8; j++) [scales[j], mins[j]] = subScaleMin(x, o + 32 * j, 32, nmax);
    const d = putF16(dst, b, Math.max(...scales) / 63);
    const dmin = putF16(dst, b + 2, Math.max(...mins) / 63);
    const ls = new Uint8Array(8);
    const lm = new Uint8Array(8);
    for (let j = 0; j < 8; j++) {
      ls[j] = d ? Math.min(63, Math.round((scales[j] ?? 0) / d)) : 0;
      lm[j] = dmin ? Math.min(63, Math.round((mins[j] ?? 0) / dmin)) : 0;
    }
    packScaleMinK4(dst, b + 4, ls, lm);
    const qs = b + (five ? 48 : 16);
    for (let j = 0; j < 8; j++) {
      const sc = d * (ls[j] ?? 0);
      const mm = dmin * (lm[j] ?? 0);
      for (let l = 0; l < 32; l++) {
        const q = sc
          ? Math.min(nmax, Math.max(0, Math.round(((x[o + 32 * j + l] ?? 0) + mm) / sc)))
          : 0;
        const pair = j >> 1; // sub-blocks 2k and 2k+1 share qs[32k .. 32k+31]
        const hiNib = j & 1;
        const at = qs + pair * 32 + l;
        dst[at] = (dst[at] ?? 0) | ((q & 0x0f) << (hiNib ? 4 : 0));
        if (five && q & 0x10) dst[b + 16 + l] = (dst[b + 16 + l] ?? 0) | (1 << j);
      }
    }
  }
}

function qQ6_K(x: Float32Array, nb: number, dst: Uint8Array): void {
  for (let i = 0; i < nb; i++) {
    const o = i * QK_K;
    const b = i * 210;
    dst.fill(0, b, b + 210);
    const scales = new Float64Array(16);
    for (let j = 0; j < 16; j++) scales[j] = maxAbsSigned(x, o + 16 * j, 16) / -32;
    let maxScale = 0;
    for (const s of scales) if (Math.abs(s) > Math.abs(maxScale)) maxScale = s;
    const d = putF16(dst, b + 208, maxScale / -128);
    const sc = new Int8Array(16);
    for (let j = 0; j < 16; j++) {
      sc[j] = d ? Math.max(-128, Math.min(127, Math.round((scales[j] ?? 0) / d))) : 0;
      dst[b + 192 + j] = (sc[j] ?? 0) & 0xff;
    }
    for (let e = 0; e < QK_K; e++) {
      const s = d * (sc[e >> 4] ?? 0);
      const q = (s ? Math.max(-32, Math.min(31, Math.round((x[o + e] ?? 0) / s))) : 0) + 32;
      // element e = n*128 + part*32 + l  (part 0..3 selects q1..q4)
      const n = e >> 7;
      const part = (e >> 5) & 3;
      const l = e & 31;
      const ql = b + n * 64 + l + (part & 1 ? 32 : 0);
      dst[ql] = (dst[ql] ?? 0) | ((q & 0x0f) << (part >= 2 ? 4 : 0));
      const qh = b + 128 + n * 32 + l;
      dst[qh] = (dst[qh] ?? 0) | (((q >> 4) & 3) << (2 * part));
    }
  }
}

function qQ8_K(x: Float32Array, nb: number, dst: Uint8Array): void {
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let i = 0; i < nb; i++) {
    const o = i * QK_K;
    const b = i * 292;
    const amax = Math.abs(maxAbsSigned(x, o, QK_K));
    const d = Math.fround(amax / 127);
    dv.setFloat32(b, d, true);
    const id = d ? 1 / d : 0;
    for (let k = 0; k < 16; k++) {
      let sum = 0;
      for (let l = 0; l < 16; l++) {
        const q = Math.max(-128, Math.min(127, Math.round((x[o + 16 * k + l] ?? 0) * id)));
        sum += q;
        dst[b + 4 + 16 * k + l] = q & 0xff;
      }
      dv.setInt16(b + 260 + 2 * k, sum, true);
    }
  }
}

function scalarEncode(typeId: number, x: Float32Array, n: number, dst: Uint8Array): void {
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    switch (typeId) {
      case 0:
        dv.setFloat32(i * 4, v, true);
        break;
      case 1:
        dv.setUint16(i * 2, f32ToF16(v), true);
        break;
      case 30: {
        const f = new Float32Array([v]);
        const u = new Uint32Array(f.buffer)[0] ?? 0;
        dv.setUint16(i * 2, ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff, true);
        break;
      }
      case 28:
        dv.setFloat64(i * 8, v, true);
        break;
      case 24:
        dv.setInt8(i, Math.round(v));
        break;
      case 25:
        dv.setInt16(i * 2, Math.round(v), true);
        break;
      case 26:
        dv.setInt32(i * 4, Math.round(v), true);
        break;
      case 27:
        dv.setBigInt64(i * 8, BigInt(Math.round(v)), true);
        break;
    }
  }
}

type Encoder = (x: Float32Array, nb: number, dst: Uint8Array) => void;
const ENCODERS: ReadonlyMap<number, Encoder> = new Map<number, Encoder>([
  [2, qQ4_0],
  [3, qQ4_1],
  [6, (x, nb, d) => qQ5(x, nb, d, false)],
  [7, (x, nb, d) => qQ5(x, nb, d, true)],
  [8, qQ8_0],
  [9, qQ8_1],
  [10, qQ2_K],
  [11, qQ3_K],
  [12, (x, nb, d) => qQ45_K(x, nb, d, false)],
  [13, (x, nb, d) => qQ45_K(x, nb, d, true)],
  [14, qQ6_K],
  [15, qQ8_K],
  [20, qIQ4_NL],
]);

/** GGML type ids that {@link quantize} can produce. */
export const QUANTIZABLE_TYPES: readonly number[] = [
  0,
  1,
  30,
  24,
  25,
  26,
  27,
  28,
  ...ENCODERS.keys(),
];

/** Quantize `x` (length a multiple of the block size) to GGML type `typeId`; returns the block bytes. */
export function quantize(typeId: number, x: Float32Array): Uint8Array {
  const info = GGML_TYPES.get(typeId);
  if (!info) throw new UsageError('UNSUPPORTED', `unknown GGML type id ${typeId}`);
  if (x.length % info.blockSize !== 0) {
    throw new UsageError(
      'USAGE',
      `${x.length} elements are not a multiple of ${info.name}'s block size ${info.blockSize}`,
    );
  }
  const nb = x.length / info.blockSize;
  const out = new Uint8Array(nb * info.typeSize);
  const enc = ENCODERS.get(typeId);
  if (enc) enc(x, nb, out);
  else if (info.blockSize === 1 && info.dequantizable) scalarEncode(typeId, x, x.length, out);
  else throw new UsageError('UNSUPPORTED', `quantization to ${info.name} is not implemented`);
  return out;
}
