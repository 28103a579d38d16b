/**
 * Log stores: embedded SQLite (default) and PostgreSQL, chosen by a URL:
 * `sqlite:<path>` / a plain path, or `postgres://…` / `postgresql://…` (optional `?schema=`).
 */
import { LogError } from '../errors.js';
import type { LogStore } from './types.js';
import { SqliteStore } from './sqlite.js';

export type * from './types.js';
export { SqliteStore } from './sqlite.js';
export type { SqliteStoreOptions } from './sqlite.js';
export type { PostgresStoreOptions } from './postgres.js';

/** Open a store from a location string; PostgreSQL is imported lazily. */
export async function openStore(
  location: string,
  options: { schema?: string; sqliteWriterThread?: boolean } = {},
): Promise<LogStore> {
  if (/^postgres(ql)?:\/\//.test(location)) {
    let url = location;
    let schema = options.schema;
    try {
      const u = new URL(location);
      const s = u.searchParams.get('schema');
      if (s !== null) {
        schema ??= s;
        u.searchParams.delete('schema');
        url = u.toString();
      }
    } catch (e) {
      throw new LogError('STORE', 'invalid PostgreSQL URL', { cause: e });
    }
    const { PostgresStore } = await import('./postgres.js');
    return new PostgresStore({ url, ...(schema !== undefined ? { schema } : {}) });
  }
  const path = location.startsWith('sqlite:') ? location.slice(7) : location;
  if (path === '') throw new LogError('STORE', 'empty SQLite path');
  return new SqliteStore({ path, writerThread: options.sqliteWriterThread ?? false });
}
