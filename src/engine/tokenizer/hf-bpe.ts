/**
 * Hugging Face `tokenizer.json` BPE tokenizers (the `tokenizers` library's serialisation):
 * GPT-2 / Llama 3 / Qwen byte-level BPE and SentencePiece-style BPE with byte fallback
 * (Llama 2, Mistral). Implements the pipeline of `tokenizers` (added-token split → normalizer →
 * pre-tokenizer → BPE model → decoder) for the components those families use; anything else is
 * rejected with `BAD_TOKENIZER` naming the component, never approximated.
 *
 * References: huggingface/tokenizers `tokenizers/src/models/bpe/{model,word}.rs`,
 * `pre_tokenizers/{byte_level,metaspace,split}.rs`, `decoders/*.rs`; Sennrich et al. 2016 (BPE);
 * Radford et al. 2019 (GPT-2 byte-to-unicode table).
 */
import { createHash } from 'node:crypto';
import { EngineError } from '../errors.js';
import { escapeRegex, translateRegex } from './regex.js';
import type { Tokenizer } from './types.js';

/** Largest vocabulary accepted (real ones are ≤ ~300k). */
export const MAX_TOKENIZER_VOCAB = 4_000_000;
/** Most merges accepted (real ones are ≤ ~300k). */
export const MAX_MERGES = 4_000_000;
/** Words kept in the BPE cache before it is cleared (bounds memory on adversarial text). */
export const BPE_CACHE_SIZE = 65536;
/** Added tokens accepted (each becomes part of one alternation regex). */
export const MAX_ADDED_TOKENS = 100_000;

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(file: string, field: string, msg: string): EngineError {
  return new EngineError('BAD_TOKENIZER', msg, { where: { file, field } });
}

/** GPT-2's reversible byte → printable-character table. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const table = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (bs.includes(b)) table[b] = String.fromCodePoint(b);
    else table[b] = String.fromCodePoint(256 + n++);
  }
  return table;
}

const BYTE_TO_CHAR = bytesToUnicode();
const CHAR_TO_BYTE = new Map<string, number>(BYTE_TO_CHAR.map((c, b) => [c, b]));
const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const utf8 = new TextEncoder();

function decodeUtf8Lossy(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

// ---------------------------------------------------------------- normalizers

type Normalizer = (s: string) => string;

function parseNormalizer(n: unknown, file: string, field: string): Normalizer | null {
  if (n === null || n === undefined) return null;
  if (!isObj(n)) throw bad(file, field, 'normalizer must be an object');
  const type = n['type'];
  switch (type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return (s) => s.normalize(type);
    case 'Lowercase':
      return (s) => s.toLowerCase();
    case 'Prepend': {
      const p = n['prepend'];
      if (typeof p !== 'string') throw bad(file, field, 'Prepend needs a string');
      return (s) => (s.length > 0 ? p + s : s);
    }
    case 'Replace': {
      const re = patternOf(n['pattern'], file, `${field}.pattern`);
      const content = n['content'];
      if (typeof content !== 'string') throw bad(file, field, 'Replace needs a content string');
      return (s) => s.replace(re, () => content);
    }
    case 'Strip': {
      const left = n['strip_left'] !== false;
      const right = n['strip_right'] !== false;
      return (s) => {
        let r = s;
        if (left) r = r.replace(/^\s+/u, '');
        if (right) r = r.replace(/\s+$/u, '');
        return r;
      };
    }
    case 'Sequence': {
      const list = n['normalizers'];
      if (!Array.isArray(list)) throw bad(file, field, 'Sequence needs normalizers');
      const fs = list
        .map((x, i) => parseNormalizer(x, file, `${field}.normalizers[${i}]`))
        .filter((f): f is Normalizer => f !== null);
      return (s) => fs.reduce((acc, f) => f(acc), s);
    }
    default:
      throw bad(file, field, `normalizer ${JSON.stringify(type)} is not supported`);
  }
}

function patternOf(p: unknown, file: string, field: string): RegExp {
  if (!isObj(p)) throw bad(file, field, 'pattern must be {String} or {Regex}');
  if (typeof p['String'] === 'string') return new RegExp(escapeRegex(p['String']), 'gu');
  if (typeof p['Regex'] === 'string') return translateRegex(p['Regex'], file);
  throw bad(file, field, 'pattern must be {String} or {Regex}');
}

// ---------------------------------------------------------------- pre-tokenizers

/** Splits one normalised segment into words. `first` is true for the text's first segment. */
type PreTokenizer = (pieces: string[], first: boolean) => string[];

