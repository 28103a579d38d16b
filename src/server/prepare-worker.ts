/**
 * Worker-thread entry that prepares submissions (parse, validate, verify the signature, build the
 * leaf) so the registry's main thread only sequences and commits.
 */
import { parentPort } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { CustomsError } from '../errors.js';
import { isObject, loadPublicKey, parseJson } from '../provenance/index.js';
import { RegistryError } from './errors.js';
import { prepareSubmission } from './prepare.js';
import { MAX_STATEMENT_BYTES } from './limits.js';

const keys = new Map<string, KeyObject>();

interface Job {
  readonly id: number;
  readonly body: Uint8Array;
  readonly pem: string;
  readonly fingerprint: string;
}

parentPort?.on('message', (job: Job) => {
  try {
    let key = keys.get(job.pem);
    if (!key) {
      if (keys.size > 1000) keys.clear();
      key = loadPublicKey(job.pem);
      keys.set(job.pem, key);
    }
    const json = parseJson(job.body, { file: 'submission', maxBytes: MAX_STATEMENT_BYTES });
    if (!isObject(json))
      throw new RegistryError('BAD_REQUEST', 'submission must be a Sigstore bundle JSON object');
    const p = prepareSubmission(json, key, job.fingerprint);
    parentPort?.postMessage({ id: job.id, prepared: p });
  } catch (e) {
    if (e instanceof CustomsError) {
      const err = e as CustomsError<string>;
      const code: string = err.code;
      parentPort?.postMessage({
        id: job.id,
        error: { name: err.name, code, message: err.message, details: err.details ?? null },
      });
    } else {
      parentPort?.postMessage({
        id: job.id,
        error: {
          name: 'Error',
          code: 'INTERNAL',
          message: e instanceof Error ? e.message : String(e),
          details: null,
        },
      });
    }
  }
});
