/**
 * Cohort-relative scoring of accounts, with a leave-group-out reference for campaign tests.
 *
 * Each feature value x of an account becomes a mid-rank percentile u = F̂_R(x) within a
 * reference set R (its cohort), and the account's extraction score is the weighted sum of normal
 * scores S = Σ_f w_f Φ⁻¹(u_f) (Stouffer-style: consistent moderate shifts across several
 * features add up, one extreme feature is capped at about ±3.5). A campaign's members are
 * scored against their cohort *without the campaign's own members* (otherwise a large hydra
 * cluster would be its own reference and look ordinary), and each member gets the split-conformal
 * p-value p = (1 + #{r ∈ R : S(r) ≥ S(i)}) / (|R| + 1), valid when the member is exchangeable
 * with R (Vovk et al. 2005; Lei et al., JASA 2018 for split conformal).
 */
import { normalCdf } from '../stats/index.js';

// Acklam's rational approximation of Φ⁻¹ with one Halley refinement (as src/stats does), written
// without inner closures: it runs tens of millions of times per analysis.
const A0 = -3.969683028665376e1;
const A1 = 2.209460984245205e2;
const A2 = -2.759285104469687e2;
const A3 = 1.38357751867269e2;
const A4 = -3.066479806614716e1;
const A5 = 2.506628277459239;
const B0 = -5.447609879822406e1;
const B1 = 1.615858368580409e2;
const B2 = -1.556989798598866e2;
const B3 = 6.680131188771972e1;
const B4 = -1.328068155288572e1;
const C0 = -7.784894002430293e-3;
const C1 = -3.223964580411365e-1;
const C2 = -2.400758277161838;
const C3 = -2.549732539343734;
const C4 = 4.374664141464968;
const C5 = 2.938163982698783;
const D0 = 7.784695709041462e-3;
const D1 = 3.224671290700398e-1;
const D2 = 2.445134137142996;
const D3 = 3.754408661907416;

