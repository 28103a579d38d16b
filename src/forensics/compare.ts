/**
 * `customs compare`: was B derived from A's weights? Runs every applicable test on two
 * fingerprints (computed on the fly from model specs, or loaded from fingerprint files) and
 * returns one verdict object that every renderer (terminal, JSON, HTML) reads.
 *
 * Decision rule: the verdict p-value is the Bonferroni combination of the test families that
 * could run (each family already Bonferroni-corrected over the layer pairs it examined), so it
 * is valid under any dependence between tests. `derived` when p < alpha (default 1e-6);
 * `independent` ("no evidence of weight derivation") when p > 0.01 and coverage was adequate;
 * `inconclusive` otherwise.
 */
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { UsageError } from '../errors.js';
import { formatP, type PValue } from '../stats/index.js';
import { alignLayers, type LayerPair } from './align.js';
import { extractFingerprint, type FingerprintOptions } from './fingerprint.js';
import { loadFingerprint } from './serialize.js';
import {
  attentionCka,
  identityEmbeddingTest,
  identityUnitTest,
  matchingAgreementTest,
  MATCH_NULL_AGREEMENT,
  IDENTITY_COS,
  quantCopyTest,
  sharedFrame,
  spectralSimilarity,
  sharedTokens,
  type TestResult,
} from './tests.js';
import { cosineMatrix, mat } from './linalg.js';
import type { Fingerprint, LayerPrint } from './types.js';

function cell<T>(g: readonly (readonly T[])[], i: number, j: number): T {
  return (g[i] as readonly T[])[j] as T;
}
function setCell<T>(g: T[][], i: number, j: number, v: T): void {
  (g[i] as T[])[j] = v;
}
function layerAt(fp: Fingerprint, i: number): LayerPrint {
  const l = fp.layers[i];
  if (!l) throw new RangeError(`layer ${i} out of range`);
  return l;
}

/** Default significance level for a `derived` verdict. */
export const DERIVED_ALPHA = 1e-6;
/** Above this p-value (with adequate coverage) the verdict is `independent`. */
export const INDEPENDENT_MIN_P = 1e-2;
/** Log-std of per-unit scale ratios above which per-unit rescaling is reported (fine-tunes: ≈ 0.03–0.05). */
export const UNIT_SCALE_SPREAD = 0.1;
/** |log| of a layer-wide scale ratio above which rescaling is reported (fine-tunes: < 0.03). */
export const LAYER_SCALE_SHIFT = 0.1;
/** Layer pairs fully tested when a screen is needed (bounds compare time on deep, wide models). */
export const SCREEN_WORK_LIMIT = 4e9;

/** Verdict labels. */
export type LineageLabel = 'derived' | 'independent' | 'inconclusive';

