/**
 * Per-family answer handling: what makes an answer usable, and the similarity matrix among all
 * targets' answers to one prompt (index 0 = suspect, 1 = teacher, 2.. = controls).
 */
import type { FamilyName, ProbeItem } from './battery.js';
import type { PairedTestKind } from './statistics.js';
import {
  candidateCorrelation,
  cosine,
  firstCandidates,
  isEmptyAnswer,
  isRefusal,
  meanCrossKernel,
  normalizeText,
  prefixAgreement,
  spectrum,
  spectrumKernel,
  styleFeatures,
} from './similarity.js';
import type { ProbeResponse } from './target.js';

/** The test each family uses. */
export const FAMILY_TEST: Readonly<Record<FamilyName, PairedTestKind>> = {
  short: 'wilcoxon',
  logprob: 'wilcoxon',
  canary: 'mcnemar',
  style: 'wilcoxon',
  kernel: 'wilcoxon',
};

/** Queries per prompt per target. */
export function queriesPerPrompt(family: FamilyName, kernelSamples: number): number {
  return family === 'kernel' ? kernelSamples : 1;
}

/** All answers of one target to one item (kernel: several samples). */
export interface TargetAnswers {
  readonly responses: readonly ProbeResponse[];
}

/** Whether a target's answers to an item can enter the paired analysis. */
export function usable(family: FamilyName, a: TargetAnswers): boolean {
  switch (family) {
    case 'logprob':
      return (a.responses[0]?.logprobs?.[0]?.top.length ?? 0) >= 2;
    case 'canary':
      return a.responses.length > 0;
    case 'kernel':
      return a.responses.some((r) => !isEmptyAnswer(r.text));
    default:
      return a.responses.length > 0 && !isEmptyAnswer(a.responses[0]?.text ?? '');
  }
}

/**
 * Whether a target's answers to an item are empty (nothing to compare: no text, or for the
 * log-prob family no candidates) or look like a refusal (for data-quality counts).
 */
export function answerFlags(
  family: FamilyName,
  a: TargetAnswers,
): { empty: boolean; refusal: boolean } {
  return {
    empty:
      family === 'logprob'
        ? (a.responses[0]?.logprobs?.[0]?.top.length ?? 0) === 0
        : a.responses.some((r) => isEmptyAnswer(r.text)),
    refusal: a.responses.some((r) => isRefusal(r.text)),
  };
}

/** Whether a response contains the canary (normalised, so markup and case do not hide it). */
export function canaryHit(text: string, canary: string): boolean {
  const c = normalizeText(canary);
  return c !== '' && normalizeText(text).includes(c);
}

/**
 * The symmetric similarity matrix of all targets' answers to one item (diagonal 1). For
 * canaries the matrix is not used; see {@link canaryHits}.
 */
export function similarityMatrix(
  family: FamilyName,
  answers: readonly TargetAnswers[],
): number[][] {
  const m = answers.length;
  const sim: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(1));
  let f: (i: number, j: number) => number;
  switch (family) {
    case 'short': {
      const t = answers.map((a) => a.responses[0]?.text ?? '');
      f = (i, j) => prefixAgreement(t[i] ?? '', t[j] ?? '');
      break;
    }
    case 'logprob': {
      const c = answers.map((a) => firstCandidates(a.responses[0]));
      f = (i, j) =>
        candidateCorrelation(c[i] ?? new Map<string, number>(), c[j] ?? new Map<string, number>());
      break;
    }
    case 'style': {
      const s = answers.map((a) => styleFeatures(a.responses[0]?.text ?? ''));
      f = (i, j) => cosine(s[i] ?? new Map<number, number>(), s[j] ?? new Map<number, number>());
      break;
    }
    case 'kernel': {
      const s = answers.map((a) =>
        a.responses.filter((r) => !isEmptyAnswer(r.text)).map((r) => spectrum(r.text)),
      );
      f = (i, j) => meanCrossKernel(s[i] ?? [], s[j] ?? []);
      break;
    }
    case 'canary':
      f = () => 0;
      break;
  }
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) {
      const v = f(i, j);
      (sim[i] as number[])[j] = v;
      (sim[j] as number[])[i] = v;
    }
  return sim;
}

/** Canary hits per target (1 if any of its answers contains the item's canary). */
export function canaryHits(item: ProbeItem, answers: readonly TargetAnswers[]): number[] {
  const c = item.canary ?? '';
  return answers.map((a) => (a.responses.some((r) => canaryHit(r.text, c)) ? 1 : 0));
}

/**
 * Unbiased MMD² (Gretton et al., JMLR 13, 2012, eq. 3) between two sample sets under the
 * normalised spectrum kernel, with the kernel matrix returned so permutations can reuse it.
 */
export function kernelMatrix(samples: readonly string[]): number[][] {
  const sp = samples.map((s) => spectrum(s));
  const n = sp.length;
  const k: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(1));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = spectrumKernel(
        sp[i] ?? new Map<string, number>(),
        sp[j] ?? new Map<string, number>(),
      );
      (k[i] as number[])[j] = v;
      (k[j] as number[])[i] = v;
    }
  return k;
}

/** Unbiased MMD² for the split of kernel-matrix indices into groups a and b. */
export function mmdUnbiased(
  k: readonly (readonly number[])[],
  a: readonly number[],
  b: readonly number[],
): number {
  const within = (g: readonly number[]): number => {
    let s = 0;
    for (let i = 0; i < g.length; i++)
      for (let j = 0; j < g.length; j++) if (i !== j) s += k[g[i] as number]?.[g[j] as number] ?? 0;
    return g.length > 1 ? s / (g.length * (g.length - 1)) : 0;
  };
  let cross = 0;
  for (const i of a) for (const j of b) cross += k[i]?.[j] ?? 0;
  return within(a) + within(b) - (2 * cross) / Math.max(1, a.length * b.length);
}
