/**
 * Streaming state: one bounded, mergeable summary per account plus a few global counters.
 *
 * Memory is bounded per account (fixed counters, a capped key set that falls back to
 * consistent sampling, capped infrastructure lists and a capped day × model table), so the
 * whole run is O(accounts), never O(records). Every field merges exactly or with a documented
 * approximation, which is what lets the same analysis run over byte ranges of one file in worker
 * threads, or over account partitions on several machines (see docs/monitor.md).
 */
import { ELICIT, TOPIC_CELLS, type RequestFeatures } from './features.js';
import { fmix32, rehash } from './hash.js';
import { CAPABILITIES } from './lexicon.js';
import type { MalformedLine, MalformedReason, TrafficRecord } from './record.js';

/** Activity slot width for synchrony and duty cycle (10 minutes). */
export const SLOT_MS = 10 * 60 * 1000;
/** Inter-arrival gaps longer than this are session breaks, not cadence (1 hour). */
export const SESSION_GAP_MS = 60 * 60 * 1000;
/** MinHash rows over an account's active slots (4 bands × 4 rows for synchrony LSH). */
export const ACTIVITY_MINHASH = 16;
/**
 * Largest key table per account (slots; 4 KiB). Beyond it the set samples keys consistently, so
 * repeat rates of heavy accounts are estimated from about 500 sampled keys (a 16M-record log with
 * 150k accounts would otherwise hold gigabytes of key tables).
 */
export const MAX_KEY_SLOTS = 1024;
/** Initial key table size. */
export const INITIAL_KEY_SLOTS = 32;
/** Most distinct models tracked per account (others share the last slot). */
export const MAX_MODELS_PER_ACCOUNT = 16;
/** Most day × model cells per account (a year of one model, or a month of twelve). */
export const MAX_DAY_CELLS = 512;
/** Most network prefixes kept per account (a hydra account rotating proxies shows the first ones). */
export const MAX_IPS_PER_ACCOUNT = 8;
/** Most ASNs, user agents, payment ids and system prompts kept per account. */
export const MAX_SMALL_SET = 4;
/** Most malformed lines kept with their line numbers (all are counted). */
export const MAX_MALFORMED_KEPT = 1000;
/** Most distinct models tracked globally. */
export const MAX_MODELS = 1024;

/**
 * Largest table of an account's template frames and extraction wordings (slots; 4 KiB): up to
 * 512 distinct frames exactly, beyond that a consistent sample (the same hash rule in every
 * account, so two heavy accounts keep the same subset of the frames they share).
 */
export const MAX_FRAME_SLOTS = 1024;

/**
 * Template / content key types (low three bits of a stored key). `ELICIT_HEAD` / `ELICIT_TAIL`
 * are the frame keys of requests that elicit reasoning, grades, tool traces or rewrites, kept
 * only in the cross-account index (they link accounts that share the wording of their
 * extraction requests, see `linkage.ts`), never in an account's own key set. `SYSTEM` keys are in
 * both: the cross-account index of shared system prompts, and, for requests that carry tool
 * traces, the account's own key set, whose repeats measure how often the account opens a new
 * tool environment (feature `environments`).
 */
export const KEY_TYPE = {
  SKEL: 0,
  HEAD: 1,
  TAIL: 2,
  ND: 3,
  EXACT: 4,
  SYSTEM: 5,
  ELICIT_HEAD: 6,
  ELICIT_TAIL: 7,
} as const;
/** Number of key types probed in an account's own key set (`SKEL` … `SYSTEM`). */
export const KEY_TYPES = 6;

// Packed counter layout of AccountState.u
/** Offsets into {@link AccountState.u}. */
export const U = {
  ELICIT_ANY: 0,
  COT: 1,
  RUBRIC: 2,
  TOOL: 3,
  REWRITE: 4,
  MULTI: 5,
  SINGLE: 6,
  NEW_CELL: 7,
  TESTED: 8, // + key type
  HITS: 8 + KEY_TYPES, // + key type
  HOURS: 8 + 2 * KEY_TYPES, // 24
  CAPS: 8 + 2 * KEY_TYPES + 24, // CAPABILITIES.length
  CELLS: 8 + 2 * KEY_TYPES + 24 + CAPABILITIES.length, // TOPIC_CELLS / 32 words
  ACT: 8 + 2 * KEY_TYPES + 24 + CAPABILITIES.length + TOPIC_CELLS / 32, // ACTIVITY_MINHASH
  LEN: 8 + 2 * KEY_TYPES + 24 + CAPABILITIES.length + TOPIC_CELLS / 32 + ACTIVITY_MINHASH,
} as const;

