/**
 * Sigstore bundles (sigstore/protobuf-specs `sigstore_bundle.proto`, proto3 JSON mapping) that
 * wrap a DSSE envelope: building the key-method bundle exactly as the Python `model_signing` tool
 * writes it (compact JSON, `publicKey.hint`, empty `tlogEntries`, `keyid: ""`), and parsing the
 * variants OMS §11 tells verifiers to accept (hint or rawBytes, keyid absent/""/null, three media
 * type spellings, x509 chains for the certificate method).
 */
import { X509Certificate, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ProvenanceError } from './errors.js';
import { legacyPythonPae, parseEnvelope, verifyEnvelope } from './dsse.js';
import type { Envelope, ParsedEnvelope } from './dsse.js';
import { decodeBase64, isObject, parseJson } from './json.js';
import { keyFingerprint, publicKeyDer, samePublicKey, verifyBytes } from './keys.js';

/** Media type of the bundles we write (Sigstore bundle v0.3). */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Media types we read. */
export const ACCEPTED_BUNDLE_MEDIA_TYPES: readonly string[] = [
  BUNDLE_MEDIA_TYPE,
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
];
/** Largest bundle file accepted. */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
/** Certificates accepted in a chain. */
export const MAX_CHAIN_LENGTH = 10;

/** Verification material of a bundle. */
export type VerificationMaterial =
  | { readonly kind: 'publicKey'; readonly hint?: string; readonly rawBytes?: Buffer }
  | { readonly kind: 'x509CertificateChain'; readonly certificates: readonly Buffer[] }
  | { readonly kind: 'certificate'; readonly certificate: Buffer };

/** A parsed bundle. */
export interface ParsedBundle {
  readonly mediaType: string;
  readonly material: VerificationMaterial;
  readonly tlogEntries: readonly unknown[];
  readonly envelope: ParsedEnvelope;
}

/** The JSON object of a key-method bundle, fields in the order the Python tool writes them. */
export function buildKeyBundle(envelope: Envelope, publicKey: KeyObject): Record<string, unknown> {
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyFingerprint(publicKey) }, tlogEntries: [] },
    dsseEnvelope: {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid ?? '' })),
    },
  };
}

/** Serialise a bundle as compact JSON (what `sigstore_models.Bundle.to_json()` emits). */
export function serializeBundle(bundle: Record<string, unknown>): string {
  return JSON.stringify(bundle);
}

