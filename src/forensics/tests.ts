/**
 * The lineage tests. Each returns a p-value under H0 "B was trained independently of A", with the
 * assumption it rests on stated beside it.
 *
 * Exact tests (Zhu et al., ICML 2025, Theorems 2–3): if initialisation is invariant and training
 * equivariant under relabelling of MLP units and residual coordinates, B's labels are exchangeable
 * relative to A, so the observed pairing of same-index items is a uniformly random pairing
 * conditional on the sampled set. Their p-values hold whatever the data; obfuscation (relabelling)
 * can only cost them power.
 *
 * Robust test: after describing units in obfuscation-invariant coordinates, match B's units to
 * A's twice — once by gate rows, once by up rows — and count agreements. A derived model agrees on
 * nearly every unit; independent models agree only by chance or through convergent features
 * (measured ≈ 0–2 % on same-data independent models; see README). There is no symmetry giving an
 * exact null for an obfuscation-invariant statistic, so the null is a stated conservative bound:
 * each unit agrees independently with probability at most {@link MATCH_NULL_AGREEMENT}.
 */
import {
  binomialSf,
  randomPairingMatchesSf,
  randomPairingSumSf,
  type PValue,
} from '../stats/index.js';
import {
  inverseSqrtPsd,
  mat,
  mulABt,
  normalizeRows,
  rowArgmax,
  singularValues,
  unbiasedCka,
  type Mat,
} from './linalg.js';
import type { Fingerprint, LayerPrint, StoredMatrix } from './types.js';

/** Cosine at or above which two same-index rows count as "the same unit" in the exact tests. */
export const IDENTITY_COS = 0.8;
/** Conservative bound on the per-unit gate/up matching agreement of independent models (assumption A2). */
export const MATCH_NULL_AGREEMENT = 0.25;
/** Most B units matched per layer pair (bounds compare time; the p-value uses exactly the units matched). */
export const MATCH_MAX_UNITS = 1024;
/** Fewest shared pool tokens for the robust coordinates to be meaningful. */
export const MIN_SHARED_TOKENS = 8;

/** Outcome of one statistical test. */
export interface TestResult {
  readonly pValue: PValue;
  readonly statistic: number;
  readonly n: number;
  readonly detail: Readonly<Record<string, number | string | boolean>>;
}

function intersectSorted(a: Int32Array, b: Int32Array): { ia: number[]; ib: number[] } {
  const ia: number[] = [];
  const ib: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      ia.push(i++);
      ib.push(j++);
    } else if (x < y) i++;
    else j++;
  }
  return { ia, ib };
}

function pick(m: StoredMatrix, rows: readonly number[], cols: readonly number[]): Mat {
  const out = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) =>
    cols.forEach((c, j) => (out[i * cols.length + j] = m.data[r * m.cols + c] as number)),
  );
  return mat(rows.length, cols.length, out);
}

/** Same-index unit test for one layer pair (exact under exchangeable unit labels). */
export function identityUnitTest(A: LayerPrint, B: LayerPrint): TestResult | null {
  if (!A.identity || !B.identity) return null;
  const u = intersectSorted(A.identity.units, B.identity.units);
  const c = intersectSorted(A.identity.coords, B.identity.coords);
  if (u.ia.length < 2 || c.ia.length < 2) return null;
  const cg = mulABt(
    normRows(pick(A.identity.gate, u.ia, c.ia)),
    normRows(pick(B.identity.gate, u.ib, c.ib)),
  );
  const cu = mulABt(
    normRows(pick(A.identity.up, u.ia, c.ia)),
    normRows(pick(B.identity.up, u.ib, c.ib)),
  );
  const r = u.ia.length;
  const rho: number[] = [];
  let y = 0;
  let diag = 0;
  for (let t = 0; t < r; t++) {
    let count = 0;
    for (let j = 0; j < r; j++) {
      const s = ((cg.data[t * r + j] as number) + (cu.data[t * r + j] as number)) / 2;
      if (s >= IDENTITY_COS) count++;
      if (j === t) {
        diag += s;
        if (s >= IDENTITY_COS) y++;
      }
    }
    rho.push(count);
  }
  return {
    pValue: randomPairingMatchesSf(y, rho),
    statistic: y,
    n: r,
    detail: { meanSameIndexCos: diag / r, coords: c.ia.length },
  };
}

function normRows(m: Mat): Mat {
  normalizeRows(m);
  return m;
}

