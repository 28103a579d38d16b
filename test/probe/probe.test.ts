/**
 * Whole probe runs on zoo models, the suspect served through a local OpenAI-compatible server
 * (test/probe/stub.ts) backed by a real model, with the faults an audit meets: a model swapped
 * mid-run, empty answers, refusals, an outage and resumption from the cache, offline replay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalModel, type LocalModel } from '../../src/engine/index.js';
import {
  ProbeError,
  openCache,
  openLocalTarget,
  openRemoteTarget,
  parseTargetSpec,
  runProbe,
  type ProbeOptions,
  type ProbeTarget,
} from '../../src/probe/index.js';
import { startProbeStub, type ProbeStub } from './stub.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const haveZoo = existsSync(join(ZOO, 'base-x'));
const dir = mkdtempSync(join(tmpdir(), 'probe-run-'));
const SEED = '5eed'.repeat(16);
const noSleep = (): Promise<void> => Promise.resolve();
const models = new Map<string, LocalModel>();

async function model(name: string): Promise<LocalModel> {
  let m = models.get(name);
  if (!m) {
    m = await loadLocalModel({ model: join(ZOO, name) });
    models.set(name, m);
  }
  return m;
}

async function local(name: string): Promise<ProbeTarget> {
  return openLocalTarget({ kind: 'local', model: join(ZOO, name), seedOffset: 0, label: name });
}

function remote(stub: ProbeStub, mode: 'chat' | 'completions' = 'chat', extra = ''): ProbeTarget {
  const spec = parseTargetSpec(`${stub.url}#model=suspect&mode=${mode}&label=suspect${extra}`);
  if (spec.kind === 'local') throw new Error('expected a remote spec');
  return openRemoteTarget(spec, {}, { sleep: noSleep });
}

/** Options shared by the runs: cheap greedy families, few rounds. */
async function base(
  suspect: ProbeTarget,
  teacher: string,
  controls: string[],
  over: Partial<ProbeOptions> = {},
): Promise<ProbeOptions> {
  return {
    suspect,
    teacher: await local(teacher),
    controls: await Promise.all(controls.map(local)),
    budget: 240,
    seed: SEED,
    families: ['short', 'logprob'],
    rounds: 4,
    stopping: 'fixed',
    ...over,
  };
}

test('a distilled suspect behind an OpenAI endpoint is detected, and the run replays offline', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const stub = await startProbeStub({ model: await model('x-distilled'), name: 'suspect' });
  const cachePath = join(dir, 'distilled.sqlite');
  try {
    const v = await runProbe(
      await base(remote(stub), 'base-x', ['base-y', 'base-z'], { cache: cachePath }),
    );
    assert.equal(v.verdict, 'derived-behaviour', v.summary);
    assert.ok(v.log10PValue <= -3, `log10 p ${v.log10PValue}`);
    assert.ok(v.queries <= 240);
    assert.equal(v.battery.seed, SEED);
    assert.ok(v.evidence.length > 0);
    assert.equal(v.dataIssues.filter((i) => i.blocking).length, 0);
    const answered = stub.counts.answered;
    const again = await runProbe(
      await base(remote(stub), 'base-x', ['base-y', 'base-z'], {
        cache: cachePath,
        cacheMode: 'replay',
      }),
    );
    assert.equal(stub.counts.answered, answered, 'replay must not query the endpoint');
    assert.equal(again.log10PValue, v.log10PValue);
    assert.equal(again.transcriptDigest, v.transcriptDigest);
    assert.equal(again.battery.digest, v.battery.digest);
  } finally {
    await stub.close();
  }
});

test('a suspect from another lineage is not called derived (its own parent among the controls)', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const v = await runProbe(await base(await local('y-finetune'), 'base-x', ['base-y', 'base-z']));
  assert.notEqual(v.verdict, 'derived-behaviour', v.summary);
  assert.ok(v.log10PValue > -3, `log10 p ${v.log10PValue}`);
});

test('a model swapped mid-run is detected and the verdict is inconclusive', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const stub = await startProbeStub({
    model: await model('base-x'),
    name: 'suspect',
    swapAfter: 150,
    swapTo: await model('base-z'),
    swapName: 'suspect',
  });
  try {
    const v = await runProbe(await base(remote(stub), 'base-x', ['base-y', 'base-z']));
    assert.equal(v.verdict, 'inconclusive', v.summary);
    assert.ok(
      v.dataIssues.some((i) => i.kind === 'target-changed' && i.blocking && i.target === 'suspect'),
      JSON.stringify(v.dataIssues),
    );
  } finally {
    await stub.close();
  }
});

