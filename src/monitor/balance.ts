/**
 * Load balancing (pipeline step 7 of `analyze.ts`): members of a flagged campaign whose request
 * counts are too even for independent accounts. An operator who spreads one job over many
 * accounts to stay under per-account limits gives each account the same share; the research
 * note's account of the 2025 distillation cases names "coordinated timing consistent with load
 * balancing" among the signs that tied accounts to one party. Independent users, even users
 * with identical habits, differ at least by Poisson noise (±√n requests), and people much more.
 *
 * The test (docs/monitor.md, pipeline step 7, *Load balancing*): H0 "the members' request counts
 * are independent, each at least as variable as a Poisson count". For k accounts with counts
 * n_1…n_k, Pearson's dispersion statistic D = Σ (n_i − n̄)² / n̄ is approximately χ²(k − 1) under
 * equal Poisson rates (the multinomial given the total), and stochastically larger when the rates
 * differ or the counts are over-dispersed, so its *lower* tail bounds the chance of counts that
 * even. The k accounts are chosen after looking at the counts (the most even run of k sorted
 * counts), so the bound is multiplied by the number of k-subsets of the m candidates,
 * C(m, k) (a union bound over every subset), and by the number of sizes k tried (Bonferroni).
 * Counts are integers: the radius √(D·n̄) is enlarged by half the diagonal of a lattice cell
 * (√k / 2) before the χ² tail is read, so that exactly equal counts are not given probability 0.
 */
import { gammaCdf, logChoose } from '../stats/index.js';
import { accountDays, type AccountState } from './state.js';

/**
 * Fewest requests of an account the test looks at: the χ² reading of Pearson's statistic is a
 * normal approximation of Poisson counts, fair from a few dozen up (and a light account is held
 * at watch by the crowd rule whatever its links).
 */
export const BALANCE_MIN_REQUESTS = 50;
/** Fewest accounts of a load-balanced set: two equal counts are a coincidence in any crowd. */
export const MIN_BALANCED = 3;
/**
 * Most candidates tested in one campaign. The union bound grows as C(m, k): above a few hundred
 * members a set would need counts far more even than Poisson noise allows to pass, and the scan
 * costs O(m²) windows; such campaigns (hydra components of thousands) are not tested.
 */
export const MAX_BALANCE_CANDIDATES = 512;
/**
 * Share of an account's full days on which it sent exactly its largest daily count, from which it
 * is taken to be *capped*: a client at a daily request limit sends the limit, day after day.
 * Independent users who each exhaust one provider-wide daily limit on the same days have equal
 * totals without any coordination, so capped accounts are left out of the test (a farm that runs
 * every account at its limit is then not found this way). Poisson days of 20 requests or more put
 * a quarter of them on their maximum only by chance (the mode holds under 9% of the mass).
 */
export const CAPPED_SHARE = 0.25;
/**
 * Fewest full days (the first and last active day left out as partial) on which an account's
 * daily counts are judged; an account with fewer cannot be told from one at a daily limit and is
 * left out of the test.
 */
export const MIN_BALANCE_DAYS = 3;

/**
 * Largest per-day dispersion of a load-balanced set ({@link lockstepDispersion}): the members'
 * counts on each day must be at most this share of Poisson's spread around the day's mean. A
 * balancer that deals a job out in turn keeps the accounts level every day; accounts whose totals
 * are equal but whose days are not (people who each did one fixed assignment on their own
 * schedule, or clients with equal budgets spent at random times) are independent on the scale of
 * a day, where Poisson's spread is what they show (expected 1).
 */
export const LOCKSTEP_DISPERSION = 0.5;

/** A load-balanced set of accounts ({@link loadBalanced}). */
export interface BalancedSet {
  /** Account indices, by request count. */
  readonly members: readonly number[];
  /** Smallest and largest request count in the set. */
  readonly lo: number;
  readonly hi: number;
  /** Pearson's dispersion of the set divided by its degrees of freedom (Poisson: about 1). */
  readonly dispersion: number;
  /** Natural log of the p-value bound, union over subsets and sizes included. */
  readonly logP: number;
  /** Number of candidates tested (m of the union bound). */
  readonly candidates: number;
  /** The set's per-day dispersion ({@link lockstepDispersion}), once {@link balancedMembers} checked it. */
  readonly lockstep?: number;
}

/**
 * Whether an account looks capped at a daily limit ({@link CAPPED_SHARE}), or has too few full
 * days to tell ({@link MIN_BALANCE_DAYS}): either way it is not a candidate of the test.
 */
export function cappedOrShort(a: AccountState): boolean {
  const byDay = new Map<number, number>();
  for (const d of accountDays(a)) byDay.set(d.day, (byDay.get(d.day) ?? 0) + d.count);
  const days = [...byDay.keys()].sort((x, y) => x - y);
  // the first and last active day are partial (the account started or the window ended)
  const counts = days.slice(1, -1).map((d) => byDay.get(d) ?? 0);
  if (counts.length < MIN_BALANCE_DAYS) return true;
  const top = Math.max(...counts);
  const atTop = counts.filter((c) => c === top).length;
  return atTop >= CAPPED_SHARE * counts.length;
}