type SplitBehavior =
  'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** Split `s` by `re` according to a `tokenizers` SplitDelimiterBehavior. */
export function splitBy(s: string, re: RegExp, behavior: SplitBehavior, invert = false): string[] {
  // Pieces as (text, isMatch)
  const parts: [string, boolean][] = [];
  let last = 0;
  re.lastIndex = 0;
  for (const m of s.matchAll(re)) {
    const start = m.index;
    const text = m[0];
    if (text.length === 0) continue;
    if (start > last) parts.push([s.slice(last, start), false]);
    parts.push([text, true]);
    last = start + text.length;
  }
  if (last < s.length) parts.push([s.slice(last), false]);
  if (invert) for (const p of parts) p[1] = !p[1];
  const out: string[] = [];
  switch (behavior) {
    case 'Removed':
      for (const [t, m] of parts) if (!m) out.push(t);
      return out;
    case 'Isolated':
      return parts.map((p) => p[0]);
    case 'Contiguous': {
      let prevMatch: boolean | null = null;
      for (const [t, m] of parts) {
        if (prevMatch === m && m && out.length > 0) out[out.length - 1] += t;
        else out.push(t);
        prevMatch = m;
      }
      return out;
    }
    case 'MergedWithPrevious': {
      let prevMatch = false;
      for (const [t, m] of parts) {
        if (m && !prevMatch && out.length > 0) out[out.length - 1] += t;
        else out.push(t);
        prevMatch = m;
      }
      return out;
    }
    case 'MergedWithNext': {
      let pending = '';
      for (const [t, m] of parts) {
        if (m) {
          if (pending) out.push(pending);
          pending = t;
        } else {
          out.push(pending + t);
          pending = '';
        }
      }
      if (pending) out.push(pending);
      return out;
    }
  }
}

function mapPieces(f: (s: string) => string[]): PreTokenizer {
  return (pieces) => pieces.flatMap((p) => f(p));
}

function parsePreTokenizer(p: unknown, file: string, field: string): PreTokenizer | null {
  if (p === null || p === undefined) return null;
  if (!isObj(p)) throw bad(file, field, 'pre_tokenizer must be an object');
  const type = p['type'];
  switch (type) {
    case 'ByteLevel': {
      const addPrefix = p['add_prefix_space'] === true;
      const useRegex = p['use_regex'] !== false;
      const re = translateRegex(GPT2_PATTERN, file);
      return (pieces, first) =>
        pieces.flatMap((piece, i) => {
          let s = piece;
          if (addPrefix && first && i === 0 && !s.startsWith(' ')) s = ` ${s}`;
          const words = useRegex ? splitBy(s, re, 'Isolated') : [s];
          return words.map((w) =>
            Array.from(utf8.encode(w), (b) => BYTE_TO_CHAR[b] as string).join(''),
          );
        });
    }
    case 'Split': {
      const re = patternOf(p['pattern'], file, `${field}.pattern`);
      const behavior = p['behavior'];
      const ok = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];
      if (typeof behavior !== 'string' || !ok.includes(behavior))
        throw bad(file, field, `Split behavior ${JSON.stringify(behavior)} is not supported`);
      const invert = p['invert'] === true;
      return mapPieces((s) => splitBy(s, re, behavior as SplitBehavior, invert));
    }
    case 'Metaspace': {
      const rep = typeof p['replacement'] === 'string' ? p['replacement'] : '▁';
      const scheme =
        typeof p['prepend_scheme'] === 'string'
          ? p['prepend_scheme']
          : p['add_prefix_space'] === false
            ? 'never'
            : 'always';
      const split = p['split'] !== false;
      const re = new RegExp(escapeRegex(rep), 'gu');
      return (pieces, first) =>
        pieces.flatMap((piece, i) => {
          let s = piece.replaceAll(' ', rep);
          const prepend = scheme === 'always' || (scheme === 'first' && first && i === 0);
          if (prepend && !s.startsWith(rep)) s = rep + s;
          return split ? splitBy(s, re, 'MergedWithNext') : [s];
        });
    }
    case 'Whitespace':
      return mapPieces((s) =>
        splitBy(s, /\w+|[^\w\s]+/gu, 'Isolated').filter((x) => /\S/u.test(x)),
      );
    case 'WhitespaceSplit':
      return mapPieces((s) => s.split(/\s+/u).filter((x) => x.length > 0));
    case 'Digits': {
      const re = p['individual_digits'] === true ? /\p{N}/gu : /\p{N}+/gu;
      return mapPieces((s) => splitBy(s, re, 'Isolated'));
    }
    case 'Punctuation':
      return mapPieces((s) => splitBy(s, /\p{P}|\p{S}/gu, 'Isolated'));
    case 'Sequence': {
      const list = p['pretokenizers'];
      if (!Array.isArray(list)) throw bad(file, field, 'Sequence needs pretokenizers');
      const fs = list
        .map((x, i) => parsePreTokenizer(x, file, `${field}.pretokenizers[${i}]`))
        .filter((f): f is PreTokenizer => f !== null);
      return (pieces, first) => fs.reduce((acc, f) => f(acc, first), pieces);
    }
    default:
      throw bad(file, field, `pre_tokenizer ${JSON.stringify(type)} is not supported`);
  }
}

