/**
 * From streaming state to a verdict: per-account evidence against the account's cohort, campaign
 * linkage, campaign tests with false-discovery control, graduated recommendations and reasons.
 *
 * 1. **Per-account features** (threat model, research note §1 and §6.1): elicitation share,
 *    single-shot share, content novelty, template reuse, capability concentration, topic-cell
 *    coverage, 24-hour duty cycle, cadence regularity, output/input ratio, share moved to a newly
 *    released model, account freshness.
 * 2. **Cohort.** Accounts are compared with accounts of similar volume (×4 bands, merged until
 *    each has {@link MIN_COHORT} accounts), never with a global benign reference (note §5.2).
 *    Each feature becomes a mid-rank percentile within the cohort; the composite
 *    S = Σ −ln(1 − u_f) gets a conformal p-value within the cohort.
 * 3. **Per-account e-values.** For each count feature, a mixture-likelihood-ratio e-process
 *    against the cohort's 90th-percentile rate (anytime-valid; `evidence.ts`). They explain
 *    alerts and drive singleton review; e-BH across accounts controls their FDR.
 * 4. **Linkage** (`linkage.ts`). Accounts sharing a payment id are joined. Two attribute groups of *different
 *    kinds* (infrastructure: /24 or ASN+agent; sign-up hour; synchronised activity; shared
 *    template or system prompt) join their common members when the overlap is improbable under
 *    independent assignment (hypergeometric tail below `LINK_FWER` / pairs examined): a reseller proxy's /24 alone
 *    or a popular app's frame alone links nobody, both together do. Accounts nothing else links
 *    are paired when they share improbably many rare wordings of extraction-style requests
 *    (`coSharedFrames`); a group linked only so is capped at watch.
 * 5. **Campaign test.** H0: the linked accounts are a random draw from their cohorts. Fisher's
 *    combination of the members' conformal p-values (χ² with 2m d.f.), calibrated to an e-value
 *    ({@link campaignCalibratorLogE}); e-BH (Wang & Ramdas 2022) at level `fdr` across all
 *    candidate campaigns.
 * 6. **Attribution** (`attribution.ts`). In a flagged campaign, members with a control attribute (payment, sign-up
 *    burst, synchronised activity) are alerted; the others only when their own p-value survives
 *    Benjamini–Hochberg among them ({@link behaviourAttributed}), and then at most at verify.
 */
import { chiSquareSf, eBH, normalSf } from '../stats/index.js';
import type { FileProblem } from './ingest.js';
import { campaignCalibratorLogE, mixtureLogE, quantile } from './evidence.js';
import {
  cohortReference,
  conformalP,
  leaveGroupOutPValues,
  normalQuantileFast,
  percentileIn,
  scoreRow,
  type CohortReference,
} from './scoring.js';
import { combine, fmix32, hashString } from './hash.js';
import { CAPABILITIES } from './lexicon.js';
import type { MalformedLine } from './record.js';
import {
  accountDays,
  KEY_TYPE,
  keySetHas,
  keySetKeys,
  sharedTemplates,
  MAX_FRAME_SLOTS,
  SLOT_MS,
  U,
  type AccountState,
  type MonitorState,
} from './state.js';
import { attribution, behaviourAttributed } from './attribution.js';
import {
  commonTemplateCap,
  link,
  MIN_ATTRIBUTING_KINDS,
  signupHour,
  WORDING,
  type LinkKind,
} from './linkage.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** Graduated recommendations, weakest first. */
export const TIERS = ['watch', 'verify', 'throttle', 'block'] as const;
/** One recommendation. */
export type Tier = (typeof TIERS)[number];

/** Accounts with fewer requests are not scored (too little evidence to rank). */
export const MIN_REQUESTS = 5;
/** Fewest unlinked accounts for a cohort's reference to use only them (else the whole cohort). */
export const MIN_REFERENCE = 100;
/** Smallest cohort: with m accounts the smallest conformal p-value is 1/m. */
export const MIN_COHORT = 300;
/** Reference quantile of a cohort for per-account e-values. */
export const REFERENCE_QUANTILE = 0.9;
/**
 * Most decision rounds. Each round after the first leaves the accounts the previous one alerted
 * at verify or above out of the cohorts' references, so that campaigns of one cohort do not set
 * each other's yardstick; alerts settle in two or three rounds (a round can only lower the
 * p-values of the groups still held in the references), and each round costs one more pass of
 * the decision (not of the log or the linkage).
 */
export const MAX_REFERENCE_ROUNDS = 3;
/** Default FDR level across campaigns. */
export const DEFAULT_FDR = 0.01;
/** Window after a release in which traffic moved to the new model counts as a pivot (two UTC days). */
export const PIVOT_DAYS = 2;
/** Most campaigns listed in a verdict (all flagged ones are always listed). */
export const MAX_LISTED_CAMPAIGNS = 200;
/** Most member accounts drawn in a campaign graph. */
export const MAX_GRAPH_MEMBERS = 24;

/** Shared values listed per operator: enough to act on (a card, a range, a burst) at a glance. */
export const MAX_OPERATOR_TIES = 6;
/** Most watch-list entries. */
export const MAX_WATCHLIST = 200;
/** log10 p at or below which a flagged campaign may be throttled. */
export const THROTTLE_LOG10P = -10;
/** Cross-account exact-prompt overlap reported as a reason. */
export const SHARED_PROMPT_OVERLAP = 0.3;
/**
 * Pooled share of new substantive prompts below which a campaign is capped at "watch":
 * most of what it sends it has sent before, which buys a distiller nothing.
 */
export const EVALUATION_NOVELTY = 0.5;
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
] as const;
/** One feature name. */
export type Feature = (typeof FEATURES)[number];

/**
 * Weights of the features in the extraction score: 1 for the hallmarks the industry reports
 * name (elicitation, templates, capability sweeps, round-the-clock duty, release pivots, fresh
 * accounts), ½ for descriptors of any programmatic API use (single-shot, novelty, cadence,
 * output share) that a legitimate integration shows as well. Fixed from the threat model.
 */
export const FEATURE_WEIGHTS: readonly number[] = FEATURES.map((f) =>
  f === 'singleShot' || f === 'novelty' || f === 'regularity' || f === 'outputRatio' ? 0.5 : 1,
);

/** One reason behind an alert. */
export interface Reason {
  readonly code: string;
  readonly text: string;
  readonly value?: number;
  readonly reference?: number;
  readonly log10E?: number;
}

