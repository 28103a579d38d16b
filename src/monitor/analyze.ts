/**
 * From streaming state to a verdict: per-account evidence against the account's cohort, campaign
 * linkage, campaign tests with false-discovery control, graduated recommendations and reasons.
 * This module runs the pipeline and its decision rounds; each step lives with its concern:
 * features, cohorts and e-values in `cohorts.ts`, linkage in `linkage.ts`, attribution by shared
 * values in `attribution.ts`, a campaign's tier, caps and members' recommendations in
 * `campaign.ts`, what a finding shows in `graph.ts`, and the verdict's types in `verdict.ts`.
 *
 * 1. **Per-account features** (`cohorts.ts`; threat model, research note §1 and §6.1): elicitation share,
 *    single-shot share, content novelty, template reuse, capability concentration, topic-cell
 *    coverage, 24-hour duty cycle, cadence regularity, output/input ratio, share moved to a newly
 *    released model, account freshness, new tool environments (tool-trace harvesting).
 * 2. **Cohort.** Accounts are compared with accounts of similar volume (×4 bands, merged until
 *    each has `MIN_COHORT` accounts), never with a global benign reference (note §5.2).
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
 * 6. **Attribution** (`attribution.ts`, `campaign.ts`). In a flagged campaign, members with a control attribute (payment, sign-up
 *    burst, synchronised activity) are alerted; the others only when their own p-value survives
 *    Benjamini–Hochberg among them (`behaviourAttributed`), and then at most at verify.
 */

import { eBH } from '../stats/index.js';
import type { FileProblem } from './ingest.js';
import { quantile } from './evidence.js';
import {
  cohortReference,
  scoreAccounts,
  type AccountScores,
  type CohortReference,
} from './scoring.js';
import { combine, fmix32, hashString } from './hash.js';
import {
  MAX_FRAME_SLOTS,
  sharedTemplates,
  SLOT_MS,
  U,
  type AccountState,
  type MonitorState,
} from './state.js';
import { attribution } from './attribution.js';
import { balanceSearch, type BalancedSet } from './balance.js';
import { commonTemplateCap, link, LINK_FWER, type Linkage } from './linkage.js';
import {
  accountEValues,
  accountFeatures,
  accountReasons,
  buildCohorts,
  type Cohorts,
  FEATURE_WEIGHTS,
  FEATURES,
  MIN_COHORT,
  MIN_REQUESTS,
  referenceMembers,
} from './cohorts.js';
import {
  attributeMembers,
  campaignTests,
  LIGHT_ACCOUNT_FACTOR,
  campaignTier,
  MIN_CAMPAIGN_REQUESTS,
  type LinkOnlyCap,
  WEIGHTS_WITHOUT_FRESHNESS,
} from './campaign.js';
import { campaignActivity, campaignGraphs } from './graph.js';
import {
  compareText,
  iso,
  tierIndex,
  type AccountFinding,
  type Allowlist,
  type CampaignFinding,
  type MonitorVerdict,
  type Reason,
  type Tier,
} from './verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

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

/** Most campaigns listed in a verdict (all flagged ones are always listed). */
export const MAX_LISTED_CAMPAIGNS = 200;

/** Most watch-list entries. */
export const MAX_WATCHLIST = 200;

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

/**
 * Analyse a streaming state. Pure: the same state and options give the same verdict (set
 * `generatedAt` only when a timestamp is wanted in the output).
 */