/** One test's entry in the verdict. */
export interface VerdictTest {
  readonly id:
    | 'identity-units'
    | 'identity-embedding'
    | 'quantized-copy'
    | 'matched-units'
    | 'attention-cka'
    | 'attention-spectra'
    | 'sigma-curves'
    | 'tensor-hashes';
  readonly name: string;
  readonly kind: 'exact' | 'robust' | 'triage' | 'corroborating';
  /** null for descriptive statistics that carry no valid p-value. */
  readonly pValue: number | null;
  readonly log10PValue: number | null;
  readonly statistic: string;
  readonly assumption: string;
  readonly usedForVerdict: boolean;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A detected transformation between A and B. */
export interface Transformation {
  readonly kind:
    | 'exact-copy'
    | 'quantization'
    | 'quantized-copy'
    | 'weights-changed'
    | 'residual-permutation'
    | 'residual-rotation'
    | 'unit-permutation'
    | 'unit-rescaling'
    | 'attention-rescaling'
    | 'norm-gain-change'
    | 'width-pruning'
    | 'residual-width-change'
    | 'layer-removal'
    | 'layer-duplication'
    | 'layer-insertion'
    | 'merge';
  readonly evidence: string;
}

/** Per aligned layer pair. */
export interface LayerEvidence {
  readonly a: number;
  readonly b: number;
  readonly log10PValue: number;
  readonly agreement: number | null;
  readonly identityLog10P: number | null;
  readonly matchedCos: number | null;
  readonly cka: number | null;
}

/** Input description (re-runnable from digests). */
export interface VerdictInput {
  readonly spec: string;
  readonly format: string;
  readonly family: string;
  readonly parameters: number;
  readonly files: readonly { path: string; size: number; sha256: string | null }[];
  readonly coverage: Fingerprint['coverage'];
}

/** The lineage verdict: the single source for every rendering. */
export interface LineageVerdict {
  readonly tool: string;
  readonly question: string;
  readonly verdict: LineageLabel;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly alpha: number;
  readonly summary: string;
  readonly inputs: { readonly a: VerdictInput; readonly b: VerdictInput };
  readonly tests: readonly VerdictTest[];
  readonly transformations: readonly Transformation[];
  readonly layerMap: readonly LayerEvidence[];
  /** Layer × layer evidence (−log10 p of the matched-unit test, or its screen), A rows × B columns. */
  readonly similarity: { readonly metric: string; readonly matrix: readonly (readonly number[])[] };
  readonly sigma: {
    readonly a: readonly Readonly<Record<string, number>>[];
    readonly b: readonly Readonly<Record<string, number>>[];
  };
  readonly notes: readonly string[];
}

/** Options for {@link compareModels}. */
export interface CompareOptions extends Omit<FingerprintOptions, 'model'> {
  /** Model spec or fingerprint file (`*.json`) or a loaded fingerprint, for A (the candidate parent). */
  readonly a: string | Fingerprint;
  /** Same for B (the suspect). */
  readonly b: string | Fingerprint;
  readonly alpha?: number;
  /** A2's bound on the per-unit agreement rate of independent models (default {@link MATCH_NULL_AGREEMENT}). */
  readonly nullRate?: number;
}

/** Load a fingerprint file or compute one from a model spec. */
export async function resolveFingerprint(
  x: string | Fingerprint,
  opts: Omit<FingerprintOptions, 'model'> = {},
): Promise<Fingerprint> {
  if (typeof x !== 'string') return x;
  if (/\.(fp\.)?json$/i.test(x) && !/index\.json$/i.test(x)) return loadFingerprint(x);
  return extractFingerprint({ ...opts, model: x });
}

const pv = (p: PValue): { pValue: number; log10PValue: number } => ({
  pValue: 10 ** p.log10,
  log10PValue: p.log10,
});

function describe(fp: Fingerprint): VerdictInput {
  return {
    spec: fp.model.spec,
    format: fp.model.format,
    family: fp.model.family,
    parameters: fp.model.parameters,
    files: fp.model.files,
    coverage: fp.coverage,
  };
}

/** Compare two models or fingerprints. */
export async function compareModels(opts: CompareOptions): Promise<LineageVerdict> {
  const A = await resolveFingerprint(opts.a, opts);
  const B = await resolveFingerprint(opts.b, opts);
  return compareFingerprints(
    A,
    B,
    opts.alpha ?? DERIVED_ALPHA,
    opts.nullRate ?? MATCH_NULL_AGREEMENT,
  );
}

/** Compare two fingerprints (pure function of its inputs). */
export function compareFingerprints(
  A: Fingerprint,
  B: Fingerprint,
  alpha = DERIVED_ALPHA,
  nullRate = MATCH_NULL_AGREEMENT,
): LineageVerdict {
  if (!(alpha > 0 && alpha < 1))
    throw new UsageError('USAGE', `alpha must be in (0, 1), got ${alpha}`);
  if (!(nullRate > 0 && nullRate < 1))
    throw new UsageError('USAGE', `the null agreement rate must be in (0, 1), got ${nullRate}`);
  if (A.params.seed !== B.params.seed) {
    throw new UsageError(
      'UNSUPPORTED',
      'fingerprints were made with different sampling seeds; recompute one of them with this tool version',
    );
  }
  const LA = A.layers.length;
  const LB = B.layers.length;
  const notes: string[] = [];
  const tests: VerdictTest[] = [];
  const frame = sharedFrame(A, B);
  const shared = sharedTokens(A, B);

  // ---- robust matched-unit test over layer pairs (with a cheap screen on big models)
  type Robust = ReturnType<typeof matchingAgreementTest> | undefined;
  const robust: Robust[][] = Array.from({ length: LA }, () =>
    new Array<Robust>(LB).fill(undefined),
  );
  const cka: (number | null)[][] = Array.from({ length: LA }, () =>
    new Array<number | null>(LB).fill(null),
  );
  const screenScore: number[][] = Array.from({ length: LA }, () => new Array<number>(LB).fill(0));
  if (frame) {
    for (let i = 0; i < LA; i++)
      for (let j = 0; j < LB; j++)
        setCell(cka, i, j, attentionCka(layerAt(A, i), layerAt(B, j), frame));
    const work =
      LA *
      LB *
      Math.min(1024, B.layers[0]?.mlp?.gate.rows ?? 0) *
      (A.layers[0]?.mlp?.gate.rows ?? 0) *
      frame.ia.length *
      4;
    let candidates: [number, number][] = [];
    if (work <= SCREEN_WORK_LIMIT) {
      for (let i = 0; i < LA; i++) for (let j = 0; j < LB; j++) candidates.push([i, j]);
    } else {
      // Screen: proportional diagonal band, plus the best pairs by attention CKA. Validity does
      // not depend on the screen: the family is Bonferroni-corrected over all LA × LB pairs.
      const set = new Set<string>();
      for (let j = 0; j < LB; j++) {
        const centre = Math.round((j * (LA - 1)) / Math.max(1, LB - 1));
        for (let i = Math.max(0, centre - 1); i <= Math.min(LA - 1, centre + 1); i++)
          set.add(`${i},${j}`);
        let bi = -1;
        let bv = -Infinity;
        for (let i = 0; i < LA; i++) {
          const v = cka[i]?.[j] ?? null;
          if (v !== null && v > bv) {
            bv = v;
            bi = i;
          }
        }
        if (bi >= 0) set.add(`${bi},${j}`);
      }
      candidates = [...set].map((s) => s.split(',').map(Number) as [number, number]);
      notes.push(
        `deep/wide models: the matched-unit test ran on ${candidates.length} screened layer pairs of ${LA * LB}; its p-value is still corrected for all ${LA * LB}`,
      );
    }
    for (const [i, j] of candidates) {
      const r = matchingAgreementTest(layerAt(A, i), layerAt(B, j), frame, nullRate);
      setCell(robust, i, j, r);
      if (r) setCell(screenScore, i, j, -r.pValue.log10);
    }
  } else {
    notes.push(
      `only ${shared.ia.length} pool tokens are shared (different vocabularies?): the robust tests could not run`,
    );
  }

  // ---- exact same-index tests over layer pairs
  const ident: (TestResult | null)[][] = Array.from({ length: LA }, (_, i) =>
    Array.from({ length: LB }, (_, j) => identityUnitTest(layerAt(A, i), layerAt(B, j))),
  );
  const identCount = ident.flat().filter((x) => x !== null).length;

  // ---- layer map by DP over the strongest evidence per pair (only pairs with p < 1e-3 are matched)
  const evidence: number[][] = Array.from({ length: LA }, (_, i) =>
    Array.from({ length: LB }, (_, j) =>
      Math.max(cell(screenScore, i, j), -(cell(ident, i, j)?.pValue.log10 ?? 0)),
    ),
  );
  const path: LayerPair[] = alignLayers(evidence.map((row) => row.map((v) => v - 3)));

  // Family 1: exact same-index units (min over pairs, Bonferroni over pairs examined)
  const families: { id: VerdictTest['id']; log10: number }[] = [];
  let bestIdent: { i: number; j: number; r: TestResult } | null = null;
  for (let i = 0; i < LA; i++)
    for (let j = 0; j < LB; j++) {
      const r = cell(ident, i, j);
      if (r && (!bestIdent || r.pValue.log10 < bestIdent.r.pValue.log10)) bestIdent = { i, j, r };
    }
  if (bestIdent) {
    const log10 = Math.min(0, bestIdent.r.pValue.log10 + Math.log10(identCount));
    families.push({ id: 'identity-units', log10 });
    const onPath = path
      .map((p) => cell(ident, p.a, p.b))
      .filter((x): x is TestResult => x !== null);
    tests.push({
      id: 'identity-units',
      name: 'Same-index MLP units (exact)',
      kind: 'exact',
      ...pv({ log10 }),
      statistic: `best layer pair A${bestIdent.i}/B${bestIdent.j}: ${bestIdent.r.statistic} of ${bestIdent.r.n} sampled units keep their index with cos ≥ ${IDENTITY_COS}`,
      assumption:
        'A1: unit labels of an independently trained model are exchangeable (permutation-invariant initialisation, permutation-equivariant training; Zhu et al. 2025). Exact; Bonferroni over layer pairs.',
      usedForVerdict: true,
      detail: {
        layerPairs: identCount,
        meanSameIndexCosOnMap: onPath.length
          ? onPath.reduce((s, r) => s + Number(r.detail['meanSameIndexCos'] ?? 0), 0) /
            onPath.length
          : null,
      },
    });
  }
  // Family 2: exact same-coordinate embeddings
  const emb = identityEmbeddingTest(A, B);
  if (emb) {
    families.push({ id: 'identity-embedding', log10: emb.pValue.log10 });
    tests.push({
      id: 'identity-embedding',
      name: 'Same-coordinate token embeddings (exact)',
      kind: 'exact',
      ...pv(emb.pValue),
      statistic: `${emb.statistic} of ${emb.n} sampled residual coordinates agree (cos ≥ ${IDENTITY_COS} over ${String(emb.detail['tokens'])} shared tokens)`,
      assumption: 'A1 for residual coordinates (exchangeable under independent training). Exact.',
      usedForVerdict: true,
      detail: emb.detail,
    });
  }
  // Family 3: quantized copy (on mapped pairs; Bonferroni over all pairs)
  const quant = path.flatMap((p) => {
    const r = quantCopyTest(layerAt(A, p.a), layerAt(B, p.b));
    return r ? [{ p, r }] : [];
  });
  let quantInBin: number | null = null;
  if (quant.length > 0) {
    let best = quant[0] as (typeof quant)[number];
    for (const q of quant) if (q.r.pValue.log10 < best.r.pValue.log10) best = q;
    const log10 = Math.min(0, best.r.pValue.log10 + Math.log10(LA * LB));
    quantInBin = quant.reduce((s, q) => s + q.r.inBin, 0) / quant.length;
    families.push({ id: 'quantized-copy', log10 });
    tests.push({
      id: 'quantized-copy',
      name: 'Quantized copy: values inside the other model’s rounding bins (exact)',
      kind: 'triage',
      ...pv({ log10 }),
      statistic: `${(quantInBin * 100).toFixed(1)}% of sampled values fall in the quantization bin at the same position (${best.r.direction})`,
      assumption:
        'A1 (unit exchangeability) with Chatterjee’s permutation concentration bound. Exact; Bonferroni over layer pairs.',
      usedForVerdict: true,
      detail: { inBinFraction: quantInBin, layers: quant.length },
    });
  }
  // Family 4: robust matched units
  let bestRobust: {
    i: number;
    j: number;
    r: NonNullable<ReturnType<typeof matchingAgreementTest>>;
  } | null = null;
  for (let i = 0; i < LA; i++)
    for (let j = 0; j < LB; j++) {
      const r = robust[i]?.[j];
      if (r && (!bestRobust || r.pValue.log10 < bestRobust.r.pValue.log10))
        bestRobust = { i, j, r };
    }
  if (bestRobust) {
    const log10 = Math.min(0, bestRobust.r.pValue.log10 + Math.log10(LA * LB));
    families.push({ id: 'matched-units', log10 });
    const mapped = path
      .map((p) => robust[p.a]?.[p.b])
      .filter((x): x is NonNullable<typeof x> => !!x);
    const agreeMap = mapped.length
      ? mapped.reduce((s, r) => s + r.statistic / r.n, 0) / mapped.length
      : 0;
    tests.push({
      id: 'matched-units',
      name: 'Matched MLP units, gate vs up agreement (robust to permutation, rotation, rescaling)',
      kind: 'robust',
      ...pv({ log10 }),
      statistic: `best layer pair A${bestRobust.i}/B${bestRobust.j}: ${bestRobust.r.statistic} of ${bestRobust.r.n} units matched identically by gate and up rows (null rate ≤ ${nullRate})`,
      assumption: `A2: in an independently trained model each unit's gate-view and up-view matches agree with probability ≤ ${nullRate}${nullRate === MATCH_NULL_AGREEMENT ? ' (default)' : ''}, independently across units (observed ≤ 6% on same-data independent zoo models with all units, ≤ 11% among the largest-norm units). Bonferroni over all ${LA * LB} layer pairs.`,
      usedForVerdict: true,
      detail: {
        meanAgreementOnMap: agreeMap,
        sharedTokens: frame?.ia.length ?? 0,
        maxNullRateStillSignificant: maxNullRate(
          bestRobust.r.statistic,
          bestRobust.r.n,
          alpha / (LA * LB),
        ),
      },
    });
  }
  // Corroborating invariants (descriptive)
  const ckaOnMap = path.map((p) => cka[p.a]?.[p.b] ?? null).filter((x): x is number => x !== null);
  const ckaOff: number[] = [];
  for (let i = 0; i < LA; i++)
    for (let j = 0; j < LB; j++)
      if (!path.some((p) => p.a === i && p.b === j)) {
        const v = cell(cka, i, j);
        if (v !== null) ckaOff.push(v);
      }
  if (ckaOnMap.length > 0 || ckaOff.length > 0) {
    tests.push({
      id: 'attention-cka',
      name: 'AWM-style unbiased CKA of folded Q/K/V/O (aligned coordinates)',
      kind: 'corroborating',
      pValue: null,
      log10PValue: null,
      statistic: `mean CKA on the layer map ${fmt(mean(ckaOnMap))}, elsewhere ${fmt(mean(ckaOff))}`,
      assumption:
        'Descriptive: invariant to the obfuscations, but no valid null exists for invariant statistics (independent models trained on similar data converge); not used for the verdict.',
      usedForVerdict: false,
      detail: { onMap: mean(ckaOnMap), offMap: mean(ckaOff) },
    });
  }
  if (frame) {
    const spec = path
      .map((p) => spectralSimilarity(layerAt(A, p.a), layerAt(B, p.b), frame))
      .filter((x): x is number => x !== null);
    const diag = Array.from({ length: Math.min(LA, LB) }, (_, i) =>
      spectralSimilarity(layerAt(A, i), layerAt(B, i), frame),
    ).filter((x): x is number => x !== null);
    if (spec.length > 0 || diag.length > 0) {
      tests.push({
        id: 'attention-spectra',
        name: 'Folded QKᵀ / VO singular-value spectra (GhostSpec-style)',
        kind: 'corroborating',
        pValue: null,
        log10PValue: null,
        statistic: `spectral similarity on the layer map ${fmt(mean(spec))} (same-depth pairs ${fmt(mean(diag))})`,
        assumption:
          'Descriptive: invariant, but similar for independent models of similar recipe; not used for the verdict.',
        usedForVerdict: false,
        detail: { onMap: mean(spec), sameDepth: mean(diag) },
      });
    }
  }
  const sig = sigmaCorrelation(A, B);
  if (sig !== null) {
    tests.push({
      id: 'sigma-curves',
      name: 'σ-curves (per-layer weight standard deviations)',
      kind: 'corroborating',
      pValue: null,
      log10PValue: null,
      statistic: `Pearson r = ${sig.toFixed(3)} between the two models' σ-curves`,
      assumption:
        'Weak evidence only: unrelated models reach r ≈ 0.9 and a per-layer rescaling forges any curve (the Pangu/Qwen dispute). Shown for completeness; never used for the verdict.',
      usedForVerdict: false,
      detail: { pearson: sig },
    });
  }
  const identicalTensors = Object.entries(A.tensorHashes)
    .filter(([k, h]) => B.tensorHashes[k] === h)
    .map(([k]) => k);
  tests.push({
    id: 'tensor-hashes',
    name: 'Identical tensors (SHA-256 of decoded values)',
    kind: 'triage',
    pValue: null,
    log10PValue: null,
    statistic: `${identicalTensors.length} of ${Object.keys(A.tensorHashes).length} hashed tensors identical`,
    assumption:
      'Triage only; an identical tensor also drives the exact same-index tests to tiny p-values.',
    usedForVerdict: false,
    detail: { identical: identicalTensors.slice(0, 50) },
  });

  // ---- combine
  const minLog = families.length ? Math.min(...families.map((f) => f.log10)) : 0;
  const log10PValue = Math.min(0, minLog + (families.length > 1 ? Math.log10(families.length) : 0));
  const adequate =
    families.some((f) => f.id === 'matched-units' || f.id === 'identity-units') &&
    (frame !== null || families.some((f) => f.id === 'identity-units'));
  let verdict: LineageLabel;
  if (log10PValue < Math.log10(alpha)) verdict = 'derived';
  else if (log10PValue > Math.log10(INDEPENDENT_MIN_P) && adequate && frame !== null)
    verdict = 'independent';
  else verdict = 'inconclusive';
  if (!adequate || frame === null)
    notes.push(
      'coverage was inadequate for an "independent" verdict (see notes above); absence of evidence is not evidence of independence here',
    );

  const transformations = detectTransformations(
    A,
    B,
    path,
    robust,
    ident,
    quantInBin,
    identicalTensors,
    verdict,
  );
  notes.push(
    'Distillation through outputs (training B on text sampled from A) leaves no trace in the weights: a model can be behaviourally derived yet weight-independent. Use `customs probe` (black-box) or `customs radioactivity` (watermarks) for that question.',
    'The tests say whether B shares weights with A, not which came first.',
  );
  const layerMap: LayerEvidence[] = path.map((p) => {
    const r = robust[p.a]?.[p.b];
    const id = ident[p.a]?.[p.b] ?? null;
    return {
      a: p.a,
      b: p.b,
      log10PValue: Math.min(r?.pValue.log10 ?? 0, id?.pValue.log10 ?? 0),
      agreement: r ? r.statistic / r.n : null,
      identityLog10P: id ? id.pValue.log10 : null,
      matchedCos: r ? r.meanMatchedCos : null,
      cka: cka[p.a]?.[p.b] ?? null,
    };
  });
  const pValue = 10 ** log10PValue;
  const summary =
    verdict === 'derived'
      ? `B shares weights with A (p = ${formatP({ log10: log10PValue })}${transformations.length ? `; ${transformations.map((t) => t.kind).join(', ')}` : ''})`
      : verdict === 'independent'
        ? `no evidence that B's weights derive from A's (p = ${formatP({ log10: log10PValue })})`
        : `inconclusive (p = ${formatP({ log10: log10PValue })}): neither derived at alpha ${alpha} nor clearly unrelated`;
  return {
    tool: `${TOOL_NAME} ${TOOL_VERSION}`,
    question: 'Were the weights of B derived from the weights of A?',
    verdict,
    pValue,
    log10PValue,
    alpha,
    summary,
    inputs: { a: describe(A), b: describe(B) },
    tests,
    transformations,
    layerMap,
    similarity: {
      metric: '−log10 p of the per-layer-pair evidence (matched units or same-index units)',
      matrix: evidence,
    },
    sigma: { a: A.layers.map((l) => l.sigma), b: B.layers.map((l) => l.sigma) },
    notes: [
      ...A.coverage.notes.map((n) => `A: ${n}`),
      ...B.coverage.notes.map((n) => `B: ${n}`),
      ...notes,
    ],
  };
}

function mean(x: number[]): number | null {
  return x.length ? x.reduce((a, b) => a + b, 0) / x.length : null;
}
function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3);
}

