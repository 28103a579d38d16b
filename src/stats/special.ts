/**
 * Special functions in log space, so that tail probabilities far below 1e-308 keep their
 * magnitude. References: Numerical Recipes 3rd ed. §6.1–6.4 (Lanczos log-gamma, incomplete
 * gamma by series / continued fraction, incomplete beta by Lentz's continued fraction);
 * DLMF §8.2, §8.17.
 */

const LN10 = Math.LN10;
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xm = x - 1;
  let a = LANCZOS[0] ?? 0;
  const t = xm + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_G + 2; i++) a += (LANCZOS[i] ?? 0) / (xm + i);
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln C(n, k) for integers 0 ≤ k ≤ n. */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log(exp(a) + exp(b)) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** log(1 - exp(x)) for x ≤ 0, accurate near 0 and near -∞ (Mächler 2012). */
export function log1mExp(x: number): number {
  if (x > 0) return NaN;
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** Sum of values given as natural logs. */
export function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 100000;

/** Lentz's continued fraction for the incomplete beta (NR 6.4). Returns the CF value. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/**
 * ln I_x(a, b), the log of the regularized incomplete beta function, accurate in the far tail.
 * Uses the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) on the side where the continued fraction
 * converges, computing the complement in log space.
 */
export function logIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    return logFront + Math.log(betaContinuedFraction(a, b, x)) - Math.log(a);
  }
  // complement: I_x(a,b) = 1 - front * cf(b,a,1-x) / b
  const logComp = logFront + Math.log(betaContinuedFraction(b, a, 1 - x)) - Math.log(b);
  return log1mExp(Math.min(0, logComp));
}

/** ln of the upper tail 1 − I_x(a, b) = I_{1−x}(b, a). */
export function logIncompleteBetaUpper(x: number, a: number, b: number): number {
  return logIncompleteBeta(1 - x, b, a);
}

/**
 * ln P(a, x) and ln Q(a, x), the regularized lower and upper incomplete gamma functions (NR 6.2),
 * both returned so callers pick the accurate tail.
 */
export function logIncompleteGamma(a: number, x: number): { logP: number; logQ: number } {
  if (x <= 0) return { logP: -Infinity, logQ: 0 };
  if (!Number.isFinite(x)) return { logP: 0, logQ: -Infinity };
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // series for P
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < MAX_ITER; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    const logP = logPrefix + Math.log(sum);
    return { logP, logQ: log1mExp(Math.min(0, logP)) };
  }
  // continued fraction for Q (modified Lentz)
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  const logQ = logPrefix + Math.log(h);
  return { logP: log1mExp(Math.min(0, logQ)), logQ };
}

/** Convert a natural-log probability to log10. */
export function lnToLog10(ln: number): number {
  return ln / LN10;
}

/** log of the standard normal upper tail Φ̄(z), accurate for z up to ~1e150 (via erfc asymptotics). */
export function logNormalSf(z: number): number {
  if (z < 5) {
    // 0.5 * erfc(z / sqrt 2); use the incomplete gamma identity erfc(t) = Q(1/2, t²) for t ≥ 0.
    if (z >= 0) return Math.log(0.5) + logIncompleteGamma(0.5, (z * z) / 2).logQ;
    return log1mExp(Math.log(0.5) + logIncompleteGamma(0.5, (z * z) / 2).logQ);
  }
  // asymptotic series: φ(z)/z · (1 − 1/z² + 3/z⁴ − 15/z⁶ + 105/z⁸)
  const z2 = z * z;
  const series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2) + 105 / (z2 * z2 * z2 * z2);
  return -z2 / 2 - Math.log(z) - 0.5 * Math.log(2 * Math.PI) + Math.log(series);
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  return z < 0 ? Math.exp(logNormalSf(-z)) : -Math.expm1(logNormalSf(z));
}

/**
 * Standard normal quantile Φ⁻¹(p) (Acklam's rational approximation refined by one Halley step;
 * absolute error < 1e-13 on (0, 1)).
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
    -3.066479806614716e1, 2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const at = (arr: readonly number[], i: number): number => arr[i] ?? 0;
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((at(c, 0) * q + at(c, 1)) * q + at(c, 2)) * q + at(c, 3)) * q + at(c, 4)) * q +
        at(c, 5)) /
      ((((at(d, 0) * q + at(d, 1)) * q + at(d, 2)) * q + at(d, 3)) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((at(a, 0) * r + at(a, 1)) * r + at(a, 2)) * r + at(a, 3)) * r + at(a, 4)) * r +
        at(a, 5)) *
        q) /
      (((((at(b, 0) * r + at(b, 1)) * r + at(b, 2)) * r + at(b, 3)) * r + at(b, 4)) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(
        ((((at(c, 0) * q + at(c, 1)) * q + at(c, 2)) * q + at(c, 3)) * q + at(c, 4)) * q +
        at(c, 5)
      ) /
      ((((at(d, 0) * q + at(d, 1)) * q + at(d, 2)) * q + at(d, 3)) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