export function analyze(opts: AnalyzeOptions): MonitorVerdict {
  const state = opts.state;
  const fdr = opts.fdr ?? DEFAULT_FDR;
  const minRequests = opts.minRequests ?? MIN_REQUESTS;
  const accs = [...state.accounts.values()].sort((a, b) => compareText(a.id, b.id));
  const N = accs.length;
  const prepCaveats: string[] = [];

  // releases: given, or a model first seen at least a day after the log starts
  const releases: Release[] = [];
  if (opts.releases)
    for (const [model, at] of Object.entries(opts.releases))
      releases.push({ model, at, inferred: false });
  else
    for (const [model, ms] of state.models)
      if (ms.first >= state.first + DAY && ms.count >= 20)
        releases.push({ model, at: ms.first, inferred: true });

  // features, cohorts, per-account e-values (they rest on the whole cohort, not on its
  // reference, so every decision round shares them)
  const feats = accs.map((a) => accountFeatures(a, releases));
  const eligible = accs.map((a) => a.n >= minRequests);
  const cohorts = buildCohorts(accs, feats, eligible);
  if ([...cohorts.info.values()].some((c) => c.accounts < MIN_COHORT))
    prepCaveats.push(
      `fewer than ${MIN_COHORT} scored accounts in a cohort: the smallest p-value an account can get is 1/(cohort size), so small logs give weak evidence`,
    );
  const eValues = accountEValues(accs, cohorts);

  // linkage
  const spanSlots = Number.isFinite(state.first)
    ? Math.max(1, Math.ceil((state.last - state.first) / SLOT_MS))
    : 1;
  const shared = sharedTemplates(accs, commonTemplateCap(N));
  const linkage = link(accs, spanSlots, shared);
  const attributedOf = attribution(accs, linkage, N);
  const balancedOf = balanceSearch(accs);
  const comps = new Map<number, number[]>();
  for (let i = 0; i < N; i++) {
    const r = linkage.uf.find(i);
    const list = comps.get(r);
    if (list === undefined) comps.set(r, [i]);
    else list.push(i);
  }
  const linked = new Uint8Array(N);
  for (const members of comps.values())
    if (members.length >= 2) for (const i of members) linked[i] = 1;

  const idxElig = accs.map((_, i) => i).filter((i) => eligible[i]);
  const medianRequests = quantile(
    idxElig.map((i) => accs[i]?.n ?? 0),
    0.5,
  );
  // the crowd bound reads the median of *all* accounts: the scored ones (≥ minRequests) are a
  // truncated sample whose median grows relative to the typical account as the window shrinks
  // (at 10% of the goal setting's log, 2.5× the median of all accounts against 1.3× over the
  // whole window), which would hold a young hydra at watch
  const medianAccount = quantile(
    accs.map((a) => a.n),
    0.5,
  );
  // allow-list
  const allowAcc = new Set(opts.allow?.accounts ?? []);
  const allowOrg = new Set(opts.allow?.orgs ?? []);
  const allowPay = new Set(opts.allow?.payments ?? []);
  const isAllowed = (a: AccountState): boolean =>
    allowAcc.has(a.id) ||
    (a.org !== undefined && allowOrg.has(a.org)) ||
    a.payments.some((p) => allowPay.has(p));
  const ctx: Decision = {
    idxElig,
    // unrelated accounts for control statistics, in a fixed pseudo-random order
    controlPool: idxElig
      .map((i) => ({ i, h: hashString(accs[i]?.id ?? '', 0x7f4a7c15) }))
      .sort((x, y) => x.h - y.h)
      .map((x) => x.i),
    isAllowed,
    licenceList: allowOrg.size > 0,
    medianRequests,
    lightCap: LIGHT_ACCOUNT_FACTOR * medianRequests,
    medianAccount,
    opts,
    fdr,
    minRequests,
    accs,
    feats,
    eligible,
    cohorts,
    eValues,
    linkage,
    attributedOf,
    balancedOf,
    comps,
    shared,
    releases,
    caveats: [...prepCaveats, ...dataCaveats(state, accs, releases)],
  };
  // Round 1 leaves nothing out. While a round alerts accounts at verify or above that the last
  // reference still held, the next round leaves them out of every cohort's reference (they are
  // not ordinary accounts of their volume). Under the global null, round 1 alerts nobody with
  // probability at least 1 − fdr and no further round runs, so the FDR guarantee is that of one
  // round; with alerts, later rounds keep other campaigns of the same cohort from hiding behind
  // the alerted ones (a dozen sweeps in the busiest cohort otherwise set each other's yardstick).
  let round = 1;
  let members = referenceMembers(cohorts, linked, new Uint8Array(N));
  let verdict: MonitorVerdict | undefined;
  let strong: Uint8Array;
  ({ verdict, strong } = decide(ctx, members, round));
  const maxRounds = Math.max(1, Math.floor(opts.maxRounds ?? MAX_REFERENCE_ROUNDS));
  while (round < maxRounds) {
    // a round whose references equal the last one's would repeat its verdict exactly
    const next = referenceMembers(cohorts, linked, strong);
    if (sameReferences(next, members)) break;
    members = next;
    round++;
    // let the last round's verdict (graphs, alerts, reasons) go before the next one is built
    // eslint-disable-next-line no-useless-assignment -- drops the reference for the collector
    verdict = undefined;
    ({ verdict, strong } = decide(ctx, members, round));
  }
  return verdict;
}