/** Standard normal quantile Φ⁻¹(p) for p in (0, 1) (Acklam 2003 + one Halley step). */
export function normalQuantileFast(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C0 * q + C1) * q + C2) * q + C3) * q + C4) * q + C5) /
      ((((D0 * q + D1) * q + D2) * q + D3) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A0 * r + A1) * r + A2) * r + A3) * r + A4) * r + A5) * q) /
      (((((B0 * r + B1) * r + B2) * r + B3) * r + B4) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((C0 * q + C1) * q + C2) * q + C3) * q + C4) * q + C5) /
      ((((D0 * q + D1) * q + D2) * q + D3) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** A cohort's reference: per-feature sorted finite values. */
export interface CohortReference {
  /** Account indices in the reference. */
  readonly members: readonly number[];
  /** The same, as a set. */
  readonly memberSet: ReadonlySet<number>;
  /** sorted[f] = ascending finite values of feature f over the members. */
  readonly sorted: readonly Float64Array[];
}

/** Number of values below x in an ascending array. */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of values at most x in an ascending array. */
export function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Build a cohort reference from the feature rows of its members. */
export function cohortReference(
  members: readonly number[],
  feats: readonly Float64Array[],
  nFeatures: number,
): CohortReference {
  const sorted: Float64Array[] = [];
  for (let f = 0; f < nFeatures; f++) {
    const vals: number[] = [];
    for (const i of members) {
      const v = feats[i]?.[f] ?? NaN;
      if (Number.isFinite(v)) vals.push(v);
    }
    sorted.push(Float64Array.from(vals).sort());
  }
  return { members, memberSet: new Set(members), sorted };
}

/**
 * Mid-rank percentile of x within reference values `ref` minus the values `minus` (both sorted):
 * (below + ½·tied + ½) / (n + 1), in (0, 1). Not observed (NaN) → ½.
 */
export function percentileIn(x: number, ref: Float64Array, minus?: Float64Array): number {
  if (!Number.isFinite(x)) return 0.5;
  let below = lowerBound(ref, x);
  let tied = upperBound(ref, x) - below;
  let n = ref.length;
  if (minus && minus.length > 0) {
    const mb = lowerBound(minus, x);
    below -= mb;
    tied -= upperBound(minus, x) - mb;
    n -= minus.length;
  }
  if (n <= 0) return 0.5;
  return (below + 0.5 * tied + 0.5) / (n + 1);
}

/** Extraction score of a feature row against a reference (optionally minus a group's values). */
export function scoreRow(
  row: Float64Array,
  ref: CohortReference,
  weights: readonly number[],
  minus?: readonly Float64Array[],
): number {
  let s = 0;
  for (let f = 0; f < weights.length; f++) {
    const w = weights[f] ?? 0;
    if (w === 0) continue;
    const sorted = ref.sorted[f];
    if (!sorted) continue;
    s += w * normalQuantileFast(percentileIn(row[f] ?? NaN, sorted, minus?.[f]));
  }
  return s;
}

/** Split-conformal p-value of `score` against reference scores (sorted ascending). */
export function conformalP(score: number, refSorted: Float64Array): number {
  const atLeast = refSorted.length - lowerBound(refSorted, score);
  return (1 + atLeast) / (refSorted.length + 1);
}

/**
 * Conformal p-values of a group's members against their cohorts with the group left out.
 * `fullScores` are the scores against the full cohorts with the same `weights` (used for R when
 * the group is a small part of a cohort, where leaving it out changes R's scores by less than
 * `1/|cohort|` per feature).
 */
export function leaveGroupOutPValues(
  group: readonly number[],
  cohortOf: readonly number[],
  refs: ReadonlyMap<number, CohortReference>,
  feats: readonly Float64Array[],
  weights: readonly number[],
  fullScores: Float64Array,
  fullSortedScores: ReadonlyMap<number, Float64Array>,
): Map<number, number> {
  const out = new Map<number, number>();
  const byCohort = new Map<number, number[]>();
  for (const i of group) {
    const c = cohortOf[i] ?? -1;
    if (c < 0) continue;
    const list = byCohort.get(c) ?? [];
    list.push(i);
    byCohort.set(c, list);
  }
  for (const [c, members] of byCohort) {
    const ref = refs.get(c);
    if (!ref) continue;
    // only members that are part of the reference are taken out of it
    const inRef = members.filter((i) => ref.memberSet.has(i));
    const minus: Float64Array[] = ref.sorted.map((_, f) => {
      const vals: number[] = [];
      for (const i of inRef) {
        const v = feats[i]?.[f] ?? NaN;
        if (Number.isFinite(v)) vals.push(v);
      }
      return Float64Array.from(vals).sort();
    });
    const inGroup = new Set(inRef);
    const small = inRef.length < Math.max(3, 0.01 * ref.members.length);
    let refScores: Float64Array;
    if (small) {
      // R's scores barely move when a few accounts leave: drop the members' own scores
      const full = fullSortedScores.get(c) ?? new Float64Array();
      const mine = Float64Array.from(inRef.map((i) => fullScores[i] ?? 0)).sort();
      refScores = new Float64Array(full.length - mine.length);
      let k = 0;
      let j = 0;
      for (const v of full) {
        if (j < mine.length && v === mine[j]) {
          j++;
          continue;
        }
        refScores[k++] = v;
      }
      refScores = refScores.subarray(0, k);
    } else {
      const vals: number[] = [];
      for (const r of ref.members)
        if (!inGroup.has(r))
          vals.push(scoreRow(feats[r] ?? new Float64Array(), ref, weights, minus));
      refScores = Float64Array.from(vals).sort();
    }
    for (const i of members) {
      const s = small
        ? (fullScores[i] ?? 0)
        : scoreRow(feats[i] ?? new Float64Array(), ref, weights, minus);
      out.set(i, conformalP(s, refScores));
    }
  }
  return out;
}

/** Every scored account's standing against its cohort's reference in one decision round. */
export interface AccountScores {
  /** Composite score of each account against its cohort's reference (0 when not scored). */
  readonly scores: Float64Array;
  /** Each cohort's reference accounts' scores, ascending. */
  readonly sorted: ReadonlyMap<number, Float64Array>;
  /** Conformal p-value within the cohort, (1 + #{reference scores ≥}) / m; 1 when not scored. */
  readonly accountP: Float64Array;
  /** Mid-rank percentile of the score in the reference (for display); ½ when not scored. */
  readonly compPctOf: Float64Array;
}

/**
 * Score the scored accounts `idx` against their cohorts' references (`refs`, keyed by cohort;
 * `cohortOf[i]` gives account i's cohort) with the feature `weights`, and give each a conformal
 * p-value and a percentile against the reference accounts' own scores.
 */
export function scoreAccounts(
  refs: ReadonlyMap<number, CohortReference>,
  idx: readonly number[],
  cohortOf: readonly number[],
  feats: readonly Float64Array[],
  weights: readonly number[],
): AccountScores {
  const N = feats.length;
  const scores = new Float64Array(N);
  for (const i of idx) {
    const ref = refs.get(cohortOf[i] ?? -1);
    if (ref) scores[i] = scoreRow(feats[i] ?? new Float64Array(), ref, weights);
  }
  const sorted = new Map<number, Float64Array>();
  for (const [c, ref] of refs)
    sorted.set(c, Float64Array.from(ref.members.map((i) => scores[i] ?? 0)).sort());
  const accountP = new Float64Array(N).fill(1);
  const compPctOf = new Float64Array(N).fill(0.5);
  for (const i of idx) {
    const s = sorted.get(cohortOf[i] ?? -1);
    if (!s || s.length === 0) continue;
    const sc = scores[i] ?? 0;
    accountP[i] = (conformalP(sc, s) * (s.length + 1) - 1) / s.length;
    compPctOf[i] = percentileIn(sc, s);
  }
  return { scores, sorted, accountP, compPctOf };
}
