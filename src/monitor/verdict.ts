/**
 * The monitor's verdict: recommendations, reasons, account and campaign findings, and the text
 * helpers every part of the analysis formats them with. Types only depend on lower layers
 * (ingest, record, linkage), so the analysis modules (`cohorts.ts`, `campaign.ts`, `graph.ts`,
 * `analyze.ts`) and the renderers (`report.ts`) share them without an import cycle.
 */
import type { FileProblem } from './ingest.js';
import type { LinkKind } from './linkage.js';
import type { MalformedLine } from './record.js';

/** Graduated recommendations, weakest first. */
export const TIERS = ['watch', 'verify', 'throttle', 'block'] as const;
/** One recommendation. */
export type Tier = (typeof TIERS)[number];

/** Position of a recommendation in {@link TIERS} (higher = stronger). */
export function tierIndex(t: Tier): number {
  return TIERS.indexOf(t);
}

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
  /** Against a previous run's alerts (`changes.ts`), when one was given. */
  readonly change?: {
    readonly kind: AlertChange;
    /** The account's recommendation in the previous alerts, or null when it was not alerted. */
    readonly previous: Tier | null;
  };
}

/**
 * An alert against a previous run's alerts: `new` (not alerted then), `raised` or `lowered`
 * (a stronger or weaker recommendation than then), `same`.
 */
export type AlertChange = 'new' | 'raised' | 'lowered' | 'same';

/** A run's alerts against a previous run's alerts file (`customs monitor --previous`). */
export interface AlertChanges {
  readonly previous: {
    readonly file: string;
    /** sha256 of the previous alerts file, hex. */
    readonly digest: string;
    /** Accounts alerted in it. */
    readonly alerts: number;
  };
  /** Alerts by change, and `dropped`: accounts alerted then and not now. */
  readonly counts: Readonly<Record<AlertChange | 'dropped', number>>;
  /**
   * Dropped accounts (at most `MAX_DROPPED_LISTED`, `changes.ts`, in id order) with their
   * previous recommendation and their tier now when they are on the watch list (else null).
   */
  readonly dropped: readonly {
    readonly account: string;
    readonly previous: Tier;
    readonly now: Tier | null;
  }[];
  /**
   * Each campaign of this run with a recommendation, and the previous run's campaigns its
   * accounts were alerted in (at most `MAX_PREVIOUS_CAMPAIGNS`, `changes.ts`, largest share
   * first; empty: a new campaign).
   */
  readonly campaigns: readonly {
    readonly id: string;
    readonly previous: readonly { readonly id: string; readonly accounts: number }[];
  }[];
}

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
     * the number of its accounts holding each: what to act on (at most `MAX_OPERATOR_TIES`, `graph.ts`).
     * A sign-up hour is listed as a fact; it never joins an operator.
     */
    readonly ties: readonly {
      readonly kind: LinkKind;
      readonly value: string;
      readonly accounts: number;
    }[];
  }[];
  /** Members (at most `MAX_GRAPH_MEMBERS`, `graph.ts`) and the attributes two or more of them share. */
  readonly graph: {
    readonly nodes: readonly {
      readonly id: string;
      readonly kind: 'account' | LinkKind;
      readonly label: string;
    }[];
    readonly edges: readonly { readonly from: string; readonly to: string }[];
  };
}

/** Request range and size of one cohort (accounts of similar volume, `cohorts.ts`). */
export interface CohortInfo {
  readonly id: number;
  readonly minRequests: number;
  readonly maxRequests: number;
  readonly accounts: number;
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
    /** Decision rounds run (`MAX_REFERENCE_ROUNDS`, `analyze.ts`): 1 when no round alerted anyone new. */
    readonly referenceRounds: number;
  };
  readonly releases: readonly {
    readonly model: string;
    readonly at: string;
    readonly inferred: boolean;
  }[];
  readonly cohorts: readonly CohortInfo[];
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
  /** Set by `compareAlerts` (`changes.ts`) when a previous run's alerts were given. */
  readonly changes?: AlertChanges;
}

/** Accounts, orgs and payment ids with a licence for bulk use: never alerted on. */
export interface Allowlist {
  readonly accounts?: readonly string[];
  readonly orgs?: readonly string[];
  readonly payments?: readonly string[];
}

/** Format a log10 p-value for text ("3.2e-14"). */
export function formatLog10(log10p: number): string {
  if (!Number.isFinite(log10p)) return log10p < 0 ? '0' : '1';
  if (log10p > -3) return (10 ** log10p).toPrecision(2);
  const e = Math.floor(log10p);
  return `${(10 ** (log10p - e)).toFixed(1)}e${e}`;
}

/** An epoch-ms time as ISO text, or null when it is not finite (an empty log). */
export function iso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** A share as a percentage for reasons' text (one decimal below 10%). */
export function fmtPct(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
}

/** Code-unit order of strings (locale-independent, as ids are compared everywhere here). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
