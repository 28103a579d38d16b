/**
 * Per-account evidence (steps 1–3 of `analyze.ts`): each account's features, the cohorts of
 * accounts of similar volume it is judged against, anytime-valid per-account e-values, and the
 * reasons that explain an account's profile.
 *
 * Cohorts follow research note §5.2 (extraction.md): an account is compared with accounts of its
 * own volume, never with a global benign reference, because a heavy legitimate integration and a
 * light chat user differ on every feature.
 */
import { mixtureLogE, quantile } from './evidence.js';
import { CAPABILITIES } from './lexicon.js';
import { percentileIn, type CohortReference } from './scoring.js';
import { accountDays, KEY_TYPE, U, type AccountState } from './state.js';
import { fmtPct, type CohortInfo, type Reason } from './verdict.js';

const DAY = 86_400_000;

/** Accounts with fewer requests are not scored (too little evidence to rank). */
export const MIN_REQUESTS = 5;

/** Fewest unlinked accounts for a cohort's reference to use only them (else the whole cohort). */
export const MIN_REFERENCE = 100;

/** Smallest cohort: with m accounts the smallest conformal p-value is 1/m. */
export const MIN_COHORT = 300;

/** Reference quantile of a cohort for per-account e-values. */
export const REFERENCE_QUANTILE = 0.9;

/** Window after a release in which traffic moved to the new model counts as a pivot (two UTC days). */
export const PIVOT_DAYS = 2;

/** Per-account features, in a fixed order. */
export const FEATURES = [
  'elicitation',
  'singleShot',
  'novelty',
  'templateReuse',
  'topicConcentration',
  'coverage',
  'dutyCycle',
  'regularity',
  'outputRatio',
  'releasePivot',
  'freshness',
  'environments',
] as const;

/** One feature name. */
export type Feature = (typeof FEATURES)[number];

/**
 * Weights of the features in the extraction score: 1 for the hallmarks the industry reports
 * name (elicitation, templates, capability sweeps, round-the-clock duty, release pivots, fresh
 * accounts, synthetic tool environments), ½ for descriptors of any programmatic API use (single-shot, novelty, cadence,
 * output share) that a legitimate integration shows as well. Fixed from the threat model.
 */
export const FEATURE_WEIGHTS: readonly number[] = FEATURES.map((f) =>
  f === 'singleShot' || f === 'novelty' || f === 'regularity' || f === 'outputRatio' ? 0.5 : 1,
);

/** Feature values of one account; NaN = not observable. */
export function accountFeatures(
  a: AccountState,
  releases: readonly { model: string; at: number }[],
): Float64Array {
  const f = new Float64Array(FEATURES.length).fill(NaN);
  const u = a.u;
  const n = a.n;
  if (n === 0) return f;
  f[0] = (u[U.ELICIT_ANY] ?? 0) / n;
  f[1] = (u[U.SINGLE] ?? 0) / n;
  const te = u[U.TESTED + KEY_TYPE.EXACT] ?? 0;
  if (te >= 3) f[2] = 1 - (u[U.HITS + KEY_TYPE.EXACT] ?? 0) / te;
  let reuse = NaN;
  for (const t of [KEY_TYPE.SKEL, KEY_TYPE.HEAD, KEY_TYPE.TAIL, KEY_TYPE.ND]) {
    const tested = u[U.TESTED + t] ?? 0;
    if (tested >= 3) {
      const r = (u[U.HITS + t] ?? 0) / tested;
      reuse = Number.isNaN(reuse) ? r : Math.max(reuse, r);
    }
  }
  f[3] = reuse;
  let hhi = 0;
  for (let c = 0; c < CAPABILITIES.length; c++) {
    const s = (u[U.CAPS + c] ?? 0) / n;
    hhi += s * s;
  }
  f[4] = hhi;
  f[5] = (u[U.NEW_CELL] ?? 0) / n;
  if (n >= 2) {
    let h = 0;
    for (let i = 0; i < 24; i++) {
      const p = (u[U.HOURS + i] ?? 0) / n;
      if (p > 0) h -= p * Math.log(p);
    }
    f[6] = h / Math.log(24);
  }
  if (a.iaN >= 5) {
    const mu = a.iaMean;
    const sd = Math.sqrt(Math.max(0, a.iaM2 / a.iaN));
    if (mu + sd > 0) f[7] = -(sd - mu) / (sd + mu);
  }
  if (a.tokN >= 3 && a.tokIn + a.tokOut > 0) f[8] = a.tokOut / (a.tokIn + a.tokOut);
  else if (a.respN >= 3 && a.respChars + a.promptChars > 0)
    f[8] = a.respChars / (a.respChars + a.promptChars);
  let pivot = NaN;
  for (const r of releases) {
    const d0 = Math.floor(r.at / DAY);
    let total = 0;
    let moved = 0;
    for (const c of accountDays(a)) {
      if (c.day < d0 || c.day >= d0 + PIVOT_DAYS) continue;
      total += c.count;
      if (c.model === r.model) moved += c.count;
    }
    if (total >= 3) pivot = Number.isNaN(pivot) ? moved / total : Math.max(pivot, moved / total);
  }
  f[9] = pivot;
  if (a.signupAt !== undefined && Number.isFinite(a.first)) {
    const ageDays = Math.max(0, (a.first - a.signupAt) / DAY);
    f[10] = -Math.log1p(ageDays);
  }
  // share of tool-using requests whose environment (system prompt) the account had not used
  // before: research note, layer 1, "tool-trace harvesting (many tool definitions, synthetic
  // environments)"
  const tt = u[U.TESTED + KEY_TYPE.SYSTEM] ?? 0;
  if (tt >= 3) f[11] = 1 - (u[U.HITS + KEY_TYPE.SYSTEM] ?? 0) / tt;
  return f;
}

