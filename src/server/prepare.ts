/**
 * Turning a submitted bundle into what the log stores — shared by the main thread and the
 * verification workers: full bundle and statement validation, signature check against the
 * enrolled key, canonical bytes and digest, the log leaf, lookup terms and lineage edges.
 */
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  IN_TOTO_PAYLOAD_TYPE,
  OMS_PREDICATE_TYPE,
  RELATIONS,
  SLSA_PROVENANCE_V1,
  canonicalJson,
  isObject,
  keyFingerprint,
  loadPublicKey,
  parseBundle,
  parseOmsPayload,
  parseStatement,
  verifyBundleSignature,
} from '../provenance/index.js';
import type { Statement } from '../provenance/index.js';
import type { EdgeRecord } from '../tlog/index.js';
import { RegistryError } from './errors.js';
import { registryLeaf } from './leaf.js';

/** Subject names longer than this are not indexed (they are still stored in the statement). */
export const MAX_INDEXED_NAME = 512;
const HEX64 = /^[0-9a-f]{64}$/;

/** Everything the log needs to append a submission. */
export interface PreparedSubmission {
  readonly leaf: Uint8Array;
  readonly canonical: Uint8Array;
  readonly statementDigest: string;
  readonly predicateType: string;
  readonly subjects: readonly { readonly name?: string; readonly digest: string }[];
  readonly terms: readonly string[];
  readonly edges: readonly EdgeRecord[];
  readonly signer: string;
}

/** sha256 subjects of a statement. */
export function subjectsOf(st: Statement): { name?: string; digest: string }[] {
  return st.subject.flatMap((s) => {
    const d = s.digest?.['sha256'];
    return d === undefined
      ? []
      : [s.name !== undefined ? { name: s.name, digest: d } : { digest: d }];
  });
}

/** Edges a lineage statement declares: child subject → base model, labelled with the relation. */
export function lineageEdges(st: Statement): EdgeRecord[] {
  if (st.predicateType !== SLSA_PROVENANCE_V1) return [];
  const bd = st.predicate['buildDefinition'];
  const deps =
    isObject(bd) && Array.isArray(bd['resolvedDependencies'])
      ? (bd['resolvedDependencies'] as unknown[])
      : [];
  const out: EdgeRecord[] = [];
  for (const child of subjectsOf(st)) {
    for (const d of deps) {
      if (!isObject(d) || !isObject(d['annotations']) || !isObject(d['digest'])) continue;
      const rel = d['annotations']['relation'];
      const parent = d['digest']['sha256'];
      if (
        d['annotations']['role'] !== 'base_model' ||
        typeof parent !== 'string' ||
        !HEX64.test(parent)
      )
        continue;
      if (typeof rel !== 'string' || !(RELATIONS as readonly string[]).includes(rel)) continue;
      out.push({ src: child.digest, dst: parent, label: rel });
    }
  }
  return out;
}

/** The fingerprint of the key a submitted bundle names (hint, or legacy embedded rawBytes). */
export function submissionFingerprint(json: unknown): string {
  if (!isObject(json))
    throw new RegistryError('BAD_REQUEST', 'submission must be a Sigstore bundle JSON object');
  const vm = json['verificationMaterial'];
  const pk = isObject(vm) ? vm['publicKey'] : undefined;
  if (!isObject(pk)) {
    if (
      isObject(vm) &&
      (vm['x509CertificateChain'] !== undefined || vm['certificate'] !== undefined)
    ) {
      throw new RegistryError(
        'UNSUPPORTED',
        'the registry accepts key-method bundles signed by an enrolled key',
      );
    }
    throw new RegistryError('BAD_REQUEST', 'bundle lacks verificationMaterial.publicKey');
  }
  let fp = typeof pk['hint'] === 'string' && pk['hint'] !== '' ? pk['hint'] : undefined;
  if (fp === undefined && typeof pk['rawBytes'] === 'string') {
    try {
      fp = keyFingerprint(loadPublicKey(Buffer.from(pk['rawBytes'], 'base64')));
    } catch {
      fp = undefined;
    }
  }
  if (fp === undefined || !HEX64.test(fp))
    throw new RegistryError(
      'UNKNOWN_KEY',
      'the bundle does not name an enrolled key (publicKey.hint)',
    );
  return fp;
}

/** Validate and verify a submission against its signer's enrolled key; build what gets logged. */
export function prepareSubmission(
  json: Record<string, unknown>,
  key: KeyObject,
  fingerprint: string,
): PreparedSubmission {
  const bundle = parseBundle(json, 'submission');
  if (bundle.material.kind !== 'publicKey')
    throw new RegistryError(
      'UNSUPPORTED',
      'the registry accepts key-method bundles signed by an enrolled key',
    );
  verifyBundleSignature(bundle, { publicKeys: [key] }, 'submission');
  if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    throw new RegistryError('UNSUPPORTED', `payloadType must be ${IN_TOTO_PAYLOAD_TYPE}`);
  const st = parseStatement(bundle.envelope.payload, 'submission');
  if (st.predicateType === OMS_PREDICATE_TYPE)
    parseOmsPayload(bundle.envelope.payload, 'submission');
  const subjects = subjectsOf(st);
  if (subjects.length === 0)
    throw new RegistryError('BAD_REQUEST', 'statement has no sha256 subject digest');
  const canonical = Buffer.from(canonicalJson(json), 'utf8');
  const statementDigest = createHash('sha256').update(canonical).digest('hex');
  // Only terms a query uses are indexed (each costs an insert per entry): subject digest and name.
  const terms = new Set<string>();
  for (const s of subjects) {
    terms.add(`subject:${s.digest}`);
    if (s.name !== undefined && s.name.length <= MAX_INDEXED_NAME) terms.add(`name:${s.name}`);
  }
  return {
    leaf: registryLeaf(bundle, key),
    canonical,
    statementDigest,
    predicateType: st.predicateType,
    subjects,
    terms: [...terms],
    edges: lineageEdges(st),
    signer: fingerprint,
  };
}
