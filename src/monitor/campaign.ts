/**
 * What one flagged or near-flagged campaign is recommended (steps 6–7 of `analyze.ts`): its
 * tier from the campaign test and the caps that keep legitimate groups at watch
 * ({@link campaignTier}), then which members are attributed to it, their operators, and each
 * member's recommendation ({@link attributeMembers}). Both return reasons for the analyst; the
 * decision loop in `analyze.ts` merges the members' recommendations across campaigns.
 */
import type { BalancedSet } from './balance.js';
import { chiSquareSf, eBH, normalSf } from '../stats/index.js';
import { behaviourAttributed } from './attribution.js';
import { FEATURE_WEIGHTS, FEATURES } from './cohorts.js';
import { campaignCalibratorLogE, quantile } from './evidence.js';
import { operatorTies } from './graph.js';
import { MIN_ATTRIBUTING_KINDS, signupHour, WORDING, type Linkage } from './linkage.js';
import {
  leaveGroupOutPValues,
  normalQuantileFast,
  type AccountScores,
  type CohortReference,
} from './scoring.js';
import { KEY_TYPE, keySetHas, keySetKeys, U, type AccountState } from './state.js';
import {
  compareText,
  fmtPct,
  formatLog10,
  tierIndex,
  type CampaignFinding,
  type Reason,
  type Tier,
} from './verdict.js';

const DAY = 86_400_000;

/** log10 p at or below which a flagged campaign may be throttled. */
export const THROTTLE_LOG10P = -10;

/** Cross-account exact-prompt overlap reported as a reason. */
export const SHARED_PROMPT_OVERLAP = 0.3;

/**
 * Pooled share of new substantive prompts below which a campaign is capped at "watch":
 * most of what it sends it has sent before, which buys a distiller nothing.
 */
export const EVALUATION_NOVELTY = 0.5;

/**
 * Link kind of a network value and a sign-up hour or day in improbable overlap (`linkage.ts`):
 * what accounts that signed up together at one place share.
 */
const PLACE_AND_TIME = 'infrastructure+signup';

/**
 * A campaign linked by one kind of evidence alone that independent people also share: the
 * wordings of a phrasing pool (the campaign is capped at watch) or a venue's network and its
 * sign-up session (the link attributes nobody; members are judged on their own profiles). A
 * load-balanced set of members lifts either for itself ({@link attributeMembers}).
 */
export type LinkOnlyCap = 'wording-only' | 'place-and-time-only';

const LINK_ONLY_TEXT: Readonly<Record<LinkOnlyCap, string>> = {
  'wording-only':
    'linked only by shared wordings of extraction-style requests, which independent users of one popular phrasing pool also share',
  'place-and-time-only':
    'linked only by a shared network and sign-up hour (nothing a party must share, such as a card, templates or synchronised activity), which people who sign up together at one venue (a hackathon, a class) also share',
};

/** Median account age (days from sign-up to first request) above which accounts count as established. */
export const ESTABLISHED_DAYS = 30;

/** Fewest sampled substantive prompts for the novelty cap to apply. */
export const MIN_NOVELTY_SAMPLE = 50;

/**
 * Default fewest requests (all of a campaign's traffic in the window, an upper bound on what it
 * can have harvested) for a campaign to be recommended above "watch". Published distillation
 * sets start at about a thousand examples (s1: 1,000 reasoning traces, Muennighoff et al. 2025;
 * LIMO: 817), and the campaigns the labs reported ran to millions of exchanges; a linked group
 * whose whole traffic is below that cannot have extracted a capability in this window, whatever
 * its coordination. Such groups are mostly cohesive legitimate ones — a class on one campus NAT
 * that signed up in one session and meets in weekly labs (eval setting `stress-classroom`) — and
 * a campaign below it stays on the watch list, where it grows window over window.
 */
export const MIN_CAMPAIGN_REQUESTS = 1000;

/**
 * An account is recommended above "watch" only if it sent more than this many times the median
 * request count of the scored accounts. An account no busier than a typical user has, by itself,
 * taken nothing a typical user does not take; accusing it would rest on the company it keeps
 * alone. This is what keeps the members of a large lecture course (hundreds of students on one
 * campus NAT who signed up in one session and ask the same homework step by step, a few requests
 * a week each) off the accusation list, and what an adversary spreading a harvest thinly enough
 * over many accounts would evade: such a campaign stays on the watch list (see README
 * "Limitations").
 */
export const LIGHT_ACCOUNT_FACTOR = 2;

/**
 * log10 of a combined p-value of independent-ish member p-values: Fisher's method catches a few
 * extreme members, Stouffer's a consistent shift; the smaller, doubled (Bonferroni over the two).
 */
export function combineLog10P(ps: readonly number[]): number {
  if (ps.length === 0) return 0;
  let T = 0;
  let Z = 0;
  for (const p of ps) {
    T += -2 * Math.log(p);
    Z += -normalQuantileFast(p);
  }
  const lf = chiSquareSf(T, 2 * ps.length).log10;
  const ls = normalSf(Z / Math.sqrt(ps.length)).log10;
  return Math.min(0, Math.min(lf, ls) + Math.log10(2));
}

/** The `org` every one of the accounts carries, or null (none, or not all the same). */
function commonOrg(members: readonly AccountState[]): string | null {
  const org = members[0]?.org;
  return org === undefined || org === '' || members.some((a) => a.org !== org) ? null : org;
}