/** Count features with an anytime-valid e-value: [feature index, successes, trials]. */
function countEvidence(a: AccountState): [number, number, number][] {
  const u = a.u;
  const out: [number, number, number][] = [
    [0, u[U.ELICIT_ANY] ?? 0, a.n],
    [1, u[U.SINGLE] ?? 0, a.n],
    [5, u[U.NEW_CELL] ?? 0, a.n],
  ];
  const te = u[U.TESTED + KEY_TYPE.EXACT] ?? 0;
  if (te > 0) out.push([2, te - (u[U.HITS + KEY_TYPE.EXACT] ?? 0), te]);
  const tt = u[U.TESTED + KEY_TYPE.SYSTEM] ?? 0;
  if (tt > 0) out.push([11, tt - (u[U.HITS + KEY_TYPE.SYSTEM] ?? 0), tt]);
  let best: [number, number, number] | undefined;
  for (const t of [KEY_TYPE.SKEL, KEY_TYPE.HEAD, KEY_TYPE.TAIL, KEY_TYPE.ND]) {
    const tested = u[U.TESTED + t] ?? 0;
    const hits = u[U.HITS + t] ?? 0;
    if (tested > 0 && (!best || hits / tested > best[1] / Math.max(1, best[2])))
      best = [3, hits, tested];
  }
  if (best) out.push(best);
  return out;
}

const FEATURE_TEXT: Readonly<Record<Feature, (v: number, ref: number) => string>> = {
  elicitation: (v, r) =>
    `${fmtPct(v)} of requests elicit reasoning traces, grades, tool traces or rewrites (cohort median ${fmtPct(r)})`,
  singleShot: (v, r) => `${fmtPct(v)} single-shot requests (cohort median ${fmtPct(r)})`,
  novelty: (v, r) => `${fmtPct(v)} of prompts never repeated (cohort median ${fmtPct(r)})`,
  templateReuse: (v, r) =>
    `${fmtPct(v)} of requests reuse a template frame seen before (cohort median ${fmtPct(r)})`,
  topicConcentration: (v, r) =>
    `capability concentration ${v.toFixed(2)} (HHI; cohort median ${r.toFixed(2)})`,
  coverage: (v, r) => `${fmtPct(v)} of requests open a new topic cell (cohort median ${fmtPct(r)})`,
  dutyCycle: (v, r) =>
    `activity spread over the 24 hours: ${v.toFixed(2)} (1 = round the clock; cohort median ${r.toFixed(2)})`,
  regularity: (v, r) =>
    `machine-like cadence ${v.toFixed(2)} (−burstiness; cohort median ${r.toFixed(2)})`,
  outputRatio: (v, r) => `output share of tokens ${fmtPct(v)} (cohort median ${fmtPct(r)})`,
  releasePivot: (v, r) =>
    `${fmtPct(v)} of traffic moved to a newly released model within ${PIVOT_DAYS} days (cohort median ${fmtPct(r)})`,
  environments: (v, r) =>
    `${fmtPct(v)} of tool-using requests open a tool environment (system prompt) not used before (cohort median ${fmtPct(r)})`,
  freshness: (v, r) =>
    `first request ${Math.expm1(-v).toFixed(1)} days after sign-up (cohort median ${Math.expm1(-r).toFixed(0)} days)`,
};

