/**
 * The storage contract of the transparency log. Two implementations pass the same test suite:
 * embedded SQLite (default, zero setup) and PostgreSQL. The sequencer is the only writer; every
 * batch is one transaction (entries + new perfect-subtree nodes + signed checkpoint + side
 * records), so an acknowledged entry is durable and the stored tree always matches a checkpoint.
 */
import type { NodeId } from '../merkle.js';

/** A graph edge attached to an entry (lineage: child → parent, labelled with the relation). */
export interface EdgeRecord {
  readonly src: string;
  readonly dst: string;
  readonly label: string;
}

/** One entry of a batch to commit. */
export interface NewEntry {
  readonly index: number;
  /** Leaf bytes (≤ 64 KiB). */
  readonly data: Buffer;
  readonly leafHash: Buffer;
  /** Full document stored beside the log, addressed by digest. */
  readonly blob?: { readonly digest: string; readonly data: Buffer };
  /** Lookup terms (e.g. `subject:sha256:<hex>`, `name:<model>`). */
  readonly terms?: readonly string[];
  readonly edges?: readonly EdgeRecord[];
}

/** A stored perfect-subtree node. */
export interface NodeRecord {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

/** A committed batch. */
export interface Batch {
  readonly entries: readonly NewEntry[];
  readonly nodes: readonly NodeRecord[];
  readonly checkpoint: { readonly size: number; readonly rootHash: Buffer; readonly note: string };
}

/** A stored entry. */
export interface StoredEntry {
  readonly index: number;
  readonly data: Buffer;
  readonly leafHash: Buffer;
  readonly blobDigest: string | null;
  readonly createdAt: number;
}

/** A stored checkpoint. */
export interface CheckpointRecord {
  readonly size: number;
  readonly rootHash: Buffer;
  /** Signed note, possibly with witness cosignatures appended. */
  readonly note: string;
  readonly createdAt: number;
  readonly cosigned: boolean;
}

/** An enrolled signer key. */
export interface KeyRecord {
  readonly fingerprint: string;
  readonly pem: string;
  readonly name: string | null;
  readonly enrolledBy: string | null;
  readonly enrolledAt: number;
  readonly revokedAt: number | null;
}

/** An edge with the entry that declared it. */
export interface StoredEdge extends EdgeRecord {
  readonly index: number;
}

/** What every log store implements. */
export interface LogStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Create tables if needed; returns the stored origin (set on first use). */
  init(origin: string): Promise<void>;
  /** Number of committed entries. */
  treeSize(): Promise<number>;
  /** Perfect-subtree hashes by (level, index); keys are `level/index`. Missing nodes are absent. */
  getNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>>;
  /** Hashes of level `level`, indices `[start, end)` (for tiles). */
  getNodeRange(level: number, start: number, end: number): Promise<Buffer[]>;
  /** Commit a batch atomically. Fails (and changes nothing) if `entries[0].index` ≠ tree size. */
  commitBatch(batch: Batch): Promise<void>;
  /** Indices of already-logged leaves among `hashes` (hex leaf hash → index). */
  findLeaves(hashes: readonly Buffer[]): Promise<Map<string, number>>;
  /** Entries `[start, end)`. */
  getEntries(start: number, end: number): Promise<StoredEntry[]>;
  /** Latest checkpoint (largest size). */
  latestCheckpoint(): Promise<CheckpointRecord | undefined>;
  /** Latest checkpoint carrying witness cosignatures. */
  latestCosignedCheckpoint(): Promise<CheckpointRecord | undefined>;
  /** Replace the note of checkpoint `size` by a version with cosignatures. */
  storeCosignedCheckpoint(size: number, note: string): Promise<void>;
  getBlob(digest: string): Promise<Buffer | undefined>;
  /** Index of the first entry whose blob has this digest. */
  entryForBlob(digest: string): Promise<number | undefined>;
  /** Entry indices carrying `term`, ascending, at most `limit`. */
  lookupTerm(term: string, limit: number): Promise<number[]>;
  /** Edges whose src (`direction = 'out'`) or dst (`'in'`) is `node`. */
  edges(node: string, direction: 'out' | 'in', limit: number): Promise<StoredEdge[]>;
  putKey(k: {
    fingerprint: string;
    pem: string;
    name: string | null;
    enrolledBy: string | null;
  }): Promise<void>;
  getKey(fingerprint: string): Promise<KeyRecord | undefined>;
  listKeys(): Promise<KeyRecord[]>;
  revokeKey(fingerprint: string): Promise<boolean>;
  /** Last tree size a witness cosigned for us (0 if never). */
  getWitnessSize(name: string): Promise<number>;
  setWitnessSize(name: string, size: number): Promise<void>;
  close(): Promise<void>;
}
