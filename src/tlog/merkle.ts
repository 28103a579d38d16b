/**
 * RFC 6962 / RFC 9162 Merkle tree hashing, proof generation and proof verification.
 *
 * - Leaf hash  `SHA-256(0x00 || leaf)`, interior node `SHA-256(0x01 || left || right)`, empty tree
 *   `SHA-256("")` (RFC 9162 §2.1.1).
 * - Proof generation follows PATH and SUBPROOF of RFC 9162 §2.1.3.1 / §2.1.4.1, reading hashes of
 *   *perfect* subtrees through a {@link NodeReader} so that a store only needs to keep one hash per
 *   complete subtree (level, index). Proof shapes never depend on hash values, so callers that
 *   read from a database first collect the nodes a proof needs ({@link inclusionProofNodes},
 *   {@link consistencyProofNodes}), fetch them in one query, then build the proof.
 * - Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 and the edge-case semantics of
 *   transparency-dev/merkle (`proof/verify.go`), whose public test vectors it passes.
 *
 * Tree sizes and indices are JavaScript numbers range-checked to `Number.MAX_SAFE_INTEGER`;
 * bit operations are done arithmetically because JS `>>` truncates to 32 bits.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { LogError } from './errors.js';

/** Size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

/** Root hash of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** A node of the tree identified by its height (0 = leaves) and its index within that level. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Reads the hash of the perfect subtree covering leaves `[index·2^level, (index+1)·2^level)`. */
export type NodeReader = (level: number, index: number) => Uint8Array;

/** RFC 6962 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(data.length + 1);
  buf[0] = 0;
  buf.set(data, 1);
  return oneShotHash('sha256', buf, 'buffer');
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(1 + left.length + right.length);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return oneShotHash('sha256', buf, 'buffer');
}

/** Throw unless `n` is a non-negative safe integer (sizes and indices come from attackers). */
export function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new LogError('OUT_OF_RANGE', `${what} must be a non-negative safe integer, got ${n}`);
  }
}

/** Largest power of two strictly smaller than n (n ≥ 2), as in RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

function log2Exact(n: number): number {
  let l = 0;
  while (n > 1) {
    n /= 2;
    l++;
  }
  return l;
}

/**
 * Merkle tree hash of leaves `[start, end)` using perfect-subtree hashes from `read`. `start` must
 * be the left edge of a subtree in the RFC 6962 decomposition (true for every range visited by
 * PATH/SUBPROOF), so every perfect piece is aligned.
 */
