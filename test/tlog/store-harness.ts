/**
 * Test harness shared by the tlog and server tests: opens each store kind the same way (SQLite in
 * a temp directory, PostgreSQL in a unique schema of `CUSTOMS_TEST_PG_URL`) so one suite runs
 * against both. PostgreSQL tests are skipped, with the reason, only if the server is unreachable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SqliteStore } from '../../src/tlog/store/sqlite.js';
import { PostgresStore } from '../../src/tlog/store/postgres.js';
import type { LogStore } from '../../src/tlog/store/types.js';

/** URL of the test PostgreSQL server. */
export const PG_URL =
  process.env['CUSTOMS_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<string | undefined> | undefined;

/** Undefined if PostgreSQL answers, else the reason it cannot be used. */
export function postgresUnavailable(): Promise<string | undefined> {
  pgReachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return undefined;
    } catch (e) {
      return `PostgreSQL at ${PG_URL} is unreachable (${e instanceof Error ? e.message : String(e)})`;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return pgReachable;
}

/** A store factory for one kind; `make()` returns a fresh store, `reopen()` the same database. */
export interface StoreKind {
  readonly name: 'sqlite' | 'postgres';
  /** Location string for `openStore` / `customs serve --db`. */
  location(): string;
  make(): LogStore;
  cleanup(): Promise<void>;
}

/** SQLite stores in a fresh temp directory. */
export function sqliteKind(): StoreKind {
  const dir = mkdtempSync(join(tmpdir(), 'customs-store-'));
  const path = join(dir, 'log.db');
  return {
    name: 'sqlite',
    location: () => `sqlite:${path}`,
    make: () => new SqliteStore({ path }),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** PostgreSQL stores in a fresh unique schema. */
export function postgresKind(): StoreKind {
  const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    name: 'postgres',
    location: () => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    make: () => new PostgresStore({ url: PG_URL, schema }),
    cleanup: async () => {
      const s = new PostgresStore({ url: PG_URL, schema });
      await s.dropSchema().catch(() => undefined);
      await s.close();
    },
  };
}
