/**
 * Similarities between two targets' answers to the same prompt, each in [0, 1]. They are chosen
 * to be *tokenizer-agnostic* (they compare text, not token ids) and *insensitive to how peaked a
 * model is* (ranks and agreements, not probability mass), because a more confident or better
 * model must not look "closer" to anyone for that reason alone: a model's sharpness is a
 * property of the model, not of its lineage.
 *
 * - short answers: the shared prefix of the normalised answers;
 * - log-probabilities: the correlation of the next-token log-probabilities over both candidate
 *   lists (Nikolić et al., NeurIPS 2025, compare only the top token; the whole list carries more
 *   of a lineage, and correlation ignores a model's temperature);
 * - style: cosine of hashed character 3-gram profiles plus formatting habits;
 * - kernel: the normalised cumulative k-spectrum string kernel (Leslie, Eskin & Noble, PSB 2002;
 *   used for model equality testing by Gao, Liang & Guestrin, ICLR 2025), averaged over sample
 *   pairs — the cross term of MMD, which an additive idiosyncrasy does not bias.
 */
import type { ProbeResponse } from './target.js';

/** Normalised characters of a short answer that are compared. */
export const SHORT_ANSWER_CHARS = 32;
/** Characters of an answer that enter style and kernel features (bounds CPU per answer). */
export const MAX_FEATURE_CHARS = 4096;
/** Hashed feature dimensions of a character 3-gram profile. */
export const STYLE_HASH_DIMS = 4096;
/** Largest k of the cumulative spectrum kernel. */
export const SPECTRUM_K = 5;

/** Lowercase, NFKC, markup and punctuation to spaces, whitespace collapsed. */
export function normalizeText(text: string): string {
  return text
    .slice(0, MAX_FEATURE_CHARS)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Short-answer agreement: the length of the common prefix of the two normalised answers over the
 * longer one's length, both cut to {@link SHORT_ANSWER_CHARS}. Graded, so "blue whale" vs "blue
 * jay" counts for something, and indifferent to where the endpoint's tokens break.
 */
export function prefixAgreement(a: string, b: string): number {
  const x = normalizeText(a).slice(0, SHORT_ANSWER_CHARS);
  const y = normalizeText(b).slice(0, SHORT_ANSWER_CHARS);
  const n = Math.max(x.length, y.length);
  if (n === 0) return 0;
  let k = 0;
  while (k < x.length && k < y.length && x[k] === y[k]) k++;
  return k / n;
}

/** A candidate map: normalised token text → log-probability. */
export type Candidates = Map<string, number>;

/** The first-position candidates of a response, keyed by normalised token text. */
export function firstCandidates(r: ProbeResponse | undefined): Candidates {
  const m: Candidates = new Map();
  for (const t of r?.logprobs?.[0]?.top ?? []) {
    if (!Number.isFinite(t.logprob)) continue;
    // Tokenizers mark a leading space differently (" the", "▁the", "Ġthe"); compare the text.
    const key = t.token.replace(/^[ \u2581\u0120]+/u, ' ');
    const prev = m.get(key);
    // Two raw tokens that normalise alike: their probabilities add (log-sum-exp).
    m.set(
      key,
      prev === undefined
        ? t.logprob
        : Math.max(prev, t.logprob) + Math.log1p(Math.exp(-Math.abs(prev - t.logprob))),
    );
  }
  return m;
}

/**
 * Correlation of two next-token candidate lists over their union, each model's missing
 * candidates imputed at its own lowest listed log-probability (a candidate it does not list is at
 * most that likely). Pearson correlation of log-probabilities is unchanged by a temperature (which
 * scales logits) and by the log-normaliser (a shift), so a sharper or flatter model is not
 * "closer" to anyone. Mapped to [0, 1] as (1 + r)/2; 1/2 when undefined (constant lists).
 */
export function candidateCorrelation(a: Candidates, b: Candidates): number {
  if (a.size === 0 || b.size === 0) return 0.5;
  let fa = Infinity;
  let fb = Infinity;
  for (const v of a.values()) fa = Math.min(fa, v);
  for (const v of b.values()) fb = Math.min(fb, v);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    xs.push(a.get(key) ?? fa);
    ys.push(b.get(key) ?? fb);
  }
  const n = xs.length;
  if (n < 2) return 0.5;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx <= 0 || syy <= 0) return 0.5;
  return Math.min(1, Math.max(0, (1 + sxy / Math.sqrt(sxx * syy)) / 2));
}

