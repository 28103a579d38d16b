/**
 * Per-request features, computed offline and deterministically (no model, no download) in one
 * pass over the prompt's characters:
 *
 * - **Template skeleton.** Numbers, entities (capitalised words inside a sentence, acronyms),
 *   URLs, e-mail addresses, code blocks and quoted spans are masked; the masked token stream is
 *   hashed whole (`skelKey`), by its first and last {@link FRAME_TOKENS} tokens (`headKey`,
 *   `tailKey`: the fixed instruction frame of a template survives any slot filling), and by a
 *   one-permutation MinHash over token trigrams (Li, Owen & Zhang, "One Permutation Hashing",
 *   NeurIPS 2012; densified by rotation, Shrivastava & Li ICML 2014) banded into two
 *   near-duplicate keys (`nd0`, `nd1`, 4 rows each: LSH, Indyk & Motwani 1998).
 * - **Elicitation.** Lexical-class rules for reasoning-trace elicitation, rubric / judge prompts,
 *   tool-trace harvesting and rewrite requests, plus request parameters (tools, n > 1, logprobs).
 * - **Capability and topic.** A keyword taxonomy over hashed 6-character stems gives a coarse
 *   capability tag; a 6-bit SimHash (Charikar, STOC 2002) over hashed content words (stop and
 *   instruction words removed) splits each capability into 64 topic cells.
 * - **Exact content** (`contentKey`, numbers included) separates re-runs of the same prompt from
 *   new prompts on the same template.
 */
import { combine, fmix32, FNV_OFFSET, FNV_PRIME, hashString } from './hash.js';
import {
  CAPABILITIES,
  CAPABILITY_WORDS,
  CLS,
  COT_STRONG_WORDS,
  EVAL_WORDS,
  EXPLAIN_WORDS,
  PHRASES,
  REASON_WORDS,
  RESPONSE_WORDS,
  REWRITE_WORDS,
  RUBRIC_STRONG_WORDS,
  STOP_WORDS,
} from './lexicon.js';
import type { TrafficRecord } from './record.js';

/** Characters analysed from the start of a prompt (long prompts are mostly pasted material). */
export const HEAD_CHARS = 6144;
/** Characters analysed from the end of a long prompt (templates often end with an instruction). */
export const TAIL_CHARS = 1024;
/** Most tokens kept per request (bounds the scratch buffers). */
export const MAX_REQUEST_TOKENS = 2048;
/** Tokens in a template frame (head / tail key). */
export const FRAME_TOKENS = 8;
/** Most content words used for the topic SimHash. */
export const MAX_TOPIC_WORDS = 64;
/** Longest quoted span masked as one slot (longer quotes are content, not a slot). */
export const MAX_QUOTE_CHARS = 400;
/** Words of a capped length feed the stem hash (six characters: a crude, language-agnostic stemmer). */
export const STEM_CHARS = 6;
/** Bits of topic SimHash per capability (64 cells each). */
export const TOPIC_BITS = 6;
/** Number of topic cells: capabilities × 2^TOPIC_BITS. */
export const TOPIC_CELLS = CAPABILITIES.length << TOPIC_BITS;
/** Prompts shorter than this many tokens get no exact-content key (see `contentKey`). */
export const MIN_CONTENT_TOKENS = 8;
/** Elicitation window: an explain-verb and a reasoning-noun at most this many tokens apart. */
export const ELICIT_WINDOW = 6;

/** Elicitation kinds (bit flags). */
export const ELICIT = { COT: 1, RUBRIC: 2, TOOL: 4, REWRITE: 8, MULTI: 16 } as const;

/** Features of one request. All keys are unsigned 32-bit hashes; 0 means "absent". */
export interface RequestFeatures {
  skelKey: number;
  headKey: number;
  tailKey: number;
  nd0: number;
  nd1: number;
  contentKey: number;
  systemKey: number;
  /** Bit set of {@link ELICIT}. */
  elicit: number;
  /** Index into {@link CAPABILITIES}. */
  capability: number;
  /** Topic cell in [0, TOPIC_CELLS). */
  cell: number;
  /** Skeleton tokens seen. */
  tokens: number;
}

