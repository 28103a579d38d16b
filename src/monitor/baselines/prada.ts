/**
 * PRADA (Juuti, Szyller, Marchal & Asokan, "PRADA: Protecting against DNN Model Stealing
 * Attacks", EuroS&P 2019, arXiv 1805.02628), streamed per account as in the LLM adaptation of
 * LabRAI/mmd-llm-mea-detection: one growing set G (LLM queries have no predicted class); for
 * each query the minimum L2 distance to G is appended to D; the query joins G when that distance
 * exceeds T, and T = max(T, mean(D_G) − std(D_G)); every `interval` queries after `minSize` the
 * Shapiro–Wilk W of D is computed and an alarm is raised when W < δ.
 */
import { dist2 } from './embed.js';
import { shapiroWilkW } from './shapiro.js';

/** PRADA settings. */
export interface PradaOptions {
  readonly minSize: number;
  readonly interval: number;
  /** Most queries per account examined (the paper's streams are a few thousand long). */
  readonly maxQueries: number;
}

/** Defaults: W checked every 10 queries after 20 distances, first 1,000 queries. */
export const PRADA_DEFAULTS: PradaOptions = { minSize: 20, interval: 10, maxQueries: 1000 };

/** Per-account result: the lowest W seen and, for each check, (query index, W). */
export interface PradaResult {
  readonly minW: number;
  readonly checks: readonly (readonly [number, number])[];
}

/** Run PRADA over one account's query embeddings (in arrival order). */
export function pradaAccount(
  queries: readonly Float32Array[],
  opts: PradaOptions = PRADA_DEFAULTS,
): PradaResult {
  const G: Float32Array[] = [];
  const DG: number[] = [];
  const D: number[] = [];
  let T = 0;
  let minW = Infinity;
  const checks: [number, number][] = [];
  const n = Math.min(queries.length, opts.maxQueries);
  for (let q = 0; q < n; q++) {
    const x = queries[q];
    if (!x) continue;
    if (G.length === 0) {
      G.push(x);
      continue;
    }
    let best = Infinity;
    for (const g of G) {
      const d = dist2(x, g);
      if (d < best) best = d;
    }
    const dmin = Math.sqrt(best);
    D.push(dmin);
    if (dmin > T) {
      G.push(x);
      DG.push(dmin);
      const mean = DG.reduce((s, v) => s + v, 0) / DG.length;
      const sd = Math.sqrt(DG.reduce((s, v) => s + (v - mean) ** 2, 0) / DG.length);
      T = Math.max(T, mean - sd);
    }
    if (D.length >= opts.minSize && D.length % opts.interval === 0) {
      const W = shapiroWilkW(D);
      if (Number.isFinite(W)) {
        checks.push([q, W]);
        if (W < minW) minW = W;
      }
    }
  }
  return { minW, checks };
}
