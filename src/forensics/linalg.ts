/**
 * Small dense linear algebra on row-major Float32Array / Float64Array matrices, enough for
 * fingerprints and comparisons: blocked A·Bᵀ products, row normalisation, symmetric
 * eigenvalues (cyclic Jacobi), top singular values by randomized subspace iteration
 * (Halko, Martinsson & Tropp, SIAM Review 53(2), 2011), and unbiased linear CKA
 * (Song et al. 2012 unbiased HSIC; Kornblith et al., ICML 2019).
 */

import { MATMUL_WASM_BASE64 } from './matmul-wasm.js';

/** A row-major matrix. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Make a matrix, zero-filled or over existing data. */
export function mat(rows: number, cols: number, data?: Float32Array): Mat {
  return { rows, cols, data: data ?? new Float32Array(rows * cols) };
}

/**
 * Products with at least this many multiply-adds run in WebAssembly SIMD (copying in and out
 * costs O((m + n)·k + m·n), negligible beside m·n·k above this size).
 */
export const WASM_MIN_WORK = 1 << 20;
/** Most bytes of WebAssembly memory one product may use (B, one block of A rows and of C). */
export const WASM_MAX_BYTES = 256 * 2 ** 20;

/** The part of the WebAssembly JS API used here (Node 20 has it; TypeScript's ES libs do not type it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
};
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmMatmul {
  readonly memory: WasmMemory;
  readonly mulABt: (A: number, B: number, C: number, m: number, n: number, k: number) => void;
}
let wasm: WasmMatmul | null | undefined;

/** The SIMD kernel (src/forensics/matmul.wat), instantiated once per thread; null where unsupported. */
function wasmKernel(): WasmMatmul | null {
  if (wasm !== undefined) return wasm;
  try {
    const mod = new WebAssembly.Module(Buffer.from(MATMUL_WASM_BASE64, 'base64'));
    const inst = new WebAssembly.Instance(mod, {});
    const e = inst.exports as unknown as WasmMatmul;
    wasm = { memory: e.memory, mulABt: e.mulABt };
  } catch {
    wasm = null; // no WebAssembly SIMD: the JavaScript kernel below is used
  }
  return wasm;
}

/**
 * C = A · Bᵀ in WebAssembly SIMD, or null when the kernel is unavailable or B is too large.
 * Rows are zero-padded (k to a multiple of 4, B to a multiple of 4 rows, A blocks to even rows),
 * which leaves every product unchanged; sums are accumulated in f32 (4 lanes, then pairwise).
 */
function mulABtWasm(a: Mat, b: Mat): Mat | null {
  const w = wasmKernel();
  if (!w) return null;
  const m = a.rows;
  const n = b.rows;
  const k = a.cols;
  const k4 = (k + 3) & ~3;
  const n4 = (n + 3) & ~3;
  const bBytes = n4 * k4 * 4;
  const perRow = (k4 + n4) * 4;
  const blockRows = Math.min(
    (m + 1) & ~1 || 2,
    Math.floor((WASM_MAX_BYTES - bBytes) / perRow) & ~1,
  );
  if (blockRows < 2) return null;
  const need = bBytes + blockRows * perRow;
  const have = w.memory.buffer.byteLength;
  if (need > have) w.memory.grow(Math.ceil((need - have) / 65536));
  const heap = new Float32Array(w.memory.buffer);
  const B0 = 0;
  const A0 = n4 * k4;
  const C0 = A0 + blockRows * k4;
  heap.fill(0, B0, A0);
  for (let j = 0; j < n; j++) heap.set(b.data.subarray(j * k, (j + 1) * k), B0 + j * k4);
  const C = new Float32Array(m * n);
  for (let i0 = 0; i0 < m; i0 += blockRows) {
    const rows = Math.min(blockRows, m - i0);
    const rowsEven = (rows + 1) & ~1;
    heap.fill(0, A0, A0 + rowsEven * k4);
    for (let i = 0; i < rows; i++)
      heap.set(a.data.subarray((i0 + i) * k, (i0 + i + 1) * k), A0 + i * k4);
    w.mulABt(A0 * 4, B0 * 4, C0 * 4, rowsEven, n4, k4);
    for (let i = 0; i < rows; i++) C.set(heap.subarray(C0 + i * n4, C0 + i * n4 + n), (i0 + i) * n);
  }
  return { rows: m, cols: n, data: C };
}

/**
 * C = A · Bᵀ (A: m×k, B: n×k → m×n). Large products run in WebAssembly SIMD (f32 accumulation);
 * small ones, or where SIMD is unavailable, in JavaScript blocked 4×4 for register reuse.
 */
export function mulABt(a: Mat, b: Mat): Mat {
  if (b.cols !== a.cols) throw new RangeError(`mulABt: inner dims ${a.cols} and ${b.cols} differ`);
  if (a.rows * b.rows * a.cols >= WASM_MIN_WORK) {
    const r = mulABtWasm(a, b);
    if (r) return r;
  }
  return mulABtJs(a, b);
}

