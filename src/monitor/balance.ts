/**
 * Load balancing (pipeline step 7 of `analyze.ts`): members of a flagged campaign kept level by
 * one dispatcher. An operator who deals one job out over many accounts, to stay under
 * per-account limits, gives each account the same share every day; the research note's account
 * of the 2025 distillation cases names "coordinated timing consistent with load balancing" among
 * the signs that tied accounts to one party. Independent accounts differ day by day at least by
 * Poisson noise (±√c requests on a day of c), and people much more.
 *
 * The test (docs/monitor.md, pipeline step 7, *Load balancing*): H0 "the members' daily counts
 * are independent Poisson counts given (possibly random) rates". On a day on which k accounts
 * sent c_1…c_k, Pearson's dispersion Σ (c_i − c̄)² / c̄ is approximately χ²(k − 1) under equal
 * Poisson rates (the multinomial given the day's total), and stochastically larger when the
 * rates differ (the statistic is Schur-convex in the cell probabilities; Rinott 1973) or vary,
 * so the lower tail of the sum over days,
 * χ²(Σ (k − 1)), bounds the chance of days that level. Counts are integers: each day's radius
 * √(Σ (c_i − c̄)²) is enlarged by half the diagonal of a lattice cell (√k / 2) before the tail is
 * read, so that equal counts are not given probability 0, and each day used costs a factor 2
 * ({@link DAY_MARGIN}) for the normal approximation of the counts on that day. The k accounts
 * are chosen after looking at the counts (the run of k sorted totals with the smallest
 * dispersion), so the bound is multiplied by the number of k-subsets of the m candidates,
 * C(m, k) (a union bound over every subset), and by the number of sizes k tried (Bonferroni).
 */
import { gammaCdf, logChoose } from '../stats/index.js';
import { accountDays, type AccountState } from './state.js';

/**
 * Fewest requests of an account the test looks at (a light account is held at watch by the
 * crowd rule whatever its links, and cannot have enough full days of {@link MIN_DAY_MEAN}).
 */
export const BALANCE_MIN_REQUESTS = 50;
/** Fewest accounts of a load-balanced set: two equal counts are a coincidence in any crowd. */
export const MIN_BALANCED = 3;
/**
 * Most candidates tested in one campaign. The union bound grows as C(m, k): above a few hundred
 * members a set would need to be level far beyond Poisson noise to pass, and the scan costs
 * O(m²) windows; such campaigns (hydra components of thousands) are not tested.
 */
export const MAX_BALANCE_CANDIDATES = 512;
/**
 * Share of an account's full days on which it sent exactly its largest daily count, from which it
 * is taken to be *capped*: a client at a daily request limit sends the limit, day after day.
 * Independent users who each exhaust one provider-wide daily limit are level without any
 * coordination, so capped accounts are left out of the test (a farm that runs every account at
 * its limit is then not found this way). Poisson days of 20 requests or more put a quarter of
 * them on their maximum only by chance (the mode holds under 9% of the mass).
 */
export const CAPPED_SHARE = 0.25;
/**
 * Fewest full days (the first and last active day left out as partial) on which an account's
 * daily counts are judged, and fewest days of {@link MIN_DAY_MEAN} a set needs: fewer cannot be
 * told from a daily limit or a coincidence.
 */
export const MIN_BALANCE_DAYS = 3;
/**
 * Smallest mean daily count of a set's members for a day to enter the test: the χ² reading of a
 * day's dispersion is a normal approximation of Poisson counts, fair from about ten up.
 */
export const MIN_DAY_MEAN = 10;
/**
 * Factor charged per day used for the normal approximation of that day's counts (the local
 * limit theorem's error near the centre is a few per cent at ten requests a day; a factor 2 is
 * a wide margin for it, and still leaves a dispatcher's days far below the level).
 */
export const DAY_MARGIN = 2;
/**
 * Largest pooled daily dispersion of a load-balanced set, as a share of Poisson's (which gives
 * 1): besides being improbable, the set must be level by a wide margin, so that a mild departure
 * from the Poisson model over many days (clients that queue their requests a little) is not read
 * as one dispatcher.
 */
export const LOCKSTEP_DISPERSION = 0.5;

