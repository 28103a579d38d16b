/** Worker side of {@link ProjectionPool}: multiplies row blocks by the pool-token matrix. */
import { parentPort, workerData } from 'node:worker_threads';
import { mat, mulABt } from './linalg.js';

interface Init {
  readonly pool: Float32Array;
  readonly poolRows: number;
  readonly cols: number;
}
const init = (workerData as { data: Init }).data;
const pool = mat(init.poolRows, init.cols, init.pool);
parentPort?.on('message', (msg: { id: number; rows: Float32Array; n: number }) => {
  const out = mulABt(mat(msg.n, init.cols, msg.rows), pool);
  parentPort?.postMessage({ id: msg.id, out: out.data }, [out.data.buffer as ArrayBuffer]);
});