/** A capped open-addressing set of typed 32-bit keys with consistent sampling (level L keeps keys whose top L bits are zero). */
export interface KeySet {
  table: Uint32Array;
  size: number;
  level: number;
}

/** Per-account summary. Plain data (structured-clone friendly) so workers can hand it back. */
export interface AccountState {
  id: string;
  n: number;
  first: number;
  last: number;
  iaN: number;
  iaMean: number;
  iaM2: number;
  lastSlot: number;
  activeSlots: number;
  u: Uint32Array;
  keys: KeySet;
  /**
   * Template frames (typed `HEAD`, `TAIL`, `ELICIT_HEAD`, `ELICIT_TAIL`) this account used, capped
   * at {@link MAX_FRAME_SLOTS}: the cross-account template links are read from these sets after
   * ingestion ({@link sharedTemplates}), so they do not depend on record order or partitioning.
   */
  frames: KeySet;
  /** Packed (key, count) pairs; key = day index × MAX_MODELS_PER_ACCOUNT + model slot. */
  days: Uint32Array;
  dayLen: number;
  daysDropped: number;
  models: string[];
  tokIn: number;
  tokOut: number;
  tokN: number;
  respChars: number;
  promptChars: number;
  respN: number;
  ips: string[];
  ipCounts: number[];
  ipOverflow: number;
  asns: string[];
  uas: string[];
  payments: string[];
  systems: number[];
  systemCounts: number[];
  org: string | undefined;
  signupAt: number | undefined;
}

/** Global per-model facts. */
export interface ModelStats {
  first: number;
  last: number;
  count: number;
}

/** The whole streaming state. */
export interface MonitorState {
  accounts: Map<string, AccountState>;
  models: Map<string, ModelStats>;
  records: number;
  lines: number;
  first: number;
  last: number;
  malformedCount: number;
  malformedByReason: Partial<Record<MalformedReason, number>>;
  malformed: MalformedLine[];
  /** Fields seen at least once (what the analysis could see). */
  seen: {
    tokens: number;
    ip: number;
    asn: number;
    payment: number;
    signup: number;
    userAgent: number;
    response: number;
  };
  files: { file: string; lines: number; records: number; malformed: number }[];
  /**
   * Account partitions (worker threads or machines) merged into this state. Every account lives
   * in one partition and every per-account summary is order-independent or kept in the account's
   * own record order, so the verdict does not depend on this number (tested); it is recorded for
   * the run's description.
   */
  partitions: number;
}

/** An empty state. */
export function createState(): MonitorState {
  return {
    accounts: new Map(),
    models: new Map(),
    records: 0,
    lines: 0,
    first: Infinity,
    last: -Infinity,
    malformedCount: 0,
    malformedByReason: {},
    malformed: [],
    seen: { tokens: 0, ip: 0, asn: 0, payment: 0, signup: 0, userAgent: 0, response: 0 },
    files: [],
    partitions: 1,
  };
}

function newAccount(id: string): AccountState {
  const u = new Uint32Array(U.LEN);
  u.fill(0xffffffff, U.ACT, U.ACT + ACTIVITY_MINHASH);
  return {
    id,
    n: 0,
    first: Infinity,
    last: -Infinity,
    iaN: 0,
    iaMean: 0,
    iaM2: 0,
    lastSlot: -1,
    activeSlots: 0,
    u,
    keys: { table: new Uint32Array(INITIAL_KEY_SLOTS), size: 0, level: 0 },
    frames: { table: new Uint32Array(INITIAL_KEY_SLOTS), size: 0, level: 0 },
    days: new Uint32Array(16),
    dayLen: 0,
    daysDropped: 0,
    models: [],
    tokIn: 0,
    tokOut: 0,
    tokN: 0,
    respChars: 0,
    promptChars: 0,
    respN: 0,
    ips: [],
    ipCounts: [],
    ipOverflow: 0,
    asns: [],
    uas: [],
    payments: [],
    systems: [],
    systemCounts: [],
    org: undefined,
    signupAt: undefined,
  };
}

