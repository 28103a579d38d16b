import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binomialSf,
  binomialCdf,
  gammaSf,
  chiSquareSf,
  normalSf,
  studentTSf,
  fisherCombine,
  holmAdjust,
  bhAdjust,
  cauchyCombination,
  bonferroniMin,
  logGamma,
  normalQuantile,
  normalCdf,
  pToZ,
  toP,
  fromP,
  wilcoxonSignedRank,
  signTest,
  eBH,
  BettingEProcess,
  hypergeometricSf,
  formatP,
} from '../../src/stats/index.js';

function close(a: number, b: number, rel = 1e-9): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300), `${a} vs ${b}`);
}

/** Direct summation oracle for the binomial tail. */
function binomTailDirect(k: number, n: number, p: number): number {
  let s = 0;
  for (let i = k; i <= n; i++) {
    let c = 1;
    for (let j = 0; j < i; j++) c = (c * (n - j)) / (j + 1);
    s += c * p ** i * (1 - p) ** (n - i);
  }
  return s;
}

test('logGamma matches factorials', () => {
  let f = 1;
  for (let n = 1; n < 30; n++) {
    f *= n;
    close(logGamma(n + 1), Math.log(f), 1e-12);
  }
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
});

test('binomial tail equals direct summation', () => {
  for (const [k, n, p] of [
    [0, 10, 0.3],
    [3, 10, 0.3],
    [7, 20, 0.25],
    [50, 60, 0.5],
    [1, 1, 0.5],
    [12, 40, 0.1],
  ] as const) {
    close(toP(binomialSf(k, n, p)), binomTailDirect(k, n, p), 1e-9);
    close(toP(binomialCdf(k, n, p)), 1 - binomTailDirect(k + 1, n, p), 1e-9);
  }
});

test('binomial far tail stays finite in log10', () => {
  const p = binomialSf(10000, 10000, 0.5);
  close(p.log10, -10000 * Math.log10(2), 1e-9);
});

test('gamma, chi-square and normal tails', () => {
  close(toP(gammaSf(2, 1)), Math.exp(-2), 1e-12);
  close(toP(chiSquareSf(3.841458820694124, 1)), 0.05, 1e-9);
  close(toP(normalSf(1.959963984540054)), 0.025, 1e-9);
  close(toP(normalSf(-1.959963984540054)), 0.975, 1e-9);
  // far tail: log Φ̄(40) ≈ −804.6084420137538 (Mills ratio)
  close(normalSf(40).log10 * Math.LN10, -804.6084420137538, 1e-9);
  close(toP(studentTSf(2.228138851986274, 10)), 0.025, 1e-8);
});

test('normal quantile inverts the CDF and pToZ handles tiny p', () => {
  for (const p of [1e-10, 0.001, 0.2, 0.5, 0.9]) close(normalCdf(normalQuantile(p)), p, 1e-9);
  close(normalQuantile(0.975), 1.959963984540054, 1e-10);
  close(pToZ(normalSf(45)), 45, 1e-6);
});

test('Fisher, Holm, BH, Bonferroni, Cauchy', () => {
  close(toP(fisherCombine([fromP(0.05), fromP(0.05)])), 0.0025 * (1 - 2 * Math.log(0.05)), 1e-9);
  const h = holmAdjust([fromP(0.01), fromP(0.04), fromP(0.03)]).map(toP);
  close(h[0] ?? 0, 0.03);
  close(h[1] ?? 0, 0.06);
  close(h[2] ?? 0, 0.06);
  const q = bhAdjust([fromP(0.01), fromP(0.04), fromP(0.03)]).map(toP);
  close(q[0] ?? 0, 0.03);
  close(q[1] ?? 0, 0.04);
  close(q[2] ?? 0, 0.04);
  close(toP(bonferroniMin([fromP(0.01), fromP(0.5)])), 0.02);
  close(toP(cauchyCombination([fromP(0.5), fromP(0.5)])), 0.5, 1e-9);
  const c = cauchyCombination([{ log10: -400 }, fromP(0.5)]);
  assert.ok(c.log10 < -399 && c.log10 > -401);
});

test('sign and Wilcoxon tests', () => {
  const s = signTest([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  close(toP(s.pValue), 2 ** -10);
  // n=5 all positive: P[W+ ≥ 15] = 1/32
  const w = wilcoxonSignedRank([1, 2, 3, 4, 5]);
  assert.equal(w.exact, true);
  close(toP(w.pValue), 1 / 32);
  const w2 = wilcoxonSignedRank([-1, 2, 3, 4, 5]); // W+ = 14 → subsets with sum ≥ 14: {2..5},{1..5} = 2/32
  close(toP(w2.pValue), 2 / 32);
});

test('e-BH and betting e-process', () => {
  const rej = eBH([Math.log(1000), Math.log(2), Math.log(0.5)], 0.1);
  assert.deepEqual(rej, [0]);
  const e = new BettingEProcess(0.5);
  for (let i = 0; i < 200; i++) e.update(0.5);
  assert.ok(e.logE <= 1e-9, 'null data must not grow wealth');
  const e2 = new BettingEProcess(0.2);
  for (let i = 0; i < 200; i++) e2.update(i % 2 === 0 ? 1 : 0.4);
  assert.ok(e2.logE > Math.log(1e6));
});

test('hypergeometric tail', () => {
  // draws 5 of 10 with 5 successes: P[H ≥ 5] = 1/252
  close(toP(hypergeometricSf(5, 10, 5, 5)), 1 / 252, 1e-9);
});

test('formatP never hides magnitude', () => {
  assert.equal(formatP({ log10: -300.5 }), '3.2e-301');
  assert.equal(formatP(fromP(0.5)), '0.50');
});

test('random-pairing bounds: fixed points and combinatorial sums', async () => {
  const { randomPairingMatchesSf, randomPairingSumSf } = await import('../../src/stats/index.js');
  // identity compatibility: P(Y ≥ k) ≤ 1/k!
  const ones = new Array<number>(10).fill(1);
  close(toP(randomPairingMatchesSf(3, ones)), 1 / 6, 1e-9);
  close(toP(randomPairingMatchesSf(10, ones)), 1 / 3628800, 1e-9);
  // exact check by enumeration for a small 0/1 matrix (r = 5)
  const a = [
    [1, 1, 0, 0, 0],
    [0, 1, 0, 0, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 0, 1, 0],
    [1, 0, 0, 0, 1],
  ];
  const perms: number[][] = [];
  const rec = (p: number[], used: boolean[]): void => {
    if (p.length === 5) perms.push([...p]);
    for (let j = 0; j < 5; j++)
      if (!used[j]) {
        used[j] = true;
        p.push(j);
        rec(p, used);
        p.pop();
        used[j] = false;
      }
  };
  rec([], [false, false, false, false, false]);
  const rho = a.map((row) => row.reduce((s, v) => s + v, 0));
  for (let k = 1; k <= 5; k++) {
    const exact =
      perms.filter((p) => p.reduce((s, j, t) => s + (a[t]?.[j] ?? 0), 0) >= k).length /
      perms.length;
    assert.ok(
      toP(randomPairingMatchesSf(k, rho)) >= exact - 1e-12,
      `bound must dominate the exact tail at k=${k}`,
    );
    const sum = randomPairingSumSf(k, a);
    assert.ok(
      toP(sum.pValue) >= exact - 1e-12 || k <= sum.expected,
      `Chatterjee bound must dominate at k=${k}`,
    );
  }
});