/**
 * What the log could not show, from the fields it carries (no token counts, sign-up times,
 * payment ids or addresses), the model releases in its window and the bounds hit while reading
 * it; and the campaign test's one modelling assumption. Decision rounds do not change them.
 */
function dataCaveats(
  state: MonitorState,
  accs: readonly AccountState[],
  releases: readonly Release[],
): string[] {
  const caveats: string[] = [];
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
  return caveats;
}

/** A model release: given, or inferred from the model's first appearance. */
interface Release {
  readonly model: string;
  readonly at: number;
  readonly inferred: boolean;
}

/** What every decision round shares: the log's accounts, their evidence and their linkage. */
interface Decision {
  /** Scored accounts (≥ minRequests), in account order. */
  readonly idxElig: readonly number[];
  /** The scored accounts in a fixed pseudo-random order, for control statistics. */
  readonly controlPool: readonly number[];
  /** Whether the allow-list names the account, its org or one of its payment ids. */
  readonly isAllowed: (a: AccountState) => boolean;
  /** Whether the allow-list names organisations (a licence list). */
  readonly licenceList: boolean;
  /** Median request count of the scored accounts. */
  readonly medianRequests: number;
  /** {@link LIGHT_ACCOUNT_FACTOR} × that median: accounts at or below it are light. */
  readonly lightCap: number;
  /** Median request count of all accounts of the log (the crowd bound's reference). */
  readonly medianAccount: number;
  readonly opts: AnalyzeOptions;
  readonly fdr: number;
  readonly minRequests: number;
  readonly accs: readonly AccountState[];
  readonly feats: readonly Float64Array[];
  readonly eligible: readonly boolean[];
  readonly cohorts: Cohorts;
  readonly eValues: ReturnType<typeof accountEValues>;
  readonly linkage: Linkage;
  readonly attributedOf: (root: number, members: readonly number[]) => ReadonlySet<number>;
  /** A flagged campaign's load-balanced set at a level, searched once per root (`balance.ts`). */
  readonly balancedOf: ReturnType<typeof balanceSearch>;
  /** Components of the linkage: root → members. */
  readonly comps: ReadonlyMap<number, readonly number[]>;
  readonly shared: ReturnType<typeof sharedTemplates>;
  readonly releases: readonly Release[];
  /** Caveats of the data and the cohorts, the same for every round. */
  readonly caveats: readonly string[];
}

/** One account's recommendation, merged over the campaigns it belongs to. */
interface AccountTier {
  tier: Tier;
  campaign: string;
  operator: string | null;
  score: number;
  lone: boolean;
  /** A lone member alone in its sign-up hour too (see `MemberTier.solo`): capped at watch. */
  solo: boolean;
  /** Capped at watch as one established organisation's operator (without a licence list). */
  org: string | null;
}

/**
 * One decision given each cohort's reference accounts ({@link MAX_REFERENCE_ROUNDS}): account
 * scores and conformal p-values against the references, the campaign tests and e-BH, each
 * campaign's tier and members' recommendations (`campaign.ts`), the watch list of unlinked
 * accounts, and the alerts. Returns the verdict and the accounts it alerts at verify or above.
 */
