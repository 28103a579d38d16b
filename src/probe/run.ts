/**
 * `runProbe`: the library verb behind `customs probe`. Asks the committed battery of every target
 * (suspect, teacher, controls) through the response cache, round by round; after each round it
 * updates the paired statistics and e-values, checks the sentinels for an endpoint that changed,
 * and stops early when the anytime evidence suffices. Returns a {@link ProbeVerdict}.
 *
 * Statistical design (see statistics.ts and docs/probe.md):
 *  1. per family and control j, "S is closer to T than to C_j" (paired, per prompt);
 *  2. per family and pair of controls, "C_k is closer to T than C_j is": when that is
 *     significant, C_j is a poorer stand-in for an independent model of T's kind than C_k (trained
 *     on other data, or simply weaker), so it is set aside as *inadequate* — with it, any
 *     competent suspect would look closer to T than to C_j. The control closest to T is never set
 *     aside; if several are comparable, all stay;
 *  3. for every adequate control j, S must also prefer T over C_j more than each other control k
 *     does (the tetrad difference [sim(S,T) − sim(S,C_j)] − [sim(C_k,T) − sim(C_k,C_j)]): under
 *     the model "each model = shared signal + its own independent idiosyncrasy" the preference of
 *     an independent model for T over C_j is the same whoever holds it, so the difference is
 *     centred at zero however much better or worse the models are. A control j is *calibrated*
 *     only when some other control k can serve as that independent reference: k must not be
 *     significantly closer to C_j than to T (a relative of C_j — its fine-tune, its sibling —
 *     leans towards C_j and would make the difference too easy). An uncalibrated adequate
 *     control blocks the family: one peculiar control, with nothing to show how peculiar it is,
 *     would make every independent suspect look closer to T;
 *  4. derived ⇔ S beats every adequate control on every component (intersection-union test).
 */
import { randomBytes } from 'node:crypto';
import { TOOL_VERSION } from '../version.js';
import { fisherCombine, holmAdjust, hypergeometricSf, toP, type PValue } from '../stats/index.js';
import {
  Battery,
  DEFAULT_SPEC,
  FAMILIES,
  MAX_BUDGET,
  checkSeed,
  checkSpec,
  verifyCommitment,
  type BatterySpec,
  type Canary,
  type FamilyName,
  type ProbeItem,
} from './battery.js';
import {
  cachedTarget,
  openCache,
  type CacheMode,
  type CachedTarget,
  type ResponseCache,
} from './cache.js';
import { ProbeError } from './errors.js';
import {
  FAMILY_TEST,
  answerFlags,
  canaryHits,
  kernelMatrix,
  mmdUnbiased,
  queriesPerPrompt,
  similarityMatrix,
  usable,
  type TargetAnswers,
} from './families.js';
import { canonicalJson, SeededStream, sha256Hex } from './hash.js';
import { planFromPilot } from './planner.js';
import { normalizeText } from './similarity.js';
import { PairedAccumulator, anytimePValue, combineFamilies } from './statistics.js';
import type { ProbeResponse, ProbeTarget, TargetInfo } from './target.js';
import { openTarget } from './targets.js';
import {
  VERDICT_SCHEMA,
  type ComparisonJson,
  type ControlResult,
  type DataIssue,
  type EvidenceItem,
  type FamilyResult,
  type HistoryPoint,
  type ProbeDecision,
  type ProbeVerdict,
} from './verdict.js';
import { WORDS_VERSION } from './words.js';

/** Default suspect-query budget (the issue's goal: decide within 2,000 queries). */
export const DEFAULT_BUDGET = 2000;
/** Smallest budget that leaves room for sentinels and a few prompts per family. */
export const MIN_BUDGET = 40;
/** Most controls (the pairwise and tetrad components grow as k²). */
export const MAX_CONTROLS = 16;
/** Default level for a `derived-behaviour` verdict. */
export const DEFAULT_ALPHA = 1e-3;
/**
 * A control is set aside when another control is closer to the teacher at this level. Strict,
 * because setting aside a comparable control by chance would leave poorer ones; a weak or
 * mismatched control is usually beaten by many orders of magnitude.
 */
export const ADEQUACY_ALPHA = 1e-3;
/**
 * A control k can calibrate control j only if it shows no sign of leaning towards j (being closer
 * to j than to T) at this deliberately lax level: a placebo that leans is a relative of j, and a
 * relative makes the tetrad too easy. Lax errs on the safe side — a discarded placebo costs power,
 * never validity.
 */
export const LEAN_ALPHA = 0.05;
/** Above this p-value (and below `alpha`) the result is called suggestive, hence inconclusive. */
export const SUGGESTIVE_P = 0.05;
/** A target whose answers are empty for more than this share of a family's prompts makes it unusable. */
export const MAX_UNUSABLE_SHARE = 0.5;
/** Evaluation rounds per run (evidence history points and early-stopping looks). */
export const DEFAULT_ROUNDS = 20;
/** Sentinel check level: a checkpoint whose mismatches exceed the repeat's at this level flags a change. */
export const CHANGE_ALPHA = 1e-3;
/** Evidence prompts kept in the verdict. */
export const EVIDENCE_ITEMS = 12;
/** Characters of each answer kept in evidence items. */
export const EVIDENCE_CHARS = 240;
/** Permutations of the equality (same-model) test. */
export const EQUALITY_PERMUTATIONS = 200;
/**
 * The suspect is reported indistinguishable from the teacher only when the equality test does not
 * reject at this level — an ordinary 5% test, because "indistinguishable" is a description of the
 * data, never evidence against anyone, and a lax level errs towards saying "distinguishable"...
 */
export const SAME_MODEL_P = 0.05;
/**
 * ...and at least this share of greedy short answers agree exactly: the same weights under another
 * sampling seed answer greedily alike (up to the serving stack's nondeterminism), whereas a
 * distilled or fine-tuned model, however close, drifts on some prompts.
 */
export const SAME_MODEL_AGREEMENT = 0.95;
/**
 * Kernel prompts (usable from S and T) the equality test needs: fewer leave a permutation test
 * over a handful of 4-sample sets with too few distinct permutations to say anything. An anytime
 * run that could stop earlier waits for them (see the round loop), so that a run which stops on
 * strong evidence still reports whether the suspect is the teacher itself.
 */
export const EQUALITY_MIN_PROMPTS = 8;

/** Progress reported after each round. */
export interface ProbeProgress {
  readonly round: number;
  readonly rounds: number;
  readonly queries: number;
  readonly budget: number;
  readonly log10E: number;
  readonly log10PFixed: number;
}

