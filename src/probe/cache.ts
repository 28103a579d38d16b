/**
 * The response cache: every answer any target gives is stored in SQLite, keyed by SHA-256 over
 * the canonical JSON of (target id, prompt, parameters, slot). A run therefore resumes where it
 * stopped (a rate-limited endpoint costs nothing twice), replays offline bit for bit (`replay`
 * mode never touches the network), and can be audited: each row also stores the SHA-256 of its
 * response, so edits to the file show up in {@link auditCache}, and each verdict records a digest
 * over the (key, response digest) pairs it used.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ProbeError } from './errors.js';
import { canonicalJson, sha256Hex } from './hash.js';
import type { ProbeRequest, ProbeResponse, ProbeTarget, TargetInfo } from './target.js';

/** Largest stored response (canonical JSON characters); a bigger answer is refused, not stored. */
export const MAX_CACHED_RESPONSE_CHARS = 4 * 1024 * 1024;
/** Schema version written into the file; a newer file is refused rather than misread. */
export const CACHE_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS targets (id TEXT PRIMARY KEY, info TEXT NOT NULL, first_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS responses (
  key TEXT PRIMARY KEY,
  target_id TEXT NOT NULL,
  prompt TEXT NOT NULL,
  params TEXT NOT NULL,
  slot TEXT NOT NULL,
  response TEXT NOT NULL,
  response_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_target ON responses (target_id);
`;

/** How a cached target uses the cache. */
export type CacheMode =
  /** Answer from the cache when possible, otherwise ask the target and store the answer. */
  | 'use'
  /** Answer only from the cache; a miss is a `CACHE` error (offline, exact replay). */
  | 'replay'
  /** Always ask the target and overwrite the stored answer. */
  | 'refresh';

const topSchema = z.object({ token: z.string(), logprob: z.number() });
const responseSchema = z.object({
  text: z.string(),
  finishReason: z.string().nullable(),
  logprobs: z
    .array(z.object({ token: z.string(), logprob: z.number(), top: z.array(topSchema) }))
    .nullable(),
  servedModel: z.string().nullable(),
  fingerprint: z.string().nullable(),
});

/** The cache key of a request to a target. */
export function requestKey(targetId: string, req: ProbeRequest): string {
  return sha256Hex(
    canonicalJson({ target: targetId, prompt: req.prompt, params: req.params, slot: req.slot }),
  );
}

/** Digest of a stored response (canonical JSON). */
export function responseDigest(r: ProbeResponse): string {
  return sha256Hex(canonicalJson(r));
}

/** One row, as audits and transcripts see it. */
export interface CacheEntry {
  readonly key: string;
  readonly targetId: string;
  readonly prompt: string;
  readonly params: string;
  readonly slot: string;
  readonly response: ProbeResponse;
  readonly responseSha256: string;
  readonly createdAt: string;
}

/** Result of {@link auditCache}. */
export interface CacheAudit {
  readonly path: string;
  readonly entries: number;
  /** Rows per target id, with the target's recorded description. */
  readonly targets: readonly { id: string; info: TargetInfo | null; entries: number }[];
  /** Rows whose key or response digest does not match their content (edited or corrupt). */
  readonly corrupt: readonly { key: string; reason: string }[];
}

/** An open response cache. */
export interface ResponseCache {
  readonly path: string;
  get(targetId: string, req: ProbeRequest): { response: ProbeResponse; digest: string } | null;
  put(targetId: string, req: ProbeRequest, response: ProbeResponse): string;
  /** Record a target's description (first sighting wins; later ones must agree on the id). */
  noteTarget(info: TargetInfo): void;
  /** All rows, optionally of one target, in insertion order. */
  entries(targetId?: string): CacheEntry[];
  close(): void;
}

interface Row {
  key: string;
  target_id: string;
  prompt: string;
  params: string;
  slot: string;
  response: string;
  response_sha256: string;
  created_at: string;
}

function parseResponse(text: string, where: { file: string; field: string }): ProbeResponse {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ProbeError('CACHE', 'stored response is not JSON', { where, cause: e });
  }
  const r = responseSchema.safeParse(v);
  if (!r.success)
    throw new ProbeError('CACHE', `stored response is malformed: ${r.error.issues[0]?.message}`, {
      where,
    });
  return r.data;
}

/** Open (creating when needed) a cache file; `:memory:` gives a throwaway cache. */
export function openCache(path: string, opts: { readonly?: boolean } = {}): ResponseCache {
  let db: Db;
  try {
    if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
    });
  } catch (e) {
    throw new ProbeError('CACHE', `cannot open the response cache: ${(e as Error).message}`, {
      where: { file: path },
      cause: e,
    });
  }
  try {
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
      const v = db.prepare('SELECT v FROM meta WHERE k = ?').get('schema') as
        { v: string } | undefined;
      if (!v)
        db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)').run(
          'schema',
          String(CACHE_SCHEMA_VERSION),
        );
    }
    const v = db.prepare('SELECT v FROM meta WHERE k = ?').get('schema') as
      { v: string } | undefined;
    if (!v || v.v !== String(CACHE_SCHEMA_VERSION))
      throw new ProbeError(
        'CACHE',
        `cache schema ${v?.v ?? 'missing'} is not ${CACHE_SCHEMA_VERSION}`,
        {
          where: { file: path, field: 'meta.schema' },
        },
      );
  } catch (e) {
    db.close();
    if (e instanceof ProbeError) throw e;
    throw new ProbeError('CACHE', `not a probe cache: ${(e as Error).message}`, {
      where: { file: path },
      cause: e,
    });
  }
  const getStmt: Statement = db.prepare('SELECT * FROM responses WHERE key = ?');
  const putStmt: Statement | null = opts.readonly
    ? null
    : db.prepare(
        `INSERT INTO responses (key, target_id, prompt, params, slot, response, response_sha256, created_at)
         VALUES (@key, @target_id, @prompt, @params, @slot, @response, @response_sha256, @created_at)
         ON CONFLICT(key) DO UPDATE SET response = excluded.response,
           response_sha256 = excluded.response_sha256, created_at = excluded.created_at`,
      );
  const targetStmt: Statement | null = opts.readonly
    ? null
    : db.prepare('INSERT OR IGNORE INTO targets (id, info, first_seen) VALUES (?, ?, ?)');

  return {
    path,
    get(targetId, req) {
      const key = requestKey(targetId, req);
      const row = getStmt.get(key) as Row | undefined;
      if (!row) return null;
      const response = parseResponse(row.response, { file: path, field: `responses[${key}]` });
      const digest = responseDigest(response);
      if (digest !== row.response_sha256)
        throw new ProbeError('CACHE', 'stored response does not match its recorded digest', {
          where: { file: path, field: `responses[${key}]` },
        });
      return { response, digest };
    },
    put(targetId, req, response) {
      if (!putStmt)
        throw new ProbeError('CACHE', 'the cache is open read-only', { where: { file: path } });
      const text = canonicalJson(response);
      if (text.length > MAX_CACHED_RESPONSE_CHARS)
        throw new ProbeError(
          'LIMIT_EXCEEDED',
          `response of ${text.length} characters exceeds ${MAX_CACHED_RESPONSE_CHARS}`,
          { where: { file: path, field: targetId } },
        );
      const digest = sha256Hex(text);
      putStmt.run({
        key: requestKey(targetId, req),
        target_id: targetId,
        prompt: req.prompt,
        params: canonicalJson(req.params),
        slot: req.slot ?? '',
        response: text,
        response_sha256: digest,
        created_at: new Date().toISOString(),
      });
      return digest;
    },
    noteTarget(info) {
      targetStmt?.run(info.id, canonicalJson(info), new Date().toISOString());
    },
    entries(targetId) {
      const rows = (
        targetId === undefined
          ? db.prepare('SELECT * FROM responses ORDER BY rowid').all()
          : db.prepare('SELECT * FROM responses WHERE target_id = ? ORDER BY rowid').all(targetId)
      ) as Row[];
      return rows.map((r) => ({
        key: r.key,
        targetId: r.target_id,
        prompt: r.prompt,
        params: r.params,
        slot: r.slot,
        response: parseResponse(r.response, { file: path, field: `responses[${r.key}]` }),
        responseSha256: r.response_sha256,
        createdAt: r.created_at,
      }));
    },
    close() {
      db.close();
    },
  };
}

/**
 * Check every row of a cache: its key must be the hash of its request and its digest the hash of
 * its response. Returns per-target counts and the rows that fail (a tampered or corrupt file).
 */
export function auditCache(path: string): CacheAudit {
  const cache = openCache(path, { readonly: true });
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const corrupt: { key: string; reason: string }[] = [];
    const counts = new Map<string, number>();
    const rows = db.prepare('SELECT * FROM responses ORDER BY rowid').iterate() as Iterable<Row>;
    let n = 0;
    for (const r of rows) {
      n++;
      counts.set(r.target_id, (counts.get(r.target_id) ?? 0) + 1);
      let params: unknown;
      try {
        params = JSON.parse(r.params);
      } catch {
        corrupt.push({ key: r.key, reason: 'params are not JSON' });
        continue;
      }
      const key = sha256Hex(
        canonicalJson({
          target: r.target_id,
          prompt: r.prompt,
          params,
          slot: r.slot === '' ? undefined : r.slot,
        }),
      );
      if (key !== r.key) corrupt.push({ key: r.key, reason: 'key does not match the request' });
      if (sha256Hex(r.response) !== r.response_sha256)
        corrupt.push({ key: r.key, reason: 'response does not match its digest' });
      else {
        try {
          parseResponse(r.response, { file: path, field: r.key });
        } catch {
          corrupt.push({ key: r.key, reason: 'response is malformed' });
        }
      }
    }
    const infos = db.prepare('SELECT id, info FROM targets').all() as {
      id: string;
      info: string;
    }[];
    const infoOf = new Map(infos.map((t) => [t.id, t.info]));
    const ids = new Set([...counts.keys(), ...infoOf.keys()]);
    const targets = [...ids].sort().map((id) => {
      let info: TargetInfo | null = null;
      const s = infoOf.get(id);
      if (s !== undefined) {
        try {
          info = JSON.parse(s) as TargetInfo;
        } catch {
          corrupt.push({ key: `targets[${id}]`, reason: 'target description is not JSON' });
        }
      }
      return { id, info, entries: counts.get(id) ?? 0 };
    });
    return { path, entries: n, targets, corrupt };
  } finally {
    db.close();
    cache.close();
  }
}

/** Counters of a cached target. */
export interface CacheStats {
  /** Answers served from the cache. */
  hits: number;
  /** Answers fetched from the target (each one a real query). */
  misses: number;
}

/** A target whose answers go through the cache, plus the transcript of what it served. */
export interface CachedTarget extends ProbeTarget {
  readonly stats: CacheStats;
  /** (key, response digest) of every answer served, in order: the run transcript. */
  readonly transcript: { key: string; digest: string }[];
}

/** Wrap a target with the cache. */
export function cachedTarget(
  target: ProbeTarget,
  cache: ResponseCache,
  mode: CacheMode = 'use',
): CachedTarget {
  const stats: CacheStats = { hits: 0, misses: 0 };
  const transcript: { key: string; digest: string }[] = [];
  if (mode !== 'replay') cache.noteTarget(target.info);
  return {
    info: target.info,
    stats,
    transcript,
    async complete(req, signal) {
      const key = requestKey(target.info.id, req);
      if (mode !== 'refresh') {
        const hit = cache.get(target.info.id, req);
        if (hit) {
          stats.hits++;
          transcript.push({ key, digest: hit.digest });
          return hit.response;
        }
        if (mode === 'replay')
          throw new ProbeError(
            'CACHE',
            `replay: no cached answer of ${target.info.label} for this request`,
            { where: { file: cache.path, field: key }, details: { prompt: req.prompt } },
          );
      }
      const response = await target.complete(req, signal);
      const digest = cache.put(target.info.id, req, response);
      stats.misses++;
      transcript.push({ key, digest });
      return response;
    },
    close: () => target.close(),
  };
}
