/**
 * The registry HTTP API as a hono app (testable with `app.request()`): tlog-tiles read path,
 * statement submission from enrolled keys, lookups, lineage with proofs, receipts, enrolment with
 * writer tokens, request-size and rate limits, structured JSON logs and an OpenAPI document.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { CustomsError } from '../errors.js';
import { LogError, parseTilePath } from '../tlog/index.js';
import { RegistryError } from './errors.js';
import { MAX_STATEMENT_BYTES, asRegistryError, normaliseDigest } from './registry.js';
import type { Registry } from './registry.js';
import { RateLimiter } from './rate-limit.js';
import type { Rate } from './rate-limit.js';
import {
  ConsistencyQuery,
  EnrollBody,
  InclusionQuery,
  LineageQuery,
  LookupQuery,
  openApiDocument,
} from './openapi.js';

/** One structured log record (one JSON line per request). */
export interface LogRecord {
  readonly ts: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [k: string]: unknown;
}

/** Options for {@link createRegistryApp}. */
export interface RegistryAppOptions {
  readonly registry: Registry;
  /** The log's verifier key (vkey), published at `/v1/log`. */
  readonly logVKey: string;
  /** Writer tokens allowed to enrol keys (compared in constant time via their SHA-256). */
  readonly writerTokens?: readonly string[];
  /** Submissions per second per client (default 200/s, burst 400). */
  readonly writeRate?: Rate;
  /** Reads per second per client (default 2000/s, burst 4000). */
  readonly readRate?: Rate;
  /** Request body limit for submissions (default {@link MAX_STATEMENT_BYTES}). */
  readonly maxBodyBytes?: number;
  /** Structured log sink (default: JSON lines on stderr). */
  readonly logger?: (r: LogRecord) => void;
  /** Client address of a request (receives the hono Context; the node listener reads the socket). */
  readonly clientAddress?: (c: unknown) => string;
}

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();

function stderrLogger(r: LogRecord): void {
  process.stderr.write(`${JSON.stringify(r)}\n`);
}

function parseQuery<T extends z.ZodType>(schema: T, c: Context): z.output<T> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) {
    const i = r.error.issues[0];
    throw new RegistryError(
      'BAD_REQUEST',
      `query ${i?.path.map(String).join('.') ?? ''}: ${i?.message ?? 'invalid'}`,
    );
  }
  return r.data;
}

