/**
 * Attribution (pipeline step 7 of `analyze.ts`): which members of a flagged campaign are alerted.
 * A member is attributed on evidence of its own membership — a shared payment method, or values
 * the campaign dominates of at least two kinds (`MIN_ATTRIBUTING_KINDS`) of which one is a
 * sign-up burst ({@link signupBurst}, {@link subBurstCentres}) or synchronised activity, held
 * through its own party — or, at most at verify, by its own extraction profile
 * ({@link behaviourAttributed}). docs/monitor.md, pipeline step 7 and *Decisions*.
 */
import { binomialSf } from '../stats/index.js';
import { logHypergeomSf } from './evidence.js';
import {
  attributes,
  dominates,
  EVIDENCE,
  evidenceKind,
  LINK_FWER,
  type Linkage,
} from './linkage.js';
import { lowerBound, upperBound } from './scoring.js';
import type { AccountState } from './state.js';

const DAY = 86_400_000;

/**
 * A sign-up hour the campaign dominates attributes a member only if the member's own sign-up is
 * part of a *burst*: within {@link SIGNUP_BURST_MS} of a member around whom improbably many other
 * members signed up within SIGNUP_BURST_MS, compared with how many signed up within
 * {@link SIGNUP_PACE_MS} ({@link signupBurst}; family-wise at {@link LINK_FWER} over the members
 * tried as centres).
 * People join at a pace that is smooth at the scale of a day (a class over its first week of term:
 * independent generator, seed 9 at 1.2M lines, three of 38 classmates in one hour of a week of
 * sign-ups); an account farm signs its accounts up within minutes of each other (seed 4: nine
 * accounts in 75 minutes, over three clock hours).
 */
export const SIGNUP_BURST_MS = 3_600_000;
/**
 * Fewest holders of one path value, and fewest of them within {@link SIGNUP_BURST_MS} of each
 * other (the centre included), for a burst inside the campaign ({@link subBurstCentres}): a lone
 * pair signing up together is a coincidence in any busy hour.
 */
export const MIN_SUB_BURST = 3;
/** Neighbourhood of a member's sign-up against which a burst is judged (see {@link SIGNUP_BURST_MS}). */
export const SIGNUP_PACE_MS = 24 * 3_600_000;
/**
 * Days on each side whose same clock window a burst is also compared with ({@link signupBurst}):
 * people sign up in the daytime, so an hour can hold several times the day's average without
 * being a burst, while a farm's hour stands out against the same hour of the days around it. A
 * week, so that weekdays and weekends both count.
 */
export const SIGNUP_PACE_DAYS = 3;

/**
 * Members attributed by behaviour: among the scored members not attributed by a control attribute
 * (see {@link attributes}), those whose own p-value against their cohort without the campaign
 * survives Benjamini–Hochberg at level `q` (Benjamini & Hochberg 1995). A reseller's legitimate
 * customers share the campaign's path and prompts but not an extraction profile: their p-values
 * are those of ordinary accounts, so among the accounts alerted this way the expected share of
 * such customers is at most `q`. Used only inside a campaign that is itself flagged.
 */
export function behaviourAttributed(
  scored: readonly number[],
  core: ReadonlySet<number>,
  ps: ReadonlyMap<number, number>,
  q: number,
): Set<number> {
  const cand = scored
    .filter((i) => !core.has(i))
    .map((i) => ({ i, p: ps.get(i) ?? 1 }))
    .sort((x, y) => x.p - y.p);
  let k = 0;
  for (let j = 0; j < cand.length; j++)
    if ((cand[j]?.p ?? 1) <= (q * (j + 1)) / cand.length) k = j + 1;
  return new Set(cand.slice(0, k).map((x) => x.i));
}

/**
 * Natural log of a p-value that a member's sign-up at `at` (ms) is part of a burst of the
 * campaign's sign-ups `signups` (ms, ascending; `at` must be one of them, and counts are of the
 * *other* members). Two tests, both of which must reject (the larger p-value is returned, a valid
 * test under either null):
 * - *the day around it*: under "the members who signed up within {@link SIGNUP_PACE_MS} of it did
 *   so at times spread evenly over that neighbourhood", the number within
 *   {@link SIGNUP_BURST_MS} of it is Binomial(c, SIGNUP_BURST_MS / SIGNUP_PACE_MS);
 * - *the same clock window on the days around it*: under "the members' sign-ups follow the same
 *   daily pattern on each of the 2 {@link SIGNUP_PACE_DAYS} + 1 days centred on its day", the
 *   number within SIGNUP_BURST_MS of it, given the t members in that window on any of those days,
 *   is Binomial(t, 1 / (2 SIGNUP_PACE_DAYS + 1)).
 * The first alone is anti-conservative for people who sign up in the daytime; the second alone
 * for a group that began signing up on that day. Sign-up times given to the day (midnight) make
 * the first reject for any busy day and leave the second, a day-level test. A lone pair is never
 * a burst at any level below 1/7.
 */