/** Scored accounts grouped by volume, with each cohort's feature medians and reference rates. */
export interface Cohorts {
  /** Cohort of each account (by index), −1 for an account with too few requests to score. */
  readonly of: readonly number[];
  /** Each cohort's request range and size. */
  readonly info: ReadonlyMap<number, CohortInfo>;
  /** Scored accounts of each cohort, in account order. */
  readonly members: ReadonlyMap<number, readonly number[]>;
  /** Each cohort's median of every feature (the reference value reasons quote). */
  readonly medians: ReadonlyMap<number, Float64Array>;
  /** Each cohort's {@link REFERENCE_QUANTILE} of every feature (the e-values' null rate). */
  readonly rates: ReadonlyMap<number, Float64Array>;
}

/**
 * Group the scored accounts by volume: bands of ×4 requests (⌊log2 n / 2⌋), busiest first, merged
 * until each holds {@link MIN_COHORT} accounts; a last band too small joins the one above it.
 * Medians and reference rates rest on the whole cohort, so every decision round shares them.
 */
export function buildCohorts(
  accs: readonly AccountState[],
  feats: readonly Float64Array[],
  eligible: readonly boolean[],
): Cohorts {
  const tierOf = accs.map((a) => Math.max(1, Math.floor(Math.log2(Math.max(1, a.n)) / 2)));
  const tiers = [...new Set(tierOf.filter((_, i) => eligible[i]))].sort((a, b) => b - a);
  const tierCount = new Map<number, number>();
  tierOf.forEach((t, i) => {
    if (eligible[i]) tierCount.set(t, (tierCount.get(t) ?? 0) + 1);
  });
  const cohortOfTier = new Map<number, number>();
  let cohortId = 0;
  let acc = 0;
  for (const t of tiers) {
    cohortOfTier.set(t, cohortId);
    acc += tierCount.get(t) ?? 0;
    if (acc >= MIN_COHORT) {
      cohortId++;
      acc = 0;
    }
  }
  // a last, too small cohort joins the one above it
  if (acc > 0 && cohortId > 0)
    for (const [t, c] of cohortOfTier) if (c === cohortId) cohortOfTier.set(t, cohortId - 1);
  const of = accs.map((_, i) => (eligible[i] ? (cohortOfTier.get(tierOf[i] ?? 0) ?? 0) : -1));
  const info = new Map<number, CohortInfo>();
  accs.forEach((a, i) => {
    const c = of[i] ?? -1;
    if (c < 0) return;
    const cur = info.get(c) ?? { id: c, minRequests: Infinity, maxRequests: 0, accounts: 0 };
    info.set(c, {
      id: c,
      minRequests: Math.min(cur.minRequests, a.n),
      maxRequests: Math.max(cur.maxRequests, a.n),
      accounts: cur.accounts + 1,
    });
  });
  const members = new Map<number, number[]>();
  of.forEach((c, i) => {
    if (c < 0) return;
    const list = members.get(c);
    if (list === undefined) members.set(c, [i]);
    else list.push(i);
  });
  const medians = new Map<number, Float64Array>();
  const rates = new Map<number, Float64Array>();
  for (const c of info.keys()) {
    const list = members.get(c) ?? [];
    const med = new Float64Array(FEATURES.length);
    const ref = new Float64Array(FEATURES.length);
    for (let f = 0; f < FEATURES.length; f++) {
      const vals = list.map((i) => feats[i]?.[f] ?? NaN);
      med[f] = quantile(vals, 0.5);
      ref[f] = quantile(vals, REFERENCE_QUANTILE);
    }
    medians.set(c, med);
    rates.set(c, ref);
  }
  return { of, info, members, medians, rates };
}