/** Largest null agreement rate at which k of n agreements would still be significant at level a. */
function maxNullRate(k: number, n: number, a: number): number {
  // bisection on r0: BinomialSf(k; n, r0) ≤ a
  let lo = 0;
  let hi = 1;
  const lnA = Math.log(a);
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    // Chernoff-free exact: use the same incomplete-beta tail as the test
    const lp = binomLn(k, n, mid);
    if (lp <= lnA) lo = mid;
    else hi = mid;
  }
  return lo;
}

function binomLn(k: number, n: number, p: number): number {
  // local import avoided: ln P[X ≥ k] via the stats module
  return statsBinomialLn(k, n, p);
}

import { binomialSf as statsBinomial } from '../stats/index.js';
function statsBinomialLn(k: number, n: number, p: number): number {
  return statsBinomial(k, n, p).log10 * Math.LN10;
}

function sigmaCorrelation(A: Fingerprint, B: Fingerprint): number | null {
  const keys = ['q', 'k', 'v', 'o', 'gate', 'up'];
  const xs: number[] = [];
  const ys: number[] = [];
  const L = Math.min(A.layers.length, B.layers.length);
  for (let i = 0; i < L; i++)
    for (const k of keys) {
      const a = A.layers[i]?.sigma[k];
      const b = B.layers[i]?.sigma[k];
      if (a !== undefined && b !== undefined) {
        xs.push(a);
        ys.push(b);
      }
    }
  if (xs.length < 3) return null;
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const y = ys[i] as number;
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  });
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