// ---------------------------------------------------------------- decoders

type Decoder = (tokens: string[]) => string[];

function parseDecoder(d: unknown, file: string, field: string): Decoder | null {
  if (d === null || d === undefined) return null;
  if (!isObj(d)) throw bad(file, field, 'decoder must be an object');
  const type = d['type'];
  switch (type) {
    case 'ByteLevel':
      return (toks) => {
        const bytes: number[] = [];
        for (const t of toks)
          for (const ch of t) {
            const b = CHAR_TO_BYTE.get(ch);
            if (b !== undefined) bytes.push(b);
            else bytes.push(...utf8.encode(ch));
          }
        return [decodeUtf8Lossy(Uint8Array.from(bytes))];
      };
    case 'ByteFallback':
      return (toks) => {
        const out: string[] = [];
        let pending: number[] = [];
        const flush = (): void => {
          if (pending.length === 0) return;
          try {
            out.push(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(pending)));
          } catch {
            for (let i = 0; i < pending.length; i++) out.push('\uFFFD');
          }
          pending = [];
        };
        for (const t of toks) {
          const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
          if (m) pending.push(parseInt(m[1] as string, 16));
          else {
            flush();
            out.push(t);
          }
        }
        flush();
        return out;
      };
    case 'Fuse':
      return (toks) => [toks.join('')];
    case 'Replace': {
      const re = patternOf(d['pattern'], file, `${field}.pattern`);
      const content = typeof d['content'] === 'string' ? d['content'] : '';
      return (toks) => toks.map((t) => t.replace(re, () => content));
    }
    case 'Strip': {
      const content = typeof d['content'] === 'string' ? d['content'] : ' ';
      const start = typeof d['start'] === 'number' ? d['start'] : 0;
      const stop = typeof d['stop'] === 'number' ? d['stop'] : 0;
      return (toks) =>
        toks.map((t) => {
          let s = t;
          for (let i = 0; i < start && s.startsWith(content); i++) s = s.slice(content.length);
          for (let i = 0; i < stop && s.endsWith(content); i++) s = s.slice(0, -content.length);
          return s;
        });
    }
    case 'Metaspace': {
      const rep = typeof d['replacement'] === 'string' ? d['replacement'] : '▁';
      const scheme =
        typeof d['prepend_scheme'] === 'string'
          ? d['prepend_scheme']
          : d['add_prefix_space'] === false
            ? 'never'
            : 'always';
      return (toks) =>
        toks.map((t, i) => {
          const s = t.replaceAll(rep, ' ');
          return i === 0 && scheme !== 'never' && s.startsWith(' ') ? s.slice(1) : s;
        });
    }
    case 'Sequence': {
      const list = d['decoders'];
      if (!Array.isArray(list)) throw bad(file, field, 'Sequence needs decoders');
      const fs = list
        .map((x, i) => parseDecoder(x, file, `${field}.decoders[${i}]`))
        .filter((f): f is Decoder => f !== null);
      return (toks) => fs.reduce((acc, f) => f(acc), toks);
    }
    default:
      throw bad(file, field, `decoder ${JSON.stringify(type)} is not supported`);
  }
}

// ---------------------------------------------------------------- BPE model

interface BpeModel {
  readonly vocab: Map<string, number>;
  /** (left id · SHIFT + right id) → rank · SHIFT + merged id. */
  readonly merges: Map<number, number>;
  readonly byteFallback: boolean;
  readonly unkId: number | null;
  readonly fuseUnk: boolean;
  readonly ignoreMerges: boolean;
  readonly prefix: string;
  readonly suffix: string;
  readonly byteIds: Int32Array;
}

