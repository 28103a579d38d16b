/**
 * The probe battery: prompts generated from a secret seed whose hash is published before the run
 * (commit-then-reveal, the unforgeability idea of Chain & Hash, Russinovich et al., ICLR 2026), so
 * nobody can accuse the prober of picking prompts after seeing the suspect's answers, and anyone
 * holding the revealed seed regenerates the exact battery.
 *
 * Each family draws its prompts from its own SHA-256 counter stream (`family:<name>`), so prompt i
 * of a family does not depend on the budget: a run at budget 500 asks a prefix of the run at
 * budget 2,000, which is what makes "power against budget" curves and resumption exact.
 */
import { ProbeError } from './errors.js';
import { canonicalJson, SeededStream, sha256Hex } from './hash.js';
import type { GenerationParams } from './target.js';
import {
  ADJECTIVES,
  CATEGORIES,
  DETERMINERS,
  NOUNS,
  OPEN_REQUESTS,
  QUESTION_OPENERS,
  SIMPLE_WORDS,
  STARTERS,
  TASKS,
  TOPICS,
  VERBS,
  WORDS_VERSION,
} from './words.js';

/** Probe families. */
export type FamilyName = 'short' | 'logprob' | 'canary' | 'style' | 'kernel';

/** Every family in a fixed order (reports list them this way). */
export const FAMILIES: readonly FamilyName[] = ['short', 'logprob', 'canary', 'style', 'kernel'];

/** Domain separator of battery commitments. */
export const COMMITMENT_DOMAIN = 'model-customs/probe-battery/v1';

/** Largest suspect-query budget one run may ask for (bounds memory for the battery and cache). */
export const MAX_BUDGET = 200_000;
/** Largest kernel sample count per prompt (each is one query per target). */
export const MAX_KERNEL_SAMPLES = 16;
/** Largest generation length a battery may request (bounds response sizes and CPU). */
export const MAX_BATTERY_TOKENS = 512;
/** Most alternatives per token requested (the OpenAI API's own ceiling is 20). */
export const MAX_TOP_LOGPROBS = 20;

/** A secret battery seed: 32 random bytes as 64 lowercase hex digits. */
export type BatterySeed = string;

/** What a battery asks; all of it is committed. */
export interface BatterySpec {
  /** Share of the suspect budget per family (normalised over the families that run). */
  readonly weights: Readonly<Record<Exclude<FamilyName, 'canary'>, number>>;
  /** Samples per kernel prompt (each one query per target). */
  readonly kernelSamples: number;
  readonly shortParams: GenerationParams;
  readonly logprobParams: GenerationParams;
  readonly styleParams: GenerationParams;
  readonly kernelParams: GenerationParams;
  /** SHA-256 of the canary file, when one is used (its prompts then join the battery). */
  readonly canaryDigest: string | null;
}

/**
 * Defaults. Greedy families get most of the budget: a greedy answer carries no sampling noise, so
 * it is the most information per query; sampled families catch what greedy decoding hides.
 */
export const DEFAULT_SPEC: BatterySpec = {
  weights: { short: 0.4, logprob: 0.4, style: 0.1, kernel: 0.1 },
  kernelSamples: 4,
  shortParams: { maxTokens: 12, temperature: 0 },
  logprobParams: { maxTokens: 1, temperature: 0, topLogprobs: 20 },
  styleParams: { maxTokens: 64, temperature: 0.8 },
  kernelParams: { maxTokens: 32, temperature: 1 },
  canaryDigest: null,
};

/** One probe: a prompt, the parameters to ask it with, and how many samples. */
export interface ProbeItem {
  readonly family: FamilyName;
  /** Position in its family's stream (0-based). */
  readonly index: number;
  /** Template that produced it (for per-template breakdowns). */
  readonly template: string;
  readonly prompt: string;
  /** Parameters; sampled families carry a per-prompt seed drawn from the battery stream. */
  readonly params: GenerationParams;
  /** For canaries: the text whose reproduction counts as a hit. */
  readonly canary?: string;
}

/** Check a seed's shape (64 hex digits). */
export function checkSeed(seed: string, where = 'seed'): BatterySeed {
  const s = seed.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(s))
    throw new ProbeError('BAD_BATTERY', 'a battery seed is 64 hexadecimal digits (32 bytes)', {
      where: { field: where },
    });
  return s;
}

