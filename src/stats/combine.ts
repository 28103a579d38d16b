/**
 * Combining and correcting p-values. Fisher's method assumes independent tests; when tests are
 * dependent use {@link bonferroniMin} or {@link cauchyCombination} (valid under arbitrary
 * dependence asymptotically, Liu & Xie 2020, JASA 115:393). Multiple-testing procedures:
 * Holm (1979), Benjamini–Hochberg (1995), Benjamini–Yekutieli (2001).
 */
import { chiSquareSf, normalSf } from './distributions.js';
import { fromLn, toLn, toP, type PValue } from './pvalue.js';
import { normalQuantile } from './special.js';

/** Fisher's method: −2 Σ ln p ~ χ²(2k) under independent nulls. */
export function fisherCombine(ps: readonly PValue[]): PValue {
  if (ps.length === 0) return { log10: 0 };
  let s = 0;
  for (const p of ps) s += -2 * Math.max(toLn(p), -1e300);
  return chiSquareSf(s, 2 * ps.length);
}

/** Stouffer's method with optional weights: Σ wᵢ zᵢ / √Σ wᵢ² ~ N(0,1) under independent nulls. */
export function stoufferCombine(ps: readonly PValue[], weights?: readonly number[]): PValue {
  if (ps.length === 0) return { log10: 0 };
  let num = 0;
  let den = 0;
  ps.forEach((p, i) => {
    const w = weights?.[i] ?? 1;
    num += w * pToZ(p);
    den += w * w;
  });
  return normalSf(num / Math.sqrt(den));
}

/** z-score of a one-sided p-value, accurate for tiny p (inverts the log tail by Newton steps). */
export function pToZ(p: PValue): number {
  const pr = toP(p);
  if (pr > 1e-300) return -normalQuantile(pr);
  // solve logNormalSf(z) = ln p by Newton from the asymptotic start
  const target = toLn(p);
  let z = Math.sqrt(-2 * target);
  for (let i = 0; i < 50; i++) {
    const f = toLn(normalSf(z)) - target;
    const deriv = -z; // d/dz ln Φ̄(z) ≈ −z for large z
    const step = f / deriv;
    z -= step;
    if (Math.abs(step) < 1e-12) break;
  }
  return z;
}

/** Bonferroni-corrected minimum: m · min p. Valid under any dependence. */
export function bonferroniMin(ps: readonly PValue[]): PValue {
  if (ps.length === 0) return { log10: 0 };
  let m = 0;
  for (const p of ps) m = Math.min(m, p.log10);
  return { log10: Math.min(0, m + Math.log10(ps.length)) };
}

/**
 * Cauchy combination (ACAT): T = Σ wᵢ tan((0.5 − pᵢ)π); p = 1/2 − arctan(T)/π. Robust to
 * dependence. For tiny pᵢ, tan((0.5 − p)π) ≈ 1/(pπ), handled in log space.
 */
export function cauchyCombination(ps: readonly PValue[], weights?: readonly number[]): PValue {
  if (ps.length === 0) return { log10: 0 };
  const wsum = weights ? weights.reduce((a, b) => a + b, 0) : ps.length;
  let t = 0;
  let logBig = -Infinity; // accumulate dominating 1/(pπ) terms in log space
  ps.forEach((p, i) => {
    const w = (weights?.[i] ?? 1) / wsum;
    const pr = toP(p);
    if (pr < 1e-15) {
      const lt = Math.log(w) - toLn(p) - Math.log(Math.PI);
      logBig =
        logBig === -Infinity
          ? lt
          : Math.max(logBig, lt) + Math.log1p(Math.exp(-Math.abs(logBig - lt)));
    } else {
      t += w * Math.tan((0.5 - pr) * Math.PI);
    }
  });
  if (logBig !== -Infinity) {
    // p ≈ 1/(π T) for large T
    const big = Math.exp(Math.min(logBig, 700));
    const total = big + t;
    if (total > 1e15 || logBig > 700)
      return fromLn(-Math.log(Math.PI) - (logBig > 700 ? logBig : Math.log(total)));
    t = total;
  }
  if (t > 1e15) return fromLn(-Math.log(Math.PI) - Math.log(t));
  return fromLn(Math.log(0.5 - Math.atan(t) / Math.PI));
}

/** Holm step-down adjusted p-values (same order as the input). */
export function holmAdjust(ps: readonly PValue[]): PValue[] {
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p.log10 - b.p.log10);
  const out: PValue[] = new Array<PValue>(m);
  let running = -Infinity;
  order.forEach(({ p, i }, rank) => {
    const adj = Math.min(0, p.log10 + Math.log10(m - rank));
    running = Math.max(running, adj);
    out[i] = { log10: running };
  });
  return out;
}

/** Benjamini–Hochberg adjusted p-values (q-values); `dependent` applies the BY harmonic factor. */
export function bhAdjust(ps: readonly PValue[], dependent = false): PValue[] {
  const m = ps.length;
  const c = dependent ? Math.log10(harmonic(m)) : 0;
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => b.p.log10 - a.p.log10);
  const out: PValue[] = new Array<PValue>(m);
  let running = 0;
  order.forEach(({ p, i }, idx) => {
    const rank = m - idx;
    const adj = Math.min(0, p.log10 + Math.log10(m / rank) + c);
    running = Math.min(running, adj);
    out[i] = { log10: running };
  });
  return out;
}

function harmonic(m: number): number {
  let s = 0;
  for (let i = 1; i <= m; i++) s += 1 / i;
  return s;
}
