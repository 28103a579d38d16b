/**
 * Fast non-cryptographic hashing for per-request features. Nothing here is a security boundary:
 * the hashes only bucket text (template skeletons, topic cells, sketches), so FNV-1a
 * (Fowler–Noll–Vo, IETF draft-eastlake-fnv) plus the MurmurHash3 finaliser (Appleby, "fmix32")
 * is enough and runs on UTF-16 code units without allocating.
 */

/** FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a 32-bit prime. */
export const FNV_PRIME = 0x01000193;

/** One FNV-1a step: fold a 16-bit code unit into the running hash. */
export function fnvStep(h: number, c: number): number {
  return Math.imul(h ^ c, FNV_PRIME) >>> 0;
}

/** MurmurHash3 32-bit finaliser: spreads every input bit over the output (avalanche). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a whole string (FNV-1a over code units, then fmix32). */
export function hashString(s: string, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return fmix32(h >>> 0);
}

/** Order-dependent combination of two 32-bit hashes (boost::hash_combine style, then mixed). */
export function combine(h: number, x: number): number {
  return fmix32((h ^ (x + 0x9e3779b9 + ((h << 6) >>> 0) + (h >>> 2))) >>> 0);
}

/** The i-th independent hash of `x` (for MinHash rows): a seeded re-mix. */
export function rehash(x: number, i: number): number {
  return fmix32((x ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
}

/** Deterministic pseudo-random generator (Mulberry32) for simulations and sampling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
