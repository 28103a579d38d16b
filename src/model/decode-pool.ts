/**
 * Parallel streaming of large local safetensors tensors: worker threads read disjoint row chunks
 * with positioned reads and decode them to float32 at the same time, so a full scan of a
 * multi-GB model is bound by the storage rather than by one core's decoding rate. The pool is
 * started on first use, its threads are unref'd (they never keep the process alive), and chunks
 * are always delivered in order.
 */
import type { Worker } from 'node:worker_threads';
import { defaultWorkerCount, startWorker } from '../util/workers.js';
import { SourceError } from '../errors.js';
import type { SafetensorsDtype } from '../formats/dtypes.js';

/** Tensors smaller than this are read on the calling thread (thread hand-offs would dominate). */
export const PARALLEL_SCAN_MIN_BYTES = 64 * 2 ** 20;
/** Chunks in flight per worker: one being decoded, one queued, so no worker waits for the main thread. */
export const CHUNKS_IN_FLIGHT_PER_WORKER = 2;

interface Pending {
  resolve(x: Float32Array): void;
  reject(e: unknown): void;
  path: string;
  offset: number;
}

/** A lazily started pool of decode workers shared by every model view of this thread. */
export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private nextWorker = 0;
  /** Tensors at least this large are scanned in parallel (tests lower it to exercise the path). */
  minBytes = PARALLEL_SCAN_MIN_BYTES;

  constructor(readonly threads = defaultWorkerCount()) {}

  /** Number of worker threads (0 when parallel decoding is not worth it on this machine). */
  get size(): number {
    return this.threads > 1 ? this.threads : 0;
  }

  private start(): void {
    for (let i = 0; i < this.threads; i++) {
      const w = startWorker(new URL('./decode-worker.ts', import.meta.url), null);
      w.unref();
      w.on('message', (m: { id: number; out?: Float32Array; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) for (const x of this.workers) x.unref();
        if (m.out) p.resolve(m.out);
        else
          p.reject(
            new SourceError('IO', `parallel read failed: ${m.error ?? 'unknown error'}`, {
              where: { file: p.path, offset: p.offset },
            }),
          );
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  /** Read `count` elements of `dtype` at byte `offset` of the local file `path`, decoded to f32. */
  decode(
    path: string,
    offset: number,
    count: number,
    dtype: SafetensorsDtype,
  ): Promise<Float32Array> {
    if (this.workers.length === 0) this.start();
    const id = this.seq++;
    const w = this.workers[this.nextWorker++ % this.workers.length] as Worker;
    w.ref(); // keep the process alive while a chunk is outstanding
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, path, offset });
      w.postMessage({ id, path, offset, count, dtype });
    });
  }

  /** Stop the workers (tests and long-lived hosts); the pool restarts on next use. */
  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

let shared: DecodePool | null = null;
/** The process-wide pool (per thread). */
export function sharedDecodePool(): DecodePool {
  shared ??= new DecodePool();
  return shared;
}
