/**
 * Exact tail bounds for statistics of a uniformly random pairing (permutation), used where a
 * null hypothesis makes one side's labels exchangeable (Zhu et al., "Independence Tests for
 * Language Models", ICML 2025, Theorem 2): under H0 the observed pairing of A's items with B's
 * items is distributed as a uniformly random bijection.
 */
import { fromLn, type PValue } from './pvalue.js';
import { logChoose } from './special.js';

/**
 * Matches of a random bijection against a 0/1 compatibility matrix. Let Y = #{t : a[t][σ(t)] = 1}
 * for σ uniform over bijections of r items, and ρ_t = Σ_j a[t][j]. Then for every k,
 * P(Y ≥ k) ≤ E[C(Y, k)] ≤ e_k(ρ) / (r)_k, where e_k is the elementary symmetric polynomial and
 * (r)_k = r!/(r−k)! (a binomial-moment / Markov bound: a set S of k items all match with
 * probability ≤ Π_{t∈S} ρ_t / (r)_k). When each ρ_t = 1 this is the classical 1/k! bound on
 * fixed points. Returns the smallest bound over k' ≤ k (each is valid for P(Y ≥ k)).
 */
export function randomPairingMatchesSf(k: number, rho: readonly number[]): PValue {
  const r = rho.length;
  if (k <= 0) return { log10: 0 };
  if (k > r) return { log10: -Infinity };
  // logE[j] = ln e_j(ρ_1..ρ_t) over prefixes; ρ_t = 0 contributes nothing
  const logE = new Float64Array(k + 1).fill(-Infinity);
  logE[0] = 0;
  for (const x of rho) {
    if (!(x > 0)) continue;
    const lx = Math.log(x);
    for (let j = k; j >= 1; j--) {
      const a = logE[j] as number;
      const b = (logE[j - 1] as number) + lx;
      logE[j] =
        a === -Infinity
          ? b
          : b === -Infinity
            ? a
            : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    }
  }
  let best = 0;
  let logFalling = 0; // ln (r)_j
  for (let j = 1; j <= k; j++) {
    logFalling += Math.log(r - j + 1);
    best = Math.min(best, (logE[j] as number) - logFalling);
  }
  return fromLn(best);
}

/**
 * Chatterjee's concentration inequality for combinatorial sums (S. Chatterjee, "Stein's method
 * for concentration inequalities", PTRF 138, 2007, Prop. 1.1): for Y = Σ_t a[t][σ(t)] with
 * a ∈ [0,1] and σ a uniform random bijection, P(|Y − EY| ≥ t) ≤ 2·exp(−t²/(4·EY + 2t)).
 * Returns the bound on P(Y ≥ observed) (two-sided constant kept: conservative).
 */
export function randomPairingSumSf(
  observed: number,
  a: readonly (readonly number[])[],
): { pValue: PValue; expected: number } {
  const r = a.length;
  let total = 0;
  for (const row of a) for (const v of row) total += Math.min(1, Math.max(0, v));
  const expected = r > 0 ? total / r : 0; // E[Y] = (1/r) Σ_{t,j} a[t][j]
  const t = observed - expected;
  if (t <= 0) return { pValue: { log10: 0 }, expected };
  const ln = Math.LN2 - (t * t) / (4 * expected + 2 * t);
  return { pValue: fromLn(Math.min(0, ln)), expected };
}

/** ln of the number of k-subsets, re-exported for callers that report multiplicity. */
export function logSubsets(n: number, k: number): number {
  return logChoose(n, k);
}
