import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SourceError } from '../../src/errors.js';
import { HttpSource } from '../../src/sources/index.js';
import { openModel, getModelInfo } from '../../src/model/index.js';
import { startRangeServer } from '../helpers/range-server.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  assert.ok(e instanceof SourceError, `expected a SourceError, got ${String(e)}`);
  return e.code;
}

test('range reads return exactly the bytes asked for, coalesced into few requests', async () => {
  const srv = await startRangeServer(ZOO);
  try {
    const file = join(ZOO, 'base-x/model.safetensors');
    const bytes = readFileSync(file);
    const src = await HttpSource.open(`${srv.url}/base-x/model.safetensors`, { prefetch: 1024 });
    assert.equal(src.size, bytes.length);
    const before = srv.requests.length;
    const reads = await Promise.all(
      Array.from({ length: 10 }, (_, i) => src.read(500_000 + i * 1000, 500)),
    );
    reads.forEach((r, i) =>
      assert.deepEqual(
        Buffer.from(r),
        bytes.subarray(500_000 + i * 1000, 500_000 + i * 1000 + 500),
      ),
    );
    assert.equal(srv.requests.length - before, 1, 'ten nearby reads coalesce into one request');
    const far = await Promise.all([src.read(10_000, 10), src.read(1_300_000, 10)]);
    assert.deepEqual(Buffer.from(far[1]), bytes.subarray(1_300_000, 1_300_010));
    assert.equal(srv.requests.length - before, 3, 'distant reads are separate requests');
    await src.close();
  } finally {
    await srv.close();
  }
});

test('transient failures are retried; misbehaving servers are typed errors', async () => {
  const srv = await startRangeServer(ZOO);
  const url = `${srv.url}/base-x/model.safetensors`;
  try {
    srv.failNext = 2;
    const src = await HttpSource.open(url, { backoffMs: 1 });
    assert.equal(src.stats.retries, 2);
    srv.failNext = 10;
    assert.equal(await code(src.read(900_000, 100)), 'HTTP_STATUS');
    srv.failNext = 0;
    srv.fault = 'lie-total';
    assert.equal(await code(src.read(800_000, 100)), 'SIZE_MISMATCH');
    srv.fault = 'wrong-start';
    assert.equal(await code(src.read(700_000, 100)), 'SIZE_MISMATCH');
    srv.fault = 'short-body';
    assert.equal(await code(src.read(600_000, 100)), 'SHORT_READ');
    srv.fault = 'long-body';
    assert.equal(await code(src.read(650_000, 100)), 'SIZE_MISMATCH');
    srv.fault = 'ignore-range';
    assert.equal(await code(src.read(400_000, 100)), 'RANGE_IGNORED');
    assert.equal(
      await code(HttpSource.open(url, { backoffMs: 1, maxFullBody: 1024 })),
      'RANGE_IGNORED',
    );
    srv.fault = 'none';
    assert.equal(
      await code(HttpSource.open(`${srv.url}/nope.safetensors`, { backoffMs: 1 })),
      'HTTP_STATUS',
    );
    await src.close();
  } finally {
    await srv.close();
  }
});

test('a stalled server times out instead of hanging', async () => {
  const srv = await startRangeServer(ZOO);
  try {
    const src = await HttpSource.open(`${srv.url}/base-x/model.safetensors`, {
      timeoutMs: 200,
      maxAttempts: 2,
      backoffMs: 1,
    });
    srv.fault = 'stall';
    assert.equal(await code(src.read(300_000, 100)), 'TIMEOUT');
    await src.close();
  } finally {
    await srv.close();
  }
});

test('a small file from a server without Range support is read whole', async () => {
  const srv = await startRangeServer(ZOO);
  try {
    srv.fault = 'ignore-range';
    const src = await HttpSource.open(`${srv.url}/base-x/config.json`);
    assert.equal(src.size, statSync(join(ZOO, 'base-x/config.json')).size);
    await src.close();
  } finally {
    await srv.close();
  }
});

test('remote models open over HTTP reading only headers; values equal the local copy', async () => {
  const srv = await startRangeServer(ZOO);
  try {
    for (const name of [
      'base-x',
      'x-continued/model.safetensors.index.json',
      'x-finetune-q8_0.gguf',
    ]) {
      const remote = await openModel(`${srv.url}/${name}`, { http: { prefetch: 16 * 1024 } });
      const local = await openModel(join(ZOO, name));
      const total = remote.files.reduce((a, f) => a + f.size, 0);
      const fetched = remote.httpStats().bytesFetched;
      assert.ok(fetched <= 0.2 * total, `${name}: header-only open fetched ${fetched} of ${total}`);
      const r = remote.roles.layers[2]?.down;
      const l = local.roles.layers[2]?.down;
      assert.ok(r && l);
      assert.deepEqual(await remote.readRows(r, 7, 3), await local.readRows(l, 7, 3));
      await remote.close();
      await local.close();
    }
    const info = await getModelInfo({ model: `${srv.url}/x-finetune-q8_0.gguf`, digest: true });
    assert.equal(info.format, 'gguf');
    assert.match(info.files[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
  } finally {
    await srv.close();
  }
});