/** C = A · Bᵀ in JavaScript, blocked 4×4 for register reuse (double-precision accumulation). */
export function mulABtJs(a: Mat, b: Mat): Mat {
  const m = a.rows;
  const n = b.rows;
  const k = a.cols;
  if (b.cols !== k) throw new RangeError(`mulABt: inner dims ${k} and ${b.cols} differ`);
  const A = a.data;
  const B = b.data;
  const C = new Float32Array(m * n);
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p] as number;
        const x1 = A[a1 + p] as number;
        const x2 = A[a2 + p] as number;
        const x3 = A[a3 + p] as number;
        const y0 = B[b0 + p] as number;
        const y1 = B[b1 + p] as number;
        const y2 = B[b2 + p] as number;
        const y3 = B[b3 + p] as number;
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
      }
      let o = i * n + j;
      C[o] = c00;
      C[o + 1] = c01;
      C[o + 2] = c02;
      C[o + 3] = c03;
      o += n;
      C[o] = c10;
      C[o + 1] = c11;
      C[o + 2] = c12;
      C[o + 3] = c13;
      o += n;
      C[o] = c20;
      C[o + 1] = c21;
      C[o + 2] = c22;
      C[o + 3] = c23;
      o += n;
      C[o] = c30;
      C[o + 1] = c31;
      C[o + 2] = c32;
      C[o + 3] = c33;
    }
  }
  // edges
  for (let i = 0; i < m; i++) {
    for (let j = i < m4 ? n4 : 0; j < n; j++) {
      let s = 0;
      const ai = i * k;
      const bj = j * k;
      for (let p = 0; p < k; p++) s += (A[ai + p] as number) * (B[bj + p] as number);
      C[i * n + j] = s;
    }
  }
  return { rows: m, cols: n, data: C };
}

/** C = A · B (A: m×k, B: k×n). */
export function mulAB(a: Mat, b: Mat): Mat {
  return mulABt(a, transpose(b));
}

/** Transpose. */
export function transpose(a: Mat): Mat {
  const out = new Float32Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j] as number;
  return { rows: a.cols, cols: a.rows, data: out };
}

/** Scale each row to unit L2 norm in place (zero rows stay zero). Returns the original norms. */
export function normalizeRows(a: Mat): Float32Array {
  const norms = new Float32Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    const o = i * a.cols;
    for (let j = 0; j < a.cols; j++) s += (a.data[o + j] as number) ** 2;
    const n = Math.sqrt(s);
    norms[i] = n;
    if (n > 0) for (let j = 0; j < a.cols; j++) a.data[o + j] = (a.data[o + j] as number) / n;
  }
  return norms;
}

/** Cosine similarity matrix between rows of A and rows of B (copies; inputs untouched). */
export function cosineMatrix(a: Mat, b: Mat): Mat {
  const an = mat(a.rows, a.cols, a.data.slice());
  const bn = mat(b.rows, b.cols, b.data.slice());
  normalizeRows(an);
  normalizeRows(bn);
  return mulABt(an, bn);
}

/** Index of the maximum of each row. */
export function rowArgmax(c: Mat): Int32Array {
  const out = new Int32Array(c.rows);
  for (let i = 0; i < c.rows; i++) {
    let best = -Infinity;
    let bi = -1;
    const o = i * c.cols;
    for (let j = 0; j < c.cols; j++) {
      const v = c.data[o + j] as number;
      if (v > best) {
        best = v;
        bi = j;
      }
    }
    out[i] = bi;
  }
  return out;
}

/** Eigenvalues of a symmetric n×n matrix (Float64, row-major) by cyclic Jacobi; descending. */
export function symmetricEigenvalues(input: Float64Array, n: number, maxSweeps = 30): Float64Array {
  const a = input.slice();
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) off += (a[p * n + q] as number) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p] as number;
        const aqq = a[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + p] as number;
          const arq = a[r * n + q] as number;
          a[r * n + p] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p * n + r] as number;
          const aqr = a[q * n + r] as number;
          a[p * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = a[i * n + i] as number;
  return ev.sort().reverse();
}

/** Singular values of a (small) matrix via the eigenvalues of AᵀA or AAᵀ; descending. */
export function singularValues(a: Mat): Float64Array {
  const small = a.rows <= a.cols ? a : transpose(a);
  const g = mulABt(small, small); // small.rows × small.rows
  const g64 = Float64Array.from(g.data);
  const ev = symmetricEigenvalues(g64, g.rows);
  return ev.map((v) => Math.sqrt(Math.max(0, v)));
}

/** Deterministic Gaussian-ish numbers from a seed (for sketches; not security-relevant). */
export function seededNormals(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  for (let i = 0; i < n; i += 2) {
    const u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Orthonormalise the columns of an m×n matrix (modified Gram–Schmidt, twice for stability). */
export function orthonormalizeColumns(a: Mat): Mat {
  const t = transpose(a); // rows are the columns
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < t.rows; i++) {
      const oi = i * t.cols;
      for (let j = 0; j < i; j++) {
        const oj = j * t.cols;
        let d = 0;
        for (let p = 0; p < t.cols; p++)
          d += (t.data[oi + p] as number) * (t.data[oj + p] as number);
        for (let p = 0; p < t.cols; p++)
          t.data[oi + p] = (t.data[oi + p] as number) - d * (t.data[oj + p] as number);
      }
      let s = 0;
      for (let p = 0; p < t.cols; p++) s += (t.data[oi + p] as number) ** 2;
      const nrm = Math.sqrt(s) || 1;
      for (let p = 0; p < t.cols; p++) t.data[oi + p] = (t.data[oi + p] as number) / nrm;
    }
  }
  return transpose(t);
}