function decide(
  ctx: Decision,
  refMembers: ReadonlyMap<number, readonly number[]>,
  round: number,
): { verdict: MonitorVerdict; strong: Uint8Array } {
  const { opts, fdr, minRequests, accs, feats, eligible, cohorts, linkage, shared, releases } = ctx;
  const state = opts.state;
  const cohort = cohorts.of;
  const N = accs.length;
  const minTier = opts.minTier ?? 'verify';
  const minCampaignRequests = opts.minCampaignRequests ?? MIN_CAMPAIGN_REQUESTS;
  const includeSingletons = opts.includeSingletons ?? false;
  const { licenceList, idxElig, controlPool } = ctx;
  const refs = new Map<number, CohortReference>();
  for (const [c, members] of refMembers)
    refs.set(c, cohortReference(members, feats, FEATURES.length));
  const scores = scoreAccounts(refs, idxElig, cohort, feats, FEATURE_WEIGHTS);
  const { compPctOf } = scores;
  const reasonsOf = (i: number): Reason[] => {
    const c = cohort[i] ?? -1;
    return accountReasons(
      feats[i],
      cohorts.medians.get(c),
      ctx.eValues.evidence.get(i) ?? [],
      refs.get(c),
    );
  };

  let withoutFreshness: AccountScores | undefined;
  const { cands, rejected, thresholdLogE } = campaignTests(
    ctx.comps,
    eligible,
    cohort,
    refs,
    feats,
    scores,
    fdr,
    {
      linked: (root) => (linkage.evidence.get(root) ?? []).some((l) => l.kinds.includes('signup')),
      scores: () =>
        (withoutFreshness ??= scoreAccounts(
          refs,
          idxElig,
          cohort,
          feats,
          WEIGHTS_WITHOUT_FRESHNESS,
        )),
    },
  );

  const campaigns: CampaignFinding[] = [];
  /** Listed campaigns with a tier, whose graphs are drawn after the loop (index, members). */
  const graphed: { at: number; members: readonly number[] }[] = [];
  const tierOfAccount = new Map<number, AccountTier>();
  /** Members attributed by their own profile (`behaviourAttributed`), not by a tie. */
  const byProfile = new Set<number>();
  const sortedCands = cands.map((c, k) => ({ c, k })).sort((x, y) => x.c.log10P - y.c.log10P);
  // load balancing is tested in each flagged campaign: family-wise at LINK_FWER over them
  const balanceLevel = Math.log(LINK_FWER / Math.max(1, rejected.size));
  for (const { c, k } of sortedCands) {
    const flagged = rejected.has(k);
    const memberAccs = c.members
      .map((i) => accs[i])
      .filter((a): a is AccountState => a !== undefined);
    const ids = memberAccs.map((a) => a.id).sort();
    const id = `c-${(fmix32(ids.reduce((h, s) => combine(h, hashString(s)), 0x12345)) >>> 0).toString(16).padStart(8, '0')}`;
    const links = linkage.evidence.get(c.root) ?? [];
    const linkSummary = new Map<string, { kinds: string; groups: number; log10P: number }>();
    for (const l of links) {
      const cur = linkSummary.get(l.kinds);
      if (!cur) linkSummary.set(l.kinds, { ...l });
      else {
        cur.groups += l.groups;
        cur.log10P = Math.min(cur.log10P, l.log10P);
      }
    }
    const requests = memberAccs.reduce((s, a) => s + a.n, 0);
    let tier: Tier | null = null;
    let overlap = 0;
    let operators: CampaignFinding['operators'][number][] = [];
    const reasons: Reason[] = [];
    let balanced: BalancedSet | null = null;
    let linkOnly: LinkOnlyCap | null = null;
    if (flagged || c.log10P <= -3) {
      balanced = flagged ? ctx.balancedOf(c.root, c.scored, balanceLevel) : null;
      const t = campaignTier({
        accs,
        cohort,
        controlPool,
        candidate: c,
        memberAccs,
        flagged,
        links,
        linkSummary: linkSummary.values(),
        medianPercentile: quantile(
          c.scored.map((i) => compPctOf[i] ?? 0.5),
          0.5,
        ),
        requests,
        elicit: memberAccs.reduce((s, a) => s + (a.u[U.ELICIT_ANY] ?? 0), 0),
        minCampaignRequests,
        licenceList,
        balanced,
      });
      tier = t.tier;
      linkOnly = t.linkOnly;
      overlap = t.overlap;
      reasons.push(...t.reasons);
    }
    const score = Math.min(300, -c.log10P);
    if (tier !== null) {
      const m = attributeMembers(
        {
          accs,
          eligible,
          op: linkage.op,
          attributedOf: ctx.attributedOf,
          fdr,
          licenceList,
          medianAccount: ctx.medianAccount,
        },
        c,
        id,
        tier,
        flagged,
        memberAccs,
        balanced,
        linkOnly,
      );
      tier = m.tier;
      operators = m.operators;
      reasons.push(...m.reasons);
      for (const s of m.members) {
        if (s.byProfile) byProfile.add(s.i);
        const prev = tierOfAccount.get(s.i);
        if (!prev || tierIndex(prev.tier) < tierIndex(s.tier))
          tierOfAccount.set(s.i, {
            tier: s.tier,
            campaign: id,
            operator: s.operator,
            score,
            lone: s.lone,
            solo: s.solo,
            org: s.org,
          });
      }
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

  const watchlist = singletonFindings(ctx, scores, tierOfAccount, reasonsOf);
  const { alerts, strong, byTier, allowlistedSuppressed } = accountAlerts(
    ctx,
    scores,
    tierOfAccount,
    campaigns,
    byProfile,
    reasonsOf,
    watchlist,
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
    cohorts: [...cohorts.info.values()].sort((a, b) => a.id - b.id),
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
    caveats: [...ctx.caveats],
  };
  return { verdict, strong };
}

/**
 * Unlinked accounts and accounts no campaign recommends: per-account e-BH at `fdr` over their
 * e-values, and among those rejected the ones ranking within 1/√(cohort size) of the top of
 * their cohort. They are watch-listed; with `includeSingletons`, one ranking first in its cohort
 * (p · m ≤ 1) is recommended verify instead and entered in `tierOfAccount` with no campaign.
 * Returns the watch list, highest score first.
 */
function singletonFindings(
  ctx: Decision,
  scores: AccountScores,
  tierOfAccount: Map<number, AccountTier>,
  reasonsOf: (i: number) => Reason[],
): AccountFinding[] {
  const { accs, cohorts, fdr, idxElig, isAllowed } = ctx;
  const cohort = cohorts.of;
  const { accountP, compPctOf } = scores;
  const includeSingletons = ctx.opts.includeSingletons ?? false;
  const singles = idxElig.filter((i) => !tierOfAccount.has(i));
  const singleRejected = new Set(
    eBH(
      singles.map((i) => ctx.eValues.logE[i] ?? 0),
      fdr,
    ).map((k) => singles[k] ?? -1),
  );
  const watchlist: AccountFinding[] = [];
  for (const i of singles) {
    const p = accountP[i] ?? 1;
    const cohortSize = cohorts.info.get(cohort[i] ?? 0)?.accounts ?? 1;
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
        ...reasonsOf(i),
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
        solo: false,
        org: null,
      });
    else watchlist.push(f);
  }
  watchlist.sort((x, y) => y.score - x.score);
  return watchlist;
}