/** Validate a spec (also used on specs read back from JSON). */
export function checkSpec(spec: BatterySpec): BatterySpec {
  const bad = (field: string, msg: string): never => {
    throw new ProbeError('BAD_OPTION', msg, { where: { field } });
  };
  for (const [k, w] of Object.entries(spec.weights))
    if (!(Number.isFinite(w) && w >= 0 && w <= 1)) bad(`weights.${k}`, `weight ${w} not in [0,1]`);
  if (
    !Number.isInteger(spec.kernelSamples) ||
    spec.kernelSamples < 2 ||
    spec.kernelSamples > MAX_KERNEL_SAMPLES
  )
    bad('kernelSamples', `kernelSamples must be an integer in [2, ${MAX_KERNEL_SAMPLES}]`);
  for (const [name, p] of [
    ['shortParams', spec.shortParams],
    ['logprobParams', spec.logprobParams],
    ['styleParams', spec.styleParams],
    ['kernelParams', spec.kernelParams],
  ] as const) {
    if (!Number.isInteger(p.maxTokens) || p.maxTokens < 1 || p.maxTokens > MAX_BATTERY_TOKENS)
      bad(`${name}.maxTokens`, `maxTokens must be in [1, ${MAX_BATTERY_TOKENS}]`);
    if (!(Number.isFinite(p.temperature) && p.temperature >= 0 && p.temperature <= 2))
      bad(`${name}.temperature`, 'temperature must be in [0, 2]');
    const k = p.topLogprobs ?? 0;
    if (!Number.isInteger(k) || k < 0 || k > MAX_TOP_LOGPROBS)
      bad(`${name}.topLogprobs`, `topLogprobs must be in [0, ${MAX_TOP_LOGPROBS}]`);
  }
  if (spec.shortParams.temperature !== 0 || spec.logprobParams.temperature !== 0)
    bad('temperature', 'short-answer and log-prob probes are greedy (temperature 0)');
  if ((spec.logprobParams.topLogprobs ?? 0) < 2)
    bad('logprobParams.topLogprobs', 'the log-prob family needs at least 2 alternatives');
  if (spec.styleParams.temperature === 0 || spec.kernelParams.temperature === 0)
    bad('temperature', 'style and kernel probes sample (temperature > 0)');
  return spec;
}

/**
 * The commitment to publish before a run: SHA-256 over the domain, the seed, the word-list
 * version and the canonical JSON of the spec. Revealing the seed later lets anyone check it.
 */
export function batteryCommitment(seed: BatterySeed, spec: BatterySpec): string {
  return sha256Hex(
    `${COMMITMENT_DOMAIN}\n${checkSeed(seed)}\nwords/${WORDS_VERSION}\n${canonicalJson(spec)}`,
  );
}

/** Verify a revealed seed against a published commitment; throws COMMITMENT_MISMATCH. */
export function verifyCommitment(seed: BatterySeed, spec: BatterySpec, commitment: string): void {
  const c = commitment.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(c))
    throw new ProbeError('BAD_BATTERY', 'a commitment is 64 hexadecimal digits (SHA-256)', {
      where: { field: 'commitment' },
    });
  const actual = batteryCommitment(seed, spec);
  if (actual !== c)
    throw new ProbeError(
      'COMMITMENT_MISMATCH',
      `seed and spec hash to ${actual}, not the published commitment ${c}`,
      { where: { field: 'commitment' }, details: { expected: c, actual } },
    );
}

const cap = (s: string): string => (s.length > 0 ? s[0]?.toUpperCase() + s.slice(1) : s);

/**
 * A prompt for the short-answer and log-prob families: questions with short, habitual answers,
 * and sentences left open for the next word (what people type into completion boxes). Habit
 * questions ("name a fruit") have no right answer, so agreeing on one says more about lineage
 * than about competence.
 */
