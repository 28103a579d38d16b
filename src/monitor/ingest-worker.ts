/**
 * Worker-thread entry for {@link ingest}: reads every input for one partition of the accounts
 * and posts the state back, transferring the typed arrays (zero-copy) so a large state does not
 * double in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readPartition, type Partition, type WorkerReply } from './ingest.js';
import type { Mapping } from './mapping.js';

interface Job {
  readonly files: readonly { file: string; gzip: boolean }[];
  readonly mapping: Mapping;
  readonly partition: Partition;
  readonly maxLines?: number;
}

const job = (workerData as { data: Job }).data;
const port = parentPort;

async function run(): Promise<void> {
  if (!port) return;
  const { state, results } = await readPartition(
    job.files,
    job.mapping,
    job.partition,
    (p) => {
      const msg: WorkerReply = { kind: 'progress', progress: p };
      port.postMessage(msg);
    },
    job.maxLines,
  );
  const transfer: ArrayBuffer[] = [];
  for (const acc of state.accounts.values())
    transfer.push(
      acc.u.buffer as ArrayBuffer,
      acc.keys.table.buffer as ArrayBuffer,
      acc.frames.table.buffer as ArrayBuffer,
      acc.days.buffer as ArrayBuffer,
    );
  const msg: WorkerReply = { kind: 'done', state, results };
  port.postMessage(msg, transfer);
}

run().catch((e: unknown) => {
  const msg: WorkerReply = { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  port?.postMessage(msg);
});
