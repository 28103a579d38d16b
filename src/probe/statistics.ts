/**
 * The relative, paired test at the heart of the probe.
 *
 * For a family f and control C_j, each prompt x gives a paired difference
 *   d_x = sim_f(S_x, T_x) − sim_f(S_x, C_j,x)  ∈ [−1, 1]
 * ("is S's answer closer to T's than to C_j's?"). The null of control j is that T and C_j are
 * exchangeable from S's point of view — S relates to T as it relates to an independently built
 * model — which makes d_x symmetric about 0 and gives exact tests:
 *   - binary similarities: the exact one-sided McNemar test on discordant prompts
 *     (McNemar 1947; as a binomial on the b/(b+c) split, Hollander, Wolfe & Chicken §3.1);
 *   - graded similarities: the one-sided Wilcoxon signed-rank test (exact without ties up to
 *     400 pairs, normal with tie correction beyond; Hollander et al. §3.2);
 *   - canaries: d_x = hit(S) − hit(C_j), McNemar again (does S emit our canaries more than an
 *     independent model does?).
 * "Derived" needs S to beat every control: an intersection-union test (Berger 1982), whose
 * p-value is the largest per-control p-value — equal to the largest Holm-adjusted one (Holm
 * 1979), which is what we report per control. One adequate control keeps the test valid however
 * poor the others are.
 *
 * Anytime validity: for each (family, control) a betting e-process (Waudby-Smith & Ramdas, JRSS-B
 * 2024; `BettingEProcess` in src/stats) bets on x = (d+1)/2 having mean above 1/2. A family's
 * e-value is the minimum over controls (an e-value under the union null), and families, which use
 * disjoint i.i.d. prompts, multiply. Ville's inequality makes 1/sup E a p-value at any stopping
 * time, so a run may stop the moment E ≥ 1/α.
 */
import {
  BettingEProcess,
  fisherCombine,
  holmAdjust,
  mcnemarTest,
  normalSf,
  wilcoxonSignedRank,
  type PValue,
} from '../stats/index.js';

/**
 * Up to this many non-zero differences the Wilcoxon p-value is exact (src/stats, when there are
 * no ties); beyond, the normal approximation with tie correction. The exact distribution costs
 * O(n³) and a run recomputes its tests every round; at 100 pairs and beyond the normal
 * approximation of a sum of 100+ bounded independent signed ranks is accurate far into the tail.
 */
export const WILCOXON_EXACT_LIMIT = 100;

/**
 * One-sided Wilcoxon signed-rank p-value (log10) by the normal approximation with mid-ranks,
 * tie correction and continuity correction (Hollander, Wolfe & Chicken §3.1), in O(n log n).
 */
export function wilcoxonNormalLog10(diffs: readonly number[]): number {
  const nz = diffs.filter((d) => d !== 0 && Number.isFinite(d));
  const n = nz.length;
  if (n === 0) return 0;
  const sorted = nz.map((d) => ({ a: Math.abs(d), pos: d > 0 })).sort((x, y) => x.a - y.a);
  let wPlus = 0;
  let tie = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && sorted[j + 1]?.a === sorted[i]?.a) j++;
    const r = (i + j + 2) / 2;
    for (let q = i; q <= j; q++) if (sorted[q]?.pos) wPlus += r;
    const t = j - i + 1;
    if (t > 1) tie += t * t * t - t;
    i = j + 1;
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tie / 48;
  if (variance <= 0) return 0;
  return normalSf((wPlus - mean - 0.5) / Math.sqrt(variance)).log10;
}

/** The one-sided Wilcoxon p-value used everywhere in the probe (exact when small, else normal). */
export function wilcoxonLog10(diffs: readonly number[]): number {
  let nz = 0;
  for (const d of diffs) if (d !== 0 && Number.isFinite(d)) nz++;
  return nz <= WILCOXON_EXACT_LIMIT
    ? wilcoxonSignedRank(diffs).pValue.log10
    : wilcoxonNormalLog10(diffs);
}

/** How a family's similarity is tested. */
export type PairedTestKind = 'mcnemar' | 'wilcoxon';

/** Result of one (family, control) comparison. */
export interface ControlComparison {
  /** Control label. */
  readonly control: string;
  /** Prompts with usable answers from S, T and this control. */
  readonly n: number;
  /** Prompts where S was closer to T (d > 0), closer to the control (d < 0), or neither. */
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** Mean of d (the effect size, in similarity units) and its standard error. */
  readonly meanDiff: number;
  readonly stdErr: number;
  /** Mean similarity of S to T and of S to this control. */
  readonly simToTeacher: number;
  readonly simToControl: number;
  readonly test: PairedTestKind;
  /** One-sided fixed-sample p-value of this control's null. */
  readonly pValue: PValue;
  /** Holm-adjusted across the family's controls. */
  readonly holm: PValue;
  /** ln of the betting e-process now, and of its running maximum. */
  readonly logE: number;
  readonly logMaxE: number;
}

/** Incremental state of one (family, control) comparison. */
export class PairedAccumulator {
  readonly diffs: number[] = [];
  private sumST = 0;
  private sumSC = 0;
  private readonly eproc = new BettingEProcess(0.5);

  constructor(
    readonly control: string,
    readonly test: PairedTestKind,
  ) {}