/** Tag a key hash with its type; never 0. */
export function typedKey(hash: number, type: number): number {
  const k = (hash & ~7) >>> 0;
  return ((k === 0 ? 8 : k) | type) >>> 0;
}

function sampled(key: number, level: number): boolean {
  return level === 0 || fmix32(key) >>> (32 - level) === 0;
}

function rawInsert(table: Uint32Array, key: number): boolean {
  const mask = table.length - 1;
  let i = fmix32(key) & mask;
  for (;;) {
    const k = table[i] ?? 0;
    if (k === key) return false;
    if (k === 0) {
      table[i] = key;
      return true;
    }
    i = (i + 1) & mask;
  }
}

/** True when `key` is in the set. */
export function keySetHas(ks: KeySet, key: number): boolean {
  const table = ks.table;
  const mask = table.length - 1;
  let i = fmix32(key) & mask;
  for (;;) {
    const k = table[i] ?? 0;
    if (k === key) return true;
    if (k === 0) return false;
    i = (i + 1) & mask;
  }
}

function rebuild(ks: KeySet, slots: number): void {
  const old = ks.table;
  const table = new Uint32Array(slots);
  let size = 0;
  for (let i = 0; i < old.length; i++) {
    const k = old[i] ?? 0;
    if (k !== 0 && sampled(k, ks.level) && rawInsert(table, k)) size++;
  }
  ks.table = table;
  ks.size = size;
}

/** Make room: grow the table, or once at its cap raise the sampling level (halving the keys). */
function ensureRoom(ks: KeySet, maxSlots: number): void {
  while (ks.size * 2 >= ks.table.length) {
    if (ks.table.length < maxSlots) rebuild(ks, ks.table.length * 2);
    else {
      ks.level++;
      rebuild(ks, ks.table.length);
    }
  }
}

/**
 * Test-and-insert: 1 = seen before, 0 = new, -1 = outside the current sample. The final content
 * does not depend on insertion order: the level rises only when more than `maxSlots / 2` distinct
 * keys pass the current level, so a set ends at the lowest level at which its keys fit.
 */
export function keySetTestAdd(ks: KeySet, key: number, maxSlots = MAX_KEY_SLOTS): -1 | 0 | 1 {
  if (!sampled(key, ks.level)) return -1;
  if (keySetHas(ks, key)) return 1;
  ensureRoom(ks, maxSlots);
  if (!sampled(key, ks.level)) return -1; // the level may have risen
  if (rawInsert(ks.table, key)) ks.size++;
  return 0;
}

/** Iterate the keys of a set. */
export function* keySetKeys(ks: KeySet): Generator<number> {
  for (let i = 0; i < ks.table.length; i++) {
    const k = ks.table[i] ?? 0;
    if (k !== 0) yield k;
  }
}

function addSmall(list: string[], v: string): void {
  if (list.length < MAX_SMALL_SET && !list.includes(v)) list.push(v);
}

function modelSlot(acc: AccountState, model: string): number {
  const i = acc.models.indexOf(model);
  if (i >= 0) return i;
  if (acc.models.length < MAX_MODELS_PER_ACCOUNT) {
    acc.models.push(model);
    return acc.models.length - 1;
  }
  return MAX_MODELS_PER_ACCOUNT - 1;
}

