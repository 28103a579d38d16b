import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Battery,
  DEFAULT_SPEC,
  ProbeError,
  SeededStream,
  batteryCommitment,
  canonicalJson,
  checkSpec,
  parseCanaries,
  sha256Hex,
  verifyCommitment,
  type FamilyName,
} from '../../src/probe/index.js';

const SEED = '0123456789abcdef'.repeat(4);

test('SHA-256 known answer (FIPS 180-4, "abc")', () => {
  assert.equal(
    sha256Hex('abc'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

test('canonical JSON sorts keys, drops undefined and refuses non-finite numbers', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined }),
    '{"a":[true,null,"x"],"b":1}',
  );
  assert.throws(() => canonicalJson({ a: Number.NaN }), RangeError);
});

test('the seeded stream is deterministic, label-separated and uniform', () => {
  const a = new SeededStream(SEED, 'x');
  const b = new SeededStream(SEED, 'x');
  const c = new SeededStream(SEED, 'y');
  const va = Array.from({ length: 50 }, () => a.nextU32());
  assert.deepEqual(
    va,
    Array.from({ length: 50 }, () => b.nextU32()),
  );
  assert.notDeepEqual(
    va,
    Array.from({ length: 50 }, () => c.nextU32()),
  );
  // χ² goodness of fit of int(10) over 20,000 draws: 9 df, 99.9% quantile 27.88.
  const r2 = new SeededStream(SEED, 'chi2');
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const v = r2.int(10);
    counts[v] = (counts[v] ?? 0) + 1;
  }
  const chi = counts.reduce((s, o) => s + (o - 2000) ** 2 / 2000, 0);
  assert.ok(chi < 27.88, `chi2 ${chi}`);
  const f = r2.float();
  assert.ok(f >= 0 && f < 1);
  assert.throws(() => r2.int(0), RangeError);
});

test('commitment binds seed and spec; a wrong seed or spec is a mismatch', () => {
  const c = batteryCommitment(SEED, DEFAULT_SPEC);
  assert.match(c, /^[0-9a-f]{64}$/);
  verifyCommitment(SEED, DEFAULT_SPEC, c.toUpperCase());
  const other = 'f'.repeat(64);
  assert.throws(
    () => verifyCommitment(other, DEFAULT_SPEC, c),
    (e: unknown) => e instanceof ProbeError && e.code === 'COMMITMENT_MISMATCH',
  );
  assert.throws(
    () => verifyCommitment(SEED, { ...DEFAULT_SPEC, kernelSamples: 3 }, c),
    (e: unknown) => e instanceof ProbeError && e.code === 'COMMITMENT_MISMATCH',
  );
  assert.throws(
    () => verifyCommitment(SEED, DEFAULT_SPEC, 'not-hex'),
    (e: unknown) => e instanceof ProbeError && e.code === 'BAD_BATTERY',
  );
  assert.throws(
    () => new Battery('abc', DEFAULT_SPEC),
    (e: unknown) => e instanceof ProbeError && e.code === 'BAD_BATTERY',
  );
});

test('items are a pure function of (seed, spec, family, index): prefixes nest across budgets', () => {
  const a = new Battery(SEED, DEFAULT_SPEC);
  const b = new Battery(SEED, DEFAULT_SPEC);
  const fams: FamilyName[] = ['short', 'logprob', 'style', 'kernel'];
  // b generates families in another order and further ahead first
  for (const f of [...fams].reverse()) b.item(f, 300);
  for (const f of fams)
    for (let i = 0; i < 100; i++) assert.deepEqual(a.item(f, i), b.item(f, i), `${f} ${i}`);
  const c = new Battery('f'.repeat(64), DEFAULT_SPEC);
  const same = Array.from(
    { length: 50 },
    (_, i) => c.item('short', i).prompt === a.item('short', i).prompt,
  );
  assert.ok(same.filter(Boolean).length < 25, 'another seed gives another battery');
  // sampled families carry per-prompt seeds, greedy ones do not
  assert.equal(a.item('short', 0).params.temperature, 0);
  assert.equal(typeof a.item('style', 0).params.seed, 'number');
  // prompts are varied and user-like (no control characters, bounded length)
  const prompts = new Set(Array.from({ length: 500 }, (_, i) => a.item('short', i).prompt));
  assert.ok(prompts.size > 400, `only ${prompts.size} distinct prompts`);
  for (const p of prompts)
    assert.ok(
      p.length > 5 && p.length < 200 && ![...p].some((ch) => (ch.codePointAt(0) ?? 32) < 9),
    );
  assert.equal(Battery.digest([a.item('short', 0)]), Battery.digest([b.item('short', 0)]));
});

test('canaries: parsed, committed, shuffled by the seed; malformed lines name the line', () => {
  const text =
    '# served decoys\n{"prompt":"Tell me about zorblax","canary":"zorblax-77"}\n\n{"prompt":"p2","canary":"qqq-canary"}\n';
  const items = parseCanaries(text, 'c.jsonl');
  assert.equal(items.length, 2);
  const spec = checkSpec({ ...DEFAULT_SPEC, canaryDigest: sha256Hex(text) });
  const bat = new Battery(SEED, spec, items);
  const got = [bat.item('canary', 0).canary, bat.item('canary', 1).canary].sort();
  assert.deepEqual(got, ['qqq-canary', 'zorblax-77']);
  assert.throws(
    () => bat.item('canary', 2),
    (e: unknown) => e instanceof ProbeError,
  );
  assert.throws(
    () => new Battery(SEED, DEFAULT_SPEC, items),
    (e: unknown) => e instanceof ProbeError && e.code === 'BAD_BATTERY',
  );
  for (const [bad, line] of [
    ['{"prompt":"a","canary":"abcd"}\nnot json', 2],
    ['{"prompt":"a"}', 1],
    ['\n\n[1,2]', 3],
    ['{"prompt":"","canary":"abcd"}', 1],
    ['{"prompt":"a","canary":"ab"}', 1],
  ] as const) {
    assert.throws(
      () => parseCanaries(bad, 'c.jsonl'),
      (e: unknown) => e instanceof ProbeError && e.code === 'BAD_BATTERY' && e.where?.line === line,
      bad,
    );
  }
  assert.throws(
    () => parseCanaries('# only a comment\n'),
    (e: unknown) => e instanceof ProbeError,
  );
});

test('spec validation names the bad field', () => {
  const bad = [
    { ...DEFAULT_SPEC, kernelSamples: 1 },
    { ...DEFAULT_SPEC, shortParams: { maxTokens: 0, temperature: 0 } },
    { ...DEFAULT_SPEC, shortParams: { maxTokens: 8, temperature: 0.5 } },
    { ...DEFAULT_SPEC, logprobParams: { maxTokens: 1, temperature: 0, topLogprobs: 99 } },
    { ...DEFAULT_SPEC, styleParams: { maxTokens: 8, temperature: 0 } },
    { ...DEFAULT_SPEC, weights: { ...DEFAULT_SPEC.weights, short: -1 } },
  ];
  for (const s of bad)
    assert.throws(
      () => checkSpec(s),
      (e: unknown) => e instanceof ProbeError && e.code === 'BAD_OPTION',
    );
});
