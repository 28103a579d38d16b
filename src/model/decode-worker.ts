/**
 * Worker side of {@link DecodePool}: reads a byte range of a local weights file with positioned
 * reads and decodes it to float32, returning the array by transfer (no copy).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { decodeToF32, DTYPE_BYTES, type SafetensorsDtype } from '../formats/dtypes.js';

/** A decode job. */
interface Job {
  readonly id: number;
  readonly path: string;
  readonly offset: number;
  readonly count: number;
  readonly dtype: SafetensorsDtype;
}

/** Open descriptors by path (a scan touches one or a few shards); closed on 'close'. */
const fds = new Map<string, number>();
let scratch = new Uint8Array(0);

parentPort?.on('message', (msg: Job | { close: true }) => {
  if ('close' in msg) {
    for (const fd of fds.values()) closeSync(fd);
    fds.clear();
    return;
  }
  try {
    let fd = fds.get(msg.path);
    if (fd === undefined) {
      fd = openSync(msg.path, 'r');
      fds.set(msg.path, fd);
    }
    const length = msg.count * DTYPE_BYTES[msg.dtype];
    if (scratch.length < length) scratch = new Uint8Array(length);
    const bytes = scratch.subarray(0, length); // reused: this thread decodes one chunk at a time
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, msg.offset + done);
      if (n === 0)
        throw new Error(
          `file shrank: got ${done} of ${bytes.length} bytes at offset ${msg.offset}`,
        );
      done += n;
    }
    const out = new Float32Array(msg.count);
    decodeToF32(msg.dtype, bytes, out, 0, msg.count);
    parentPort?.postMessage({ id: msg.id, out }, [out.buffer]);
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