function addDay(acc: AccountState, key: number, count: number): void {
  const d = acc.days;
  // time-ordered logs hit the last cells; scan backwards
  for (let i = acc.dayLen - 1; i >= 0 && i >= acc.dayLen - 8; i--) {
    if (d[2 * i] === key) {
      d[2 * i + 1] = (d[2 * i + 1] ?? 0) + count;
      return;
    }
  }
  for (let i = acc.dayLen - 9; i >= 0; i--) {
    if (d[2 * i] === key) {
      d[2 * i + 1] = (d[2 * i + 1] ?? 0) + count;
      return;
    }
  }
  if (acc.dayLen >= MAX_DAY_CELLS) {
    acc.daysDropped += count;
    return;
  }
  if (2 * acc.dayLen + 2 > d.length) {
    const grown = new Uint32Array(Math.min(2 * MAX_DAY_CELLS, d.length * 2));
    grown.set(d);
    acc.days = grown;
  }
  acc.days[2 * acc.dayLen] = key;
  acc.days[2 * acc.dayLen + 1] = count;
  acc.dayLen++;
}

function probe(ks: KeySet, u: Uint32Array, hash: number, type: number): number {
  if (hash === 0) return -1;
  const r = keySetTestAdd(ks, typedKey(hash, type));
  if (r < 0) return r;
  u[U.TESTED + type] = (u[U.TESTED + type] ?? 0) + 1;
  if (r === 1) u[U.HITS + type] = (u[U.HITS + type] ?? 0) + 1;
  return r;
}

/** Elicitation flags that make a request an extraction-style request (counted in `ELICIT_ANY`). */
const ELICIT_REQUEST = ELICIT.COT | ELICIT.RUBRIC | ELICIT.TOOL | ELICIT.REWRITE | ELICIT.MULTI;