/** The verdict for one account. */
export interface AccountFinding {
  readonly account: string;
  readonly campaign: string | null;
  /** The operator within the campaign ({@link CampaignFinding.operators}), or null. */
  readonly operator: string | null;
  /** −log10 of the p-value behind the alert (campaign, or account for singletons). */
  readonly score: number;
  readonly tier: Tier;
  readonly reasons: readonly Reason[];
  readonly requests: number;
  /** Composite percentile within the cohort. */
  readonly percentile: number;
  readonly log10P: number;
  readonly allowlisted: boolean;
}

export type { LinkKind } from './linkage.js';

/** A campaign candidate (a connected group of accounts). */
export interface CampaignFinding {
  readonly id: string;
  readonly accounts: readonly string[];
  readonly requests: number;
  readonly flagged: boolean;
  readonly tier: Tier | null;
  readonly log10P: number;
  readonly log10E: number;
  readonly score: number;
  readonly links: readonly {
    readonly kinds: string;
    readonly groups: number;
    readonly log10P: number;
  }[];
  readonly reasons: readonly Reason[];
  readonly first: string;
  readonly last: string;
  /** Daily requests by model (UTC days). */
  readonly timeline: readonly {
    readonly day: string;
    readonly model: string;
    readonly count: number;
  }[];
  /** Requests by UTC hour of day. */
  readonly hours: readonly number[];
  readonly sharedPromptOverlap: number;
  /**
   * The campaign split into operators: its members joined again by the campaign's links, but only
   * by a shared payment method, a pair of rare extraction wordings, or an improbable overlap of
   * two values neither of which is an AS + client agent or a sign-up hour (values many parties
   * share in a large log): e.g. a /24 range with a template or a synchronised schedule. Only
   * operators with an attributed member (by a control attribute or by behaviour) are listed,
   * largest first, then by first account id.
   */
  readonly operators: readonly {
    readonly id: string;
    readonly accounts: readonly string[];
    /**
     * Members attributed to the campaign (alerted when the campaign's recommendation is verify or
     * above); the others are peripheral.
     */
    readonly attributed: number;
    readonly requests: number;
    /**
     * The values most of the operator's accounts share (payment id, /24 range, sign-up hour) with
     * the number of its accounts holding each: what to act on (at most {@link MAX_OPERATOR_TIES}).
     * A sign-up hour is listed as a fact; it never joins an operator.
     */
    readonly ties: readonly {
      readonly kind: LinkKind;
      readonly value: string;
      readonly accounts: number;
    }[];
  }[];
  /** Members (at most {@link MAX_GRAPH_MEMBERS}) and the attributes two or more of them share. */
  readonly graph: {
    readonly nodes: readonly {
      readonly id: string;
      readonly kind: 'account' | LinkKind;
      readonly label: string;
    }[];
    readonly edges: readonly { readonly from: string; readonly to: string }[];
  };
}

/** Everything one run found; every rendering (JSONL, text, HTML) is made from this object. */
export interface MonitorVerdict {
  readonly kind: 'extraction-monitor';
  readonly tool: { readonly name: string; readonly version: string };
  readonly generatedAt?: string;
  readonly inputs: readonly {
    readonly file: string;
    readonly digest?: string;
    readonly lines: number;
    readonly records: number;
    readonly malformed: number;
  }[];
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly records: number;
  readonly accounts: number;
  readonly scoredAccounts: number;
  readonly malformed: {
    readonly count: number;
    readonly byReason: Readonly<Record<string, number>>;
    readonly lines: readonly MalformedLine[];
  };
  readonly problems: readonly FileProblem[];
  readonly settings: {
    readonly fdr: number;
    readonly minRequests: number;
    readonly minTier: Tier;
    readonly minCampaignRequests: number;
    readonly includeSingletons: boolean;
    readonly eBHThresholdLog10E: number | null;
    /** Account partitions the state was read in (see `MonitorState.partitions`). */
    readonly partitions: number;
    /** Decision rounds run ({@link MAX_REFERENCE_ROUNDS}): 1 when no round alerted anyone new. */
    readonly referenceRounds: number;
  };
  readonly releases: readonly {
    readonly model: string;
    readonly at: string;
    readonly inferred: boolean;
  }[];
  readonly cohorts: readonly {
    readonly id: number;
    readonly minRequests: number;
    readonly maxRequests: number;
    readonly accounts: number;
  }[];
  readonly campaigns: readonly CampaignFinding[];
  readonly alerts: readonly AccountFinding[];
  readonly watchlist: readonly AccountFinding[];
  readonly counts: {
    readonly flaggedCampaigns: number;
    readonly flaggedAccounts: number;
    readonly candidateCampaigns: number;
    readonly byTier: Readonly<Record<Tier, number>>;
    readonly allowlistedSuppressed: number;
  };
  readonly caveats: readonly string[];
}

/** Accounts, orgs and payment ids with a licence for bulk use: never alerted on. */
export interface Allowlist {
  readonly accounts?: readonly string[];
  readonly orgs?: readonly string[];
  readonly payments?: readonly string[];
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  readonly state: MonitorState;
  readonly fdr?: number;
  readonly minRequests?: number;
  readonly minTier?: Tier;
  /** Fewest requests of a campaign recommended above watch (default {@link MIN_CAMPAIGN_REQUESTS}). */
  readonly minCampaignRequests?: number;
  readonly includeSingletons?: boolean;
  /** Most decision rounds (default {@link MAX_REFERENCE_ROUNDS}; 1 = a single round). */
  readonly maxRounds?: number;
  readonly allow?: Allowlist;
  /** Known release times (model → epoch ms); otherwise inferred from first appearance. */
  readonly releases?: Readonly<Record<string, number>>;
  readonly problems?: readonly FileProblem[];
  readonly digests?: Readonly<Record<string, string>>;
  readonly generatedAt?: string;
}

const DAY = 86_400_000;

function tierIndex(t: Tier): number {
  return TIERS.indexOf(t);
}

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

/** First and last request, requests per day and model, and per hour of day of a campaign. */
function campaignActivity(memberAccs: readonly AccountState[]): {
  first: number;
  last: number;
  timeline: { day: string; model: string; count: number }[];
  hours: number[];
} {
  const days = new Map<string, number>();
  const hours = new Array<number>(24).fill(0);
  let first = Infinity;
  let last = -Infinity;
  for (const a of memberAccs) {
    first = Math.min(first, a.first);
    last = Math.max(last, a.last);
    for (const d of accountDays(a)) {
      const key = `${new Date(d.day * DAY).toISOString().slice(0, 10)}|${d.model}`;
      days.set(key, (days.get(key) ?? 0) + d.count);
    }
    for (let h = 0; h < 24; h++) hours[h] = (hours[h] ?? 0) + (a.u[U.HOURS + h] ?? 0);
  }
  const timeline = [...days.entries()]
    .map(([k, count]) => {
      const [day = '', model = ''] = k.split('|');
      return { day, model, count };
    })
    .sort((x, y) => (x.day === y.day ? (x.model < y.model ? -1 : 1) : x.day < y.day ? -1 : 1));
  return { first, last, timeline, hours };
}