/** Parse bundle bytes/text or an already-parsed JSON value. */
export function parseBundle(
  input: string | Uint8Array | Record<string, unknown>,
  file = 'bundle',
): ParsedBundle {
  const value =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJson(input, { file, maxBytes: MAX_BUNDLE_BYTES })
      : input;
  if (!isObject(value))
    throw new ProvenanceError('BAD_BUNDLE', 'bundle must be a JSON object', { where: { file } });
  const mediaType = value['mediaType'];
  if (typeof mediaType !== 'string' || !ACCEPTED_BUNDLE_MEDIA_TYPES.includes(mediaType)) {
    throw new ProvenanceError(
      'BAD_BUNDLE',
      `unsupported bundle mediaType ${JSON.stringify(mediaType)}`,
      {
        where: { file, field: 'mediaType' },
      },
    );
  }
  const vm = value['verificationMaterial'];
  if (!isObject(vm))
    throw new ProvenanceError('BAD_BUNDLE', 'verificationMaterial is missing', {
      where: { file, field: 'verificationMaterial' },
    });
  if (value['dsseEnvelope'] === undefined) {
    const what =
      value['messageSignature'] !== undefined
        ? 'messageSignature bundles are not supported'
        : 'dsseEnvelope is missing';
    throw new ProvenanceError('BAD_BUNDLE', what, { where: { file, field: 'dsseEnvelope' } });
  }
  const envelope = parseEnvelope(value['dsseEnvelope'], file);
  const tlog = vm['tlogEntries'];
  if (tlog !== undefined && !Array.isArray(tlog)) {
    throw new ProvenanceError('BAD_BUNDLE', 'tlogEntries must be an array', {
      where: { file, field: 'verificationMaterial.tlogEntries' },
    });
  }
  const tlogEntries: unknown[] = Array.isArray(tlog) ? tlog : [];
  const kinds = ['publicKey', 'x509CertificateChain', 'certificate'].filter(
    (k) => vm[k] !== undefined && vm[k] !== null,
  );
  if (kinds.length !== 1) {
    throw new ProvenanceError(
      'BAD_BUNDLE',
      'verificationMaterial needs exactly one of publicKey, x509CertificateChain, certificate',
      {
        where: { file, field: 'verificationMaterial' },
      },
    );
  }
  let material: VerificationMaterial;
  const field = `verificationMaterial.${kinds[0] ?? ''}`;
  if (kinds[0] === 'publicKey') {
    const pk = vm['publicKey'];
    if (!isObject(pk))
      throw new ProvenanceError('BAD_BUNDLE', 'publicKey must be an object', {
        where: { file, field },
      });
    const hint = pk['hint'];
    if (hint !== undefined && hint !== null && typeof hint !== 'string') {
      throw new ProvenanceError('BAD_BUNDLE', 'publicKey.hint must be a string', {
        where: { file, field: `${field}.hint` },
      });
    }
    const raw =
      pk['rawBytes'] !== undefined
        ? decodeBase64(pk['rawBytes'], `${field}.rawBytes`, file)
        : undefined;
    if ((hint === undefined || hint === null || hint === '') && raw === undefined) {
      throw new ProvenanceError('BAD_BUNDLE', 'publicKey needs a hint or rawBytes', {
        where: { file, field },
      });
    }
    material = {
      kind: 'publicKey',
      ...(typeof hint === 'string' && hint !== '' ? { hint } : {}),
      ...(raw !== undefined ? { rawBytes: raw } : {}),
    };
  } else if (kinds[0] === 'x509CertificateChain') {
    const chain = vm['x509CertificateChain'];
    const certs = isObject(chain) ? chain['certificates'] : undefined;
    if (!Array.isArray(certs) || certs.length === 0 || certs.length > MAX_CHAIN_LENGTH) {
      throw new ProvenanceError(
        'BAD_BUNDLE',
        `x509CertificateChain.certificates must hold 1..${MAX_CHAIN_LENGTH} certificates`,
        {
          where: { file, field },
        },
      );
    }
    material = {
      kind: 'x509CertificateChain',
      certificates: certs.map((c: unknown, i) =>
        decodeBase64(
          isObject(c) ? c['rawBytes'] : undefined,
          `${field}.certificates[${i}].rawBytes`,
          file,
        ),
      ),
    };
  } else {
    const c = vm['certificate'];
    material = {
      kind: 'certificate',
      certificate: decodeBase64(isObject(c) ? c['rawBytes'] : undefined, `${field}.rawBytes`, file),
    };
  }
  if (envelope.signatures.length !== 1) {
    throw new ProvenanceError(
      'BAD_BUNDLE',
      'a Sigstore bundle carries exactly one DSSE signature',
      { where: { file, field: 'dsseEnvelope.signatures' } },
    );
  }
  return { mediaType, material, tlogEntries, envelope };
}

/** How a bundle's signature was checked. */
export interface BundleSignatureResult {
  readonly method: 'key' | 'certificate';
  /** Fingerprint (hex SHA-256 of SPKI PEM) of the key that verified. */
  readonly keyFingerprint: string;
  /** Subject of the leaf certificate (certificate method). */
  readonly certificateSubject?: string;
}

/** Trust inputs for verifying a bundle signature. */
export interface BundleTrust {
  /** Trusted public keys (key method). */
  readonly publicKeys?: readonly KeyObject[];
  /** Trusted CA certificates (certificate method). */
  readonly trustedCertificates?: readonly X509Certificate[];
}