/** One count feature's e-value for one account (natural log). */
export interface FeatureEvidence {
  readonly f: number;
  readonly logE: number;
}

/**
 * Per-account anytime-valid e-values: for each count feature a mixture-likelihood-ratio
 * e-process against the cohort's reference rate (`evidence.ts`), and their mean (an e-value under
 * any dependence, so no Bonferroni is needed) as the account's e-value.
 */
export function accountEValues(
  accs: readonly AccountState[],
  cohorts: Cohorts,
): { logE: Float64Array; evidence: Map<number, FeatureEvidence[]> } {
  const logE = new Float64Array(accs.length);
  const evidence = new Map<number, FeatureEvidence[]>();
  accs.forEach((a, i) => {
    const c = cohorts.of[i] ?? -1;
    if (c < 0) return;
    const ref = cohorts.rates.get(c);
    if (!ref) return;
    const list: FeatureEvidence[] = [];
    for (const [f, k, n] of countEvidence(a)) {
      const rho = ref[f] ?? NaN;
      if (!Number.isFinite(rho) || rho >= 1) continue;
      list.push({ f, logE: mixtureLogE(k, n, Math.max(rho, 0.01)) });
    }
    let m = -Infinity;
    for (const e of list) m = Math.max(m, e.logE);
    let s = 0;
    for (const e of list) s += Math.exp(e.logE - m);
    logE[i] = list.length > 0 ? m + Math.log(s / list.length) : 0;
    evidence.set(i, list);
  });
  return { logE, evidence };
}

/**
 * Each cohort's reference accounts for one decision round: its *unlinked* accounts, because H0
 * for a linked group is "these accounts are like ordinary accounts of their volume" and other
 * campaigns of the same cohort must not be part of the yardstick (a dozen sweeps would otherwise
 * hide each other). A cohort with fewer than {@link MIN_REFERENCE} unlinked accounts falls back
 * to all of its accounts but those a previous round alerted (`excluded`), and, with too few of
 * those, to all of its accounts.
 */
export function referenceMembers(
  cohorts: Cohorts,
  linked: Uint8Array,
  excluded: Uint8Array,
): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const c of cohorts.info.keys()) {
    const all = cohorts.members.get(c) ?? [];
    const kept = all.filter((i) => excluded[i] === 0);
    const unlinked = kept.filter((i) => linked[i] === 0);
    out.set(
      c,
      unlinked.length >= MIN_REFERENCE ? unlinked : kept.length >= MIN_REFERENCE ? kept : [...all],
    );
  }
  return out;
}

/**
 * Up to five reasons from an account's own profile: the features at or above its cohort
 * reference's 90th percentile, most extreme first, each with the cohort median and, for count
 * features, its e-value.
 */
export function accountReasons(
  row: Float64Array | undefined,
  median: Float64Array | undefined,
  evidence: readonly FeatureEvidence[],
  ref: CohortReference | undefined,
): Reason[] {
  if (row === undefined) return [];
  const pct = (f: number): number => {
    const sorted = ref?.sorted[f];
    return sorted ? percentileIn(row[f] ?? NaN, sorted) : 0.5;
  };
  const out: Reason[] = [];
  const order = FEATURES.map((_, f) => f).sort((x, y) => pct(y) - pct(x));
  for (const f of order) {
    const u = pct(f);
    const v = row[f] ?? NaN;
    if (u < 0.9 || !Number.isFinite(v)) continue;
    const name = FEATURES[f] ?? 'elicitation';
    const r0 = median?.[f] ?? NaN;
    const e = evidence.find((x) => x.f === f);
    out.push({
      code: name,
      text: FEATURE_TEXT[name](v, Number.isFinite(r0) ? r0 : 0),
      value: Number(v.toPrecision(4)),
      reference: Number.isFinite(r0) ? Number(r0.toPrecision(4)) : 0,
      ...(e ? { log10E: Number((e.logE / Math.LN10).toFixed(2)) } : {}),
    });
    if (out.length >= 5) break;
  }
  return out;
}
