/**
 * The sequencing transparency log: batches submissions (up to `maxBatch` entries or `maxDelayMs`),
 * deduplicates by leaf hash, integrates each batch into the RFC 6962 tree, signs a C2SP checkpoint
 * for the new size and commits entries, new perfect-subtree nodes and the checkpoint in one store
 * transaction. A submission is acknowledged only after that commit, so an acknowledged entry is
 * never lost, and every published checkpoint describes a prefix of every later tree.
 */
import { LogError } from './errors.js';
import {
  CompactRange,
  consistencyProof,
  consistencyProofNodes,
  frontierNodes,
  inclusionProof,
  inclusionProofNodes,
  leafHash,
  mapReader,
  treeRoot,
  treeRootNodes,
} from './merkle.js';
import { formatCheckpointBody, parseCheckpoint } from './checkpoint.js';
import { signNote } from './note.js';
import type { NoteSigner } from './note.js';
import { MAX_ENTRY_BYTES, TILE_WIDTH, encodeEntryBundle, tileWidthAt } from './tiles.js';
import type { TileRef } from './tiles.js';
import type {
  CheckpointRecord,
  EdgeRecord,
  LogStore,
  NewEntry,
  NodeRecord,
} from './store/types.js';

/** Entries per batch: bounds transaction size and the latency of a full batch. */
export const DEFAULT_MAX_BATCH = 1024;
/** Longest a submission waits for its batch to fill before it is committed. */
export const DEFAULT_MAX_DELAY_MS = 5;
/** Submissions queued before new ones are refused (back-pressure instead of unbounded memory). */
export const DEFAULT_MAX_PENDING = 50_000;

/** What a caller appends. */
export interface LogEntryInput {
  /** Leaf bytes (≤ 65,535 bytes, tlog-tiles entry-bundle limit). */
  readonly data: Buffer;
  readonly blob?: { readonly digest: string; readonly data: Buffer };
  readonly terms?: readonly string[];
  readonly edges?: readonly EdgeRecord[];
}

/** Outcome of an append. */
export interface AppendResult {
  readonly index: number;
  readonly leafHash: Buffer;
  /** True if the same leaf was already logged (nothing was appended). */
  readonly duplicate: boolean;
  /** Size of the checkpoint returned (always > index). */
  readonly treeSize: number;
  /** Signed checkpoint covering the entry. */
  readonly checkpoint: string;
}

/** Options for {@link TransparencyLog.open}. */
export interface LogOptions {
  readonly store: LogStore;
  /** Checkpoint origin, e.g. `registry.example/log`. */
  readonly origin: string;
  /** Log key (Ed25519 note signer whose name should equal the origin). */
  readonly signer: NoteSigner;
  readonly maxBatch?: number;
  readonly maxDelayMs?: number;
  readonly maxPending?: number;
}

interface Pending {
  readonly input: LogEntryInput;
  readonly leafHash: Buffer;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: unknown) => void;
}

/** Tree state a reader needs: size, root, signed note. */
export interface LogHead {
  readonly size: number;
  readonly rootHash: Buffer;
  readonly checkpoint: string;
}

/** A transparency log over a {@link LogStore}. */
export class TransparencyLog {
  readonly store: LogStore;
  readonly origin: string;
  private readonly signer: NoteSigner;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxPending: number;
  private frontier: CompactRange;
  private head: LogHead;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly listeners = new Set<(head: LogHead) => void>();

  private constructor(o: LogOptions, frontier: CompactRange, head: LogHead) {
    this.store = o.store;
    this.origin = o.origin;
    this.signer = o.signer;
    this.maxBatch = o.maxBatch ?? DEFAULT_MAX_BATCH;
    this.maxDelayMs = o.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.maxPending = o.maxPending ?? DEFAULT_MAX_PENDING;
    this.frontier = frontier;
    this.head = head;
  }

