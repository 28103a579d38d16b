/**
 * SEAT (Zhang, Chen & Wagner, "SEAT: Similarity Encoder by Adversarial Training for Detecting
 * Model Extraction Attack Queries", AISec 2021) adapted to LLM text as in
 * LabRAI/mmd-llm-mea-detection: count, per account, pairs of queries whose similarity exceeds τ,
 * with τ calibrated on random pairs of the traffic (a stand-in for the benign calibration set);
 * the account is flagged when the count exceeds K. The adversarially trained encoder is replaced
 * by the offline hashed n-gram embedding.
 */
import { dot } from './embed.js';

/** Per-account result: similar-pair count and, per query index, the running count. */
export interface SeatResult {
  readonly pairs: number;
  /** (query index, pairs so far) whenever the count increases. */
  readonly steps: readonly (readonly [number, number])[];
}

/** Most queries per account examined (pair counting is quadratic). */
export const SEAT_MAX_QUERIES = 1000;

/** Count similar pairs among one account's queries. */
export function seatAccount(
  queries: readonly Float32Array[],
  tau: number,
  maxQueries = SEAT_MAX_QUERIES,
): SeatResult {
  let pairs = 0;
  const steps: [number, number][] = [];
  const n = Math.min(queries.length, maxQueries);
  for (let j = 1; j < n; j++) {
    const y = queries[j];
    if (!y) continue;
    let add = 0;
    for (let i = 0; i < j; i++) {
      const x = queries[i];
      if (x && dot(x, y) >= tau) add++;
    }
    if (add > 0) {
      pairs += add;
      steps.push([j, pairs]);
    }
  }
  return { pairs, steps };
}