function rangeHash(start: number, end: number, read: NodeReader): Uint8Array {
  const n = end - start;
  if (isPowerOfTwo(n) && start % n === 0) return read(log2Exact(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(start, start + k, read), rangeHash(start + k, end, read));
}

function path(m: number, start: number, end: number, read: NodeReader, out: Uint8Array[]): void {
  const n = end - start;
  if (n === 1) return;
  const k = splitPoint(n);
  if (m < k) {
    path(m, start, start + k, read, out);
    out.push(rangeHash(start + k, end, read));
  } else {
    path(m - k, start + k, end, read, out);
    out.push(rangeHash(start, start + k, read));
  }
}

function subproof(
  m: number,
  start: number,
  end: number,
  complete: boolean,
  read: NodeReader,
  out: Uint8Array[],
): void {
  const n = end - start;
  if (m === n) {
    if (!complete) out.push(rangeHash(start, end, read));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(m, start, start + k, complete, read, out);
    out.push(rangeHash(start + k, end, read));
  } else {
    subproof(m - k, start + k, end, false, read, out);
    out.push(rangeHash(start, start + k, read));
  }
}

/** Root hash of a tree of `size` leaves from perfect-subtree hashes (O(log n) reads). */
export function treeRoot(size: number, read: NodeReader): Uint8Array {
  checkCount(size, 'tree size');
  if (size === 0) return EMPTY_ROOT;
  return rangeHash(0, size, read);
}

/** RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in a tree of `size` leaves. */
export function inclusionProof(index: number, size: number, read: NodeReader): Uint8Array[] {
  checkCount(index, 'leaf index');
  checkCount(size, 'tree size');
  if (index >= size) {
    throw new LogError('OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`);
  }
  const out: Uint8Array[] = [];
  path(index, 0, size, read, out);
  return out;
}

/** RFC 9162 §2.1.4.1 consistency proof from tree size `m` to tree size `n` (0 < m ≤ n). */
export function consistencyProof(m: number, n: number, read: NodeReader): Uint8Array[] {
  checkCount(m, 'old tree size');
  checkCount(n, 'new tree size');
  if (m > n) throw new LogError('OUT_OF_RANGE', `old tree size ${m} exceeds new tree size ${n}`);
  if (m === 0 || m === n) return [];
  const out: Uint8Array[] = [];
  subproof(m, 0, n, true, read, out);
  return out;
}

function collector(): { read: NodeReader; nodes: NodeId[] } {
  const seen = new Set<string>();
  const nodes: NodeId[] = [];
  const zero = new Uint8Array(HASH_SIZE);
  return {
    nodes,
    read: (level, index) => {
      const key = `${level}/${index}`;
      if (!seen.has(key)) {
        seen.add(key);
        nodes.push({ level, index });
      }
      return zero;
    },
  };
}

/** The perfect-subtree nodes an inclusion proof reads (to fetch them in one batch). */
export function inclusionProofNodes(index: number, size: number): NodeId[] {
  const c = collector();
  inclusionProof(index, size, c.read);
  return c.nodes;
}

/** The perfect-subtree nodes a consistency proof reads. */
export function consistencyProofNodes(m: number, n: number): NodeId[] {
  const c = collector();
  consistencyProof(m, n, c.read);
  return c.nodes;
}

/** The perfect-subtree nodes the root of a tree of `size` leaves reads. */
export function treeRootNodes(size: number): NodeId[] {
  const c = collector();
  treeRoot(size, c.read);
  return c.nodes;
}

/** A reader over a map filled from a batch fetch; throws if a node is missing. */
export function mapReader(map: ReadonlyMap<string, Uint8Array>): NodeReader {
  return (level, index) => {
    const h = map.get(`${level}/${index}`);
    if (!h) throw new LogError('STORE', `tree node ${level}/${index} is missing from the store`);
    return h;
  };
}

/** Key used by {@link mapReader}. */
export function nodeKey(level: number, index: number): string {
  return `${level}/${index}`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function checkHash(h: Uint8Array, what: string): void {
  if (h.length !== HASH_SIZE) {
    throw new LogError('BAD_HASH', `${what} has ${h.length} bytes, expected ${HASH_SIZE}`);
  }
}

/**
 * Recompute the root from an inclusion proof (RFC 9162 §2.1.3.2). Throws `BAD_PROOF` when the
 * proof has the wrong shape for (index, size).
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkCount(index, 'leaf index');
  checkCount(size, 'tree size');
  if (index >= size) {
    throw new LogError('BAD_PROOF', `leaf index ${index} is not below tree size ${size}`);
  }
  checkHash(leaf, 'leaf hash');
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (let i = 0; i < proof.length; i++) {
    const p = proof[i] as Uint8Array;
    checkHash(p, `inclusion proof hash ${i}`);
    if (sn === 0) throw new LogError('BAD_PROOF', 'inclusion proof is longer than the tree allows');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new LogError('BAD_PROOF', 'inclusion proof is shorter than the tree needs');
  return r;
}

/** Verify an inclusion proof; throws `BAD_PROOF` on any mismatch. */
export function verifyInclusion(args: {
  readonly index: number;
  readonly size: number;
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}): void {
  const r = rootFromInclusionProof(args.index, args.size, args.leafHash, args.proof);
  if (!equalBytes(r, args.root)) {
    throw new LogError('BAD_PROOF', 'inclusion proof does not lead to the expected root');
  }
}

/**
 * Verify a consistency proof from (size1, root1) to (size2, root2) per RFC 9162 §2.1.4.2.
 * As in transparency-dev/merkle, a proof from the empty tree is meaningless and rejected (callers
 * that accept "old size 0", like a witness, special-case it), equal sizes need an empty proof and
 * equal roots. Throws `BAD_PROOF` on failure.
 */
export function verifyConsistency(args: {
  readonly size1: number;
  readonly size2: number;
  readonly proof: readonly Uint8Array[];
  readonly root1: Uint8Array;
  readonly root2: Uint8Array;
}): void {
  const { size1, size2, proof, root1, root2 } = args;
  checkCount(size1, 'old tree size');
  checkCount(size2, 'new tree size');
  if (size2 < size1) throw new LogError('BAD_PROOF', `tree size ${size2} < old size ${size1}`);
  if (size1 === 0) throw new LogError('BAD_PROOF', 'consistency proof from the empty tree');
  if (size1 === size2) {
    if (proof.length > 0) throw new LogError('BAD_PROOF', 'equal sizes need an empty proof');
    if (!equalBytes(root1, root2)) throw new LogError('BAD_PROOF', 'equal sizes, different roots');
    return;
  }
  if (proof.length === 0) throw new LogError('BAD_PROOF', 'empty consistency proof');
  checkHash(root1, 'old root');
  checkHash(root2, 'new root');
  proof.forEach((p, i) => checkHash(p, `consistency proof hash ${i}`));
  let path: readonly Uint8Array[] = proof;
  if (isPowerOfTwo(size1)) path = [root1, ...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = path[0] as Uint8Array;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) throw new LogError('BAD_PROOF', 'consistency proof is longer than needed');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new LogError('BAD_PROOF', 'consistency proof is shorter than needed');
  if (!equalBytes(fr, root1))
    throw new LogError('BAD_PROOF', 'consistency proof: old root differs');
  if (!equalBytes(sr, root2))
    throw new LogError('BAD_PROOF', 'consistency proof: new root differs');
}

/**
 * The right frontier ("compact range") of a tree: the roots of the perfect subtrees that make up
 * `[0, size)`, largest first. Appending a leaf merges equal-height roots and reports every new
 * perfect-subtree node, which is exactly what a store must persist.
 */
export class CompactRange {
  private readonly hashes: Uint8Array[] = [];
  private readonly levels: number[] = [];
  private n = 0;

  /** Rebuild from the perfect-subtree roots of a tree of `size` leaves (from {@link frontierNodes}). */
  static fromFrontier(size: number, read: NodeReader): CompactRange {
    const cr = new CompactRange();
    for (const { level, index } of frontierNodes(size)) {
      cr.hashes.push(read(level, index));
      cr.levels.push(level);
    }
    cr.n = size;
    return cr;
  }

  /** An independent copy (to roll back if a batch fails to commit). */
  clone(): CompactRange {
    const c = new CompactRange();
    c.hashes.push(...this.hashes);
    c.levels.push(...this.levels);
    c.n = this.n;
    return c;
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.n;
  }

  /** Append a leaf hash; returns every perfect-subtree node completed by it (leaf included). */
  append(leaf: Uint8Array): { level: number; index: number; hash: Uint8Array }[] {
    const created: { level: number; index: number; hash: Uint8Array }[] = [];
    let h: Uint8Array = leaf;
    let level = 0;
    let index = this.n;
    created.push({ level, index, hash: h });
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      const left = this.hashes.pop() as Uint8Array;
      this.levels.pop();
      h = nodeHash(left, h);
      level += 1;
      index = Math.floor(index / 2);
      created.push({ level, index, hash: h });
    }
    this.hashes.push(h);
    this.levels.push(level);
    this.n += 1;
    return created;
  }

  /** Root hash of the current tree. */
  root(): Uint8Array {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    let r = this.hashes[this.hashes.length - 1] as Uint8Array;
    for (let i = this.hashes.length - 2; i >= 0; i--) r = nodeHash(this.hashes[i] as Uint8Array, r);
    return r;
  }
}

/** Perfect-subtree roots that make up a tree of `size` leaves, largest (leftmost) first. */
export function frontierNodes(size: number): NodeId[] {
  checkCount(size, 'tree size');
  const out: NodeId[] = [];
  let start = 0;
  let bit = 1;
  while (bit * 2 <= size) bit *= 2;
  for (; bit >= 1; bit /= 2) {
    if (Math.floor(size / bit) % 2 === 1) {
      let level = 0;
      for (let b = bit; b > 1; b /= 2) level++;
      out.push({ level, index: start / bit });
      start += bit;
    }
  }
  return out;
}