/** Options of {@link runProbe}. */
export interface ProbeOptions {
  /** Target specs (see targets.ts) or opened targets. */
  readonly suspect: string | ProbeTarget;
  readonly teacher: string | ProbeTarget;
  readonly controls: readonly (string | ProbeTarget)[];
  /** Most suspect queries (default {@link DEFAULT_BUDGET}). */
  readonly budget?: number;
  /** 64 hex digits; default a fresh random seed (then the commitment is made at run time). */
  readonly seed?: string;
  /** Commitment published before the run; checked against seed and spec. */
  readonly commitment?: string;
  /** Overrides of the default battery spec. */
  readonly spec?: Partial<BatterySpec>;
  /** Canaries and the SHA-256 of the file they came from. */
  readonly canaries?: { readonly items: readonly Canary[]; readonly digest: string };
  /** Cache file path or an open cache (default an in-memory cache). */
  readonly cache?: string | ResponseCache;
  readonly cacheMode?: CacheMode;
  readonly alpha?: number;
  /** `anytime` (default) stops when the e-value suffices; `fixed` always spends the budget. */
  readonly stopping?: 'anytime' | 'fixed';
  /** Run only these families. */
  readonly families?: readonly FamilyName[];
  /** Requests in flight at once (remote targets). */
  readonly concurrency?: number;
  readonly rounds?: number;
  readonly onProgress?: (p: ProbeProgress) => void;
  readonly signal?: AbortSignal;
  /** Environment for API keys (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run local models given as specs in worker threads (parallel generation; default true). */
  readonly workers?: boolean;
  /** Compute the budget plan (a bootstrap; default true). */
  readonly plan?: boolean;
}

interface FamilyState {
  readonly family: FamilyName;
  readonly allocated: number;
  asked: number;
  usableCount: number;
  readonly test: 'mcnemar' | 'wilcoxon';
  /** plain[j]: S vs control j. */
  readonly plain: PairedAccumulator[];
  /** closer[k][j]: "control k is closer to T than control j is" (k ≠ j). */
  readonly closer: (PairedAccumulator | null)[][];
  /** leans[k][j]: "control k is closer to control j than to T" (k looks related to j). */
  readonly leans: (PairedAccumulator | null)[][];
  /** Sum of sim(C_j, T) over usable prompts, per control. */
  readonly simCT: number[];
  /** tetrad[j][k]: S's preference for T over C_j minus C_k's. */
  readonly tetrad: (PairedAccumulator | null)[][];
  /** Per usable item: the paired difference against each control, for evidence. */
  readonly items: { item: ProbeItem; diffs: number[]; texts: string[] }[];
  /** Targets' empty / refusal counts. */
  readonly empty: number[];
  readonly refusals: number[];
  disabled: string | null;
  /** Equality test material (kernel): per item the kernel matrix of S's and T's samples. */
  readonly equality: { k: number[][]; a: number[]; b: number[] }[];
  /** Exact agreement of S and T on short answers. */
  exactAgree: number;
  exactTotal: number;
}

/**
 * Run tasks with at most `limit` in flight. After the first failure no new task starts, the
 * others are told to stop (`onFail`), and the call waits for every task in flight to settle
 * before rethrowing: nothing keeps querying an endpoint or writing the cache after a run fails.
 */