/**
 * The organisation of a group of accounts when all of them carry the same `org` and they are
 * established (sign-up dates known for at least half, median ≥ {@link ESTABLISHED_DAYS} days from
 * sign-up to first request): one known customer acting under its own organisation. Else null.
 */
function establishedOrg(
  members: readonly AccountState[],
): { org: string; medianAge: number } | null {
  const org = commonOrg(members);
  if (org === null) return null;
  const medianAge = medianAgeDays(members);
  return medianAge >= ESTABLISHED_DAYS ? { org, medianAge } : null;
}

/**
 * The organisation of a group of accounts when all of them carry the same `org` and one payment
 * method is held by every one of them (the organisation's own card). Else null.
 */
function declaredOrg(members: readonly AccountState[]): { org: string } | null {
  const org = commonOrg(members);
  if (org === null) return null;
  const cards = members[0]?.payments ?? [];
  return cards.some((p) => members.every((a) => a.payments.includes(p))) ? { org } : null;
}

/**
 * The organisations of a group of accounts when they are customers the provider can name: one
 * organisation, established ({@link establishedOrg}) or two or more accounts paying with one
 * card ({@link declaredOrg}); or several, each of two or more accounts and a customer on its own
 * in that sense, with no payment method held across two of them (separate payers). Else null.
 * One account with an organisation name and a card is just an account (stop 22 capped such
 * accounts, which let a farm that names each account its own organisation pass). Two
 * customers' teams joined by a coincidence of network and templates (a labelling marketplace's
 * workers and another company's annotation team, third independent generator seed 7) are
 * still two customers; a farm of aged accounts under made-up organisation names is not, since
 * one card pays for several of its "organisations" or each name holds one account.
 */
function customerOrgs(members: readonly AccountState[]): string[] | null {
  const byOrg = new Map<string, AccountState[]>();
  for (const a of members) {
    if (a.org === undefined || a.org === '') return null;
    const list = byOrg.get(a.org);
    if (list === undefined) byOrg.set(a.org, [a]);
    else list.push(a);
  }
  const customer = (list: readonly AccountState[]): boolean =>
    establishedOrg(list) !== null || (list.length >= 2 && declaredOrg(list) !== null);
  if (byOrg.size === 0) return null;
  if (byOrg.size === 1) return [...byOrg.values()].every(customer) ? [...byOrg.keys()] : null;
  const payerOrg = new Map<string, string>();
  for (const [org, list] of byOrg) {
    if (list.length < 2 || !customer(list)) return null;
    for (const a of list)
      for (const p of a.payments) {
        const other = payerOrg.get(p);
        if (other !== undefined && other !== org) return null;
        payerOrg.set(p, org);
      }
  }
  return [...byOrg.keys()].sort(compareText);
}

/**
 * Median days from sign-up to first request over accounts whose sign-up time is known; NaN when
 * it is known for fewer than half of them.
 */
function medianAgeDays(members: readonly AccountState[]): number {
  const ages = members
    .filter((a) => a.signupAt !== undefined && Number.isFinite(a.first))
    .map((a) => (a.first - (a.signupAt ?? a.first)) / DAY);
  return ages.length * 2 >= members.length ? quantile(ages, 0.5) : NaN;
}

/** A linked group of accounts and its campaign test. */
export interface CampaignCandidate {
  /** Root of its component in the linkage. */
  readonly root: number;
  readonly members: readonly number[];
  /** Members with enough requests to be scored. */
  readonly scored: readonly number[];
  /**
   * Scored members' conformal p-values against their cohorts without the group, with every
   * feature: each member's own standing, which attribution reads (`attributeMembers`).
   */
  readonly ps: ReadonlyMap<number, number>;
  /**
   * log10 of the combined p-value ({@link combineLog10P}) of the members' p-values, without
   * freshness for a group linked through its sign-up times ({@link WEIGHTS_WITHOUT_FRESHNESS}).
   */
  readonly log10P: number;
  /** Calibrated e-value (natural log) that e-BH takes. */
  readonly logE: number;
}

/**
 * {@link FEATURE_WEIGHTS} without freshness: the weights of the campaign test of a group linked
 * through its sign-up times. Such a group is fresh *because* it signed up together (an event's
 * crowd, a class, an enterprise's accounts provisioned in one hour), so its members' freshness is
 * not independent of the link, which the test assumes (docs/monitor.md, *What each statistic
 * assumes*). Only the campaign test leaves it out: once the group is flagged, each member's
 * freshness is its own and counts in its p-value ({@link CampaignCandidate.ps}).
 */
export const WEIGHTS_WITHOUT_FRESHNESS: readonly number[] = FEATURE_WEIGHTS.map((w, f) =>
  FEATURES[f] === 'freshness' ? 0 : w,
);

/**
 * The campaign test of every linked group of two or more scored accounts (docs/monitor.md,
 * pipeline step 6). H0: the group is a random draw from its members' cohorts. Each scored member
 * gets a conformal p-value against its cohort *without the group* (a big cluster is not its own
 * reference), the p-values are combined ({@link combineLog10P}) and calibrated to an e-value
 * (`campaignCalibratorLogE`), and e-BH (Wang & Ramdas 2022) selects campaigns at level `fdr`
 * under any dependence between them. Returns the candidates, the indices e-BH rejects, and its
 * threshold (natural log; NaN without candidates).
 */
