/**
 * DSSE v1.0 envelopes (https://github.com/secure-systems-lab/dsse, protocol.md / envelope.md):
 * `SIG = Sign(PAE(payloadType, payload))` with
 * `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`.
 * Verifiers accept standard and URL-safe base64 and `keyid` absent, empty or null (OMS §4.1).
 */
import type { KeyObject } from 'node:crypto';
import { ProvenanceError } from './errors.js';
import { decodeBase64, isObject } from './json.js';
import { signBytes, verifyBytes } from './keys.js';

/** The in-toto payload type (in-toto attestation spec v1, envelope.md). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Largest DSSE payload accepted (a statement; OMS shard manifests stay far below). */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
/** Signatures per envelope accepted (Sigstore bundles allow exactly one; DSSE allows more). */
export const MAX_SIGNATURES = 16;

/** A DSSE envelope as JSON. */
export interface Envelope {
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly { readonly sig: string; readonly keyid?: string | null }[];
}

/** A parsed envelope with its payload decoded. */
export interface ParsedEnvelope {
  readonly envelope: Envelope;
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: readonly { readonly sig: Buffer; readonly keyid: string | null }[];
}

/** Pre-Authentication Encoding (DSSE protocol.md). */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

/** Validate an unknown JSON value as a DSSE envelope and decode it. */
export function parseEnvelope(value: unknown, file = 'envelope'): ParsedEnvelope {
  if (!isObject(value))
    throw new ProvenanceError('BAD_DSSE', 'envelope must be a JSON object', { where: { file } });
  const { payload, payloadType, signatures } = value;
  if (typeof payloadType !== 'string' || payloadType.length === 0 || payloadType.length > 256) {
    throw new ProvenanceError('BAD_DSSE', 'payloadType must be a non-empty string', {
      where: { file, field: 'payloadType' },
    });
  }
  if (typeof payload !== 'string' || payload.length === 0) {
    throw new ProvenanceError('BAD_DSSE', 'payload must be a non-empty base64 string', {
      where: { file, field: 'payload' },
    });
  }
  if (payload.length > (MAX_PAYLOAD_BYTES * 4) / 3 + 4) {
    throw new ProvenanceError('LIMIT_EXCEEDED', `payload exceeds ${MAX_PAYLOAD_BYTES} bytes`, {
      where: { file, field: 'payload' },
    });
  }
  const body = decodeBase64(payload, 'payload', file);
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw new ProvenanceError('BAD_DSSE', 'signatures must be a non-empty array', {
      where: { file, field: 'signatures' },
    });
  }
  if (signatures.length > MAX_SIGNATURES) {
    throw new ProvenanceError('LIMIT_EXCEEDED', `more than ${MAX_SIGNATURES} signatures`, {
      where: { file, field: 'signatures' },
    });
  }
  const sigs = signatures.map((s: unknown, i) => {
    const field = `signatures[${i}]`;
    if (!isObject(s))
      throw new ProvenanceError('BAD_DSSE', 'signature must be an object', {
        where: { file, field },
      });
    const keyid = s['keyid'];
    if (keyid !== undefined && keyid !== null && typeof keyid !== 'string') {
      throw new ProvenanceError('BAD_DSSE', 'keyid must be a string or null', {
        where: { file, field: `${field}.keyid` },
      });
    }
    const sig = decodeBase64(s['sig'], `${field}.sig`, file);
    if (sig.length === 0 || sig.length > 1024) {
      throw new ProvenanceError('BAD_DSSE', 'signature must be 1..1024 bytes', {
        where: { file, field: `${field}.sig` },
      });
    }
    return { sig, keyid: typeof keyid === 'string' ? keyid : null };
  });
  const envelope: Envelope = {
    payload,
    payloadType,
    signatures: signatures.map((s: Record<string, unknown>) => ({
      sig: s['sig'] as string,
      keyid: (s['keyid'] ?? null) as string | null,
    })),
  };
  return { envelope, payloadType, payload: body, signatures: sigs };
}

/** Sign a payload into a one-signature envelope (`keyid` is "" like the Python tool). */
export function signEnvelope(args: {
  payload: Uint8Array;
  payloadType?: string;
  privateKey: KeyObject;
  keyid?: string;
}): Envelope {
  const payloadType = args.payloadType ?? IN_TOTO_PAYLOAD_TYPE;
  const sig = signBytes(args.privateKey, pae(payloadType, args.payload));
  return {
    payload: Buffer.from(args.payload).toString('base64'),
    payloadType,
    signatures: [{ sig: sig.toString('base64'), keyid: args.keyid ?? '' }],
  };
}

/** True if some signature of the envelope verifies under `publicKey`. */
export function verifyEnvelope(env: ParsedEnvelope, publicKey: KeyObject): boolean {
  const message = pae(env.payloadType, env.payload);
  return env.signatures.some((s) => verifyBytes(publicKey, message, s.sig));
}

/**
 * The pre-authentication encoding of `model_signing` v0.2.0, which interpolated the Python
 * `repr()` of the payload bytes into the string (`sign_sigstore_pb.py:pae_compat`). Accepted only
 * to verify legacy `https://model_signing/Digests/v0.1` bundles (OMS §11.2); never produced.
 */
export function legacyPythonPae(payloadType: string, payload: Uint8Array): Buffer {
  const hasSingle = payload.includes(0x27);
  const hasDouble = payload.includes(0x22);
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let repr = `b${String.fromCharCode(quote)}`;
  for (const b of payload) {
    if (b === quote || b === 0x5c) repr += `\\${String.fromCharCode(b)}`;
    else if (b === 0x09) repr += '\\t';
    else if (b === 0x0a) repr += '\\n';
    else if (b === 0x0d) repr += '\\r';
    else if (b < 0x20 || b >= 0x7f) repr += `\\x${b.toString(16).padStart(2, '0')}`;
    else repr += String.fromCharCode(b);
  }
  repr += String.fromCharCode(quote);
  return Buffer.from(
    `DSSEV1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} ${repr}`,
    'utf8',
  );
}
