/**
 * Worker-thread entry for streaming file hashing: receives {@link HashJob}s, answers with the
 * digest or an error message. Started through `src/util/workers.ts`.
 */
import { parentPort } from 'node:worker_threads';
import { HashIoError, hashRangeSync } from './hash-range.js';
import type { HashJob } from './hash-range.js';

interface Request {
  readonly id: number;
  readonly job: HashJob;
}

parentPort?.on('message', (msg: Request) => {
  try {
    const r = hashRangeSync(msg.job);
    parentPort?.postMessage({ id: msg.id, digest: r.digest, size: r.size });
  } catch (e) {
    parentPort?.postMessage({
      id: msg.id,
      error: e instanceof Error ? e.message : String(e),
      path: e instanceof HashIoError ? e.path : msg.job.path,
    });
  }
});