test('a swap announced in the model field is caught even between sentinel checks', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const stub = await startProbeStub({
    model: await model('base-x'),
    name: 'model-v1',
    swapAfter: 60,
    swapTo: await model('base-x'),
    swapName: 'model-v2',
  });
  try {
    const v = await runProbe(await base(remote(stub), 'base-x', ['base-y', 'base-z']));
    assert.equal(v.verdict, 'inconclusive');
    assert.ok(v.dataIssues.some((i) => i.kind === 'served-model-changed' && i.blocking));
  } finally {
    await stub.close();
  }
});

test('mostly empty answers make the verdict inconclusive; refusals are reported', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const empty = await startProbeStub({ model: await model('x-distilled'), emptyRate: 0.8 });
  try {
    const v = await runProbe(await base(remote(empty), 'base-x', ['base-y', 'base-z']));
    assert.equal(v.verdict, 'inconclusive', v.summary);
    assert.ok(v.dataIssues.some((i) => i.kind === 'empty-answers' && i.blocking));
  } finally {
    await empty.close();
  }
  const refusing = await startProbeStub({ model: await model('base-y'), refusalRate: 0.3 });
  try {
    const v = await runProbe(await base(remote(refusing), 'base-x', ['base-y', 'base-z']));
    assert.ok(v.dataIssues.some((i) => i.kind === 'refusals' && i.target === 'suspect'));
    assert.notEqual(v.verdict, 'derived-behaviour');
  } finally {
    await refusing.close();
  }
});

test('an endpoint without log-probabilities: the family is skipped, the rest still decides', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const stub = await startProbeStub({ model: await model('x-distilled'), logprobs: false });
  try {
    // declared: logprobs=0 → skipped up front
    const v = await runProbe(
      await base(remote(stub, 'chat', '&logprobs=0'), 'base-x', ['base-y', 'base-z']),
    );
    assert.equal(v.families.find((f) => f.family === 'logprob')?.status, 'skipped');
    assert.equal(v.verdict, 'derived-behaviour', v.summary);
    // promised but not delivered → dropped with a data-quality note, never used
    const w = await runProbe(await base(remote(stub), 'base-x', ['base-y', 'base-z']));
    assert.notEqual(w.families.find((f) => f.family === 'logprob')?.status, 'ok');
    assert.ok(w.dataIssues.some((i) => i.kind === 'logprobs-missing'));
  } finally {
    await stub.close();
  }
});

test('an outage stops the run with a typed error; the rerun resumes from the cache', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const stub = await startProbeStub({ model: await model('x-distilled'), failAfter: 100 });
  const cachePath = join(dir, 'outage.sqlite');
  try {
    const spec = `${stub.url}#model=suspect&label=suspect&retries=1`;
    const parsed = parseTargetSpec(spec);
    if (parsed.kind === 'local') throw new Error('expected remote');
    await assert.rejects(
      runProbe(
        await base(
          openRemoteTarget(parsed, {}, { sleep: noSleep }),
          'base-x',
          ['base-y', 'base-z'],
          {
            cache: cachePath,
          },
        ),
      ),
      (e: unknown) => e instanceof ProbeError && e.code === 'UNREACHABLE',
    );
    // Nothing keeps querying after the failure: give stragglers a moment, the count must not move.
    const afterFailure = stub.counts.answered;
    assert.equal(afterFailure, 100);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(stub.counts.answered, afterFailure);
    const cached = openCache(cachePath);
    const suspectCached = cached
      .entries()
      .filter((e) => e.targetId.startsWith('openai-chat:')).length;
    assert.ok(suspectCached > 0 && suspectCached <= 100);
    cached.close();
    stub.failAfter = undefined;
    const v = await runProbe(
      await base(openRemoteTarget(parsed, {}, { sleep: noSleep }), 'base-x', ['base-y', 'base-z'], {
        cache: cachePath,
      }),
    );
    assert.equal(v.verdict, 'derived-behaviour');
    const suspectUsage = v.usage[0];
    assert.ok(suspectUsage && suspectUsage.fetched < suspectUsage.answers, JSON.stringify(v.usage));
    // the rerun fetched exactly what the cache lacked
    assert.equal(stub.counts.answered - afterFailure, suspectUsage?.fetched);
  } finally {
    await stub.close();
  }
});

test('bad options are typed errors before any query', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const x = await local('base-x');
  const bad: Partial<ProbeOptions>[] = [
    { budget: 5 },
    { alpha: 0.9 },
    { controls: [] },
    { seed: 'nothex' },
    { commitment: '0'.repeat(64) },
    { rounds: 0 },
    { concurrency: 0 },
  ];
  for (const o of bad)
    await assert.rejects(
      runProbe({ suspect: x, teacher: x, controls: [await local('base-y')], ...o }),
      (e: unknown) => e instanceof ProbeError,
      JSON.stringify(o),
    );
  await assert.rejects(
    runProbe({ suspect: await local('base-y'), teacher: x, controls: [x] }),
    (e: unknown) => e instanceof ProbeError && e.code === 'BAD_TARGET',
  );
});
