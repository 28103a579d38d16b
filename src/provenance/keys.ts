/**
 * Signing keys for statements and OMS bundles: ECDSA P-256 (default; P-384/P-521 accepted for
 * OMS interop) in PEM. The OMS key "hint" is the hex SHA-256 of the PEM text of the SubjectPublic-
 * KeyInfo (sigstore/model-transparency `sign_ec_key.py`), which Node's SPKI PEM export
 * reproduces byte for byte (64-column lines, trailing newline).
 *
 * ECDSA's hash follows the curve (P-256→SHA-256, P-384→SHA-384, P-521→SHA-512) as in the Python
 * tool; Sigstore `PublicKeyDetails` names are reported for bundles and log leaves.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ProvenanceError } from './errors.js';

/** Largest PEM file accepted (a key or a short chain). */
export const MAX_PEM_BYTES = 64 * 1024;

/** Supported signature profiles. */
export type KeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521';

const CURVES: Record<
  string,
  { alg: KeyAlgorithm; hash: 'sha256' | 'sha384' | 'sha512'; details: string }
> = {
  prime256v1: { alg: 'ecdsa-p256', hash: 'sha256', details: 'PKIX_ECDSA_P256_SHA_256' },
  secp384r1: { alg: 'ecdsa-p384', hash: 'sha384', details: 'PKIX_ECDSA_P384_SHA_384' },
  secp521r1: { alg: 'ecdsa-p521', hash: 'sha512', details: 'PKIX_ECDSA_P521_SHA_512' },
};

const CURVE_OF: Record<KeyAlgorithm, string> = {
  'ecdsa-p256': 'prime256v1',
  'ecdsa-p384': 'secp384r1',
  'ecdsa-p521': 'secp521r1',
};

/** A freshly generated key pair in PEM. */
export interface GeneratedKey {
  readonly algorithm: KeyAlgorithm;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** OMS key hint / registry fingerprint: hex SHA-256 of the public PEM. */
  readonly fingerprint: string;
}

/** Generate an ECDSA key pair (P-256 unless told otherwise). */
export function generateSigningKey(options: { algorithm?: KeyAlgorithm } = {}): GeneratedKey {
  const algorithm = options.algorithm ?? 'ecdsa-p256';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVE_OF[algorithm] });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    algorithm,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem,
    fingerprint: createHash('sha256').update(publicKeyPem).digest('hex'),
  };
}

function profile(
  key: KeyObject,
  file: string,
): { alg: KeyAlgorithm; hash: 'sha256' | 'sha384' | 'sha512'; details: string } {
  if (key.asymmetricKeyType !== 'ec') {
    throw new ProvenanceError(
      'UNSUPPORTED_KEY',
      `only ECDSA keys are supported, got ${key.asymmetricKeyType ?? 'unknown'}`,
      {
        where: { file },
      },
    );
  }
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  const p = CURVES[curve];
  if (!p)
    throw new ProvenanceError('UNSUPPORTED_KEY', `unsupported curve ${curve}; use P-256`, {
      where: { file },
    });
  return p;
}

function pemText(input: string | Uint8Array, file: string): string {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > MAX_PEM_BYTES)
    throw new ProvenanceError('LIMIT_EXCEEDED', `PEM of ${size} bytes exceeds ${MAX_PEM_BYTES}`, {
      where: { file },
    });
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (!text.includes('-----BEGIN '))
    throw new ProvenanceError('BAD_PEM', 'no PEM block found', { where: { file } });
  return text;
}

/** Load a PEM private key (PKCS#8 or SEC1, optionally encrypted with `password`). */
export function loadPrivateKey(
  input: string | Uint8Array,
  options: { file?: string; password?: string } = {},
): KeyObject {
  const file = options.file ?? 'private key';
  const text = pemText(input, file);
  let key: KeyObject;
  try {
    key = createPrivateKey(
      options.password !== undefined
        ? { key: text, format: 'pem', passphrase: options.password }
        : { key: text, format: 'pem' },
    );
  } catch (e) {
    throw new ProvenanceError(
      'BAD_PEM',
      `cannot read private key (${e instanceof Error ? e.message : String(e)})`,
      { where: { file }, cause: e },
    );
  }
  profile(key, file);
  return key;
}

/** Load a PEM public key (SPKI) or take the public half of a private key PEM. */
export function loadPublicKey(
  input: string | Uint8Array,
  options: { file?: string } = {},
): KeyObject {
  const file = options.file ?? 'public key';
  const text = pemText(input, file);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (e) {
    throw new ProvenanceError(
      'BAD_PEM',
      `cannot read public key (${e instanceof Error ? e.message : String(e)})`,
      { where: { file }, cause: e },
    );
  }
  profile(key, file);
  return key;
}

interface KeyFacts {
  readonly pub: KeyObject;
  readonly pem: string;
  readonly der: Buffer;
  readonly fingerprint: string;
  readonly profile: { alg: KeyAlgorithm; hash: 'sha256' | 'sha384' | 'sha512'; details: string };
}

// Exporting a key and reading its curve cost more than an ECDSA verification; a registry
// checks the same few keys millions of times, so derived facts are memoised per KeyObject.
const facts = new WeakMap<KeyObject, KeyFacts>();

function factsOf(key: KeyObject): KeyFacts {
  const have = facts.get(key);
  if (have) return have;
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const pem = pub.export({ type: 'spki', format: 'pem' }).toString();
  const f: KeyFacts = {
    pub,
    pem,
    der: pub.export({ type: 'spki', format: 'der' }),
    fingerprint: createHash('sha256').update(pem).digest('hex'),
    profile: profile(pub, 'key'),
  };
  facts.set(key, f);
  return f;
}

/** Public key of a key object (identity for public keys). */
export function publicOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? factsOf(key).pub : key;
}

/** SPKI PEM text of a key's public half. */
export function publicKeyPem(key: KeyObject): string {
  return factsOf(key).pem;
}

/** DER SubjectPublicKeyInfo of a key's public half. */
export function publicKeyDer(key: KeyObject): Buffer {
  return factsOf(key).der;
}

/** OMS key hint and registry key fingerprint: hex SHA-256 of the SPKI PEM text. */
export function keyFingerprint(key: KeyObject): string {
  return factsOf(key).fingerprint;
}

/** The hash ECDSA uses with this key's curve. */
export function hashForKey(key: KeyObject): 'sha256' | 'sha384' | 'sha512' {
  return factsOf(key).profile.hash;
}

/** Sigstore `PublicKeyDetails` name for this key (e.g. `PKIX_ECDSA_P256_SHA_256`). */
export function keyDetails(key: KeyObject): string {
  return factsOf(key).profile.details;
}

/** The key's algorithm name. */
export function keyAlgorithm(key: KeyObject): KeyAlgorithm {
  return factsOf(key).profile.alg;
}

/** ECDSA-sign `data` (DER signature) with the curve's hash. */
export function signBytes(privateKey: KeyObject, data: Uint8Array): Buffer {
  return sign(hashForKey(privateKey), data, { key: privateKey, dsaEncoding: 'der' });
}

/** Verify an ECDSA DER signature with the curve's hash; false (never throws) on malformed input. */
export function verifyBytes(
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return verify(
      hashForKey(publicKey),
      data,
      { key: publicOf(publicKey), dsaEncoding: 'der' },
      signature,
    );
  } catch {
    return false;
  }
}

/** True if two keys have the same public half. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return publicKeyDer(a).equals(publicKeyDer(b));
}