/** A fresh, zeroed features object (reuse it across calls: {@link featurize} overwrites it). */
export function emptyFeatures(): RequestFeatures {
  return {
    skelKey: 0,
    headKey: 0,
    tailKey: 0,
    nd0: 0,
    nd1: 0,
    contentKey: 0,
    systemKey: 0,
    elicit: 0,
    capability: 0,
    cell: 0,
    tokens: 0,
  };
}

// Mask tokens: fixed hashes that cannot collide with a word hash in practice.
const MASK = {
  NUM: hashString('\u0000num'),
  ENT: hashString('\u0000ent'),
  URL: hashString('\u0000url'),
  CODE: hashString('\u0000code'),
  QUOTE: hashString('\u0000quote'),
  EMAIL: hashString('\u0000email'),
} as const;

function wordHash(w: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), FNV_PRIME);
  return fmix32(h >>> 0);
}

function stemHash(w: string): number {
  return wordHash(w.slice(0, STEM_CHARS));
}

/**
 * A fixed-size open-addressing table from non-zero 32-bit hashes to small integers: several
 * times faster than a `Map` on the per-word hot path.
 */
class HashTable {
  private readonly keys: Uint32Array;
  private readonly vals: Int32Array;
  private readonly mask: number;
  constructor(capacityPow2: number) {
    this.keys = new Uint32Array(capacityPow2);
    this.vals = new Int32Array(capacityPow2);
    this.mask = capacityPow2 - 1;
  }
  get(key: number): number {
    let i = key & this.mask;
    for (;;) {
      const k = this.keys[i] ?? 0;
      if (k === key) return this.vals[i] ?? 0;
      if (k === 0) return 0;
      i = (i + 1) & this.mask;
    }
  }
  or(key: number, bits: number): void {
    let i = key & this.mask;
    for (;;) {
      const k = this.keys[i] ?? 0;
      if (k === key || k === 0) {
        this.keys[i] = key;
        this.vals[i] = (this.vals[i] ?? 0) | bits;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }
}

// Lookup tables built once at module load.
const CLASS_OF = new HashTable(4096);
const CAP_OF = new HashTable(4096);
/** Class bit marking the first word of some phrase (kept above the lexical classes). */
const PHRASE_FIRST = 1 << 20;
/** phrase first-word hash → list of (token hashes, kind bit) */
const PHRASE_START = new Map<number, { toks: number[]; bit: number }[]>();

function addClass(list: readonly string[], bit: number): void {
  for (const w of list) {
    CLASS_OF.or(wordHash(w.toLowerCase()), bit);
  }
}
addClass(EXPLAIN_WORDS, CLS.EXPLAIN);
addClass(REASON_WORDS, CLS.REASON);
addClass(EVAL_WORDS, CLS.EVAL);
addClass(RESPONSE_WORDS, CLS.RESPONSE);
addClass(REWRITE_WORDS, CLS.REWRITE);
addClass(RUBRIC_STRONG_WORDS, CLS.RUBRIC_STRONG);
addClass(COT_STRONG_WORDS, CLS.COT_STRONG);
addClass(['action', 'actions'], CLS.ACTION);
addClass(['observation', 'observations'], CLS.OBSERVATION);
addClass(STOP_WORDS, CLS.STOP);
for (const [kind, bit] of [
  ['cot', ELICIT.COT],
  ['rubric', ELICIT.RUBRIC],
  ['tool', ELICIT.TOOL],
  ['rewrite', ELICIT.REWRITE],
] as const) {
  for (const p of PHRASES[kind]) {
    const toks = p.split(' ').map((w) => wordHash(w));
    const first = toks[0];
    if (first === undefined) continue;
    const list = PHRASE_START.get(first) ?? [];
    list.push({ toks, bit });
    PHRASE_START.set(first, list);
    CLASS_OF.or(first, PHRASE_FIRST);
  }
}
CAPABILITIES.forEach((name, idx) => {
  if (name === 'general') return;
  for (const w of CAPABILITY_WORDS[name]) {
    // a stem shared by two capabilities counts for both (bit set of capability ids)
    CAP_OF.or(stemHash(w), 1 << idx);
  }
});

// Scratch buffers reused by every call (the monitor is single-threaded per worker).
const skel = new Uint32Array(MAX_REQUEST_TOKENS);
const cls = new Int32Array(MAX_REQUEST_TOKENS);
const topicWords = new Uint32Array(MAX_TOPIC_WORDS);
const capScore = new Float64Array(CAPABILITIES.length);
const ophBins = new Uint32Array(8);

const enum CharKind {
  Other = 0,
  Space = 1,
  Lower = 2,
  Upper = 3,
  Digit = 4,
  Joiner = 5, // _ and ' inside words
  SentenceEnd = 6,
  Punct = 7, // punctuation kept as a template token
}

const ASCII_KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  let k = CharKind.Other;
  if (c >= 97 && c <= 122) k = CharKind.Lower;
  else if (c >= 65 && c <= 90) k = CharKind.Upper;
  else if (c >= 48 && c <= 57) k = CharKind.Digit;
  else if (c === 32 || c === 9 || c === 13) k = CharKind.Space;
  else if (c === 10 || c === 46 || c === 33 || c === 63) k = CharKind.SentenceEnd;
  else if (c === 95 || c === 39) k = CharKind.Joiner;
  else if (c === 58 || c === 35 || c === 42 || c === 60 || c === 62 || c === 61 || c === 124)
    k = CharKind.Punct;
  ASCII_KIND[c] = k;
}

function isCjk(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0xac00 && c <= 0xd7af) ||
    (c >= 0x3400 && c <= 0x4dbf)
  );
}

