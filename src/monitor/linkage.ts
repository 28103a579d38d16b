/**
 * Campaign linkage (pipeline step 4 of `analyze.ts`) and the attribution primitives it feeds:
 * accounts are joined through payment ids and through pairs of attribute groups of different
 * kinds (network path, sign-up hour or day, synchronised activity, shared templates) whose
 * overlap is improbable under independent assignment (hypergeometric tail, family-wise at
 * {@link LINK_FWER}); accounts nothing else links are paired by rare extraction wordings
 * ({@link coSharedFrames}). Operators are the same accounts joined only by values that identify a
 * party. {@link attributes} and {@link dominates} decide which shared values tie a member to a
 * flagged campaign (docs/monitor.md, pipeline steps 4 and 7).
 */
import { chernoffLogBound, logHypergeomSf } from './evidence.js';
import { combine, hashString } from './hash.js';
import { accountDays, ACTIVITY_MINHASH, KEY_TYPE, SLOT_MS, U, type AccountState } from './state.js';

const DAY = 86_400_000;

/** Kinds of links between accounts. */
export type LinkKind = 'payment' | 'infrastructure' | 'signup' | 'content' | 'timing';

/** An account's sign-up hour (hours since the epoch), if the log gave a sign-up time. */
export function signupHour(a: AccountState): number | undefined {
  return a.signupAt === undefined ? undefined : Math.floor(a.signupAt / 3_600_000);
}

/**
 * Family-wise error of linkage: the per-pair threshold is LINK_FWER / (number of group pairs with
 * a common member examined), so chance links between unrelated accounts are rare per run.
 */
export const LINK_FWER = 0.01;
/**
 * Synchronised activity is only evidence between sparse accounts: MinHash bands of two busy
 * accounts agree by chance (their minimum-hash slots are the same few slots of the window), so
 * only accounts active in at most this share of the 10-minute slots *of the days they were active
 * on* get timing values. Measured per active day, not per window: students who each spend one
 * deadline day on homework fill most of that day's slots, and their bands then agree as often as
 * two round-the-clock accounts' (independent generator, seed 8 at 1.2M lines: three students of
 * two classes at 4–5% of the window's slots, 50–72% of their one day's, pairwise Jaccard 0.43–0.59).
 */
export const SYNC_MAX_DENSITY = 0.1;
/** ... and in at least this many slots. */
export const SYNC_MIN_SLOTS = 6;
/** Share of the smaller of two attribute groups that must lie in the other for a link. */
export const LINK_CONTAINMENT = 0.5;
/** Weakest link ever accepted, whatever the number of pairs (tiny logs examine few pairs). */
export const LINK_SCREEN_P = 1e-4;
/** A shared template used by more than this share of all accounts is common phrasing (not a link). */
export const COMMON_TEMPLATE_SHARE = 0.02;
/** ... but a template is never "common" below this many accounts. */
export const MIN_COMMON_TEMPLATE = 200;

/**
 * Most accounts a template may be shared by and still link them: a template used by a large share
 * of all accounts is common phrasing, not a fingerprint, and would only cost time.
 */
export function commonTemplateCap(accounts: number): number {
  return Math.max(MIN_COMMON_TEMPLATE, Math.floor(COMMON_TEMPLATE_SHARE * accounts));
}
/**
 * Extraction-request frames used by more accounts than this are not enumerated in pairs: a frame
 * shared by hundreds is weak evidence for any one pair and costs O(owners²).
 */
export const MAX_FRAME_OWNERS = 256;
/** Most pair updates when counting co-shared extraction frames (bounds time and memory). */
export const MAX_FRAME_PAIR_WORK = 4_000_000;
/** Attribute groups bigger than this are not used as anchors (costly and uninformative). */
export const MAX_ANCHOR_GROUP = 20_000;

/**
 * Independent kinds of dominant attributes an account must share to be attributed to a campaign
 * (see {@link evidenceKind}: all path attributes together count as one kind).
 */
export const MIN_ATTRIBUTING_KINDS = 2;