/** An account's request count and its counts per day (day index → requests). */
export interface BalanceCandidate {
  readonly i: number;
  readonly n: number;
  readonly days: ReadonlyMap<number, number>;
}

/** A load-balanced set of accounts ({@link loadBalanced}). */
export interface BalancedSet {
  /** Account indices, by request count. */
  readonly members: readonly number[];
  /** Smallest and largest request count in the set. */
  readonly lo: number;
  readonly hi: number;
  /** Pooled daily dispersion as a share of Poisson's (about 1 for independent accounts). */
  readonly dispersion: number;
  /** Days that entered the test ({@link MIN_DAY_MEAN}). */
  readonly days: number;
  /** Natural log of the p-value bound, union over subsets and sizes included. */
  readonly logP: number;
  /** Number of candidates tested (m of the union bound). */
  readonly candidates: number;
}

/** An account's requests per day (UTC day index), over all models. */
export function dailyCounts(a: AccountState): Map<number, number> {
  const byDay = new Map<number, number>();
  for (const d of accountDays(a)) byDay.set(d.day, (byDay.get(d.day) ?? 0) + d.count);
  return byDay;
}

/**
 * Whether an account looks capped at a daily limit ({@link CAPPED_SHARE}), or has too few full
 * days to tell ({@link MIN_BALANCE_DAYS}): either way it is not a candidate of the test.
 */
export function cappedOrShort(byDay: ReadonlyMap<number, number>): boolean {
  const days = [...byDay.keys()].sort((x, y) => x - y);
  // the first and last active day are partial (the account started or the window ended)
  const counts = days.slice(1, -1).map((d) => byDay.get(d) ?? 0);
  if (counts.length < MIN_BALANCE_DAYS) return true;
  const top = Math.max(...counts);
  const atTop = counts.filter((c) => c === top).length;
  // the maximum is always reached once: a cap is the maximum reached again, on at least two days
  return atTop >= Math.max(2, CAPPED_SHARE * counts.length);
}

/**
 * The daily test of one set: natural log of the χ² lower-tail bound (lattice-corrected, with
 * {@link DAY_MARGIN} per day), the pooled dispersion per degree of freedom, and the days used.
 */
export function dailyLevelness(set: readonly BalanceCandidate[]): {
  logTail: number;
  dispersion: number;
  days: number;
} {
  const k = set.length;
  const allDays = new Set<number>();
  for (const c of set) for (const d of c.days.keys()) allDays.add(d);
  let stat = 0;
  let raw = 0;
  let df = 0;
  let days = 0;
  for (const d of allDays) {
    let sum = 0;
    for (const c of set) sum += c.days.get(d) ?? 0;
    const mean = sum / k;
    if (mean < MIN_DAY_MEAN) continue;
    let ss = 0;
    for (const c of set) {
      const x = (c.days.get(d) ?? 0) - mean;
      ss += x * x;
    }
    const r = Math.sqrt(ss) + Math.sqrt(k) / 2;
    stat += (r * r) / mean;
    raw += ss / mean;
    df += k - 1;
    days++;
  }
  if (days < MIN_BALANCE_DAYS) return { logTail: 0, dispersion: NaN, days };
  const logTail = gammaCdf(stat, df / 2, 2).log10 * Math.LN10 + days * Math.log(DAY_MARGIN);
  return { logTail: Math.min(0, logTail), dispersion: raw / df, days };
}

/**
 * The most significant load-balanced set among `candidates` (callers pass a flagged campaign's
 * scored members that are neither light nor capped), or null when fewer than
 * {@link MIN_BALANCED} or more than {@link MAX_BALANCE_CANDIDATES} are given or no run of them
 * is level ({@link LOCKSTEP_DISPERSION}). For each size k, the run of k sorted totals with the
 * smallest dispersion is tested day by day ({@link dailyLevelness}) and its bound multiplied by
 * C(m, k); the best size is kept and its bound multiplied by the number of sizes tried. The
 * caller compares `logP` with its level.
 */