/** FNV-1a 32-bit hash (a fixed, portable feature hash). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A sparse feature vector. */
export type Features = Map<number, number>;

const FORMAT_FEATURES: readonly [string, RegExp][] = [
  ['newline', /\n/g],
  ['blank-line', /\n\s*\n/g],
  ['bullet', /^\s*[-*•]\s/gm],
  ['numbered', /^\s*\d+[.)]\s/gm],
  ['heading', /^\s*#{1,6}\s/gm],
  ['bold', /\*\*[^*]+\*\*/g],
  ['code-fence', /```/g],
  ['inline-code', /`[^`\n]+`/g],
  ['exclamation', /!/g],
  ['question', /\?/g],
  ['colon', /:/g],
  ['semicolon', /;/g],
  ['dash', /\s[-–—]\s/g],
  ['quote', /["“”]/g],
  ['paren', /[()]/g],
  ['digit', /\d/g],
  ['uppercase', /\p{Lu}/gu],
  ['emoji', /\p{Extended_Pictographic}/gu],
];

/** Refusal and hedging templates (counted as style: a distilled model copies its teacher's). */
export const REFUSAL_PATTERN =
  /\b(i can(?:no|')t|i am (?:not able|unable)|i'm (?:not able|unable|sorry)|as an ai|i (?:won't|will not) (?:help|provide)|cannot (?:help|assist) with)\b/i;

/**
 * Style features of a text: hashed character 3-grams (Idiosyncrasies, Sun et al., ICML 2025,
 * find model fingerprints "rooted in word-level distributions"; character n-grams capture them
 * without a tokenizer), formatting habits per 100 characters, and a refusal indicator.
 */
export function styleFeatures(text: string): Features {
  const t = text.slice(0, MAX_FEATURE_CHARS);
  const f: Features = new Map();
  const padded = ` ${t.toLowerCase().replace(/\s+/g, ' ')} `;
  for (let i = 0; i + 3 <= padded.length; i++) {
    const h = fnv1a(padded.slice(i, i + 3)) % STYLE_HASH_DIMS;
    f.set(h, (f.get(h) ?? 0) + 1);
  }
  const scale = 100 / Math.max(1, t.length);
  FORMAT_FEATURES.forEach(([, re], i) => {
    const m = t.match(re);
    if (m) f.set(STYLE_HASH_DIMS + i, m.length * scale);
  });
  if (REFUSAL_PATTERN.test(t)) f.set(STYLE_HASH_DIMS + FORMAT_FEATURES.length, 5);
  return f;
}

/** Cosine similarity of two sparse non-negative vectors (0 when either is empty). */
export function cosine(a: Features, b: Features): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    na += v * v;
    const w = b.get(k);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  if (na === 0 || nb === 0) return 0;
  return Math.min(1, dot / Math.sqrt(na * nb));
}

/** k-gram counts for k = 1..K of a text (bounded by {@link MAX_FEATURE_CHARS}). */
export function spectrum(text: string, kMax = SPECTRUM_K): Map<string, number> {
  const t = text.slice(0, MAX_FEATURE_CHARS);
  const m = new Map<string, number>();
  for (let k = 1; k <= kMax; k++)
    for (let i = 0; i + k <= t.length; i++) {
      const g = t.slice(i, i + k);
      m.set(g, (m.get(g) ?? 0) + 1);
    }
  return m;
}

/** Normalised cumulative k-spectrum kernel K(a,b)/√(K(a,a)K(b,b)) ∈ [0, 1]. */
export function spectrumKernel(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [g, v] of small) {
    const w = large.get(g);
    if (w !== undefined) dot += v * w;
  }
  for (const v of a.values()) na += v * v;
  for (const v of b.values()) nb += v * v;
  if (na === 0 || nb === 0) return 0;
  return Math.min(1, dot / Math.sqrt(na * nb));
}

/** Mean kernel over all cross pairs of two sample sets (the cross term of MMD²). */
export function meanCrossKernel(
  a: readonly Map<string, number>[],
  b: readonly Map<string, number>[],
): number {
  if (a.length === 0 || b.length === 0) return 0;
  let s = 0;
  for (const x of a) for (const y of b) s += spectrumKernel(x, y);
  return s / (a.length * b.length);
}

/** Whether a response is unusable for comparison: empty after normalisation. */
export function isEmptyAnswer(text: string): boolean {
  return normalizeText(text) === '';
}

/** Whether a response looks like a refusal. */
export function isRefusal(text: string): boolean {
  return REFUSAL_PATTERN.test(text.slice(0, MAX_FEATURE_CHARS));
}