export function signupBurst(at: number, signups: readonly number[]): number {
  const near = (from: number, to: number): number =>
    upperBound(signups, to) - lowerBound(signups, from);
  const k = near(at - SIGNUP_BURST_MS, at + SIGNUP_BURST_MS) - 1;
  const c = near(at - SIGNUP_PACE_MS, at + SIGNUP_PACE_MS) - 1;
  const day = binomialSf(k, c, SIGNUP_BURST_MS / SIGNUP_PACE_MS).log10;
  let t = k;
  for (let d = -SIGNUP_PACE_DAYS; d <= SIGNUP_PACE_DAYS; d++) {
    if (d === 0) continue;
    const centre = at + d * DAY;
    t += near(centre - SIGNUP_BURST_MS, centre + SIGNUP_BURST_MS);
  }
  const week = binomialSf(k, t, 1 / (2 * SIGNUP_PACE_DAYS + 1)).log10;
  return Math.max(day, week) * Math.LN10;
}

/**
 * Sign-up times among `times` (the sign-ups of the members holding one path value: a range or an
 * AS + agent; sorted in place) around which that value's holders signed up improbably close
 * together *for the campaign*: under "the holders are a random draw of the campaign's members",
 * the number x of other holders within {@link SIGNUP_BURST_MS} of a holder, given the s other
 * members within that window of it among the campaign's `signups` (ms, ascending), is
 * Hypergeometric(|signups| − 1, s, |times| − 1). A centre needs the tail at or below `logLevel`
 * (natural log). The null is conditional on the campaign's own sign-up times, so a daily rhythm
 * or a busy day of the campaign is not a burst; what is, is a few accounts behind one range or
 * agent signing up within minutes of each other while the rest of the campaign did not: a farm of
 * a few accounts inside a big component whose pace hides it from {@link signupBurst}
 * (independent generator, seed 10 at 1.2M lines: a six-account sweep in a 112-account hydra
 * component, 1e-3.3 against the component's pace).
 */
export function subBurstCentres(
  times: number[],
  signups: readonly number[],
  logLevel: number,
): number[] {
  times.sort((x, y) => x - y);
  const out: number[] = [];
  for (const t of times) {
    const x = upperBound(times, t + SIGNUP_BURST_MS) - lowerBound(times, t - SIGNUP_BURST_MS) - 1;
    if (x < MIN_SUB_BURST - 1) continue;
    const s =
      upperBound(signups, t + SIGNUP_BURST_MS) - lowerBound(signups, t - SIGNUP_BURST_MS) - 1;
    if (logHypergeomSf(x, signups.length - 1, s, times.length - 1) <= logLevel) out.push(t);
  }
  return out;
}

/**
 * The attribution of every component, computed once per component root and shared by all
 * decision rounds: it rests on the component's members and the linkage, not on the cohort
 * references. Returns `attributedOf(root, members)`: the members of the component with root
 * `root` that are attributed to it (see {@link attributes}).
 */