export function campaignTests(
  comps: ReadonlyMap<number, readonly number[]>,
  eligible: readonly boolean[],
  cohortOf: readonly number[],
  refs: ReadonlyMap<number, CohortReference>,
  feats: readonly Float64Array[],
  scores: AccountScores,
  fdr: number,
  signupLinked?: {
    /** Whether the component with this root is linked through sign-up times. */
    readonly linked: (root: number) => boolean;
    /**
     * The accounts' scores with {@link WEIGHTS_WITHOUT_FRESHNESS}, asked for only when a
     * component is linked through sign-up times (scoring every account is a pass over the log's
     * accounts; memoise it).
     */
    readonly scores: () => AccountScores;
  },
): { cands: CampaignCandidate[]; rejected: Set<number>; thresholdLogE: number } {
  const cands: CampaignCandidate[] = [];
  for (const [root, members] of comps) {
    if (members.length < 2) continue;
    const scored = members.filter((i) => eligible[i]);
    if (scored.length < 2) continue;
    const ps = leaveGroupOutPValues(
      scored,
      cohortOf,
      refs,
      feats,
      FEATURE_WEIGHTS,
      scores.scores,
      scores.sorted,
    );
    const alt = signupLinked?.linked(root) === true ? signupLinked.scores() : null;
    const tested =
      alt === null
        ? ps
        : leaveGroupOutPValues(
            scored,
            cohortOf,
            refs,
            feats,
            WEIGHTS_WITHOUT_FRESHNESS,
            alt.scores,
            alt.sorted,
          );
    const log10P = combineLog10P(scored.map((i) => tested.get(i) ?? 1));
    cands.push({ root, members, scored, ps, log10P, logE: campaignCalibratorLogE(log10P) });
  }
  const rejected = new Set(
    eBH(
      cands.map((c) => c.logE),
      fdr,
    ),
  );
  const thresholdLogE =
    cands.length > 0 ? Math.log(cands.length / (fdr * Math.max(1, rejected.size))) : NaN;
  return { cands, rejected, thresholdLogE };
}

/** Share of the members' sampled exact prompts (64 members, 200 prompts each) also sent by another. */
export function sharedPromptOverlap(
  accs: readonly AccountState[],
  members: readonly number[],
): number {
  let tested = 0;
  let dup = 0;
  const sample = members.slice(0, 64);
  for (const i of sample) {
    const a = accs[i];
    if (!a) continue;
    let seen = 0;
    for (const k of keySetKeys(a.keys)) {
      if ((k & 7) !== KEY_TYPE.EXACT) continue;
      if (seen++ >= 200) break;
      tested++;
      for (const o of sample) {
        if (o === i) continue;
        const b = accs[o];
        if (b && keySetHas(b.keys, k)) {
          dup++;
          break;
        }
      }
    }
  }
  return tested > 0 ? dup / tested : 0;
}

/** What {@link campaignTier} reads about one campaign. */
export interface TierInput {
  readonly accs: readonly AccountState[];
  /** Cohort of each account (`Cohorts.of`). */
  readonly cohort: readonly number[];
  /** Scored accounts in a fixed pseudo-random order, for control statistics. */
  readonly controlPool: readonly number[];
  readonly candidate: CampaignCandidate;
  readonly memberAccs: readonly AccountState[];
  /** Whether the campaign passed e-BH. */
  readonly flagged: boolean;
  /** The campaign's link evidence, and the same summed by kinds. */
  readonly links: readonly { readonly kinds: string }[];
  readonly linkSummary: Iterable<{ kinds: string; groups: number; log10P: number }>;
  /** Median composite percentile of the scored members in their cohorts. */
  readonly medianPercentile: number;
  readonly requests: number;
  /** Requests that elicit reasoning, grades, tool traces or rewrites. */
  readonly elicit: number;
  readonly minCampaignRequests: number;
  /** Whether an allow-list names organisations (a licence list). */
  readonly licenceList: boolean;
  /** Members whose request counts are load-balanced (`balance.ts`), if the test found a set. */
  readonly balanced: BalancedSet | null;
}

/**
 * The recommendation of a campaign that passed e-BH (verify; throttle when p ≤
 * 10^{@link THROTTLE_LOG10P} and its median member is in its cohort's top quarter; block when it
 * is also tied by a payment method, a sign-up burst or synchronised activity and has three or more
 * members) or came near (p ≤ 10⁻³: watch), then capped at watch when it is linked by wording
 * alone (unless a load-balanced set of its members shows one party: {@link attributeMembers} then
 * accuses that set only), immaterial (fewer than `minCampaignRequests` requests), evaluation-like
 * (mostly re-sent prompts from established accounts) or one established organisation without a
 * licence list. Returns the tier, the shared-prompt overlap, whether the campaign is linked by
 * extraction wordings alone, and the reasons in the order reports show them.
 */