  /** Open (creating if needed) the log in a store and check the stored tree against its checkpoint. */
  static async open(o: LogOptions): Promise<TransparencyLog> {
    if (o.signer.name !== o.origin) {
      throw new LogError(
        'BAD_KEY',
        `log key name ${JSON.stringify(o.signer.name)} must equal the origin ${JSON.stringify(o.origin)}`,
      );
    }
    await o.store.init(o.origin);
    const size = await o.store.treeSize();
    const frontier = CompactRange.fromFrontier(
      size,
      mapReader(await o.store.getNodes(frontierNodes(size))),
    );
    const root = Buffer.from(frontier.root());
    let latest: CheckpointRecord | undefined = await o.store.latestCheckpoint();
    if (latest && latest.size === size && !latest.rootHash.equals(root)) {
      throw new LogError(
        'STORE',
        `stored checkpoint root for size ${size} does not match the stored tree: the database is corrupt`,
      );
    }
    if (latest && latest.size > size)
      throw new LogError(
        'STORE',
        `stored checkpoint size ${latest.size} exceeds the ${size} stored entries`,
      );
    if (!latest || latest.size !== size) {
      const note = signNote(formatCheckpointBody({ origin: o.origin, size, rootHash: root }), [
        o.signer,
      ]);
      await o.store.commitBatch({
        entries: [],
        nodes: [],
        checkpoint: { size, rootHash: root, note },
      });
      latest = { size, rootHash: root, note, createdAt: Date.now(), cosigned: false };
    }
    return new TransparencyLog(o, frontier, { size, rootHash: root, checkpoint: latest.note });
  }

  /** Current size, root and signed checkpoint. */
  get current(): LogHead {
    return this.head;
  }

  /** Entries waiting for their batch. */
  get pending(): number {
    return this.queue.length;
  }

