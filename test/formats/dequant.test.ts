/**
 * Known-answer blocks for every GGML block type, built by hand from the documented block layouts
 * (ggml-common.h): each test chooses semantic values (scales, mins, quants), packs them into bytes
 * with its own code, and checks the dequantized floats against the formula.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dequantize,
  GGML_TYPE_ID,
  quantize,
  QUANTIZABLE_TYPES,
  GGML_TYPES,
} from '../../src/formats/gguf/index.js';
import { FormatError } from '../../src/errors.js';
import { randomFloats } from '../helpers/fixtures.js';

const F16 = {
  '0.125': [0x00, 0x30],
  '0.25': [0x00, 0x34],
  '0.5': [0x00, 0x38],
  '1': [0x00, 0x3c],
  '2': [0x00, 0x40],
  '-1': [0x00, 0xbc],
} as const;

function decode(type: string, block: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  dequantize(GGML_TYPE_ID[type] ?? -1, block, n, out);
  return out;
}

function expectAll(got: Float32Array, want: (i: number) => number): void {
  for (let i = 0; i < got.length; i++) assert.equal(got[i], Math.fround(want(i)), `element ${i}`);
}

test('Q4_0 known answer', () => {
  const b = new Uint8Array(18);
  b.set(F16['0.5'], 0);
  for (let j = 0; j < 16; j++) b[2 + j] = j | ((15 - j) << 4);
  expectAll(decode('Q4_0', b, 32), (i) => (i < 16 ? (i - 8) * 0.5 : (15 - (i - 16) - 8) * 0.5));
});

test('Q4_1 known answer', () => {
  const b = new Uint8Array(20);
  b.set(F16['0.25'], 0);
  b.set(F16['-1'], 2);
  for (let j = 0; j < 16; j++) b[4 + j] = j | ((j ^ 0xf) << 4);
  expectAll(decode('Q4_1', b, 32), (i) => (i < 16 ? i * 0.25 - 1 : (15 - (i - 16)) * 0.25 - 1));
});

test('Q5_0 known answer (fifth bit from qh)', () => {
  const b = new Uint8Array(22);
  b.set(F16['1'], 0);
  b.set([0x00, 0x00, 0xff, 0xff], 2); // qh: elements 16..31 have the high bit
  for (let j = 0; j < 16; j++) b[6 + j] = j | (j << 4);
  expectAll(decode('Q5_0', b, 32), (i) => (i < 16 ? i - 16 : i - 16 + 16 - 16));
});

test('Q5_1 known answer', () => {
  const b = new Uint8Array(24);
  b.set(F16['0.5'], 0);
  b.set(F16['2'], 2);
  b.set([0xff, 0xff, 0x00, 0x00], 4); // elements 0..15 have the high bit
  for (let j = 0; j < 16; j++) b[8 + j] = 1 | (2 << 4);
  expectAll(decode('Q5_1', b, 32), (i) => (i < 16 ? 17 * 0.5 + 2 : 2 * 0.5 + 2));
});

test('Q8_0 known answer', () => {
  const b = new Uint8Array(34);
  b.set(F16['0.125'], 0);
  for (let j = 0; j < 32; j++) b[2 + j] = (j - 16) & 0xff;
  expectAll(decode('Q8_0', b, 32), (i) => (i - 16) * 0.125);
});

test('IQ4_NL known answer', () => {
  const kv = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];
  const b = new Uint8Array(18);
  b.set(F16['1'], 0);
  for (let j = 0; j < 16; j++) b[2 + j] = j | ((15 - j) << 4);
  expectAll(decode('IQ4_NL', b, 32), (i) => (i < 16 ? (kv[i] ?? 0) : (kv[15 - (i - 16)] ?? 0)));
});

test('Q2_K known answer', () => {
  const b = new Uint8Array(84);
  const sc = (k: number): number => (k % 4) + 1;
  const mn = (k: number): number => k % 3;
  for (let k = 0; k < 16; k++) b[k] = sc(k) | (mn(k) << 4);
  b.fill(0xe4, 16, 80); // 2-bit fields 0,1,2,3 at shifts 0,2,4,6
  b.set(F16['1'], 80);
  b.set(F16['0.5'], 82);
  // element e = n*128 + s*32 + h*16 + l uses the field at shift 2s, sub-block e>>4
  expectAll(decode('Q2_K', b, 256), (e) => 1 * sc(e >> 4) * ((e >> 5) & 3) - 0.5 * mn(e >> 4));
});

test('Q3_K known answer (6-bit signed scales, hmask)', () => {
  const b = new Uint8Array(110);
  const S = (k: number): number => 32 + (k - 8) + (k === 15 ? 20 : 0); // exercise the high bits
  for (let k = 0; k < 16; k++) {
    const v = S(k);
    if (k < 8) b[96 + k] = (b[96 + k] ?? 0) | (v & 0x0f);
    else b[96 + k - 8] = (b[96 + k - 8] ?? 0) | ((v & 0x0f) << 4);
    b[96 + 8 + (k % 4)] = (b[96 + 8 + (k % 4)] ?? 0) | ((v >> 4) << (2 * Math.floor(k / 4)));
  }
  b.fill(0xff, 0, 16); // hmask bytes 0..15 all set: no −4 for idx < 16
  b.fill(0xe4, 32, 96);
  b.set(F16['0.5'], 108);
  expectAll(decode('Q3_K', b, 256), (e) => {
    const idx = e & 31;
    const low = (e >> 5) & 3;
    return 0.5 * (S(e >> 4) - 32) * (low - (idx < 16 ? 0 : 4));
  });
});

function packK4(b: Uint8Array, p: number, sc: number[], mn: number[]): void {
  for (let j = 0; j < 4; j++) {
    b[p + j] = ((sc[j] ?? 0) & 63) | (((sc[j + 4] ?? 0) >> 4) << 6);
    b[p + j + 4] = ((mn[j] ?? 0) & 63) | (((mn[j + 4] ?? 0) >> 4) << 6);
    b[p + j + 8] = ((sc[j + 4] ?? 0) & 0x0f) | (((mn[j + 4] ?? 0) & 0x0f) << 4);
  }
}

test('Q4_K known answer', () => {
  const b = new Uint8Array(144);
  const sc = Array.from({ length: 8 }, (_, j) => 10 + 7 * j);
  const mn = Array.from({ length: 8 }, (_, j) => 63 - 5 * j);
  b.set(F16['1'], 0);
  b.set(F16['0.25'], 2);
  packK4(b, 4, sc, mn);
  for (let p = 0; p < 4; p++)
    for (let l = 0; l < 32; l++) b[16 + p * 32 + l] = (l % 16) | ((15 - (l % 16)) << 4);
  expectAll(decode('Q4_K', b, 256), (e) => {
    const j = e >> 5;
    const l = e & 31;
    const q = j % 2 === 0 ? l % 16 : 15 - (l % 16);
    return (sc[j] ?? 0) * q - 0.25 * (mn[j] ?? 0);
  });
});

test('Q5_K known answer', () => {
  const b = new Uint8Array(176);
  const sc = Array.from({ length: 8 }, (_, j) => 5 + 8 * j);
  const mn = Array.from({ length: 8 }, (_, j) => 2 * j + 30);
  b.set(F16['0.5'], 0);
  b.set(F16['1'], 2);
  packK4(b, 4, sc, mn);
  b.fill(0xaa, 16, 48); // qh bit j set for odd sub-blocks j
  for (let p = 0; p < 4; p++) for (let l = 0; l < 32; l++) b[48 + p * 32 + l] = (l % 16) | (3 << 4);
  expectAll(decode('Q5_K', b, 256), (e) => {
    const j = e >> 5;
    const l = e & 31;
    const nib = j % 2 === 0 ? l % 16 : 3;
    const hi = j % 2 === 1 ? 16 : 0;
    return 0.5 * (sc[j] ?? 0) * (nib + hi) - 1 * (mn[j] ?? 0);
  });
});

test('Q6_K known answer', () => {
  const b = new Uint8Array(210);
  b.fill(0x5a, 0, 128);
  b.fill(0xe4, 128, 192);
  for (let k = 0; k < 16; k++) b[192 + k] = (k - 8) & 0xff;
  b.set(F16['0.5'], 208);
  const qOf = [10 - 32, (0xa | 16) - 32, (5 | 32) - 32, (5 | 48) - 32];
  expectAll(decode('Q6_K', b, 256), (e) => 0.5 * ((e >> 4) - 8) * (qOf[(e >> 5) & 3] ?? 0));
});

test('Q8_K known answer', () => {
  const b = new Uint8Array(292);
  new DataView(b.buffer).setFloat32(0, 0.25, true);
  for (let j = 0; j < 256; j++) b[4 + j] = (j - 128) & 0xff;
  expectAll(decode('Q8_K', b, 256), (e) => 0.25 * (e - 128));
});

test('scalar types decode exactly', () => {
  const x = Float32Array.from([1.5, -2, 0.25, 1024]);
  for (const t of ['F32', 'F16', 'BF16', 'F64']) {
    const id = GGML_TYPE_ID[t] ?? -1;
    expectAll(decode(t, quantize(id, x), 4), (i) => x[i] ?? 0);
  }
  const ints = Float32Array.from([1, -2, 3, -4]);
  for (const t of ['I8', 'I16', 'I32', 'I64'])
    expectAll(decode(t, quantize(GGML_TYPE_ID[t] ?? -1, ints), 4), (i) => ints[i] ?? 0);
});

test('quantize → dequantize round trip stays within each format’s error', () => {
  const x = randomFloats(1024, 7, 1);
  // theoretical worst case per format for max |x| = 1 (half a step, or a full step where the
  // reference rounding clamps asymmetrically) plus f16 scale rounding; a layout bug is far larger
  const bound: Record<string, number> = {
    Q8_0: 0.005,
    Q8_1: 0.005,
    Q8_K: 0.005,
    Q6_K: 0.045,
    Q5_0: 0.07,
    Q5_1: 0.04,
    Q5_K: 0.04,
    Q4_0: 0.13,
    Q4_1: 0.075,
    Q4_K: 0.075,
    IQ4_NL: 0.12,
    Q3_K: 0.28,
    Q2_K: 0.34,
  };
  for (const id of QUANTIZABLE_TYPES) {
    const info = GGML_TYPES.get(id);
    if (!info || info.blockSize === 1) continue;
    const y = new Float32Array(x.length);
    dequantize(id, quantize(id, x), x.length, y);
    let maxErr = 0;
    for (let i = 0; i < x.length; i++)
      maxErr = Math.max(maxErr, Math.abs((x[i] ?? 0) - (y[i] ?? 0)));
    assert.ok(
      maxErr <= (bound[info.name] ?? 0),
      `${info.name}: max error ${maxErr} > ${bound[info.name]}`,
    );
  }
});

test('unsupported and unknown types are typed errors', () => {
  assert.throws(
    () => dequantize(GGML_TYPE_ID['IQ2_XXS'] ?? -1, new Uint8Array(66), 256, new Float32Array(256)),
    (e: unknown) => e instanceof FormatError && e.code === 'UNKNOWN_DTYPE',
  );
  assert.throws(
    () => dequantize(99, new Uint8Array(4), 1, new Float32Array(1)),
    (e: unknown) => e instanceof FormatError && e.code === 'UNKNOWN_DTYPE',
  );
  assert.throws(
    () => dequantize(8, new Uint8Array(10), 32, new Float32Array(32)),
    (e: unknown) => e instanceof FormatError && e.code === 'SHAPE_MISMATCH',
  );
});

test('decodeToF32 BF16: word-pair fast path equals the scalar rule for any length, offset and output slot', async () => {
  const { decodeToF32 } = await import('../../src/formats/dtypes.js');
  const raw = new Uint8Array(2 * 1031 + 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 131 + 7) & 255;
  for (const byteOff of [0, 1, 2, 3]) {
    for (const n of [0, 1, 2, 3, 1000, 1031]) {
      const bytes = raw.subarray(byteOff, byteOff + 2 * n);
      const out = new Float32Array(n + 5).fill(-7);
      decodeToF32('BF16', bytes, out, 3, n);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) {
        const expected = (((bytes[2 * i + 1] as number) << 8) | (bytes[2 * i] as number)) << 16;
        assert.equal(u[3 + i], expected >>> 0, `offset ${byteOff}, n ${n}, element ${i}`);
      }
      assert.equal(out[2], -7);
      assert.equal(out[3 + n], -7);
    }
  }
});