const SHIFT = 2 ** 22; // > MAX_TOKENIZER_VOCAB, so a·SHIFT + b < 2^53

function parseBpe(m: unknown, file: string): BpeModel {
  if (!isObj(m)) throw bad(file, 'model', 'tokenizer.json has no model');
  if (m['type'] !== undefined && m['type'] !== 'BPE')
    throw bad(
      file,
      'model.type',
      `model type ${JSON.stringify(m['type'])} is not supported (BPE only)`,
    );
  if (typeof m['dropout'] === 'number' && m['dropout'] > 0)
    throw bad(file, 'model.dropout', 'BPE dropout makes encoding random; not supported');
  const vraw = m['vocab'];
  if (!isObj(vraw)) throw bad(file, 'model.vocab', 'model.vocab must be an object');
  const entries = Object.entries(vraw);
  if (entries.length > MAX_TOKENIZER_VOCAB)
    throw new EngineError('LIMIT_EXCEEDED', `vocabulary of ${entries.length} tokens`, {
      where: { file, field: 'model.vocab' },
    });
  const vocab = new Map<string, number>();
  for (const [tok, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= MAX_TOKENIZER_VOCAB)
      throw bad(
        file,
        'model.vocab',
        `token ${JSON.stringify(tok)} has invalid id ${JSON.stringify(id)}`,
      );
    vocab.set(tok, id);
  }
  const mraw = m['merges'] ?? [];
  if (!Array.isArray(mraw)) throw bad(file, 'model.merges', 'model.merges must be an array');
  if (mraw.length > MAX_MERGES)
    throw new EngineError('LIMIT_EXCEEDED', `${mraw.length} merges`, {
      where: { file, field: 'model.merges' },
    });
  const prefix =
    typeof m['continuing_subword_prefix'] === 'string' ? m['continuing_subword_prefix'] : '';
  const suffix = typeof m['end_of_word_suffix'] === 'string' ? m['end_of_word_suffix'] : '';
  const merges = new Map<number, number>();
  mraw.forEach((e: unknown, rank) => {
    let a: unknown;
    let b: unknown;
    if (typeof e === 'string') {
      const sp = e.indexOf(' ', 1);
      if (sp < 0)
        throw bad(file, `model.merges[${rank}]`, `merge ${JSON.stringify(e)} has no space`);
      a = e.slice(0, sp);
      b = e.slice(sp + 1);
    } else if (Array.isArray(e) && e.length === 2) {
      [a, b] = e as unknown[];
    }
    if (typeof a !== 'string' || typeof b !== 'string')
      throw bad(file, `model.merges[${rank}]`, 'merge must be "a b" or [a, b]');
    const ia = vocab.get(a);
    const ib = vocab.get(b);
    // The merged token drops the continuing prefix of the right part (tokenizers word.rs).
    const merged = a + (prefix && b.startsWith(prefix) ? b.slice(prefix.length) : b);
    const im = vocab.get(merged);
    if (ia === undefined || ib === undefined || im === undefined)
      throw bad(
        file,
        `model.merges[${rank}]`,
        `merge ${JSON.stringify([a, b])} uses a token not in the vocabulary`,
      );
    const key = ia * SHIFT + ib;
    if (!merges.has(key)) merges.set(key, rank * SHIFT + im);
  });
  const unk = m['unk_token'];
  const unkId = typeof unk === 'string' ? (vocab.get(unk) ?? null) : null;
  const byteIds = new Int32Array(256).fill(-1);
  for (let b = 0; b < 256; b++) {
    const id = vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    if (id !== undefined) byteIds[b] = id;
  }
  const byteFallback = m['byte_fallback'] === true;
  if (byteFallback && byteIds.includes(-1))
    throw bad(
      file,
      'model.byte_fallback',
      'byte_fallback is on but some <0xNN> tokens are missing',
    );
  return {
    vocab,
    merges,
    byteFallback,
    unkId,
    fuseUnk: m['fuse_unk'] === true,
    ignoreMerges: m['ignore_merges'] === true,
    prefix,
    suffix,
    byteIds,
  };
}