function detectTransformations(
  A: Fingerprint,
  B: Fingerprint,
  path: LayerPair[],
  robust: (ReturnType<typeof matchingAgreementTest> | undefined)[][],
  ident: (TestResult | null)[][],
  quantInBin: number | null,
  identical: string[],
  verdict: LineageLabel,
): Transformation[] {
  const out: Transformation[] = [];
  if (verdict !== 'derived') return out;
  const hashed = Object.keys(A.tensorHashes).filter((k) => k in B.tensorHashes).length;
  if (hashed > 0 && identical.length === hashed)
    out.push({ kind: 'exact-copy', evidence: `all ${hashed} hashed tensors are identical` });
  const quantTypes = (fp: Fingerprint): string[] =>
    Object.keys(fp.model.dtypes).filter((t) => /^(Q\d|IQ|TQ)/.test(t));
  const qa = quantTypes(A);
  const qb = quantTypes(B);
  if (qa.length || qb.length) {
    out.push({
      kind: 'quantization',
      evidence: `${qb.length ? `B stored as ${qb.join('/')}` : ''}${qa.length && qb.length ? '; ' : ''}${qa.length ? `A stored as ${qa.join('/')}` : ''}`,
    });
  }
  if (quantInBin !== null && quantInBin >= 0.95)
    out.push({
      kind: 'quantized-copy',
      evidence: `${(quantInBin * 100).toFixed(1)}% of sampled values lie in the other model's rounding bins: a direct quantization, no further training`,
    });
  // same-index agreement on the map vs robust agreement
  const mapped = path.map((p) => ({ r: robust[p.a]?.[p.b], id: ident[p.a]?.[p.b] ?? null }));
  const sameIdx = mapped
    .map((m) => (m.id ? Number(m.id.detail['meanSameIndexCos'] ?? 0) : null))
    .filter((x): x is number => x !== null);
  const meanSame = sameIdx.length ? sameIdx.reduce((a, b) => a + b, 0) / sameIdx.length : null;
  const rob = mapped.map((m) => m.r).filter((x): x is NonNullable<typeof x> => !!x);
  const meanMatched = rob.length
    ? rob.reduce((s, r) => s + r.meanMatchedCos, 0) / rob.length
    : null;
  if (
    !out.some((t) => t.kind === 'exact-copy' || t.kind === 'quantized-copy') &&
    meanSame !== null &&
    meanSame < 0.9999 &&
    meanSame > 0.5
  ) {
    out.push({
      kind: 'weights-changed',
      evidence: `same-index rows have mean cosine ${meanSame.toFixed(4)} (fine-tuning, continued training or noise)`,
    });
  }
  // residual basis: do coordinates map one-to-one (permutation) or not (rotation)?
  const { ia, ib } = sharedTokens(A, B);
  if (
    ia.length >= 8 &&
    A.model.hiddenSize === B.model.hiddenSize &&
    meanSame !== null &&
    meanSame < 0.5
  ) {
    const d = A.model.hiddenSize;
    const colsA = mat(d, ia.length);
    const colsB = mat(d, ib.length);
    ia.forEach((t, k) => {
      for (let c = 0; c < d; c++)
        colsA.data[c * ia.length + k] = A.pool.embeddings.data[t * d + c] as number;
    });
    ib.forEach((t, k) => {
      for (let c = 0; c < d; c++)
        colsB.data[c * ib.length + k] = B.pool.embeddings.data[t * d + c] as number;
    });
    const cm = cosineMatrix(colsA, colsB);
    let oneToOne = 0;
    let identityCoords = 0;
    for (let c = 0; c < d; c++) {
      let best = 0;
      for (let e = 0; e < d; e++) best = Math.max(best, Math.abs(cm.data[c * d + e] as number));
      if (best >= 0.9) oneToOne++;
      if ((cm.data[c * d + c] as number) >= 0.9) identityCoords++;
    }
    if (oneToOne >= 0.8 * d && identityCoords < 0.5 * d)
      out.push({
        kind: 'residual-permutation',
        evidence: `${oneToOne} of ${d} residual coordinates of A map one-to-one (|cos| ≥ 0.9) onto a different coordinate of B`,
      });
    else if (oneToOne < 0.5 * d && meanMatched !== null && meanMatched > 0.5)
      out.push({
        kind: 'residual-rotation',
        evidence: `units match after alignment (mean cos ${meanMatched.toFixed(3)}) but residual coordinates do not map one-to-one (${oneToOne} of ${d})`,
      });
  }
  const perm = rob.map((r) => r.permutedFraction);
  if (perm.length && perm.reduce((a, b) => a + b, 0) / perm.length > 0.5)
    out.push({
      kind: 'unit-permutation',
      evidence: `on mapped layers ${((100 * perm.reduce((a, b) => a + b, 0)) / perm.length).toFixed(0)}% of matched MLP units sit at a different index`,
    });
  const spread = rob.map((r) => r.scaleSpread);
  const shift = rob.map((r) => Math.abs(r.meanLogScale));
  if (spread.length && Math.max(...spread) > UNIT_SCALE_SPREAD) {
    out.push({
      kind: 'unit-rescaling',
      evidence: `per-unit up/down scale factors vary (log-std up to ${Math.max(...spread).toFixed(3)}) while unit directions match`,
    });
  } else if (shift.length && Math.max(...shift) > LAYER_SCALE_SHIFT) {
    out.push({
      kind: 'unit-rescaling',
      evidence: `MLP up rows rescaled by up to ×${Math.exp(Math.max(...shift)).toFixed(2)} per layer while unit directions match (compensated in down)`,
    });
  }
  // attention rescaling and norm gains, from σ and gains on mapped layers
  const attnScaled: string[] = [];
  const gains: number[] = [];
  const inverse = (
    x: number | undefined,
    y: number | undefined,
    xa: number | undefined,
    ya: number | undefined,
  ): boolean => {
    if (!x || !y || !xa || !ya) return false;
    const rx = Math.log(x / xa);
    const ry = Math.log(y / ya);
    return Math.abs(rx) > LAYER_SCALE_SHIFT && Math.abs(rx + ry) < 0.5 * Math.abs(rx);
  };
  for (const p of path) {
    const sa = A.layers[p.a]?.sigma ?? {};
    const sb = B.layers[p.b]?.sigma ?? {};
    if (inverse(sb['q'], sb['k'], sa['q'], sa['k'])) attnScaled.push(`q/k in B layer ${p.b}`);
    if (inverse(sb['v'], sb['o'], sa['v'], sa['o'])) attnScaled.push(`v/o in B layer ${p.b}`);
    const ga = A.layers[p.a]?.norms.mlp;
    const gb = B.layers[p.b]?.norms.mlp;
    if (ga && gb && ga.length === gb.length) {
      const sorted = (v: Float32Array): number[] =>
        Array.from(v)
          .map(Math.abs)
          .sort((x, y) => x - y);
      const xa = sorted(ga);
      const xb = sorted(gb);
      let diff = 0;
      for (let i = 0; i < xa.length; i++)
        diff += Math.abs(Math.log(((xb[i] ?? 0) + 1e-6) / ((xa[i] ?? 0) + 1e-6)));
      gains.push(diff / xa.length);
    }
  }
  if (attnScaled.length > 0)
    out.push({
      kind: 'attention-rescaling',
      evidence: `weights rescaled inversely (function-preserving): ${attnScaled.join(', ')}`,
    });
  if (gains.length && Math.max(...gains) > 0.2 && rob.length > 0)
    out.push({
      kind: 'norm-gain-change',
      evidence: `RMSNorm gains differ (mean |log ratio| up to ${Math.max(...gains).toFixed(2)}) while folded weights still match`,
    });
  const unitsA = A.layers[0]?.mlp?.units ?? 0;
  const unitsB = B.layers[0]?.mlp?.units ?? 0;
  if (unitsA && unitsB && unitsB < unitsA)
    out.push({
      kind: 'width-pruning',
      evidence: `B has ${unitsB} MLP units per layer where A has ${unitsA} (${(100 * (1 - unitsB / unitsA)).toFixed(0)}% removed)`,
    });
  if (A.model.hiddenSize !== B.model.hiddenSize)
    out.push({
      kind: 'residual-width-change',
      evidence: `hidden size ${A.model.hiddenSize} → ${B.model.hiddenSize}`,
    });
  const usedA = new Set(path.map((p) => p.a));
  if (B.layers.length < A.layers.length && usedA.size < A.layers.length) {
    const dropped = A.layers.map((_, i) => i).filter((i) => !usedA.has(i));
    out.push({
      kind: 'layer-removal',
      evidence: `A layer(s) ${dropped.join(', ')} have no counterpart in B`,
    });
  }
  if (path.length > usedA.size)
    out.push({
      kind: 'layer-duplication',
      evidence: `${path.length - usedA.size} B layer(s) map onto an A layer already used`,
    });
  const usedB = new Set(path.map((p) => p.b));
  if (
    B.layers.length > A.layers.length &&
    usedB.size < B.layers.length &&
    path.length === usedA.size
  ) {
    out.push({
      kind: 'layer-insertion',
      evidence: `B layer(s) ${B.layers
        .map((_, j) => j)
        .filter((j) => !usedB.has(j))
        .join(', ')} have no counterpart in A`,
    });
  }
  return out;
}
