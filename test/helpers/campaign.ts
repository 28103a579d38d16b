/**
 * Monitor campaign-test inputs: a flagged campaign of given accounts for `campaignTier`, and the
 * context and candidate `attributeMembers` reads, built without running the linkage.
 */
import type {
  AttributionContext,
  CampaignCandidate,
  TierInput,
} from '../../src/monitor/campaign.js';
import type { AccountState } from '../../src/monitor/state.js';

/**
 * A flagged campaign of all of `accs` (every member scored), p = 1e-12, tied by a shared payment
 * method, 1,000 requests material, no licence list; `over` overrides any field.
 */
export function tierInput(accs: readonly AccountState[], over: Partial<TierInput> = {}): TierInput {
  const idx = accs.map((_, i) => i);
  return {
    accs,
    cohort: accs.map(() => 0),
    controlPool: [],
    candidate: { root: 0, members: idx, scored: idx, ps: new Map(), log10P: -12, logE: 0 },
    memberAccs: accs,
    flagged: true,
    links: [{ kinds: 'payment' }],
    linkSummary: [{ kinds: 'payment', groups: 1, log10P: -6 }],
    medianPercentile: 0.9,
    requests: accs.reduce((s, a) => s + a.n, 0),
    elicit: 0,
    minCampaignRequests: 1000,
    licenceList: false,
    balanced: null,
    ...over,
  };
}

/**
 * `attributeMembers`' context for `accs`: every account eligible and attributed by its links,
 * operators given by `find` (account index → operator root), FDR 0.01, no licence list.
 */
export function attributionContext(
  accs: readonly AccountState[],
  find: (i: number) => number,
): AttributionContext {
  return {
    accs,
    eligible: accs.map(() => true),
    op: { parent: new Int32Array(accs.length), find, union: () => undefined },
    attributedOf: () => new Set(accs.map((_, i) => i)),
    fdr: 0.01,
    licenceList: false,
    medianAccount: 10,
  };
}

/** A campaign of all of `accs`, each member's p-value against its cohort `p`. */
export function candidateOf(
  accs: readonly AccountState[],
  p: number,
  log10P: number,
  logE: number,
): CampaignCandidate {
  const idx = accs.map((_, i) => i);
  return {
    root: 0,
    members: idx,
    scored: idx,
    ps: new Map(idx.map((i) => [i, p] as const)),
    log10P,
    logE,
  };
}
