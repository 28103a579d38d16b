/**
 * Ed25519 checkpoint cosignatures, version 1 (https://c2sp.org/tlog-cosignature, signature type
 * 0x04): the witness signs `"cosignature/v1\ntime <ts>\n" || checkpoint text` and the note
 * signature is `u64 BE timestamp || 64-byte Ed25519 signature`.
 */
import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LogError } from './errors.js';
import {
  SIG_TYPE_COSIGNATURE_V1,
  ed25519PublicKeyFromRaw,
  formatSignatureLine,
  noteKeyId,
  ed25519RawPublicKey,
  parseVKey,
} from './note.js';
import type { NoteVerifier, VKey } from './note.js';

/** Largest timestamp allowed by the spec (2^63 − 1) — we also cap at safe integers. */
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

/** The message an Ed25519 v1 cosignature signs. */
export function cosignedMessage(checkpointText: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`, 'utf8');
}

/** A witness cosigning key. */
export interface CosignerKey {
  readonly name: string;
  readonly keyId: number;
  readonly privateKey: KeyObject;
}

/** Build a cosigner key record from a name and Ed25519 private key. */
export function cosignerKey(name: string, privateKey: KeyObject): CosignerKey {
  const pub = ed25519RawPublicKey(privateKey);
  return { name, keyId: noteKeyId(name, SIG_TYPE_COSIGNATURE_V1, pub), privateKey };
}

/** Produce a cosignature signature line (with trailing newline) over a checkpoint text. */
export function cosign(checkpointText: string, key: CosignerKey, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new LogError('BAD_SIGNATURE', 'cosignature timestamp must be a positive integer');
  }
  const sig = sign(null, cosignedMessage(checkpointText, timestamp), key.privateKey);
  const body = Buffer.alloc(8 + sig.length);
  body.writeBigUInt64BE(BigInt(timestamp), 0);
  sig.copy(body, 8);
  return formatSignatureLine(key.name, key.keyId, body);
}

/** Decode the timestamp of a cosignature body (8-byte BE timestamp + 64-byte signature). */
export function cosignatureTimestamp(signature: Buffer): number {
  if (signature.length !== 72) throw new LogError('BAD_SIGNATURE', 'cosignature must be 72 bytes');
  const ts = signature.readBigUInt64BE(0);
  if (ts > BigInt(MAX_TIMESTAMP))
    throw new LogError('BAD_SIGNATURE', 'cosignature timestamp out of range');
  return Number(ts);
}

/** A note verifier for a witness's Ed25519 cosignature (type 0x04) vkey. */
export function cosignatureVerifier(vkey: string | VKey): NoteVerifier {
  const k = typeof vkey === 'string' ? parseVKey(vkey) : vkey;
  if (k.type !== SIG_TYPE_COSIGNATURE_V1) {
    throw new LogError(
      'BAD_KEY',
      `${k.name}: expected a cosignature (0x04) verifier key, got type 0x${k.type.toString(16)}`,
    );
  }
  const key = ed25519PublicKeyFromRaw(k.publicKey);
  return {
    name: k.name,
    keyId: k.keyId,
    verify: (text, signature) => {
      if (signature.length !== 72) return false;
      const ts = signature.readBigUInt64BE(0);
      if (ts === 0n || ts > BigInt(MAX_TIMESTAMP)) return false;
      return verify(
        null,
        cosignedMessage(text.toString('utf8'), Number(ts)),
        key,
        signature.subarray(8),
      );
    },
  };
}
