/**
 * Watermark keys: a 256-bit secret in a small JSON file, a public key id (a commitment that can be
 * published and timestamped when the key is deployed, so the key demonstrably predates a
 * suspect), derived per-purpose subkeys, and decoy keys for built-in controls.
 *
 * Key schedule (customs-wm/v1): subkey(K, domain) = HMAC-SHA256(K, "customs-wm/v1\0" ‖ domain)
 * (RFC 2104 HMAC with SHA-256, FIPS 180-4), i.e. HKDF-Expand-like domain separation with a single
 * block. Each scheme, parameter set and purpose gets its own subkey, so values of different
 * schemes are independent even under one master key.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { WatermarkError } from './errors.js';

/** Master keys are 32 bytes. */
export const KEY_BYTES = 32;
/** Largest key file read (a key file is ~200 bytes; anything huge is not one). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;
/** Prefix of every subkey derivation (version of the key schedule). */
export const KEY_SCHEDULE_PREFIX = 'customs-wm/v1\0';

/** A loaded master key. */
export interface WatermarkKey {
  /** The 32-byte secret. */
  readonly secret: Uint8Array;
  /** Public id: hex of the first 8 bytes of SHA-256("customs-wm/v1/key-id\0" ‖ secret). */
  readonly id: string;
  /** Optional human label from the key file. */
  readonly label: string | null;
  /** True for decoy keys derived for controls (never used to generate). */
  readonly decoy: boolean;
}

/** Compute the public id of a secret. */
export function keyId(secret: Uint8Array): string {
  return createHash('sha256')
    .update('customs-wm/v1/key-id\0')
    .update(secret)
    .digest('hex')
    .slice(0, 16);
}

/** Wrap 32 secret bytes as a key. */
export function keyFromSecret(secret: Uint8Array, label: string | null = null): WatermarkKey {
  if (secret.length !== KEY_BYTES)
    throw new WatermarkError('BAD_KEY', `a key is ${KEY_BYTES} bytes, got ${secret.length}`);
  const s = Uint8Array.from(secret);
  return { secret: s, id: keyId(s), label, decoy: false };
}

/** A fresh random key. */
export function generateKey(label: string | null = null): WatermarkKey {
  return keyFromSecret(randomBytes(KEY_BYTES), label);
}

/** The 32-byte subkey for a purpose (see the module comment). */
export function deriveSubkey(key: WatermarkKey, domain: string): Buffer {
  return createHmac('sha256', key.secret).update(KEY_SCHEDULE_PREFIX).update(domain).digest();
}

/**
 * Decoy key i: derived from the master key with domain "decoy:i". Decoys are never used for
 * generation, so a suspect has no reason to carry their watermark: their p-values are the
 * audit's negative controls.
 */
export function decoyKey(key: WatermarkKey, i: number): WatermarkKey {
  const secret = Uint8Array.from(deriveSubkey(key, `decoy:${i}`));
  return { secret, id: keyId(secret), label: `decoy ${i} of ${key.id}`, decoy: true };
}

/** The JSON a key file holds. */
export interface KeyFileJson {
  readonly type: 'customs-watermark-key';
  readonly version: 1;
  readonly key: string;
  readonly id: string;
  readonly label?: string;
  readonly created?: string;
}

/** Serialise a key for a key file (keep it secret: it holds the key). */
export function keyToJson(key: WatermarkKey): KeyFileJson {
  return {
    type: 'customs-watermark-key',
    version: 1,
    key: Buffer.from(key.secret).toString('hex'),
    id: key.id,
    ...(key.label !== null ? { label: key.label } : {}),
    created: new Date().toISOString(),
  };
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Parse a key file's text: the JSON written by {@link keyToJson}, or one line of 64 hex digits.
 * A stated `id` must match the key (catches truncated or edited files).
 */
export function parseKeyFile(text: string, file = 'key file'): WatermarkKey {
  const t = text.trim();
  if (HEX64.test(t)) return keyFromSecret(Buffer.from(t, 'hex'));
  let raw: unknown;
  try {
    raw = JSON.parse(t);
  } catch (e) {
    throw new WatermarkError('BAD_KEY', 'not a key file: expected JSON or 64 hex digits', {
      where: { file },
      cause: e,
    });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new WatermarkError('BAD_KEY', 'key file must be a JSON object', { where: { file } });
  const o = raw as Record<string, unknown>;
  if (o['type'] !== 'customs-watermark-key')
    throw new WatermarkError('BAD_KEY', 'type must be "customs-watermark-key"', {
      where: { file, field: 'type' },
    });
  if (o['version'] !== 1)
    throw new WatermarkError('BAD_KEY', `unsupported version ${JSON.stringify(o['version'])}`, {
      where: { file, field: 'version' },
    });
  const k = o['key'];
  if (typeof k !== 'string' || !HEX64.test(k))
    throw new WatermarkError('BAD_KEY', 'key must be 64 hex digits (32 bytes)', {
      where: { file, field: 'key' },
    });
  const label = typeof o['label'] === 'string' ? o['label'] : null;
  const key = keyFromSecret(Buffer.from(k, 'hex'), label);
  if (o['id'] !== undefined && o['id'] !== key.id)
    throw new WatermarkError(
      'BAD_KEY',
      `id ${JSON.stringify(o['id'])} does not match the key (${key.id})`,
      {
        where: { file, field: 'id' },
      },
    );
  return key;
}

/** Read and parse a key file. */
export async function loadKeyFile(path: string): Promise<WatermarkKey> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new WatermarkError('BAD_KEY', 'cannot read the key file', {
      where: { file: path },
      cause: e,
    });
  }
  if (size > MAX_KEY_FILE_BYTES)
    throw new WatermarkError('BAD_KEY', `key file of ${size} bytes is not a key file`, {
      where: { file: path },
    });
  return parseKeyFile(await readFile(path, 'utf8'), path);
}
