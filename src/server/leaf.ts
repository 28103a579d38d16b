/**
 * The registry's log leaf: an RFC 8785 canonical JSON object shaped like a Rekor v2
 * `hashedrekord` v0.0.2 entry (sigstore/rekor-tiles `pkg/types/hashedrekord`) — the SHA-256 of
 * the DSSE pre-authentication encoding, the signature and the signer's public key — so each leaf
 * is small (< 1 KiB, far under the 64 KiB tile-entry limit) while the full statement is stored
 * beside the log, addressed by the digest of its canonical bundle JSON.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  canonicalJson,
  decodeBase64,
  isObject,
  keyDetails,
  pae,
  parseJson,
  publicKeyDer,
  verifyBytes,
} from '../provenance/index.js';
import type { ParsedBundle } from '../provenance/index.js';
import { RegistryError } from './errors.js';

/** Fields of a registry leaf. */
export interface LeafFields {
  /** SHA-256 of PAE(payloadType, payload). */
  readonly paeDigest: Buffer;
  readonly signature: Buffer;
  readonly keyDetails: string;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Buffer;
}

/** Build the canonical leaf bytes for a verified bundle and its signer key. */
export function registryLeaf(bundle: ParsedBundle, key: KeyObject): Buffer {
  const env = bundle.envelope;
  const sig = env.signatures[0];
  if (!sig) throw new RegistryError('BAD_REQUEST', 'bundle has no signature');
  const leaf = {
    apiVersion: '0.0.2',
    kind: 'hashedrekord',
    spec: {
      hashedRekordV002: {
        data: {
          algorithm: 'SHA2_256',
          digest: createHash('sha256').update(pae(env.payloadType, env.payload)).digest('base64'),
        },
        signature: {
          content: sig.sig.toString('base64'),
          verifier: {
            keyDetails: keyDetails(key),
            publicKey: { rawBytes: publicKeyDer(key).toString('base64') },
          },
        },
      },
    },
  };
  return Buffer.from(canonicalJson(leaf), 'utf8');
}

/** Parse leaf bytes back into fields (for receipts verified offline). */
export function parseRegistryLeaf(data: Uint8Array): LeafFields {
  const v = parseJson(data, { file: 'log entry', maxBytes: 65535 });
  const spec = isObject(v) && isObject(v['spec']) ? v['spec']['hashedRekordV002'] : undefined;
  if (
    !isObject(v) ||
    v['kind'] !== 'hashedrekord' ||
    v['apiVersion'] !== '0.0.2' ||
    !isObject(spec)
  ) {
    throw new RegistryError('BAD_RECEIPT', 'log entry is not a hashedrekord v0.0.2 leaf');
  }
  const data2 = spec['data'];
  const sig = spec['signature'];
  if (
    !isObject(data2) ||
    data2['algorithm'] !== 'SHA2_256' ||
    !isObject(sig) ||
    !isObject(sig['verifier'])
  ) {
    throw new RegistryError('BAD_RECEIPT', 'log entry lacks data or signature');
  }
  const ver = sig['verifier'];
  const pk = isObject(ver['publicKey']) ? ver['publicKey']['rawBytes'] : undefined;
  const details = ver['keyDetails'];
  if (typeof details !== 'string')
    throw new RegistryError('BAD_RECEIPT', 'log entry lacks keyDetails');
  const fields = {
    paeDigest: decodeBase64(data2['digest'], 'data.digest', 'log entry'),
    signature: decodeBase64(sig['content'], 'signature.content', 'log entry'),
    keyDetails: details,
    publicKey: decodeBase64(pk, 'publicKey.rawBytes', 'log entry'),
  };
  if (fields.paeDigest.length !== 32)
    throw new RegistryError('BAD_RECEIPT', 'log entry digest is not SHA-256');
  // The canonical form is the only accepted encoding: re-encoding must give the same bytes.
  if (!Buffer.from(data).equals(Buffer.from(canonicalJson(v), 'utf8')))
    throw new RegistryError('BAD_RECEIPT', 'log entry is not canonical JSON');
  return fields;
}

/** The signer key recorded in a leaf. */
export function leafPublicKey(f: LeafFields): KeyObject {
  try {
    return createPublicKey({ key: f.publicKey, format: 'der', type: 'spki' });
  } catch (e) {
    throw new RegistryError('BAD_RECEIPT', 'log entry public key is malformed', { cause: e });
  }
}

/** Check that a statement bundle is the one a leaf records (same PAE digest and signature, valid signature). */
export function bundleMatchesLeaf(bundle: ParsedBundle, f: LeafFields): void {
  const env = bundle.envelope;
  const message = pae(env.payloadType, env.payload);
  if (!createHash('sha256').update(message).digest().equals(f.paeDigest)) {
    throw new RegistryError(
      'BAD_RECEIPT',
      'the statement is not the one recorded in the log entry (digest differs)',
    );
  }
  const sig = env.signatures[0]?.sig;
  if (!sig || !sig.equals(f.signature))
    throw new RegistryError('BAD_RECEIPT', 'the statement signature differs from the logged one');
  if (!verifyBytes(leafPublicKey(f), message, f.signature))
    throw new RegistryError('BAD_RECEIPT', 'the logged signature does not verify');
}
