import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mat, mulABt, mulABtJs, WASM_MIN_WORK } from '../../src/forensics/linalg.js';
import { MATMUL_WASM_BASE64 } from '../../src/forensics/matmul-wasm.js';

function filled(rows: number, cols: number, seed: number) {
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = Math.sin(i * 0.37 + seed) * (1 + (i % 7));
  return m;
}

test('mulABt: the WebAssembly SIMD kernel agrees with the JavaScript kernel on ragged shapes', () => {
  const shapes: [number, number, number][] = [
    [1024, 700, 96], // matching shape
    [513, 1027, 2049], // odd everything
    [3, 4097, 2048], // fewer A rows than a block
    [1, 1 << 20, 1], // k = 1
    [2, 2, 1 << 18], // long inner dimension
  ];
  for (const [m, n, k] of shapes) {
    assert.ok(m * n * k >= WASM_MIN_WORK, `${m}×${n}×${k} takes the SIMD path`);
    const a = filled(m, k, 1);
    const b = filled(n, k, 2);
    const x = mulABt(a, b);
    const y = mulABtJs(a, b);
    assert.equal(x.rows, m);
    assert.equal(x.cols, n);
    // Standard floating-point bound for a sum of k products in f32: |error| ≤ k·2⁻²⁴·Σ|a||b|.
    const abs = (x: ReturnType<typeof mat>) => mat(x.rows, x.cols, x.data.map(Math.abs));
    const bound = mulABtJs(abs(a), abs(b));
    let worst = 0;
    for (let i = 0; i < y.data.length; i++) {
      const err = Math.abs((x.data[i] as number) - (y.data[i] as number));
      worst = Math.max(worst, err / (k * 2 ** -24 * (bound.data[i] as number) + 1e-30));
    }
    assert.ok(worst <= 1, `${m}×${n}×${k}: error ${worst} × the f32 bound`);
  }
});

test('mulABt: inner dimensions must agree; small products use the JavaScript kernel exactly', () => {
  assert.throws(() => mulABt(mat(2, 3), mat(2, 4)), RangeError);
  const a = filled(5, 3, 3);
  const b = filled(4, 3, 4);
  assert.deepEqual(mulABt(a, b).data, mulABtJs(a, b).data);
});

test('the embedded kernel is the assembled matmul.wat (rebuild with npm run build:wasm)', async () => {
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const src = readFileSync(join(import.meta.dirname, '../../src/forensics/matmul.wat'), 'utf8');
  const mod = wabt.parseWat('matmul.wat', src, { simd: true });
  const { buffer } = mod.toBinary({});
  assert.equal(Buffer.from(buffer).toString('base64'), MATMUL_WASM_BASE64);
});
