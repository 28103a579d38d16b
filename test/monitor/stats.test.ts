import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hypergeometricSf } from '../../src/stats/index.js';
import {
  CAMPAIGN_KAPPA,
  campaignCalibratorLogE,
  chernoffLogBound,
  fixedCalibratorLogE,
  integralCalibratorLogE,
  logHypergeomSf,
  mixtureLogE,
  quantile,
} from '../../src/monitor/evidence.js';
import {
  cohortReference,
  conformalP,
  leaveGroupOutPValues,
  percentileIn,
  scoreRow,
} from '../../src/monitor/scoring.js';
import { mulberry32 } from '../../src/monitor/hash.js';
import { shapiroWilkW } from '../../src/monitor/baselines/shapiro.js';
import { embed, dot } from '../../src/monitor/baselines/embed.js';
import { pradaAccount } from '../../src/monitor/baselines/prada.js';
import { seatAccount } from '../../src/monitor/baselines/seat.js';
import { mmdAccount, mmdReference } from '../../src/monitor/baselines/mmd.js';

test('integral calibrator: e(p) = (1 − p + p ln p) / (p ln² p), zero evidence at p = 1', () => {
  for (const p of [0.5, 0.1, 1e-3, 1e-9]) {
    const exact = (1 - p + p * Math.log(p)) / (p * Math.log(p) ** 2);
    assert.ok(Math.abs(integralCalibratorLogE(Math.log10(p)) - Math.log(exact)) < 1e-9);
  }
  assert.equal(integralCalibratorLogE(0), 0);
  // far below double range the log form still works: e ≈ 1 / (p ln² p)
  const lp = -400;
  const ln = lp * Math.LN10;
  assert.ok(Math.abs(integralCalibratorLogE(lp) - (-ln - 2 * Math.log(-ln))) < 1e-6);
});

test('campaign calibrator: a valid calibrator (∫₀¹ e(p) dp ≤ 1), never below half the integral one, more where e-BH decides', () => {
  // ∫₀¹ e(p) dp by substitution p = e^(−x): ∫₀^∞ e(e^(−x)) e^(−x) dx, trapezoids on a fine grid
  // up to x = 2000 (the fixed part's tail beyond is e^(−200); the integral calibrator's, about
  // 1/x², adds up to 1/2000, so the half-half total computed is about 1 − 2.5e-4)
  const integral = (logE: (log10p: number) => number): number => {
    let sum = 0;
    const h = 1e-3;
    let prev = Math.exp(logE(-1e-12));
    for (let k = 1; k <= 2_000_000; k++) {
      const x = k * h;
      const f = Math.exp(logE(-x / Math.LN10) - x);
      sum += ((prev + f) / 2) * h;
      prev = f;
    }
    return sum;
  };
  const total = integral(campaignCalibratorLogE);
  assert.ok(total <= 1 + 1e-3 && total > 0.99, `∫ e = ${total}`);
  const fixed = integral((lp) => fixedCalibratorLogE(lp, CAMPAIGN_KAPPA));
  assert.ok(Math.abs(fixed - 1) < 2e-3, `∫ κ p^(κ−1) = ${fixed}`);
  for (const lp of [-0.5, -2, -4, -5, -6, -8, -20, -300]) {
    const c = campaignCalibratorLogE(lp);
    const i = integralCalibratorLogE(lp);
    assert.ok(c >= i + Math.log(0.5) - 1e-12, `p = 1e${lp}: below half the integral calibrator`);
    if (lp <= -4 && lp >= -8)
      assert.ok(c > i + Math.log(2), `p = 1e${lp}: no gain where e-BH decides`);
  }
  assert.equal(campaignCalibratorLogE(0), 0);
  assert.throws(() => fixedCalibratorLogE(-3, 1), RangeError);
});

test('mixture e-value: expectation ≤ 1 under the null, grows under the alternative', () => {
  const rng = mulberry32(9);
  const rho = 0.1;
  for (const n of [10, 100, 1000]) {
    let mean = 0;
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      let k = 0;
      for (let i = 0; i < n; i++) if (rng() < rho) k++;
      mean += Math.exp(mixtureLogE(k, n, rho));
    }
    mean /= reps;
    assert.ok(mean <= 1.08, `n=${n} mean e ${mean}`);
  }
  assert.ok(mixtureLogE(60, 200, 0.1) > Math.log(1e6));
  assert.ok(mixtureLogE(5, 200, 0.1) < 0);
});

test('hypergeometric tail agrees with the stats library; the Chernoff screen is an upper bound', () => {
  for (const [k, N, K, n] of [
    [3, 100, 10, 10],
    [8, 1000, 20, 30],
    [1, 50, 25, 10],
    [20, 5000, 40, 60],
  ] as const) {
    const a = logHypergeomSf(k, N, K, n) / Math.LN10;
    const b = hypergeometricSf(k, N, K, n).log10;
    assert.ok(
      Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b)),
      `${k} ${N} ${K} ${n}: ${a} vs ${b}`,
    );
    assert.ok(chernoffLogBound(k, (n * K) / N) / Math.LN10 >= b - 1e-9);
  }
});

