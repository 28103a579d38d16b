import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadLocalModel } from '../../src/engine/index.js';
import {
  ProbeError,
  offsetSeed,
  openLocalTarget,
  openRemoteTarget,
  parseTargetSpec,
  type ProbeRequest,
} from '../../src/probe/index.js';
import { startProbeStub } from './stub.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const haveZoo = existsSync(join(ZOO, 'base-x'));
const noSleep = (): Promise<void> => Promise.resolve();

test('target specs: local and remote forms, options, and every malformed spec is BAD_TARGET', () => {
  const l = parseTargetSpec('local:/models/a#seed=7&label=mine');
  assert.deepEqual(l, { kind: 'local', model: '/models/a', seedOffset: 7, label: 'mine' });
  assert.equal(parseTargetSpec('/models/b/').kind, 'local');
  const r = parseTargetSpec(
    'https://api.example.com/v1#model=gpt-x&mode=completions&key-env=MY_KEY&logprobs=5&retries=3',
  );
  if (r.kind !== 'openai-completions') assert.fail(`kind ${r.kind}`);
  else {
    assert.equal(r.model, 'gpt-x');
    assert.equal(r.keyEnv, 'MY_KEY');
    assert.equal(r.logprobs, 5);
    assert.equal(r.retries, 3);
  }
  for (const bad of [
    '',
    'https://user:pw@example.com/v1',
    'https://example.com/v1#mode=stream',
    'https://example.com/v1#key-env=1BAD',
    'https://example.com/v1#logprobs=50',
    'https://example.com/v1#model=a&model=b',
    'https://example.com/v1#bogus=1',
    'https://example.com/v1#noequals',
    'local:',
    'local:/m#seed=-1',
    'local:/m#seed=abc',
    'x'.repeat(5000),
  ])
    assert.throws(
      () => parseTargetSpec(bad),
      (e: unknown) => e instanceof ProbeError && e.code === 'BAD_TARGET',
      bad,
    );
  assert.throws(
    () =>
      openRemoteTarget(
        parseTargetSpec('http://127.0.0.1:9/v1#key-env=PROBE_TEST_UNSET') as never,
        {},
      ),
    (e: unknown) => e instanceof ProbeError && e.code === 'BAD_TARGET',
  );
});

const greedy: ProbeRequest = {
  prompt: 'My favourite fruit is ',
  params: { maxTokens: 8, temperature: 0, topLogprobs: 5 },
};

test('a local zoo model answers greedily with top-k log-probabilities; the worker form agrees', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const spec = parseTargetSpec(join(ZOO, 'base-x'));
  if (spec.kind !== 'local') throw new Error('expected local');
  const direct = await openLocalTarget(spec);
  const worker = await openLocalTarget(spec, { worker: true });
  try {
    const a = await direct.complete(greedy);
    const b = await worker.complete(greedy);
    assert.deepEqual(a, b);
    assert.equal(a.logprobs?.length, 8);
    const first = a.logprobs?.[0];
    assert.equal(first?.top.length, 5);
    // the generated token is the greedy one: the most likely alternative
    assert.equal(first?.token, first?.top[0]?.token);
    assert.match(direct.info.id, /^local:sha256:[0-9a-f]{64}$/);
    assert.equal(direct.info.id, worker.info.id);
    // sampling is seeded: same seed same text, the seed offset changes it
    const s = { prompt: 'Once upon a time', params: { maxTokens: 24, temperature: 1, seed: 5 } };
    assert.equal((await direct.complete(s)).text, (await direct.complete(s)).text);
    const shifted = await openLocalTarget({ ...spec, seedOffset: 1 });
    assert.notEqual((await shifted.complete(s)).text, (await direct.complete(s)).text);
    assert.notEqual(shifted.info.id, direct.info.id);
    await shifted.close();
  } finally {
    await direct.close();
    await worker.close();
  }
  await assert.rejects(
    openLocalTarget({
      kind: 'local',
      model: join(ZOO, 'no-such-model'),
      seedOffset: 0,
      label: 'x',
    }),
    (e: unknown) => e instanceof ProbeError && e.code === 'MODEL',
  );
});

test('remote targets: chat and completions with log-probabilities, retries through 429 and 503', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const model = await loadLocalModel({ model: join(ZOO, 'base-x') });
  const stub = await startProbeStub({ model, name: 'zoo-x', rateLimitEvery: 3, failEvery: 5 });
  try {
    for (const mode of ['chat', 'completions'] as const) {
      const spec = parseTargetSpec(`${stub.url}#model=zoo-x&mode=${mode}&logprobs=5`);
      if (spec.kind === 'local') throw new Error('expected remote');
      const target = openRemoteTarget(spec, {}, { sleep: noSleep });
      for (let i = 0; i < 4; i++) {
        const r = await target.complete(greedy);
        assert.equal(r.servedModel, 'zoo-x');
        assert.equal(r.logprobs?.[0]?.top.length, 5);
        // the same model answers the same as the local target
        const local = await openLocalTarget({
          kind: 'local',
          model: join(ZOO, 'base-x'),
          seedOffset: 0,
          label: 'x',
        });
        assert.equal(r.text, (await local.complete(greedy)).text);
        await local.close();
      }
    }
    assert.ok(stub.counts.limited > 0 && stub.counts.failed > 0, JSON.stringify(stub.counts));
  } finally {
    await stub.close();
  }
  // An endpoint that never answers: UNREACHABLE after the retries.
  const dead = parseTargetSpec('http://127.0.0.1:9/v1#retries=1&timeout-ms=2000');
  if (dead.kind === 'local') throw new Error('expected remote');
  await assert.rejects(
    openRemoteTarget(dead, {}, { sleep: noSleep }).complete(greedy),
    (e: unknown) => e instanceof ProbeError && e.code === 'UNREACHABLE',
  );
  // A server that keeps rate-limiting: RATE_LIMITED.
  const limited = await startProbeStub({ model, rateLimitEvery: 1 });
  try {
    const spec = parseTargetSpec(`${limited.url}#retries=2`);
    if (spec.kind === 'local') throw new Error('expected remote');
    await assert.rejects(
      openRemoteTarget(spec, {}, { sleep: noSleep }).complete(greedy),
      (e: unknown) => e instanceof ProbeError && e.code === 'RATE_LIMITED',
    );
  } finally {
    await limited.close();
  }
});

test('seed offsets: zero is the identity; other offsets never land on a neighbouring seed', () => {
  // The kernel family asks seed, seed+1, …, seed+15 for one prompt; a target under another
  // sampling seed must not reuse any of those for any of its own samples.
  const span = 16;
  for (const base of [0, 1, 12345, 0x7fffffff, 0xfffffff0]) {
    for (let i = 0; i < span; i++) assert.equal(offsetSeed((base + i) >>> 0, 0), (base + i) >>> 0);
    const teacher = new Set(Array.from({ length: span }, (_, i) => (base + i) >>> 0));
    for (const off of [1, 2, 3, 7, 16, 1000, 2 ** 31 - 1]) {
      const mine = Array.from({ length: span }, (_, i) => offsetSeed((base + i) >>> 0, off));
      assert.equal(new Set(mine).size, span, 'distinct request seeds stay distinct');
      for (const s of mine) {
        assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
        assert.ok(!teacher.has(s), `offset ${off} maps a seed near ${base} onto the teacher's`);
      }
    }
  }
});
