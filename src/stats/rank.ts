/**
 * Paired tests on per-prompt or per-item comparisons: the exact sign test / McNemar (binomial on
 * discordant pairs) and the Wilcoxon signed-rank test (exact for n ≤ WILCOXON_EXACT_MAX by
 * dynamic programming over rank sums, normal approximation with tie correction beyond).
 * References: Hollander, Wolfe & Chicken, Nonparametric Statistical Methods, 3rd ed., §3.1–3.2.
 */
import { binomialSf, normalSf } from './distributions.js';
import { fromLn, type PValue } from './pvalue.js';
import { logSumExp } from './special.js';

/** Exact distribution is used up to this many non-zero differences (DP table n(n+1)/2 entries). */
export const WILCOXON_EXACT_MAX = 400;

/**
 * One-sided sign test: out of the non-zero differences, are positives more frequent than 1/2?
 * Zeros are dropped (the standard conditional test).
 */
export function signTest(diffs: readonly number[]): {
  pValue: PValue;
  positives: number;
  n: number;
} {
  let pos = 0;
  let n = 0;
  for (const d of diffs) {
    if (d > 0) pos++;
    if (d !== 0) n++;
  }
  return { pValue: binomialSf(pos, n, 0.5), positives: pos, n };
}

/** One-sided exact McNemar test on discordant counts b (favours H1) and c. */
export function mcnemarTest(b: number, c: number): PValue {
  return binomialSf(b, b + c, 0.5);
}

/**
 * One-sided Wilcoxon signed-rank test of "differences tend to be positive". Zeros dropped,
 * ties get mid-ranks (then the normal approximation with tie correction is used).
 */
export function wilcoxonSignedRank(diffs: readonly number[]): {
  pValue: PValue;
  wPlus: number;
  n: number;
  exact: boolean;
} {
  const nz = diffs.filter((d) => d !== 0 && Number.isFinite(d));
  const n = nz.length;
  if (n === 0) return { pValue: { log10: 0 }, wPlus: 0, n: 0, exact: true };
  const sorted = nz.map((d) => ({ a: Math.abs(d), pos: d > 0 })).sort((x, y) => x.a - y.a);
  const ranks = new Array<number>(n);
  let hasTies = false;
  let tieCorr = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && sorted[j + 1]?.a === sorted[i]?.a) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[k] = r;
    const t = j - i + 1;
    if (t > 1) {
      hasTies = true;
      tieCorr += t * t * t - t;
    }
    i = j + 1;
  }
  let wPlus = 0;
  sorted.forEach((s, i) => {
    if (s.pos) wPlus += ranks[i] ?? 0;
  });
  if (!hasTies && n <= WILCOXON_EXACT_MAX) {
    return { pValue: exactWilcoxonSf(Math.round(wPlus), n), wPlus, n, exact: true };
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieCorr / 48;
  const z = (wPlus - mean - 0.5) / Math.sqrt(variance);
  return { pValue: normalSf(z), wPlus, n, exact: false };
}

/** P[W+ ≥ w] for n untied ranks: count subsets of {1..n} with sum ≥ w, in log space. */
function exactWilcoxonSf(w: number, n: number): PValue {
  const max = (n * (n + 1)) / 2;
  if (w <= 0) return { log10: 0 };
  if (w > max) return { log10: -Infinity };
  // counts[s] = number of subsets with sum s, kept as ln to avoid overflow (2^400).
  let logCounts = new Float64Array(max + 1).fill(-Infinity);
  logCounts[0] = 0;
  for (let k = 1; k <= n; k++) {
    const next = new Float64Array(max + 1).fill(-Infinity);
    const top = (k * (k + 1)) / 2;
    for (let s = 0; s <= top; s++) {
      const a = logCounts[s] ?? -Infinity;
      const b = s >= k ? (logCounts[s - k] ?? -Infinity) : -Infinity;
      next[s] =
        a === -Infinity
          ? b
          : b === -Infinity
            ? a
            : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    }
    logCounts = next;
  }
  const tail: number[] = [];
  for (let s = w; s <= max; s++) tail.push(logCounts[s] ?? -Infinity);
  return fromLn(Math.min(0, logSumExp(tail) - n * Math.LN2));
}