test('conformal p-values and mid-rank percentiles on a known sample', () => {
  const ref = Float64Array.from([1, 2, 3, 4, 4]);
  // (1 + #{ref ≥ s}) / (|ref| + 1)
  assert.deepEqual(
    [0, 1, 3.5, 4, 5].map((s) => conformalP(s, ref)),
    [1, 1, 0.5, 0.5, 1 / 6],
  );
  // (below + ½ tied + ½) / (n + 1); the values `minus` are taken out of the reference first
  const sorted = Float64Array.from([1, 2, 3]);
  assert.deepEqual(
    [1, 2, NaN, 3].map((x) => percentileIn(x, sorted)),
    [0.25, 0.5, 0.5, 0.75],
  );
  assert.equal(percentileIn(3, sorted, Float64Array.from([1])), (1 + 0.5 + 0.5) / 3);
  assert.equal(quantile([3, 1, 2], 0.5), 2);
});

test('leave-group-out p-values: uniform for a random group, small for a planted one', () => {
  const rng = mulberry32(3);
  const N = 3000;
  const F = 4;
  const feats: Float64Array[] = [];
  for (let i = 0; i < N; i++) feats.push(Float64Array.from({ length: F }, () => rng()));
  // plant: 30 accounts shifted up on every feature
  for (let i = 0; i < 30; i++) feats[i] = Float64Array.from({ length: F }, () => 0.7 + 0.3 * rng());
  const members = Array.from({ length: N }, (_, i) => i);
  const cohortOf = members.map(() => 0);
  const ref = cohortReference(members, feats, F);
  const weights = [1, 1, 1, 1];
  const full = Float64Array.from(
    members.map((i) => scoreRow(feats[i] ?? new Float64Array(), ref, weights)),
  );
  const sorted = new Map([[0, Float64Array.from(full).sort()]]);
  const refs = new Map([[0, ref]]);
  const planted = leaveGroupOutPValues(
    members.slice(0, 30),
    cohortOf,
    refs,
    feats,
    weights,
    full,
    sorted,
  );
  const med = quantile([...planted.values()], 0.5);
  assert.ok(med < 0.05, `planted median p ${med}`);
  // random groups from the null part: P(p ≤ 0.1) about 0.1
  let small = 0;
  let total = 0;
  for (let g = 0; g < 40; g++) {
    const grp = Array.from({ length: 20 }, () => 30 + Math.floor(rng() * (N - 30)));
    for (const p of leaveGroupOutPValues(
      [...new Set(grp)],
      cohortOf,
      refs,
      feats,
      weights,
      full,
      sorted,
    ).values()) {
      total++;
      if (p <= 0.1) small++;
    }
  }
  assert.ok(small / total < 0.14, `null rate ${small / total}`);
});

test('Shapiro–Wilk W matches scipy.stats.shapiro (swilk, AS R94) known answers', () => {
  // values from scipy 1.x: shapiro([148,...,236]).statistic etc.
  assert.ok(
    Math.abs(
      shapiroWilkW([148, 154, 158, 160, 161, 162, 166, 170, 182, 195, 236]) - 0.7888146948631716,
    ) < 1e-6,
  );
  assert.ok(Math.abs(shapiroWilkW([1, 2, 3, 4, 5]) - 0.986762155211559) < 1e-6);
  assert.ok(Math.abs(shapiroWilkW([1, 2, 4]) - 0.9642857142857142) < 1e-9);
  assert.ok(Number.isNaN(shapiroWilkW([1, 1, 1])));
});

test('baselines react to what they were built for', () => {
  const e = (s: string): Float32Array => embed(s, 64);
  assert.ok(Math.abs(dot(e('hello world'), e('hello world')) - 1) < 1e-5);
  // SEAT counts near-duplicate pairs
  const dup = Array.from({ length: 30 }, (_, i) =>
    e(`please classify this review number ${i % 3}`),
  );
  const div = Array.from({ length: 30 }, (_, i) =>
    e(`${['a cat', 'the sea', 'old trains', 'jazz music', 'tax law'][i % 5]} ${i * 7919}`),
  );
  assert.ok(seatAccount(dup, 0.95).pairs > seatAccount(div, 0.95).pairs);
  // PRADA computes W on the distance stream
  const r = pradaAccount(div);
  assert.ok(r.checks.length > 0 && r.minW <= 1);
  // MMD: a window like the reference scores lower than a shifted one
  const rng = mulberry32(5);
  const pool = Array.from({ length: 400 }, (_, i) =>
    e(`ordinary question ${i} about ${['cooking', 'travel', 'sports'][i % 3]}`),
  );
  const ref = mmdReference(pool, 50, 3, rng);
  const same = mmdAccount(pool.slice(0, 100), ref, 50, 5).maxScore;
  const shifted = mmdAccount(
    Array.from({ length: 100 }, (_, i) => e(`SOLVE STEP BY STEP ${i}`)),
    ref,
    50,
    5,
  ).maxScore;
  assert.ok(shifted > same);
});

test('the closure-free normal quantile agrees with the stats library', async () => {
  const { normalQuantile } = await import('../../src/stats/index.js');
  const { normalQuantileFast } = await import('../../src/monitor/scoring.js');
  for (const p of [1e-12, 1e-5, 0.01, 0.02425, 0.3, 0.5, 0.77, 0.99, 1 - 1e-9])
    assert.ok(Math.abs(normalQuantileFast(p) - normalQuantile(p)) < 1e-12, String(p));
});
