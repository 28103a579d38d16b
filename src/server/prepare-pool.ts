/**
 * A small pool of worker threads running {@link prepareSubmission} (signature verification is
 * the registry's dominant CPU cost; moving it off the main thread lets sequencing and HTTP use
 * the other core). Errors come back as the same typed errors the in-process path throws.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/workers.js';
import { ProvenanceError } from '../provenance/index.js';
import type { ProvenanceErrorCode } from '../provenance/index.js';
import { LogError } from '../tlog/index.js';
import type { LogErrorCode } from '../tlog/index.js';
import { RegistryError } from './errors.js';
import type { RegistryErrorCode } from './errors.js';
import type { PreparedSubmission } from './prepare.js';

interface Reply {
  readonly id: number;
  readonly prepared?: PreparedSubmission;
  readonly error?: {
    name: string;
    code: string;
    message: string;
    details: Record<string, unknown> | null;
  };
}

function rebuild(e: NonNullable<Reply['error']>): Error {
  const opts = e.details ? { details: e.details } : {};
  if (e.name === 'ProvenanceError')
    return new ProvenanceError(e.code as ProvenanceErrorCode, e.message, opts);
  if (e.name === 'RegistryError')
    return new RegistryError(e.code as RegistryErrorCode, e.message, opts);
  if (e.name === 'LogError') return new LogError(e.code as LogErrorCode, e.message, opts);
  return new Error(e.message);
}

/** Worker pool preparing submissions. */
export class PreparePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (p: PreparedSubmission) => void; reject: (e: unknown) => void }
  >();
  private next = 0;
  private rr = 0;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = startWorker(new URL('./prepare-worker.ts', import.meta.url), null);
      w.on('message', (m: Reply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(rebuild(m.error));
        else if (m.prepared) p.resolve(m.prepared);
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  /** Prepare one submission in a worker. */
  prepare(body: Uint8Array, pem: string, fingerprint: string): Promise<PreparedSubmission> {
    const w = this.workers[this.rr++ % this.workers.length];
    if (!w) return Promise.reject(new RegistryError('UNAVAILABLE', 'no verification workers'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, body, pem, fingerprint });
    });
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.pending.values())
      p.reject(new RegistryError('UNAVAILABLE', 'registry is shutting down'));
    this.pending.clear();
  }
}