async function pool<T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
  onFail?: () => void,
): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  let failure: { e: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null) {
      const i = next++;
      if (i >= tasks.length) return;
      const t = tasks[i];
      if (!t) continue;
      try {
        out[i] = await t();
      } catch (e) {
        if (failure === null) {
          failure = { e };
          onFail?.();
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (failure !== null) throw (failure as { e: unknown }).e;
  return out;
}

function compJson(a: PairedAccumulator): ComparisonJson {
  const s = a.summary();
  return {
    n: s.n,
    wins: s.wins,
    losses: s.losses,
    ties: s.ties,
    meanDiff: s.meanDiff,
    stdErr: s.stdErr,
    test: s.test,
    log10PValue: s.pValue.log10,
    log10E: a.logE / Math.LN10,
  };
}

function uniqueLabels(infos: readonly TargetInfo[]): string[] {
  const seen = new Map<string, number>();
  return infos.map((t) => {
    const n = (seen.get(t.label) ?? 0) + 1;
    seen.set(t.label, n);
    return n === 1 ? t.label : `${t.label} (${n})`;
  });
}

function clip(s: string): string {
  return s.length > EVIDENCE_CHARS ? `${s.slice(0, EVIDENCE_CHARS)}…` : s;
}

/** Split a budget of suspect queries over families (prompts per family). */
export function allocate(
  budget: number,
  families: readonly FamilyName[],
  spec: BatterySpec,
  canaries: number,
  overhead: number,
): Record<FamilyName, number> {
  const out: Record<FamilyName, number> = { short: 0, logprob: 0, canary: 0, style: 0, kernel: 0 };
  let left = budget - overhead;
  if (families.includes('canary')) {
    out.canary = Math.min(canaries, Math.max(0, Math.floor(left / 2)));
    left -= out.canary;
  }
  const rest = families.filter((f): f is Exclude<FamilyName, 'canary'> => f !== 'canary');
  const wsum = rest.reduce((s, f) => s + spec.weights[f], 0);
  if (wsum <= 0) return out;
  for (const f of rest)
    out[f] = Math.max(
      0,
      Math.floor((left * spec.weights[f]) / wsum / queriesPerPrompt(f, spec.kernelSamples)),
    );
  return out;
}

/** Number of sentinel prompts for a budget: about 1.5% of it, between 4 and 32. */
export function sentinelCount(budget: number): number {
  return Math.max(4, Math.min(32, Math.floor(budget / 64)));
}

/** Run the probe. */
export async function runProbe(opts: ProbeOptions): Promise<ProbeVerdict> {
  const startedAt = new Date().toISOString();
  const budget = opts.budget ?? DEFAULT_BUDGET;
  if (!Number.isInteger(budget) || budget < MIN_BUDGET || budget > MAX_BUDGET)
    throw new ProbeError(
      'BAD_OPTION',
      `budget must be an integer in [${MIN_BUDGET}, ${MAX_BUDGET}]`,
      {
        where: { field: 'budget' },
      },
    );
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 0.5))
    throw new ProbeError('BAD_OPTION', 'alpha must be in (0, 0.5)', { where: { field: 'alpha' } });
  if (opts.controls.length === 0)
    throw new ProbeError('BAD_OPTION', 'at least one control is needed (two to calibrate)', {
      where: { field: 'controls' },
    });
  if (opts.controls.length > MAX_CONTROLS)
    throw new ProbeError('BAD_OPTION', `at most ${MAX_CONTROLS} controls`, {
      where: { field: 'controls' },
    });
  const rounds = opts.rounds ?? DEFAULT_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1000)
    throw new ProbeError('BAD_OPTION', 'rounds must be in [1, 1000]', {
      where: { field: 'rounds' },
    });
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new ProbeError('BAD_OPTION', 'concurrency must be in [1, 64]', {
      where: { field: 'concurrency' },
    });
  const stopping = opts.stopping ?? 'anytime';
  const spec = checkSpec({
    ...DEFAULT_SPEC,
    ...opts.spec,
    weights: { ...DEFAULT_SPEC.weights, ...(opts.spec?.weights ?? {}) },
    canaryDigest: opts.canaries ? opts.canaries.digest : null,
  });
  const seed = checkSeed(opts.seed ?? randomBytes(32).toString('hex'));
  if (opts.commitment !== undefined) verifyCommitment(seed, spec, opts.commitment);
  const battery = new Battery(seed, spec, opts.canaries?.items ?? []);

  // Open targets (those given as specs are ours to close).
  const owned: ProbeTarget[] = [];
  const open = async (t: string | ProbeTarget): Promise<ProbeTarget> => {
    if (typeof t !== 'string') return t;
    const o = await openTarget(t, opts.env, { worker: opts.workers ?? true });
    owned.push(o);
    return o;
  };
  const ownedCache = typeof opts.cache !== 'object';
  let cache: ResponseCache | null = null;
  try {
    const raw = [await open(opts.suspect), await open(opts.teacher)];
    for (const c of opts.controls) raw.push(await open(c));
    const ids = raw.map((t) => t.info.id);
    for (let j = 2; j < ids.length; j++) {
      if (ids[j] === ids[1])
        throw new ProbeError('BAD_TARGET', `control ${raw[j]?.info.label} is the teacher itself`, {
          where: { field: 'controls' },
        });
      if (ids[j] === ids[0])
        throw new ProbeError('BAD_TARGET', `control ${raw[j]?.info.label} is the suspect itself`, {
          where: { field: 'controls' },
        });
      if (ids.indexOf(ids[j] as string) !== j)
        throw new ProbeError('BAD_TARGET', `control ${raw[j]?.info.label} is given twice`, {
          where: { field: 'controls' },
        });
    }
    cache = typeof opts.cache === 'object' ? opts.cache : openCache(opts.cache ?? ':memory:');
    const mode = opts.cacheMode ?? 'use';
    const targets: CachedTarget[] = raw.map((t) => cachedTarget(t, cache as ResponseCache, mode));
    return await probeLoop({
      targets,
      labels: uniqueLabels(raw.map((t) => t.info)),
      battery,
      spec,
      seed,
      budget,
      alpha,
      stopping,
      rounds,
      concurrency,
      commitmentVerified: opts.commitment !== undefined,
      plan: opts.plan ?? true,
      families: opts.families ?? FAMILIES,
      startedAt,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    for (const t of owned) await t.close();
    if (ownedCache && cache) cache.close();
  }
}

interface LoopArgs {
  targets: CachedTarget[];
  labels: string[];
  battery: Battery;
  spec: BatterySpec;
  seed: string;
  budget: number;
  alpha: number;
  stopping: 'anytime' | 'fixed';
  rounds: number;
  concurrency: number;
  commitmentVerified: boolean;
  plan: boolean;
  families: readonly FamilyName[];
  startedAt: string;
  onProgress?: (p: ProbeProgress) => void;
  signal?: AbortSignal;
}

async function probeLoop(a: LoopArgs): Promise<ProbeVerdict> {
  const { targets, labels, battery, spec } = a;
  const nT = targets.length;
  const k = nT - 2;
  const controlLabels = labels.slice(2);
  const issues: DataIssue[] = [];
  const limitations: string[] = [];

  // Which families can run.
  const wanted = FAMILIES.filter((f) => a.families.includes(f));
  const skipped = new Map<FamilyName, string>();
  if (wanted.includes('canary') && battery.canaries.length === 0)
    skipped.set('canary', 'no canary file was given');
  if (wanted.includes('logprob')) {
    const noLp = targets.filter((t) => !t.info.logprobs || t.info.maxTopLogprobs < 2);
    if (noLp.length > 0)
      skipped.set(
        'logprob',
        `${noLp.map((t) => t.info.label).join(', ')} offer${noLp.length === 1 ? 's' : ''} no log-probabilities`,
      );
  }
  for (const f of FAMILIES) if (!wanted.includes(f)) skipped.set(f, 'not requested');
  let active = wanted.filter((f) => !skipped.has(f));
  const topK = Math.min(
    spec.logprobParams.topLogprobs ?? 0,
    ...targets.map((t) => (t.info.logprobs ? t.info.maxTopLogprobs : 0)),
  );
  const lpParams = { ...spec.logprobParams, topLogprobs: Math.max(2, topK) };

  // Sentinels: the first K short-answer prompts, re-asked (repeat now, then at checkpoints).
  const sentinelFamily: FamilyName | null = active.includes('short')
    ? 'short'
    : active.includes('logprob')
      ? 'logprob'
      : null;
  const K = sentinelFamily ? sentinelCount(a.budget) : 0;
  const checkpoints = [Math.ceil(a.rounds / 2), a.rounds];
  const overhead = K * (1 + checkpoints.length);
  if (!sentinelFamily)
    limitations.push('no greedy family ran, so endpoint changes mid-run were not checked');

  const alloc = allocate(a.budget, active, spec, battery.canaries.length, overhead);
  for (const f of active)
    if (alloc[f] < 8) {
      skipped.set(f, `the budget leaves only ${alloc[f]} prompts`);
    }
  active = active.filter((f) => !skipped.has(f));
  if (sentinelFamily && alloc[sentinelFamily] < K) alloc[sentinelFamily] = K;

  const states = new Map<FamilyName, FamilyState>();
  for (const f of active) {
    const test = FAMILY_TEST[f];
    states.set(f, {
      family: f,
      allocated: alloc[f],
      asked: 0,
      usableCount: 0,
      test,
      plain: controlLabels.map((c) => new PairedAccumulator(c, test)),
      simCT: new Array<number>(controlLabels.length).fill(0),
      leans: controlLabels.map((_, kk) =>
        controlLabels.map((c, j) =>
          kk === j || f === 'canary' ? null : new PairedAccumulator(c, test),
        ),
      ),
      closer: controlLabels.map((_, kk) =>
        controlLabels.map((c, j) =>
          kk === j || f === 'canary' ? null : new PairedAccumulator(c, test),
        ),
      ),
      tetrad: controlLabels.map((_, j) =>
        controlLabels.map((c, kk) =>
          kk === j || f === 'canary' ? null : new PairedAccumulator(c, test),
        ),
      ),
      items: [],
      empty: new Array<number>(nT).fill(0),
      refusals: new Array<number>(nT).fill(0),
      disabled: null,
      equality: [],
      exactAgree: 0,
      exactTotal: 0,
    });
  }

  const suspectAnswers = (): number => {
    const s = targets[0];
    return s ? s.transcript.length : 0;
  };

  const servedModels: Set<string>[] = targets.map(() => new Set<string>());
  // One controller for the run: the caller's signal, or the first failure, stops every request.
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort();
  a.signal?.addEventListener('abort', onCallerAbort, { once: true });
  /** Ask every target every item (all in one pool); answers per item, per target. */
  const askMany = async (
    items: readonly ProbeItem[],
    slot?: string,
  ): Promise<TargetAnswers[][]> => {
    const tasks: (() => Promise<ProbeResponse>)[] = [];
    const shape: { samples: number; start: number }[] = [];
    for (const item of items) {
      const params = item.family === 'logprob' ? lpParams : item.params;
      const samples = item.family === 'kernel' ? spec.kernelSamples : 1;
      shape.push({ samples, start: tasks.length });
      for (const t of targets)
        for (let s = 0; s < samples; s++) {
          const p = samples > 1 ? { ...params, seed: ((params.seed ?? 0) + s) >>> 0 } : params;
          tasks.push(() =>
            t.complete({ prompt: item.prompt, params: p, ...(slot ? { slot } : {}) }, stop.signal),
          );
        }
    }
    const res = await pool(tasks, a.concurrency, () => stop.abort());
    return shape.map(({ samples, start }) =>
      targets.map((_, ti) => {
        const responses = res.slice(start + ti * samples, start + (ti + 1) * samples);
        for (const r of responses) if (r.servedModel) servedModels[ti]?.add(r.servedModel);
        return { responses };
      }),
    );
  };

  // Sentinel bookkeeping.
  const sentinelItems: ProbeItem[] = [];
  const sentinelFirst: string[][] = [];
  let sentinelRepeatMismatch: number[] = new Array<number>(nT).fill(0);
  const sentinelKey = (r: ProbeResponse): string =>
    sentinelFamily === 'logprob'
      ? (r.logprobs?.[0]?.top ?? []).map((t) => t.token).join('\u0000')
      : normalizeText(r.text);
  let changed = false;

  const ingest = (st: FamilyState, item: ProbeItem, ans: TargetAnswers[]): void => {
    st.asked++;
    ans.forEach((x, ti) => {
      const fl = answerFlags(st.family, x);
      if (fl.empty) (st.empty[ti] as number)++;
      if (fl.refusal) (st.refusals[ti] as number)++;
    });
    if (!ans.every((x) => usable(st.family, x))) return;
    st.usableCount++;
    // What a reader should see as each target's answer: the text, or for log-probabilities the
    // leading candidates with their probabilities.
    const texts = ans.map((x) =>
      st.family === 'logprob'
        ? (x.responses[0]?.logprobs?.[0]?.top ?? [])
            .slice(0, 4)
            .map((t) => `${JSON.stringify(t.token)} ${Math.exp(t.logprob).toFixed(2)}`)
            .join(', ')
        : x.responses.map((r) => r.text).join('\n—\n'),
    );
    if (st.family === 'canary') {
      const hits = canaryHits(item, ans);
      const hs = hits[0] ?? 0;
      const diffs: number[] = [];
      for (let j = 0; j < k; j++) {
        const hc = hits[j + 2] ?? 0;
        st.plain[j]?.addDiff(hs - hc, hs, hc);
        diffs.push(hs - hc);
      }
      st.items.push({ item, diffs, texts });
      return;
    }
    const sim = similarityMatrix(st.family, ans);
    const s = (i: number, j: number): number => sim[i]?.[j] ?? 0;
    const diffs: number[] = [];
    for (let j = 0; j < k; j++) {
      st.simCT[j] = (st.simCT[j] ?? 0) + s(j + 2, 1);
      st.plain[j]?.add(s(0, 1), s(0, j + 2));
      diffs.push(s(0, 1) - s(0, j + 2));
      for (let kk = 0; kk < k; kk++) {
        if (kk === j) continue;
        // is control kk closer to T than control j is? closer to control j than to T?
        st.closer[kk]?.[j]?.add(s(kk + 2, 1), s(j + 2, 1));
        st.leans[kk]?.[j]?.add(s(kk + 2, j + 2), s(kk + 2, 1));
        const dS = s(0, 1) - s(0, j + 2);
        const dK = s(kk + 2, 1) - s(kk + 2, j + 2);
        st.tetrad[j]?.[kk]?.addDiff((dS - dK) / 2, s(0, 1), s(0, j + 2));
      }
    }
    st.items.push({ item, diffs, texts });
    if (st.family === 'short') {
      st.exactTotal++;
      if (
        normalizeText(ans[0]?.responses[0]?.text ?? '') ===
        normalizeText(ans[1]?.responses[0]?.text ?? '')
      )
        st.exactAgree++;
    }
    if (st.family === 'kernel') {
      const sa = (ans[0]?.responses ?? []).map((r) => r.text);
      const ta = (ans[1]?.responses ?? []).map((r) => r.text);
      const km = kernelMatrix([...sa, ...ta]);
      st.equality.push({
        k: km,
        a: sa.map((_, i) => i),
        b: ta.map((_, i) => sa.length + i),
      });
    }
  };

  /**
   * Pairs "k:j" where control k leans towards control j (closer to j than to T). Relatedness is a
   * property of the two models, not of a family, so the evidence of every family is pooled
   * (Fisher; the families use disjoint prompts) before the lax {@link LEAN_ALPHA} test.
   */
  let leanCache: { at: number; set: Set<string> } | null = null;
  const leaning = (): Set<string> => {
    let asked = 0;
    for (const st of states.values()) asked += st.usableCount;
    if (leanCache && leanCache.at === asked) return leanCache.set;
    const set = new Set<string>();
    for (let kk = 0; kk < k; kk++)
      for (let j = 0; j < k; j++) {
        if (kk === j) continue;
        const ps: PValue[] = [];
        for (const st of states.values()) {
          const le = st.leans[kk]?.[j];
          if (le && le.n >= 8 && !st.disabled) ps.push(le.summary().pValue);
        }
        if (ps.length > 0 && fisherCombine(ps).log10 <= Math.log10(LEAN_ALPHA))
          set.add(`${kk}:${j}`);
      }
    leanCache = { at: asked, set };
    return set;
  };

  // Family e-values and p-values from current state.
  const familyStats = (
    st: FamilyState,
  ): {
    controls: ControlResult[];
    log10P: number;
    logE: number;
    status: 'ok' | 'no-adequate-control' | 'uncalibrated';
  } => {
    const controls: ControlResult[] = [];
    const perControlP: PValue[] = [];
    const perControlLogE: number[] = [];
    const adequate: boolean[] = [];
    const calibrated: boolean[] = [];
    for (let j = 0; j < k; j++) {
      // Placebos that can stand for an independent model: not leaning towards C_j.
      const calibratedBy: string[] = [];
      for (let kk = 0; kk < k; kk++) {
        if (kk === j) continue;
        if (!leaning().has(`${kk}:${j}`)) calibratedBy.push(controlLabels[kk] ?? '');
      }
      calibrated.push(st.family === 'canary' || calibratedBy.length > 0);
      let beatenBy: ControlResult['beatenBy'] = null;
      for (let kk = 0; kk < k; kk++) {
        const pl = st.closer[kk]?.[j];
        if (!pl || pl.n === 0) continue;
        const p = pl.summary().pValue.log10;
        if (p <= Math.log10(ADEQUACY_ALPHA) && (!beatenBy || p < beatenBy.log10PValue))
          beatenBy = { control: controlLabels[kk] ?? '', log10PValue: p };
      }
      adequate.push(beatenBy === null);
      const pj = st.plain[j];
      const plainS = pj ? pj.summary() : null;
      const relative: (ComparisonJson & { via: string })[] = [];
      let pMax = plainS ? plainS.pValue.log10 : 0;
      let eMin = pj ? pj.logE : 0;
      for (let kk = 0; kk < k; kk++) {
        const t = st.tetrad[j]?.[kk];
        if (!t) continue;
        const c = compJson(t);
        relative.push({ ...c, via: controlLabels[kk] ?? '' });
        pMax = Math.max(pMax, c.log10PValue);
        eMin = Math.min(eMin, t.logE);
      }
      perControlP.push({ log10: pMax });
      perControlLogE.push(eMin);
      controls.push({
        control: controlLabels[j] ?? '',
        adequate: beatenBy === null,
        beatenBy,
        calibrated: calibrated[j] ?? false,
        calibratedBy,
        simSuspectTeacher: plainS?.simToTeacher ?? 0,
        simSuspectControl: plainS?.simToControl ?? 0,
        simControlTeacher: st.usableCount > 0 ? (st.simCT[j] ?? 0) / st.usableCount : NaN,
        plain: pj
          ? compJson(pj)
          : {
              n: 0,
              wins: 0,
              losses: 0,
              ties: 0,
              meanDiff: 0,
              stdErr: 0,
              test: st.test,
              log10PValue: 0,
              log10E: 0,
            },
        relative,
        log10PValue: pMax,
        log10PValueHolm: 0,
      });
    }
    // Holm across the adequate controls (the largest adjusted p equals the largest raw p).
    const idx = controls.map((_, j) => j).filter((j) => adequate[j]);
    const holm = holmAdjust(idx.map((j) => perControlP[j] ?? { log10: 0 }));
    idx.forEach((j, i) => {
      const c = controls[j];
      if (c) controls[j] = { ...c, log10PValueHolm: holm[i]?.log10 ?? 0 };
    });
    controls.forEach((c, j) => {
      if (!adequate[j]) controls[j] = { ...c, log10PValueHolm: 0 };
    });
    if (idx.length === 0) return { controls, log10P: 0, logE: 0, status: 'no-adequate-control' };
    if (idx.some((j) => !calibrated[j]))
      return { controls, log10P: 0, logE: 0, status: 'uncalibrated' };
    let log10P = -Infinity;
    let logE = Infinity;
    for (const j of idx) {
      log10P = Math.max(log10P, perControlP[j]?.log10 ?? 0);
      logE = Math.min(logE, perControlLogE[j] ?? 0);
    }
    return { controls, log10P, logE, status: 'ok' };
  };

  const overall = (): { log10PFixed: number; logE: number } => {
    const ps: PValue[] = [];
    let logE = 0;
    for (const st of states.values()) {
      if (st.disabled || st.usableCount === 0) continue;
      const fs = familyStats(st);
      if (fs.status !== 'ok') continue;
      ps.push({ log10: fs.log10P });
      logE += fs.logE;
    }
    return { log10PFixed: combineFamilies(ps).log10, logE };
  };

  /**
   * Re-ask the sentinels and compare with their first answers. More mismatches than the immediate
   * repeat showed (one-sided Fisher exact test, hypergeometric tail), or at least a quarter of
   * them on a target that repeated itself perfectly, mean the target changed.
   */
  const checkSentinels = async (round: number): Promise<void> => {
    const re = await askMany(sentinelItems, `sentinel:check:${round}`);
    targets.forEach((_, ti) => {
      const mc = re.reduce(
        (m, ans, i) =>
          m +
          (sentinelKey(ans[ti]?.responses[0] ?? emptyResponse) === sentinelFirst[i]?.[ti] ? 0 : 1),
        0,
      );
      const m0 = sentinelRepeatMismatch[ti] ?? 0;
      const p = toP(hypergeometricSf(mc, 2 * K, mc + m0, K));
      const deterministicJump = m0 === 0 && mc >= Math.max(2, Math.ceil(K / 4));
      if ((p <= CHANGE_ALPHA && mc >= 2) || deterministicJump) {
        changed = true;
        issues.push({
          target: labels[ti] ?? '',
          kind: 'target-changed',
          detail: `re-asked sentinel prompts changed answers: ${mc}/${K} at round ${round} vs ${m0}/${K} on an immediate repeat`,
          blocking: true,
        });
      }
    });
  };

  // ---- the rounds ----
  const history: HistoryPoint[] = [];
  let supLogE = 0;
  let stoppedEarly = false;
  let lastRound = 0;

  for (let round = 1; round <= a.rounds; round++) {
    lastRound = round;
    if (a.signal?.aborted)
      throw new ProbeError('BAD_OPTION', 'the run was aborted', { where: { field: 'signal' } });
    // Sentinels: first ask + immediate repeat in round 1.
    if (round === 1 && sentinelFamily) {
      for (let i = 0; i < K; i++) {
        const it = battery.item(sentinelFamily, i);
        sentinelItems.push(it);
      }
      const first = await askMany(sentinelItems);
      const rep = await askMany(sentinelItems, 'sentinel:repeat');
      first.forEach((ans, i) => {
        sentinelFirst.push(ans.map((x) => sentinelKey(x.responses[0] ?? emptyResponse)));
        const st = states.get(sentinelFamily);
        const item = sentinelItems[i];
        if (st && item) ingest(st, item, ans);
      });
      sentinelRepeatMismatch = targets.map((_, ti) =>
        rep.reduce(
          (m, ans, i) =>
            m +
            (sentinelKey(ans[ti]?.responses[0] ?? emptyResponse) === sentinelFirst[i]?.[ti]
              ? 0
              : 1),
          0,
        ),
      );
    }
    for (const st of states.values()) {
      if (st.disabled) continue;
      const upto = Math.ceil((st.allocated * round) / a.rounds);
      const start = st.asked;
      const batch: ProbeItem[] = [];
      for (let i = start; i < upto; i++) batch.push(battery.item(st.family, i));
      const answers = await askMany(batch);
      answers.forEach((ans, i) => {
        const item = batch[i];
        if (item) ingest(st, item, ans);
      });
      // Log-probabilities promised but not delivered: the family cannot run.
      if (st.family === 'logprob' && st.asked > 0 && st.usableCount === 0 && st.asked >= 4) {
        st.disabled = 'a target returned no log-probabilities';
        issues.push({
          target: labels.join(', '),
          kind: 'logprobs-missing',
          detail: 'log-probabilities were asked for but not returned; the family was dropped',
          blocking: false,
        });
      }
    }
    // Sentinel re-asks at checkpoints.
    if (sentinelFamily && checkpoints.includes(round)) await checkSentinels(round);
    const o = overall();
    supLogE = Math.max(supLogE, o.logE);
    history.push({
      queries: suspectAnswers(),
      log10E: o.logE / Math.LN10,
      log10PFixed: o.log10PFixed,
    });
    a.onProgress?.({
      round,
      rounds: a.rounds,
      queries: suspectAnswers(),
      budget: a.budget,
      log10E: o.logE / Math.LN10,
      log10PFixed: o.log10PFixed,
    });
    if (changed) break;
    // An early stop waits until the equality test has its prompts (while the kernel family still
    // has prompts to ask): stopping later is still a stopping time, so the e-value's p-value stays
    // valid, and the report can say whether S is the teacher itself.
    const kernel = states.get('kernel');
    const equalityPending =
      kernel !== undefined &&
      kernel.disabled === null &&
      kernel.equality.length < EQUALITY_MIN_PROMPTS &&
      kernel.asked < kernel.allocated;
    if (
      a.stopping === 'anytime' &&
      round < a.rounds &&
      supLogE >= Math.log(2 / a.alpha) &&
      !equalityPending
    ) {
      stoppedEarly = true;
      // one last sentinel check before trusting an early stop
      if (sentinelFamily && !checkpoints.includes(round)) await checkSentinels(round);
      break;
    }
  }

  a.signal?.removeEventListener('abort', onCallerAbort);
  return assemble({
    a,
    states,
    familyStats,
    skipped,
    issues,
    limitations,
    history,
    supLogE,
    stoppedEarly,
    changed,
    sentinelRepeatMismatch,
    K,
    lastRound,
    controlLabels,
    servedModels,
  });
}

const emptyResponse: ProbeResponse = {
  text: '',
  finishReason: null,
  logprobs: null,
  servedModel: null,
  fingerprint: null,
};

interface AssembleArgs {
  a: LoopArgs;
  states: Map<FamilyName, FamilyState>;
  familyStats: (st: FamilyState) => {
    controls: ControlResult[];
    log10P: number;
    logE: number;
    status: 'ok' | 'no-adequate-control' | 'uncalibrated';
  };
  skipped: Map<FamilyName, string>;
  issues: DataIssue[];
  limitations: string[];
  history: HistoryPoint[];
  supLogE: number;
  stoppedEarly: boolean;
  changed: boolean;
  sentinelRepeatMismatch: number[];
  K: number;
  lastRound: number;
  controlLabels: string[];
  servedModels: Set<string>[];
}

function assemble(x: AssembleArgs): ProbeVerdict {
  const { a, states, issues, limitations } = x;
  const { targets, labels, spec, battery } = a;
  const nT = targets.length;
  const k = nT - 2;
  const families: FamilyResult[] = [];
  const familyPs: PValue[] = [];
  const controlAdequate = new Array<boolean>(k).fill(false);
  let usableFamilies = 0;
  /** Lower bounds of the p-values of families that could not be calibrated (see below). */
  const uncalibratedBounds: PValue[] = [];
  const evidence: EvidenceItem[] = [];
  let planBudget: number | null = null;
  let planPower = 0;
  let planBasis = 'no usable family';

  for (const f of FAMILIES) {
    const st = states.get(f);
    if (!st) {
      families.push({
        family: f,
        status: 'skipped',
        reason: x.skipped.get(f) ?? 'not run',
        prompts: 0,
        usable: 0,
        test: FAMILY_TEST[f],
        controls: [],
        log10PValue: 0,
        log10E: 0,
      });
      continue;
    }
    // Data quality: the suspect (or any target) returning mostly empty answers.
    let unusableReason: string | null = st.disabled;
    st.empty.forEach((e, ti) => {
      if (st.asked > 0 && e / st.asked > MAX_UNUSABLE_SHARE) {
        unusableReason = `${labels[ti]} returned empty answers to ${e} of ${st.asked} prompts`;
        issues.push({
          target: labels[ti] ?? '',
          kind: 'empty-answers',
          detail: `${f}: ${e} of ${st.asked} answers empty`,
          blocking: ti === 0,
        });
      } else if (e > 0)
        issues.push({
          target: labels[ti] ?? '',
          kind: 'empty-answers',
          detail: `${f}: ${e} of ${st.asked} answers empty (those prompts were dropped for every target)`,
          blocking: false,
        });
    });
    st.refusals.forEach((r, ti) => {
      if (r > 0)
        issues.push({
          target: labels[ti] ?? '',
          kind: 'refusals',
          detail: `${f}: ${r} of ${st.asked} answers look like refusals (kept: refusal style is evidence too)`,
          blocking: false,
        });
    });
    if (st.usableCount < 8 && !unusableReason)
      unusableReason = `only ${st.usableCount} prompts had usable answers from every target`;
    const fs = x.familyStats(st);
    const status: FamilyResult['status'] = unusableReason ? 'unusable' : fs.status;
    families.push({
      family: f,
      status,
      reason:
        unusableReason ??
        (fs.status === 'ok'
          ? null
          : fs.status === 'uncalibrated'
            ? 'an adequate control has no independent reference: every other control leans towards it (a relative?), or there is only one control'
            : 'no control could calibrate this family'),
      prompts: st.asked,
      usable: st.usableCount,
      test: st.test,
      controls: fs.controls,
      log10PValue: status === 'ok' ? fs.log10P : 0,
      log10E: status === 'ok' ? fs.logE / Math.LN10 : 0,
    });
    if (status === 'uncalibrated') {
      // The plain comparisons need no calibration and belong to every valid design (S must beat
      // each adequate control outright), so their largest p-value bounds from below the p-value
      // of any calibrated test of this family.
      let bound = -Infinity;
      for (const c of fs.controls) if (c.adequate) bound = Math.max(bound, c.plain.log10PValue);
      if (Number.isFinite(bound)) uncalibratedBounds.push({ log10: bound });
    }
    if (status !== 'ok') continue;
    usableFamilies++;
    familyPs.push({ log10: fs.log10P });
    fs.controls.forEach((c, j) => {
      if (c.adequate) controlAdequate[j] = true;
    });
    // Binding control: the adequate control with the largest p-value.
    let bind = -1;
    fs.controls.forEach((c, j) => {
      if (c.adequate && (bind < 0 || c.log10PValue > (fs.controls[bind]?.log10PValue ?? -Infinity)))
        bind = j;
    });
    if (bind >= 0) {
      for (const it of st.items) {
        const d = it.diffs[bind] ?? 0;
        if (d <= 0) continue;
        evidence.push({
          family: f,
          index: it.item.index,
          template: it.item.template,
          prompt: clip(it.item.prompt),
          diff: d,
          control: x.controlLabels[bind] ?? '',
          suspect: clip(it.texts[0] ?? ''),
          teacher: clip(it.texts[1] ?? ''),
          controlAnswer: clip(it.texts[bind + 2] ?? ''),
        });
      }
      // Budget plan from this family's binding comparison.
      const acc = st.plain[bind];
      if (a.plan && acc && acc.n >= 10) {
        try {
          const plan = planFromPilot({
            diffs: acc.diffs,
            test: st.test,
            alpha: a.alpha / 2,
            power: 0.9,
            seed: a.seed,
          });
          if (plan.prompts !== null) {
            // This family gets st.allocated prompts per a.budget queries: scale proportionally.
            const perFamilyBudget = Math.ceil(
              (plan.prompts * a.budget) / Math.max(1, st.allocated),
            );
            if (planBudget === null || perFamilyBudget < planBudget) {
              planBudget = perFamilyBudget;
              planPower = plan.power;
              planBasis = `${f} family against ${x.controlLabels[bind]} (${plan.method})`;
            }
          }
        } catch {
          // a degenerate pilot (all ties) has no plan; leave the previous one
        }
      }
    }
  }
  evidence.sort((p, q) => q.diff - p.diff);
  const topEvidence = evidence.slice(0, EVIDENCE_ITEMS);

  // p-values
  const log10PFixed = combineFamilies(familyPs).log10;
  const ranFull = !x.stoppedEarly && x.lastRound === a.rounds && !x.changed;
  const log10PAnytime = Math.min(0, -x.supLogE / Math.LN10);
  const reported: PValue =
    a.stopping === 'fixed'
      ? { log10: ranFull ? log10PFixed : 0 }
      : anytimePValue(x.supLogE, ranFull ? { log10: log10PFixed } : null);

  // Equality test (kernel) and exact agreement.
  const kst = states.get('kernel');
  let eqP = 0;
  let eqTested = false;
  if (kst && kst.equality.length >= EQUALITY_MIN_PROMPTS) {
    eqTested = true;
    eqP = equalityTest(kst.equality, a.seed);
  }
  const sst = states.get('short');
  const exactAgreement = sst && sst.exactTotal > 0 ? sst.exactAgree / sst.exactTotal : 0;

  // Model-level conformal rank (from the short or logprob family's mean similarities).
  const ref = families.find((f) => f.status === 'ok' && f.family !== 'canary');
  let rank = 1;
  const of = k + 1;
  if (ref) {
    const sST = ref.controls[0]?.simSuspectTeacher ?? 0;
    for (const c of ref.controls)
      if (Number.isFinite(c.simControlTeacher) && c.simControlTeacher >= sST) rank++;
  }

  // Served-model changes (the endpoint says it served another model part-way).
  x.servedModels.forEach((set, ti) => {
    if (set.size > 1)
      issues.push({
        target: labels[ti] ?? '',
        kind: 'served-model-changed',
        detail: `responses name ${set.size} different models: ${[...set].slice(0, 4).join(', ')}`,
        blocking: true,
      });
  });

  // Decision.
  const reasons: string[] = [];
  const blocking = issues.filter((i) => i.blocking);
  const adequateControls = controlAdequate.filter(Boolean).length;
  let verdict: ProbeDecision;
  let p = reported.log10;
  // No family could be calibrated, but even the bound below the calibrated p-value (the plain
  // comparisons; combining is monotone in each p) is above SUGGESTIVE_P: whatever calibration
  // would add, the data show no evidence. The reported p-value is then that lower bound.
  const bound = combineFamilies(uncalibratedBounds).log10;
  if (blocking.length > 0) {
    verdict = 'inconclusive';
    reasons.push(...blocking.map((b) => `${b.target}: ${b.detail}`));
  } else if (
    usableFamilies === 0 &&
    uncalibratedBounds.length > 0 &&
    bound > Math.log10(SUGGESTIVE_P)
  ) {
    verdict = 'no-evidence';
    p = bound;
    reasons.push(
      `no family could be calibrated, but the suspect is not even closer to the teacher than to every adequate control (p ≥ ${fmt(bound)} from the plain comparisons alone)`,
    );
  } else if (usableFamilies === 0) {
    verdict = 'inconclusive';
    reasons.push('no probe family produced usable, calibrated evidence');
  } else if (p <= Math.log10(a.alpha)) {
    if (k < 2) {
      verdict = 'inconclusive';
      reasons.push(
        `p ≤ α but only one control: nothing checks that it is comparable to the teacher (a control trained on other data would make any competent suspect look derived); add an independent control`,
      );
    } else {
      verdict = 'derived-behaviour';
      reasons.push(
        `the suspect is closer to the teacher than to every adequate control, beyond what other controls show (p = ${fmt(p)} ≤ α = ${a.alpha})`,
      );
    }
  } else if (p <= Math.log10(SUGGESTIVE_P)) {
    verdict = 'inconclusive';
    reasons.push(
      `suggestive but not conclusive (α = ${a.alpha} < p = ${fmt(p)} ≤ ${SUGGESTIVE_P})${planBudget ? `; about ${planBudget} suspect queries would settle it at 90% power` : ''}`,
    );
  } else {
    verdict = 'no-evidence';
    reasons.push(
      `no evidence that the suspect is closer to the teacher than the controls (p = ${fmt(p)})`,
    );
  }
  if (adequateControls < k)
    x.controlLabels.forEach((c, j) => {
      if (!controlAdequate[j])
        limitations.push(
          `control ${c} was set aside in every family: another control is significantly closer to the teacher, so ${c} cannot tell derived from merely similar`,
        );
    });
  limitations.push(
    'the test assumes at least one control is an independent model comparable to the teacher (similar training data and capability); it cannot tell a derived suspect from one trained independently on the teacher’s own data if no control shares that data',
    'evidence is behavioural: a suspect that refuses, paraphrases or is steered by a system prompt on probe traffic only hides what it would otherwise show',
  );
  if (!a.commitmentVerified)
    limitations.push(
      'no commitment was published before the run; publish `customs probe-commit` output first for an unforgeable battery',
    );

  const usage = targets.map((t, ti) => ({
    label: labels[ti] ?? t.info.label,
    answers: t.transcript.length,
    fetched: t.stats.misses,
  }));
  const transcript = targets.flatMap((t) => t.transcript);
  const askedItems: ProbeItem[] = [];
  for (const f of FAMILIES) {
    const st = states.get(f);
    if (st) for (let i = 0; i < st.asked; i++) askedItems.push(battery.item(f, i));
  }
  const nondet = x.sentinelRepeatMismatch;
  nondet.forEach((m, ti) => {
    if (m > 0)
      issues.push({
        target: labels[ti] ?? '',
        kind: 'nondeterministic',
        detail: `${m} of ${x.K} greedy sentinel answers differed on an immediate repeat`,
        blocking: false,
      });
  });
  // Served-model changes from the responses' model field (same transcript order).
  const summary =
    verdict === 'derived-behaviour'
      ? `derived behaviour: ${labels[0]} is closer to ${labels[1]} than to independent controls (p = ${fmt(p)})`
      : verdict === 'no-evidence'
        ? `no evidence that ${labels[0]} derives from ${labels[1]} (p = ${fmt(p)})`
        : `inconclusive: ${reasons[0] ?? ''}`;
  return {
    schema: VERDICT_SCHEMA,
    verdict,
    pValue: 10 ** p,
    log10PValue: p,
    alpha: a.alpha,
    queries: targets[0]?.transcript.length ?? 0,
    budget: a.budget,
    stoppedEarly: x.stoppedEarly,
    stopping: a.stopping,
    log10PFixed,
    log10PAnytime,
    log10E: x.supLogE / Math.LN10,
    summary,
    reasons,
    limitations,
    families,
    controls: x.controlLabels.map((c, j) => ({ label: c, adequate: controlAdequate[j] ?? false })),
    sameModel: {
      tested: eqTested,
      log10PValue: eqP,
      exactAgreement,
      indistinguishable:
        eqTested && eqP > Math.log10(SAME_MODEL_P) && exactAgreement >= SAME_MODEL_AGREEMENT,
    },
    modelLevel: { rank, of, pValue: rank / of },
    evidence: topEvidence,
    dataIssues: issues,
    history: x.history,
    targets: {
      suspect: targets[0]?.info as TargetInfo,
      teacher: targets[1]?.info as TargetInfo,
      controls: targets.slice(2).map((t) => t.info),
    },
    usage,
    battery: {
      commitment: battery.commitment,
      commitmentVerified: a.commitmentVerified,
      seed: a.seed,
      spec,
      wordsVersion: WORDS_VERSION,
      canaries: battery.canaries.length,
      digest: Battery.digest(askedItems),
    },
    // Sorted: the order answers arrive in depends on concurrency, the set of answers does not.
    transcriptDigest: sha256Hex(
      canonicalJson(
        transcript.map((e) => `${e.key}:${e.digest}`).sort((p, q) => (p < q ? -1 : p > q ? 1 : 0)),
      ),
    ),
    plan: { budget: planBudget, power: planPower, basis: planBasis },
    tool: { name: 'model-customs', version: TOOL_VERSION },
    startedAt: a.startedAt,
    finishedAt: new Date().toISOString(),
  };
}

function fmt(log10: number): string {
  if (log10 > -3) return (10 ** log10).toPrecision(2);
  const e = Math.floor(log10);
  return `${(10 ** (log10 - e)).toFixed(1)}e${e}`;
}

/**
 * Permutation test of "S's samples and T's samples come from the same distribution" over all
 * kernel prompts (Gao, Liang & Guestrin, ICLR 2025): statistic Σ_x MMD²_x, labels permuted
 * within each prompt; p = (1 + #{perm ≥ observed}) / (1 + P). Returns log10 p.
 */
function equalityTest(
  items: readonly { k: number[][]; a: number[]; b: number[] }[],
  seed: string,
): number {
  const stat = (splits: readonly { a: number[]; b: number[] }[]): number =>
    items.reduce(
      (s, it, i) => s + mmdUnbiased(it.k, splits[i]?.a ?? it.a, splits[i]?.b ?? it.b),
      0,
    );
  const obs = stat(items);
  const r = new SeededStream(seed, 'equality-permutations');
  let ge = 0;
  for (let p = 0; p < EQUALITY_PERMUTATIONS; p++) {
    const splits = items.map((it) => {
      const all = [...it.a, ...it.b];
      for (let i = all.length - 1; i > 0; i--) {
        const j = r.int(i + 1);
        const t = all[i] as number;
        all[i] = all[j] as number;
        all[j] = t;
      }
      return { a: all.slice(0, it.a.length), b: all.slice(it.a.length) };
    });
    if (stat(splits) >= obs - 1e-12) ge++;
  }
  return Math.log10((1 + ge) / (1 + EQUALITY_PERMUTATIONS));
}