/** Apply BPE merges to one word (lowest rank first, leftmost on ties), as tokenizers word.rs. */
function bpeWord(model: BpeModel, word: string, file: string): number[] {
  if (model.ignoreMerges) {
    const id = model.vocab.get(word);
    if (id !== undefined) return [id];
  }
  const chars = Array.from(word);
  const ids: number[] = [];
  let lastUnk = false;
  chars.forEach((ch, i) => {
    let s = ch;
    if (i > 0 && model.prefix) s = model.prefix + s;
    if (i === chars.length - 1 && model.suffix) s += model.suffix;
    const id = model.vocab.get(s);
    if (id !== undefined) {
      ids.push(id);
      lastUnk = false;
      return;
    }
    if (model.byteFallback) {
      for (const b of utf8.encode(ch)) ids.push(model.byteIds[b] as number);
      lastUnk = false;
      return;
    }
    if (model.unkId === null) {
      throw new EngineError(
        'UNKNOWN_TOKEN',
        `character ${JSON.stringify(ch)} has no token and the tokenizer has no unk_token`,
        {
          where: { file, field: 'model.unk_token' },
        },
      );
    }
    if (!(model.fuseUnk && lastUnk)) ids.push(model.unkId);
    lastUnk = true;
  });
  const n = ids.length;
  if (n < 2) return ids;
  const sym = Int32Array.from(ids);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  // Binary heap of candidate merges keyed by (rank, position).
  const hRank: number[] = [];
  const hPos: number[] = [];
  const hKey: number[] = [];
  const less = (a: number, b: number): boolean =>
    (hRank[a] as number) < (hRank[b] as number) ||
    ((hRank[a] as number) === (hRank[b] as number) && (hPos[a] as number) < (hPos[b] as number));
  const swap = (a: number, b: number): void => {
    [hRank[a], hRank[b]] = [hRank[b] as number, hRank[a] as number];
    [hPos[a], hPos[b]] = [hPos[b] as number, hPos[a] as number];
    [hKey[a], hKey[b]] = [hKey[b] as number, hKey[a] as number];
  };
  const push = (pos: number): void => {
    const nx = next[pos] as number;
    if (nx < 0) return;
    const key = (sym[pos] as number) * SHIFT + (sym[nx] as number);
    const v = model.merges.get(key);
    if (v === undefined) return;
    hRank.push(Math.floor(v / SHIFT));
    hPos.push(pos);
    hKey.push(key);
    let i = hRank.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const pop = (): number => {
    const top = hPos[0] as number;
    const key = hKey[0] as number;
    const last = hRank.length - 1;
    swap(0, last);
    hRank.pop();
    hPos.pop();
    hKey.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= hRank.length) break;
      let m = l;
      if (l + 1 < hRank.length && less(l + 1, l)) m = l + 1;
      if (!less(m, i)) break;
      swap(m, i);
      i = m;
    }
    popKey = key;
    return top;
  };
  let popKey = 0;
  for (let i = 0; i < n - 1; i++) push(i);
  while (hRank.length > 0) {
    const pos = pop();
    const nx = next[pos] as number;
    // Stale entry: one side was merged away since it was pushed.
    if (!alive[pos] || nx < 0 || (sym[pos] as number) * SHIFT + (sym[nx] as number) !== popKey)
      continue;
    const v = model.merges.get(popKey) as number;
    sym[pos] = v % SHIFT;
    alive[nx] = 0;
    const nn = next[nx] as number;
    next[pos] = nn;
    if (nn >= 0) prev[nn] = pos;
    const pv = prev[pos] as number;
    if (pv >= 0) push(pv);
    push(pos);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i] as number) out.push(sym[i] as number);
  return out;
}

// ---------------------------------------------------------------- tokenizer

interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

/** Options of {@link parseHfTokenizer}. */
export interface HfTokenizerOptions {
  /** File name for error messages. */
  readonly file?: string;
  /** SHA-256 of the file bytes; computed from the JSON text when absent. */
  readonly digest?: string;
}

const EOS_NAMES = ['</s>', '<|endoftext|>', '<|end_of_text|>', '<|eot_id|>', '<|im_end|>', '<eos>'];
const BOS_NAMES = ['<s>', '<|begin_of_text|>', '<bos>', '<|startoftext|>'];

