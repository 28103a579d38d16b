/**
 * Provenance: OMS-compatible model signing and verification, DSSE envelopes, Sigstore bundles,
 * in-toto statements (lineage, datasets, evaluations) and their exports.
 */
export * from './errors.js';
export * from './json.js';
export * from './keys.js';
export * from './dsse.js';
export * from './bundle.js';
export * from './statement.js';
export * from './manifest.js';
export * from './oms.js';
export { hashJobs, IN_PROCESS_BYTES } from './hashing.js';
export type { HashJob, HashResult, FileHashAlgorithm } from './hashing.js';
export * from './attestations.js';
export * from './exports.js';
