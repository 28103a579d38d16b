/**
 * Writer thread of the SQLite store: owns its own connection and applies batches, so a commit's
 * fsync never blocks the registry's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LogError } from '../errors.js';
import { applyBatch, openSqlite } from './sqlite.js';
import type { Batch } from './types.js';

const data = (workerData as { data: { path: string; synchronous: 'FULL' | 'NORMAL' } }).data;
const db = openSqlite(data.path, data.synchronous);

parentPort?.on('message', (m: { id: number; batch: Batch }) => {
  try {
    applyBatch(db, m.batch, Date.now());
    parentPort?.postMessage({ id: m.id });
  } catch (e) {
    parentPort?.postMessage({
      id: m.id,
      error: {
        code: e instanceof LogError ? e.code : 'STORE',
        message: e instanceof Error ? e.message : String(e),
      },
    });
  }
});
