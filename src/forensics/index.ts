/**
 * White-box lineage forensics: fingerprints, exact and robust tests, verdicts, reports, and the
 * synthetic transformations used to evaluate them.
 */
export * from './types.js';
export * from './fingerprint.js';
export * from './serialize.js';
export * from './tests.js';
export * from './align.js';
export * from './compare.js';
export * from './against.js';
export * from './report.js';
export * from './transforms.js';
