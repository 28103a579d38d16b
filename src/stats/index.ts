/**
 * Exact distributions, p-values in log space, combination and multiple testing, e-values.
 * Shared by every verdict (forensics, watermark, probe, monitor).
 */
export * from './pvalue.js';
export * from './special.js';
export * from './distributions.js';
export * from './combine.js';
export * from './evalues.js';
export * from './rank.js';
export * from './permutation.js';
