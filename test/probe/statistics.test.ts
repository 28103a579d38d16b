import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PairedAccumulator,
  SeededStream,
  anytimePValue,
  candidateCorrelation,
  combineFamilies,
  compareControls,
  cosine,
  mcnemarPower,
  planAgreement,
  planFromPilot,
  planMcNemar,
  planMeanShift,
  prefixAgreement,
  spectrum,
  spectrumKernel,
  styleFeatures,
  normalizeText,
  ProbeError,
  type Candidates,
} from '../../src/probe/index.js';

const SEED = 'ab'.repeat(32);

/** n paired similarity draws where T and C are exchangeable (the null), with ties. */
function nullPairs(r: SeededStream, n: number): [number, number][] {
  return Array.from({ length: n }, () => {
    const base = r.float();
    const a = Math.round(Math.min(1, base + 0.3 * r.float()) * 20) / 20;
    const b = Math.round(Math.min(1, base + 0.3 * r.float()) * 20) / 20;
    return [a, b];
  });
}

test('paired tests and e-processes hold their level under the exchangeable null', () => {
  const r = new SeededStream(SEED, 'null');
  const runs = 400;
  let rejW = 0;
  let rejE = 0;
  for (let i = 0; i < runs; i++) {
    const acc = new PairedAccumulator('c', 'wilcoxon');
    for (const [a, b] of nullPairs(r, 80)) acc.add(a, b);
    if (acc.summary().pValue.log10 <= Math.log10(0.05)) rejW++;
    if (acc.logMaxE >= Math.log(20)) rejE++;
  }
  // level 0.05 plus three binomial standard errors (0.011)
  assert.ok(rejW / runs <= 0.083, `Wilcoxon rejected ${rejW}/${runs}`);
  assert.ok(rejE / runs <= 0.083, `e-process crossed 20 in ${rejE}/${runs}`);
});

test('McNemar on binary outcomes holds its level and detects a real preference', () => {
  const r = new SeededStream(SEED, 'mcnemar');
  let rej = 0;
  for (let i = 0; i < 400; i++) {
    const acc = new PairedAccumulator('c', 'mcnemar');
    for (let j = 0; j < 60; j++) {
      const u = r.float();
      acc.addDiff(u < 0.2 ? 1 : u < 0.4 ? -1 : 0, 0, 0);
    }
    if (acc.summary().pValue.log10 <= Math.log10(0.05)) rej++;
  }
  assert.ok(rej / 400 <= 0.083, `rejected ${rej}/400`);
  const acc = new PairedAccumulator('c', 'mcnemar');
  for (let j = 0; j < 300; j++) {
    const u = r.float();
    acc.addDiff(u < 0.3 ? 1 : u < 0.4 ? -1 : 0, 0, 0);
  }
  const s = acc.summary();
  assert.ok(s.pValue.log10 < -5, `p ${s.pValue.log10}`);
  assert.equal(s.wins + s.losses + s.ties, 300);
  assert.ok(acc.logE > Math.log(100), 'the e-process grows under the alternative');
});

test('intersection-union across controls: the family p-value is the largest, Holm reported', () => {
  const strong = new PairedAccumulator('strong', 'wilcoxon');
  const weak = new PairedAccumulator('weak', 'wilcoxon');
  const r = new SeededStream(SEED, 'iut');
  for (let i = 0; i < 200; i++) {
    strong.add(0.5 + 0.4 * r.float(), 0.4 * r.float());
    weak.add(r.float(), r.float());
  }
  const c = compareControls([strong, weak]);
  const ps = c.controls.map((x) => x.pValue.log10);
  assert.equal(c.pValue.log10, Math.max(...ps));
  assert.ok(c.controls.every((x) => x.holm.log10 >= x.pValue.log10));
  assert.equal(c.logE, Math.min(strong.logE, weak.logE));
});

test('family combination is a valid p-value under independent nulls and keeps a lone strong family', () => {
  const r = new SeededStream(SEED, 'combine');
  let rej = 0;
  const runs = 2000;
  for (let i = 0; i < runs; i++) {
    const ps = Array.from({ length: 4 }, () => ({
      log10: Math.log10(Math.max(1e-300, r.float())),
    }));
    if (combineFamilies(ps).log10 <= Math.log10(0.05)) rej++;
  }
  assert.ok(rej / runs <= 0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs), `${rej}/${runs}`);
  const lone = combineFamilies([{ log10: -12 }, { log10: 0 }, { log10: 0 }, { log10: 0 }]);
  assert.ok(lone.log10 < -11, `lone strong family diluted to ${lone.log10}`);
  assert.deepEqual(combineFamilies([]), { log10: 0 });
  // anytime: Bonferroni over the e-value and the fixed-design p
  assert.ok(Math.abs(anytimePValue(Math.log(1000), null).log10 - Math.log10(2e-3)) < 1e-12);
  assert.ok(Math.abs(anytimePValue(0, { log10: -6 }).log10 - Math.log10(2e-6)) < 1e-12);
});

