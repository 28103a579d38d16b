/**
 * Whole probe runs on zoo models, the suspect served through a local OpenAI-compatible server
 * (test/probe/stub.ts) backed by a real model, with the faults an audit meets: a model swapped
 * mid-run, empty answers, refusals, rate limiting, an outage and resumption from the cache,
 * offline replay, and the teacher itself under another sampling seed.
 *
 * Cost on a 2-core machine: the runs share one response cache file (`SHARED_CACHE`), so the
 * teacher's and controls' answers — identical in every run (same seed, same battery) — are
 * generated once and each later test pays only for its suspect. Each test still computes its
 * verdict from scratch; only model answers are reused, exactly as `--cache` does in production.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalModel, type LocalModel } from '../../src/engine/index.js';
import {
  ProbeError,
  openCache,
  openLocalTarget,
  openRemoteTarget,
  parseTargetSpec,
  renderProbeHtml,
  runProbe,
  type ProbeOptions,
  type ProbeTarget,
} from '../../src/probe/index.js';
import { renderPage } from '../helpers/browser.js';
import { startProbeStub, type ProbeStub } from './stub.js';

const ZOO = process.env['CUSTOMS_ZOO'] ?? join(import.meta.dirname, '../../../shared/zoo');
const haveZoo = existsSync(join(ZOO, 'base-x'));
const dir = mkdtempSync(join(tmpdir(), 'probe-run-'));
const SEED = '5eed'.repeat(16);
/** One cache for every run in this file (see the header). */
const SHARED_CACHE = join(dir, 'shared.sqlite');
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

async function local(name: string, seedOffset = 0): Promise<ProbeTarget> {
  return openLocalTarget({
    kind: 'local',
    model: join(ZOO, name),
    seedOffset,
    label: seedOffset ? `${name}#seed=${seedOffset}` : name,
  });
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
    cache: SHARED_CACHE,
    ...over,
  };
}

test('a distilled suspect behind a rate-limiting, flaky OpenAI endpoint is detected, and the run replays offline', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  // Every 7th request is answered 429 (Retry-After: 0) and every 11th 503: the client retries.
  const stub = await startProbeStub({
    model: await model('x-distilled'),
    name: 'suspect',
    rateLimitEvery: 7,
    failEvery: 11,
  });
  const cachePath = SHARED_CACHE;
  try {
    const v = await runProbe(
      await base(remote(stub), 'base-x', ['base-y', 'base-z'], { cache: cachePath }),
    );
    assert.ok(stub.counts.limited > 0 && stub.counts.failed > 0, JSON.stringify(stub.counts));
    assert.equal(v.verdict, 'derived-behaviour', v.summary);
    // every suspect answer was eventually received: retries, not gaps
    assert.equal(v.usage[0]?.fetched, stub.counts.answered);
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

test('a suspect plainly closer to a control than to the teacher is no-evidence even uncalibrated', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  // x-distilled against base-y, controls base-x (its real source) and base-z. Whether base-x can be
  // calibrated depends on base-z; either way the suspect does not even beat base-x plainly.
  const v = await runProbe(await base(await local('x-distilled'), 'base-y', ['base-x', 'base-z']));
  assert.equal(v.verdict, 'no-evidence', v.summary);
  assert.ok(v.log10PValue > Math.log10(0.05), `log10 p ${v.log10PValue}`);
  const baseX = v.families
    .find((f) => f.family === 'short')
    ?.controls.find((c) => c.control === 'base-x');
  assert.ok(baseX && baseX.simSuspectControl > baseX.simSuspectTeacher, JSON.stringify(baseX));
  // On this battery no family can be calibrated (base-z leans towards base-x): the decision rests
  // on the plain comparisons, and the verdict says so.
  if (v.families.every((f) => f.status !== 'ok'))
    assert.match(v.reasons[0] ?? '', /plain comparisons alone/);
});

test('the teacher itself under another sampling seed is recognised: derived and indistinguishable', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  // Short greedy answers and kernel samples; the kernel family carries the equality test, so it
  // gets enough of the small budget for its minimum of 8 prompts.
  // Anytime stopping: the identical greedy answers would let it stop in the first round, before
  // the kernel family has the prompts the equality test needs; the stop must wait for them.
  const over: Partial<ProbeOptions> = {
    budget: 200,
    stopping: 'anytime',
    families: ['short', 'kernel'],
    spec: { weights: { short: 0.6, logprob: 0.4, style: 0.1, kernel: 0.4 } },
  };
  const self = await local('base-x', 1);
  const teacher = await local('base-x');
  // The seed offset really changes sampling (otherwise the equality test would be vacuous)...
  const req = {
    prompt: 'Tell me about the sea.',
    params: { maxTokens: 24, temperature: 1, seed: 3 },
  };
  const [a, b] = await Promise.all([self.complete(req), teacher.complete(req)]);
  assert.notEqual(a.text, b.text, 'another sampling seed must give other samples');
  const v = await runProbe(await base(self, 'base-x', ['base-y', 'base-z'], over));
  assert.equal(v.verdict, 'derived-behaviour', v.summary);
  assert.ok(v.log10PValue <= -3, `log10 p ${v.log10PValue}`);
  assert.equal(v.families.find((f) => f.family === 'kernel')?.status, 'ok');
  assert.ok(v.sameModel.tested, 'the equality test must have run');
  assert.ok(v.sameModel.exactAgreement >= 0.95, `agreement ${v.sameModel.exactAgreement}`);
  assert.equal(v.sameModel.indistinguishable, true, JSON.stringify(v.sameModel));
  // ...and a different model on the same battery is not called the teacher itself.
  const other = await runProbe(
    await base(await local('x-distilled'), 'base-x', ['base-y', 'base-z'], over),
  );
  assert.ok(other.sameModel.tested);
  assert.equal(other.sameModel.indistinguishable, false, JSON.stringify(other.sameModel));
  assert.ok(other.sameModel.exactAgreement < v.sameModel.exactAgreement);
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
    // The HTML report of a broken run says so, and renders in a real browser without errors.
    const file = join(dir, 'changed.html');
    writeFileSync(file, renderProbeHtml(v));
    const shot = await renderPage(file, join(dir, 'changed.png'));
    if (!shot) return t.skip('chromium not installed (the verdict checks above ran)');
    assert.deepEqual(shot.errors, []);
    assert.match(shot.text, /inconclusive/);
    assert.match(shot.text, /blocking/);
    assert.match(shot.text, /re-asked sentinel prompts changed answers/);
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
  const cachePath = SHARED_CACHE;
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
      .filter((e) => e.targetId.startsWith(`openai-chat:${stub.url}`)).length;
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

test('an endpoint that rate-limits past every retry stops the run: RATE_LIMITED, no verdict', async (t) => {
  if (!haveZoo) return t.skip('zoo not found');
  const stub = await startProbeStub({ model: await model('x-distilled'), rateLimitEvery: 1 });
  try {
    const parsed = parseTargetSpec(`${stub.url}#model=suspect&label=suspect&retries=2`);
    if (parsed.kind === 'local') throw new Error('expected remote');
    await assert.rejects(
      runProbe(
        await base(openRemoteTarget(parsed, {}, { sleep: noSleep }), 'base-x', [
          'base-y',
          'base-z',
        ]),
      ),
      (e: unknown) => e instanceof ProbeError && e.code === 'RATE_LIMITED',
    );
    assert.equal(stub.counts.answered, 0);
    // the first request was tried once and retried twice, then the run stopped
    assert.ok(stub.counts.limited >= 3, JSON.stringify(stub.counts));
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