function kindOf(c: number): CharKind {
  if (c < 128) return ASCII_KIND[c] as CharKind;
  if (c === 0x201c || c === 0x201d || c === 0x2018 || c === 0x2019) return CharKind.Other;
  if (c === 0x3002 || c === 0xff1f || c === 0xff01) return CharKind.SentenceEnd;
  if (c === 0x00a0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b)) return CharKind.Space;
  if (c >= 0x2010 && c <= 0x2bff) return CharKind.Other;
  if (c >= 0xc0 && c <= 0xde && c !== 0xd7) return CharKind.Upper;
  // Cyrillic А–Я and Greek Α–Ω: lower case is 32 code points up, as in Latin-1
  if ((c >= 0x410 && c <= 0x42f) || (c >= 0x391 && c <= 0x3a9 && c !== 0x3a2))
    return CharKind.Upper;
  return CharKind.Lower; // other scripts: treated as letters (no case)
}

/** The text actually analysed: the head and, for long prompts, the tail. */
export function analysedText(text: string): string {
  if (text.length <= HEAD_CHARS + TAIL_CHARS) return text;
  return `${text.slice(0, HEAD_CHARS)}\n${text.slice(text.length - TAIL_CHARS)}`;
}

/**
 * Compute the features of one request into `out` (overwritten; returned for convenience).
 * Deterministic: the same record always gives the same features.
 */