export function attribution(
  accs: readonly AccountState[],
  linkage: Pick<Linkage, 'groups' | 'vals' | 'singles' | 'wording' | 'op'>,
  N: number,
): (root: number, members: readonly number[]) => ReadonlySet<number> {
  const { groups, vals, singles: ownValueCount, wording, op } = linkage;
  /**
   * Members attributed to a campaign (alerted; the others are listed as peripheral). A value is
   * *dominated* when its member holders say something about the campaign ({@link dominates}:
   * half the holders and improbably many for a random draw, payment: half). A member is attributed
   * when it shares a payment method with another member (and the card ties its holders to the
   * campaign: two of them hold other values it dominates, or they are half of it), or when it holds dominated values of at
   * least {@link MIN_ATTRIBUTING_KINDS} evidence kinds of which at least one is a sign-up burst or
   * synchronised activity (see {@link attributes} and `evidenceKind`; a dominated sign-up hour
   * counts only for a member whose own sign-up lies in a burst, {@link SIGNUP_BURST_MS}). Path
   * attributes (ranges, AS + agent, gateway system prompt) count once whatever their number: a
   * benign customer of the reseller whose proxy a hydra hides behind holds all of them and must
   * not be alerted for it. An account pulled in by one coincidence stays peripheral too. An
   * account at either end of an extraction-wording link ({@link coSharedFrames}) is attributed:
   * that link is a pairwise test of this very account, family-wise over all pairs, and a proxy
   * does not make its customers' extraction requests share rare wordings.
   */
  const attributed = (members: readonly number[]): Set<number> => {
    const inC = new Set(members);
    const signups: number[] = [];
    for (const m of members) {
      const t = accs[m]?.signupAt;
      if (t !== undefined) signups.push(t);
    }
    signups.sort((x, y) => x - y);
    /** Per attribute value: its evidence kind when the campaign dominates it, else -1. */
    const dominated = new Map<number, number>();
    const out = new Set<number>();
    // significance level of {@link dominates}: Bonferroni over the values the campaign holds
    const held = new Set<number>();
    let ownValues = 0;
    for (const m of members) {
      for (const g of vals[m] ?? []) held.add(g);
      ownValues += ownValueCount[m] ?? 0;
    }
    const valueLevel = Math.log(LINK_FWER / Math.max(1, held.size + ownValues));
    // members whose sign-up hour window is a burst of the campaign's sign-ups, family-wise at
    // LINK_FWER over the members tried as centres (the test only vets sign-up hours that already
    // passed the dominance test above); a member is in a burst when one lies within
    // SIGNUP_BURST_MS of it
    const burstLevel = Math.log(LINK_FWER / Math.max(1, signups.length));
    const centres = signups.filter((t) => signupBurst(t, signups) <= burstLevel);
    const inBurst = (t: number): boolean =>
      upperBound(centres, t + SIGNUP_BURST_MS) > lowerBound(centres, t - SIGNUP_BURST_MS);
    /** Kind of value g when the campaign dominates it, else -1 (memoised in `dominated`). */
    const domOf = (g: number): number => {
      let dom = dominated.get(g);
      if (dom === undefined) {
        const group = groups[g];
        let k = 0;
        for (const x of group?.members ?? []) if (inC.has(x)) k++;
        const ek = evidenceKind(group?.key ?? 0);
        // a value of no evidence kind (a sign-up day) never attributes: no test to run
        dom =
          ek >= 0 && dominates(ek, k, group?.members.length ?? 0, members.length, N, valueLevel)
            ? ek
            : -1;
        dominated.set(g, dom);
      }
      return dom;
    };
    // Sign-up bursts of one party inside the campaign ({@link subBurstCentres}): the members
    // holding one range or AS + agent the campaign dominates, tested against the campaign's own
    // sign-up times. The family (every member holding such a value with MIN_SUB_BURST member
    // holders, once per value) is fixed before any sign-up time is looked at: dominance is a
    // matter of holder counts.
    const pathHolders = new Map<number, number[]>();
    for (const m of members) {
      const t = accs[m]?.signupAt;
      if (t === undefined) continue;
      for (const g of vals[m] ?? []) {
        if (evidenceKind(groups[g]?.key ?? 0) !== EVIDENCE.PATH) continue;
        const list = pathHolders.get(g);
        if (list === undefined) pathHolders.set(g, [t]);
        else list.push(t);
      }
    }
    let subFamily = 0;
    for (const [g, list] of pathHolders)
      if (list.length >= MIN_SUB_BURST && domOf(g) === EVIDENCE.PATH) subFamily += list.length;
    const subLevel = Math.log(LINK_FWER / Math.max(1, subFamily));
    const subCentres = new Map<number, number[]>();
    const inSubBurst = (m: number): boolean => {
      const t = accs[m]?.signupAt;
      if (t === undefined) return false;
      for (const g of vals[m] ?? []) {
        const times = pathHolders.get(g);
        if (times === undefined || times.length < MIN_SUB_BURST || domOf(g) !== EVIDENCE.PATH)
          continue;
        let cs = subCentres.get(g);
        if (cs === undefined) {
          cs = subBurstCentres(times, signups, subLevel);
          subCentres.set(g, cs);
        }
        if (upperBound(cs, t + SIGNUP_BURST_MS) > lowerBound(cs, t - SIGNUP_BURST_MS)) return true;
      }
      return false;
    };
    /** Whether member m's own sign-up lies in a burst of the campaign (or of its path's holders). */
    const burstMember = (m: number): boolean => inBurst(accs[m]?.signupAt ?? 0) || inSubBurst(m);
    // A card ties its holders to each other; it ties them to the campaign when at least two of
    // its member holders are tied to the campaign otherwise too (hold another value it
    // dominates), or when its holders are half the campaign or more (the card is the campaign's
    // own tie). A household's card does not: second independent generator, seed 45, a
    // developer whose dev box sat in a sweep's cloud range was joined to the sweep, the card it
    // shares with a relative on a phone (in the campaign through that card alone) attributed it,
    // and it was blocked with the sweep.
    const tiedOtherwise = (m: number): boolean =>
      (vals[m] ?? []).some((g) => {
        const dom = domOf(g);
        if (dom < 0 || dom === EVIDENCE.PAYMENT) return false;
        return dom !== EVIDENCE.SIGNUP || burstMember(m);
      });
    const cardTies = new Map<number, boolean>();
    const cardAttributes = (g: number): boolean => {
      let ok = cardTies.get(g);
      if (ok === undefined) {
        let k = 0;
        let tied = 0;
        for (const x of groups[g]?.members ?? [])
          if (inC.has(x)) {
            k++;
            if (tied < 2 && tiedOtherwise(x)) tied++;
          }
        ok = tied >= 2 || 2 * k >= members.length;
        cardTies.set(g, ok);
      }
      return ok;
    };
    const control: number[] = [];
    const holders = new Map<number, Map<number, number>>();
    const opCount = new Map<number, number>();
    for (const m of members) {
      const r = op.find(m);
      opCount.set(r, (opCount.get(r) ?? 0) + 1);
    }
    for (const m of members) {
      let kinds = 0;
      for (const g of vals[m] ?? []) {
        // a value held by fewer than two members is never dominated (-1): nothing to count
        const dom = domOf(g);
        // the campaign's sign-up hour, but is this member's sign-up part of a burst?
        if (dom === EVIDENCE.SIGNUP && !burstMember(m)) continue;
        if (dom === EVIDENCE.SIGNUP || dom === EVIDENCE.TIMING) control.push(g);
        else if (dom === EVIDENCE.PAYMENT && !cardAttributes(g)) continue;
        else if (dom >= 0) kinds |= 1 << dom;
      }
      // a sign-up burst or an activity band ties the member to the campaign only through its own
      // party: a student whose sign-up fell in a farm's burst hour shares that hour with the farm
      // and its range and templates with its class, another operator (independent generator,
      // seed 8 at 600k lines)
      for (const g of control)
        if (corroborated(m, g, inC, opCount, holders)) kinds |= 1 << (dominated.get(g) ?? 0);
      if (attributes(kinds) || wording[m] === 1) out.add(m);
      control.length = 0;
    }
    return out;
  };
  /**
   * Whether value g (a sign-up burst or an activity band member m holds) ties m to its own
   * party: another member holding it belongs to m's operator ({@link Linkage.op}: joined to m by
   * values that identify a party), or m's operator within the campaign is m alone (its only ties
   * to the campaign are such values, like each account of a farm whose accounts share nothing
   * else). `opCount`: the campaign's members per operator root; `holders`: per value, its member
   * holders per operator root, filled on first use (one pass over the value's holders, however
   * many members ask).
   */
  const corroborated = (
    m: number,
    g: number,
    inC: ReadonlySet<number>,
    opCount: ReadonlyMap<number, number>,
    holders: Map<number, Map<number, number>>,
  ): boolean => {
    const own = op.find(m);
    if ((opCount.get(own) ?? 0) <= 1) return true;
    let byRoot = holders.get(g);
    if (byRoot === undefined) {
      byRoot = new Map<number, number>();
      for (const x of groups[g]?.members ?? []) {
        if (!inC.has(x)) continue;
        const r = op.find(x);
        byRoot.set(r, (byRoot.get(r) ?? 0) + 1);
      }
      holders.set(g, byRoot);
    }
    return (byRoot.get(own) ?? 0) >= 2; // m itself and another member of its operator
  };
  /**
   * {@link attributed} per component root, computed once: attribution rests on the component's
   * members and the linkage, not on the cohort references, so every decision round shares it.
   */
  const attributedByRoot = new Map<number, ReadonlySet<number>>();
  const attributedOf = (root: number, members: readonly number[]): ReadonlySet<number> => {
    let set = attributedByRoot.get(root);
    if (set === undefined) {
      set = attributed(members);
      attributedByRoot.set(root, set);
    }
    return set;
  };
  return attributedOf;
}