/**
 * The most significant load-balanced set among `candidates` (account index and request count;
 * callers pass a flagged campaign's scored members that are neither light nor capped), or null
 * when fewer than {@link MIN_BALANCED} or more than {@link MAX_BALANCE_CANDIDATES} are given.
 * For each size k the most even run of k sorted counts is found, its dispersion read against
 * the χ²(k − 1) lower tail and multiplied by C(m, k); the best size is kept and its bound
 * multiplied by the number of sizes tried. The caller compares `logP` with its level.
 */
export function loadBalanced(
  candidates: readonly { readonly i: number; readonly n: number }[],
): BalancedSet | null {
  const m = candidates.length;
  if (m < MIN_BALANCED || m > MAX_BALANCE_CANDIDATES) return null;
  const sorted = [...candidates].sort((x, y) => x.n - y.n || x.i - y.i);
  const s1 = new Float64Array(m + 1);
  const s2 = new Float64Array(m + 1);
  for (let j = 0; j < m; j++) {
    const n = sorted[j]?.n ?? 0;
    s1[j + 1] = (s1[j] ?? 0) + n;
    s2[j + 1] = (s2[j] ?? 0) + n * n;
  }
  let best: { logP: number; from: number; k: number; d: number } | null = null;
  for (let k = MIN_BALANCED; k <= m; k++) {
    // the most even run of k: smallest Pearson statistic over the windows of the sorted counts
    let minD = Infinity;
    let minAt = 0;
    for (let from = 0; from + k <= m; from++) {
      const sum = (s1[from + k] ?? 0) - (s1[from] ?? 0);
      const mean = sum / k;
      const ss = Math.max(0, (s2[from + k] ?? 0) - (s2[from] ?? 0) - sum * mean);
      // lattice correction: grow the radius √ss by half a cell's diagonal
      const r = Math.sqrt(ss) + Math.sqrt(k) / 2;
      const d = (r * r) / mean;
      if (d < minD) {
        minD = d;
        minAt = from;
      }
    }
    const logTail = gammaCdf(minD, (k - 1) / 2, 2).log10 * Math.LN10;
    const logP = logChoose(m, k) + logTail;
    if (best === null || logP < best.logP) best = { logP, from: minAt, k, d: minD };
  }
  if (best === null) return null;
  const members = sorted.slice(best.from, best.from + best.k);
  const sum = members.reduce((s, x) => s + x.n, 0);
  const mean = sum / best.k;
  let ss = 0;
  for (const x of members) ss += (x.n - mean) * (x.n - mean);
  return {
    members: members.map((x) => x.i),
    lo: members[0]?.n ?? 0,
    hi: members[members.length - 1]?.n ?? 0,
    dispersion: ss / mean / (best.k - 1),
    logP: Math.min(0, best.logP + Math.log(m - MIN_BALANCED + 1)),
    candidates: m,
  };
}

/**
 * Pearson's dispersion of the members' daily counts around each day's mean, pooled over the days
 * on which they sent one request or more on average, per degree of freedom: Σ_d Σ_i (c_id − c̄_d)²
 * / c̄_d divided by Σ_d (k − 1). About 1 for independent accounts of equal rates (the multinomial
 * given each day's total), more for people, less for accounts kept level by one dispatcher. NaN
 * without such a day.
 */
export function lockstepDispersion(
  accs: readonly AccountState[],
  members: readonly number[],
): number {
  const k = members.length;
  const perDay = new Map<number, Float64Array>();
  members.forEach((i, j) => {
    const a = accs[i];
    if (a === undefined) return;
    for (const d of accountDays(a)) {
      let row = perDay.get(d.day);
      if (row === undefined) {
        row = new Float64Array(k);
        perDay.set(d.day, row);
      }
      row[j] = (row[j] ?? 0) + d.count;
    }
  });
  let stat = 0;
  let df = 0;
  for (const row of perDay.values()) {
    let sum = 0;
    for (const c of row) sum += c;
    const mean = sum / k;
    if (mean < 1) continue;
    let ss = 0;
    for (const c of row) ss += (c - mean) * (c - mean);
    stat += ss / mean;
    df += k - 1;
  }
  return df > 0 ? stat / df : NaN;
}

/**
 * The load-balanced set of a flagged campaign, if one passes `logLevel` (natural log; the caller's
 * family-wise level over the campaigns tested). Candidates are the scored `members` with at least
 * {@link BALANCE_MIN_REQUESTS} requests that are not capped at a daily limit ({@link cappedOrShort});
 * the set found must also be level day by day ({@link LOCKSTEP_DISPERSION}).
 */
export function balancedMembers(
  accs: readonly AccountState[],
  members: readonly number[],
  logLevel: number,
): BalancedSet | null {
  const heavy = members.filter((i) => (accs[i]?.n ?? 0) >= BALANCE_MIN_REQUESTS);
  if (heavy.length < MIN_BALANCED || heavy.length > MAX_BALANCE_CANDIDATES) return null;
  const candidates: { i: number; n: number }[] = [];
  for (const i of heavy) {
    const a = accs[i];
    if (a !== undefined && !cappedOrShort(a)) candidates.push({ i, n: a.n });
  }
  const set = loadBalanced(candidates);
  if (set === null || set.logP > logLevel) return null;
  // even totals must come from even days: the same accounts kept level day by day
  const lockstep = lockstepDispersion(accs, set.members);
  return lockstep <= LOCKSTEP_DISPERSION ? { ...set, lockstep } : null;
}
