/**
 * The null distributions of each scheme's statistic, as exact tail probabilities (log10) or, for
 * weighted scores, a Chernoff bound that is always ≥ the true tail (conservative).
 *
 * - Gumbel: n distinct scored (window, token) pairs give i.i.d. Exp(1) scores under H0 (the PRF
 *   idealised as random and the text independent of the key), so S ~ Gamma(n, 1) and
 *   p = Q(n, S) (regularised upper incomplete gamma).
 * - KGW: green indicators i.i.d. Bernoulli(γ) ⇒ G ~ Binomial(n, γ), p = I_γ(G, n − G + 1).
 * - SynthID mean: n·m i.i.d. fair bits ⇒ Binomial(n·m, ½).
 * - SynthID weighted: S = Σ_t Σ_l w_l g_tl; P(S ≥ s) ≤ inf_λ≥0 exp(−λs + n Σ_l ln(½ + ½e^{λ w_l}))
 *   (Chernoff 1952). Weights are fixed before seeing the text.
 */
import { binomialSf, gammaSf, fromLn, type PValue } from '../stats/index.js';

/** Gamma(n, 1) upper tail of a sum of n Exp(1) scores. */
export function gumbelPValue(sum: number, n: number): PValue {
  if (n <= 0) return { log10: 0 };
  return gammaSf(sum, n, 1);
}

/** Binomial(n, γ) upper tail of a green count. */
export function greenPValue(green: number, n: number, gamma: number): PValue {
  if (n <= 0) return { log10: 0 };
  return binomialSf(green, n, gamma);
}

/** ln(q + (1−q)·… ) helper: ln(1 − q + q e^x), stable for large |x|. */
function logMgfBernoulli(x: number, q: number): number {
  return x > 0 ? x + Math.log(q + (1 - q) * Math.exp(-x)) : Math.log(1 - q + q * Math.exp(x));
}

/**
 * Chernoff bound on P(Σ_{t<n} Σ_l w_l B_tl ≥ s) for i.i.d. B ~ Bernoulli(q). Returns a valid
 * (conservative) p-value; exact at the two ends of the support.
 */
export function weightedBernoulliPValue(
  s: number,
  n: number,
  weights: ArrayLike<number>,
  q = 0.5,
): PValue {
  if (n <= 0) return { log10: 0 };
  let wsum = 0;
  for (let l = 0; l < weights.length; l++) wsum += weights[l] as number;
  const mean = n * q * wsum;
  if (s <= mean) return { log10: 0 };
  const max = n * wsum;
  if (s > max * (1 + 1e-12)) return { log10: -Infinity };
  const rate = (lam: number): number => {
    let r = lam * s;
    for (let l = 0; l < weights.length; l++)
      r -= n * logMgfBernoulli(lam * (weights[l] as number), q);
    return r;
  };
  // d/dλ of the exponent is s − n Σ w q e^{λw}/(1 − q + q e^{λw}), decreasing in λ: bisection.
  const deriv = (lam: number): number => {
    let d = s;
    for (let l = 0; l < weights.length; l++) {
      const w = weights[l] as number;
      const x = lam * w;
      const sig =
        x > 0 ? q / (q + (1 - q) * Math.exp(-x)) : (q * Math.exp(x)) / (1 - q + q * Math.exp(x));
      d -= n * w * sig;
    }
    return d;
  };
  if (s >= max) return fromLn(n * weights.length * Math.log(q));
  let lo = 0;
  let hi = 1;
  while (deriv(hi) > 0 && hi < 1e6) hi *= 2;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (deriv(mid) > 0) lo = mid;
    else hi = mid;
  }
  return fromLn(Math.min(0, -rate((lo + hi) / 2)));
}
