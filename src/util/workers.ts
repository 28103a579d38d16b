/**
 * Start worker threads on TypeScript modules whether the library runs from source (via tsx) or
 * from compiled JavaScript: a tiny JS bootstrap registers tsx inside the worker when needed.
 */
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';

/** Start a worker on `entry` (a module URL) with `data` available as `workerData.data`. */
export function startWorker(entry: URL, data: unknown): Worker {
  const needsTsx = entry.pathname.endsWith('.ts');
  const boot = new URL('./worker-boot.mjs', import.meta.url);
  // execArgv: [] — an inherited `--import tsx` resolves against the current directory and breaks
  // after process.chdir(); the bootstrap registers tsx itself when needed.
  return new Worker(boot, {
    execArgv: [],
    workerData: { __entry: entry.href, __needsTsx: needsTsx, data },
  });
}

/** Number of worker threads worth starting for CPU-bound work (leave the main thread its core). */
export function defaultWorkerCount(): number {
  const env = Number(process.env['CUSTOMS_WORKERS']);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(8, cpus().length));
}