/** Union–find over account indices. */
class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    let r = x;
    while ((this.parent[r] ?? r) !== r) r = this.parent[r] ?? r;
    let y = x;
    while ((this.parent[y] ?? y) !== r) {
      const next = this.parent[y] ?? y;
      this.parent[y] = r;
      y = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

const KIND = { PAYMENT: 0, INFRA: 1, SIGNUP: 2, CONTENT: 3, TIMING: 4, SIGNUP_DAY: 5 } as const;
const KIND_NAMES: readonly LinkKind[] = [
  'payment',
  'infrastructure',
  'signup',
  'content',
  'timing',
  'signup',
];

/** Sign-up hours and days are one kind of evidence: never paired with each other. */
function linkFamily(kind: number): number {
  return kind === KIND.SIGNUP_DAY ? KIND.SIGNUP : kind;
}

function groupKey(kind: number, value: string): number {
  // 4 bits of kind + 48 bits of two independent hashes: distinct values collide with
  // probability ~2^-48 per pair
  return hashString(value) * 16 + kind + (hashString(value, 0x2545f491) & 0xffff) * 2 ** 36;
}

function kindOfKey(key: number): number {
  return (key >= 2 ** 52 ? key - 2 ** 52 : key) % 16;
}

/**
 * Whether a set of dominated evidence kinds (bit set over {@link EVIDENCE}) attributes an
 * account to its campaign: a shared payment method; or at least {@link MIN_ATTRIBUTING_KINDS}
 * kinds of which one is a sign-up burst or synchronised activity. User-prompt templates and the
 * path together are not enough: a reseller forwards its customers' prompts and the hydra's resold
 * traffic through the same gateway, so behind one proxy shared ordinary prompts follow from the
 * shared path.
 */
export function attributes(kinds: number): boolean {
  if ((kinds & (1 << EVIDENCE.PAYMENT)) !== 0) return true;
  let distinct = 0;
  for (let b = kinds; b !== 0; b &= b - 1) distinct++;
  if (distinct < MIN_ATTRIBUTING_KINDS) return false;
  return (kinds & ((1 << EVIDENCE.SIGNUP) | (1 << EVIDENCE.TIMING))) !== 0;
}

/** Evidence kinds for attribution (bit positions): what a value says about who controls an account; see {@link attributes}. */
export const EVIDENCE = { PATH: 0, PAYMENT: 1, SIGNUP: 2, TIMING: 3, PROMPT: 4 } as const;

/**
 * Whether an attribute value counts as a campaign's for attribution (is *dominated* by it):
 * `k` of its `holders` accounts are among the campaign's `size` members, in a run of `n`
 * accounts; `logLevel` is the natural-log significance level (Bonferroni over the campaign's
 * values).
 *
 * - A payment method: at least half its holders are members (a shared card is a direct tie).
 * - A sign-up hour or activity band: the member count is improbable for a random draw of the
 *   campaign's size (hypergeometric tail ≤ the level). In a big log an hour of sign-ups holds
 *   many unrelated accounts, so "half of the holders" would miss a real burst, and two accounts
 *   of a big campaign signing up in the same hour is a birthday coincidence (a reseller's
 *   customer and a hydra member: measured in eval setting stress-classroom).
 * - A prompt template or path value: both. A component of thousands of accounts holds thousands
 *   of ordinary chat frames, and "two of the three holders are members" is then what any
 *   account sharing one of them expects.
 *
 * Always false below two member holders.
 */
export function dominates(
  evidence: number,
  k: number,
  holders: number,
  size: number,
  n: number,
  logLevel: number,
): boolean {
  if (k < 2) return false;
  const half = 2 * k >= holders;
  if (evidence === EVIDENCE.PAYMENT) return half;
  const improbable = logHypergeomSf(k, n, holders, size) <= logLevel;
  if (evidence === EVIDENCE.SIGNUP || evidence === EVIDENCE.TIMING) return improbable;
  return half && improbable;
}

/**
 * The evidence kind of an attribute group for attribution. Network ranges, AS + user agent and a
 * system prompt are properties of the *path* a request took: a reseller's gateway gives all of
 * them to every account it forwards, its legitimate customers' as much as a hydra's, and they are
 * nested (a /24 fixes the AS; a gateway fixes agent and system prompt). However many of them an
 * account shares with a campaign, they are one piece of evidence, and not one about control.
 * Payment, a sign-up burst, synchronised activity and shared *user-prompt* templates are set by
 * whoever operates the account. −1 (no evidence) for a sign-up day, a linkage value only.
 */
export function evidenceKind(key: number): number {
  const kind = kindOfKey(key);
  // a sign-up day links accounts but attributes none: friends who join a class over a week
  // share days, so a day shared with one's own party says nothing (independent generator, seed
  // 8: a student who signed up 28 s into a sweep's burst, and on the day five classmates did,
  // was blocked with the sweep); bursts are judged on hours and exact times
  if (kind === KIND.SIGNUP_DAY) return -1;
  if (kind === KIND.PAYMENT) return EVIDENCE.PAYMENT;
  if (kind === KIND.SIGNUP) return EVIDENCE.SIGNUP;
  if (kind === KIND.TIMING) return EVIDENCE.TIMING;
  if (kind === KIND.CONTENT) {
    // content group key = typed template key × 16 + kind + 2^52; the type is in the low 3 bits
    const typed = Math.floor((key - 2 ** 52) / 16);
    return typed % 8 === KEY_TYPE.SYSTEM ? EVIDENCE.PATH : EVIDENCE.PROMPT;
  }
  return EVIDENCE.PATH;
}

/** An attribute value held by two or more accounts. */
interface AttrGroup {
  /** Group key ({@link groupKey}; content keys carry the typed template key). */
  readonly key: number;
  /** Link kind of the value ({@link KIND}). */
  readonly kind: number;
  /** Account indices holding it, ascending. */
  readonly members: number[];
}

export interface Linkage {
  uf: UnionFind;
  /** Per component root: evidence records. */
  evidence: Map<number, { kinds: string; groups: number; log10P: number }[]>;
  /**
   * Attribute groups, indexed by group id: values held by two or more accounts, then the shared
   * user-prompt templates and system prompts ({@link sharedTemplates}).
   */
  groups: AttrGroup[];
  /** Account index → ids of its attribute groups. */
  vals: number[][];
  /** Account index → number of its attribute values no other account holds. */
  singles: Int32Array;
  /** Accounts at either end of an {@link coSharedFrames} link (1) or not (0). */
  wording: Uint8Array;
  /**
   * Operators: the same accounts joined only by payment, extraction-wording links and links
   * neither of whose values is an AS + agent or a sign-up hour (values many parties share in a
   * large log); every operator lies inside one component of `uf`.
   */
  op: UnionFind;
}

/**
 * Pairs of accounts that share improbably many rare frames of their *extraction-style* requests
 * (requests that elicit reasoning, grades, tool traces or rewrites; frame keys of type
 * `ELICIT_HEAD` / `ELICIT_TAIL`). This is the linkage left when a campaign shares no
 * infrastructure, payment, sign-up or timing: its accounts draw their extraction prompts from one
 * generator, so they keep meeting on the same wordings, while unrelated users of an elicitation
 * phrase meet on that one phrase.
 *
 * Test, per frame type t and pair (a, b): under H0 "b's rare frames are independent of a's", the
 * number s of a's frames that b also used is a sum of independent Bernoulli variables with mean
 * λ = Σ_k (n_k − 1)/(N − 1) over a's frames k (n_k accounts use k); its tail is bounded by
 * Chernoff's bound e^{−λ}(eλ/s)^s, taken with the larger λ of the two accounts. The head and tail
 * frame of one request are not independent, so each type is tested on its own and the smaller
 * bound doubled (Bonferroni over the two types). A link needs the bound below
 * {@link LINK_FWER} / (N(N−1)/2): a family-wise level over *all* pairs of accounts, a family fixed
 * before looking at the data. Frames of common phrasing are already left out of `shared`
 * ({@link commonTemplateCap}); frames shared by more than {@link MAX_FRAME_OWNERS} accounts are not
 * enumerated in pairs, and enumeration stops after {@link MAX_FRAME_PAIR_WORK} pair updates
 * (smallest groups, the most telling, first).
 */
function coSharedFrames(
  N: number,
  shared: ReadonlyMap<number, readonly number[]>,
): { a: number; b: number; shared: number; lp: number }[] {
  if (N < 3) return [];
  const threshold = Math.log(LINK_FWER / ((N * (N - 1)) / 2)) - Math.log(2);
  const best = new Map<number, { s: number; lp: number }>();
  for (const type of [KEY_TYPE.ELICIT_HEAD, KEY_TYPE.ELICIT_TAIL]) {
    const groups: (readonly number[])[] = [];
    const lambda = new Float64Array(N);
    for (const [key, members] of shared) {
      if ((key & 7) !== type) continue;
      const w = (members.length - 1) / (N - 1);
      for (const i of members) lambda[i] = (lambda[i] ?? 0) + w;
      if (members.length <= MAX_FRAME_OWNERS) groups.push(members);
    }
    groups.sort((x, y) => x.length - y.length);
    // every co-owning pair once per shared frame, as one number (a·N + b, a < b), in a flat array
    // sorted so that equal pairs are adjacent: 8 bytes a pair where a map of counts took ~60
    let work = 0;
    let take = 0;
    for (const g of groups) {
      const w = (g.length * (g.length - 1)) / 2;
      if (work + w > MAX_FRAME_PAIR_WORK) break;
      work += w;
      take++;
    }
    const pairs = new Float64Array(work);
    let np = 0;
    for (let gi = 0; gi < take; gi++) {
      const g = groups[gi] ?? [];
      for (let x = 0; x < g.length; x++)
        for (let y = x + 1; y < g.length; y++) {
          const a = g[x] ?? 0;
          const b = g[y] ?? 0;
          pairs[np++] = a < b ? a * N + b : b * N + a;
        }
    }
    pairs.sort();
    for (let r = 0; r < np;) {
      const pk = pairs[r] ?? 0;
      let e = r + 1;
      while (e < np && pairs[e] === pk) e++;
      const s = e - r;
      r = e;
      if (s < 2) continue;
      const a = Math.floor(pk / N);
      const b = pk - a * N;
      const lp = chernoffLogBound(s, Math.max(lambda[a] ?? 0, lambda[b] ?? 0)) + Math.log(2);
      if (lp > threshold) continue;
      const cur = best.get(pk);
      if (!cur || lp < cur.lp) best.set(pk, { s, lp });
    }
  }
  const out: { a: number; b: number; shared: number; lp: number }[] = [];
  for (const [pk, v] of best) {
    const a = Math.floor(pk / N);
    out.push({ a, b: pk - a * N, shared: v.s, lp: v.lp });
  }
  return out;
}

/** Link kind of {@link coSharedFrames}. */
export const WORDING = 'extraction-wording';

/**
 * Groups (key, account) pairs by key: the accounts holding each value held by at least two of
 * them (in order of first appearance, as a map filled pair by pair would iterate), each
 * account's list of such values in the order it added them, and per account the number of its
 * values no other account holds (counted, never materialised).
 */
function groupPairs(
  N: number,
  keys: Float64Array,
  owners: Int32Array,
  n: number,
): { groups: AttrGroup[]; vals: number[][]; singles: Int32Array } {
  const order = new Uint32Array(n);
  for (let j = 0; j < n; j++) order[j] = j;
  order.sort((x, y) => (keys[x] ?? 0) - (keys[y] ?? 0) || x - y);
  const runs: { first: number; from: number; to: number; key: number; members: number[] }[] = [];
  const singles = new Int32Array(N);
  for (let r = 0; r < n;) {
    const key = keys[order[r] ?? 0] ?? 0;
    let e = r;
    const members: number[] = [];
    // pairs of one key are in insertion order, so one account's duplicates are adjacent
    for (; e < n && keys[order[e] ?? 0] === key; e++) {
      const o = owners[order[e] ?? 0] ?? 0;
      if (members[members.length - 1] !== o) members.push(o);
    }
    if (members.length >= 2) runs.push({ first: order[r] ?? 0, from: r, to: e, key, members });
    else {
      const o = members[0] ?? 0;
      singles[o] = (singles[o] ?? 0) + 1;
    }
    r = e;
  }
  runs.sort((x, y) => x.first - y.first);
  const groups: AttrGroup[] = runs.map((r) => ({
    key: r.key,
    kind: kindOfKey(r.key),
    members: r.members,
  }));
  // group ids are small integers: the per-account lists hold them unboxed, and counting over
  // them needs no map (see the overlap search in {@link link}); each pair's id comes from its run
  const idOfPair = new Int32Array(n).fill(-1);
  runs.forEach((run, id) => {
    for (let p = run.from; p < run.to; p++) idOfPair[order[p] ?? 0] = id;
  });
  const vals: number[][] = Array.from({ length: N }, () => []);
  for (let j = 0; j < n; j++) {
    const id = idOfPair[j] ?? -1;
    const v = vals[owners[j] ?? 0];
    if (v && id >= 0 && !v.includes(id)) v.push(id);
  }
  return { groups, vals, singles };
}

/** Build attribute groups and join accounts per step 4. */
export function link(
  accs: readonly AccountState[],
  spanSlots: number,
  shared: ReadonlyMap<number, readonly number[]>,
): Linkage {
  const N = accs.length;
  const uf = new UnionFind(N);
  const op = new UnionFind(N);
  /** Keys of AS + client-agent values: shared by every customer of a cloud and a client library. */
  const coarse = new Set<number>();
  const evidence = new Map<number, { kinds: string; groups: number; log10P: number }[]>();
  // Every attribute value of every account as a (key, account) pair in flat typed arrays; only
  // values held by two or more accounts become groups. Most values (an account's own range, its
  // sign-up hour, its activity bands) are held by one account and are only counted: a map with a
  // member list per value took 266 MB of heap on the 16M-record benchmark.
  let pairKey = new Float64Array(1024);
  let pairOwner = new Int32Array(1024);
  let nPairs = 0;
  const addVal = (i: number, kind: number, value: string): void => {
    if (nPairs === pairKey.length) {
      const k2 = new Float64Array(2 * nPairs);
      k2.set(pairKey);
      pairKey = k2;
      const o2 = new Int32Array(2 * nPairs);
      o2.set(pairOwner);
      pairOwner = o2;
    }
    pairKey[nPairs] = groupKey(kind, value);
    pairOwner[nPairs] = i;
    nPairs++;
  };
  accs.forEach((a, i) => {
    for (const p of a.payments) addVal(i, KIND.PAYMENT, p);
    const top = Math.max(0, ...a.ipCounts);
    a.ips.forEach((ip, j) => {
      const c = a.ipCounts[j] ?? 0;
      if (c === top || c >= Math.max(2, 0.1 * a.n)) addVal(i, KIND.INFRA, `ip:${ip}`);
    });
    for (const asn of a.asns)
      for (const ua of a.uas) {
        addVal(i, KIND.INFRA, `asua:${asn}|${ua}`);
        coarse.add(pairKey[nPairs - 1] ?? 0);
      }
    const hour = signupHour(a);
    if (hour !== undefined) addVal(i, KIND.SIGNUP, `h:${hour}`);
    // the sign-up day (UTC) besides the hour: a farm that registers its accounts over an
    // afternoon puts two or three in each clock hour, a coincidence in any busy hour, but most of
    // the day's sign-ups in the one day (independent generator 2, seed 7: ten tool-trace accounts
    // in 17:33–21:00, 10 of the day's 14 sign-ups, at most three in any hour). Of the hour's
    // family ({@link linkFamily}), so the two are never paired with each other.
    if (a.signupAt !== undefined) addVal(i, KIND.SIGNUP_DAY, `d:${Math.floor(a.signupAt / DAY)}`);
    if (
      a.activeSlots >= SYNC_MIN_SLOTS &&
      a.activeSlots <= SYNC_MAX_DENSITY * Math.min(spanSlots, activeDays(a) * SLOTS_PER_DAY)
    ) {
      for (let b = 0; b < ACTIVITY_MINHASH / 4; b++) {
        let h = 0x9e3779b9 + b;
        for (let r = 0; r < 4; r++) h = combine(h, a.u[U.ACT + 4 * b + r] ?? 0);
        addVal(i, KIND.TIMING, `sync:${b}:${h}`);
      }
    }
  });
  const { groups, vals, singles } = groupPairs(N, pairKey, pairOwner, nPairs);
  // shared template keys (common phrasing already left out: {@link commonTemplateCap})
  for (const [key, holders] of shared) {
    const type = key & 7;
    if (type === KEY_TYPE.ELICIT_HEAD || type === KEY_TYPE.ELICIT_TAIL) continue;
    const k = key * 16 + KIND.CONTENT + 2 ** 52; // numeric group key, disjoint from hashed ones
    const gid = groups.length;
    for (const i of holders) vals[i]?.push(gid);
    groups.push({ key: k, kind: KIND.CONTENT, members: [...holders] });
  }
  const note = (i: number, e: { kinds: string; groups: number; log10P: number }): void => {
    const list = evidence.get(i) ?? [];
    list.push(e);
    evidence.set(i, list);
  };
  // strong links
  for (const { kind, members } of groups) {
    if (kind !== KIND.PAYMENT || members.length < 2) continue;
    const first = members[0] ?? 0;
    for (const m of members) {
      uf.union(first, m);
      op.union(first, m);
    }
    note(first, { kinds: 'payment', groups: 1, log10P: -Infinity });
  }
  // improbable overlaps of two groups of different kinds. Many group pairs are examined, so the
  // per-pair threshold is the family-wise level over all of them (Bonferroni): a run links two
  // unrelated accounts by chance with probability at most LINK_FWER.
  const screen = Math.log(LINK_SCREEN_P);
  let examined = 0;
  const found: { common: number[]; lp: number; kinds: string; party: boolean; day: boolean }[] = [];
  /**
   * Whether a group's value identifies one party (for operators, see {@link Linkage.op}): not an
   * AS + agent (every customer of a cloud using one SDK holds it) and not a sign-up hour (on the
   * 16M-record benchmark log each sign-up hour of the attack window held accounts of several
   * campaigns, and sign-up-hour links chained all 21 hydras into one operator).
   */
  const party = (kind: number, key: number): boolean =>
    linkFamily(kind) !== KIND.SIGNUP && !coarse.has(key);
  // co-holder counts per value over one anchor group, in a reusable array (no map per group:
  // on the 16M-record benchmark those were ~650 MB of garbage between two collections)
  const coHolders = new Int32Array(groups.length);
  const touched: number[] = [];
  for (const { key: gk, kind: gKind, members } of groups) {
    if (gKind === KIND.PAYMENT || gKind === KIND.CONTENT) continue;
    if (members.length < 2 || members.length > MAX_ANCHOR_GROUP) continue;
    touched.length = 0;
    for (const m of members)
      for (const v of vals[m] ?? []) {
        const vk = groups[v]?.kind ?? KIND.PAYMENT;
        if (linkFamily(vk) === linkFamily(gKind) || vk === KIND.PAYMENT) continue;
        const h = coHolders[v] ?? 0;
        if (h === 0) touched.push(v);
        coHolders[v] = h + 1;
      }
    for (const v of touched) {
      const c = coHolders[v] ?? 0;
      coHolders[v] = 0;
      if (c < 2) continue;
      const vg = groups[v];
      if (!vg) continue;
      // a pair of two anchor kinds is met from both sides: examine it from the smaller key only
      if (vg.kind !== KIND.CONTENT && vg.key < gk) continue;
      // a sign-up day and an AS + agent are both held by many parties: their overlap is anyone
      // of a popular ISP and client library who signed up on a campaign's busy day (independent
      // generator 2, seed 8: a developer on a residential ISP with a common SDK, signed up on a
      // hydra's sign-up day, was drawn into it and alerted at verify)
      if (
        (gKind === KIND.SIGNUP_DAY && coarse.has(vg.key)) ||
        (vg.kind === KIND.SIGNUP_DAY && coarse.has(gk))
      )
        continue;
      examined++;
      const vSize = vg.members.length;
      // the two groups must largely coincide: most of the smaller one lies in the other. A
      // campaign's proxy range and its templates coincide; a cloud range and a popular coding
      // phrase merely overlap more than chance (both follow from "is a developer"), and with big
      // groups any such correlation is "improbable" under independence.
      if (c < LINK_CONTAINMENT * Math.min(members.length, vSize)) continue;
      const mean = (members.length * vSize) / N;
      if (chernoffLogBound(c, mean) > screen) continue;
      const lp = logHypergeomSf(c, N, vSize, members.length);
      if (lp > screen) continue;
      const common = members.filter((m) => vals[m]?.includes(v));
      const kinds = [KIND_NAMES[gKind] ?? '?', KIND_NAMES[vg.kind] ?? '?'].sort().join('+');
      found.push({
        common,
        lp,
        kinds,
        party: party(gKind, gk) && party(vg.kind, vg.key),
        day: gKind === KIND.SIGNUP_DAY || vg.kind === KIND.SIGNUP_DAY,
      });
    }
  }
  const threshold = Math.log(LINK_FWER / Math.max(1, examined));
  for (const f of found) {
    if (f.lp > threshold || f.day) continue;
    const first = f.common[0] ?? 0;
    for (const m of f.common) {
      uf.union(first, m);
      if (f.party) op.union(first, m);
    }
    note(first, { kinds: f.kinds, groups: 2, log10P: f.lp / Math.LN10 });
  }
  // Links through a sign-up day come last and join a component only when the day's common
  // holders are at least half of it: a day is a coarse value, and two campaigns that sign up on
  // one busy day and share a generic template would otherwise chain into one component, in which
  // the smaller one's members no longer stand out (measured on the simulated setting
  // stress-students: four hydras, a sweep and a proxy's customers in one component of 179, and
  // on the first independent generator). A farm split by its sign-up hours into small pieces
  // signed up, all of it, on the day that joins them.
  const size = new Int32Array(N).fill(1);
  for (let i = 0; i < N; i++) {
    const r = uf.find(i);
    if (r !== i) size[r] = (size[r] ?? 0) + 1;
  }
  /** Members of the link's common set per component root. */
  const perRoot = new Map<number, number>();
  for (const f of found) {
    if (f.lp > threshold || !f.day) continue;
    perRoot.clear();
    for (const m of f.common) {
      const r = uf.find(m);
      perRoot.set(r, (perRoot.get(r) ?? 0) + 1);
    }
    let first = -1;
    let joined = 0;
    for (const [r, k] of perRoot) {
      if (2 * k < (size[r] ?? 1)) continue;
      if (first < 0) first = r;
      else {
        const ra = uf.find(first);
        const rb = uf.find(r);
        if (ra !== rb) {
          uf.union(ra, rb);
          size[uf.find(ra)] = (size[ra] ?? 1) + (size[rb] ?? 1);
          joined++;
        }
      }
    }
    if (joined > 0 && first >= 0)
      note(first, { kinds: f.kinds, groups: 2, log10P: f.lp / Math.LN10 });
  }
  // extraction-wording links join only accounts that nothing else links: a campaign seeded from
  // a public benchmark shares its items with every benign runner of that benchmark, and such a
  // runner must not be drawn into (and attributed to) the campaign; the links are for campaigns
  // that share nothing else
  const root = Int32Array.from({ length: N }, (_, i) => uf.find(i));
  const compSize = new Int32Array(N);
  for (const r of root) compSize[r] = (compSize[r] ?? 0) + 1;
  const linkedElse = (i: number): boolean => (compSize[root[i] ?? i] ?? 0) > 1;
  const wording = new Uint8Array(N);
  for (const f of coSharedFrames(N, shared)) {
    if (linkedElse(f.a) || linkedElse(f.b)) continue;
    uf.union(f.a, f.b);
    op.union(f.a, f.b);
    wording[f.a] = 1;
    wording[f.b] = 1;
    note(f.a, { kinds: WORDING, groups: f.shared, log10P: f.lp / Math.LN10 });
  }
  // re-key evidence by component root
  const byRoot = new Map<number, { kinds: string; groups: number; log10P: number }[]>();
  for (const [i, list] of evidence) {
    const r = uf.find(i);
    const cur = byRoot.get(r) ?? [];
    cur.push(...list);
    byRoot.set(r, cur);
  }
  return { uf, op, evidence: byRoot, groups, vals, singles, wording };
}

/** 10-minute activity slots in a day. */
const SLOTS_PER_DAY = DAY / SLOT_MS;

/**
 * Distinct UTC days on which an account sent requests (a lower bound when its day cells were
 * capped, which only makes its activity look denser and so gives it fewer timing values).
 */
function activeDays(a: AccountState): number {
  const days = new Set<number>();
  for (const d of accountDays(a)) days.add(d.day);
  return days.size;
}