test('planner: one-sample plans match the research note table (normal approximation)', () => {
  // ../shared/research/extraction.md §3.2: 0.30→0.40 needs 191 prompts at α=0.05, 418 at 1e-3;
  // 0.30→0.50 needs 49 at 0.05; 0.10→0.20 needs 101 at 0.05 (power 0.9).
  const cases: [number, number, number, number][] = [
    [0.3, 0.4, 0.05, 191],
    [0.3, 0.4, 1e-3, 418],
    [0.3, 0.5, 0.05, 49],
    [0.1, 0.2, 0.05, 101],
  ];
  for (const [p0, p1, alpha, n] of cases) {
    const got = planAgreement({ p0, p1, alpha, power: 0.9 }).prompts ?? -1;
    assert.ok(Math.abs(got - n) <= 1, `${p0}→${p1} at ${alpha}: ${got} vs ${n}`);
  }
});

test('planner: an exact McNemar plan delivers its power in simulation', () => {
  const plan = planMcNemar({ discordance: 0.3, win: 0.7, alpha: 1e-3, power: 0.9 });
  assert.ok(
    plan.prompts !== null && plan.prompts > 50 && plan.prompts < 2000,
    String(plan.prompts),
  );
  const n = plan.prompts ?? 0;
  const r = new SeededStream(SEED, 'power');
  let rej = 0;
  const runs = 300;
  for (let i = 0; i < runs; i++) {
    const acc = new PairedAccumulator('c', 'mcnemar');
    for (let j = 0; j < n; j++) {
      const u = r.float();
      acc.addDiff(u < 0.3 * 0.7 ? 1 : u < 0.3 ? -1 : 0, 0, 0);
    }
    if (acc.summary().pValue.log10 <= -3) rej++;
  }
  assert.ok(rej / runs >= 0.84, `power ${rej / runs} at n=${n}`);
  assert.ok(mcnemarPower(n - Math.floor(n / 3), 0.3, 0.7, 1e-3) < 0.9, 'fewer prompts, less power');
  assert.equal(planMcNemar({ discordance: 0.3, win: 0.5, alpha: 0.01, power: 0.9 }).prompts, null);
  assert.throws(
    () => planMcNemar({ discordance: 0, win: 0.7, alpha: 0.01, power: 0.9 }),
    ProbeError,
  );
  assert.throws(() => planMeanShift({ effect: 0.1, sd: 0, alpha: 0.01, power: 0.9 }), ProbeError);
});

test('planner: a pilot plan by bootstrap is in the range of the normal approximation', () => {
  const r = new SeededStream(SEED, 'pilot');
  const diffs = Array.from({ length: 200 }, () => 0.05 + (r.float() - 0.5) * 0.6);
  const boot = planFromPilot({ diffs, test: 'wilcoxon', alpha: 1e-3, power: 0.9, seed: SEED });
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
  const normal = planMeanShift({ effect: mean, sd, alpha: 1e-3, power: 0.9 });
  assert.ok(boot.prompts !== null && normal.prompts !== null);
  const ratio = (boot.prompts ?? 0) / (normal.prompts ?? 1);
  assert.ok(ratio > 0.5 && ratio < 1.6, `bootstrap ${boot.prompts} vs normal ${normal.prompts}`);
  assert.throws(
    () => planFromPilot({ diffs: [1, 2], test: 'wilcoxon', alpha: 0.01, power: 0.9 }),
    ProbeError,
  );
});

test('similarities: prefix agreement, temperature-free candidate correlation, style, spectrum', () => {
  assert.equal(prefixAgreement('Blue whale!', '**blue** whale'), 1);
  assert.ok(Math.abs(prefixAgreement('blue whale', 'blue jay') - 5 / 10) < 1e-12);
  assert.equal(prefixAgreement('', ''), 0);
  assert.equal(normalizeText('  Hello,\n**World**!  '), 'hello world');
  const a: Candidates = new Map([
    [' the', -0.5],
    [' a', -1.5],
    ['\n', -2.5],
    [' one', -4],
  ]);
  // same model at temperature 2 (log-probs halved, renormalised = shifted): correlation unchanged
  const lse = Math.log([...a.values()].reduce((s, v) => s + Math.exp(v / 2), 0));
  const b: Candidates = new Map([...a].map(([k, v]) => [k, v / 2 - lse]));
  assert.ok(Math.abs(candidateCorrelation(a, b) - 1) < 1e-12);
  const reversed: Candidates = new Map(
    [...a].map(([k], i, arr) => [k, arr[arr.length - 1 - i]?.[1] ?? 0]),
  );
  assert.ok(candidateCorrelation(a, reversed) < 0.1);
  assert.equal(candidateCorrelation(new Map(), a), 0.5);
  const s1 = styleFeatures('# Title\n- one\n- two\n**bold** text here.');
  assert.ok(Math.abs(cosine(s1, s1) - 1) < 1e-12);
  assert.ok(cosine(s1, styleFeatures('plain words without any markup at all')) < 0.9);
  assert.equal(cosine(new Map(), s1), 0);
  const k1 = spectrumKernel(spectrum('the cat sat'), spectrum('the cat sat'));
  const k2 = spectrumKernel(spectrum('the cat sat'), spectrum('a dog ran off'));
  assert.ok(Math.abs(k1 - 1) < 1e-12 && k2 >= 0 && k2 < k1);
});