/** Build a tokenizer from a parsed `tokenizer.json` object. */
export function parseHfTokenizer(raw: unknown, opts: HfTokenizerOptions = {}): Tokenizer {
  const file = opts.file ?? 'tokenizer.json';
  if (!isObj(raw)) throw bad(file, '', 'tokenizer.json must be a JSON object');
  const model = parseBpe(raw['model'], file);
  const normalizer = parseNormalizer(raw['normalizer'], file, 'normalizer');
  const pre = parsePreTokenizer(raw['pre_tokenizer'], file, 'pre_tokenizer');
  const decoder = parseDecoder(raw['decoder'], file, 'decoder');
  const addedRaw = raw['added_tokens'] ?? [];
  if (!Array.isArray(addedRaw)) throw bad(file, 'added_tokens', 'added_tokens must be an array');
  if (addedRaw.length > MAX_ADDED_TOKENS)
    throw new EngineError('LIMIT_EXCEEDED', `${addedRaw.length} added tokens`, {
      where: { file, field: 'added_tokens' },
    });
  const added: AddedToken[] = addedRaw.map((a: unknown, i) => {
    if (
      !isObj(a) ||
      typeof a['id'] !== 'number' ||
      typeof a['content'] !== 'string' ||
      a['content'] === ''
    )
      throw bad(file, `added_tokens[${i}]`, 'added token needs an id and non-empty content');
    const id = a['id'];
    if (!Number.isInteger(id) || id < 0 || id >= MAX_TOKENIZER_VOCAB)
      throw bad(file, `added_tokens[${i}].id`, `invalid id ${id}`);
    return {
      id,
      content: a['content'],
      special: a['special'] === true,
      lstrip: a['lstrip'] === true,
      rstrip: a['rstrip'] === true,
    };
  });
  const idToToken: (string | null)[] = [];
  const put = (id: number, t: string): void => {
    while (idToToken.length <= id) idToToken.push(null);
    idToToken[id] = t;
  };
  for (const [t, id] of model.vocab) put(id, t);
  for (const a of added) put(a.id, a.content);
  const special = new Set(added.filter((a) => a.special).map((a) => a.id));
  const addedByContent = new Map(added.map((a) => [a.content, a]));
  const addedRe =
    added.length > 0
      ? new RegExp(
          [...added]
            .sort((a, b) => b.content.length - a.content.length)
            .map((a) => escapeRegex(a.content))
            .join('|'),
          'gu',
        )
      : null;
  const byName = (names: readonly string[]): number | null => {
    for (const n of names) {
      const a = addedByContent.get(n);
      if (a) return a.id;
    }
    return null;
  };
  const cache = new Map<string, number[]>();
  const encodeSegment = (seg: string, first: boolean, out: number[]): void => {
    if (seg.length === 0) return;
    const norm = normalizer ? normalizer(seg) : seg;
    const words = pre ? pre([norm], first) : [norm];
    for (const w of words) {
      if (w.length === 0) continue;
      let ids = cache.get(w);
      if (!ids) {
        ids = bpeWord(model, w, file);
        if (cache.size >= BPE_CACHE_SIZE) cache.clear();
        cache.set(w, ids);
      }
      for (const id of ids) out.push(id);
    }
  };
  const digest = opts.digest ?? createHash('sha256').update(JSON.stringify(raw)).digest('hex');
  return {
    kind: 'hf-bpe',
    vocabSize: idToToken.length,
    bosId: byName(BOS_NAMES),
    eosId: byName(EOS_NAMES),
    digest,
    encode(text: string): number[] {
      const out: number[] = [];
      if (!addedRe) {
        encodeSegment(text, true, out);
        return out;
      }
      let last = 0;
      let first = true;
      addedRe.lastIndex = 0;
      for (const m of text.matchAll(addedRe)) {
        const a = addedByContent.get(m[0]) as AddedToken;
        let segEnd = m.index;
        let seg = text.slice(last, segEnd);
        if (a.lstrip) seg = seg.replace(/\s+$/u, '');
        encodeSegment(seg, first, out);
        out.push(a.id);
        first = false;
        segEnd = m.index + m[0].length;
        last = segEnd;
        if (a.rstrip) {
          const ws = /^\s*/u.exec(text.slice(last));
          last += ws ? ws[0].length : 0;
        }
      }
      encodeSegment(text.slice(last), first, out);
      return out;
    },
    decode(ids: readonly number[]): string {
      const toks = ids.map((id, i) => {
        const t = Number.isInteger(id) ? idToToken[id] : undefined;
        if (t === undefined || t === null)
          throw new EngineError('BAD_TOKEN', `token id ${id} is not in the vocabulary`, {
            where: { file, field: 'ids', offset: i },
          });
        return t;
      });
      // As tokenizers' decode_chain: every token, added ones included, goes through the decoder.
      return (decoder ? decoder(toks) : toks).join('');
    },
    tokenText: (id) => (Number.isInteger(id) ? (idToToken[id] ?? null) : null),
    isSpecial: (id) => special.has(id),
  };
}
