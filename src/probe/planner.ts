/**
 * Query-budget planning: how many prompts does a family need to reach p ≤ α with a given power,
 * for a given effect size?
 *
 * - Binary families (McNemar): exact power. With discordance rate π (share of prompts where S
 *   agrees with exactly one of T and the control) and win share θ = P(S sides with T | discordant),
 *   the number of discordant prompts is D ~ Bin(n, π) and the wins W | D ~ Bin(D, θ); the test
 *   rejects when P[Bin(D, ½) ≥ W] ≤ α. Power = Σ_D P(D) · P(W ≥ w*(D)).
 * - One-sample agreement (p₀ → p₁, the table of the research note, section 3.2): the normal
 *   approximation n = ((z_α √(p₀q₀) + z_β √(p₁q₁)) / (p₁ − p₀))² (Fleiss, Levin & Paik, Statistical
 *   Methods for Rates and Proportions, 3rd ed., §2.5).
 * - Graded families (Wilcoxon): from a pilot's paired differences, a bootstrap estimate of the
 *   power at each n (resampling the observed differences, running the same exact test), which
 *   makes no distributional assumption; without a pilot, the normal approximation for a mean shift
 *   δ/σ divided by 0.864, the smallest asymptotic efficiency of Wilcoxon relative to the t-test
 *   (Hodges & Lehmann 1956), so the plan is conservative whatever the shape.
 */
import { binomialSf, normalQuantile, mcnemarTest, toP } from '../stats/index.js';
import { wilcoxonNormalLog10 } from './statistics.js';
import { logChoose } from '../stats/index.js';
import { ProbeError } from './errors.js';
import { SeededStream } from './hash.js';

/** Largest prompt count the planner searches (beyond it the answer is "more than this"). */
export const PLAN_MAX_PROMPTS = 1_000_000;
/** Smallest Wilcoxon asymptotic relative efficiency against the t-test (Hodges–Lehmann bound). */
export const WILCOXON_MIN_ARE = 0.864;
/** Bootstrap replicates per candidate n in pilot-based plans (a power estimate ± ~5 points). */
export const PLAN_BOOTSTRAP_REPS = 100;
/** Largest n a bootstrap plan evaluates (beyond it the normal approximation answers). */
export const PLAN_BOOTSTRAP_MAX = 20_000;

function checkLevels(alpha: number, power: number): void {
  if (!(alpha > 0 && alpha < 0.5))
    throw new ProbeError('BAD_OPTION', `alpha ${alpha} must be in (0, 0.5)`, {
      where: { field: 'alpha' },
    });
  if (!(power > 0 && power < 1))
    throw new ProbeError('BAD_OPTION', `power ${power} must be in (0, 1)`, {
      where: { field: 'power' },
    });
}