export function campaignTier(x: TierInput): {
  tier: Tier;
  overlap: number;
  linkOnly: LinkOnlyCap | null;
  reasons: Reason[];
} {
  const { accs, candidate: c, memberAccs, flagged, links, requests } = x;
  const reasons: Reason[] = [];
  const overlap = sharedPromptOverlap(accs, c.members);
  // the same statistic for unrelated accounts of the same cohorts: common prompts are shared
  // by everyone, only an excess says "one benchmark run from several accounts"
  const memberSet = new Set(c.members);
  const cohorts = new Set(c.scored.map((m) => x.cohort[m]));
  const want = Math.min(64, c.members.length);
  const control: number[] = [];
  for (const i of x.controlPool) {
    if (control.length >= want) break;
    if (!memberSet.has(i) && cohorts.has(x.cohort[i])) control.push(i);
  }
  const base = control.length >= 2 ? sharedPromptOverlap(accs, control) : 0;
  const strong = links.some(
    (l) => l.kinds === 'payment' || l.kinds.includes('signup') || l.kinds.includes('timing'),
  );
  let tier: Tier = flagged ? 'verify' : 'watch';
  if (flagged && c.log10P <= THROTTLE_LOG10P && x.medianPercentile >= 0.75) tier = 'throttle';
  if (tier === 'throttle' && strong && c.members.length >= 3) tier = 'block';
  // linked by nothing but the wording of extraction requests: independent users who draw
  // their requests from one popular pool of wordings (students asking for step-by-step
  // explanations) look the same to this test (measured: eval setting stress-students), so
  // such a group is for an analyst to look at, never an accusation.
  // Linked by nothing but a place and a time: accounts on one network that signed up in one
  // hour, with no card, template, synchronised activity or wording in common, are what people
  // who signed up together at one venue produce (a hackathon, a class, a company's onboarding
  // day). Nothing a party must share ties them, and their freshness, which the campaign test
  // counts, follows from the sign-up link itself (measured: second independent generator, new
  // seed 24, a 98-person hackathon on its venue's network, 42 participants at 45-375 requests
  // recommended verify). No planted campaign of the three generators is linked this way alone.
  // The first caps the campaign at watch; the second only takes the link's power to attribute
  // (attributeMembers: members whose own profile is improbable for their cohort are still
  // accused at verify: a two-account sweep on one range that signed up together, each account
  // extreme on its own, eval setting heldout-hydra1). Either is lifted when some members split
  // one job evenly between them (load balancing), which neither users of a phrasing pool nor
  // an event's crowd do: then those members, and only they, are attributed by the link.
  const linkOnly: LinkOnlyCap | null =
    links.length === 0
      ? null
      : links.every((l) => l.kinds === WORDING)
        ? 'wording-only'
        : links.every((l) => l.kinds === PLACE_AND_TIME)
          ? 'place-and-time-only'
          : null;
  if (tier !== 'watch' && linkOnly === 'wording-only' && x.balanced === null) {
    tier = 'watch';
    reasons.push({ code: linkOnly, text: `${LINK_ONLY_TEXT[linkOnly]}: capped at watch` });
  }
  if (tier !== 'watch' && requests < x.minCampaignRequests) {
    tier = 'watch';
    reasons.push({
      code: 'immaterial',
      text: `the campaign sent ${requests} requests in the window, fewer than ${x.minCampaignRequests}: too few to have harvested a distillation set, whatever its coordination (capped at watch)`,
      value: requests,
    });
  }
  if (overlap >= SHARED_PROMPT_OVERLAP && overlap >= 3 * base)
    reasons.push({
      code: 'shared-prompts',
      text: `${fmtPct(overlap)} of sampled prompts were also sent by another member (${fmtPct(base)} among unrelated accounts): either repeated sampling of the same prompts, or one evaluation set run from several accounts`,
      value: overlap,
    });
  // Harvesting buys new prompt/response pairs; an evaluation re-sends a fixed set. When most
  // of the campaign's substantive prompts are repeats, it is capped at "watch".
  let tested = 0;
  let novel = 0;
  for (const a of memberAccs) {
    const t = a.u[U.TESTED + KEY_TYPE.EXACT] ?? 0;
    tested += t;
    novel += t - (a.u[U.HITS + KEY_TYPE.EXACT] ?? 0);
  }
  const pooledNovelty = tested >= MIN_NOVELTY_SAMPLE ? (novel / tested) * (1 - overlap) : NaN;
  // ... provided the accounts are established: fraud campaigns run on freshly made accounts
  const medianAge = medianAgeDays(memberAccs);
  // sign-up dates missing for most members: freshness cannot tell a harvest from an
  // evaluation, and the conservative reading (evaluation) is taken
  const ageUnknown = Number.isNaN(medianAge);
  if (
    pooledNovelty < EVALUATION_NOVELTY &&
    (ageUnknown || medianAge >= ESTABLISHED_DAYS) &&
    tier !== 'watch'
  ) {
    tier = 'watch';
    reasons.push({
      code: 'evaluation-like',
      text: `only ${fmtPct(pooledNovelty)} of the campaign's substantive prompts are new (the rest are re-sent within or across accounts) and its accounts are ${ageUnknown ? 'of unknown age (no sign-up dates)' : `established (median ${Math.round(medianAge)} days before first use)`}: looks like an evaluation run, not a harvest (capped at watch)`,
      value: pooledNovelty,
    });
  }
  // One established organisation's own accounts: the provider's customer record, not a set
  // of accounts made to look unrelated. Without a licence list (an allow-list naming orgs)
  // a licensed bulk job of that customer (synthetic data under contract) cannot be told from
  // an unlicensed one, so such a group is for an analyst, never an accusation. With a licence
  // list, an organisation not on it is judged like any other group.
  const oneOrg = x.licenceList ? null : establishedOrg(memberAccs);
  if (tier !== 'watch' && oneOrg !== null) {
    tier = 'watch';
    reasons.push({
      code: 'one-organisation',
      text: `every account belongs to one organisation (${oneOrg.org}) and they are established (median ${Math.round(oneOrg.medianAge)} days before first use): looks like one customer's bulk job, which its licence settles; no licence list (--allow with orgs) was given (capped at watch)`,
    });
  }
  // One organisation that declares itself on every account and pays for all of them with one
  // card, however new: the provider's customer record (billing and rate limits are the
  // organisation's), not accounts made to look unrelated. A labelling marketplace onboarding its
  // workers in waves (third independent generator) is one. Like an established organisation
  // above, such a group is for an analyst, never an accusation, without a licence list.
  const declared = x.licenceList || oneOrg !== null ? null : declaredOrg(memberAccs);
  if (tier !== 'watch' && declared !== null) {
    tier = 'watch';
    reasons.push({
      code: 'declared-organisation',
      text: `every account belongs to one organisation (${declared.org}) and pays with one card: one customer the provider can name, whose licence settles the job; no licence list (--allow with orgs) was given (capped at watch)`,
    });
  }
  const b = x.balanced;
  if (b !== null)
    reasons.unshift({
      code: 'load-balanced',
      text: `${b.members.length} members sent ${b.lo}–${b.hi} requests each, level day by day over ${b.days} days (daily dispersion ${b.dispersion.toFixed(3)} of Poisson's): what one operator dealing a job out over accounts produces, not independent users (p = ${formatLog10(b.logP / Math.LN10)}, union over the subsets of ${b.candidates} members tested)`,
      value: b.members.length,
    });
  reasons.unshift({
    code: 'campaign',
    text: `${c.members.length} linked accounts (${c.scored.length} scored) whose extraction scores are jointly improbable for a random draw from their cohorts: p = ${formatLog10(c.log10P)}`,
    value: c.members.length,
  });
  for (const l of x.linkSummary)
    reasons.push({
      code: `linked-by-${l.kinds}`,
      text:
        l.kinds === 'payment'
          ? 'accounts share a payment method'
          : l.kinds === WORDING
            ? `accounts share improbably many rare wordings of their extraction-style requests (best pair p = ${formatLog10(l.log10P)}, family-wise over all pairs of accounts)`
            : `accounts share ${l.kinds.replace('+', ' and ')} attributes in improbable overlap (best p = ${formatLog10(l.log10P)}, ${l.groups} groups)`,
    });
  reasons.push({
    code: 'pooled-elicitation',
    text: `${fmtPct(requests > 0 ? x.elicit / requests : 0)} of the campaign's ${requests} requests elicit reasoning, grades, tool traces or rewrites`,
    value: requests > 0 ? x.elicit / requests : 0,
  });
  return { tier, overlap, linkOnly, reasons };
}