/** Same-coordinate residual test on pool-token embeddings (exact under exchangeable residual coordinates). */
export function identityEmbeddingTest(A: Fingerprint, B: Fingerprint): TestResult | null {
  if (!A.embeddingIdentity || !B.embeddingIdentity) return null;
  const shared = sharedTokens(A, B);
  const c = intersectSorted(A.embeddingIdentity.coords, B.embeddingIdentity.coords);
  if (shared.ia.length < 4 || c.ia.length < 2) return null;
  // columns = residual coordinates, described by their values over the shared tokens
  const colsA = transposeStored(pick(A.embeddingIdentity.values, shared.ia, c.ia));
  const colsB = transposeStored(pick(B.embeddingIdentity.values, shared.ib, c.ib));
  const cm = mulABt(normRows(colsA), normRows(colsB));
  const r = c.ia.length;
  const rho: number[] = [];
  let y = 0;
  let diag = 0;
  for (let t = 0; t < r; t++) {
    let count = 0;
    for (let j = 0; j < r; j++) if ((cm.data[t * r + j] as number) >= IDENTITY_COS) count++;
    rho.push(count);
    const s = cm.data[t * r + t] as number;
    diag += s;
    if (s >= IDENTITY_COS) y++;
  }
  return {
    pValue: randomPairingMatchesSf(y, rho),
    statistic: y,
    n: r,
    detail: { meanSameCoordCos: diag / r, tokens: shared.ia.length },
  };
}

function transposeStored(m: Mat): Mat {
  const out = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j] as number;
  return mat(m.cols, m.rows, out);
}

/**
 * Quantized-copy test for one layer pair: does A fall inside B's quantization bins (or B inside
 * A's) at the same positions more often than under a random pairing of units? Exact bound by
 * Chatterjee's inequality. Also reports the in-bin fraction: ≈ 1 means a pure quantized copy.
 */
export function quantCopyTest(
  A: LayerPrint,
  B: LayerPrint,
): (TestResult & { inBin: number; direction: 'A in B' | 'B in A' }) | null {
  const run = (
    X: LayerPrint,
    Y: LayerPrint,
    direction: 'A in B' | 'B in A',
  ): (TestResult & { inBin: number; direction: 'A in B' | 'B in A' }) | null => {
    if (!X.identity || !Y.identity?.gateStep || !Y.identity.upStep) return null;
    const u = intersectSorted(X.identity.units, Y.identity.units);
    const c = intersectSorted(X.identity.coords, Y.identity.coords);
    const r = u.ia.length;
    if (r < 2 || c.ia.length < 2) return null;
    const xv = [pick(X.identity.gate, u.ia, c.ia), pick(X.identity.up, u.ia, c.ia)];
    const yv = [pick(Y.identity.gate, u.ib, c.ib), pick(Y.identity.up, u.ib, c.ib)];
    const ys = [pick(Y.identity.gateStep, u.ib, c.ib), pick(Y.identity.upStep, u.ib, c.ib)];
    const cols = c.ia.length;
    const a: number[][] = [];
    for (let t = 0; t < r; t++) {
      const row: number[] = [];
      for (let j = 0; j < r; j++) {
        let inside = 0;
        for (let v = 0; v < 2; v++) {
          const X0 = xv[v] as Mat;
          const Y0 = yv[v] as Mat;
          const S0 = ys[v] as Mat;
          for (let k = 0; k < cols; k++) {
            const x = X0.data[t * cols + k] as number;
            const yq = Y0.data[j * cols + k] as number;
            const step = S0.data[j * cols + k] as number;
            // x was rounded to yq iff |x − yq| ≤ step/2 (plus bf16/f16 rounding of x itself)
            if (Math.abs(x - yq) <= step / 2 + Math.abs(x) * 2 ** -8 + 1e-12) inside++;
          }
        }
        row.push(inside / (2 * cols));
      }
      a.push(row);
    }
    let y = 0;
    for (let t = 0; t < r; t++) y += a[t]?.[t] ?? 0;
    const { pValue, expected } = randomPairingSumSf(y, a);
    return {
      pValue,
      statistic: y,
      n: r,
      inBin: y / r,
      direction,
      detail: { expectedUnderNull: expected, inBinFraction: y / r },
    };
  };
  return run(A, B, 'A in B') ?? run(B, A, 'B in A');
}

/** Shared pool tokens (by string), in A's order. */
export function sharedTokens(A: Fingerprint, B: Fingerprint): { ia: number[]; ib: number[] } {
  const posB = new Map(B.pool.tokens.map((t, i) => [t, i]));
  const ia: number[] = [];
  const ib: number[] = [];
  A.pool.tokens.forEach((t, i) => {
    const j = posB.get(t);
    if (j !== undefined) {
      ia.push(i);
      ib.push(j);
    }
  });
  return { ia, ib };
}

/**
 * Per-fingerprint caches of derived matrices, keyed by the shared-token index set: comparing one
 * fingerprint against many others (rankings, evaluations) reuses its whitening and spectra.
 */