/** Record one validated request and its features into the state. */
export function observe(state: MonitorState, rec: TrafficRecord, f: RequestFeatures): void {
  let acc = state.accounts.get(rec.account);
  if (acc === undefined) {
    acc = newAccount(rec.account);
    state.accounts.set(rec.account, acc);
  }
  state.records++;
  const ts = rec.ts;
  if (ts < state.first) state.first = ts;
  if (ts > state.last) state.last = ts;
  let ms = state.models.get(rec.model);
  if (ms === undefined && state.models.size < MAX_MODELS) {
    ms = { first: ts, last: ts, count: 0 };
    state.models.set(rec.model, ms);
  }
  if (ms) {
    ms.count++;
    if (ts < ms.first) ms.first = ts;
    if (ts > ms.last) ms.last = ts;
  }

  const u = acc.u;
  acc.n++;
  if (acc.n > 1 && ts >= acc.last) {
    const gap = ts - acc.last;
    if (gap <= SESSION_GAP_MS) {
      const x = gap / 1000;
      acc.iaN++;
      const d = x - acc.iaMean;
      acc.iaMean += d / acc.iaN;
      acc.iaM2 += d * (x - acc.iaMean);
    }
  }
  if (ts < acc.first) acc.first = ts;
  if (ts > acc.last) acc.last = ts;
  const slot = Math.floor(ts / SLOT_MS);
  if (slot !== acc.lastSlot) {
    acc.lastSlot = slot;
    acc.activeSlots++;
    for (let j = 0; j < ACTIVITY_MINHASH; j++) {
      const v = rehash(slot, j);
      if (v < (u[U.ACT + j] ?? 0)) u[U.ACT + j] = v;
    }
  }
  const hour = Math.floor(ts / 3_600_000) % 24;
  u[U.HOURS + hour] = (u[U.HOURS + hour] ?? 0) + 1;
  u[U.CAPS + f.capability] = (u[U.CAPS + f.capability] ?? 0) + 1;
  const w = U.CELLS + (f.cell >>> 5);
  const bit = 1 << (f.cell & 31);
  const cw = u[w] ?? 0;
  if ((cw & bit) === 0) {
    u[w] = (cw | bit) >>> 0;
    u[U.NEW_CELL] = (u[U.NEW_CELL] ?? 0) + 1;
  }
  const e = f.elicit;
  if (e !== 0) {
    if (e & ELICIT_REQUEST) u[U.ELICIT_ANY] = (u[U.ELICIT_ANY] ?? 0) + 1;
    if (e & ELICIT.COT) u[U.COT] = (u[U.COT] ?? 0) + 1;
    if (e & ELICIT.RUBRIC) u[U.RUBRIC] = (u[U.RUBRIC] ?? 0) + 1;
    if (e & ELICIT.TOOL) u[U.TOOL] = (u[U.TOOL] ?? 0) + 1;
    if (e & ELICIT.REWRITE) u[U.REWRITE] = (u[U.REWRITE] ?? 0) + 1;
    if (e & ELICIT.MULTI) u[U.MULTI] = (u[U.MULTI] ?? 0) + 1;
  }
  if (rec.turns === 0) u[U.SINGLE] = (u[U.SINGLE] ?? 0) + 1;

  // template and content repeats (SEAT-style pair evidence on skeletons, per key type)
  const ks = acc.keys;
  probe(ks, u, f.skelKey, KEY_TYPE.SKEL);
  probe(ks, u, f.headKey, KEY_TYPE.HEAD);
  probe(ks, u, f.tailKey, KEY_TYPE.TAIL);
  // one near-duplicate test per request: either band matching counts
  if (f.nd0 !== 0) {
    const k0 = typedKey(f.nd0, KEY_TYPE.ND);
    const k1 = typedKey(f.nd1, KEY_TYPE.ND);
    const r0 = keySetTestAdd(ks, k0);
    const r1 = keySetTestAdd(ks, k1);
    if (r0 >= 0 || r1 >= 0) {
      u[U.TESTED + KEY_TYPE.ND] = (u[U.TESTED + KEY_TYPE.ND] ?? 0) + 1;
      if (r0 === 1 || r1 === 1) u[U.HITS + KEY_TYPE.ND] = (u[U.HITS + KEY_TYPE.ND] ?? 0) + 1;
    }
  }
  // an agent trace re-sends its task message with every step (the request differs in the tool
  // turns after it): that is not a re-sent prompt, so only requests without tool turns are tested
  // for exact repeats (novelty, the evaluation-like cap)
  if (rec.toolTurns === 0) probe(ks, u, f.contentKey, KEY_TYPE.EXACT);
  // the environment of a tool-using request: its system prompt (tool definitions, instructions);
  // tool-trace harvesting runs many synthetic environments, an agent product a few fixed ones
  if (e & ELICIT.TOOL || rec.toolTurns > 0) {
    const r = probe(ks, u, f.systemKey, KEY_TYPE.SYSTEM);
    // an OpenAI-style tool trace (tool messages, tool_calls) in an environment new to the account
    // is tool-trace harvesting's signature (research note: "many tool definitions, synthetic
    // environments"); the same trace in a product's fixed environment is not. Counted among the
    // keys the account's sampled key set holds, so a busy account's count is a lower bound.
    if (r === 0 && rec.toolTurns > 0 && (e & ELICIT_REQUEST) === 0) {
      u[U.ELICIT_ANY] = (u[U.ELICIT_ANY] ?? 0) + 1;
      u[U.TOOL] = (u[U.TOOL] ?? 0) + 1;
    }
  }
  // frames for cross-account links (slot filling leaves them intact); system prompts are below
  const fr = acc.frames;
  if (f.headKey !== 0) keySetTestAdd(fr, typedKey(f.headKey, KEY_TYPE.HEAD), MAX_FRAME_SLOTS);
  if (f.tailKey !== 0) keySetTestAdd(fr, typedKey(f.tailKey, KEY_TYPE.TAIL), MAX_FRAME_SLOTS);
  if (e & ELICIT_REQUEST) {
    if (f.headKey !== 0)
      keySetTestAdd(fr, typedKey(f.headKey, KEY_TYPE.ELICIT_HEAD), MAX_FRAME_SLOTS);
    if (f.tailKey !== 0)
      keySetTestAdd(fr, typedKey(f.tailKey, KEY_TYPE.ELICIT_TAIL), MAX_FRAME_SLOTS);
  }

  addDay(acc, Math.floor(ts / 86_400_000) * MAX_MODELS_PER_ACCOUNT + modelSlot(acc, rec.model), 1);

  if (rec.inputTokens !== undefined && rec.outputTokens !== undefined) {
    acc.tokIn += rec.inputTokens;
    acc.tokOut += rec.outputTokens;
    acc.tokN++;
    state.seen.tokens++;
  }
  if (rec.responseChars !== undefined) {
    acc.respChars += rec.responseChars;
    acc.promptChars += rec.text.length;
    acc.respN++;
    state.seen.response++;
  }
  if (rec.ipPrefix !== undefined) {
    state.seen.ip++;
    const i = acc.ips.indexOf(rec.ipPrefix);
    if (i >= 0) acc.ipCounts[i] = (acc.ipCounts[i] ?? 0) + 1;
    else if (acc.ips.length < MAX_IPS_PER_ACCOUNT) {
      acc.ips.push(rec.ipPrefix);
      acc.ipCounts.push(1);
    } else acc.ipOverflow++;
  }
  if (rec.asn !== undefined) {
    state.seen.asn++;
    addSmall(acc.asns, rec.asn);
  }
  if (rec.userAgent !== undefined) {
    state.seen.userAgent++;
    addSmall(acc.uas, rec.userAgent);
  }
  if (rec.payment !== undefined) {
    state.seen.payment++;
    addSmall(acc.payments, rec.payment);
  }
  if (f.systemKey !== 0) {
    const i = acc.systems.indexOf(f.systemKey);
    if (i >= 0) acc.systemCounts[i] = (acc.systemCounts[i] ?? 0) + 1;
    else if (acc.systems.length < MAX_SMALL_SET) {
      acc.systems.push(f.systemKey);
      acc.systemCounts.push(1);
    }
  }
  if (rec.org !== undefined && acc.org === undefined) acc.org = rec.org;
  if (rec.signupAt !== undefined) {
    state.seen.signup++;
    if (acc.signupAt === undefined || rec.signupAt < acc.signupAt) acc.signupAt = rec.signupAt;
  }
}