function shortPrompt(r: SeededStream): { template: string; prompt: string } {
  switch (r.int(12)) {
    case 0:
      return {
        template: 'name-a',
        prompt: `${r.pick(['Name a', 'Name one', 'Tell me a', 'Give me one'])} ${r.pick(CATEGORIES)}${r.pick(['.', ', just one word.', ', please.', '?'])}`,
      };
    case 1: {
      const a = 1 + r.int(20);
      const b = a + 5 + r.int(95);
      return { template: 'pick-number', prompt: `Pick a number between ${a} and ${b}.` };
    }
    case 2:
      return {
        template: 'rhyme',
        prompt: `${r.pick(['Give me a word that rhymes with', 'What rhymes with', 'Find a rhyme for'])} "${r.pick(SIMPLE_WORDS)}"?`,
      };
    case 3:
      return {
        template: 'suggest-name',
        prompt: `Suggest a name for a ${r.pick(ADJECTIVES)} ${r.pick(['cat', 'dog', 'boat', 'café', 'band', 'robot', 'horse', 'garden', 'startup', 'goldfish'])}.`,
      };
    case 4:
      return { template: 'favourite', prompt: `What is your favourite ${r.pick(CATEGORIES)}?` };
    case 5:
      return {
        template: 'complete',
        prompt: `Complete the sentence: ${cap(r.pick(DETERMINERS))} ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)}`,
      };
    case 6:
      return {
        template: 'one-word',
        prompt: `In one word, how would you describe ${r.pick(TOPICS)}?`,
      };
    case 7:
      return {
        template: 'my-favourite',
        prompt: `${r.pick(['My favourite', 'The best', 'The most underrated', 'Everyone’s favourite'])} ${r.pick(CATEGORIES)} is `,
      };
    case 8:
      return {
        template: 'sentence-open',
        prompt: `${cap(r.pick(DETERMINERS))} ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)} `,
      };
    case 9:
      return {
        template: 'starter-open',
        prompt: `${r.pick(STARTERS)} ${r.pick(TOPICS)} ${r.pick(['is', 'was', 'has always been', 'reminds me of'])} `,
      };
    case 10:
      return {
        template: 'i-think',
        prompt: `I think ${r.pick(DETERMINERS)} ${r.pick(NOUNS)} ${r.pick(VERBS)} `,
      };
    default:
      return {
        template: 'how-to-open',
        prompt: `${r.pick(QUESTION_OPENERS)} ${r.pick(TASKS)}? ${r.pick(['First,', 'Well,', 'The trick is', 'Start by'])} `,
      };
  }
}

/** A prompt for the style and kernel families: open requests that invite a paragraph. */
function openPrompt(r: SeededStream): { template: string; prompt: string } {
  switch (r.int(5)) {
    case 0:
      return { template: 'open-request', prompt: `${r.pick(OPEN_REQUESTS)} ${r.pick(TOPICS)}.` };
    case 1:
      return { template: 'how-to', prompt: `${r.pick(QUESTION_OPENERS)} ${r.pick(TASKS)}?` };
    case 2:
      return { template: 'starter-topic', prompt: `${r.pick(STARTERS)} ${r.pick(TOPICS)}` };
    case 3:
      return {
        template: 'sentence',
        prompt: `${cap(r.pick(DETERMINERS))} ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)} ${r.pick(DETERMINERS)} ${r.pick(NOUNS)} ${r.pick(['and', 'because', 'but', 'when', 'so'])}`,
      };
    default:
      return {
        template: 'explain',
        prompt: `Explain ${r.pick(['why', 'how'])} ${r.pick(DETERMINERS)} ${r.pick(NOUNS)} ${r.pick(VERBS)} ${r.pick(DETERMINERS)} ${r.pick(NOUNS)}.`,
      };
  }
}

/** A canary: a prompt whose answer we served (or implanted) and a string that marks a hit. */
export interface Canary {
  readonly prompt: string;
  readonly canary: string;
}

/**
 * A generator of battery items: `item(family, i)` is a pure function of (seed, spec, family, i),
 * so items can be produced lazily in any order.
 */
export class Battery {
  /** Published commitment for (seed, spec). */
  readonly commitment: string;
  private readonly streams = new Map<FamilyName, SeededStream>();
  private readonly made = new Map<FamilyName, ProbeItem[]>();

  constructor(
    readonly seed: BatterySeed,
    readonly spec: BatterySpec,
    readonly canaries: readonly Canary[] = [],
  ) {
    checkSeed(seed);
    checkSpec(spec);
    if (canaries.length > 0 && spec.canaryDigest === null)
      throw new ProbeError('BAD_BATTERY', 'canaries given but the spec commits to no canary file', {
        where: { field: 'canaryDigest' },
      });
    this.commitment = batteryCommitment(seed, spec);
  }

