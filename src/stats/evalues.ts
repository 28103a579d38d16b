/**
 * E-values and anytime-valid testing. An e-value E ≥ 0 has E[E] ≤ 1 under the null, so
 * P[E ≥ 1/α] ≤ α (Markov); a nonnegative supermartingale keeps that guarantee at any stopping
 * time (Ville's inequality). References: Vovk & Wang, "E-values: calibration, combination and
 * applications" (Ann. Stat. 2021); Wang & Ramdas, "False discovery rate control with e-values"
 * (JRSS-B 2022) for e-BH; Waudby-Smith & Ramdas (JRSS-B 2024) for betting confidence sequences.
 */
import { fromLn, type PValue } from './pvalue.js';

/** The p-value implied by an e-value given as its natural log: p = min(1, 1/E). */
export function eToP(logE: number): PValue {
  return fromLn(Math.min(0, -logE));
}

/** Calibrate a p-value into an e-value: E = κ p^(κ−1), 0 < κ < 1 (Vovk & Wang 2021, §2). Returns ln E. */
export function pToLogE(p: PValue, kappa = 0.5): number {
  const lnP = p.log10 * Math.LN10;
  return Math.log(kappa) + (kappa - 1) * lnP;
}

/** Average of e-values (valid under any dependence). Inputs and output are ln E. */
export function meanLogE(logEs: readonly number[]): number {
  if (logEs.length === 0) return 0;
  let m = -Infinity;
  for (const x of logEs) m = Math.max(m, x);
  let s = 0;
  for (const x of logEs) s += Math.exp(x - m);
  return m + Math.log(s / logEs.length);
}

/**
 * A betting e-process for the null "E[X] ≤ mu0" with observations in [0, 1] (Waudby-Smith &
 * Ramdas 2024). The bet λₜ is predictable (chosen from past data only: the aGRAPA rule, clipped
 * to [0, cap/mu0]) so the wealth process is a nonnegative supermartingale under the null.
 */
export class BettingEProcess {
  private logWealth = 0;
  private maxLogWealth = 0;
  private n = 0;
  private sum = 0;
  private sumSq = 0;

  constructor(
    private readonly mu0: number,
    private readonly cap = 0.5,
  ) {}

  /** Feed one observation x ∈ [0, 1]. */
  update(x: number): void {
    const xc = Math.min(1, Math.max(0, x));
    const mean = this.n > 0 ? this.sum / this.n : this.mu0;
    const variance = this.n > 1 ? this.sumSq / this.n - mean * mean : 0.25;
    // aGRAPA: λ = (μ̂ − μ0) / (σ̂² + (μ̂ − μ0)²), clipped to keep 1 + λ(x − μ0) > 0
    const diff = mean - this.mu0;
    let lambda = diff / (Math.max(variance, 1e-6) + diff * diff);
    lambda = Math.max(0, Math.min(lambda, this.cap / this.mu0));
    this.logWealth += Math.log1p(lambda * (xc - this.mu0));
    this.maxLogWealth = Math.max(this.maxLogWealth, this.logWealth);
    this.n += 1;
    this.sum += xc;
    this.sumSq += xc * xc;
  }

  /** ln of the current wealth (an e-value at any stopping time). */
  get logE(): number {
    return this.logWealth;
  }

  /** ln of the running maximum wealth; by Ville, P[sup ≥ 1/α] ≤ α, so 1/max is an anytime p-value. */
  get logMaxE(): number {
    return this.maxLogWealth;
  }

  /** Number of observations so far. */
  get count(): number {
    return this.n;
  }
}

/**
 * e-BH (Wang & Ramdas 2022): reject the k hypotheses with the largest e-values where k is the
 * largest index with e₍ₖ₎ ≥ m / (α k). Controls FDR at α under arbitrary dependence.
 * Returns the indices rejected.
 */
export function eBH(logEs: readonly number[], alpha: number): number[] {
  const m = logEs.length;
  const order = logEs.map((e, i) => ({ e, i })).sort((a, b) => b.e - a.e);
  let kStar = 0;
  for (let k = 1; k <= m; k++) {
    const item = order[k - 1];
    if (item && item.e >= Math.log(m / (alpha * k))) kStar = k;
  }
  return order.slice(0, kStar).map((o) => o.i);
}
