/**
 * Hash a byte range of a file with positioned reads (no whole-file buffering). Shared by the
 * worker threads and the in-process path for small models.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** Read size per call: large enough to amortise syscalls, small enough to stay in cache. */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** Hash algorithms OMS files/shards may use that Node implements natively. */
export type FileHashAlgorithm = 'sha256' | 'blake2b';

/** Node's name for an OMS algorithm (`blake2b` is BLAKE2b-512 in the OMS registry). */
export function nodeHashName(alg: FileHashAlgorithm): string {
  return alg === 'blake2b' ? 'blake2b512' : 'sha256';
}

/** One unit of hashing work. */
export interface HashJob {
  readonly path: string;
  readonly start: number;
  /** Exclusive end offset; `-1` means "to the end of the file" (whole-file hashing). */
  readonly end: number;
  readonly algorithm: FileHashAlgorithm;
}

/** Result of a job: hex digest and the number of bytes hashed. */
export interface HashResult {
  readonly digest: string;
  readonly size: number;
}

/** Error raised when a file shrinks or cannot be read while hashing. */
export class HashIoError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

let scratch: Buffer | undefined;

/** Hash `[start, end)` of a file synchronously. */
export function hashRangeSync(job: HashJob): HashResult {
  scratch ??= Buffer.allocUnsafe(READ_CHUNK_BYTES);
  const buf = scratch;
  const h = createHash(nodeHashName(job.algorithm));
  let fd: number;
  try {
    fd = openSync(job.path, 'r');
  } catch (e) {
    throw new HashIoError(`cannot open: ${e instanceof Error ? e.message : String(e)}`, job.path);
  }
  try {
    const end = job.end < 0 ? fstatSync(fd).size : job.end;
    let pos = job.start;
    while (pos < end) {
      const want = Math.min(buf.length, end - pos);
      const n = readSync(fd, buf, 0, want, pos);
      if (n === 0)
        throw new HashIoError(
          `file ended at byte ${pos}, expected ${end} (was it modified while hashing?)`,
          job.path,
        );
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
    if (job.end < 0) {
      // A file that grew while being hashed would give a digest of a prefix: detect it.
      const after = fstatSync(fd).size;
      if (after !== end)
        throw new HashIoError(`file size changed from ${end} to ${after} while hashing`, job.path);
    }
    return { digest: h.digest('hex'), size: end - job.start };
  } finally {
    closeSync(fd);
  }
}