/** The smallest w with P[Bin(d, ½) ≥ w] ≤ α, or d + 1 when none. */
function criticalWins(d: number, alpha: number): number {
  const la = Math.log10(alpha);
  let lo = 0;
  let hi = d + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (binomialSf(mid, d, 0.5).log10 <= la) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Exact power of the one-sided McNemar test at level α with n prompts. */
export function mcnemarPower(n: number, discordance: number, win: number, alpha: number): number {
  if (n <= 0 || discordance <= 0) return 0;
  // P(D = d) from log binomial terms; sum where the mass is (± 8 sd around the mean).
  const mean = n * discordance;
  const sd = Math.sqrt(n * discordance * (1 - discordance));
  const lo = Math.max(0, Math.floor(mean - 8 * sd - 5));
  const hi = Math.min(n, Math.ceil(mean + 8 * sd + 5));
  let power = 0;
  const lp = Math.log(discordance);
  const lq = discordance < 1 ? Math.log1p(-discordance) : -Infinity;
  for (let d = lo; d <= hi; d++) {
    const logPd = logChoose(n, d) + d * lp + (n - d === 0 ? 0 : (n - d) * lq);
    if (logPd < -40) continue;
    const w = criticalWins(d, alpha);
    if (w > d) continue;
    power += Math.exp(logPd) * toP(binomialSf(w, d, win));
  }
  return Math.min(1, power);
}

/** A plan: prompts needed, or null when even {@link PLAN_MAX_PROMPTS} is not enough. */
export interface PromptPlan {
  readonly prompts: number | null;
  /** Power achieved at that count (estimated for bootstrap plans). */
  readonly power: number;
  readonly method: 'mcnemar-exact' | 'normal-approximation' | 'bootstrap';
}

/** Smallest n on a doubling-then-bisection search with power(n) ≥ target. */
function search(powerAt: (n: number) => number, target: number, start = 8): PromptPlan['prompts'] {
  let hi = start;
  while (powerAt(hi) < target) {
    if (hi >= PLAN_MAX_PROMPTS) return null;
    hi = Math.min(PLAN_MAX_PROMPTS, hi * 2);
  }
  let lo = Math.max(1, Math.floor(hi / 2));
  if (powerAt(lo) >= target) return lo;
  while (hi - lo > Math.max(1, Math.floor(lo * 0.01))) {
    const mid = Math.floor((lo + hi) / 2);
    if (powerAt(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Prompts a McNemar family needs (exact power, bisection to 1%). */
export function planMcNemar(opts: {
  discordance: number;
  win: number;
  alpha: number;
  power: number;
}): PromptPlan {
  checkLevels(opts.alpha, opts.power);
  if (!(opts.discordance > 0 && opts.discordance <= 1))
    throw new ProbeError('BAD_OPTION', 'discordance must be in (0, 1]', {
      where: { field: 'discordance' },
    });
  if (!(opts.win >= 0 && opts.win <= 1))
    throw new ProbeError('BAD_OPTION', 'win share must be in [0, 1]', { where: { field: 'win' } });
  if (opts.win <= 0.5) return { prompts: null, power: 0, method: 'mcnemar-exact' };
  const prompts = search(
    (n) => mcnemarPower(n, opts.discordance, opts.win, opts.alpha),
    opts.power,
  );
  return {
    prompts,
    power: prompts === null ? 0 : mcnemarPower(prompts, opts.discordance, opts.win, opts.alpha),
    method: 'mcnemar-exact',
  };
}

/** One-sample agreement test p₀ → p₁ (normal approximation). */
export function planAgreement(opts: {
  p0: number;
  p1: number;
  alpha: number;
  power: number;
}): PromptPlan {
  checkLevels(opts.alpha, opts.power);
  const { p0, p1 } = opts;
  if (!(p0 > 0 && p0 < 1 && p1 > p0 && p1 < 1))
    throw new ProbeError('BAD_OPTION', 'need 0 < p0 < p1 < 1', { where: { field: 'p1' } });
  const za = -normalQuantile(opts.alpha);
  const zb = -normalQuantile(1 - opts.power);
  const num = za * Math.sqrt(p0 * (1 - p0)) + zb * Math.sqrt(p1 * (1 - p1));
  const n = Math.ceil((num / (p1 - p0)) ** 2);
  return { prompts: n, power: opts.power, method: 'normal-approximation' };
}

/** A graded family with mean shift δ and standard deviation σ of the paired differences. */
export function planMeanShift(opts: {
  effect: number;
  sd: number;
  alpha: number;
  power: number;
}): PromptPlan {
  checkLevels(opts.alpha, opts.power);
  if (!(opts.sd > 0))
    throw new ProbeError('BAD_OPTION', 'sd must be positive', { where: { field: 'sd' } });
  if (!(opts.effect > 0)) return { prompts: null, power: 0, method: 'normal-approximation' };
  const za = -normalQuantile(opts.alpha);
  const zb = -normalQuantile(1 - opts.power);
  const n = Math.ceil(((za + zb) * opts.sd) / opts.effect) ** 2 / WILCOXON_MIN_ARE;
  return { prompts: Math.ceil(n), power: opts.power, method: 'normal-approximation' };
}

/**
 * Plan from a pilot's paired differences by bootstrap: at each candidate n, draw n differences
 * with replacement (a seeded stream, so plans are reproducible) and run the family's own test.
 */
export function planFromPilot(opts: {
  diffs: readonly number[];
  test: 'mcnemar' | 'wilcoxon';
  alpha: number;
  power: number;
  seed?: string;
}): PromptPlan {
  checkLevels(opts.alpha, opts.power);
  const d = opts.diffs.filter((x) => Number.isFinite(x));
  if (d.length < 10)
    throw new ProbeError('BAD_OPTION', 'a pilot needs at least 10 prompts', {
      where: { field: 'diffs' },
    });
  if (opts.test === 'mcnemar') {
    const wins = d.filter((x) => x > 0).length;
    const losses = d.filter((x) => x < 0).length;
    if (wins + losses === 0) return { prompts: null, power: 0, method: 'mcnemar-exact' };
    return planMcNemar({
      discordance: (wins + losses) / d.length,
      win: wins / (wins + losses),
      alpha: opts.alpha,
      power: opts.power,
    });
  }
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  if (!(mean > 0)) return { prompts: null, power: 0, method: 'bootstrap' };
  const la = Math.log10(opts.alpha);
  const cache = new Map<number, number>();
  const powerAt = (n: number): number => {
    const hit = cache.get(n);
    if (hit !== undefined) return hit;
    const r = new SeededStream(opts.seed ?? 'plan', `bootstrap:${n}`);
    let rejections = 0;
    const sample = new Array<number>(n);
    for (let rep = 0; rep < PLAN_BOOTSTRAP_REPS; rep++) {
      for (let i = 0; i < n; i++) sample[i] = d[r.int(d.length)] as number;
      if (wilcoxonNormalLog10(sample) <= la) rejections++;
    }
    const p = rejections / PLAN_BOOTSTRAP_REPS;
    cache.set(n, p);
    return p;
  };
  // Bootstrap search is costly: cap it at the normal-approximation answer × 4.
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, d.length - 1));
  const guess = planMeanShift({ effect: mean, sd, alpha: opts.alpha, power: opts.power });
  const limit = Math.min(
    PLAN_BOOTSTRAP_MAX,
    Math.max(64, 4 * (guess.prompts ?? PLAN_BOOTSTRAP_MAX)),
  );
  let hi = 8;
  while (powerAt(hi) < opts.power) {
    if (hi >= limit)
      return guess.prompts !== null && guess.prompts > limit
        ? guess
        : { prompts: null, power: powerAt(hi), method: 'bootstrap' };
    hi = Math.min(limit, hi * 2);
  }
  let lo = Math.max(1, Math.floor(hi / 2));
  while (hi - lo > Math.max(1, Math.floor(lo * 0.05))) {
    const mid = Math.floor((lo + hi) / 2);
    if (powerAt(mid) >= opts.power) hi = mid;
    else lo = mid;
  }
  return { prompts: hi, power: powerAt(hi), method: 'bootstrap' };
}

/** Re-export for callers that plan from counts. */
export { mcnemarTest };