/** Counter bits of the holder-count sketch in {@link sharedTemplates} (2 rows of 2^k bytes). */
const HOLDER_SKETCH_MAX_BITS = 24;

/**
 * Template frames and system prompts held by at least two and at most `maxHolders` accounts,
 * with the positions in `accounts` of the accounts holding them (ascending), keyed by typed key in
 * increasing key order. Read from the accounts' own frame sets and system prompts, so the result
 * is a function of the accounts alone: neither record order nor the partitioning of accounts
 * over workers or machines changes it. A two-row count sketch of holders per key (never below
 * the true count) first discards the keys held by one account, so only candidate pairs are kept;
 * keys held by more than `maxHolders` accounts are common phrasing and are left out.
 */
export function sharedTemplates(
  accounts: readonly AccountState[],
  maxHolders: number,
): Map<number, number[]> {
  const each = (a: AccountState, fn: (key: number) => void): void => {
    const t = a.frames.table;
    for (let j = 0; j < t.length; j++) {
      const k = t[j] ?? 0;
      if (k !== 0) fn(k);
    }
    for (const s of a.systems) fn(typedKey(s, KEY_TYPE.SYSTEM));
  };
  let total = 0;
  for (const a of accounts) total += a.frames.size + a.systems.length;
  let bits = 10;
  while (bits < HOLDER_SKETCH_MAX_BITS && 1 << bits < 2 * total) bits++;
  const mask = (1 << bits) - 1;
  const r0 = new Uint8Array(1 << bits);
  const r1 = new Uint8Array(1 << bits);
  for (const a of accounts)
    each(a, (k) => {
      const i = fmix32(k) & mask;
      const j = fmix32(k ^ 0x9e3779b9) & mask;
      if ((r0[i] ?? 0) < 255) r0[i] = (r0[i] ?? 0) + 1;
      if ((r1[j] ?? 0) < 255) r1[j] = (r1[j] ?? 0) + 1;
    });
  const candidate = (k: number): boolean =>
    (r0[fmix32(k) & mask] ?? 0) >= 2 && (r1[fmix32(k ^ 0x9e3779b9) & mask] ?? 0) >= 2;
  // candidate keys once per holder, sorted: runs give each key's number of holders
  let nc = 0;
  for (const a of accounts)
    each(a, (k) => {
      if (candidate(k)) nc++;
    });
  const cand = new Uint32Array(nc);
  nc = 0;
  for (const a of accounts)
    each(a, (k) => {
      if (candidate(k)) cand[nc++] = k;
    });
  cand.sort();
  const keys: number[] = [];
  const lists: number[][] = [];
  for (let r = 0; r < nc;) {
    const k = cand[r] ?? 0;
    let e = r + 1;
    while (e < nc && cand[e] === k) e++;
    if (e - r >= 2 && e - r <= maxHolders) {
      keys.push(k);
      lists.push([]);
    }
    r = e;
  }
  const sorted = Uint32Array.from(keys);
  accounts.forEach((a, pos) =>
    each(a, (k) => {
      if (!candidate(k)) return;
      let lo = 0;
      let hi = sorted.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = sorted[mid] ?? 0;
        if (v === k) {
          lists[mid]?.push(pos);
          return;
        }
        if (v < k) lo = mid + 1;
        else hi = mid - 1;
      }
    }),
  );
  const shared = new Map<number, number[]>();
  keys.forEach((k, i) => shared.set(k, lists[i] ?? []));
  return shared;
}