function keyFromRawBytes(raw: Buffer): KeyObject | undefined {
  try {
    const text = raw.toString('utf8');
    if (text.includes('-----BEGIN PUBLIC KEY-----'))
      return createPublicKey({ key: text, format: 'pem' });
    return createPublicKey({ key: raw, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/**
 * Verify the bundle's DSSE signature against trusted material. Key method: the hint (or rawBytes)
 * must name one of `publicKeys` and its signature must verify. Certificate method: the chain
 * must lead to a trusted certificate, valid at the leaf's notBefore (as the Python tool checks),
 * with a leaf usable for code signing. Keyless Sigstore bundles are `UNSUPPORTED` offline.
 */
export function verifyBundleSignature(
  bundle: ParsedBundle,
  trust: BundleTrust,
  file = 'bundle',
  options: { readonly legacyPae?: boolean } = {},
): BundleSignatureResult {
  const m = bundle.material;
  const verifies = (key: KeyObject): boolean => {
    if (verifyEnvelope(bundle.envelope, key)) return true;
    if (!options.legacyPae) return false;
    // model_signing v0.2.0 signed a repr()-based PAE, with SHA-256 whatever the curve.
    const msg = legacyPythonPae(bundle.envelope.payloadType, bundle.envelope.payload);
    return bundle.envelope.signatures.some((s) => {
      try {
        return (
          cryptoVerify('sha256', msg, { key, dsaEncoding: 'der' }, s.sig) ||
          verifyBytes(key, msg, s.sig)
        );
      } catch {
        return false;
      }
    });
  };
  if (m.kind === 'publicKey') {
    const keys = trust.publicKeys ?? [];
    if (keys.length === 0)
      throw new ProvenanceError(
        'BAD_INPUT',
        'a public key is needed to verify a key-method bundle',
        { where: { file } },
      );
    let candidates = keys;
    if (m.hint !== undefined) {
      candidates = keys.filter((k) => keyFingerprint(k) === m.hint);
    } else if (m.rawBytes !== undefined) {
      const embedded = keyFromRawBytes(m.rawBytes);
      candidates = embedded ? keys.filter((k) => samePublicKey(k, embedded)) : [];
    }
    if (candidates.length === 0) {
      throw new ProvenanceError(
        'KEY_MISMATCH',
        'the bundle names a key other than the trusted one(s)',
        {
          where: { file, field: 'verificationMaterial.publicKey' },
          details: { hint: m.hint ?? null, trusted: keys.map((k) => keyFingerprint(k)) },
        },
      );
    }
    for (const k of candidates) {
      if (verifies(k)) return { method: 'key', keyFingerprint: keyFingerprint(k) };
    }
    throw new ProvenanceError('BAD_SIGNATURE', 'DSSE signature does not verify', {
      where: { file, field: 'dsseEnvelope.signatures[0]' },
    });
  }
  if (m.kind === 'certificate') {
    throw new ProvenanceError(
      'UNSUPPORTED',
      'keyless (Fulcio/Rekor) bundles need the Sigstore trust root; verify them with the Sigstore tools',
      {
        where: { file, field: 'verificationMaterial.certificate' },
      },
    );
  }
  const chain = m.certificates.map((der, i) => {
    try {
      return new X509Certificate(der);
    } catch (e) {
      throw new ProvenanceError('BAD_BUNDLE', 'certificate is not valid DER', {
        where: { file, field: `verificationMaterial.x509CertificateChain.certificates[${i}]` },
        cause: e,
      });
    }
  });
  const leaf = chain[0] as X509Certificate;
  verifyChain(chain, trust.trustedCertificates ?? [], file);
  const pub = leaf.publicKey;
  if (!verifies(pub)) {
    throw new ProvenanceError(
      'BAD_SIGNATURE',
      'DSSE signature does not verify under the leaf certificate',
      { where: { file } },
    );
  }
  return {
    method: 'certificate',
    keyFingerprint: keyFingerprint(pub),
    certificateSubject: leaf.subject,
  };
}

const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';

function validAt(cert: X509Certificate, t: number): boolean {
  return Date.parse(cert.validFrom) <= t && t <= Date.parse(cert.validTo);
}

/** Verify a leaf-first chain against trusted CA certificates, at the leaf's notBefore time. */
function verifyChain(
  chain: readonly X509Certificate[],
  trusted: readonly X509Certificate[],
  file: string,
): void {
  if (trusted.length === 0)
    throw new ProvenanceError(
      'BAD_INPUT',
      'trusted CA certificates are needed for a certificate-method bundle',
      { where: { file } },
    );
  const leaf = chain[0] as X509Certificate;
  const t = Date.parse(leaf.validFrom);
  const fail = (msg: string): never => {
    throw new ProvenanceError('UNTRUSTED_CERTIFICATE', msg, {
      where: { file, field: 'verificationMaterial.x509CertificateChain' },
    });
  };
  const eku = leaf.keyUsage;
  if (
    eku !== undefined &&
    eku.length > 0 &&
    !eku.includes(CODE_SIGNING_EKU) &&
    !hasDigitalSignatureKeyUsage(leaf)
  )
    fail('leaf certificate is not for code signing');
  if (!hasDigitalSignatureKeyUsage(leaf) && !(eku ?? []).includes(CODE_SIGNING_EKU))
    fail('leaf certificate allows neither digitalSignature nor codeSigning');
  const pool = [...chain.slice(1), ...trusted];
  let cur = leaf;
  for (let depth = 0; depth <= MAX_CHAIN_LENGTH; depth++) {
    if (!validAt(cur, t)) fail(`certificate ${cur.subject} is not valid at the signing time`);
    if (trusted.some((c) => c.fingerprint256 === cur.fingerprint256)) return;
    const issuer = pool.find((c) => c !== cur && cur.checkIssued(c) && cur.verify(c.publicKey));
    if (!issuer) return fail(`no trusted issuer for ${cur.subject}`);
    if (!issuer.ca) fail(`issuer ${issuer.subject} is not a CA`);
    cur = issuer;
  }
  fail('certificate chain too long');
}

/** Read the KeyUsage extension (OID 2.5.29.15) digitalSignature bit from the DER (RFC 5280 §4.2.1.3). */
function hasDigitalSignatureKeyUsage(cert: X509Certificate): boolean {
  const der = cert.raw;
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]);
  const at = der.indexOf(oid);
  if (at < 0) return false;
  let p = at + oid.length;
  if (der[p] === 0x01) p += 3; // critical BOOLEAN
  if (der[p] !== 0x04) return false; // OCTET STRING wrapping the BIT STRING
  p += 2;
  if (der[p] !== 0x03) return false;
  const len = der[p + 1] ?? 0;
  if (len < 2) return false;
  const first = der[p + 3] ?? 0;
  return (first & 0x80) !== 0;
}

/** Parse PEM text holding one or more certificates. */
export function parseCertificates(pem: string, file = 'certificates'): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new ProvenanceError('BAD_PEM', 'no certificate found', { where: { file } });
  if (blocks.length > 100)
    throw new ProvenanceError('LIMIT_EXCEEDED', 'more than 100 certificates', { where: { file } });
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new ProvenanceError('BAD_PEM', `certificate ${i + 1} is malformed`, {
        where: { file },
        cause: e,
      });
    }
  });
}

/** DER SPKI of the key a bundle names, when it embeds one (rawBytes) — informational only. */
export function embeddedKeyDer(bundle: ParsedBundle): Buffer | undefined {
  if (bundle.material.kind !== 'publicKey' || bundle.material.rawBytes === undefined)
    return undefined;
  const k = keyFromRawBytes(bundle.material.rawBytes);
  return k ? publicKeyDer(k) : undefined;
}