const CACHE = new WeakMap<Fingerprint | LayerPrint, Map<string, unknown>>();
function cached<T>(owner: Fingerprint | LayerPrint, key: string, make: () => T): T {
  let m = CACHE.get(owner);
  if (!m) {
    m = new Map();
    CACHE.set(owner, m);
  }
  if (m.has(key)) return m.get(key) as T;
  const v = make();
  m.set(key, v);
  return v;
}
function idxKey(idx: readonly number[]): string {
  return idx.length > 0 && idx.every((v, i) => v === i) ? `all:${idx.length}` : idx.join(',');
}

/** Whitening of pool coordinates restricted to shared tokens: W = (E_S E_Sᵀ)^(-1/2). */
export function whitener(fp: Fingerprint, idx: readonly number[]): Float32Array {
  return cached(fp, `w:${idxKey(idx)}`, () => {
    const d = fp.pool.embeddings.cols;
    const e = pick(
      fp.pool.embeddings,
      idx,
      Array.from({ length: d }, (_, i) => i),
    );
    const g = mulABt(e, e);
    return Float32Array.from(inverseSqrtPsd(Float64Array.from(g.data), idx.length));
  });
}

/** Unit descriptors in whitened shared coordinates, rows normalised. */
export function unitFeatures(
  m: StoredMatrix,
  idx: readonly number[],
  w: Float32Array,
  rows?: readonly number[],
): Mat {
  // m belongs to one fingerprint and w is a function of (that fingerprint, idx): the key suffices.
  const key = `${idxKey(idx)}|${rows ? `${rows.length}:${rows[1] ?? 0}` : 'all'}`;
  let c = FEATURES.get(m);
  if (!c) {
    c = new Map();
    FEATURES.set(m, c);
  }
  const hit = c.get(key);
  if (hit) return hit;
  const v = computeFeatures(m, idx, w, rows);
  c.set(key, v);
  return v;
}

const FEATURES = new WeakMap<StoredMatrix, Map<string, Mat>>();

function computeFeatures(
  m: StoredMatrix,
  idx: readonly number[],
  w: Float32Array,
  rows?: readonly number[],
): Mat {
  const rs = rows ?? Array.from({ length: m.rows }, (_, i) => i);
  const x = pick(m, rs, idx);
  const s = idx.length;
  // x · W (W symmetric)
  const out = mulABt(x, mat(s, s, w));
  normalizeRows(out);
  return out;
}

/** Coordinates shared by two fingerprints, ready for the robust tests. */
export interface SharedFrame {
  readonly ia: number[];
  readonly ib: number[];
  readonly wA: Float32Array;
  readonly wB: Float32Array;
}

/** Prepare whitened shared coordinates, or null if too few tokens are shared. */
export function sharedFrame(A: Fingerprint, B: Fingerprint): SharedFrame | null {
  const { ia, ib } = sharedTokens(A, B);
  if (ia.length < MIN_SHARED_TOKENS) return null;
  return { ia, ib, wA: whitener(A, ia), wB: whitener(B, ib) };
}

/** Matched-unit agreement test for one layer pair (robust; conservative null, assumption A2). */
export function matchingAgreementTest(
  A: LayerPrint,
  B: LayerPrint,
  frame: SharedFrame,
  nullRate = MATCH_NULL_AGREEMENT,
):
  | (TestResult & {
      permutedFraction: number;
      meanMatchedCos: number;
      scaleSpread: number;
      meanLogScale: number;
    })
  | null {
  if (!A.mlp || !B.mlp || A.mlp.gate.rows < 2 || B.mlp.gate.rows < 1) return null;
  const nB = B.mlp.gate.rows;
  const rowsB =
    nB <= MATCH_MAX_UNITS
      ? undefined
      : Array.from({ length: MATCH_MAX_UNITS }, (_, i) => Math.floor((i * nB) / MATCH_MAX_UNITS));
  const ga = unitFeatures(A.mlp.gate, frame.ia, frame.wA);
  const ua = unitFeatures(A.mlp.up, frame.ia, frame.wA);
  const gb = unitFeatures(B.mlp.gate, frame.ib, frame.wB, rowsB);
  const ub = unitFeatures(B.mlp.up, frame.ib, frame.wB, rowsB);
  const cg = mulABt(gb, ga);
  const cu = mulABt(ub, ua);
  const pg = rowArgmax(cg);
  const pu = rowArgmax(cu);
  const n = gb.rows;
  let k = 0;
  let cosSum = 0;
  let permuted = 0;
  const ratios: number[] = [];
  for (let j = 0; j < n; j++) {
    const a = pg[j] as number;
    if (a === pu[j]) {
      k++;
      cosSum += cg.data[j * cg.cols + a] as number;
      const bIdx = B.mlp.selected[rowsB ? (rowsB[j] as number) : j] as number;
      if (A.mlp.selected[a] !== bIdx) permuted++;
      // per-unit up-row scale ratio (T6 rescaling shows as spread in these ratios)
      const na = rowNorm(A.mlp.up, a);
      const nb = rowNorm(B.mlp.up, rowsB ? (rowsB[j] as number) : j);
      if (na > 0 && nb > 0) ratios.push(Math.log(nb / na));
    }
  }
  const r0 = Math.max(nullRate, 2 / A.mlp.gate.rows);
  const meanLog = ratios.length ? ratios.reduce((s, x) => s + x, 0) / ratios.length : 0;
  const spread =
    ratios.length > 1
      ? Math.sqrt(Math.max(0, ratios.reduce((s, x) => s + x * x, 0) / ratios.length - meanLog ** 2))
      : 0;
  return {
    pValue: binomialSf(k, n, r0),
    statistic: k,
    n,
    permutedFraction: k > 0 ? permuted / k : 0,
    meanMatchedCos: k > 0 ? cosSum / k : 0,
    scaleSpread: spread,
    meanLogScale: meanLog,
    detail: { agreement: k / n, nullRate: r0, candidates: A.mlp.gate.rows },
  };
}

