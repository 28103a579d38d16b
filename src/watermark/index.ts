/**
 * Generation-time text watermarks (Gumbel-max, KGW, SynthID-Text) over a specified keyed PRF,
 * detection with exact p-values, and radioactivity audits. Documented in docs/watermark.md.
 */
export * from './errors.js';
export * from './keys.js';
export * from './prf.js';
export * from './schemes.js';
export * from './pvalues.js';
export * from './tape.js';
export * from './detect.js';
export * from './generate.js';
export * from './ledger.js';
export * from './render.js';
export * from './radioactivity.js';
export * from './hf-synthid.js';
export * from './adapters.js';