/** Record a malformed line (counted always, kept up to {@link MAX_MALFORMED_KEPT}). */
export function noteMalformed(state: MonitorState, m: MalformedLine): void {
  state.malformedCount++;
  state.malformedByReason[m.reason] = (state.malformedByReason[m.reason] ?? 0) + 1;
  if (state.malformed.length < MAX_MALFORMED_KEPT) state.malformed.push(m);
}

function mergeKeySets(a: AccountState, b: AccountState): void {
  const level = Math.max(a.keys.level, b.keys.level);
  // keys present in both halves were repeated across the partition boundary: count them
  const small = a.keys.size <= b.keys.size ? a.keys : b.keys;
  const large = small === a.keys ? b.keys : a.keys;
  for (const k of keySetKeys(small)) {
    if (!sampled(k, level)) continue;
    if (keySetHas(large, k)) {
      const type = k & 7;
      if (type < KEY_TYPES) a.u[U.HITS + type] = (a.u[U.HITS + type] ?? 0) + 1;
    }
  }
  unionInto(a.keys, b.keys, MAX_KEY_SLOTS);
  unionInto(a.frames, b.frames, MAX_FRAME_SLOTS);
}

/** Add the keys of `b` to `a` at the higher of their sampling levels (as one pass would keep). */
function unionInto(a: KeySet, b: KeySet, maxSlots: number): void {
  if (b.level > a.level) {
    a.level = b.level;
    rebuild(a, a.table.length);
  }
  for (const k of keySetKeys(b)) {
    if (!sampled(k, a.level)) continue;
    if (keySetHas(a, k)) continue;
    ensureRoom(a, maxSlots);
    if (sampled(k, a.level) && rawInsert(a.table, k)) a.size++;
  }
}