type CampaignGraph = CampaignFinding['graph'];

/**
 * Bipartite graphs of (some) members of each campaign and the attribute values at least two of
 * them share. Campaigns are disjoint, so the shared-template table is read once for all of them
 * (a pass per campaign cost 25 s of the 16M-record benchmark).
 */
function campaignGraphs(
  accs: readonly AccountState[],
  campaigns: readonly (readonly number[])[],
  shared: ReadonlyMap<number, readonly number[]>,
): CampaignGraph[] {
  const shownOf = campaigns.map((members) =>
    [...members].sort((a, b) => (accs[b]?.n ?? 0) - (accs[a]?.n ?? 0)).slice(0, MAX_GRAPH_MEMBERS),
  );
  const campaignOf = new Int32Array(accs.length).fill(-1);
  shownOf.forEach((shown, k) => {
    for (const i of shown) campaignOf[i] = k;
  });
  const tpls: { key: number; m: string[] }[][] = campaigns.map(() => []);
  const byCampaign = new Map<number, string[]>();
  for (const [key, list] of shared) {
    byCampaign.clear();
    for (const i of list) {
      const k = campaignOf[i] ?? -1;
      if (k < 0) continue;
      const id = accs[i]?.id ?? '';
      const m = byCampaign.get(k);
      if (m === undefined) byCampaign.set(k, [id]);
      else m.push(id);
    }
    for (const [k, m] of byCampaign) if (m.length >= 2) tpls[k]?.push({ key, m });
  }
  return shownOf.map((shown, k) =>
    graphOf(
      shown.map((i) => accs[i]).filter((a): a is AccountState => a !== undefined),
      tpls[k] ?? [],
    ),
  );
}

function graphOf(
  shown: readonly AccountState[],
  tpl: { key: number; m: string[] }[],
): CampaignGraph {
  const attrs = new Map<string, { kind: LinkKind; label: string; members: string[] }>();
  const add = (key: string, kind: LinkKind, label: string, id: string): void => {
    const cur = attrs.get(key) ?? { kind, label, members: [] };
    if (!cur.members.includes(id)) cur.members.push(id);
    attrs.set(key, cur);
  };
  for (const a of shown) {
    for (const p of a.payments) add(`pay:${p}`, 'payment', `payment ${p.slice(0, 10)}`, a.id);
    for (const ip of a.ips) add(`ip:${ip}`, 'infrastructure', prefixLabel(ip), a.id);
    const hour = signupHour(a);
    if (hour !== undefined) {
      const h = hourLabel(hour);
      add(`signup:${h}`, 'signup', `sign-up ${h.replace('T', ' ')}h`, a.id);
    }
  }
  tpl.sort((x, y) => y.m.length - x.m.length);
  for (const t of tpl.slice(0, 4))
    for (const id of t.m)
      add(`tpl:${t.key}`, 'content', `template #${(t.key >>> 0).toString(16)}`, id);
  const nodes: { id: string; kind: 'account' | LinkKind; label: string }[] = shown.map((a) => ({
    id: a.id,
    kind: 'account',
    label: a.id.length > 14 ? `${a.id.slice(0, 13)}…` : a.id,
  }));
  const edges: { from: string; to: string }[] = [];
  for (const [key, v] of attrs) {
    if (v.members.length < 2) continue;
    nodes.push({ id: key, kind: v.kind, label: v.label });
    for (const m of v.members) edges.push({ from: m, to: key });
  }
  return { nodes, edges };
}

/**
 * The organisation of a group of accounts when all of them carry the same `org` and they are
 * established (sign-up dates known for at least half, median ≥ {@link ESTABLISHED_DAYS} days from
 * sign-up to first request): one known customer acting under its own organisation. Else null.
 */
function establishedOrg(
  members: readonly AccountState[],
): { org: string; medianAge: number } | null {
  const org = members[0]?.org;
  if (org === undefined || org === '' || members.some((a) => a.org !== org)) return null;
  const medianAge = medianAgeDays(members);
  return medianAge >= ESTABLISHED_DAYS ? { org, medianAge } : null;
}

/**
 * log10 of a combined p-value of independent-ish member p-values: Fisher's method catches a few
 * extreme members, Stouffer's a consistent shift; the smaller, doubled (Bonferroni over the two).
 */