function rowNorm(m: StoredMatrix, r: number): number {
  let s = 0;
  for (let j = 0; j < m.cols; j++) s += (m.data[r * m.cols + j] as number) ** 2;
  return Math.sqrt(s);
}

const WHITENED = new WeakMap<StoredMatrix, Map<string, Float64Array>>();
function whiten2(m: StoredMatrix, idx: readonly number[], w: Float32Array): Float64Array {
  const key = idxKey(idx);
  let c = WHITENED.get(m);
  if (!c) {
    c = new Map();
    WHITENED.set(m, c);
  }
  const hit = c.get(key);
  if (hit) return hit;
  const v = computeWhiten2(m, idx, w);
  c.set(key, v);
  return v;
}

function computeWhiten2(m: StoredMatrix, idx: readonly number[], w: Float32Array): Float64Array {
  const s = idx.length;
  const x = pick(m, idx, idx);
  const W = mat(s, s, w);
  const y = mulABt(mulABt(W, x), W); // W X W (X, W symmetric)
  return Float64Array.from(y.data);
}

/** Unbiased CKA of the attention Gram matrices (AWM-style, in whitened shared coordinates); mean over q, k, v, o. */
export function attentionCka(A: LayerPrint, B: LayerPrint, frame: SharedFrame): number | null {
  if (!A.attn || !B.attn || frame.ia.length < 5) return null;
  const s = frame.ia.length;
  let sum = 0;
  for (const key of ['gq', 'gk', 'gv', 'go'] as const) {
    sum += unbiasedCka(
      whiten2(A.attn[key], frame.ia, frame.wA),
      whiten2(B.attn[key], frame.ib, frame.wB),
      s,
    );
  }
  return sum / 4;
}

/** Similarity of normalised singular-value spectra of the QKᵀ and VO operators (GhostSpec-style, folded). */
export function spectralSimilarity(
  A: LayerPrint,
  B: LayerPrint,
  frame: SharedFrame,
): number | null {
  if (!A.attn || !B.attn) return null;
  let sum = 0;
  for (const key of ['qk', 'vo'] as const) {
    const sa = normSpectrum(A.attn[key], frame.ia, frame.wA);
    const sb = normSpectrum(B.attn[key], frame.ib, frame.wB);
    const r = Math.min(sa.length, sb.length, 32);
    let diff = 0;
    for (let i = 0; i < r; i++) diff += Math.abs((sa[i] as number) - (sb[i] as number));
    sum += 1 - diff / Math.max(1, r);
  }
  return sum / 2;
}

const SPECTRA = new WeakMap<StoredMatrix, Map<string, Float64Array>>();
function normSpectrum(m: StoredMatrix, idx: readonly number[], w: Float32Array): Float64Array {
  const key = idxKey(idx);
  let c = SPECTRA.get(m);
  if (!c) {
    c = new Map();
    SPECTRA.set(m, c);
  }
  const hit = c.get(key);
  if (hit) return hit;
  const v = computeSpectrum(m, idx, w);
  c.set(key, v);
  return v;
}

function computeSpectrum(m: StoredMatrix, idx: readonly number[], w: Float32Array): Float64Array {
  const s = idx.length;
  const x = whiten2(m, idx, w);
  const sv = singularValues(mat(s, s, Float32Array.from(x)));
  const top = sv[0] ?? 1;
  return sv.map((v) => (top > 0 ? v / top : 0));
}
