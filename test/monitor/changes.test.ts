import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  alertLine,
  campaignsSummary,
  changesLine,
  compareAlerts,
  loadPreviousAlerts,
  MAX_LINE_BYTES,
  MonitorError,
  monitorLogs,
  renderAlertsJsonl,
  renderHtml,
  renderText,
  type MonitorVerdict,
} from '../../src/monitor/index.js';
import { simulateLog } from '../helpers/traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'mon-changes-'));

let run: Promise<MonitorVerdict> | undefined;
/** One monitored simulated log with alerts at several tiers, shared by the tests below. */
function verdict(): Promise<MonitorVerdict> {
  run ??= simulateLog(dir, 'traffic.jsonl', { records: 60_000, seed: 5 }).then(({ file }) =>
    monitorLogs({ files: [file], workers: 1 }),
  );
  return run;
}

test('a run compared with its own alerts file: every alert unchanged, nothing dropped', async () => {
  const v = await verdict();
  assert.ok(v.alerts.length >= 3, `${v.alerts.length} alerts`);
  const file = join(dir, 'same.jsonl');
  writeFileSync(file, renderAlertsJsonl(v));
  const c = compareAlerts(v, await loadPreviousAlerts(file));
  assert.deepEqual(c.changes?.counts, {
    new: 0,
    raised: 0,
    lowered: 0,
    same: v.alerts.length,
    dropped: 0,
  });
  assert.equal(c.changes?.previous.alerts, v.alerts.length);
  assert.match(c.changes?.previous.digest ?? '', /^[0-9a-f]{64}$/);
  for (const a of c.alerts) assert.deepEqual(a.change, { kind: 'same', previous: a.tier });
  // each campaign continues itself, through the accounts alerted in it
  const listed = v.campaigns.filter((x) => x.tier !== null);
  assert.deepEqual(
    c.changes?.campaigns.map((x) => x.id),
    listed.map((x) => x.id),
  );
  for (const x of c.changes?.campaigns ?? []) {
    const alerted = v.alerts.filter((a) => a.campaign === x.id).length;
    assert.deepEqual(x.previous, alerted > 0 ? [{ id: x.id, accounts: alerted }] : [], x.id);
  }
  // evidence and recommendations are untouched
  assert.deepEqual(
    c.alerts.map((a) => [a.account, a.tier, a.score]),
    v.alerts.map((a) => [a.account, a.tier, a.score]),
  );
});

test('new, raised, lowered and dropped accounts are told apart, plain or gzip', async () => {
  const v = await verdict();
  const [first, second] = v.alerts;
  const third = v.alerts.slice(2).find((a) => a.tier !== 'block');
  const watched = v.watchlist[0];
  assert.ok(first && second && third && watched, 'alerts at two tiers and a watch list');
  const rest = v.alerts.filter((a) => a !== first && a !== second && a !== third);
  const lines = [
    // `first` is missing: new. `second` was at watch: raised. `third` was blocked: lowered.
    // An account no longer alerted is dropped; one now on the watch list says so.
    JSON.stringify({ ...alertLine(second), recommendation: 'watch' }),
    JSON.stringify({ ...alertLine(third), recommendation: 'block' }),
    '',
    ...rest.map((a) => JSON.stringify(alertLine(a))),
    JSON.stringify({ account: 'gone-account', campaign: null, recommendation: 'throttle' }),
    // a second line for an account (files of two runs concatenated) keeps the stronger tier
    JSON.stringify({ account: 'gone-account', campaign: null, recommendation: 'verify' }),
    JSON.stringify({ ...alertLine(watched), recommendation: 'verify' }),
  ];
  const text = `${lines.join('\n')}\n`;
  const plain = join(dir, 'prev.jsonl');
  const gz = join(dir, 'prev.jsonl.gz');
  writeFileSync(plain, text);
  writeFileSync(gz, gzipSync(text));
  const a = await loadPreviousAlerts(plain);
  const b = await loadPreviousAlerts(gz);
  assert.deepEqual([...a.tiers], [...b.tiers]);
  // the digest is of the file as stored
  assert.equal(a.digest, createHash('sha256').update(text).digest('hex'));
  assert.equal(b.digest, createHash('sha256').update(readFileSync(gz)).digest('hex'));
  assert.equal(a.lines, lines.length);
  const c = compareAlerts(v, b);
  const changeOf = new Map(c.alerts.map((x) => [x.account, x.change]));
  assert.deepEqual(changeOf.get(first.account), { kind: 'new', previous: null });
  assert.deepEqual(changeOf.get(second.account), { kind: 'raised', previous: 'watch' });
  assert.deepEqual(changeOf.get(third.account), { kind: 'lowered', previous: 'block' });
  assert.deepEqual(c.changes?.counts, {
    new: 1,
    raised: 1,
    lowered: 1,
    same: v.alerts.length - 3,
    dropped: 2,
  });
  assert.deepEqual(
    c.changes?.dropped,
    [
      { account: 'gone-account', previous: 'throttle', now: null },
      { account: watched.account, previous: 'verify', now: 'watch' },
    ].sort((x, y) => (x.account < y.account ? -1 : 1)),
  );
  // every rendering carries the changes
  const line = JSON.parse(renderAlertsJsonl(c).split('\n')[0] ?? '{}') as Record<string, unknown>;
  assert.ok('change' in line && 'previousRecommendation' in line);
  assert.deepEqual((campaignsSummary(c) as { changes?: unknown }).changes, c.changes);
  assert.match(renderText(c), /1 new, 1 raised, 1 lowered, \d+ unchanged; 2 no longer alerted/);
  assert.equal(changesLine(v), null);
  const page = renderHtml(c);
  assert.match(page, /Since the previous run/);
  assert.match(page, /gone-account \(was throttle\)/);
  assert.match(page, /raised from watch/);
});