/** Merge account summary `b` into `a` (same account id). */
export function mergeAccount(a: AccountState, b: AccountState): void {
  const u = a.u;
  for (let i = 0; i < U.LEN; i++) {
    if (i >= U.CELLS && i < U.ACT) continue;
    if (i >= U.ACT) continue;
    u[i] = (u[i] ?? 0) + (b.u[i] ?? 0);
  }
  // new-cell count: cells new in b that a had already seen were not new overall
  let overlap = 0;
  for (let i = U.CELLS; i < U.ACT; i++) {
    const both = (u[i] ?? 0) & (b.u[i] ?? 0);
    overlap += popcount(both);
    u[i] = ((u[i] ?? 0) | (b.u[i] ?? 0)) >>> 0;
  }
  u[U.NEW_CELL] = Math.max(0, (u[U.NEW_CELL] ?? 0) - overlap);
  for (let j = 0; j < ACTIVITY_MINHASH; j++)
    u[U.ACT + j] = Math.min(u[U.ACT + j] ?? 0xffffffff, b.u[U.ACT + j] ?? 0xffffffff);
  // Welford merge (Chan et al. 1979)
  const n = a.iaN + b.iaN;
  if (n > 0) {
    const d = b.iaMean - a.iaMean;
    a.iaM2 = a.iaM2 + b.iaM2 + (d * d * a.iaN * b.iaN) / n;
    a.iaMean = (a.iaMean * a.iaN + b.iaMean * b.iaN) / n;
    a.iaN = n;
  }
  a.n += b.n;
  a.first = Math.min(a.first, b.first);
  a.last = Math.max(a.last, b.last);
  a.activeSlots += b.activeSlots;
  mergeKeySets(a, b);
  for (let i = 0; i < b.dayLen; i++) {
    const key = b.days[2 * i] ?? 0;
    const count = b.days[2 * i + 1] ?? 0;
    const model = b.models[key % MAX_MODELS_PER_ACCOUNT] ?? '';
    const day = Math.floor(key / MAX_MODELS_PER_ACCOUNT);
    addDay(a, day * MAX_MODELS_PER_ACCOUNT + modelSlot(a, model), count);
  }
  a.daysDropped += b.daysDropped;
  a.tokIn += b.tokIn;
  a.tokOut += b.tokOut;
  a.tokN += b.tokN;
  a.respChars += b.respChars;
  a.promptChars += b.promptChars;
  a.respN += b.respN;
  b.ips.forEach((ip, i) => {
    const j = a.ips.indexOf(ip);
    if (j >= 0) a.ipCounts[j] = (a.ipCounts[j] ?? 0) + (b.ipCounts[i] ?? 0);
    else if (a.ips.length < MAX_IPS_PER_ACCOUNT) {
      a.ips.push(ip);
      a.ipCounts.push(b.ipCounts[i] ?? 0);
    } else a.ipOverflow += b.ipCounts[i] ?? 0;
  });
  a.ipOverflow += b.ipOverflow;
  for (const v of b.asns) addSmall(a.asns, v);
  for (const v of b.uas) addSmall(a.uas, v);
  for (const v of b.payments) addSmall(a.payments, v);
  b.systems.forEach((s, i) => {
    const j = a.systems.indexOf(s);
    if (j >= 0) a.systemCounts[j] = (a.systemCounts[j] ?? 0) + (b.systemCounts[i] ?? 0);
    else if (a.systems.length < MAX_SMALL_SET) {
      a.systems.push(s);
      a.systemCounts.push(b.systemCounts[i] ?? 0);
    }
  });
  a.org = a.org ?? b.org;
  if (b.signupAt !== undefined && (a.signupAt === undefined || b.signupAt < a.signupAt))
    a.signupAt = b.signupAt;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Merge state `b` into `a` (accounts, models, counters, malformed lines). */
export function mergeState(a: MonitorState, b: MonitorState): MonitorState {
  for (const [id, acc] of b.accounts) {
    const mine = a.accounts.get(id);
    if (mine === undefined) a.accounts.set(id, acc);
    else mergeAccount(mine, acc);
  }
  for (const [m, s] of b.models) {
    const mine = a.models.get(m);
    if (mine === undefined) {
      if (a.models.size < MAX_MODELS) a.models.set(m, { ...s });
    } else {
      mine.first = Math.min(mine.first, s.first);
      mine.last = Math.max(mine.last, s.last);
      mine.count += s.count;
    }
  }
  a.records += b.records;
  a.lines += b.lines;
  a.first = Math.min(a.first, b.first);
  a.last = Math.max(a.last, b.last);
  a.malformedCount += b.malformedCount;
  for (const [r, c] of Object.entries(b.malformedByReason) as [MalformedReason, number][])
    a.malformedByReason[r] = (a.malformedByReason[r] ?? 0) + c;
  for (const m of b.malformed) if (a.malformed.length < MAX_MALFORMED_KEPT) a.malformed.push(m);
  for (const k of Object.keys(a.seen) as (keyof MonitorState['seen'])[]) a.seen[k] += b.seen[k];
  a.files.push(...b.files);
  a.partitions += b.partitions;
  return a;
}

/** Model name and day index of each day cell of an account, with its count. */
export function* accountDays(
  acc: AccountState,
): Generator<{ day: number; model: string; count: number }> {
  for (let i = 0; i < acc.dayLen; i++) {
    const key = acc.days[2 * i] ?? 0;
    yield {
      day: Math.floor(key / MAX_MODELS_PER_ACCOUNT),
      model: acc.models[key % MAX_MODELS_PER_ACCOUNT] ?? 'other',
      count: acc.days[2 * i + 1] ?? 0,
    };
  }
}
