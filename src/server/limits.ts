/** Request limits of the registry, shared by the main thread and its workers. */

/** Largest statement bundle accepted (OMS manifests of sharded models can be large). */
export const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;
