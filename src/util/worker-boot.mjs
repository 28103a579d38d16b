// Worker bootstrap: register tsx's loader inside the worker (worker threads do not inherit the
// loader registered by bin/customs.js), then import the real worker module named in workerData.
import { workerData } from 'node:worker_threads';
if (workerData && workerData.__needsTsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.__entry);