/**
 * Top-`r` singular values of the product Xᵀ·Y (X: p×d, Y: p×e), never forming the d×e product
 * when it is large: randomized subspace iteration with `iters` power steps.
 */
export function topSingularValuesOfProduct(
  x: Mat,
  y: Mat,
  r: number,
  iters = 2,
  seed = 7,
): Float64Array {
  const d = x.cols;
  const e = y.cols;
  if (d * e <= 256 * 256) {
    return singularValues(mulAB(transpose(x), y)).slice(0, r);
  }
  const l = Math.min(r + 8, d, e);
  // Ω: e×l ; Z = (XᵀY)Ω = Xᵀ(YΩ)
  let omega = mat(e, l, seededNormals(e * l, seed));
  let z = mat(d, l);
  for (let it = 0; it <= iters; it++) {
    const yo = mulAB(y, omega); // p×l
    z = orthonormalizeColumns(mulAB(transpose(x), yo)); // d×l
    if (it < iters) {
      const xz = mulAB(x, z); // p×l
      omega = orthonormalizeColumns(mulAB(transpose(y), xz)); // e×l
    }
  }
  // B = Zᵀ(XᵀY) = (XZ)ᵀY : l×e ; its singular values approximate the top ones
  const b = mulAB(transpose(mulAB(x, z)), y);
  return singularValues(b).slice(0, r);
}

/**
 * Unbiased linear CKA between two Gram matrices K, L (n×n, symmetric), as in AWM: zero the
 * diagonals and use the unbiased HSIC estimator (Song et al., JMLR 13, 2012).
 */
export function unbiasedCka(k: Float64Array, l: Float64Array, n: number): number {
  const hsic = (a: Float64Array, b: Float64Array): number => {
    // unbiased HSIC_1 = [tr(ÃB̃) + 1ᵀÃ1·1ᵀB̃1/((n−1)(n−2)) − 2/(n−2)·1ᵀÃB̃1] / (n(n−3))
    let tr = 0;
    let sa = 0;
    let sb = 0;
    const ra = new Float64Array(n);
    const rb = new Float64Array(n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const x = a[i * n + j] as number;
        const y = b[i * n + j] as number;
        tr += x * y;
        sa += x;
        sb += y;
        ra[i] = (ra[i] as number) + x;
        rb[i] = (rb[i] as number) + y;
      }
    let cross = 0;
    for (let i = 0; i < n; i++) cross += (ra[i] as number) * (rb[i] as number);
    return (tr + (sa * sb) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * cross) / (n * (n - 3));
  };
  const kl = hsic(k, l);
  const kk = hsic(k, k);
  const ll = hsic(l, l);
  if (!(kk > 0) || !(ll > 0)) return 0;
  return kl / Math.sqrt(kk * ll);
}

/** Eigen-decomposition of a symmetric n×n matrix (cyclic Jacobi): values descending, vectors as columns of a row-major n×n. */
export function symmetricEigen(
  input: Float64Array,
  n: number,
  maxSweeps = 60,
): { values: Float64Array; vectors: Float64Array } {
  const a = input.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += (a[p * n + p] as number) ** 2;
      for (let q = p + 1; q < n; q++) off += (a[p * n + q] as number) ** 2;
    }
    if (off <= 1e-20 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = ((a[q * n + q] as number) - (a[p * n + p] as number)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + p] as number;
          const arq = a[r * n + q] as number;
          a[r * n + p] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p * n + r] as number;
          const aqr = a[q * n + r] as number;
          a[p * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r * n + p] as number;
          const vrq = v[r * n + q] as number;
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => (a[y * n + y] as number) - (a[x * n + x] as number),
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src] as number;
    for (let r = 0; r < n; r++) vectors[r * n + dst] = v[r * n + src] as number;
  });
  return { values, vectors };
}

/** (G + εI)^(-1/2) for a symmetric positive semi-definite G (n×n), ε relative to the trace. */
export function inverseSqrtPsd(g: Float64Array, n: number, relEps = 1e-4): Float64Array {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += g[i * n + i] as number;
  const eps = (relEps * tr) / Math.max(1, n);
  const { values, vectors } = symmetricEigen(g, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const s = 1 / Math.sqrt(Math.max(0, values[k] as number) + eps);
    for (let i = 0; i < n; i++) {
      const vik = (vectors[i * n + k] as number) * s;
      for (let j = 0; j < n; j++)
        out[i * n + j] = (out[i * n + j] as number) + vik * (vectors[j * n + k] as number);
    }
  }
  return out;
}
