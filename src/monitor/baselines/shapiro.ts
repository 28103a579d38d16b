/**
 * Shapiro–Wilk W statistic (Shapiro & Wilk, Biometrika 1965) with Royston's approximation of
 * the coefficients for 3 ≤ n ≤ 5000 (Royston, "Approximating the Shapiro-Wilk W-test for
 * non-normality", Statistics and Computing 2:117–119, 1992; algorithm AS R94, 1995). PRADA
 * alarms when W of its distance stream falls below a threshold.
 */
import { normalQuantile } from '../../stats/index.js';

const C1 = [0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
const C2 = [0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];

function poly(c: readonly number[], x: number): number {
  let r = 0;
  for (let i = c.length - 1; i >= 0; i--) r = r * x + (c[i] ?? 0);
  return r;
}

/** Largest sample the approximation covers. */
export const SHAPIRO_MAX_N = 5000;

/** W for a sample (NaN when n < 3, n > 5000 or the sample is constant). */
export function shapiroWilkW(sample: readonly number[]): number {
  const n = sample.length;
  if (n < 3 || n > SHAPIRO_MAX_N) return NaN;
  const x = [...sample].sort((a, b) => a - b);
  const range = (x[n - 1] ?? 0) - (x[0] ?? 0);
  if (!(range > 0)) return NaN;
  const nn2 = Math.floor(n / 2);
  const a = new Float64Array(nn2);
  if (n === 3) a[0] = Math.SQRT1_2;
  else {
    const m = new Float64Array(nn2);
    let summ2 = 0;
    for (let i = 1; i <= nn2; i++) {
      const mi = normalQuantile((i - 0.375) / (n + 0.25));
      m[i - 1] = mi;
      summ2 += mi * mi;
    }
    summ2 *= 2;
    const ssumm2 = Math.sqrt(summ2);
    const rsn = 1 / Math.sqrt(n);
    const m0 = m[0] ?? 0;
    const a1 = poly(C1, rsn) - m0 / ssumm2;
    let i1: number;
    let fac: number;
    if (n > 5) {
      i1 = 3;
      const m1 = m[1] ?? 0;
      const a2 = -m1 / ssumm2 + poly(C2, rsn);
      fac = Math.sqrt((summ2 - 2 * m0 * m0 - 2 * m1 * m1) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
      a[1] = a2;
    } else {
      i1 = 2;
      fac = Math.sqrt((summ2 - 2 * m0 * m0) / (1 - 2 * a1 * a1));
    }
    a[0] = a1;
    for (let i = i1; i <= nn2; i++) a[i - 1] = -(m[i - 1] ?? 0) / fac;
  }
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  let num = 0;
  for (let i = 0; i < nn2; i++) num += (a[i] ?? 0) * ((x[n - 1 - i] ?? 0) - (x[i] ?? 0));
  return Math.min(1, (num * num) / ss);
}