export function loadBalanced(
  candidates: readonly BalanceCandidate[],
  tested = candidates.length,
): BalancedSet | null {
  if (candidates.length < MIN_BALANCED || candidates.length > MAX_BALANCE_CANDIDATES) return null;
  // the union bound runs over the subsets of every account the candidates were drawn from
  const m = Math.max(tested, candidates.length);
  const sorted = [...candidates].sort((x, y) => x.n - y.n || x.i - y.i);
  const mc = sorted.length;
  const s1 = new Float64Array(mc + 1);
  const s2 = new Float64Array(mc + 1);
  for (let j = 0; j < mc; j++) {
    const n = sorted[j]?.n ?? 0;
    s1[j + 1] = (s1[j] ?? 0) + n;
    s2[j + 1] = (s2[j] ?? 0) + n * n;
  }
  let best: { logP: number; from: number; k: number; dispersion: number; days: number } | null =
    null;
  for (let k = MIN_BALANCED; k <= mc; k++) {
    // the most even run of k totals: smallest Pearson statistic over the windows of sorted counts
    let minD = Infinity;
    let minAt = 0;
    for (let from = 0; from + k <= mc; from++) {
      const sum = (s1[from + k] ?? 0) - (s1[from] ?? 0);
      const mean = sum / k;
      const d = Math.max(0, (s2[from + k] ?? 0) - (s2[from] ?? 0) - sum * mean) / mean;
      if (d < minD) {
        minD = d;
        minAt = from;
      }
    }
    const t = dailyLevelness(sorted.slice(minAt, minAt + k));
    if (!(t.dispersion <= LOCKSTEP_DISPERSION)) continue;
    const logP = logChoose(m, k) + t.logTail;
    if (best === null || logP < best.logP)
      best = { logP, from: minAt, k, dispersion: t.dispersion, days: t.days };
  }
  if (best === null) return null;
  const members = sorted.slice(best.from, best.from + best.k);
  return {
    members: members.map((x) => x.i),
    lo: members[0]?.n ?? 0,
    hi: members[members.length - 1]?.n ?? 0,
    dispersion: best.dispersion,
    days: best.days,
    logP: Math.min(0, best.logP + Math.log(m - MIN_BALANCED + 1)),
    candidates: m,
  };
}

/**
 * The most significant load-balanced set among a campaign's scored `members` (whatever its
 * bound), or null. Candidates are the members with at least {@link BALANCE_MIN_REQUESTS} requests
 * that are not capped at a daily limit ({@link cappedOrShort}).
 */
function bestBalanced(
  accs: readonly AccountState[],
  members: readonly number[],
): BalancedSet | null {
  const heavy = members.filter((i) => (accs[i]?.n ?? 0) >= BALANCE_MIN_REQUESTS);
  if (heavy.length < MIN_BALANCED || heavy.length > MAX_BALANCE_CANDIDATES) return null;
  const candidates: BalanceCandidate[] = [];
  for (const i of heavy) {
    const a = accs[i];
    if (a === undefined) continue;
    const days = dailyCounts(a);
    if (!cappedOrShort(days)) candidates.push({ i, n: a.n, days });
  }
  // capped accounts were left out on their daily counts, the statistic's own data: the union
  // bound counts them (C(|heavy|, k))
  return loadBalanced(candidates, heavy.length);
}

/**
 * The load-balanced set of a flagged campaign, if one passes `logLevel` (natural log; the caller's
 * family-wise level over the campaigns tested). Candidates are the scored `members` with at least
 * {@link BALANCE_MIN_REQUESTS} requests that are not capped at a daily limit ({@link cappedOrShort}).
 */
export function balancedMembers(
  accs: readonly AccountState[],
  members: readonly number[],
  logLevel: number,
): BalancedSet | null {
  const set = bestBalanced(accs, members);
  return set !== null && set.logP <= logLevel ? set : null;
}

/**
 * {@link balancedMembers} per component root, the search run once: it rests on the component's
 * scored members and their daily counts, which no decision round changes; only the level (the
 * number of flagged campaigns) does. Returns `balancedOf(root, scored, logLevel)`.
 */
export function balanceSearch(
  accs: readonly AccountState[],
): (root: number, scored: readonly number[], logLevel: number) => BalancedSet | null {
  const byRoot = new Map<number, BalancedSet | null>();
  return (root, scored, logLevel) => {
    let set = byRoot.get(root);
    if (set === undefined) {
      set = bestBalanced(accs, scored);
      byRoot.set(root, set);
    }
    return set !== null && set.logP <= logLevel ? set : null;
  };
}
