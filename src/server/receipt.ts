/**
 * Offline verification of a registry receipt: a c2sp.org/tlog-proof whose `extra` carries the
 * log entry. With a tlog-policy (trusted log key, witnesses, quorum) and optionally the statement
 * bundle, it proves — with no network — that the statement was logged, under a checkpoint the
 * required witnesses cosigned.
 */
import type { KeyObject } from 'node:crypto';
import { LogError, leafHash, parsePolicy, parseTlogProof, verifyTlogProof } from '../tlog/index.js';
import {
  isVerificationCode,
  keyFingerprint,
  parseBundle,
  parseStatement,
  samePublicKey,
} from '../provenance/index.js';
import { bundleMatchesLeaf, leafPublicKey, parseRegistryLeaf } from './leaf.js';
import { RegistryError } from './errors.js';

/** Verdict of {@link verifyReceipt}. */
export interface ReceiptVerdict {
  readonly kind: 'receipt';
  readonly ok: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  readonly index: number;
  readonly origin?: string;
  readonly treeSize?: number;
  readonly witnesses: readonly string[];
  readonly quorumMet: boolean;
  /** Fingerprint of the key the log recorded for the entry. */
  readonly signer?: string;
  /** True when a statement bundle was given and matched the entry. */
  readonly statementChecked: boolean;
  readonly statement?: { readonly predicateType: string; readonly subjects: readonly string[] };
}

/** Inputs of {@link verifyReceipt}. */
export interface VerifyReceiptOptions {
  readonly receipt: string | Uint8Array;
  /** tlog-policy text. */
  readonly policy: string;
  /** The statement bundle the receipt is for (checked against the logged entry when given). */
  readonly bundle?: string | Uint8Array;
  /** Require the entry to be signed by one of these keys. */
  readonly publicKeys?: readonly KeyObject[];
  readonly file?: string;
}

/** Verify a receipt offline. Malformed input throws; failed checks give `ok: false`. */
export function verifyReceipt(o: VerifyReceiptOptions): ReceiptVerdict {
  const file = o.file ?? 'receipt';
  const proof = parseTlogProof(o.receipt, file);
  const policy = parsePolicy(o.policy, 'policy');
  const base = {
    kind: 'receipt' as const,
    index: proof.index,
    witnesses: [] as string[],
    quorumMet: false,
    statementChecked: false,
  };
  if (proof.extra === undefined)
    throw new LogError('BAD_RECEIPT', `${file}: the receipt carries no log entry (extra line)`);
  const fields = parseRegistryLeaf(proof.extra);
  const signer = keyFingerprint(leafPublicKey(fields));
  let r;
  try {
    r = verifyTlogProof(proof, leafHash(proof.extra), policy);
  } catch (e) {
    if (e instanceof LogError && (e.exitCode === 1 || e.code === 'UNKNOWN_ORIGIN')) {
      return { ...base, ok: false, signer, error: { code: e.code, message: e.message } };
    }
    throw e;
  }
  const done = {
    ...base,
    origin: r.checkpoint.origin,
    treeSize: r.checkpoint.size,
    witnesses: r.witnesses,
    quorumMet: r.quorumMet,
    signer,
  };
  if (
    o.publicKeys &&
    o.publicKeys.length > 0 &&
    !o.publicKeys.some((k) => samePublicKey(k, leafPublicKey(fields)))
  ) {
    return {
      ...done,
      ok: false,
      error: { code: 'KEY_MISMATCH', message: 'the logged entry was signed by another key' },
    };
  }
  if (o.bundle === undefined) return { ...done, ok: true };
  const bundle = parseBundle(o.bundle, 'statement');
  try {
    bundleMatchesLeaf(bundle, fields);
  } catch (e) {
    if (
      e instanceof RegistryError ||
      (e instanceof Error && 'code' in e && isVerificationCode(String(e.code)))
    ) {
      return { ...done, ok: false, error: { code: (e as RegistryError).code, message: e.message } };
    }
    throw e;
  }
  const st = parseStatement(bundle.envelope.payload, 'statement');
  return {
    ...done,
    ok: true,
    statementChecked: true,
    statement: {
      predicateType: st.predicateType,
      subjects: st.subject.map((s) => `${s.name ?? ''}@sha256:${s.digest?.['sha256'] ?? ''}`),
    },
  };
}
