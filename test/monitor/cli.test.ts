import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { renderPage } from '../helpers/browser.js';
import type { Truth } from '../../src/monitor/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mon-cli-'));

const root = join(import.meta.dirname, '..', '..');

/** Run the CLI in a child process (the test runner owns this process's stdout). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args],
    {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code: code ?? -1, stdout, stderr };
}

test('simulate-traffic then monitor: alerts, summary, HTML report, exit code 1', async () => {
  const log = join(dir, 'traffic.jsonl.gz');
  const sim = await cli([
    'simulate-traffic',
    '--records',
    '60000',
    '--seed',
    '5',
    '--out',
    log,
    '--gzip',
    '--malformed',
    '0.002',
    '--json',
  ]);
  assert.equal(sim.code, 0, sim.stderr);
  const info = JSON.parse(sim.stdout) as { truth: string; records: number };
  assert.equal(info.records, 60000);
  assert.ok(gunzipSync(readFileSync(log)).toString().split('\n').length > 59000);
  const truth = JSON.parse(readFileSync(info.truth, 'utf8')) as Truth;
  const alerts = join(dir, 'alerts.jsonl');
  const summary = join(dir, 'campaigns.json');
  const html = join(dir, 'report.html');
  const r = await cli([
    'monitor',
    log,
    '--out',
    alerts,
    '--summary',
    summary,
    '--html',
    html,
    '--quiet',
    '--workers',
    '1',
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /malformed lines skipped/);
  const lines = readFileSync(alerts, 'utf8').trimEnd().split('\n');
  assert.ok(lines.length > 0);
  const label = new Map(truth.accounts.map((a) => [a.account, a.label]));
  for (const l of lines) {
    const a = JSON.parse(l) as {
      account: string;
      campaign: string | null;
      operator: string | null;
      score: number;
      reasons: unknown[];
      recommendation: string;
    };
    assert.equal(typeof a.account, 'string');
    assert.ok(a.campaign === null || typeof a.campaign === 'string');
    // an account alerted in a campaign belongs to one of its operators
    if (a.campaign === null) assert.equal(a.operator, null);
    else assert.ok(a.operator?.startsWith(`${a.campaign}/`), `${a.account}: ${a.operator}`);
    assert.equal(typeof a.score, 'number');
    assert.ok(Array.isArray(a.reasons) && a.reasons.length > 0);
    assert.ok(['verify', 'throttle', 'block'].includes(a.recommendation));
    assert.equal(label.get(a.account), 'attack', a.account);
  }
  const sum = JSON.parse(readFileSync(summary, 'utf8')) as {
    campaigns: {
      id: string;
      accounts: string[];
      operators: { id: string; accounts: string[] }[];
    }[];
    malformed: { count: number };
  };
  assert.ok(sum.campaigns.length > 0);
  // operators partition part of their campaign: inside it, disjoint, named after it
  for (const c of sum.campaigns) {
    const members = new Set(c.accounts);
    const seen = new Set<string>();
    for (const o of c.operators) {
      assert.ok(o.id.startsWith(`${c.id}/`), o.id);
      for (const id of o.accounts) {
        assert.ok(members.has(id) && !seen.has(id), `${o.id}: ${id}`);
        seen.add(id);
      }
    }
  }
  assert.equal(sum.malformed.count, truth.malformedLines.length);
  // the next night's run against this one's alerts: the same log, so nothing changed
  const again = await cli([
    'monitor',
    log,
    '--previous',
    alerts,
    '--out',
    join(dir, 'alerts-2.jsonl'),
    '--quiet',
    '--workers',
    '1',
  ]);
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stdout, /0 new, 0 raised, 0 lowered, \d+ unchanged; 0 no longer alerted/);
  for (const l of readFileSync(join(dir, 'alerts-2.jsonl'), 'utf8').trimEnd().split('\n'))
    assert.equal((JSON.parse(l) as { change?: string }).change, 'same');
  const page = await renderPage(html, join(dir, 'report.png'));
  if (page) {
    assert.deepEqual(page.errors, []);
    assert.ok(page.svgCount >= 3, `svg ${page.svgCount}`);
    assert.match(page.text, /Extraction monitor/);
    assert.ok(page.text.includes(sum.campaigns[0]?.id ?? '?'));
    assert.ok(existsSync(join(dir, 'report.png')));
  }
});

test('monitor --json prints the verdict; a clean log exits 0', async () => {
  const log = join(dir, 'clean.jsonl');
  const rows = Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({
      ts: new Date(Date.UTC(2026, 2, 2) + i * 60_000).toISOString(),
      account: `u${i % 5}`,
      model: 'm',
      prompt: `hello number ${i}`,
    }),
  );
  writeFileSync(log, `${rows.join('\n')}\n`);
  const r = await cli(['monitor', log, '--json', '--workers', '1']);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { kind: string; records: number; alerts: unknown[] };
  assert.equal(v.kind, 'extraction-monitor');
  assert.equal(v.records, 50);
  assert.equal(v.alerts.length, 0);
});

test('usage and input errors exit 2 with a typed error', async () => {
  const junk = join(dir, 'junk.jsonl');
  writeFileSync(junk, 'not json\n{"also": "not a record"}\n');
  const cases: [string[], string][] = [
    [['monitor', join(dir, 'missing.jsonl')], 'NOT_FOUND'],
    [['monitor', junk], 'NO_RECORDS'],
    [['monitor', junk, '--fdr', '2'], 'USAGE'],
    [['monitor', junk, '--min-tier', 'ban'], 'USAGE'],
    [['monitor', junk, '--mapping', 'splunk'], 'NOT_FOUND'],
    // read before the run: a log of junk is never reached
    [['monitor', junk, '--previous', junk], 'BAD_PREVIOUS'],
    [['simulate-traffic', '--records', '0', '--out', join(dir, 'x.jsonl')], 'USAGE'],
    [
      ['simulate-traffic', '--records', '10', '--out', join(dir, 'x.jsonl'), '--bank', 'C'],
      'USAGE',
    ],
  ];
  for (const [args, code] of cases) {
    const r = await cli([...args, '--json']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const body = JSON.parse(r.stdout) as { code: string };
    assert.equal(body.code, code, args.join(' '));
  }
  // text quoted from a hostile file cannot drive the terminal
  const escapes = join(dir, 'escapes.jsonl');
  writeFileSync(escapes, '\u001b[2J\u001b]0;owned\u0007\n');
  const esc = await cli(['monitor', junk, '--previous', escapes]);
  assert.equal(esc.code, 2);
  assert.match(esc.stderr, /BAD_PREVIOUS/);
  // the terminal's own line feed aside, no control character reaches stderr
  const controls = [...esc.stderr].filter((ch) => ch !== '\n' && (ch < ' ' || ch === '\u007f'));
  assert.deepEqual(controls, [], JSON.stringify(esc.stderr));
  const allow = join(dir, 'allow.json');
  writeFileSync(allow, '{"accounts": [1]}');
  const r = await cli(['monitor', junk, '--allow', allow, '--json']);
  assert.equal(r.code, 2);
  assert.equal((JSON.parse(r.stdout) as { code: string }).code, 'BAD_ALLOWLIST');
});
