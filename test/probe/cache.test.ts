import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  ProbeError,
  auditCache,
  cachedTarget,
  openCache,
  requestKey,
  MAX_CACHED_RESPONSE_CHARS,
  type ProbeRequest,
  type ProbeResponse,
  type ProbeTarget,
} from '../../src/probe/index.js';

const dir = mkdtempSync(join(tmpdir(), 'probe-cache-'));

/** A deterministic in-test target (an echo, not a stand-in for a model: the cache is under test). */
function echoTarget(id: string): ProbeTarget & { calls: number } {
  const t = {
    calls: 0,
    info: {
      id,
      label: id,
      kind: 'local' as const,
      location: 'test',
      model: id,
      logprobs: false,
      maxTopLogprobs: 0,
    },
    complete(req: ProbeRequest): Promise<ProbeResponse> {
      t.calls++;
      return Promise.resolve({
        text: `${req.prompt}|${req.params.temperature}|${req.params.seed ?? '-'}`,
        finishReason: 'stop',
        logprobs: null,
        servedModel: id,
        fingerprint: null,
      });
    },
    close: () => Promise.resolve(),
  };
  return t;
}

const req = (prompt: string, seed?: number, slot?: string): ProbeRequest => ({
  prompt,
  params: {
    maxTokens: 8,
    temperature: seed === undefined ? 0 : 1,
    ...(seed !== undefined ? { seed } : {}),
  },
  ...(slot ? { slot } : {}),
});

test('keys depend on target, prompt, every parameter and slot — not on key order', () => {
  const k = requestKey('t', req('hi'));
  assert.equal(k, requestKey('t', { prompt: 'hi', params: { temperature: 0, maxTokens: 8 } }));
  assert.notEqual(k, requestKey('u', req('hi')));
  assert.notEqual(k, requestKey('t', req('hi ')));
  assert.notEqual(requestKey('t', req('hi', 1)), requestKey('t', req('hi', 2)));
  assert.notEqual(k, requestKey('t', req('hi', undefined, 'sentinel:repeat')));
});

test('answers are stored once, served from the cache, replayed offline and audited', async () => {
  const path = join(dir, 'a.sqlite');
  const cache = openCache(path);
  const raw = echoTarget('echo');
  const t = cachedTarget(raw, cache);
  const first = await t.complete(req('a', 3));
  const again = await t.complete(req('a', 3));
  assert.deepEqual(first, again);
  assert.equal(raw.calls, 1);
  assert.deepEqual(t.stats, { hits: 1, misses: 1 });
  assert.equal(t.transcript.length, 2);
  await t.complete(req('b'));
  cache.close();

  const replayCache = openCache(path);
  const offline = echoTarget('echo');
  const replay = cachedTarget(offline, replayCache, 'replay');
  assert.deepEqual(await replay.complete(req('a', 3)), first);
  assert.equal(offline.calls, 0);
  await assert.rejects(
    replay.complete(req('never asked')),
    (e: unknown) => e instanceof ProbeError && e.code === 'CACHE',
  );
  const refresh = cachedTarget(offline, replayCache, 'refresh');
  await refresh.complete(req('a', 3));
  assert.equal(offline.calls, 1);
  replayCache.close();

  const audit = auditCache(path);
  assert.equal(audit.entries, 2);
  assert.deepEqual(audit.corrupt, []);
  assert.equal(audit.targets[0]?.info?.label, 'echo');

  // Tamper with a stored answer: the audit and a later read both notice.
  const db = new Database(path);
  db.prepare(
    "UPDATE responses SET response = replace(response, '|0|', '|9|') WHERE prompt = 'b'",
  ).run();
  db.close();
  const tampered = auditCache(path);
  assert.equal(tampered.corrupt.length, 1);
  assert.match(tampered.corrupt[0]?.reason ?? '', /digest/);
  const c2 = openCache(path);
  assert.throws(
    () => c2.get('echo', req('b')),
    (e: unknown) => e instanceof ProbeError && e.code === 'CACHE',
  );
  c2.close();
});

test('a file that is not a cache, and oversized answers, are typed errors', () => {
  const junk = join(dir, 'junk.sqlite');
  writeFileSync(junk, 'this is not sqlite at all, just text '.repeat(200));
  assert.throws(
    () => openCache(junk),
    (e: unknown) => e instanceof ProbeError && e.code === 'CACHE',
  );
  assert.throws(
    () => auditCache(join(dir, 'missing.sqlite')),
    (e: unknown) => e instanceof ProbeError && e.code === 'CACHE',
  );
  const other = join(dir, 'other.sqlite');
  const db = new Database(other);
  db.exec(
    "CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '99');",
  );
  db.close();
  assert.throws(
    () => openCache(other),
    (e: unknown) => e instanceof ProbeError && e.code === 'CACHE',
  );
  const c = openCache(':memory:');
  assert.throws(
    () =>
      c.put('t', req('x'), {
        text: 'x'.repeat(MAX_CACHED_RESPONSE_CHARS + 1),
        finishReason: null,
        logprobs: null,
        servedModel: null,
        fingerprint: null,
      }),
    (e: unknown) => e instanceof ProbeError && e.code === 'LIMIT_EXCEEDED',
  );
  c.close();
});
