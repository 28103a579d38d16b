import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ingest, MAX_LINE_BYTES } from '../../src/monitor/ingest.js';
import { MonitorError } from '../../src/monitor/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'mon-ingest-'));

function line(i: number, account = `acct${i % 7}`): string {
  return JSON.stringify({
    ts: new Date(Date.UTC(2026, 2, 2) + i * 1000).toISOString(),
    account,
    model: 'model-a',
    prompt: `Question ${i}: please explain step by step why item number ${i} matters for the report`,
    ip: `10.0.${i % 5}.${i % 200}`,
  });
}

test('malformed lines are counted, kept with their line numbers and skipped (plain and gzip)', async () => {
  const lines: string[] = [];
  const badAt = new Map<number, string>([
    [3, '{"ts": "2026-03-02T00:00:00Z", "account": '],
    [10, '[1,2,3]'],
    [11, JSON.stringify({ ts: 'nope', account: 'a', model: 'm', prompt: 'x' })],
    [25, JSON.stringify({ ts: '2026-03-02T00:00:00Z', model: 'm', prompt: 'x' })],
  ]);
  for (let i = 1; i <= 40; i++) lines.push(badAt.get(i) ?? line(i));
  const text = `${lines.join('\r\n')}\n\n`;
  writeFileSync(join(dir, 'mixed.jsonl'), text);
  writeFileSync(join(dir, 'mixed.jsonl.gz'), gzipSync(Buffer.from(text)));
  for (const f of ['mixed.jsonl', 'mixed.jsonl.gz']) {
    const { state, problems, digests } = await ingest({ files: [join(dir, f)], workers: 1 });
    assert.equal(problems.length, 0);
    assert.equal(state.records, 36);
    assert.equal(state.malformedCount, 4);
    assert.deepEqual(
      state.malformed.map((m) => [m.line, m.reason, m.field ?? '']),
      [
        [3, 'BAD_JSON', ''],
        [10, 'NOT_OBJECT', ''],
        [11, 'BAD_FIELD', 'ts'],
        [25, 'MISSING_FIELD', 'account'],
      ],
    );
    const raw = readFileSync(join(dir, f));
    assert.equal(digests[join(dir, f)], `sha256:${createHash('sha256').update(raw).digest('hex')}`);
  }
});

test('a last line without a newline is read; an over-long line is dropped while streaming', async () => {
  const long = `{"ts":"2026-03-02T00:00:00Z","account":"a","model":"m","prompt":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
  writeFileSync(join(dir, 'long.jsonl'), `${line(1)}\n${long}\n${line(2)}\n${line(3)}`);
  const { state } = await ingest({ files: [join(dir, 'long.jsonl')], workers: 1 });
  assert.equal(state.records, 3);
  assert.deepEqual(
    state.malformed.map((m) => [m.line, m.reason]),
    [[2, 'LINE_TOO_LONG']],
  );
});

test('a truncated gzip stream ends that file with a problem, not a crash', async () => {
  const gz = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => line(i)).join('\n')));
  writeFileSync(join(dir, 'cut.jsonl.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  writeFileSync(join(dir, 'ok.jsonl'), `${line(1)}\n`);
  const { state, problems } = await ingest({
    files: [join(dir, 'cut.jsonl.gz'), join(dir, 'ok.jsonl')],
    workers: 1,
  });
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.code, 'BAD_GZIP');
  assert.ok(state.records >= 1 && state.records < 2001);
});

test('missing files and directories are typed errors', async () => {
  await assert.rejects(
    ingest({ files: [join(dir, 'nope.jsonl')], workers: 1 }),
    (e: unknown) => e instanceof MonitorError && e.code === 'NOT_FOUND',
  );
  await assert.rejects(
    ingest({ files: [dir], workers: 1 }),
    (e: unknown) => e instanceof MonitorError && e.code === 'IO',
  );
});

test('account partitions (worker threads, or machines) give the same state as one pass', async () => {
  const lines: string[] = [];
  for (let i = 1; i <= 6000; i++) lines.push(i % 997 === 0 ? '{broken' : line(i, `acct${i % 13}`));
  // an escaped account string cannot be located by the byte search: partition 0 decodes it
  lines.push(
    JSON.stringify({
      ts: '2026-03-02T05:00:00Z',
      account: 'we"ird',
      model: 'm',
      prompt: 'hello there, one question',
    }),
  );
  const file = join(dir, 'split.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const one = await ingest({ files: [file], workers: 1 });
  const split = await ingest({ files: [file], workers: 3 });
  assert.equal(split.state.records, one.state.records);
  assert.equal(split.state.lines, 6001);
  assert.deepEqual(
    split.state.malformed.map((m) => m.line),
    one.state.malformed.map((m) => m.line),
  );
  assert.deepEqual(
    one.state.malformed.map((m) => m.line),
    [997, 1994, 2991, 3988, 4985, 5982],
  );
  assert.equal(split.state.accounts.size, one.state.accounts.size);
  // the partitioning is recorded (for the run's description; nothing depends on it)
  assert.equal(one.state.partitions, 1);
  assert.equal(split.state.partitions, 3);
  for (const [id, a] of one.state.accounts) {
    const b = split.state.accounts.get(id);
    assert.ok(b, id);
    if (!b) continue;
    assert.equal(b.n, a.n);
    assert.deepEqual([...b.u], [...a.u], id);
    assert.equal(b.first, a.first);
    assert.equal(b.last, a.last);
    assert.equal(b.iaM2, a.iaM2);
  }
  assert.equal(split.digests[file], one.digests[file]);
  assert.equal(
    one.digests[file],
    `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`,
  );
  // one partition of a cluster holds only its accounts
  const p0 = await ingest({ files: [file], partition: { index: 0, count: 2 } });
  const p1 = await ingest({ files: [file], partition: { index: 1, count: 2 } });
  assert.equal(p0.state.accounts.size + p1.state.accounts.size, one.state.accounts.size);
  assert.equal(p0.state.records + p1.state.records, one.state.records);
  assert.equal(p1.digests[file], undefined);
  await assert.rejects(
    ingest({ files: [file], partition: { index: 2, count: 2 } }),
    (e: unknown) => e instanceof MonitorError && e.code === 'BAD_OPTION',
  );
});
