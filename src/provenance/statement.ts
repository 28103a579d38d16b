/**
 * in-toto Statement v1 (in-toto/attestation `spec/v1/statement.md`, `resource_descriptor.md`):
 * structural validation shared by OMS manifests, lineage, dataset and evaluation statements.
 * Subjects are matched purely by digest; digests are lowercase hex.
 */
import { ProvenanceError } from './errors.js';
import { isObject, parseJson } from './json.js';

/** `_type` of in-toto Statement v1. */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** Subjects accepted per statement (a statement about a model has one; bounded for hostile input). */
export const MAX_SUBJECTS = 1024;
/** Largest decoded statement. */
export const MAX_STATEMENT_BYTES = 8 * 1024 * 1024;

/** An in-toto ResourceDescriptor (fields this tool reads). */
export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly downloadLocation?: string;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

/** A validated statement. */
export interface Statement {
  readonly _type: string;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}

const HEX = /^[0-9a-f]+$/;

/** Validate a DigestSet: non-empty, lowercase hex values, bounded sizes. */
export function checkDigestSet(v: unknown, field: string, file: string): Record<string, string> {
  if (!isObject(v))
    throw new ProvenanceError('BAD_STATEMENT', `${field} must be a digest set object`, {
      where: { file, field },
    });
  const keys = Object.keys(v);
  if (keys.length === 0 || keys.length > 32)
    throw new ProvenanceError('BAD_STATEMENT', `${field} must hold 1..32 digests`, {
      where: { file, field },
    });
  const out: Record<string, string> = {};
  for (const k of keys) {
    const d = v[k];
    if (!/^[a-z0-9_-]{1,64}$/.test(k))
      throw new ProvenanceError(
        'BAD_STATEMENT',
        `${field}: bad algorithm name ${JSON.stringify(k.slice(0, 64))}`,
        { where: { file, field } },
      );
    if (typeof d !== 'string' || d.length === 0 || d.length > 256 || !HEX.test(d)) {
      throw new ProvenanceError('BAD_STATEMENT', `${field}.${k} must be lowercase hex`, {
        where: { file, field: `${field}.${k}` },
      });
    }
    out[k] = d;
  }
  if (out['sha256'] !== undefined && out['sha256'].length !== 64) {
    throw new ProvenanceError('BAD_STATEMENT', `${field}.sha256 must be 64 hex digits`, {
      where: { file, field: `${field}.sha256` },
    });
  }
  return out;
}

/** Validate a ResourceDescriptor (at least one of name/uri/digest). */
export function checkResourceDescriptor(
  v: unknown,
  field: string,
  file: string,
  needDigest: boolean,
): ResourceDescriptor {
  if (!isObject(v))
    throw new ProvenanceError('BAD_STATEMENT', `${field} must be an object`, {
      where: { file, field },
    });
  const out: { -readonly [K in keyof ResourceDescriptor]: ResourceDescriptor[K] } = {};
  for (const k of ['name', 'uri', 'downloadLocation', 'mediaType'] as const) {
    const s = v[k];
    if (s === undefined) continue;
    if (typeof s !== 'string' || s.length > 4096)
      throw new ProvenanceError('BAD_STATEMENT', `${field}.${k} must be a string ≤ 4096 chars`, {
        where: { file, field: `${field}.${k}` },
      });
    out[k] = s;
  }
  if (v['digest'] !== undefined) out.digest = checkDigestSet(v['digest'], `${field}.digest`, file);
  if (v['annotations'] !== undefined) {
    if (!isObject(v['annotations']))
      throw new ProvenanceError('BAD_STATEMENT', `${field}.annotations must be an object`, {
        where: { file, field },
      });
    out.annotations = v['annotations'];
  }
  if (needDigest && out.digest === undefined)
    throw new ProvenanceError('BAD_STATEMENT', `${field} needs a digest`, {
      where: { file, field },
    });
  if (out.name === undefined && out.uri === undefined && out.digest === undefined) {
    throw new ProvenanceError('BAD_STATEMENT', `${field} needs a name, uri or digest`, {
      where: { file, field },
    });
  }
  return out;
}

/** Parse and validate an in-toto Statement v1 from payload bytes. */
export function parseStatement(payload: Uint8Array | string, file = 'statement'): Statement {
  const v = parseJson(payload, { file, maxBytes: MAX_STATEMENT_BYTES });
  return validateStatement(v, file);
}

/** Validate an already-parsed statement object. */
export function validateStatement(v: unknown, file = 'statement'): Statement {
  if (!isObject(v))
    throw new ProvenanceError('BAD_STATEMENT', 'statement must be a JSON object', {
      where: { file },
    });
  if (v['_type'] !== STATEMENT_TYPE) {
    throw new ProvenanceError('BAD_STATEMENT', `_type must be ${STATEMENT_TYPE}`, {
      where: { file, field: '_type' },
    });
  }
  const subj = v['subject'];
  if (!Array.isArray(subj) || subj.length === 0 || subj.length > MAX_SUBJECTS) {
    throw new ProvenanceError('BAD_STATEMENT', `subject must hold 1..${MAX_SUBJECTS} descriptors`, {
      where: { file, field: 'subject' },
    });
  }
  const subject = subj.map((s: unknown, i) =>
    checkResourceDescriptor(s, `subject[${i}]`, file, true),
  );
  const pt = v['predicateType'];
  if (typeof pt !== 'string' || pt.length === 0 || pt.length > 512) {
    throw new ProvenanceError('BAD_STATEMENT', 'predicateType must be a URI string', {
      where: { file, field: 'predicateType' },
    });
  }
  const pred = v['predicate'] ?? {};
  if (!isObject(pred))
    throw new ProvenanceError('BAD_STATEMENT', 'predicate must be an object', {
      where: { file, field: 'predicate' },
    });
  return { _type: STATEMENT_TYPE, subject, predicateType: pt, predicate: pred };
}
