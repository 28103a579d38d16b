/**
 * Embedded SQLite log store (better-sqlite3). WAL journal with `synchronous=FULL`: a batch is
 * durable when its transaction returns, so an acknowledged entry survives `kill -9` and power
 * loss. `BEGIN IMMEDIATE` plus a size check inside the transaction makes a second writer on the
 * same file fail instead of forking the tree.
 */
import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../util/workers.js';
import type { Database as Db, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LogError } from '../errors.js';
import type { NodeId } from '../merkle.js';
import type {
  Batch,
  CheckpointRecord,
  KeyRecord,
  LogStore,
  StoredEdge,
  StoredEntry,
} from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL UNIQUE, data BLOB NOT NULL, blob_digest TEXT, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS entries_blob ON entries (blob_digest);
CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, created_at INTEGER NOT NULL, cosigned INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS checkpoints_cosigned ON checkpoints (cosigned, size);
CREATE TABLE IF NOT EXISTS blobs (digest TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS terms (term TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (term, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edges (src TEXT NOT NULL, dst TEXT NOT NULL, label TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (src, dst, label, idx)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_dst ON edges (dst);
CREATE TABLE IF NOT EXISTS keys (fingerprint TEXT PRIMARY KEY, pem TEXT NOT NULL, name TEXT, enrolled_by TEXT, enrolled_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS witness_state (name TEXT PRIMARY KEY, size INTEGER NOT NULL);
`;

interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  created_at: number;
  cosigned: number;
}
interface KeyRow {
  fingerprint: string;
  pem: string;
  name: string | null;
  enrolled_by: string | null;
  enrolled_at: number;
  revoked_at: number | null;
}

function toCheckpoint(r: CheckpointRow): CheckpointRecord {
  return {
    size: r.size,
    rootHash: r.root,
    note: r.note,
    createdAt: r.created_at,
    cosigned: r.cosigned === 1,
  };
}
function toKey(r: KeyRow): KeyRecord {
  return {
    fingerprint: r.fingerprint,
    pem: r.pem,
    name: r.name,
    enrolledBy: r.enrolled_by,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
  };
}

/** Options for {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file (created with its directory), or `:memory:`. */
  readonly path: string;
  /** `FULL` (default, survives power loss) or `NORMAL` (survives process crashes only). */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /**
   * Commit batches on a dedicated worker thread (its own connection) so the fsync of a commit
   * does not stall the event loop; reads stay on this connection (WAL readers see each commit).
   */
  readonly writerThread?: boolean;
}

const batchStatements = new WeakMap<Db, Record<string, Statement>>();

/**
 * Apply a batch in one immediate transaction on `db` (used in-process and by the writer thread).
 * Throws `CONFLICT` if the batch does not start at the stored tree size.
 */
export function applyBatch(db: Db, batch: Batch, now: number): void {
  let st = batchStatements.get(db);
  if (!st) {
    const p = (sql: string): Statement => db.prepare(sql);
    st = {
      size: p('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM entries'),
      insEntry: p(
        'INSERT INTO entries (idx, leaf_hash, data, blob_digest, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      insNode: p('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)'),
      insCheckpoint: p(
        'INSERT INTO checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING',
      ),
      insBlob: p('INSERT INTO blobs (digest, data) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING'),
      insTerm: p('INSERT INTO terms (term, idx) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      insEdge: p(
        'INSERT INTO edges (src, dst, label, idx) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
    };
    batchStatements.set(db, st);
  }
  const s = st as Record<
    'size' | 'insEntry' | 'insNode' | 'insCheckpoint' | 'insBlob' | 'insTerm' | 'insEdge',
    Statement
  >;
  const buf = (u: Uint8Array): Buffer =>
    Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  const run = db.transaction(() => {
    const size = (s.size.get() as { n: number }).n;
    const first = batch.entries[0];
    if (first && first.index !== size) {
      throw new LogError(
        'CONFLICT',
        `batch starts at ${first.index} but the log has ${size} entries (another writer?)`,
      );
    }
    for (const e of batch.entries) {
      if (e.blob) s.insBlob.run(e.blob.digest, buf(e.blob.data));
      s.insEntry.run(e.index, buf(e.leafHash), buf(e.data), e.blob?.digest ?? null, now);
      for (const t of e.terms ?? []) s.insTerm.run(t, e.index);
      for (const g of e.edges ?? []) s.insEdge.run(g.src, g.dst, g.label, e.index);
    }
    for (const n of batch.nodes) s.insNode.run(n.level, n.index, buf(n.hash));
    s.insCheckpoint.run(
      batch.checkpoint.size,
      buf(batch.checkpoint.rootHash),
      batch.checkpoint.note,
      now,
    );
  });
  try {
    run.immediate();
  } catch (e) {
    if (e instanceof LogError) throw e;
    throw new LogError('STORE', `commit failed (${e instanceof Error ? e.message : String(e)})`, {
      cause: e,
    });
  }
}

/** Open a connection with the log's pragmas and schema. */
export function openSqlite(path: string, synchronous: 'FULL' | 'NORMAL'): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

/** The writer thread of a store. */
class WriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (e: unknown) => void }
  >();
  private next = 0;

  constructor(path: string, synchronous: 'FULL' | 'NORMAL') {
    this.worker = startWorker(new URL('./sqlite-writer.ts', import.meta.url), {
      path,
      synchronous,
    });
    this.worker.on('message', (m: { id: number; error?: { code: string; message: string } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error)
        p.reject(new LogError(m.error.code === 'CONFLICT' ? 'CONFLICT' : 'STORE', m.error.message));
      else p.resolve();
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', () =>
      this.failAll(new LogError('STORE', 'SQLite writer thread exited')),
    );
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  commit(batch: Batch): Promise<void> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, batch });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** SQLite implementation of {@link LogStore}. */
export class SqliteStore implements LogStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Db;
  private readonly st: Record<string, Statement>;
  private closed = false;
  private readonly writer: WriterThread | undefined;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    try {
      this.db = openSqlite(options.path, options.synchronous ?? 'FULL');
      if (options.writerThread && options.path !== ':memory:')
        this.writer = new WriterThread(options.path, options.synchronous ?? 'FULL');
    } catch (e) {
      throw new LogError(
        'STORE',
        `cannot open SQLite database (${e instanceof Error ? e.message : String(e)})`,
        { where: { file: options.path }, cause: e },
      );
    }
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.st = {
      size: p('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM entries'),
      node: p('SELECT hash FROM nodes WHERE level = ? AND idx = ?'),
      nodeRange: p('SELECT hash FROM nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx'),
      findLeaf: p('SELECT idx FROM entries WHERE leaf_hash = ?'),
      entries: p(
        'SELECT idx, data, leaf_hash, blob_digest, created_at FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx',
      ),
      latest: p(
        'SELECT size, root, note, created_at, cosigned FROM checkpoints ORDER BY size DESC LIMIT 1',
      ),
      latestCosigned: p(
        'SELECT size, root, note, created_at, cosigned FROM checkpoints WHERE cosigned = 1 ORDER BY size DESC LIMIT 1',
      ),
      cosign: p('UPDATE checkpoints SET note = ?, cosigned = 1 WHERE size = ?'),
      blob: p('SELECT data FROM blobs WHERE digest = ?'),
      entryForBlob: p('SELECT MIN(idx) AS idx FROM entries WHERE blob_digest = ?'),
      term: p('SELECT idx FROM terms WHERE term = ? ORDER BY idx LIMIT ?'),
      edgesOut: p('SELECT src, dst, label, idx FROM edges WHERE src = ? ORDER BY idx LIMIT ?'),
      edgesIn: p('SELECT src, dst, label, idx FROM edges WHERE dst = ? ORDER BY idx LIMIT ?'),
      putKey: p(
        'INSERT INTO keys (fingerprint, pem, name, enrolled_by, enrolled_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name, revoked_at = NULL',
      ),
      getKey: p('SELECT * FROM keys WHERE fingerprint = ?'),
      listKeys: p('SELECT * FROM keys ORDER BY enrolled_at, fingerprint'),
      revokeKey: p('UPDATE keys SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL'),
      getWitness: p('SELECT size FROM witness_state WHERE name = ?'),
      setWitness: p(
        'INSERT INTO witness_state (name, size) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET size = excluded.size',
      ),
      getMeta: p('SELECT v FROM meta WHERE k = ?'),
      setMeta: p('INSERT INTO meta (k, v) VALUES (?, ?)'),
    };
  }

  private s(name: string): Statement {
    if (this.closed) throw new LogError('CLOSED', 'store is closed');
    const st = this.st[name];
    if (!st) throw new LogError('STORE', `unknown statement ${name}`);
    return st;
  }

  init(origin: string): Promise<void> {
    const row = this.s('getMeta').get('origin') as { v: string } | undefined;
    if (row && row.v !== origin) {
      return Promise.reject(
        new LogError(
          'CONFLICT',
          `this database belongs to log ${JSON.stringify(row.v)}, not ${JSON.stringify(origin)}`,
        ),
      );
    }
    if (!row) this.s('setMeta').run('origin', origin);
    return Promise.resolve();
  }

  treeSize(): Promise<number> {
    return Promise.resolve((this.s('size').get() as { n: number }).n);
  }

  getNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const st = this.s('node');
    for (const { level, index } of ids) {
      const r = st.get(level, index) as { hash: Buffer } | undefined;
      if (r) out.set(`${level}/${index}`, r.hash);
    }
    return Promise.resolve(out);
  }

  getNodeRange(level: number, start: number, end: number): Promise<Buffer[]> {
    return Promise.resolve(
      (this.s('nodeRange').all(level, start, end) as { hash: Buffer }[]).map((r) => r.hash),
    );
  }

  commitBatch(batch: Batch): Promise<void> {
    if (this.closed) return Promise.reject(new LogError('CLOSED', 'store is closed'));
    if (this.writer) return this.writer.commit(batch);
    try {
      applyBatch(this.db, batch, Date.now());
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new LogError('STORE', String(e)));
    }
  }

  findLeaves(hashes: readonly Buffer[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const st = this.s('findLeaf');
    for (const h of hashes) {
      const r = st.get(h) as { idx: number } | undefined;
      if (r) out.set(h.toString('hex'), r.idx);
    }
    return Promise.resolve(out);
  }

  getEntries(start: number, end: number): Promise<StoredEntry[]> {
    const rows = this.s('entries').all(start, end) as {
      idx: number;
      data: Buffer;
      leaf_hash: Buffer;
      blob_digest: string | null;
      created_at: number;
    }[];
    return Promise.resolve(
      rows.map((r) => ({
        index: r.idx,
        data: r.data,
        leafHash: r.leaf_hash,
        blobDigest: r.blob_digest,
        createdAt: r.created_at,
      })),
    );
  }

  latestCheckpoint(): Promise<CheckpointRecord | undefined> {
    const r = this.s('latest').get() as CheckpointRow | undefined;
    return Promise.resolve(r ? toCheckpoint(r) : undefined);
  }

  latestCosignedCheckpoint(): Promise<CheckpointRecord | undefined> {
    const r = this.s('latestCosigned').get() as CheckpointRow | undefined;
    return Promise.resolve(r ? toCheckpoint(r) : undefined);
  }

  storeCosignedCheckpoint(size: number, note: string): Promise<void> {
    this.s('cosign').run(note, size);
    return Promise.resolve();
  }

  getBlob(digest: string): Promise<Buffer | undefined> {
    const r = this.s('blob').get(digest) as { data: Buffer } | undefined;
    return Promise.resolve(r?.data);
  }

  entryForBlob(digest: string): Promise<number | undefined> {
    const r = this.s('entryForBlob').get(digest) as { idx: number | null } | undefined;
    return Promise.resolve(r?.idx ?? undefined);
  }

  lookupTerm(term: string, limit: number): Promise<number[]> {
    return Promise.resolve(
      (this.s('term').all(term, limit) as { idx: number }[]).map((r) => r.idx),
    );
  }

  edges(node: string, direction: 'out' | 'in', limit: number): Promise<StoredEdge[]> {
    const rows = this.s(direction === 'out' ? 'edgesOut' : 'edgesIn').all(node, limit) as {
      src: string;
      dst: string;
      label: string;
      idx: number;
    }[];
    return Promise.resolve(
      rows.map((r) => ({ src: r.src, dst: r.dst, label: r.label, index: r.idx })),
    );
  }

  putKey(k: {
    fingerprint: string;
    pem: string;
    name: string | null;
    enrolledBy: string | null;
  }): Promise<void> {
    this.s('putKey').run(k.fingerprint, k.pem, k.name, k.enrolledBy, Date.now());
    return Promise.resolve();
  }

  getKey(fingerprint: string): Promise<KeyRecord | undefined> {
    const r = this.s('getKey').get(fingerprint) as KeyRow | undefined;
    return Promise.resolve(r ? toKey(r) : undefined);
  }

  listKeys(): Promise<KeyRecord[]> {
    return Promise.resolve((this.s('listKeys').all() as KeyRow[]).map(toKey));
  }

  revokeKey(fingerprint: string): Promise<boolean> {
    return Promise.resolve(this.s('revokeKey').run(Date.now(), fingerprint).changes > 0);
  }

  getWitnessSize(name: string): Promise<number> {
    const r = this.s('getWitness').get(name) as { size: number } | undefined;
    return Promise.resolve(r?.size ?? 0);
  }

  setWitnessSize(name: string, size: number): Promise<void> {
    this.s('setWitness').run(name, size);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer?.close();
    this.db.close();
  }
}