/** What {@link attributeMembers} reads besides the campaign. */
export interface AttributionContext {
  readonly accs: readonly AccountState[];
  /** Whether each account has enough requests to be scored. */
  readonly eligible: readonly boolean[];
  /** Operators (`Linkage.op`). */
  readonly op: Linkage['op'];
  /** Members of a component attributed by control attributes (`attribution.ts`). */
  readonly attributedOf: (root: number, members: readonly number[]) => ReadonlySet<number>;
  readonly fdr: number;
  /** Whether an allow-list names organisations (a licence list). */
  readonly licenceList: boolean;
  /**
   * Median request count of all accounts of the log: a crowd of accounts whose accused members
   * are, by median, within {@link LIGHT_ACCOUNT_FACTOR} of it is capped at watch.
   */
  readonly medianAccount: number;
}

/** One member's recommendation from one campaign. */
export interface MemberTier {
  readonly i: number;
  readonly tier: Tier;
  /** Operator id (`<campaign>/<k>`), or null when its operator is not listed. */
  readonly operator: string | null;
  /** Capped at verify as a lone member of its operator (the attribution hitchhiker). */
  readonly lone: boolean;
  /** A lone member that no other lone member shares its sign-up hour with: capped at watch. */
  readonly solo: boolean;
  /** Capped at watch as one established organisation's operator (without a licence list). */
  readonly org: string | null;
  /** Attributed by its own profile ({@link behaviourAttributed}), not by a tie. */
  readonly byProfile: boolean;
}

/**
 * Which members of a campaign with a tier are attributed to it, the operators they form, and
 * each attributed member's recommendation (docs/monitor.md, pipeline step 7):
 *
 * - members with a control attribute (`attribution.ts`) keep the campaign's tier, unless their
 *   operator is joined to the campaign only through values many parties share and its own
 *   members are not improbable for their cohorts (weak operator, Bonferroni at `fdr`);
 * - members of a flagged campaign without one are attributed by their own profile
 *   ({@link behaviourAttributed}) at most at verify;
 * - a campaign with no attributed member and established accounts is a group no party is known
 *   to run: watch;
 * - the only attributed account of its operator, signed up in another operator's burst hour, is
 *   capped at verify (`lone`), and an operator of one established organisation at watch.
 *
 * Returns the campaign's tier after those rules, its listed operators, the reasons to append,
 * and the members' recommendations in the order they are to be merged.
 */
