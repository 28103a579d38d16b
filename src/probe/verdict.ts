/**
 * The probe verdict: one plain, JSON-safe object that every rendering (terminal, `--json`, HTML,
 * a signed statement) reads and none recomputes. It carries the decision, the p-values it rests on
 * (fixed-design and anytime), per-family and per-control effect sizes, which controls could
 * calibrate the test, data-quality findings, the prompts that carried the most evidence, the
 * battery commitment and seed, the transcript digest and what the probe could not see.
 */
import type { BatterySpec, FamilyName } from './battery.js';
import type { PairedTestKind } from './statistics.js';
import type { TargetInfo } from './target.js';

/** Schema identifier of {@link ProbeVerdict}. */
export const VERDICT_SCHEMA = 'model-customs/probe-verdict/v1';

/** The three outcomes. */
export type ProbeDecision = 'derived-behaviour' | 'no-evidence' | 'inconclusive';

/** One paired comparison in JSON form. */
export interface ComparisonJson {
  readonly n: number;
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** Mean paired difference (similarity units) and its standard error. */
  readonly meanDiff: number;
  readonly stdErr: number;
  readonly test: PairedTestKind;
  readonly log10PValue: number;
  readonly log10E: number;
}

/** How S fared against one control in one family. */
export interface ControlResult {
  readonly control: string;
  /** Whether the control can calibrate the test (no other control is significantly closer to T). */
  readonly adequate: boolean;
  /** When not adequate: which control is closer to T than it is, and how strongly. */
  readonly beatenBy: { readonly control: string; readonly log10PValue: number } | null;
  /**
   * Whether some other control can serve as an independent reference for this one (it does not
   * lean towards this control), and which. Without one, the family cannot decide.
   */
  readonly calibrated: boolean;
  readonly calibratedBy: readonly string[];
  /** Mean similarity of S to T and of S to this control. */
  readonly simSuspectTeacher: number;
  readonly simSuspectControl: number;
  /** Mean similarity of this control to T (how close an independent model comes). */
  readonly simControlTeacher: number;
  /** "S is closer to T than to this control" (d = sim(S,T) − sim(S,C)). */
  readonly plain: ComparisonJson;
  /**
   * "S prefers T over this control more than control k does" (the tetrad difference
   * [sim(S,T) − sim(S,C)] − [sim(C_k,T) − sim(C_k,C)]), one per other control k.
   */
  readonly relative: readonly (ComparisonJson & { readonly via: string })[];
  /** Largest of the component p-values (all must reject), Holm-adjusted across controls. */
  readonly log10PValue: number;
  readonly log10PValueHolm: number;
}

/** One family's result. */
export interface FamilyResult {
  readonly family: FamilyName;
  readonly status: 'ok' | 'skipped' | 'unusable' | 'no-adequate-control' | 'uncalibrated';
  /** Why the family was skipped or unusable. */
  readonly reason: string | null;
  /** Prompts asked and prompts whose answers from every target were usable. */
  readonly prompts: number;
  readonly usable: number;
  readonly test: PairedTestKind;
  readonly controls: readonly ControlResult[];
  /** Intersection-union p-value over adequate controls (1 when none). */
  readonly log10PValue: number;
  /** ln-free: log10 of the family's e-value (min over adequate controls and components). */
  readonly log10E: number;
}

/** A prompt that carried evidence. */
export interface EvidenceItem {
  readonly family: FamilyName;
  readonly index: number;
  readonly template: string;
  readonly prompt: string;
  /** Paired difference against the binding control. */
  readonly diff: number;
  readonly control: string;
  readonly suspect: string;
  readonly teacher: string;
  readonly controlAnswer: string;
}

/** A data-quality finding. */
export interface DataIssue {
  readonly target: string;
  readonly kind:
    | 'target-changed'
    | 'served-model-changed'
    | 'empty-answers'
    | 'refusals'
    | 'nondeterministic'
    | 'logprobs-missing';
  readonly detail: string;
  /** Whether it makes the verdict inconclusive. */
  readonly blocking: boolean;
}

/** One point of the evidence history (after each round). */
export interface HistoryPoint {
  readonly queries: number;
  readonly log10E: number;
  readonly log10PFixed: number;
}

/** The verdict. */
export interface ProbeVerdict {
  readonly schema: typeof VERDICT_SCHEMA;
  readonly verdict: ProbeDecision;
  /** The reported p-value (may underflow to 0) and its log10 (never underflows). */
  readonly pValue: number;
  readonly log10PValue: number;
  readonly alpha: number;
  /** Suspect answers the analysis used (cached or fetched), the budget and whether it stopped early. */
  readonly queries: number;
  readonly budget: number;
  readonly stoppedEarly: boolean;
  readonly stopping: 'anytime' | 'fixed';
  /** The components of the reported p-value. */
  readonly log10PFixed: number;
  readonly log10PAnytime: number;
  readonly log10E: number;
  /** One line saying why. */
  readonly summary: string;
  readonly reasons: readonly string[];
  /** What this probe could not see or had to assume. */
  readonly limitations: readonly string[];
  readonly families: readonly FamilyResult[];
  /** Controls and whether they could calibrate (adequate in at least one usable family). */
  readonly controls: readonly { readonly label: string; readonly adequate: boolean }[];
  /** Equality test of S against T (is S the teacher itself?), from the kernel family. */
  readonly sameModel: {
    readonly tested: boolean;
    readonly log10PValue: number;
    /** Share of greedy short answers where S and T agree exactly. */
    readonly exactAgreement: number;
    readonly indistinguishable: boolean;
  };
  /** Model-level conformal rank of sim(S,T) among sim(C_j,T) (p ≥ 1/(k+1) by construction). */
  readonly modelLevel: { readonly rank: number; readonly of: number; readonly pValue: number };
  readonly evidence: readonly EvidenceItem[];
  readonly dataIssues: readonly DataIssue[];
  readonly history: readonly HistoryPoint[];
  /** Queries per target: answers used and those actually fetched (not from the cache). */
  readonly targets: {
    readonly suspect: TargetInfo;
    readonly teacher: TargetInfo;
    readonly controls: readonly TargetInfo[];
  };
  readonly usage: readonly {
    readonly label: string;
    readonly answers: number;
    readonly fetched: number;
  }[];
  readonly battery: {
    readonly commitment: string;
    /** Whether the commitment was published beforehand and checked against the seed. */
    readonly commitmentVerified: boolean;
    readonly seed: string;
    readonly spec: BatterySpec;
    readonly wordsVersion: number;
    readonly canaries: number;
    /** SHA-256 over the prompts actually asked, in order. */
    readonly digest: string;
  };
  /** SHA-256 over every (cache key, response digest) the analysis used. */
  readonly transcriptDigest: string;
  /** Recommended budget for the observed effect (suspect queries; null if not reachable). */
  readonly plan: { readonly budget: number | null; readonly power: number; readonly basis: string };
  readonly tool: { readonly name: 'model-customs'; readonly version: string };
  readonly startedAt: string;
  readonly finishedAt: string;
}