test('campaigns are followed across runs through their accounts, whatever their ids', async () => {
  const v = await verdict();
  // yesterday's ids differ (a member joined or left); two of today's campaigns were one then
  const [one, two] = [...new Set(v.alerts.map((a) => a.campaign))];
  assert.ok(one && two, 'alerts in two campaigns');
  const renamed = (id: string | null): string | null =>
    id === one || id === two ? 'c-yesterday' : id === null ? null : `${id}-then`;
  const file = join(dir, 'renamed.jsonl');
  writeFileSync(
    file,
    v.alerts
      .map((a) => JSON.stringify({ ...alertLine(a), campaign: renamed(a.campaign) }))
      .join('\n'),
  );
  const c = compareAlerts(v, await loadPreviousAlerts(file));
  for (const x of c.changes?.campaigns ?? []) {
    const alerted = v.alerts.filter((a) => a.campaign === x.id).length;
    const was = renamed(x.id);
    assert.deepEqual(x.previous, alerted > 0 && was ? [{ id: was, accounts: alerted }] : [], x.id);
  }
  assert.match(renderText(c), /campaigns: \d+ continuing a previous one, \d+ new/);
  assert.match(renderHtml(c), /c-yesterday \(\d+\)/);
});

test('a previous file that is not an alerts file is a typed error naming the line', async () => {
  const bad = async (name: string, body: string | Buffer): Promise<MonitorError> => {
    const file = join(dir, name);
    writeFileSync(file, body);
    try {
      await loadPreviousAlerts(file);
    } catch (e) {
      assert.ok(e instanceof MonitorError, String(e));
      return e;
    }
    assert.fail(`${name} was accepted`);
  };
  const ok = '{"account":"a","recommendation":"verify"}\n';
  const cases: [string, string | Buffer, string, number | undefined][] = [
    ['json.jsonl', `${ok}not json\n`, 'BAD_PREVIOUS', 2],
    ['array.jsonl', `${ok}[1, 2]\n`, 'BAD_PREVIOUS', 2],
    ['account.jsonl', `${ok}{"account":"","recommendation":"verify"}\n`, 'BAD_PREVIOUS', 2],
    ['tier.jsonl', `${ok}${ok}{"account":"b","recommendation":"ban"}\n`, 'BAD_PREVIOUS', 3],
    [
      'long-id.jsonl',
      `{"account":"${'a'.repeat(257)}","recommendation":"verify"}\n`,
      'BAD_PREVIOUS',
      1,
    ],
    // a value too deep to render: its type is named, never the value itself
    [
      'deep.jsonl',
      `{"account":"a","recommendation":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`,
      'BAD_PREVIOUS',
      1,
    ],
    [
      'campaign.jsonl',
      `${ok}{"account":"b","recommendation":"block","campaign":7}\n`,
      'BAD_PREVIOUS',
      2,
    ],
    ['long.jsonl', `${ok}{"account":"${'x'.repeat(MAX_LINE_BYTES)}"}\n`, 'LIMIT_EXCEEDED', 2],
    ['cut.jsonl.gz', gzipSync(ok.repeat(50)).subarray(0, 30), 'BAD_GZIP', undefined],
  ];
  for (const [name, body, code, line] of cases) {
    const e = await bad(name, body);
    assert.equal(e.code, code, name);
    assert.equal(e.where?.line, line, name);
  }
  await assert.rejects(loadPreviousAlerts(join(dir, 'missing.jsonl')), { code: 'NOT_FOUND' });
  await assert.rejects(loadPreviousAlerts(dir), { code: 'IO' });
  // lines longer than a read chunk, CRLF endings, a multi-byte character across a chunk
  // boundary, no final newline; at equal recommendations the later line's campaign
  const head =
    '{"account":"a","recommendation":"verify","campaign":"c-1","reasons":[{"code":"x","text":"';
  // the euro sign's three bytes start one byte before the 1 MiB read chunk ends
  const long = `${head}${'x'.repeat(1024 * 1024 - 1 - head.length)}€ü${'y'.repeat(700_000)}"}]}`;
  const mixed = [
    long,
    '{"account":"b","recommendation":"block","campaign":"c-1"}',
    long.replace('"a"', '"c"'),
    '{"account":"b","recommendation":"block","campaign":"c-2"}',
    '{"account":"b","recommendation":"watch","campaign":"c-3"}',
  ].join('\r\n');
  writeFileSync(join(dir, 'mixed.jsonl'), mixed);
  writeFileSync(join(dir, 'mixed.jsonl.gz'), gzipSync(mixed));
  for (const name of ['mixed.jsonl', 'mixed.jsonl.gz']) {
    const p = await loadPreviousAlerts(join(dir, name));
    assert.deepEqual(
      [...p.tiers],
      [
        ['a', 'verify'],
        ['b', 'block'],
        ['c', 'verify'],
      ],
      name,
    );
    assert.deepEqual(
      [...p.campaigns],
      [
        ['a', 'c-1'],
        ['b', 'c-2'],
        ['c', 'c-1'],
      ],
      name,
    );
  }
  // an empty file is a previous run with no alert
  writeFileSync(join(dir, 'empty.jsonl'), '');
  assert.equal((await loadPreviousAlerts(join(dir, 'empty.jsonl'))).tiers.size, 0);
});