/**
 * The alerts: each recommended account's finding after the account-level caps (light account,
 * allow-list) with its reasons, the watch list extended by those below `minTier`, and each
 * campaign's tier lowered to the highest recommended for one of its members ("members-capped").
 * `campaigns` is updated in place; `watchlist` is appended to.
 */
function accountAlerts(
  ctx: Decision,
  scores: AccountScores,
  tierOfAccount: ReadonlyMap<number, AccountTier>,
  campaigns: CampaignFinding[],
  byProfile: ReadonlySet<number>,
  reasonsOf: (i: number) => Reason[],
  watchlist: AccountFinding[],
): {
  alerts: AccountFinding[];
  strong: Uint8Array;
  byTier: Record<Tier, number>;
  allowlistedSuppressed: number;
} {
  const { accs, isAllowed, medianRequests, lightCap } = ctx;
  const { accountP, compPctOf } = scores;
  const minTier = ctx.opts.minTier ?? 'verify';
  const strong = new Uint8Array(accs.length);
  const byTier: Record<Tier, number> = { watch: 0, verify: 0, throttle: 0, block: 0 };
  let allowlistedSuppressed = 0;
  const alerts: AccountFinding[] = [];
  /** Highest recommendation given to an account of each campaign (after every cap). */
  const topOfCampaign = new Map<string, Tier>();
  const campaignById = new Map<string, CampaignFinding>();
  for (const c of campaigns) if (!campaignById.has(c.id)) campaignById.set(c.id, c);
  for (const [i, t] of tierOfAccount) {
    const a = accs[i];
    if (!a) continue;
    const camp = campaignById.get(t.campaign);
    const reasons: Reason[] = [...(camp?.reasons.slice(0, 4) ?? []), ...reasonsOf(i)];
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
        text: `the only attributed account of its operator (no shared payment method, rare extraction wordings, or improbable overlap of range, schedule and template values ties it to another attributed member), signed up in an hour in which another operator's attributed accounts signed up${t.solo ? ', and no other such account did: a coincidence an unrelated account meets (listed at watch)' : ': recommended at most verify'}`,
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
  return { alerts, strong, byTier, allowlistedSuppressed };
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
