/**
 * PostgreSQL log store (node-postgres). Same contract and behaviour as the SQLite store: one
 * transaction per batch (commit = durable with the default `synchronous_commit = on`), a
 * transaction-scoped advisory lock plus a size check so a second writer cannot fork the tree,
 * batch inserts through `UNNEST` arrays. Tables live in one schema (default `customs`), which is
 * also how tests isolate parallel runs.
 */
import pg from 'pg';
import { createHash } from 'node:crypto';
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

/** Connections per store: the sequencer writes on one, readers use the rest. */
export const PG_POOL_SIZE = 6;

/** Options for {@link PostgresStore}. */
export interface PostgresStoreOptions {
  readonly url: string;
  /** Schema holding the tables (`[a-z_][a-z0-9_]*`, default `customs`). */
  readonly schema?: string;
  readonly poolSize?: number;
}

const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n))
    throw new LogError('STORE', `database returned a non-integer ${String(v)}`);
  return n;
};

interface CheckpointRow {
  size: string;
  root: Buffer;
  note: string;
  created_at: string;
  cosigned: boolean;
}
interface KeyRow {
  fingerprint: string;
  pem: string;
  name: string | null;
  enrolled_by: string | null;
  enrolled_at: string;
  revoked_at: string | null;
}

const toCheckpoint = (r: CheckpointRow): CheckpointRecord => ({
  size: num(r.size),
  rootHash: r.root,
  note: r.note,
  createdAt: num(r.created_at),
  cosigned: r.cosigned,
});
const toKey = (r: KeyRow): KeyRecord => ({
  fingerprint: r.fingerprint,
  pem: r.pem,
  name: r.name,
  enrolledBy: r.enrolled_by,
  enrolledAt: num(r.enrolled_at),
  revokedAt: r.revoked_at === null ? null : num(r.revoked_at),
});

