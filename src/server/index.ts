/**
 * The registry service (`customs serve`), the witness service (`customs witness`), their
 * clients (`customs submit`, `lookup`, `receipt`), and offline receipt verification.
 */
export * from './errors.js';
export * from './leaf.js';
export * from './registry.js';
export * from './receipt.js';
export * from './app.js';
export * from './witness-app.js';
export * from './serve.js';
export * from './rate-limit.js';
export { openApiDocument } from './openapi.js';
export * from './client.js';