function combineLog10P(ps: readonly number[]): number {
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

/** A sign-up hour as ISO text to the hour ("2026-03-01T14"). */
function hourLabel(hour: number): string {
  return new Date(hour * 3_600_000).toISOString().slice(0, 13);
}

/** Code-unit order of strings (locale-independent, as ids are compared everywhere here). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

/** A network prefix as CIDR text: "a.b.c" → "a.b.c.0/24", "2001:db8:1" → "2001:db8:1::/48". */
function prefixLabel(prefix: string): string {
  return prefix.includes(':') ? `${prefix}::/48` : `${prefix}.0/24`;
}

/**
 * Values that two or more of an operator's accounts share: payment ids, /24 ranges (or /48
 * prefixes) and sign-up hours, most shared first.
 */
function operatorTies(
  members: readonly AccountState[],
): CampaignFinding['operators'][number]['ties'] {
  const count = new Map<string, { kind: LinkKind; value: string; accounts: number }>();
  const add = (kind: LinkKind, value: string): void => {
    const key = `${kind}|${value}`;
    const cur = count.get(key);
    if (cur) cur.accounts++;
    else count.set(key, { kind, value, accounts: 1 });
  };
  for (const a of members) {
    for (const p of new Set(a.payments)) add('payment', p);
    for (const ip of new Set(a.ips)) add('infrastructure', prefixLabel(ip));
    const hour = signupHour(a);
    if (hour !== undefined) add('signup', hourLabel(hour));
  }
  return [...count.values()]
    .filter((t) => t.accounts >= 2)
    .sort((x, y) => y.accounts - x.accounts || compareText(x.value, y.value))
    .slice(0, MAX_OPERATOR_TIES);
}

function iso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function fmtPct(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
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
  freshness: (v, r) =>
    `first request ${Math.expm1(-v).toFixed(1)} days after sign-up (cohort median ${Math.expm1(-r).toFixed(0)} days)`,
};

/**
 * Analyse a streaming state. Pure: the same state and options give the same verdict (set
 * `generatedAt` only when a timestamp is wanted in the output).
 */
export function analyze(opts: AnalyzeOptions): MonitorVerdict {
  const state = opts.state;
  const fdr = opts.fdr ?? DEFAULT_FDR;
  const minRequests = opts.minRequests ?? MIN_REQUESTS;
  const minTier = opts.minTier ?? 'verify';
  const minCampaignRequests = opts.minCampaignRequests ?? MIN_CAMPAIGN_REQUESTS;
  const includeSingletons = opts.includeSingletons ?? false;
  const accs = [...state.accounts.values()].sort((a, b) => compareText(a.id, b.id));
  const N = accs.length;
  const prepCaveats: string[] = [];

  // releases: given, or a model first seen at least a day after the log starts
  const releases: { model: string; at: number; inferred: boolean }[] = [];
  if (opts.releases)
    for (const [model, at] of Object.entries(opts.releases))
      releases.push({ model, at, inferred: false });
  else
    for (const [model, ms] of state.models)
      if (ms.first >= state.first + DAY && ms.count >= 20)
        releases.push({ model, at: ms.first, inferred: true });

  // features and cohorts
  const feats = accs.map((a) => accountFeatures(a, releases));
  const eligible = accs.map((a) => a.n >= minRequests);
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
  const cohort = accs.map((_, i) => (eligible[i] ? (cohortOfTier.get(tierOf[i] ?? 0) ?? 0) : -1));
  const cohortInfo = new Map<
    number,
    { id: number; minRequests: number; maxRequests: number; accounts: number }
  >();
  accs.forEach((a, i) => {
    const c = cohort[i] ?? -1;
    if (c < 0) return;
    const info = cohortInfo.get(c) ?? { id: c, minRequests: Infinity, maxRequests: 0, accounts: 0 };
    info.minRequests = Math.min(info.minRequests, a.n);
    info.maxRequests = Math.max(info.maxRequests, a.n);
    info.accounts++;
    cohortInfo.set(c, info);
  });
  if ([...cohortInfo.values()].some((c) => c.accounts < MIN_COHORT))
    prepCaveats.push(
      `fewer than ${MIN_COHORT} scored accounts in a cohort: the smallest p-value an account can get is 1/(cohort size), so small logs give weak evidence`,
    );

  // linkage
  const spanSlots = Number.isFinite(state.first)
    ? Math.max(1, Math.ceil((state.last - state.first) / SLOT_MS))
    : 1;
  const shared = sharedTemplates(accs, commonTemplateCap(N));
  const {
    uf,
    op,
    evidence,
    groups,
    vals,
    singles: ownValueCount,
    wording,
  } = link(accs, spanSlots, shared);
  const attributedOf = attribution(accs, { groups, vals, singles: ownValueCount, wording, op }, N);
  const comps = new Map<number, number[]>();
  for (let i = 0; i < N; i++) {
    const r = uf.find(i);
    const list = comps.get(r);
    if (list === undefined) comps.set(r, [i]);
    else list.push(i);
  }

  const idxElig = accs.map((_, i) => i).filter((i) => eligible[i]);
  // eligible accounts by cohort
  const cohortMembers = new Map<number, number[]>();
  for (const i of idxElig) {
    const c = cohort[i] ?? -1;
    const list = cohortMembers.get(c);
    if (list === undefined) cohortMembers.set(c, [i]);
    else list.push(i);
  }

  // cohort medians and reference rates, and the per-account e-values: they rest on the whole
  // cohort, not on its reference, so every decision round shares them
  const medians = new Map<number, Float64Array>();
  const rates = new Map<number, Float64Array>();
  for (const c of cohortInfo.keys()) {
    const members = cohortMembers.get(c) ?? [];
    const med = new Float64Array(FEATURES.length);
    const ref = new Float64Array(FEATURES.length);
    for (let f = 0; f < FEATURES.length; f++) {
      const vals = members.map((i) => feats[i]?.[f] ?? NaN);
      med[f] = quantile(vals, 0.5);
      ref[f] = quantile(vals, REFERENCE_QUANTILE);
    }
    medians.set(c, med);
    rates.set(c, ref);
  }

  // per-account anytime e-values (max over count features, Bonferroni-free: the mean is an e-value)
  const accountLogE = new Float64Array(N);
  const accountEvidence: Map<number, { f: number; logE: number }[]> = new Map();
  accs.forEach((a, i) => {
    const c = cohort[i] ?? -1;
    if (c < 0) return;
    const ref = rates.get(c);
    if (!ref) return;
    const list: { f: number; logE: number }[] = [];
    for (const [f, k, n] of countEvidence(a)) {
      const rho = ref[f] ?? NaN;
      if (!Number.isFinite(rho) || rho >= 1) continue;
      list.push({ f, logE: mixtureLogE(k, n, Math.max(rho, 0.01)) });
    }
    // the mean of e-values is an e-value under any dependence
    let m = -Infinity;
    for (const e of list) m = Math.max(m, e.logE);
    let s = 0;
    for (const e of list) s += Math.exp(e.logE - m);
    accountLogE[i] = list.length > 0 ? m + Math.log(s / list.length) : 0;
    accountEvidence.set(i, list);
  });

  // The reference of a cohort is its *unlinked* accounts: H0 for a linked group is "these
  // accounts are like ordinary accounts of their volume", and other campaigns in the same cohort
  // must not be part of the yardstick (a dozen sweeps would otherwise hide each other). A cohort
  // with too few unlinked accounts falls back to all of its accounts but those a previous round
  // alerted (`excluded`), and, with too few of those, to all of its accounts.
  const linked = new Uint8Array(N);
  for (const members of comps.values())
    if (members.length >= 2) for (const i of members) linked[i] = 1;
  const referenceMembers = (excluded: Uint8Array): Map<number, number[]> => {
    const out = new Map<number, number[]>();
    for (const c of cohortInfo.keys()) {
      const all = cohortMembers.get(c) ?? [];
      const kept = all.filter((i) => excluded[i] === 0);
      const unlinked = kept.filter((i) => linked[i] === 0);
      out.set(
        c,
        unlinked.length >= MIN_REFERENCE ? unlinked : kept.length >= MIN_REFERENCE ? kept : all,
      );
    }
    return out;
  };
  /**
   * One decision given each cohort's reference accounts ({@link MAX_REFERENCE_ROUNDS}). Returns
   * the verdict and the accounts it alerts at verify or above.
   */
  const decide = (
    refMembers: ReadonlyMap<number, readonly number[]>,
  ): { verdict: MonitorVerdict; strong: Uint8Array } => {
    const caveats = [...prepCaveats];
    const strong = new Uint8Array(N);
    const refs = new Map<number, CohortReference>();
    for (const [c, members] of refMembers)
      refs.set(c, cohortReference(members, feats, FEATURES.length));
    const fullScores = new Float64Array(N);
    for (const i of idxElig) {
      const ref = refs.get(cohort[i] ?? -1);
      if (ref) fullScores[i] = scoreRow(feats[i] ?? new Float64Array(), ref, FEATURE_WEIGHTS);
    }
    const sortedScores = new Map<number, Float64Array>();
    for (const [c, ref] of refs)
      sortedScores.set(c, Float64Array.from(ref.members.map((i) => fullScores[i] ?? 0)).sort());
    // account p-value within its cohort: (1 + #{others ≥}) / m; percentile for display
    const accountP = new Float64Array(N).fill(1);
    const compPctOf = new Float64Array(N).fill(0.5);
    for (const i of idxElig) {
      const sorted = sortedScores.get(cohort[i] ?? -1);
      if (!sorted || sorted.length === 0) continue;
      const sc = fullScores[i] ?? 0;
      accountP[i] = (conformalP(sc, sorted) * (sorted.length + 1) - 1) / sorted.length;
      compPctOf[i] = percentileIn(sc, sorted);
    }
    const featurePct = (i: number, f: number): number => {
      const ref = refs.get(cohort[i] ?? -1);
      const sorted = ref?.sorted[f];
      return sorted ? percentileIn(feats[i]?.[f] ?? NaN, sorted) : 0.5;
    };

    // campaign tests
    interface Cand {
      readonly root: number;
      readonly members: number[];
      readonly scored: number[];
      /** Members' conformal p-values against their cohorts without the group. */
      readonly ps: ReadonlyMap<number, number>;
      log10P: number;
      logE: number;
    }
    const cands: Cand[] = [];
    const testGroup = (
      scored: readonly number[],
      R: ReadonlyMap<number, CohortReference>,
      full: Float64Array,
      sorted: ReadonlyMap<number, Float64Array>,
    ): { log10P: number; ps: Map<number, number> } => {
      // members against their cohorts without the campaign (a big cluster is not its own reference)
      const ps = leaveGroupOutPValues(scored, cohort, R, feats, FEATURE_WEIGHTS, full, sorted);
      return { log10P: combineLog10P(scored.map((i) => ps.get(i) ?? 1)), ps };
    };
    for (const [root, members] of comps) {
      if (members.length < 2) continue;
      const scored = members.filter((i) => eligible[i]);
      if (scored.length < 2) continue;
      const { log10P: lp, ps } = testGroup(scored, refs, fullScores, sortedScores);
      cands.push({ root, members, scored, ps, log10P: lp, logE: campaignCalibratorLogE(lp) });
    }
    const rejected = new Set(
      eBH(
        cands.map((c) => c.logE),
        fdr,
      ),
    );
    const thresholdLogE =
      cands.length > 0 ? Math.log(cands.length / (fdr * Math.max(1, rejected.size))) : NaN;

    // allow-list
    const allowAcc = new Set(opts.allow?.accounts ?? []);
    const allowOrg = new Set(opts.allow?.orgs ?? []);
    const allowPay = new Set(opts.allow?.payments ?? []);
    const isAllowed = (a: AccountState): boolean =>
      allowAcc.has(a.id) ||
      (a.org !== undefined && allowOrg.has(a.org)) ||
      a.payments.some((p) => allowPay.has(p));

    const accountReasons = (i: number): Reason[] => {
      const c = cohort[i] ?? -1;
      if (c < 0) return [];
      const med = medians.get(c);
      const ev = accountEvidence.get(i) ?? [];
      const out: Reason[] = [];
      const order = FEATURES.map((_, f) => f).sort((x, y) => featurePct(i, y) - featurePct(i, x));
      for (const f of order) {
        const u = featurePct(i, f);
        const v = feats[i]?.[f] ?? NaN;
        if (u < 0.9 || !Number.isFinite(v)) continue;
        const name = FEATURES[f] ?? 'elicitation';
        const ref = med?.[f] ?? NaN;
        const e = ev.find((x) => x.f === f);
        const r: Reason = {
          code: name,
          text: FEATURE_TEXT[name](v, Number.isFinite(ref) ? ref : 0),
          value: Number(v.toPrecision(4)),
          reference: Number.isFinite(ref) ? Number(ref.toPrecision(4)) : 0,
          ...(e ? { log10E: Number((e.logE / Math.LN10).toFixed(2)) } : {}),
        };
        out.push(r);
        if (out.length >= 5) break;
      }
      return out;
    };

    // pooled campaign facts
    const overlapOf = (members: readonly number[]): number => {
      // share of a member's sampled exact prompts also sent by another member
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
    };

    // unrelated accounts for control statistics, in a fixed pseudo-random order
    const controlPool = idxElig
      .map((i) => ({ i, h: hashString(accs[i]?.id ?? '', 0x7f4a7c15) }))
      .sort((x, y) => x.h - y.h)
      .map((x) => x.i);
    const campaigns: CampaignFinding[] = [];
    /** Listed campaigns with a tier, whose graphs are drawn after the loop (index, members). */
    const graphed: { at: number; members: readonly number[] }[] = [];
    const tierOfAccount = new Map<
      number,
      {
        tier: Tier;
        campaign: string;
        operator: string | null;
        score: number;
        lone: boolean;
        /** Capped at watch as one established organisation's operator (without a licence list). */
        org: string | null;
      }
    >();
    /** Members attributed by their own profile ({@link behaviourAttributed}), not by a tie. */
    const byProfile = new Set<number>();
    const byTier: Record<Tier, number> = { watch: 0, verify: 0, throttle: 0, block: 0 };
    let allowlistedSuppressed = 0;
    const sortedCands = cands.map((c, k) => ({ c, k })).sort((x, y) => x.c.log10P - y.c.log10P);
    for (const { c, k } of sortedCands) {
      const flagged = rejected.has(k);
      const memberAccs = c.members
        .map((i) => accs[i])
        .filter((a): a is AccountState => a !== undefined);
      const ids = memberAccs.map((a) => a.id).sort();
      const id = `c-${(fmix32(ids.reduce((h, s) => combine(h, hashString(s)), 0x12345)) >>> 0).toString(16).padStart(8, '0')}`;
      const links = evidence.get(c.root) ?? [];
      const linkSummary = new Map<string, { kinds: string; groups: number; log10P: number }>();
      for (const l of links) {
        const cur = linkSummary.get(l.kinds);
        if (!cur) linkSummary.set(l.kinds, { ...l });
        else {
          cur.groups += l.groups;
          cur.log10P = Math.min(cur.log10P, l.log10P);
        }
      }
      const strong = links.some(
        (l) => l.kinds === 'payment' || l.kinds.includes('signup') || l.kinds.includes('timing'),
      );
      const requests = memberAccs.reduce((s, a) => s + a.n, 0);
      const elicit = memberAccs.reduce((s, a) => s + (a.u[U.ELICIT_ANY] ?? 0), 0);
      const medPct = quantile(
        c.scored.map((i) => compPctOf[i] ?? 0.5),
        0.5,
      );
      let tier: Tier | null = null;
      let overlap = 0;
      const operators: CampaignFinding['operators'][number][] = [];
      const reasons: Reason[] = [];
      if (flagged || c.log10P <= -3) {
        overlap = overlapOf(c.members);
        // the same statistic for unrelated accounts of the same cohorts: common prompts are shared
        // by everyone, only an excess says "one benchmark run from several accounts"
        const memberSet = new Set(c.members);
        const cohorts = new Set(c.scored.map((m) => cohort[m]));
        const want = Math.min(64, c.members.length);
        const control: number[] = [];
        for (const i of controlPool) {
          if (control.length >= want) break;
          if (!memberSet.has(i) && cohorts.has(cohort[i])) control.push(i);
        }
        const base = control.length >= 2 ? overlapOf(control) : 0;
        tier = flagged ? 'verify' : 'watch';
        if (flagged && c.log10P <= THROTTLE_LOG10P && medPct >= 0.75) tier = 'throttle';
        if (tier === 'throttle' && strong && c.members.length >= 3) tier = 'block';
        // linked by nothing but the wording of extraction requests: independent users who draw
        // their requests from one popular pool of wordings (students asking for step-by-step
        // explanations) look the same to this test (measured: eval setting stress-students), so
        // such a group is for an analyst to look at, never an accusation
        if (tier !== 'watch' && links.length > 0 && links.every((l) => l.kinds === WORDING)) {
          tier = 'watch';
          reasons.push({
            code: 'wording-only',
            text: 'linked only by shared wordings of extraction-style requests, which independent users of one popular phrasing pool also share: capped at watch',
          });
        }
        if (tier !== 'watch' && requests < minCampaignRequests) {
          tier = 'watch';
          reasons.push({
            code: 'immaterial',
            text: `the campaign sent ${requests} requests in the window, fewer than ${minCampaignRequests}: too few to have harvested a distillation set, whatever its coordination (capped at watch)`,
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
        const oneOrg = allowOrg.size === 0 ? establishedOrg(memberAccs) : null;
        if (tier !== 'watch' && oneOrg !== null) {
          tier = 'watch';
          reasons.push({
            code: 'one-organisation',
            text: `every account belongs to one organisation (${oneOrg.org}) and they are established (median ${Math.round(oneOrg.medianAge)} days before first use): looks like one customer's bulk job, which its licence settles; no licence list (--allow with orgs) was given (capped at watch)`,
          });
        }
        reasons.unshift({
          code: 'campaign',
          text: `${c.members.length} linked accounts (${c.scored.length} scored) whose extraction scores are jointly improbable for a random draw from their cohorts: p = ${formatLog10(c.log10P)}`,
          value: c.members.length,
        });
        for (const l of linkSummary.values())
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
          text: `${fmtPct(requests > 0 ? elicit / requests : 0)} of the campaign's ${requests} requests elicit reasoning, grades, tool traces or rewrites`,
          value: requests > 0 ? elicit / requests : 0,
        });
      }
      const score = Math.min(300, -c.log10P);
      if (tier !== null) {
        // operators: members grouped by the party-identifying links (see Linkage.op)
        const byOp = new Map<number, number[]>();
        for (const i of c.members) {
          const r = op.find(i);
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
            const ps = list.filter((i) => eligible[i]).map((i) => c.ps.get(i) ?? 1);
            if (ps.length === 0 || combineLog10P(ps) > level) for (const i of list) weak.add(i);
          }
        }
        const core = new Set(attributedOf(c.root, c.members));
        let demoted = 0;
        for (const i of weak) if (core.delete(i)) demoted++;
        // members tied only by path and prompts whose own profile is improbable for their cohort
        const byBehaviour =
          flagged && tier !== 'watch'
            ? behaviourAttributed(c.scored, core, c.ps, fdr)
            : new Set<number>();
        const peripheral = c.members.length - core.size - byBehaviour.size;
        if (demoted > 0)
          reasons.push({
            code: 'weak-operators',
            text: `${demoted} member(s) sharing a payment method or a sign-up burst with each other belong to operators joined to the campaign only through values many parties share (an AS + agent, a sign-up hour) and whose own members are not improbable for their cohorts: attributed only by their own profile`,
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
          .sort(
            (x, y) => y.list.length - x.list.length || compareText(x.ids[0] ?? '', y.ids[0] ?? ''),
          )
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
        // shared cloud or templates) is capped at watch like a campaign of one (see above).
        const orgOf = new Map<string, string>();
        if (allowOrg.size === 0)
          for (const list of byOp.values()) {
            const oid = opOf.get(list[0] ?? -1);
            if (oid === undefined) continue; // not listed: no attributed member
            const org = establishedOrg(
              list.map((i) => accs[i]).filter((a): a is AccountState => a !== undefined),
            );
            if (org !== null) orgOf.set(oid, org.org);
          }
        let orgCapped = 0;
        const assign = (i: number, want: Tier, lone: boolean): void => {
          const oid = opOf.get(i) ?? null;
          const org = orgOf.get(oid ?? '') ?? null;
          const t: Tier = org !== null ? 'watch' : want;
          if (org !== null && tierIndex(want) > tierIndex('watch')) orgCapped++;
          const prev = tierOfAccount.get(i);
          if (!prev || tierIndex(prev.tier) < tierIndex(t))
            tierOfAccount.set(i, { tier: t, campaign: id, operator: oid, score, lone, org });
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
        for (const i of byBehaviour) {
          assign(i, noParty ? 'watch' : 'verify', false);
          byProfile.add(i);
        }
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
        let lones = 0;
        for (const i of c.members) {
          if (!core.has(i)) continue;
          const oid = opOf.get(i) ?? null;
          // the attribution hitchhiker of docs/monitor.md: the only attributed account of its
          // operator, signed up in an hour in which attributed accounts of another operator signed
          // up. Its sign-up hour is another party's burst, and it holds the path or templates
          // that party uses: what an unrelated account can share. No sanction beyond verification.
          // (Members of a burst that is a party of its own, each alone in its operator, share
          // their hour only with each other and keep the campaign's tier.)
          const h = hourOf(i);
          const lone =
            (attributedIn.get(oid ?? '') ?? 0) <= 1 &&
            h !== undefined &&
            partyHours.has(h) &&
            tierIndex(tier) > tierIndex('verify');
          if (lone) lones++;
          assign(i, lone ? 'verify' : tier, lone);
        }
        if (orgCapped > 0)
          reasons.push({
            code: 'organisation-operators',
            text: `${orgCapped} attributed member(s) form operators each of one established organisation: one customer's bulk job, which its licence settles; no licence list (--allow with orgs) was given (capped at watch)`,
            value: orgCapped,
          });
        if (lones > 0)
          reasons.push({
            code: 'lone-members',
            text: `${lones} attributed member(s) are alone in their operator and signed up in an hour in which another operator's attributed accounts signed up: possibly unrelated accounts that share that party's path or templates, recommended at most verify`,
            value: lones,
          });
      }
      if (flagged || campaigns.length < MAX_LISTED_CAMPAIGNS) {
        if (tier !== null) graphed.push({ at: campaigns.length, members: c.members });
        const { first, last, timeline, hours } = campaignActivity(memberAccs);
        campaigns.push({
          id,
          accounts: ids,
          requests,
          flagged,
          tier,
          log10P: c.log10P,
          log10E: c.logE / Math.LN10,
          score,
          links: [...linkSummary.values()],
          reasons,
          first: iso(first) ?? '',
          last: iso(last) ?? '',
          timeline,
          hours,
          sharedPromptOverlap: overlap,
          operators,
          graph: { nodes: [], edges: [] },
        });
      }
    }
    const graphs = campaignGraphs(
      accs,
      graphed.map((g) => g.members),
      shared,
    );
    graphed.forEach((g, k) => {
      const c = campaigns[g.at];
      if (c) campaigns[g.at] = { ...c, graph: graphs[k] ?? c.graph };
    });

    // singletons and unflagged accounts: per-account e-BH for the watch list
    const singles = idxElig.filter((i) => !tierOfAccount.has(i));
    const singleRejected = new Set(
      eBH(
        singles.map((i) => accountLogE[i] ?? 0),
        fdr,
      ).map((k) => singles[k] ?? -1),
    );
    const watchlist: AccountFinding[] = [];
    for (const i of singles) {
      const p = accountP[i] ?? 1;
      const cohortSize = cohortInfo.get(cohort[i] ?? 0)?.accounts ?? 1;
      if (!singleRejected.has(i) || p > 1 / Math.sqrt(cohortSize)) continue;
      const a = accs[i];
      if (!a) continue;
      const lp = Math.log10(p);
      const f: AccountFinding = {
        account: a.id,
        campaign: null,
        operator: null,
        score: Math.min(300, -lp),
        tier: includeSingletons && p * cohortSize <= 1 ? 'verify' : 'watch',
        reasons: [
          {
            code: 'single-account',
            text: `not linked to other accounts; extraction-like profile ranks ${Math.round(p * cohortSize)} of ${cohortSize} in its cohort (could be a licensed bulk job: confirm before acting)`,
            value: p,
          },
          ...accountReasons(i),
        ],
        requests: a.n,
        percentile: compPctOf[i] ?? 0.5,
        log10P: lp,
        allowlisted: isAllowed(a),
      };
      if (f.tier === 'verify')
        tierOfAccount.set(i, {
          tier: 'verify',
          campaign: '',
          operator: null,
          score: f.score,
          lone: false,
          org: null,
        });
      else watchlist.push(f);
    }
    watchlist.sort((x, y) => y.score - x.score);

    const alerts: AccountFinding[] = [];
    const medianRequests = quantile(
      idxElig.map((i) => accs[i]?.n ?? 0),
      0.5,
    );
    const lightCap = LIGHT_ACCOUNT_FACTOR * medianRequests;
    /** Highest recommendation given to an account of each campaign (after every cap). */
    const topOfCampaign = new Map<string, Tier>();
    const campaignById = new Map<string, CampaignFinding>();
    for (const c of campaigns) if (!campaignById.has(c.id)) campaignById.set(c.id, c);
    for (const [i, t] of tierOfAccount) {
      const a = accs[i];
      if (!a) continue;
      const camp = campaignById.get(t.campaign);
      const reasons: Reason[] = [...(camp?.reasons.slice(0, 4) ?? []), ...accountReasons(i)];
      if (t.org !== null)
        reasons.unshift({
          code: 'one-organisation',
          text: `its operator's accounts all belong to one established organisation (${t.org}): one customer's bulk job, which its licence settles; no licence list (--allow with orgs) was given (capped at watch)`,
        });
      if (byProfile.has(i) && t.campaign !== '')
        reasons.unshift({
          code: 'own-profile',
          text: `attributed to the campaign by its own extraction profile (improbable for its cohort), not by a payment method, sign-up burst or synchronised activity shared with other members: recommended at most verify`,
        });
      if (t.lone)
        reasons.unshift({
          code: 'lone-member',
          text: `the only attributed account of its operator (no shared payment method, rare extraction wordings, or improbable overlap of range, schedule and template values ties it to another attributed member), signed up in an hour in which another operator's attributed accounts signed up: recommended at most verify`,
        });
      const light = t.tier !== 'watch' && a.n <= lightCap;
      if (light)
        reasons.unshift({
          code: 'light-account',
          text: `${a.n} requests, no more than ${LIGHT_ACCOUNT_FACTOR}× the median account (${medianRequests}): too light to accuse on its links alone (capped at watch)`,
          value: a.n,
        });
      const f: AccountFinding = {
        account: a.id,
        campaign: t.campaign === '' ? null : t.campaign,
        operator: t.operator,
        score: Number(t.score.toFixed(2)),
        tier: light ? 'watch' : t.tier,
        reasons,
        requests: a.n,
        percentile: compPctOf[i] ?? 0.5,
        log10P: Math.log10(accountP[i] ?? 1),
        allowlisted: isAllowed(a),
      };
      if (f.allowlisted) {
        allowlistedSuppressed++;
        continue;
      }
      const top = f.campaign === null ? undefined : topOfCampaign.get(f.campaign);
      if (f.campaign !== null && (top === undefined || tierIndex(top) < tierIndex(f.tier)))
        topOfCampaign.set(f.campaign, f.tier);
      if (tierIndex(f.tier) >= tierIndex('verify')) strong[i] = 1;
      if (tierIndex(f.tier) < tierIndex(minTier)) {
        if (watchlist.length < MAX_WATCHLIST) watchlist.push(f);
        continue;
      }
      byTier[f.tier]++;
      alerts.push(f);
    }
    alerts.sort((x, y) => y.score - x.score || (x.account < y.account ? -1 : 1));
    // A campaign's recommendation is what is recommended for its accounts: a flagged group none of
    // whose members is attributed (all peripheral, light, allow-listed or capped) must not read
    // "block" in the summary. On the independent generator 22 of 23 such groups were benign
    // (classes, CoT labs and company teams linked by a shared cloud and templates).
    campaigns.forEach((c, k) => {
      if (c.tier === null || c.tier === 'watch') return;
      const top = topOfCampaign.get(c.id) ?? 'watch';
      if (tierIndex(top) >= tierIndex(c.tier)) return;
      campaigns[k] = {
        ...c,
        tier: top,
        reasons: [
          ...c.reasons,
          {
            code: 'members-capped',
            text: `the campaign test alone would recommend ${c.tier}, but no member is recommended above ${top} (see the members' reasons): recommended ${top}`,
          },
        ],
      };
    });

    const seen = state.seen;
    if (seen.tokens === 0) caveats.push('no token counts: the output-ratio feature was not used');
    if (seen.signup === 0)
      caveats.push('no sign-up times: account freshness and sign-up links were not used');
    if (seen.payment === 0) caveats.push('no payment ids: accounts could not be linked by payment');
    if (seen.ip === 0) caveats.push('no IP addresses: accounts could not be linked by network');
    if (seen.ip === 0 && seen.asn === 0 && seen.payment === 0 && seen.signup === 0)
      caveats.push(
        'no network, payment or sign-up field at all: only synchronised activity can link accounts for an alert; groups linked by what they send alone (which licensed synthetic-data jobs and benchmark runners share as much as a campaign does) are listed at watch (docs/monitor.md, Limitations)',
      );
    if (releases.length === 0)
      caveats.push('no model release inside the log window: release pivots could not be seen');
    const sampledFrames = accs.reduce((s, a) => s + (a.frames.level > 0 ? 1 : 0), 0);
    if (sampledFrames > 0)
      caveats.push(
        `${sampledFrames} accounts used more than ${MAX_FRAME_SLOTS / 2} distinct template frames: shared templates were found in a consistent sample of their frames`,
      );
    if (state.malformedCount > 0)
      caveats.push(`${state.malformedCount} malformed lines were skipped (see malformed.lines)`);
    const dropped = accs.reduce((s, a) => s + a.daysDropped, 0);
    if (dropped > 0)
      caveats.push(
        `${dropped} requests fell outside the per-account day table (timelines truncated)`,
      );
    caveats.push(
      'campaign p-values assume that, for benign accounts, being linked carries no information about behaviour; tightly knit legitimate groups (one lab, one company) can violate this',
    );

    const verdict: MonitorVerdict = {
      kind: 'extraction-monitor',
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      ...(opts.generatedAt ? { generatedAt: opts.generatedAt } : {}),
      inputs: state.files.map((f) => ({
        ...f,
        ...(opts.digests?.[f.file] ? { digest: opts.digests[f.file] } : {}),
      })),
      window: { from: iso(state.first), to: iso(state.last) },
      records: state.records,
      accounts: N,
      scoredAccounts: idxElig.length,
      malformed: {
        count: state.malformedCount,
        byReason: { ...state.malformedByReason },
        lines: state.malformed,
      },
      problems: opts.problems ?? [],
      settings: {
        fdr,
        minRequests,
        minTier,
        minCampaignRequests,
        includeSingletons,
        eBHThresholdLog10E: Number.isFinite(thresholdLogE) ? thresholdLogE / Math.LN10 : null,
        partitions: state.partitions,
        referenceRounds: round,
      },
      releases: releases.map((r) => ({
        model: r.model,
        at: new Date(r.at).toISOString(),
        inferred: r.inferred,
      })),
      cohorts: [...cohortInfo.values()].sort((a, b) => a.id - b.id),
      campaigns,
      alerts,
      watchlist: watchlist.slice(0, MAX_WATCHLIST),
      counts: {
        flaggedCampaigns: campaigns.filter((c) => c.flagged).length,
        flaggedAccounts: alerts.length,
        candidateCampaigns: cands.length,
        byTier,
        allowlistedSuppressed,
      },
      caveats,
    };
    return { verdict, strong };
  };
  // Round 1 leaves nothing out. While a round alerts accounts at verify or above that the last
  // reference still held, the next round leaves them out of every cohort's reference (they are
  // not ordinary accounts of their volume). Under the global null, round 1 alerts nobody with
  // probability at least 1 − fdr and no further round runs, so the FDR guarantee is that of one
  // round; with alerts, later rounds keep other campaigns of the same cohort from hiding behind
  // the alerted ones (a dozen sweeps in the busiest cohort otherwise set each other's yardstick).
  let round = 1;
  let members = referenceMembers(new Uint8Array(N));
  let verdict: MonitorVerdict | undefined;
  let strong: Uint8Array;
  ({ verdict, strong } = decide(members));
  const maxRounds = Math.max(1, Math.floor(opts.maxRounds ?? MAX_REFERENCE_ROUNDS));
  while (round < maxRounds) {
    // a round whose references equal the last one's would repeat its verdict exactly
    const next = referenceMembers(strong);
    if (sameReferences(next, members)) break;
    members = next;
    round++;
    // let the last round's verdict (graphs, alerts, reasons) go before the next one is built
    // eslint-disable-next-line no-useless-assignment -- drops the reference for the collector
    verdict = undefined;
    ({ verdict, strong } = decide(members));
  }
  return verdict;
}

/** Whether two cohort → reference-member maps hold the same accounts (lists in one order). */
function sameReferences(
  a: ReadonlyMap<number, readonly number[]>,
  b: ReadonlyMap<number, readonly number[]>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [c, x] of a) {
    const y = b.get(c);
    if (!y || y.length !== x.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** Format a log10 p-value for text ("3.2e-14"). */
export function formatLog10(log10p: number): string {
  if (!Number.isFinite(log10p)) return log10p < 0 ? '0' : '1';
  if (log10p > -3) return (10 ** log10p).toPrecision(2);
  const e = Math.floor(log10p);
  return `${(10 ** (log10p - e)).toFixed(1)}e${e}`;
}
