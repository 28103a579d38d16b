/**
 * Windowed MMD (Liu, Guo & Dong, "An Embarrassingly Simple Detector for Model Extraction Attacks
 * in LLM API Traffic", arXiv 2606.05725): unbiased MMD² (Gretton et al., JMLR 2012) between a
 * window of queries and benign reference windows, RBF kernel averaged over bandwidths
 * {0.5, 1, 2, 4} × the median pairwise distance of the reference. Here each account's stream is
 * cut into windows (the paper's windows mix users and cannot name an account), and the
 * reference is a random sample of the whole traffic.
 */
import { dist2 } from './embed.js';

/** Bandwidth multipliers of the kernel mixture. */
export const MMD_BANDWIDTHS = [0.5, 1, 2, 4] as const;

/** A precomputed reference: windows and their within-window kernel means. */
export interface MmdReference {
  readonly windows: readonly Float32Array[][];
  readonly within: readonly number[];
  /** Squared bandwidths. */
  readonly gammas: readonly number[];
}

function kernel(d2: number, gammas: readonly number[]): number {
  let s = 0;
  for (const g of gammas) s += Math.exp(-d2 / (2 * g));
  return s / gammas.length;
}

function withinMean(xs: readonly Float32Array[], gammas: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      const a = xs[i];
      const b = xs[j];
      if (!a || !b) continue;
      s += kernel(dist2(a, b), gammas);
      c++;
    }
  return c > 0 ? s / c : 0;
}

/** Build a reference from a sample: `count` windows of `size`, median-heuristic bandwidths. */
export function mmdReference(
  sample: readonly Float32Array[],
  size: number,
  count: number,
  rng: () => number,
): MmdReference {
  const d: number[] = [];
  for (let k = 0; k < 2000 && sample.length > 1; k++) {
    const a = sample[Math.floor(rng() * sample.length)];
    const b = sample[Math.floor(rng() * sample.length)];
    if (a && b && a !== b) d.push(Math.sqrt(dist2(a, b)));
  }
  d.sort((x, y) => x - y);
  const med = d[Math.floor(d.length / 2)] ?? 1;
  const gammas = MMD_BANDWIDTHS.map((m) => (m * med) ** 2);
  const windows: Float32Array[][] = [];
  for (let w = 0; w < count; w++) {
    const win: Float32Array[] = [];
    for (let k = 0; k < size && sample.length > 0; k++) {
      const x = sample[Math.floor(rng() * sample.length)];
      if (x) win.push(x);
    }
    windows.push(win);
  }
  return { windows, within: windows.map((w) => withinMean(w, gammas)), gammas };
}

/** Unbiased MMD² of a window against the reference, averaged over the reference windows. */
export function mmdScore(window: readonly Float32Array[], ref: MmdReference): number {
  const wx = withinMean(window, ref.gammas);
  let total = 0;
  ref.windows.forEach((rw, k) => {
    let cross = 0;
    for (const x of window) for (const y of rw) cross += kernel(dist2(x, y), ref.gammas);
    cross /= Math.max(1, window.length * rw.length);
    total += wx + (ref.within[k] ?? 0) - 2 * cross;
  });
  return total / Math.max(1, ref.windows.length);
}

/** Per-account result: the largest window score and (last query index, score) per window. */
export interface MmdResult {
  readonly maxScore: number;
  readonly windows: readonly (readonly [number, number])[];
}

/** Score an account's stream in consecutive windows of `size` (one shorter window if n < size). */
export function mmdAccount(
  queries: readonly Float32Array[],
  ref: MmdReference,
  size: number,
  maxWindows: number,
  minQueries = 20,
): MmdResult {
  const out: [number, number][] = [];
  let maxScore = -Infinity;
  if (queries.length < minQueries) return { maxScore, windows: out };
  const n = queries.length;
  if (n < size) {
    const s = mmdScore(queries, ref);
    return { maxScore: s, windows: [[n - 1, s]] };
  }
  for (let start = 0; start + size <= n && out.length < maxWindows; start += size) {
    const s = mmdScore(queries.slice(start, start + size), ref);
    out.push([start + size - 1, s]);
    if (s > maxScore) maxScore = s;
  }
  return { maxScore, windows: out };
}
