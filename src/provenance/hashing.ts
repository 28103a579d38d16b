/**
 * Parallel streaming hashing: jobs (file byte ranges) are spread over worker threads
 * (`src/util/workers.ts`), each reading with positioned reads into a reused buffer. Small
 * workloads are hashed in-process because starting a TypeScript worker costs more than hashing a
 * few megabytes.
 */
import type { Worker } from 'node:worker_threads';
import { defaultWorkerCount, startWorker } from '../util/workers.js';
import { ProvenanceError } from './errors.js';
import { HashIoError, hashRangeSync } from './hash-range.js';
import type { HashJob, HashResult } from './hash-range.js';

export type { HashJob, HashResult, FileHashAlgorithm } from './hash-range.js';

/** Below this many bytes in total, hash in the calling thread (worker start-up dominates). */
export const IN_PROCESS_BYTES = 32 * 1024 * 1024;

interface Pending {
  readonly resolve: (r: HashResult) => void;
  readonly reject: (e: unknown) => void;
}

interface WorkerReply {
  readonly id: number;
  readonly digest?: string;
  readonly size?: number;
  readonly error?: string;
  readonly path?: string;
}

/** Options for {@link hashJobs}. */
export interface HashJobsOptions {
  /** Worker threads; 0 hashes in-process. Default: one per core (`CUSTOMS_WORKERS` overrides). */
  readonly workers?: number;
  /** Total bytes of the jobs, when known, to decide whether workers are worth starting. */
  readonly totalBytes?: number;
  /** Progress callback (bytes hashed so far). */
  readonly onProgress?: (bytes: number) => void;
}

function ioError(message: string, path: string): ProvenanceError {
  return new ProvenanceError('IO', message, { where: { file: path } });
}

/**
 * Hash every job; results are in job order. Each worker holds at most two jobs in flight so a
 * slow file does not starve the others.
 */
export async function hashJobs(
  jobs: readonly HashJob[],
  options: HashJobsOptions = {},
): Promise<HashResult[]> {
  const results: HashResult[] = new Array<HashResult>(jobs.length);
  let done = 0;
  const wanted = options.workers ?? defaultWorkerCount();
  const small = options.totalBytes !== undefined && options.totalBytes < IN_PROCESS_BYTES;
  if (wanted === 0 || small || jobs.length === 0) {
    for (let i = 0; i < jobs.length; i++) {
      try {
        results[i] = hashRangeSync(jobs[i] as HashJob);
      } catch (e) {
        if (e instanceof HashIoError) throw ioError(e.message, e.path);
        throw e;
      }
      done += results[i]?.size ?? 0;
      options.onProgress?.(done);
    }
    return results;
  }
  const n = Math.min(wanted, jobs.length);
  const workers: Worker[] = [];
  const pending = new Map<number, Pending>();
  let failure: Error | undefined;
  try {
    for (let i = 0; i < n; i++) {
      const w = startWorker(new URL('./hash-worker.ts', import.meta.url), null);
      w.on('message', (m: WorkerReply) => {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.error !== undefined) p.reject(ioError(m.error, m.path ?? ''));
        else p.resolve({ digest: m.digest ?? '', size: m.size ?? 0 });
      });
      w.on('error', (e: Error) => {
        failure ??= e;
        for (const p of pending.values()) p.reject(e);
        pending.clear();
      });
      workers.push(w);
    }
    let next = 0;
    const run = async (w: Worker): Promise<void> => {
      while (next < jobs.length && failure === undefined) {
        const id = next++;
        const r = await new Promise<HashResult>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          w.postMessage({ id, job: jobs[id] });
        });
        results[id] = r;
        done += r.size;
        options.onProgress?.(done);
      }
    };
    // Two lanes per worker keep its queue non-empty while a reply is in flight.
    await Promise.all(workers.flatMap((w) => [run(w), run(w)]));
    if (failure !== undefined) throw failure;
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
