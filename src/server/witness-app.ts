/**
 * HTTP face of a witness (c2sp.org/tlog-witness): `POST /add-checkpoint`, the monitoring
 * endpoint `GET /<sha256(origin) hex>/checkpoint`, and `GET /evidence` listing recorded split
 * views with the conflicting notes.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_ADD_CHECKPOINT_BYTES } from '../tlog/index.js';
import type { Witness } from '../tlog/index.js';
import type { LogRecord } from './app.js';

/** Build the witness app. */
export function createWitnessApp(
  w: Witness,
  logger: (r: LogRecord) => void = (r) => process.stderr.write(`${JSON.stringify(r)}\n`),
): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    logger({
      ts: new Date().toISOString(),
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      method: c.req.method,
      path: c.req.path.slice(0, 200),
      status: c.res.status,
    });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', name: w.name, vkey: w.vkey }));
  app.post(
    '/add-checkpoint',
    bodyLimit({
      maxSize: MAX_ADD_CHECKPOINT_BYTES,
      onError: (c) => c.text('request body too large\n', 413),
    }),
    async (c) => {
      let body: string;
      try {
        body = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
      } catch {
        return c.text('body is not UTF-8\n', 400);
      }
      const r = w.addCheckpoint(body);
      return c.body(r.body, r.status, { 'content-type': r.contentType });
    },
  );
  app.get('/evidence', (c) => {
    const limit = Number(c.req.query('limit') ?? '100');
    return c.json({ evidence: w.evidence(Number.isInteger(limit) ? limit : 100) });
  });
  app.get('/:originHash/checkpoint', (c) => {
    const h = c.req.param('originHash');
    if (!/^[0-9a-f]{64}$/.test(h))
      return c.text('origin hash must be 64 lowercase hex digits\n', 400);
    const note = w.latest(h);
    if (note === undefined) return c.text('no cosigned checkpoint for this log\n', 404);
    return c.text(note, 200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-cache',
    });
  });
  app.notFound((c) => c.text('not found\n', 404));
  app.onError((_e, c) => c.text('internal error\n', 500));
  return app;
}