  /** Be told about every new checkpoint (e.g. to ask witnesses to cosign). */
  onCheckpoint(f: (head: LogHead) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** Append an entry; resolves once it is durably committed under a signed checkpoint. */
  append(input: LogEntryInput): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new LogError('CLOSED', 'log is closed'));
    if (input.data.length > MAX_ENTRY_BYTES) {
      return Promise.reject(
        new LogError(
          'ENTRY_TOO_LARGE',
          `entry of ${input.data.length} bytes exceeds ${MAX_ENTRY_BYTES}`,
        ),
      );
    }
    if (this.queue.length >= this.maxPending) {
      return Promise.reject(
        new LogError(
          'LIMIT_EXCEEDED',
          `more than ${this.maxPending} submissions pending; retry later`,
          { details: { retryable: true } },
        ),
      );
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ input, leafHash: leafHash(input.data), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.queue.length >= this.maxBatch) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = this.drain();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.flushing) this.flushing = this.drain();
      }, this.maxDelayMs);
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.commit(batch);
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async commit(batch: readonly Pending[]): Promise<void> {
    const existing = await this.store.findLeaves(batch.map((p) => p.leafHash));
    const fr = this.frontier.clone();
    const entries: NewEntry[] = [];
    const nodes: NodeRecord[] = [];
    const assigned: { index: number; duplicate: boolean }[] = [];
    const inBatch = new Map<string, number>();
    for (const p of batch) {
      const key = p.leafHash.toString('hex');
      const old = existing.get(key) ?? inBatch.get(key);
      if (old !== undefined) {
        assigned.push({ index: old, duplicate: true });
        continue;
      }
      const index = fr.size;
      inBatch.set(key, index);
      for (const n of fr.append(p.leafHash)) nodes.push(n);
      entries.push({
        index,
        data: p.input.data,
        leafHash: p.leafHash,
        ...(p.input.blob ? { blob: p.input.blob } : {}),
        ...(p.input.terms ? { terms: p.input.terms } : {}),
        ...(p.input.edges ? { edges: p.input.edges } : {}),
      });
      assigned.push({ index, duplicate: false });
    }
    if (entries.length > 0) {
      const rootHash = Buffer.from(fr.root());
      const note = signNote(
        formatCheckpointBody({ origin: this.origin, size: fr.size, rootHash }),
        [this.signer],
      );
      await this.store.commitBatch({
        entries,
        nodes,
        checkpoint: { size: fr.size, rootHash, note },
      });
      this.frontier = fr;
      this.head = { size: fr.size, rootHash, checkpoint: note };
      for (const l of this.listeners) l(this.head);
    }
    const head = this.head;
    batch.forEach((p, i) => {
      const a = assigned[i] as { index: number; duplicate: boolean };
      p.resolve({
        index: a.index,
        leafHash: p.leafHash,
        duplicate: a.duplicate,
        treeSize: head.size,
        checkpoint: head.checkpoint,
      });
    });
  }

  private checkSize(size: number, what: string): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.head.size) {
      throw new LogError(
        'OUT_OF_RANGE',
        `${what} ${size} is not within the log size ${this.head.size}`,
      );
    }
  }

  /** Inclusion proof of entry `index` in the tree of size `size` (default: current). */
  async inclusionProof(index: number, size: number = this.head.size): Promise<Buffer[]> {
    this.checkSize(size, 'tree size');
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new LogError('OUT_OF_RANGE', `index ${index} is not below tree size ${size}`);
    const nodes = await this.store.getNodes(inclusionProofNodes(index, size));
    return inclusionProof(index, size, mapReader(nodes)).map((h) => Buffer.from(h));
  }

  /** Consistency proof between two sizes (0 < old ≤ new ≤ current). */
  async consistencyProof(oldSize: number, newSize: number = this.head.size): Promise<Buffer[]> {
    this.checkSize(newSize, 'new size');
    this.checkSize(oldSize, 'old size');
    if (oldSize > newSize)
      throw new LogError('OUT_OF_RANGE', `old size ${oldSize} exceeds new size ${newSize}`);
    const nodes = await this.store.getNodes(consistencyProofNodes(oldSize, newSize));
    return consistencyProof(oldSize, newSize, mapReader(nodes)).map((h) => Buffer.from(h));
  }

  /** Root hash of any past tree size. */
  async rootAt(size: number): Promise<Buffer> {
    this.checkSize(size, 'tree size');
    const nodes = await this.store.getNodes(treeRootNodes(size));
    return Buffer.from(treeRoot(size, mapReader(nodes)));
  }

  /** Bytes of a tile or entry bundle; undefined when it does not exist (yet) at this size. */
  async tile(ref: TileRef): Promise<Buffer | undefined> {
    const size = this.head.size;
    const level = ref.level === 'entries' ? 0 : ref.level;
    const available = tileWidthAt(level, ref.index, size);
    const want = ref.width ?? TILE_WIDTH;
    if (available === 0 || want > available || (ref.width === undefined && available < TILE_WIDTH))
      return undefined;
    const start = ref.index * TILE_WIDTH;
    if (ref.level === 'entries') {
      const rows = await this.store.getEntries(start, start + want);
      if (rows.length !== want)
        throw new LogError(
          'STORE',
          `entry bundle ${ref.index}: ${rows.length} of ${want} entries found`,
        );
      return encodeEntryBundle(rows.map((r) => r.data));
    }
    const hashes = await this.store.getNodeRange(ref.level * 8, start, start + want);
    if (hashes.length !== want)
      throw new LogError(
        'STORE',
        `tile ${ref.level}/${ref.index}: ${hashes.length} of ${want} hashes found`,
      );
    return Buffer.concat(hashes);
  }

  /** Entry at `index` (committed entries only). */
  async entry(
    index: number,
  ): Promise<
    { index: number; data: Buffer; leafHash: Buffer; blobDigest: string | null } | undefined
  > {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.head.size) return undefined;
    const [e] = await this.store.getEntries(index, index + 1);
    return e;
  }

  /** Verify that a stored checkpoint note parses and matches the current head (self-check). */
  selfCheck(): void {
    const cp = parseCheckpoint(this.head.checkpoint);
    if (cp.size !== this.head.size || !cp.rootHash.equals(this.head.rootHash))
      throw new LogError('STORE', 'head checkpoint does not match the tree');
  }

  /** Commit what is queued, refuse new work, close the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) this.flushing = this.drain();
      await this.flushing;
    }
    await this.store.close();
  }
}