/** Build the registry app. */
export function createRegistryApp(o: RegistryAppOptions): Hono {
  const app = new Hono();
  const reg = o.registry;
  const log = o.logger ?? stderrLogger;
  const tokens = (o.writerTokens ?? []).map(sha);
  const writes = new RateLimiter(o.writeRate ?? { perSecond: 200, burst: 400 });
  const reads = new RateLimiter(o.readRate ?? { perSecond: 2000, burst: 4000 });
  const maxBody = o.maxBodyBytes ?? MAX_STATEMENT_BYTES;
  const client = o.clientAddress ?? ((): string => 'local');

  app.use('*', async (c, next) => {
    const start = performance.now();
    const id = randomUUID();
    c.header('x-request-id', id);
    const ip = client(c);
    const limiter = c.req.method === 'GET' || c.req.method === 'HEAD' ? reads : writes;
    const wait = limiter.take(ip);
    if (wait > 0) {
      c.header('retry-after', String(Math.max(1, Math.ceil(wait))));
      const e = new RegistryError('RATE_LIMITED', 'too many requests; slow down');
      log({
        ts: new Date().toISOString(),
        level: 'warn',
        msg: 'rate limited',
        id,
        ip,
        method: c.req.method,
        path: c.req.path,
      });
      return c.json(e.toJSON(), 429);
    }
    await next();
    log({
      ts: new Date().toISOString(),
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      id,
      ip,
      method: c.req.method,
      path: c.req.path.length > 200 ? `${c.req.path.slice(0, 200)}…` : c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 100) / 100,
    });
    return undefined;
  });

  app.onError((err, c) => {
    const e = asRegistryError(err);
    if (e instanceof CustomsError) {
      const status =
        e instanceof LogError && (e.code === 'STORE' || e.code === 'CLOSED') ? 503 : e.httpStatus;
      if (
        e instanceof LogError &&
        e.code === 'LIMIT_EXCEEDED' &&
        e.details?.['retryable'] === true
      ) {
        c.header('retry-after', '1');
        return c.json(e.toJSON(), 503);
      }
      return c.json(e.toJSON(), status as 400);
    }
    log({
      ts: new Date().toISOString(),
      level: 'error',
      msg: 'internal error',
      error: err instanceof Error ? err.message : String(err),
    });
    return c.json({ error: 'InternalError', code: 'INTERNAL', message: 'internal error' }, 500);
  });

  app.notFound((c) =>
    c.json(
      new RegistryError(
        'NOT_FOUND',
        `no route ${c.req.method} ${c.req.path.slice(0, 200)}`,
      ).toJSON(),
      404,
    ),
  );

  const requireWriter = (c: Context): string => {
    const h = c.req.header('authorization') ?? '';
    const m = /^Bearer (.{1,1024})$/.exec(h);
    if (!m || tokens.length === 0)
      throw new RegistryError(
        'UNAUTHORIZED',
        'a writer token is required (Authorization: Bearer …)',
      );
    const got = sha(m[1] as string);
    const ok = tokens.some((t) => timingSafeEqual(t, got));
    if (!ok) throw new RegistryError('UNAUTHORIZED', 'writer token not accepted');
    return got.toString('hex').slice(0, 16);
  };

  app.get('/healthz', (c) =>
    c.json({
      status: 'ok',
      origin: reg.log.origin,
      treeSize: reg.log.current.size,
      pending: reg.log.pending,
      store: reg.log.store.kind,
    }),
  );
  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/v1/log', (c) =>
    c.json({
      origin: reg.log.origin,
      vkey: o.logVKey,
      treeSize: reg.log.current.size,
      checkpoint: reg.log.current.checkpoint,
    }),
  );

  app.get('/checkpoint', async (c) => {
    const head = reg.log.current;
    const cos = await reg.log.store.latestCosignedCheckpoint();
    const note = cos && cos.size === head.size ? cos.note : head.checkpoint;
    return c.text(note, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-cache, max-age=1',
    });
  });

  app.get('/tile/*', async (c) => {
    const ref = parseTilePath(c.req.path.slice(1));
    const body = await reg.log.tile(ref);
    if (!body) throw new RegistryError('NOT_FOUND', 'no such tile at the current tree size');
    const immutable = ref.width === undefined;
    return c.body(new Uint8Array(body), 200, {
      'content-type': 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=60',
    });
  });

  app.get('/v1/keys', async (c) => {
    const keys = await reg.log.store.listKeys();
    return c.json({
      keys: keys.map((k) => ({
        fingerprint: k.fingerprint,
        name: k.name,
        publicKey: k.pem,
        enrolledAt: new Date(k.enrolledAt).toISOString(),
        revoked: k.revokedAt !== null,
      })),
    });
  });

  app.post(
    '/v1/keys',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw new RegistryError('PAYLOAD_TOO_LARGE', 'enrolment body too large');
      },
    }),
    async (c) => {
      const by = requireWriter(c);
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch {
        throw new RegistryError(
          'BAD_REQUEST',
          'body must be JSON {"publicKey": "<PEM>", "name": "…"}',
        );
      }
      const r = EnrollBody.safeParse(raw);
      if (!r.success)
        throw new RegistryError(
          'BAD_REQUEST',
          `enrolment: ${r.error.issues[0]?.message ?? 'invalid'}`,
        );
      const k = await reg.enroll({
        pem: r.data.publicKey,
        ...(r.data.name !== undefined ? { name: r.data.name } : {}),
        enrolledBy: `token:${by}`,
      });
      return c.json(k, 201);
    },
  );

  app.delete('/v1/keys/:fingerprint', async (c) => {
    requireWriter(c);
    const fp = c.req.param('fingerprint');
    if (!/^[0-9a-f]{64}$/.test(fp))
      throw new RegistryError('BAD_REQUEST', 'fingerprint must be 64 hex digits');
    if (!(await reg.revoke(fp))) throw new RegistryError('NOT_FOUND', 'no such active key');
    return c.json({ fingerprint: fp, revoked: true });
  });

  app.post(
    '/v1/statements',
    bodyLimit({
      maxSize: maxBody,
      onError: () => {
        throw new RegistryError('PAYLOAD_TOO_LARGE', `statement exceeds ${maxBody} bytes`);
      },
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const r = await reg.submit(body);
      if (r.duplicate) {
        return c.json(
          {
            ...new RegistryError(
              'DUPLICATE',
              `statement already logged at index ${r.index}`,
            ).toJSON(),
            result: r,
          },
          409,
        );
      }
      return c.json(r, 201);
    },
  );

  app.get('/v1/statements/:digest', async (c) => {
    const s = await reg.statement(c.req.param('digest'));
    return c.body(new Uint8Array(s.bundle), 200, {
      'content-type': 'application/json',
      'x-log-index': String(s.index),
    });
  });

  app.get('/v1/lookup', async (c) => {
    const q = parseQuery(LookupQuery, c);
    const results = await reg.lookup({
      ...(q.digest !== undefined ? { digest: q.digest } : {}),
      ...(q.name !== undefined ? { name: q.name } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return c.json({ results });
  });

  app.get('/v1/lineage/:digest', async (c) => {
    const q = parseQuery(LineageQuery, c);
    return c.json(
      await reg.lineage({
        digest: normaliseDigest(c.req.param('digest')),
        direction: q.direction,
        ...(q.depth !== undefined ? { depth: q.depth } : {}),
      }),
    );
  });

  app.get('/v1/receipts/:digest', async (c) => {
    const cosignedParam = c.req.query('cosigned');
    const r = await reg.receipt({
      statementDigest: c.req.param('digest'),
      preferCosigned: cosignedParam !== 'false',
    });
    return c.text(r.receipt, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'x-log-index': String(r.index),
      'x-cosigned': String(r.cosigned),
    });
  });

  app.get('/v1/proof/inclusion', async (c) => {
    const q = parseQuery(InclusionQuery, c);
    const size = q.size ?? reg.log.current.size;
    const hashes = await reg.log.inclusionProof(q.index, size);
    return c.json({
      index: q.index,
      treeSize: size,
      hashes: hashes.map((h) => h.toString('base64')),
    });
  });

  app.get('/v1/proof/consistency', async (c) => {
    const q = parseQuery(ConsistencyQuery, c);
    const newSize = q.new ?? reg.log.current.size;
    const hashes = await reg.log.consistencyProof(q.old, newSize);
    return c.json({ old: q.old, new: newSize, hashes: hashes.map((h) => h.toString('base64')) });
  });

  app.get('/v1/entries/:index', async (c) => {
    const t = c.req.param('index');
    if (!/^(0|[1-9][0-9]{0,15})$/.test(t))
      throw new RegistryError('BAD_REQUEST', 'index must be a decimal integer');
    const e = await reg.log.entry(Number(t));
    if (!e) throw new RegistryError('NOT_FOUND', `no entry ${t}`);
    return c.json({
      index: e.index,
      leafHash: e.leafHash.toString('hex'),
      data: e.data.toString('base64'),
      statementDigest: e.blobDigest,
    });
  });

  return app;
}
