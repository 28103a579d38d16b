/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): an offline receipt — entry index, inclusion
 * proof and a (cosigned) checkpoint — verifiable with no network against a tlog-policy.
 */
import { LogError } from './errors.js';
import { HASH_SIZE, verifyInclusion } from './merkle.js';
import { decodeBase64Strict, parseNote } from './note.js';
import { parseCheckpointBody } from './checkpoint.js';
import { verifyCheckpointWithPolicy } from './policy.js';
import type { Policy, PolicyResult } from './policy.js';

/** First line of every proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** Largest proof file accepted: 63 hashes + a checkpoint note with many cosignatures. */
export const MAX_PROOF_BYTES = 600 * 1024;
/** Most inclusion hashes in a proof (a tree of 2^63 leaves needs 63). */
export const MAX_PROOF_HASHES = 63;

/** A parsed tlog-proof. */
export interface TlogProof {
  readonly extra?: Buffer;
  readonly index: number;
  readonly hashes: readonly Buffer[];
  /** The checkpoint note, verbatim. */
  readonly checkpoint: string;
}

/** Serialise a tlog-proof. */
export function formatTlogProof(p: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index}`);
  for (const h of p.hashes) lines.push(h.toString('base64'));
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

/** Parse a tlog-proof; every malformed line is a `BAD_RECEIPT` naming the line. */
export function parseTlogProof(input: string | Uint8Array, file = 'receipt'): TlogProof {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > MAX_PROOF_BYTES)
    throw new LogError('LIMIT_EXCEEDED', `${file}: proof exceeds ${MAX_PROOF_BYTES} bytes`);
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new LogError('BAD_RECEIPT', `${file}: no blank line before the checkpoint`);
  const head = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (head[0] !== TLOG_PROOF_HEADER)
    throw new LogError('BAD_RECEIPT', `${file}: first line must be ${TLOG_PROOF_HEADER}`, {
      where: { file, line: 1 },
    });
  let i = 1;
  let extra: Buffer | undefined;
  if (head[i]?.startsWith('extra ')) {
    extra = decodeBase64Strict((head[i] as string).slice(6), `${file}: extra`);
    i++;
  }
  const idx = head[i];
  if (idx === undefined || !/^index (0|[1-9][0-9]{0,15})$/.test(idx)) {
    throw new LogError('BAD_RECEIPT', `${file}: expected "index <n>"`, {
      where: { file, line: i + 1 },
    });
  }
  const index = Number(idx.slice(6));
  if (!Number.isSafeInteger(index)) throw new LogError('BAD_RECEIPT', `${file}: index too large`);
  const hashes: Buffer[] = [];
  for (let j = i + 1; j < head.length; j++) {
    if (hashes.length >= MAX_PROOF_HASHES)
      throw new LogError('LIMIT_EXCEEDED', `${file}: more than ${MAX_PROOF_HASHES} proof hashes`);
    let h: Buffer;
    try {
      h = decodeBase64Strict(head[j] as string, `${file}: proof hash`);
    } catch (e) {
      throw new LogError('BAD_RECEIPT', `${file}: proof line is not base64`, {
        cause: e,
        where: { file, line: j + 1 },
      });
    }
    if (h.length !== HASH_SIZE)
      throw new LogError('BAD_RECEIPT', `${file}: proof hash is not 32 bytes`, {
        where: { file, line: j + 1 },
      });
    hashes.push(h);
  }
  // Syntax check of the checkpoint now, signatures later against a policy.
  const note = parseNote(checkpoint, `${file}: checkpoint`);
  parseCheckpointBody(note.text, `${file}: checkpoint`);
  return extra !== undefined ? { extra, index, hashes, checkpoint } : { index, hashes, checkpoint };
}

/** Result of verifying a receipt. */
export interface ReceiptVerification extends PolicyResult {
  readonly index: number;
}

/**
 * Verify a tlog-proof for a given leaf hash: checkpoint signed by a policy log, witness quorum
 * met, inclusion proof binds the leaf to the checkpoint root. Throws on any failure.
 */
export function verifyTlogProof(
  proof: TlogProof,
  leafHash: Uint8Array,
  policy: Policy,
): ReceiptVerification {
  const r = verifyCheckpointWithPolicy(proof.checkpoint, policy);
  verifyInclusion({
    index: proof.index,
    size: r.checkpoint.size,
    leafHash,
    proof: proof.hashes,
    root: r.checkpoint.rootHash,
  });
  return { ...r, index: proof.index };
}
