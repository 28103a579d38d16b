/**
 * Worker-thread entry of a local target: loads one model and answers requests, so that several
 * local targets (suspect, teacher, controls) generate in parallel on several cores. Started by
 * `openLocalTarget({ worker: true })` through `src/util/workers.ts`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadLocalModel, type LocalModel } from '../engine/index.js';
import { CustomsError } from '../errors.js';
import { localComplete } from './targets.js';
import type { ProbeRequest, TargetInfo } from './target.js';

interface Boot {
  readonly model: string;
  readonly seedOffset: number;
  readonly info: TargetInfo;
}

interface Request {
  readonly id: number;
  readonly req: ProbeRequest;
}

const boot = (workerData as { data: Boot }).data;
let model: LocalModel | null = null;
let loadError: { code: string; message: string } | null = null;
const ready = loadLocalModel({ model: boot.model }).then(
  (m) => {
    model = m;
  },
  (e: unknown) => {
    loadError = {
      code: errorCode(e),
      message: e instanceof Error ? e.message : String(e),
    };
  },
);

/** The error's code as plain text (engine and model errors carry one). */
function errorCode(e: unknown): string {
  return e instanceof CustomsError ? String(e.code as unknown) : 'MODEL';
}

parentPort?.on('message', (msg: Request) => {
  void ready.then(() => {
    try {
      if (!model) throw new Error(loadError?.message ?? 'model not loaded');
      parentPort?.postMessage({
        id: msg.id,
        resp: localComplete(model, msg.req, boot.seedOffset, boot.info),
      });
    } catch (e) {
      parentPort?.postMessage({
        id: msg.id,
        error: {
          code: errorCode(e),
          message: e instanceof Error ? e.message : String(e),
        },
      });
    }
  });
});
