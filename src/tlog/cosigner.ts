/**
 * The log side of witnessing: after new checkpoints, ask each configured witness to cosign via
 * `add-checkpoint` (c2sp.org/tlog-witness), with a consistency proof from the size the witness
 * last cosigned (learned from a 409 when unknown), verify the returned cosignatures, and store the
 * cosigned checkpoint so receipts can carry it.
 */
import { LogError } from './errors.js';
import { cosignatureVerifier } from './cosignature.js';
import { parseNote, parseSignatureLine } from './note.js';
import type { NoteVerifier } from './note.js';
import type { LogHead, TransparencyLog } from './log.js';

/** Per-request timeout towards a witness. */
export const WITNESS_TIMEOUT_MS = 5000;

/** A witness the log talks to. */
export interface WitnessEndpoint {
  /** Submission prefix URL (the request goes to `<url>/add-checkpoint`). */
  readonly url: string;
  /** The witness's cosignature vkey (type 0x04). */
  readonly vkey: string;
}

/** Outcome of one cosigning round. */
export interface CosignRound {
  readonly size: number;
  readonly cosigned: readonly string[];
  readonly failed: readonly { readonly witness: string; readonly reason: string }[];
}

type Fetch = (
  url: string,
  init: { method: string; body: string; headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

/** Collects witness cosignatures for a log's checkpoints. */
export class Cosigner {
  private readonly log: TransparencyLog;
  private readonly witnesses: { url: string; name: string; verifier: NoteVerifier }[];
  private readonly fetch: Fetch;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CosignRound> | undefined;
  private lastSize = -1;

  constructor(args: {
    log: TransparencyLog;
    witnesses: readonly WitnessEndpoint[];
    fetch?: Fetch;
  }) {
    this.log = args.log;
    this.witnesses = args.witnesses.map((w) => {
      const verifier = cosignatureVerifier(w.vkey);
      return { url: w.url.replace(/\/+$/, ''), name: verifier.name, verifier };
    });
    this.fetch = args.fetch ?? ((url, init) => fetch(url, init));
  }

  /** Run a round every `intervalMs` when the tree grew. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      if (!this.running && this.log.current.size !== this.lastSize)
        void this.round().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  /** Stop the periodic rounds. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ask every witness to cosign the current checkpoint; store the cosigned note. */
  round(): Promise<CosignRound> {
    this.running ??= this.doRound().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async doRound(): Promise<CosignRound> {
    const head = this.log.current;
    const results = await Promise.all(
      this.witnesses.map((w) =>
        this.ask(w, head).then(
          (line) => ({ w, line }),
          (e: unknown) => ({ w, error: e }),
        ),
      ),
    );
    const lines: string[] = [];
    const failed: { witness: string; reason: string }[] = [];
    for (const r of results) {
      if ('line' in r) lines.push(r.line);
      else
        failed.push({
          witness: r.w.name,
          reason: r.error instanceof Error ? r.error.message : String(r.error),
        });
    }
    if (lines.length > 0)
      await this.log.store.storeCosignedCheckpoint(head.size, head.checkpoint + lines.join(''));
    this.lastSize = head.size;
    return {
      size: head.size,
      cosigned: results.filter((r) => 'line' in r).map((r) => r.w.name),
      failed,
    };
  }

  private async ask(
    w: { url: string; name: string; verifier: NoteVerifier },
    head: LogHead,
  ): Promise<string> {
    let old = await this.log.store.getWitnessSize(w.name);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (old > head.size)
        throw new LogError(
          'INCONSISTENT',
          `witness ${w.name} has cosigned size ${old} > our ${head.size}`,
        );
      const proof =
        old === 0 || old === head.size ? [] : await this.log.consistencyProof(old, head.size);
      const body = `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${head.checkpoint}`;
      const res = await this.fetch(`${w.url}/add-checkpoint`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(WITNESS_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.status === 409) {
        const m = /^(0|[1-9][0-9]{0,15})\n?$/.exec(text);
        if (!m) throw new LogError('BAD_NOTE', `witness ${w.name}: malformed 409 body`);
        old = Number(m[1]);
        await this.log.store.setWitnessSize(w.name, old);
        continue;
      }
      if (res.status !== 200)
        throw new LogError(
          'BAD_SIGNATURE',
          `witness ${w.name} answered ${res.status}: ${text.slice(0, 200).trim()}`,
        );
      const cpText = Buffer.from(parseNote(head.checkpoint).text, 'utf8');
      for (const raw of text.split('\n').filter((l) => l !== '')) {
        const sig = parseSignatureLine(raw, `witness ${w.name} response`);
        if (
          sig.name === w.verifier.name &&
          sig.keyId === w.verifier.keyId &&
          w.verifier.verify(cpText, sig.signature)
        ) {
          await this.log.store.setWitnessSize(w.name, head.size);
          return `${raw}\n`;
        }
      }
      throw new LogError('BAD_SIGNATURE', `witness ${w.name} returned no valid cosignature`);
    }
    throw new LogError('CONFLICT', `witness ${w.name} kept answering 409`);
  }
}