export function attributeMembers(
  ctx: AttributionContext,
  c: CampaignCandidate,
  id: string,
  campaignTier: Tier,
  flagged: boolean,
  memberAccs: readonly AccountState[],
  balanced: BalancedSet | null,
  linkOnly: LinkOnlyCap | null,
): {
  tier: Tier;
  operators: CampaignFinding['operators'][number][];
  reasons: Reason[];
  members: MemberTier[];
} {
  const { accs, op, fdr } = ctx;
  let tier = campaignTier;
  const reasons: Reason[] = [];
  const operators: CampaignFinding['operators'][number][] = [];
  const out: MemberTier[] = [];
  // operators: members grouped by the party-identifying links (see Linkage.op); the members of
  // a load-balanced set are one party of their own, which dealt one job out over its accounts
  // (key -1, no account index; their operator-mates outside the set keep their operators)
  const inBalanced = new Set(balanced?.members ?? []);
  const byOp = new Map<number, number[]>();
  for (const i of c.members) {
    const r = inBalanced.has(i) ? -1 : op.find(i);
    const list = byOp.get(r);
    if (list === undefined) byOp.set(r, [i]);
    else list.push(i);
  }
  // An operator joined to the others only through values many parties share (an AS + agent,
  // a sign-up hour) is part of the campaign only if its own members are improbable for their
  // cohorts: a company whose team shares a card and an office range is one operator, and
  // when that range sits in a cloud a campaign also uses, the card must not attribute the
  // team to the campaign. Each operator's scored members' p-values (against their cohorts
  // without the campaign) are combined like the campaign's, at level fdr / operators tested
  // (Bonferroni); members of operators that fail are attributed only by their own profile.
  // An operator of one account has no tie of its own: its attribution rests on values the
  // campaign dominates (and the lone-member cap below), so it is not tested.
  const weak = new Set<number>();
  if (byOp.size > 1) {
    const tested = [...byOp.values()].filter((list) => list.length >= 2);
    const level = Math.log10(fdr / Math.max(1, tested.length));
    for (const list of tested) {
      const ps = list.filter((i) => ctx.eligible[i]).map((i) => c.ps.get(i) ?? 1);
      if (ps.length === 0 || combineLog10P(ps) > level) for (const i of list) weak.add(i);
    }
  }
  // A load-balanced set (balance.ts) is one party's: its members are attributed. In a campaign
  // linked by extraction wordings or a place and a time alone, whose cap the set lifted, they
  // are the only members the link attributes: the others' tie is one that independent people
  // share. Without such a set, a place and a time attribute nobody.
  const lifted = linkOnly !== null && balanced !== null;
  const placeOnly = linkOnly === 'place-and-time-only' && balanced === null;
  const tiedByPlace = placeOnly ? ctx.attributedOf(c.root, c.members).size : 0;
  const core = lifted
    ? new Set(balanced.members)
    : placeOnly
      ? new Set<number>()
      : new Set([...ctx.attributedOf(c.root, c.members), ...(balanced?.members ?? [])]);
  let demoted = 0;
  for (const i of weak) if (core.delete(i)) demoted++;
  // a set lifted from the wording-only cap whose party is weak (its own members are not
  // improbable for their cohorts) accuses nobody: the cap stands (a place-and-time campaign's
  // members are then judged on their own profiles, below)
  if (lifted && core.size === 0 && linkOnly === 'wording-only') {
    tier = 'watch';
    reasons.push({
      code: linkOnly,
      text: `${LINK_ONLY_TEXT[linkOnly]}, and its load-balanced members are not improbable for their cohorts: capped at watch`,
    });
  } else if (lifted && core.size > 0 && (tier === 'throttle' || tier === 'block')) {
    // the campaign's p-value is mostly its other members'; the accused set is judged on its
    // own members for throttling (and blocking, which a sign-up link allows)
    const own = combineLog10P(balanced.members.map((i) => c.ps.get(i) ?? 1));
    if (own > THROTTLE_LOG10P) tier = 'verify';
  }
  if (placeOnly && tiedByPlace > 0)
    reasons.push({
      code: 'place-and-time-only',
      text: `${LINK_ONLY_TEXT['place-and-time-only']}: the link attributes none of the ${tiedByPlace} member(s) it ties; only members whose own profile is improbable for their cohort are accused, at most at verify`,
      value: tiedByPlace,
    });
  // members tied only by path and prompts whose own profile is improbable for their cohort
  const byBehaviour =
    flagged && tier !== 'watch' && !(lifted && linkOnly === 'wording-only')
      ? behaviourAttributed(c.scored, core, c.ps, fdr)
      : new Set<number>();
  const peripheral = c.members.length - core.size - byBehaviour.size;
  if (demoted > 0)
    reasons.push({
      code: 'weak-operators',
      text: `${demoted} member(s) sharing a payment method, a sign-up burst or an evenly dealt job with each other belong to operators joined to the campaign only through values many parties share (an AS + agent, a sign-up hour) and whose own members are not improbable for their cohorts: attributed only by their own profile`,
      value: demoted,
    });
  if (byBehaviour.size > 0)
    reasons.push({
      code: 'behaviour-attributed',
      text: `${byBehaviour.size} member(s) without a control attribute are attributed by their own extraction profile (Benjamini–Hochberg at ${fdr} over the members' p-values against their cohorts without the campaign); recommended at most verify`,
      value: byBehaviour.size,
    });
  if (peripheral > 0)
    reasons.push({
      code: 'peripheral-members',
      text: `${peripheral} linked account(s) share no payment method and fewer than ${MIN_ATTRIBUTING_KINDS} kinds of the campaign's dominant attributes (network, AS + agent and gateway system prompt count as one; a sign-up hour counts only inside a burst, and a burst or activity band only when another account of the member's operator shares it), or belong to an operator of ordinary accounts, and their own profile is not improbable for their cohort; listed but not alerted`,
      value: peripheral,
    });
  const opOf = new Map<number, string>();
  const attributedIn = new Map<string, number>();
  [...byOp.values()]
    .map((list) => ({
      list,
      ids: list.map((i) => accs[i]?.id ?? '').sort(),
      attributed: list.filter((i) => core.has(i) || byBehaviour.has(i)).length,
    }))
    .filter((o) => o.attributed > 0)
    .sort((x, y) => y.list.length - x.list.length || compareText(x.ids[0] ?? '', y.ids[0] ?? ''))
    .forEach((o, k) => {
      const oid = `${id}/${k + 1}`;
      for (const i of o.list) opOf.set(i, oid);
      attributedIn.set(oid, o.attributed);
      operators.push({
        id: oid,
        accounts: o.ids,
        attributed: o.attributed,
        requests: o.list.reduce((s, i) => s + (accs[i]?.n ?? 0), 0),
        ties: operatorTies(o.list.map((i) => accs[i]).filter((a) => a !== undefined)),
      });
    });
  // An operator of one established organisation inside a bigger campaign (joined to it by a
  // shared cloud or templates) is capped at watch like a campaign of one (see campaignTier).
  // Judged on the members it would accuse: an unattributed account that shares the
  // operator's cloud range (another customer of that cloud) does not make a customer's own
  // accounts look like a party of many organisations. A load-balanced set and its members'
  // operator-mates are listed apart (above) but are one party, judged as one: the set with
  // every operator its members were in. Judged in parts, one customer's job escaped the cap
  // when the part listed apart looked younger (second generator seed 1), and a young farm of
  // one organisation was capped through its few older accounts (seed 7). The set itself is
  // also capped when it alone is one established organisation's: an evenly dealt job of one
  // customer stays that customer's, whatever other organisations its operators reach.
  const orgOf = new Map<string, string>();
  if (!ctx.licenceList) {
    const accusedAccs = (ids: Iterable<number>): AccountState[] =>
      [...ids]
        .filter((i) => core.has(i) || byBehaviour.has(i))
        .map((i) => accs[i])
        .filter((a): a is AccountState => a !== undefined);
    const balancedRoots = new Set((balanced?.members ?? []).map((i) => op.find(i)));
    const party = c.members.filter((i) => balancedRoots.has(op.find(i)));
    // established organisations, or ones that pay for their accounts with one card
    // (`declared-organisation` in campaignTier), each on its own
    const customerOrg = (members: readonly AccountState[]): string | null =>
      customerOrgs(members)?.join(', ') ?? null;
    const partyOrg = balanced === null ? null : customerOrg(accusedAccs(party));
    for (const [key, list] of byOp) {
      const oid = opOf.get(list[0] ?? -1);
      if (oid === undefined) continue; // not listed: no attributed member
      const org =
        key === -1
          ? (partyOrg ?? customerOrg(accusedAccs(list)))
          : balancedRoots.has(key)
            ? partyOrg
            : customerOrg(accusedAccs(list));
      if (org !== null) orgOf.set(oid, org);
    }
  }
  let orgCapped = 0;
  const assign = (i: number, want: Tier, lone: boolean, byProfile: boolean, solo = false): void => {
    const oid = opOf.get(i) ?? null;
    const org = orgOf.get(oid ?? '') ?? null;
    if (org !== null && tierIndex(want) > tierIndex('watch')) orgCapped++;
    out.push({ i, tier: org !== null ? 'watch' : want, operator: oid, lone, solo, org, byProfile });
  };
  // No member tied by a control attribute (a card, a sign-up burst, synchronised activity)
  // and accounts established before the window (median ≥ ESTABLISHED_DAYS from sign-up to
  // first use): nothing says one party runs or made these accounts. A research lab on its
  // institute's ranges running one evaluation harness is such a group, extraction-like as a
  // whole and with its busiest members extreme for their cohorts (measured: independent
  // generator, seeds 8 and 9 at 1.2M lines); its members are listed at watch, never
  // accused. A hydra of fresh accounts behind a reseller's proxy, sharing only the path and
  // templates, keeps behaviour attribution (eval setting heldout-hydra5: one of 7 hydras
  // is found only so).
  const noParty = core.size === 0 && medianAgeDays(memberAccs) >= ESTABLISHED_DAYS;
  if (noParty) tier = 'watch';
  // A crowd of ordinary users: the members a party would have accused are, by median, no busier
  // than LIGHT_ACCOUNT_FACTOR × the median account of the log (of all accounts: see analyze.ts).
  // Each of them has taken no more than a typical user takes, and only their busiest would be
  // accused, on the company they keep: a class that signed up in one lab session on a campus
  // range and pays with one education grant, asking the same homework step by step, is linked
  // exactly like a farm (measured: a second independent generator, classes of 52–115 students
  // whose busiest were blocked on every seed). Every campaign the three generators plant and
  // the monitor finds has its median member at 4.5× the median account or more, the classes at
  // 0.5–1.7×; a harvest spread that thinly (slow and low) stays on the watch list, as the
  // light-account rule already says. A party is an operator with two or more accused members
  // (a farm and a class joined into one component by an ISP and a sign-up hour are judged
  // apart); an accused member alone in its operator has no crowd of its own and is judged with
  // all of the campaign's accused members.
  const crowdCap = LIGHT_ACCOUNT_FACTOR * ctx.medianAccount;
  const accusedOf = (list: readonly number[]): number[] =>
    list.filter((i) => core.has(i) || byBehaviour.has(i));
  const lightMedian = (list: readonly number[]): boolean =>
    quantile(
      list.map((i) => accs[i]?.n ?? 0),
      0.5,
    ) <= crowdCap;
  const accused = accusedOf(c.members);
  const campaignCrowd = !noParty && accused.length > 0 && lightMedian(accused);
  const crowded = new Set<number>();
  if (!noParty)
    for (const list of byOp.values()) {
      const own = accusedOf(list);
      if (own.length >= 2 ? lightMedian(own) : campaignCrowd) for (const i of own) crowded.add(i);
    }
  if (crowded.size > 0) {
    if (crowded.size === accused.length) tier = 'watch';
    reasons.push({
      code: 'light-crowd',
      text: `${crowded.size} of the ${accused.length} member(s) it would accuse belong to parties whose accused members sent, by median, no more than ${LIGHT_ACCOUNT_FACTOR}× the median account of the log (${ctx.medianAccount} requests): crowds of ordinary users (a class, a hackathon, an app's users) whatever links them, not a harvest (capped at watch)`,
      value: crowded.size,
    });
  }
  for (const i of byBehaviour)
    assign(i, noParty || crowded.has(i) ? 'watch' : 'verify', false, true);
  if (noParty && byBehaviour.size > 0)
    reasons.push({
      code: 'no-party',
      text: `no member shares a payment method, a sign-up burst or synchronised activity with another: nothing ties the accounts to one party (a lab or a campus sharing a network and an evaluation harness looks the same), so the members attributed by their own profile are listed at watch`,
      value: byBehaviour.size,
    });
  // sign-up hours of attributed members of operators with two or more attributed members
  const hourOf = (i: number): number | undefined => {
    const a = accs[i];
    return a === undefined ? undefined : signupHour(a);
  };
  const partyHours = new Set<number>();
  for (const i of c.members) {
    if (!core.has(i) && !byBehaviour.has(i)) continue;
    const h = hourOf(i);
    if (h !== undefined && (attributedIn.get(opOf.get(i) ?? '') ?? 0) >= 2) partyHours.add(h);
  }
  // The attribution hitchhiker of docs/monitor.md (*lone*): the only attributed account of its
  // operator, signed up in an hour in which attributed accounts of another operator signed up.
  // Its sign-up hour is another party's burst, and it holds the path or templates that party
  // uses: what an unrelated account can share. No sanction beyond verification. (Members of a
  // burst that is a party of its own, each alone in its operator, share their hour only with
  // each other and keep the campaign's tier.)
  const lone = new Set<number>();
  /** Sign-up hour → lone members (not crowded) that signed up in it. */
  const loneHours = new Map<number, number>();
  if (tier !== 'watch')
    for (const i of c.members) {
      const h = hourOf(i);
      if (!core.has(i) || h === undefined || !partyHours.has(h)) continue;
      if ((attributedIn.get(opOf.get(i) ?? '') ?? 0) > 1) continue;
      lone.add(i);
      if (!crowded.has(i)) loneHours.set(h, (loneHours.get(h) ?? 0) + 1);
    }
  // A lone member that no other lone member shares its hour with (*solo*) is one account that
  // signed up while a party did and holds one of its values: a coincidence an unrelated account
  // meets (first generator seed 26 at 600k: an app user whose sign-up fell in a sweep's burst
  // hour and whose app shares one template with it). It is listed at watch; lone members that
  // signed up together are a burst of their own, and stay at verify.
  let lones = 0;
  let solos = 0;
  for (const i of c.members) {
    if (!core.has(i)) continue;
    const isLone = lone.has(i);
    const solo = isLone && !crowded.has(i) && (loneHours.get(hourOf(i) ?? -1) ?? 0) <= 1;
    if (solo) solos++;
    else if (isLone && !crowded.has(i) && tierIndex(tier) > tierIndex('verify')) lones++;
    // a lone member's campaign is above watch, so 'verify' never raises it
    assign(i, crowded.has(i) || solo ? 'watch' : isLone ? 'verify' : tier, isLone, false, solo);
  }
  if (orgCapped > 0)
    reasons.push({
      code: 'organisation-operators',
      text: `${orgCapped} attributed member(s) form operators whose accounts all belong to customers the provider can name (each organisation established, or two or more of its accounts paying with one card): customers' jobs, which their licences settle; no licence list (--allow with orgs) was given (capped at watch)`,
      value: orgCapped,
    });
  if (solos > 0)
    reasons.push({
      code: 'solo-members',
      text: `${solos} attributed member(s) are alone in their operator and each the only such member to sign up in an hour in which another operator's attributed accounts signed up: one account that signed up while a party did and shares one of its values is a coincidence, listed at watch`,
      value: solos,
    });
  if (lones > 0)
    reasons.push({
      code: 'lone-members',
      text: `${lones} attributed member(s) are alone in their operator and signed up in an hour in which another operator's attributed accounts signed up: possibly unrelated accounts that share that party's path or templates, recommended at most verify`,
      value: lones,
    });
  return { tier, operators, reasons, members: out };
}