/** PostgreSQL implementation of {@link LogStore}. */
export class PostgresStore implements LogStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly s: string;
  private readonly lockKey: string;
  private closed = false;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema ?? 'customs';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new LogError('STORE', `invalid schema name ${JSON.stringify(schema)}`);
    this.s = `"${schema}"`;
    // Advisory lock key derived from the schema so two logs in one database do not contend.
    this.lockKey = BigInt.asIntN(
      64,
      BigInt(
        `0x${createHash('sha256').update(`customs-log:${schema}`).digest('hex').slice(0, 16)}`,
      ),
    ).toString();
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? PG_POOL_SIZE,
    });
    this.pool.on('error', () => {
      // Idle-client errors (server restart) surface on the next query; do not crash the process.
    });
  }

  private async q<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    if (this.closed) throw new LogError('CLOSED', 'store is closed');
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (e) {
      throw new LogError(
        'STORE',
        `PostgreSQL query failed (${e instanceof Error ? e.message : String(e)})`,
        { cause: e },
      );
    }
  }

  async init(origin: string): Promise<void> {
    const s = this.s;
    await this.q(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await this.q(`
      CREATE TABLE IF NOT EXISTS ${s}.meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ${s}.entries (idx BIGINT PRIMARY KEY, leaf_hash BYTEA NOT NULL UNIQUE, data BYTEA NOT NULL, blob_digest TEXT, created_at BIGINT NOT NULL);
      CREATE INDEX IF NOT EXISTS entries_blob ON ${s}.entries (blob_digest);
      CREATE TABLE IF NOT EXISTS ${s}.nodes (level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx));
      CREATE TABLE IF NOT EXISTS ${s}.checkpoints (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, note TEXT NOT NULL, created_at BIGINT NOT NULL, cosigned BOOLEAN NOT NULL DEFAULT FALSE);
      CREATE INDEX IF NOT EXISTS checkpoints_cosigned ON ${s}.checkpoints (cosigned, size);
      CREATE TABLE IF NOT EXISTS ${s}.blobs (digest TEXT PRIMARY KEY, data BYTEA NOT NULL);
      CREATE TABLE IF NOT EXISTS ${s}.terms (term TEXT NOT NULL, idx BIGINT NOT NULL, PRIMARY KEY (term, idx));
      CREATE TABLE IF NOT EXISTS ${s}.edges (src TEXT NOT NULL, dst TEXT NOT NULL, label TEXT NOT NULL, idx BIGINT NOT NULL, PRIMARY KEY (src, dst, label, idx));
      CREATE INDEX IF NOT EXISTS edges_dst ON ${s}.edges (dst);
      CREATE TABLE IF NOT EXISTS ${s}.keys (fingerprint TEXT PRIMARY KEY, pem TEXT NOT NULL, name TEXT, enrolled_by TEXT, enrolled_at BIGINT NOT NULL, revoked_at BIGINT);
      CREATE TABLE IF NOT EXISTS ${s}.witness_state (name TEXT PRIMARY KEY, size BIGINT NOT NULL);
    `);
    await this.q(`INSERT INTO ${s}.meta (k, v) VALUES ('origin', $1) ON CONFLICT (k) DO NOTHING`, [
      origin,
    ]);
    const rows = await this.q<{ v: string }>(`SELECT v FROM ${s}.meta WHERE k = 'origin'`);
    const stored = rows[0]?.v;
    if (stored !== origin)
      throw new LogError(
        'CONFLICT',
        `this database belongs to log ${JSON.stringify(stored)}, not ${JSON.stringify(origin)}`,
      );
  }

  async treeSize(): Promise<number> {
    const r = await this.q<{ n: string }>(
      `SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM ${this.s}.entries`,
    );
    return num(r[0]?.n ?? 0);
  }

  async getNodes(ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    if (ids.length === 0) return out;
    const rows = await this.q<{ level: number; idx: string; hash: Buffer }>(
      `SELECT n.level, n.idx, n.hash FROM ${this.s}.nodes n JOIN UNNEST($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx`,
      [ids.map((i) => i.level), ids.map((i) => i.index)],
    );
    for (const r of rows) out.set(`${r.level}/${num(r.idx)}`, r.hash);
    return out;
  }

  async getNodeRange(level: number, start: number, end: number): Promise<Buffer[]> {
    const rows = await this.q<{ hash: Buffer }>(
      `SELECT hash FROM ${this.s}.nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx`,
      [level, start, end],
    );
    return rows.map((r) => r.hash);
  }

  async commitBatch(batch: Batch): Promise<void> {
    if (this.closed) throw new LogError('CLOSED', 'store is closed');
    const s = this.s;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new LogError(
        'STORE',
        `cannot reach PostgreSQL (${e instanceof Error ? e.message : String(e)})`,
        { cause: e },
      );
    }
    const now = Date.now();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      const size = num(
        (
          await client.query<{ n: string }>(
            `SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM ${s}.entries`,
          )
        ).rows[0]?.n ?? 0,
      );
      const first = batch.entries[0];
      if (first && first.index !== size)
        throw new LogError(
          'CONFLICT',
          `batch starts at ${first.index} but the log has ${size} entries (another writer?)`,
        );
      const es = batch.entries;
      if (es.length > 0) {
        const blobs = es.filter((e) => e.blob !== undefined);
        if (blobs.length > 0) {
          await client.query(
            `INSERT INTO ${s}.blobs (digest, data) SELECT * FROM UNNEST($1::text[], $2::bytea[]) ON CONFLICT (digest) DO NOTHING`,
            [blobs.map((e) => e.blob?.digest), blobs.map((e) => e.blob?.data)],
          );
        }
        await client.query(
          `INSERT INTO ${s}.entries (idx, leaf_hash, data, blob_digest, created_at) SELECT *, $5::bigint FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[], $4::text[])`,
          [
            es.map((e) => e.index),
            es.map((e) => e.leafHash),
            es.map((e) => e.data),
            es.map((e) => e.blob?.digest ?? null),
            now,
          ],
        );
        const terms = es.flatMap((e) => (e.terms ?? []).map((t) => [t, e.index] as const));
        if (terms.length > 0) {
          await client.query(
            `INSERT INTO ${s}.terms (term, idx) SELECT * FROM UNNEST($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`,
            [terms.map((t) => t[0]), terms.map((t) => t[1])],
          );
        }
        const edges = es.flatMap((e) =>
          (e.edges ?? []).map((g) => [g.src, g.dst, g.label, e.index] as const),
        );
        if (edges.length > 0) {
          await client.query(
            `INSERT INTO ${s}.edges (src, dst, label, idx) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING`,
            [
              edges.map((g) => g[0]),
              edges.map((g) => g[1]),
              edges.map((g) => g[2]),
              edges.map((g) => g[3]),
            ],
          );
        }
      }
      if (batch.nodes.length > 0) {
        await client.query(
          `INSERT INTO ${s}.nodes (level, idx, hash) SELECT * FROM UNNEST($1::smallint[], $2::bigint[], $3::bytea[])`,
          [
            batch.nodes.map((n) => n.level),
            batch.nodes.map((n) => n.index),
            batch.nodes.map((n) => Buffer.from(n.hash)),
          ],
        );
      }
      await client.query(
        `INSERT INTO ${s}.checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING`,
        [batch.checkpoint.size, batch.checkpoint.rootHash, batch.checkpoint.note, now],
      );
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (e instanceof LogError) throw e;
      throw new LogError('STORE', `commit failed (${e instanceof Error ? e.message : String(e)})`, {
        cause: e,
      });
    } finally {
      client.release();
    }
  }

  async findLeaves(hashes: readonly Buffer[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (hashes.length === 0) return out;
    const rows = await this.q<{ idx: string; leaf_hash: Buffer }>(
      `SELECT idx, leaf_hash FROM ${this.s}.entries WHERE leaf_hash = ANY($1::bytea[])`,
      [hashes],
    );
    for (const r of rows) out.set(r.leaf_hash.toString('hex'), num(r.idx));
    return out;
  }

  async getEntries(start: number, end: number): Promise<StoredEntry[]> {
    const rows = await this.q<{
      idx: string;
      data: Buffer;
      leaf_hash: Buffer;
      blob_digest: string | null;
      created_at: string;
    }>(
      `SELECT idx, data, leaf_hash, blob_digest, created_at FROM ${this.s}.entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
      [start, end],
    );
    return rows.map((r) => ({
      index: num(r.idx),
      data: r.data,
      leafHash: r.leaf_hash,
      blobDigest: r.blob_digest,
      createdAt: num(r.created_at),
    }));
  }

  async latestCheckpoint(): Promise<CheckpointRecord | undefined> {
    const r = await this.q<CheckpointRow>(
      `SELECT size, root, note, created_at, cosigned FROM ${this.s}.checkpoints ORDER BY size DESC LIMIT 1`,
    );
    return r[0] ? toCheckpoint(r[0]) : undefined;
  }

  async latestCosignedCheckpoint(): Promise<CheckpointRecord | undefined> {
    const r = await this.q<CheckpointRow>(
      `SELECT size, root, note, created_at, cosigned FROM ${this.s}.checkpoints WHERE cosigned ORDER BY size DESC LIMIT 1`,
    );
    return r[0] ? toCheckpoint(r[0]) : undefined;
  }

  async storeCosignedCheckpoint(size: number, note: string): Promise<void> {
    await this.q(`UPDATE ${this.s}.checkpoints SET note = $1, cosigned = TRUE WHERE size = $2`, [
      note,
      size,
    ]);
  }

  async getBlob(digest: string): Promise<Buffer | undefined> {
    const r = await this.q<{ data: Buffer }>(`SELECT data FROM ${this.s}.blobs WHERE digest = $1`, [
      digest,
    ]);
    return r[0]?.data;
  }

  async entryForBlob(digest: string): Promise<number | undefined> {
    const r = await this.q<{ idx: string | null }>(
      `SELECT MIN(idx) AS idx FROM ${this.s}.entries WHERE blob_digest = $1`,
      [digest],
    );
    const v = r[0]?.idx;
    return v === null || v === undefined ? undefined : num(v);
  }

  async lookupTerm(term: string, limit: number): Promise<number[]> {
    const r = await this.q<{ idx: string }>(
      `SELECT idx FROM ${this.s}.terms WHERE term = $1 ORDER BY idx LIMIT $2`,
      [term, limit],
    );
    return r.map((x) => num(x.idx));
  }

  async edges(node: string, direction: 'out' | 'in', limit: number): Promise<StoredEdge[]> {
    const col = direction === 'out' ? 'src' : 'dst';
    const r = await this.q<{ src: string; dst: string; label: string; idx: string }>(
      `SELECT src, dst, label, idx FROM ${this.s}.edges WHERE ${col} = $1 ORDER BY idx LIMIT $2`,
      [node, limit],
    );
    return r.map((x) => ({ src: x.src, dst: x.dst, label: x.label, index: num(x.idx) }));
  }

  async putKey(k: {
    fingerprint: string;
    pem: string;
    name: string | null;
    enrolledBy: string | null;
  }): Promise<void> {
    await this.q(
      `INSERT INTO ${this.s}.keys (fingerprint, pem, name, enrolled_by, enrolled_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fingerprint) DO UPDATE SET name = EXCLUDED.name, revoked_at = NULL`,
      [k.fingerprint, k.pem, k.name, k.enrolledBy, Date.now()],
    );
  }

  async getKey(fingerprint: string): Promise<KeyRecord | undefined> {
    const r = await this.q<KeyRow>(`SELECT * FROM ${this.s}.keys WHERE fingerprint = $1`, [
      fingerprint,
    ]);
    return r[0] ? toKey(r[0]) : undefined;
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (
      await this.q<KeyRow>(`SELECT * FROM ${this.s}.keys ORDER BY enrolled_at, fingerprint`)
    ).map(toKey);
  }

  async revokeKey(fingerprint: string): Promise<boolean> {
    const r = await this.q<{ fingerprint: string }>(
      `UPDATE ${this.s}.keys SET revoked_at = $1 WHERE fingerprint = $2 AND revoked_at IS NULL RETURNING fingerprint`,
      [Date.now(), fingerprint],
    );
    return r.length > 0;
  }

  async getWitnessSize(name: string): Promise<number> {
    const r = await this.q<{ size: string }>(
      `SELECT size FROM ${this.s}.witness_state WHERE name = $1`,
      [name],
    );
    return r[0] ? num(r[0].size) : 0;
  }

  async setWitnessSize(name: string, size: number): Promise<void> {
    await this.q(
      `INSERT INTO ${this.s}.witness_state (name, size) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET size = EXCLUDED.size`,
      [name, size],
    );
  }

  /** Drop the schema and everything in it (tests only). */
  async dropSchema(): Promise<void> {
    await this.q(`DROP SCHEMA IF EXISTS ${this.s} CASCADE`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
