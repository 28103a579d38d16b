/**
 * Exact tail probabilities, all returned as {@link PValue} (log10) so nothing underflows.
 * Binomial via the regularized incomplete beta (P[X ≥ k] = I_p(k, n−k+1), DLMF 8.17.5);
 * Gamma / χ² via the regularized incomplete gamma; Student t and Beta via the incomplete beta.
 */
import { fromLn, type PValue } from './pvalue.js';
import {
  logIncompleteBeta,
  logIncompleteGamma,
  logNormalSf,
  logChoose,
  logSumExp,
} from './special.js';

/** P[X ≥ k] for X ~ Binomial(n, p). Exact. */
export function binomialSf(k: number, n: number, p: number): PValue {
  if (k <= 0) return { log10: 0 };
  if (k > n) return { log10: -Infinity };
  if (p <= 0) return { log10: -Infinity };
  if (p >= 1) return { log10: 0 };
  return fromLn(logIncompleteBeta(p, k, n - k + 1));
}

/** P[X ≤ k] for X ~ Binomial(n, p). Exact. */
export function binomialCdf(k: number, n: number, p: number): PValue {
  if (k >= n) return { log10: 0 };
  if (k < 0) return { log10: -Infinity };
  return fromLn(logIncompleteBeta(1 - p, n - k, k + 1));
}

/** P[X ≥ x] for X ~ Gamma(shape, scale). */
export function gammaSf(x: number, shape: number, scale = 1): PValue {
  if (x <= 0) return { log10: 0 };
  return fromLn(logIncompleteGamma(shape, x / scale).logQ);
}

/** P[X ≤ x] for X ~ Gamma(shape, scale). */
export function gammaCdf(x: number, shape: number, scale = 1): PValue {
  if (x <= 0) return { log10: -Infinity };
  return fromLn(logIncompleteGamma(shape, x / scale).logP);
}

/** P[X ≥ x] for X ~ χ²(df). */
export function chiSquareSf(x: number, df: number): PValue {
  return gammaSf(x, df / 2, 2);
}

/** P[Z ≥ z] for Z ~ N(0, 1). */
export function normalSf(z: number): PValue {
  return fromLn(logNormalSf(z));
}

/** P[T ≥ t] for T ~ Student t(df). */
export function studentTSf(t: number, df: number): PValue {
  const x = df / (df + t * t);
  const lnHalf = logIncompleteBeta(x, df / 2, 0.5) + Math.log(0.5);
  if (t >= 0) return fromLn(lnHalf);
  return fromLn(Math.log1p(-Math.exp(lnHalf)));
}

/** P[X ≥ x] for X ~ Beta(a, b). */
export function betaSf(x: number, a: number, b: number): PValue {
  if (x <= 0) return { log10: 0 };
  if (x >= 1) return { log10: -Infinity };
  return fromLn(logIncompleteBeta(1 - x, b, a));
}

/** P[X ≤ x] for X ~ Beta(a, b). */
export function betaCdf(x: number, a: number, b: number): PValue {
  if (x <= 0) return { log10: -Infinity };
  if (x >= 1) return { log10: 0 };
  return fromLn(logIncompleteBeta(x, a, b));
}

/**
 * One-sided p-value for a Pearson correlation r over n pairs under the null of independence
 * with normally distributed data: t = r √((n−2)/(1−r²)) ~ t(n−2).
 */
export function pearsonSf(r: number, n: number): PValue {
  if (n < 3) return { log10: 0 };
  const rr = Math.min(1 - 1e-15, Math.max(-1 + 1e-15, r));
  const t = rr * Math.sqrt((n - 2) / (1 - rr * rr));
  return studentTSf(t, n - 2);
}

/**
 * P[H ≥ k] for the hypergeometric distribution: k successes in n draws without replacement from
 * a population of N with K successes. Exact by summing log terms.
 */
export function hypergeometricSf(k: number, N: number, K: number, n: number): PValue {
  const lo = Math.max(k, 0, n - (N - K));
  const hi = Math.min(n, K);
  if (lo > hi) return { log10: -Infinity };
  const terms: number[] = [];
  const denom = logChoose(N, n);
  for (let i = lo; i <= hi; i++) terms.push(logChoose(K, i) + logChoose(N - K, n - i) - denom);
  return fromLn(Math.min(0, logSumExp(terms)));
}

/**
 * Exact distribution of the maximum of m i.i.d. Uniform(0,1): P[max ≥ u] = 1 − u^m.
 * Used for "best of m candidates" corrections.
 */
export function maxUniformSf(u: number, m: number): PValue {
  if (u <= 0) return { log10: 0 };
  if (u >= 1) return { log10: -Infinity };
  return fromLn(Math.log1p(-Math.exp(m * Math.log(u))));
}

/**
 * P[X ≥ x] for the Irwin–Hall distribution (sum of n i.i.d. Uniform(0,1)), exact for n ≤ 60
 * by the alternating sum; beyond that the normal approximation with continuity is used and the
 * caller should prefer a Gamma-based statistic instead.
 */
export function irwinHallSf(x: number, n: number): PValue {
  if (x <= 0) return { log10: 0 };
  if (x >= n) return { log10: -Infinity };
  if (n > 60) return normalSf((x - n / 2) / Math.sqrt(n / 12));
  // P[S ≤ x] = 1/n! Σ_{k=0}^{⌊x⌋} (−1)^k C(n,k) (x−k)^n ; compute upper tail via symmetry S ↔ n − S
  const y = n - x; // P[S ≥ x] = P[S ≤ n − x]
  let s = 0;
  for (let k = 0; k <= Math.floor(y); k++) {
    const term = Math.exp(logChoose(n, k) + n * Math.log(y - k) - logGammaInt(n + 1));
    s += k % 2 === 0 ? term : -term;
  }
  return { log10: Math.log10(Math.min(1, Math.max(s, Number.MIN_VALUE))) };
}

function logGammaInt(n: number): number {
  let s = 0;
  for (let i = 2; i < n; i++) s += Math.log(i);
  return s;
}
