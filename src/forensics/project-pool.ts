/**
 * A small pool of worker threads that project blocks of weight rows onto the pool-token
 * embeddings (rows · Eᵀ), so fingerprinting wide models uses every core while the main thread
 * keeps reading and decoding the next rows. Small jobs run inline (thread overhead would dominate).
 */
import type { Worker } from 'node:worker_threads';
import { defaultWorkerCount, startWorker } from '../util/workers.js';
import { mat, mulABt, type Mat } from './linalg.js';

/** Below this many multiply-adds a projection runs on the calling thread. */
export const PROJECTION_INLINE_WORK = 32e6;

/** Projects row blocks onto a fixed matrix, in parallel. Call {@link ProjectionPool.close} when done. */
export class ProjectionPool {
  private workers: Worker[] = [];
  private next = 0;
  private seq = 0;
  private pending = new Map<
    number,
    { resolve: (x: Float32Array) => void; reject: (e: unknown) => void }
  >();

  constructor(
    private readonly pool: Mat,
    threads = defaultWorkerCount(),
  ) {
    if (threads > 1 && pool.rows * pool.cols > 0) {
      for (let i = 0; i < threads; i++) {
        const w = startWorker(new URL('./project-worker.ts', import.meta.url), {
          pool: pool.data,
          poolRows: pool.rows,
          cols: pool.cols,
        });
        w.on('message', (m: { id: number; out: Float32Array }) => {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          p?.resolve(m.out);
        });
        w.on('error', (e) => {
          for (const p of this.pending.values()) p.reject(e);
          this.pending.clear();
        });
        this.workers.push(w);
      }
    }
  }

  /** rows (n × cols) · poolᵀ → n × poolRows (the input is copied, never detached). */
  project(rows: Float32Array, n: number): Promise<Mat> {
    const cols = this.pool.cols;
    if (this.workers.length === 0 || n * cols * this.pool.rows < PROJECTION_INLINE_WORK) {
      return Promise.resolve(mulABt(mat(n, cols, rows), this.pool));
    }
    // split across workers by rows
    const parts = Math.min(this.workers.length, n);
    const per = Math.ceil(n / parts);
    const jobs: Promise<Float32Array>[] = [];
    for (let p = 0; p < parts; p++) {
      const lo = p * per;
      const hi = Math.min(n, lo + per);
      if (hi <= lo) continue;
      const block = rows.slice(lo * cols, hi * cols);
      const id = this.seq++;
      const w = this.workers[this.next++ % this.workers.length] as Worker;
      jobs.push(
        new Promise<Float32Array>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          w.postMessage({ id, rows: block, n: hi - lo }, [block.buffer]);
        }),
      );
    }
    return Promise.all(jobs).then((outs) => {
      const T = this.pool.rows;
      const out = new Float32Array(n * T);
      let o = 0;
      for (const x of outs) {
        out.set(x, o);
        o += x.length;
      }
      return mat(n, T, out);
    });
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