  /** Item `index` of `family` (canaries: the file's order, shuffled by the seed). */
  item(family: FamilyName, index: number): ProbeItem {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_BUDGET)
      throw new ProbeError('LIMIT_EXCEEDED', `probe index ${index} out of range`, {
        where: { field: family },
      });
    let list = this.made.get(family);
    if (!list) {
      list = [];
      this.made.set(family, list);
    }
    while (list.length <= index) list.push(this.make(family, list.length));
    const it = list[index];
    if (!it) throw new ProbeError('BAD_BATTERY', `no item ${index} in ${family}`);
    return it;
  }

  /** Number of items a family can produce (canaries are finite; the rest are unbounded). */
  available(family: FamilyName): number {
    return family === 'canary' ? this.canaries.length : MAX_BUDGET;
  }

  /** SHA-256 over the canonical JSON of the given items, in order (the battery transcript). */
  static digest(items: readonly ProbeItem[]): string {
    return sha256Hex(canonicalJson(items));
  }

  private stream(family: FamilyName): SeededStream {
    let s = this.streams.get(family);
    if (!s) {
      s = new SeededStream(this.seed, `family:${family}`);
      this.streams.set(family, s);
    }
    return s;
  }

  private make(family: FamilyName, index: number): ProbeItem {
    const r = this.stream(family);
    switch (family) {
      case 'short': {
        const p = shortPrompt(r);
        return { family, index, ...p, params: this.spec.shortParams };
      }
      case 'logprob': {
        const p = shortPrompt(r);
        return { family, index, ...p, params: this.spec.logprobParams };
      }
      case 'style': {
        const p = openPrompt(r);
        return { family, index, ...p, params: { ...this.spec.styleParams, seed: r.nextU32() } };
      }
      case 'kernel': {
        const p = openPrompt(r);
        return { family, index, ...p, params: { ...this.spec.kernelParams, seed: r.nextU32() } };
      }
      case 'canary': {
        if (index === 0) this.canaryOrder = shuffle(this.canaries.length, r);
        const c = this.canaries[this.canaryOrder[index] ?? -1];
        if (!c)
          throw new ProbeError('BAD_BATTERY', `canary ${index} does not exist`, {
            where: { field: 'canary' },
          });
        return {
          family,
          index,
          template: 'canary',
          prompt: c.prompt,
          params: this.spec.shortParams,
          canary: c.canary,
        };
      }
    }
  }

  private canaryOrder: number[] = [];
}

function shuffle(n: number, r: SeededStream): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
  return a;
}

/** Most canaries a file may hold (each is a query per target). */
export const MAX_CANARIES = 10_000;
/** Longest canary file read (bounds memory before parsing). */
export const MAX_CANARY_FILE_BYTES = 8 * 1024 * 1024;
/** Longest prompt or canary string accepted from a file. */
export const MAX_CANARY_CHARS = 4096;

/**
 * Parse a canary file: JSON Lines, one `{"prompt": "...", "canary": "..."}` per line; blank lines
 * and lines starting with `#` are skipped. Errors name the line.
 */
export function parseCanaries(text: string, file = 'canaries.jsonl'): Canary[] {
  if (text.length > MAX_CANARY_FILE_BYTES)
    throw new ProbeError('LIMIT_EXCEEDED', `canary file over ${MAX_CANARY_FILE_BYTES} bytes`, {
      where: { file },
    });
  const out: Canary[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = { file, line: i + 1 };
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new ProbeError('BAD_BATTERY', 'not a JSON object', { where, cause: e });
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new ProbeError('BAD_BATTERY', 'not a JSON object', { where });
    const o = v as Record<string, unknown>;
    const prompt = o['prompt'];
    const canary = o['canary'];
    if (typeof prompt !== 'string' || prompt.length === 0 || prompt.length > MAX_CANARY_CHARS)
      throw new ProbeError(
        'BAD_BATTERY',
        `"prompt" must be a non-empty string of at most ${MAX_CANARY_CHARS} characters`,
        { where: { ...where, field: 'prompt' } },
      );
    if (typeof canary !== 'string' || canary.trim().length < 4 || canary.length > MAX_CANARY_CHARS)
      throw new ProbeError(
        'BAD_BATTERY',
        `"canary" must be a string of 4 to ${MAX_CANARY_CHARS} characters (short canaries match by chance)`,
        { where: { ...where, field: 'canary' } },
      );
    if (out.length >= MAX_CANARIES)
      throw new ProbeError('LIMIT_EXCEEDED', `more than ${MAX_CANARIES} canaries`, { where });
    out.push({ prompt, canary });
  });
  if (out.length === 0)
    throw new ProbeError('BAD_BATTERY', 'the canary file holds no canaries', { where: { file } });
  return out;
}
