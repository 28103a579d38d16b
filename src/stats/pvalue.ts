/**
 * A p-value carried as its base-10 logarithm so that 1e-300 and 1e-3000 stay distinct.
 * Every verdict in the toolkit reports both `pValue` (may underflow to 0 for display) and
 * `log10PValue` (never underflows).
 */

/** A p-value in log10 form. `log10` ≤ 0; `p` is `10 ** log10` (0 when it underflows). */
export interface PValue {
  readonly log10: number;
}

/** Make a PValue from a natural-log probability, clamped to (−∞, 0]. */
export function fromLn(ln: number): PValue {
  return { log10: Math.min(0, Number.isNaN(ln) ? 0 : ln / Math.LN10) };
}

/** Make a PValue from a plain probability in [0, 1]. */
export function fromP(p: number): PValue {
  if (!(p > 0)) return { log10: p === 0 ? -Infinity : 0 };
  return { log10: Math.min(0, Math.log10(p)) };
}

/** The probability as a number (underflows to 0 below ~1e-308). */
export function toP(pv: PValue): number {
  return 10 ** pv.log10;
}

/** Natural log of the p-value. */
export function toLn(pv: PValue): number {
  return pv.log10 * Math.LN10;
}

/** Format a p-value for humans: "3.2e-14", "0.41", "< 1e-300" never hides magnitude. */
export function formatP(pv: PValue): string {
  if (pv.log10 === -Infinity) return '0';
  if (pv.log10 > -3) return toP(pv).toPrecision(2);
  const e = Math.floor(pv.log10);
  const m = 10 ** (pv.log10 - e);
  return `${m.toFixed(1)}e${e}`;
}

/** The smaller of two p-values. */
export function minP(a: PValue, b: PValue): PValue {
  return a.log10 <= b.log10 ? a : b;
}