  /** Add one prompt's similarities (both in [0, 1]). */
  add(simST: number, simSC: number): void {
    const a = clamp01(simST);
    const b = clamp01(simSC);
    const d = a - b;
    this.diffs.push(d);
    this.sumST += a;
    this.sumSC += b;
    this.eproc.update((d + 1) / 2);
  }

  /** Add a signed outcome directly (canaries: hit(S) − hit(C)). */
  addDiff(d: number, simST: number, simSC: number): void {
    const dd = Math.max(-1, Math.min(1, d));
    this.diffs.push(dd);
    this.sumST += clamp01(simST);
    this.sumSC += clamp01(simSC);
    this.eproc.update((dd + 1) / 2);
  }

  get n(): number {
    return this.diffs.length;
  }

  get logE(): number {
    return this.eproc.logE;
  }

  get logMaxE(): number {
    return this.eproc.logMaxE;
  }

  private memo: { n: number; value: Omit<ControlComparison, 'holm'> } | null = null;

  /** The fixed-sample comparison (Holm filled in by {@link compareControls}); memoised per n. */
  summary(): Omit<ControlComparison, 'holm'> {
    if (this.memo && this.memo.n === this.diffs.length) return this.memo.value;
    const value = this.compute();
    this.memo = { n: this.diffs.length, value };
    return value;
  }

  private compute(): Omit<ControlComparison, 'holm'> {
    const n = this.diffs.length;
    let wins = 0;
    let losses = 0;
    let s = 0;
    let ss = 0;
    for (const d of this.diffs) {
      if (d > 0) wins++;
      else if (d < 0) losses++;
      s += d;
      ss += d * d;
    }
    const mean = n > 0 ? s / n : 0;
    const variance = n > 1 ? Math.max(0, (ss - n * mean * mean) / (n - 1)) : 0;
    const pValue: PValue =
      n === 0
        ? { log10: 0 }
        : this.test === 'mcnemar'
          ? mcnemarTest(wins, losses)
          : { log10: wilcoxonLog10(this.diffs) };
    return {
      control: this.control,
      n,
      wins,
      losses,
      ties: n - wins - losses,
      meanDiff: mean,
      stdErr: n > 1 ? Math.sqrt(variance / n) : 0,
      simToTeacher: n > 0 ? this.sumST / n : 0,
      simToControl: n > 0 ? this.sumSC / n : 0,
      test: this.test,
      pValue,
      logE: this.eproc.logE,
      logMaxE: this.eproc.logMaxE,
    };
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** Per-control results with Holm adjustment, and the family's intersection-union p-value. */
export function compareControls(accs: readonly PairedAccumulator[]): {
  controls: ControlComparison[];
  /** max over controls of the per-control p-value (= the largest Holm-adjusted p-value). */
  pValue: PValue;
  /** min over controls of the current e-value (ln). */
  logE: number;
  /** min over controls of each control's running-maximum e-value (ln); 1/exp is a p-value. */
  logMaxE: number;
} {
  const sums = accs.map((a) => a.summary());
  const holm = holmAdjust(sums.map((s) => s.pValue));
  const controls = sums.map((s, i) => ({ ...s, holm: holm[i] ?? { log10: 0 } }));
  let p = -Infinity;
  let logE = Infinity;
  let logMaxE = Infinity;
  for (const c of controls) {
    p = Math.max(p, c.holm.log10);
    logE = Math.min(logE, c.logE);
    logMaxE = Math.min(logMaxE, c.logMaxE);
  }
  if (controls.length === 0) return { controls, pValue: { log10: 0 }, logE: 0, logMaxE: 0 };
  return { controls, pValue: { log10: p }, logE, logMaxE };
}

/**
 * Combine independent family p-values (families use disjoint prompts): twice the smaller of
 * Fisher's combination (strong when several families carry evidence) and Šidák's minimum,
 * 1 − (1 − min p)^m (exact for independent p-values, strong when one family carries it all —
 * distillation shows in short answers, fine-tuning in log-probabilities). The factor 2 is
 * Bonferroni over the two, so the result is a valid p-value whichever wins.
 */
export function combineFamilies(ps: readonly PValue[]): PValue {
  if (ps.length === 0) return { log10: 0 };
  if (ps.length === 1) return ps[0] ?? { log10: 0 };
  let minLog = 0;
  for (const p of ps) minLog = Math.min(minLog, p.log10);
  // 1 − (1 − p)^m computed in log space: log(−expm1(m · log1p(−p))).
  const pm = 10 ** minLog;
  const sidak =
    pm < 1e-12
      ? minLog + Math.log10(ps.length)
      : Math.log10(-Math.expm1(ps.length * Math.log1p(-pm)));
  const fisher = fisherCombine(ps).log10;
  return { log10: Math.min(0, Math.min(sidak, fisher) + Math.log10(2)) };
}

/**
 * The reported p-value of an anytime run: Bonferroni over the e-process p-value (1/sup E, valid at
 * any stopping time by Ville's inequality) and the fixed-design p-value, the latter only when the
 * full budget was spent (a fixed-design p-value after a data-dependent stop is not valid).
 * P[p ≤ a] ≤ a/2 + a/2.
 */
export function anytimePValue(logSupE: number, fixed: PValue | null): PValue {
  const pe = Math.min(0, -logSupE / Math.LN10);
  const best = fixed === null ? pe : Math.min(pe, fixed.log10);
  return { log10: Math.min(0, best + Math.log10(2)) };
}
