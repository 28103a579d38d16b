/**
 * Transparency log: RFC 6962 Merkle trees, C2SP signed notes, checkpoints, cosignatures, tiles,
 * witnesses, tlog-proof receipts and tlog-policy, plus the sequencing log over SQLite or
 * PostgreSQL stores.
 */
export * from './errors.js';
export * from './merkle.js';
export * from './note.js';
export * from './checkpoint.js';
export * from './cosignature.js';
export * from './tiles.js';
export * from './policy.js';
export * from './proof.js';
export * from './log.js';
export * from './store/index.js';
export * from './witness.js';
export * from './cosigner.js';