export function featurize(
  rec: TrafficRecord,
  out: RequestFeatures = emptyFeatures(),
): RequestFeatures {
  const text = analysedText(rec.text);
  const len = text.length;
  let n = 0; // skeleton tokens
  let nTopic = 0;
  let contentH = FNV_OFFSET;
  let elicit = 0;
  let sentenceStart = true;
  let lastExplain = -1000;
  let lastReason = -1000;
  let lastEval = -1000;
  let lastResponse = -1000;
  let sawAction = false;
  let sawObservation = false;
  capScore.fill(0);

  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? (ASCII_KIND[c] as CharKind) : kindOf(c);
    if (k === CharKind.Space) {
      i++;
      continue;
    }
    if (k === CharKind.SentenceEnd) {
      sentenceStart = true;
      if (c === 63)
        if (n < MAX_REQUEST_TOKENS) {
          skel[n] = 0x3f3f3f3f;
          cls[n++] = 0;
        } // '?' shapes question templates
      i++;
      continue;
    }
    if (k === CharKind.Punct) {
      if (n < MAX_REQUEST_TOKENS) {
        skel[n] = fmix32(c + 0x1000);
        cls[n++] = 0;
      }
      if (c === 58) sentenceStart = true; // after "Question:" a new clause starts
      i++;
      continue;
    }
    // code fence ``` … ```
    if (c === 96) {
      if (text.charCodeAt(i + 1) === 96 && text.charCodeAt(i + 2) === 96) {
        const end = text.indexOf('```', i + 3);
        if (n < MAX_REQUEST_TOKENS) {
          skel[n] = MASK.CODE;
          cls[n++] = 0;
        }
        i = end < 0 ? len : end + 3;
        continue;
      }
      const end = text.indexOf('`', i + 1);
      if (end > i && end - i <= 200) {
        if (n < MAX_REQUEST_TOKENS) {
          skel[n] = MASK.CODE;
          cls[n++] = 0;
        }
        i = end + 1;
        continue;
      }
      i++;
      continue;
    }
    // quoted span "…" or “…”
    if (c === 34 || c === 0x201c) {
      const close = c === 34 ? 34 : 0x201d;
      let j = i + 1;
      const lim = Math.min(len, i + MAX_QUOTE_CHARS);
      while (j < lim && text.charCodeAt(j) !== close && text.charCodeAt(j) !== 10) j++;
      if (j < lim && text.charCodeAt(j) === close && j > i + 1) {
        if (n < MAX_REQUEST_TOKENS) {
          skel[n] = MASK.QUOTE;
          cls[n++] = 0;
        }
        contentH = Math.imul(contentH ^ hashString(text.slice(i, j)), FNV_PRIME);
        i = j + 1;
        sentenceStart = false;
        continue;
      }
      i++;
      continue;
    }
    if (isCjk(c)) {
      // one ideograph = one token, hashed like a one-character word so phrases can name it
      const h = fmix32(Math.imul(FNV_OFFSET ^ c, FNV_PRIME) >>> 0);
      const cbits = CLASS_OF.get(h);
      if (n < MAX_REQUEST_TOKENS) {
        skel[n] = h;
        cls[n++] = cbits;
      }
      contentH = Math.imul(contentH ^ h, FNV_PRIME);
      if (nTopic < MAX_TOPIC_WORDS) topicWords[nTopic++] = h;
      sentenceStart = false;
      i++;
      continue;
    }
    if (k === CharKind.Other) {
      i++;
      continue;
    }
    // a word: letters, digits, joiners; '.', '@', '/' and ':' only inside (domains, e-mail, URLs)
    const start = i;
    let hasDigit = false;
    let hasUpper = k === CharKind.Upper;
    let allUpper = k === CharKind.Upper;
    let hasAt = false;
    let hasDot = false;
    let h = FNV_OFFSET;
    let stemH = 0;
    let wl = 0;
    let isUrl = false;
    while (i < len) {
      const ch = text.charCodeAt(i);
      const kk = ch < 128 ? (ASCII_KIND[ch] as CharKind) : kindOf(ch);
      if (
        kk === CharKind.Lower ||
        kk === CharKind.Upper ||
        kk === CharKind.Digit ||
        kk === CharKind.Joiner
      ) {
        if (kk === CharKind.Digit) hasDigit = true;
        if (kk === CharKind.Upper) hasUpper = true;
        else if (kk === CharKind.Lower) allUpper = false;
        const lower = kk === CharKind.Upper ? ch + 32 : ch;
        h = Math.imul(h ^ lower, FNV_PRIME);
        wl++;
        if (wl === STEM_CHARS) stemH = h;
        i++;
        continue;
      }
      if ((ch === 46 || ch === 64) && i + 1 < len) {
        const nk = kindOf(text.charCodeAt(i + 1));
        if (nk === CharKind.Lower || nk === CharKind.Upper || nk === CharKind.Digit) {
          if (ch === 64) hasAt = true;
          else hasDot = true;
          h = Math.imul(h ^ ch, FNV_PRIME);
          wl++;
          i++;
          continue;
        }
      }
      if (ch === 58 && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) {
        isUrl = true;
        break;
      }
      break;
    }
    if (isUrl || (wl >= 4 && text.startsWith('www.', start))) {
      let j = i;
      while (j < len && text.charCodeAt(j) > 32) j++;
      contentH = Math.imul(contentH ^ hashString(text.slice(start, j)), FNV_PRIME);
      if (n < MAX_REQUEST_TOKENS) {
        skel[n] = MASK.URL;
        cls[n++] = 0;
      }
      i = j;
      sentenceStart = false;
      continue;
    }
    const wh = fmix32(h >>> 0);
    contentH = Math.imul(contentH ^ wh, FNV_PRIME);
    if (hasAt) {
      if (n < MAX_REQUEST_TOKENS) {
        skel[n] = MASK.EMAIL;
        cls[n++] = 0;
      }
      sentenceStart = false;
      continue;
    }
    if (hasDigit) {
      if (n < MAX_REQUEST_TOKENS) {
        skel[n] = MASK.NUM;
        cls[n++] = 0;
      }
      sentenceStart = false;
      continue;
    }
    const isEntity =
      hasUpper && ((!sentenceStart && !allUpper) || (allUpper && wl >= 2 && wl <= 6)) && !hasDot;
    const bits = CLASS_OF.get(wh);
    if (isEntity && bits === 0) {
      if (n < MAX_REQUEST_TOKENS) {
        skel[n] = MASK.ENT;
        cls[n++] = 0;
      }
      if (nTopic < MAX_TOPIC_WORDS) topicWords[nTopic++] = wh;
      sentenceStart = false;
      continue;
    }
    sentenceStart = false;
    const pos = n;
    if (n < MAX_REQUEST_TOKENS) {
      skel[n] = wh;
      cls[n++] = bits;
    }
    // capability stems
    const sh = wl >= STEM_CHARS ? fmix32(stemH >>> 0) : wh;
    const capBits = CAP_OF.get(sh);
    if (capBits !== 0) {
      for (let b = 1; b < CAPABILITIES.length; b++)
        if (capBits & (1 << b)) capScore[b] = (capScore[b] ?? 0) + 1;
    }
    if (!(bits & CLS.STOP) && wl >= 3 && nTopic < MAX_TOPIC_WORDS) topicWords[nTopic++] = wh;
    // elicitation class rules
    if (bits !== 0) {
      if (bits & CLS.COT_STRONG) elicit |= ELICIT.COT;
      if (bits & CLS.RUBRIC_STRONG) elicit |= ELICIT.RUBRIC;
      if (bits & CLS.REWRITE && pos < 40) elicit |= ELICIT.REWRITE;
      if (bits & CLS.EXPLAIN) {
        if (pos - lastReason <= 2) elicit |= ELICIT.COT; // "reasoning, explained" order
        lastExplain = pos;
      }
      if (bits & CLS.REASON) {
        if (pos - lastExplain <= ELICIT_WINDOW) elicit |= ELICIT.COT;
        lastReason = pos;
      }
      if (bits & CLS.EVAL) {
        if (pos - lastResponse <= ELICIT_WINDOW) elicit |= ELICIT.RUBRIC;
        lastEval = pos;
      }
      if (bits & CLS.RESPONSE) {
        if (pos - lastEval <= ELICIT_WINDOW) elicit |= ELICIT.RUBRIC;
        lastResponse = pos;
      }
      if (bits & CLS.ACTION) sawAction = true;
      if (bits & CLS.OBSERVATION) sawObservation = true;
    }
  }

  // phrases (rare first words: a map probe per token)
  for (let t = 0; t < n; t++) {
    if (((cls[t] ?? 0) & PHRASE_FIRST) === 0) continue;
    const cands = PHRASE_START.get(skel[t] ?? 0);
    if (cands === undefined) continue;
    for (const ph of cands) {
      if (elicit & ph.bit) continue;
      let ok = t + ph.toks.length <= n;
      for (let q = 1; ok && q < ph.toks.length; q++) if (skel[t + q] !== ph.toks[q]) ok = false;
      if (ok) elicit |= ph.bit;
    }
  }
  if (sawAction && sawObservation) elicit |= ELICIT.TOOL;
  if (rec.tools > 0) elicit |= ELICIT.TOOL;
  if (rec.multiSample) elicit |= ELICIT.MULTI;

  // template keys
  let sk = FNV_OFFSET;
  for (let t = 0; t < n; t++) sk = combine(sk, skel[t] ?? 0);
  out.skelKey = n > 0 ? sk || 1 : 0;
  let hk = 0x51ed270b;
  const hn = Math.min(n, FRAME_TOKENS);
  for (let t = 0; t < hn; t++) hk = combine(hk, skel[t] ?? 0);
  out.headKey = n >= 3 ? hk || 1 : 0;
  if (n > FRAME_TOKENS + 2) {
    let tk = 0x2545f491;
    for (let t = n - FRAME_TOKENS; t < n; t++) tk = combine(tk, skel[t] ?? 0);
    out.tailKey = tk || 1;
  } else out.tailKey = 0;
  // one-permutation MinHash over skeleton token trigrams: 8 bins → 2 bands × 4 rows
  if (n >= 5) {
    ophBins.fill(0xffffffff);
    for (let t = 0; t + 2 < n; t++) {
      const sh = fmix32(
        ((skel[t] ?? 0) ^
          Math.imul(skel[t + 1] ?? 0, 0x9e3779b1) ^
          Math.imul(skel[t + 2] ?? 0, 0x85ebca77)) >>>
          0,
      );
      const bin = sh >>> 29;
      const v = sh & 0x1fffffff;
      if (v < (ophBins[bin] ?? 0)) ophBins[bin] = v;
    }
    for (let b = 0; b < 8; b++) {
      // densification by rotation: an empty bin borrows the next non-empty one
      if (ophBins[b] === 0xffffffff) {
        for (let q = 1; q < 8; q++) {
          const v = ophBins[(b + q) & 7] ?? 0xffffffff;
          if (v !== 0xffffffff) {
            ophBins[b] = (v + q * 0x1000193) >>> 0;
            break;
          }
        }
      }
    }
    out.nd0 =
      combine(
        combine(combine(combine(0x1b873593, ophBins[0] ?? 0), ophBins[1] ?? 0), ophBins[2] ?? 0),
        ophBins[3] ?? 0,
      ) || 1;
    out.nd1 =
      combine(
        combine(combine(combine(0x7fe3a1c9, ophBins[4] ?? 0), ophBins[5] ?? 0), ophBins[6] ?? 0),
        ophBins[7] ?? 0,
      ) || 1;
  } else {
    out.nd0 = 0;
    out.nd1 = 0;
  }
  // exact-content key only for substantive prompts: "thanks" and "continue" repeat for everyone
  out.contentKey = n >= MIN_CONTENT_TOKENS ? fmix32((contentH ^ len) >>> 0) || 1 : 0;
  out.systemKey =
    rec.system !== undefined && rec.system.length > 0
      ? hashString(rec.system.slice(0, 4096)) || 1
      : 0;

  // capability: argmax of stem hits (ties → lower id, none → general)
  let best = 0;
  let bestScore = 0;
  for (let b = 1; b < CAPABILITIES.length; b++) {
    const s = capScore[b] ?? 0;
    if (s > bestScore) {
      best = b;
      bestScore = s;
    }
  }
  if (elicit & ELICIT.TOOL && bestScore < 2) best = CAPABILITIES.indexOf('agentic');
  // topic SimHash over content words
  let cell = 0;
  if (nTopic > 0) {
    for (let b = 0; b < TOPIC_BITS; b++) {
      let v = 0;
      for (let t = 0; t < nTopic; t++) v += ((topicWords[t] ?? 0) >>> (b + 7)) & 1 ? 1 : -1;
      if (v > 0) cell |= 1 << b;
    }
  }
  out.capability = best;
  out.cell = (best << TOPIC_BITS) | cell;
  out.elicit = elicit;
  out.tokens = n;
  return out;
}
