/**
 * OpenSSF Model Signing (OMS) v1.0 (ossf/model-signing-spec `spec/v1.0.md`): sign a model
 * directory into a Sigstore bundle v0.3 whose DSSE payload is an in-toto Statement with predicate
 * `https://model_signing/signature/v1.0`, and verify such bundles — including those written by
 * the Python `model_signing` tool — against a local copy of the model.
 *
 * Byte compatibility: the payload is serialised like protobuf `MessageToJson` (2-space indent,
 * ASCII escapes, shard size as a float), fields in the order of the reference implementation,
 * the bundle as compact JSON with `publicKey.hint` = SHA-256 of the PEM public key. Our only
 * addition is opt-out: a `customs_merkle_v1` entry in the subject digest set and
 * `annotations.size` on each resource (both allowed by the OMS schemas and ignored by the
 * reference verifier), which enable partial verification with Merkle proofs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ProvenanceError, isVerificationCode } from './errors.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { buildKeyBundle, parseBundle, serializeBundle, verifyBundleSignature } from './bundle.js';
import type { BundleTrust, ParsedBundle } from './bundle.js';
import { PyFloat, isObject, pythonJson } from './json.js';
import { STATEMENT_TYPE, parseStatement } from './statement.js';
import {
  DEFAULT_SHARD_SIZE,
  MAX_RESOURCES,
  MERKLE_DIGEST_KEY,
  buildManifest,
  compareResourceNames,
  enumerateModel,
  manifestMerkleRoot,
  omsRootDigest,
  parseShardName,
  resourceAlgorithm,
} from './manifest.js';
import type { Manifest, ManifestOptions, Resource, Serialization } from './manifest.js';
import { hashJobs } from './hashing.js';
import type { FileHashAlgorithm, HashJob } from './hashing.js';
import { keyFingerprint, publicOf } from './keys.js';

/** OMS predicate type (OMS §5.1). */
export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** Deprecated v0.2 predicate type, accepted on verification only (OMS §11.2). */
export const OMS_LEGACY_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

/** Build the OMS in-toto statement object for a manifest (field order as the Python tool). */
export function omsStatement(
  manifest: Manifest,
  options: { merkle?: boolean } = {},
): Record<string, unknown> {
  const merkle = options.merkle ?? true;
  const s = manifest.serialization;
  const serialization: Record<string, unknown> = { method: s.method, hash_type: s.hashType };
  if (s.method === 'shards')
    serialization['shard_size'] = new PyFloat(s.shardSize ?? DEFAULT_SHARD_SIZE);
  serialization['allow_symlinks'] = s.allowSymlinks;
  if (s.ignorePaths !== undefined && s.ignorePaths.length > 0)
    serialization['ignore_paths'] = [...s.ignorePaths];
  const digest: Record<string, string> = { sha256: manifest.rootDigest };
  if (merkle) digest[MERKLE_DIGEST_KEY] = manifest.merkleRoot;
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: manifest.modelName, digest }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization,
      resources: manifest.resources.map((r) => ({
        name: r.name,
        digest: r.digest,
        algorithm: r.algorithm,
        ...(merkle && r.size !== undefined ? { annotations: { size: r.size } } : {}),
      })),
    },
  };
}

/** The DSSE payload bytes of an OMS statement (protobuf MessageToJson style). */
export function omsPayload(statement: Record<string, unknown>): Buffer {
  return Buffer.from(pythonJson(statement), 'utf8');
}

/** Options for {@link signModel}. */
export interface SignModelOptions extends ManifestOptions {
  readonly privateKey: KeyObject;
  /** Where the bundle will be written; excluded from the manifest and recorded in ignore_paths. */
  readonly signaturePath?: string;
  /** Where the incremental-signing stamp cache will be written (excluded like the bundle). */
  readonly stampsPath?: string;
  /** Add the Merkle root and sizes (default true); false gives exactly the Python tool's payload. */
  readonly merkle?: boolean;
  /** A previous bundle of this model signed with the same key: reuse digests of unchanged files. */
  readonly previous?: {
    readonly bundle: ParsedBundle;
    readonly stamps: ReadonlyMap<string, string>;
  };
}

/** Result of signing. */
export interface SignedModel {
  readonly bundle: Record<string, unknown>;
  /** The bundle file content. */
  readonly bundleJson: string;
  readonly statement: Record<string, unknown>;
  readonly manifest: Manifest;
  /** name → change-detection stamp, to store beside the bundle for incremental re-signing. */
  readonly stamps: Record<string, string>;
}

/** Hash and sign a model into an OMS bundle. */
export async function signModel(options: SignModelOptions): Promise<SignedModel> {
  const excludeAbsolute = [...(options.excludeAbsolute ?? [])];
  if (options.signaturePath !== undefined) excludeAbsolute.push(resolve(options.signaturePath));
  if (options.stampsPath !== undefined) excludeAbsolute.push(resolve(options.stampsPath));
  let reuse: Map<string, { stamp: string; digest: string; size: number }> | undefined;
  if (options.previous) {
    // Reuse only digests the same key signed: an unsigned cache could smuggle wrong digests.
    const sig = verifyBundleSignature(options.previous.bundle, {
      publicKeys: [publicOf(options.privateKey)],
    });
    if (sig.keyFingerprint === keyFingerprint(options.privateKey)) {
      const prev = parseOmsPayload(options.previous.bundle.envelope.payload);
      reuse = new Map();
      for (const r of prev.resources) {
        const fileName =
          prev.serialization.method === 'shards'
            ? (parseShardName(r.name)?.path ?? r.name)
            : r.name;
        const stamp = options.previous.stamps.get(fileName);
        if (stamp !== undefined && r.size !== undefined)
          reuse.set(r.name, { stamp, digest: r.digest, size: r.size });
      }
    }
  }
  const manifest = await buildManifest({
    ...options,
    excludeAbsolute,
    ...(reuse ? { reuse } : {}),
  });
  const statement = omsStatement(manifest, { merkle: options.merkle ?? true });
  const envelope = signEnvelope({
    payload: omsPayload(statement),
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    privateKey: options.privateKey,
  });
  const bundle = buildKeyBundle(envelope, publicOf(options.privateKey));
  const stamps: Record<string, string> = {};
  for (const f of manifest.files) stamps[f.name] = f.stamp;
  return { bundle, bundleJson: serializeBundle(bundle), statement, manifest, stamps };
}

/** The manifest recovered from a signed OMS payload. */
export interface SignedManifest {
  readonly modelName: string;
  readonly legacy: boolean;
  readonly rootDigest: string;
  readonly merkleRoot?: string;
  readonly serialization: Serialization;
  readonly resources: readonly Resource[];
}

const SUPPORTED_HASHES: readonly string[] = ['sha256', 'blake2b'];

/**
 * Parse and validate an OMS statement payload (OMS §8.3): schema checks, algorithm consistency,
 * duplicate names, and recomputation of the root digest (and our Merkle root when present).
 */
export function parseOmsPayload(payload: Uint8Array, file = 'bundle'): SignedManifest {
  const st = parseStatement(payload, file);
  if (st.predicateType === OMS_LEGACY_PREDICATE_TYPE) {
    const resources = st.subject.map((s, i) => {
      const d = s.digest?.['sha256'];
      if (s.name === undefined || d === undefined)
        throw new ProvenanceError('BAD_PREDICATE', `legacy subject ${i} needs a name and sha256`, {
          where: { file },
        });
      return { name: s.name, digest: d, algorithm: 'sha256' };
    });
    return {
      modelName: 'model',
      legacy: true,
      rootDigest: omsRootDigest(resources),
      serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false },
      resources,
    };
  }
  if (st.predicateType !== OMS_PREDICATE_TYPE) {
    throw new ProvenanceError(
      'BAD_PREDICATE',
      `predicateType ${st.predicateType} is not an OMS signature`,
      { where: { file, field: 'predicateType' } },
    );
  }
  if (st.subject.length !== 1)
    throw new ProvenanceError('BAD_STATEMENT', 'an OMS statement has exactly one subject', {
      where: { file, field: 'subject' },
    });
  const subject = st.subject[0] as { name?: string; digest?: Readonly<Record<string, string>> };
  const rootDigest = subject.digest?.['sha256'];
  if (rootDigest === undefined)
    throw new ProvenanceError('BAD_STATEMENT', 'subject digest needs sha256', {
      where: { file, field: 'subject[0].digest' },
    });
  const p = st.predicate;
  const bad = (msg: string, field: string): never => {
    throw new ProvenanceError('BAD_PREDICATE', msg, { where: { file, field } });
  };
  for (const k of Object.keys(p))
    if (k !== 'resources' && k !== 'serialization')
      bad(`unexpected predicate field ${k}`, `predicate.${k}`);
  const ser = p['serialization'];
  if (!isObject(ser)) return bad('serialization is missing', 'predicate.serialization');
  const method = ser['method'];
  if (method !== 'files' && method !== 'shards')
    return bad('serialization.method must be files or shards', 'predicate.serialization.method');
  const hashType = ser['hash_type'];
  if (typeof hashType !== 'string')
    return bad('serialization.hash_type is missing', 'predicate.serialization.hash_type');
  const allow = ser['allow_symlinks'];
  if (typeof allow !== 'boolean')
    return bad(
      'serialization.allow_symlinks must be a boolean',
      'predicate.serialization.allow_symlinks',
    );
  let shardSize: number | undefined;
  if (method === 'shards') {
    const s = ser['shard_size'];
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s <= 0)
      return bad('shard_size must be a positive integer', 'predicate.serialization.shard_size');
    shardSize = s;
  } else if (ser['shard_size'] !== undefined)
    bad('shard_size is only allowed with shards', 'predicate.serialization.shard_size');
  let ignorePaths: string[] | undefined;
  if (ser['ignore_paths'] !== undefined) {
    const ig = ser['ignore_paths'];
    if (
      !Array.isArray(ig) ||
      ig.length > 10_000 ||
      ig.some((x) => typeof x !== 'string' || x.length === 0)
    )
      return bad('ignore_paths must be non-empty strings', 'predicate.serialization.ignore_paths');
    ignorePaths = ig as string[];
  }
  const res = p['resources'];
  if (!Array.isArray(res) || res.length === 0)
    return bad('resources must be a non-empty array', 'predicate.resources');
  if (res.length > MAX_RESOURCES)
    throw new ProvenanceError('LIMIT_EXCEEDED', `more than ${MAX_RESOURCES} resources`, {
      where: { file },
    });
  const names = new Set<string>();
  const expectedAlg = [hashType, resourceAlgorithm(hashType, method, shardSize)];
  const resources: Resource[] = res.map((r: unknown, i) => {
    const field = `predicate.resources[${i}]`;
    if (!isObject(r)) return bad('resource must be an object', field);
    const name = r['name'];
    const digest = r['digest'];
    const algorithm = r['algorithm'];
    if (typeof name !== 'string' || name.length === 0)
      return bad('resource name must be a non-empty string', `${field}.name`);
    if (typeof digest !== 'string' || !/^[0-9a-f]+$/.test(digest) || digest.length % 2 !== 0)
      return bad('resource digest must be lowercase hex', `${field}.digest`);
    if (typeof algorithm !== 'string' || !expectedAlg.includes(algorithm))
      return bad(
        `resource algorithm ${String(algorithm)} does not match hash_type ${hashType}`,
        `${field}.algorithm`,
      );
    if (names.has(name)) bad(`duplicate resource ${name}`, `${field}.name`);
    names.add(name);
    if (method === 'shards' && !parseShardName(name))
      bad(`shard name ${name} is not path:start:end`, `${field}.name`);
    const ann = r['annotations'];
    const size = isObject(ann) ? ann['size'] : undefined;
    if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0))
      bad('annotations.size must be a non-negative integer', `${field}.annotations.size`);
    return typeof size === 'number'
      ? { name, digest, algorithm, size }
      : { name, digest, algorithm };
  });
  if (omsRootDigest(resources) !== rootDigest) {
    throw new ProvenanceError(
      'ROOT_MISMATCH',
      'subject digest does not match the resources (OMS §6.5.1)',
      { where: { file, field: 'subject[0].digest.sha256' } },
    );
  }
  const merkleRoot = subject.digest?.[MERKLE_DIGEST_KEY];
  if (merkleRoot !== undefined) {
    if (resources.some((r) => r.size === undefined))
      bad('a Merkle root needs annotations.size on every resource', 'predicate.resources');
    if (manifestMerkleRoot(resources) !== merkleRoot) {
      throw new ProvenanceError('ROOT_MISMATCH', 'Merkle root does not match the resources', {
        where: { file, field: `subject[0].digest.${MERKLE_DIGEST_KEY}` },
      });
    }
  }
  const serialization: Serialization = {
    method,
    hashType,
    ...(shardSize !== undefined ? { shardSize } : {}),
    allowSymlinks: allow,
    ...(ignorePaths !== undefined ? { ignorePaths } : {}),
  };
  return {
    modelName: subject.name ?? '',
    legacy: false,
    rootDigest,
    ...(merkleRoot !== undefined ? { merkleRoot } : {}),
    serialization,
    resources,
  };
}

/** One problem found while comparing the model with its manifest. */
export interface ManifestFailure {
  readonly code: 'DIGEST_MISMATCH' | 'MISSING_FILE' | 'EXTRA_FILE';
  readonly name: string;
  readonly expected?: string;
  readonly actual?: string;
}

/** Verdict of verifying a model against an OMS bundle. */
export interface ModelVerdict {
  readonly kind: 'oms';
  readonly ok: boolean;
  /** Why verification failed before the files were compared (signature, key, root). */
  readonly error?: { readonly code: string; readonly message: string };
  readonly method?: 'key' | 'certificate';
  readonly keyFingerprint?: string;
  readonly certificateSubject?: string;
  readonly modelName?: string;
  readonly rootDigest?: string;
  readonly merkleRoot?: string;
  readonly serialization?: Serialization;
  readonly legacyPredicate?: boolean;
  /** Resources compared. */
  readonly checked: number;
  readonly failures: readonly ManifestFailure[];
  /** Files present but unsigned that were tolerated (--ignore-unsigned-files / partial). */
  readonly ignoredUnsigned: readonly string[];
  /** True when only a subset of files was verified. */
  readonly partial: boolean;
  readonly bytesHashed: number;
  readonly warnings: readonly string[];
}

/** Options for {@link verifyModel}. */
export interface VerifyModelOptions extends BundleTrust {
  readonly modelPath: string;
  /** Bundle file path, or an already parsed bundle. */
  readonly bundle: string | ParsedBundle;
  /** Path of the bundle file, excluded from enumeration (defaults to `bundle` when a path). */
  readonly signaturePath?: string;
  /** Tolerate files that are present but not in the manifest (OMS §8.5). */
  readonly ignoreUnsignedFiles?: boolean;
  /** Verify only these files (relative names): partial verification. */
  readonly only?: readonly string[];
  /** Extra paths to exclude on the verifier side (like `model_signing verify --ignore-paths`). */
  readonly ignorePaths?: readonly string[];
  readonly workers?: number;
  readonly onProgress?: (bytes: number, total: number) => void;
}

/** Verify a model directory (or file) against an OMS bundle. */
export async function verifyModel(options: VerifyModelOptions): Promise<ModelVerdict> {
  const file = typeof options.bundle === 'string' ? options.bundle : 'bundle';
  const bundle =
    typeof options.bundle === 'string'
      ? parseBundle(readBundleFile(options.bundle), options.bundle)
      : options.bundle;
  const base = {
    kind: 'oms' as const,
    checked: 0,
    failures: [],
    ignoredUnsigned: [],
    partial: (options.only ?? []).length > 0,
    bytesHashed: 0,
    warnings: [],
  };
  let sig;
  let signed: SignedManifest;
  try {
    sig = verifyBundleSignature(bundle, options, file, {
      legacyPae: isLegacyPayload(bundle.envelope.payload),
    });
    if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      throw new ProvenanceError(
        'BAD_DSSE',
        `payloadType ${bundle.envelope.payloadType} is not ${IN_TOTO_PAYLOAD_TYPE}`,
        { where: { file } },
      );
    }
    signed = parseOmsPayload(bundle.envelope.payload, file);
  } catch (e) {
    if (e instanceof ProvenanceError && isVerificationCode(e.code)) {
      return { ...base, ok: false, error: { code: e.code, message: e.message } };
    }
    throw e;
  }
  const s = signed.serialization;
  if (!SUPPORTED_HASHES.includes(s.hashType)) {
    throw new ProvenanceError(
      'UNSUPPORTED',
      `hash_type ${s.hashType} is not supported (sha256, blake2b)`,
      { where: { file } },
    );
  }
  const signaturePath =
    options.signaturePath ?? (typeof options.bundle === 'string' ? options.bundle : undefined);
  const en = enumerateModel({
    modelPath: options.modelPath,
    ignorePaths: [
      ...(s.ignorePaths ?? []).filter((p) => !p.startsWith('../') && !p.startsWith('/')),
      ...(options.ignorePaths ?? []),
    ],
    allowSymlinks: s.allowSymlinks,
    ...(signaturePath !== undefined ? { excludeAbsolute: [resolve(signaturePath)] } : {}),
  });
  const expected = new Map<string, Resource>();
  for (const r of signed.resources) expected.set(r.name, r);
  // Single-file models: the reference tool names the resource ".", the spec the basename.
  if (en.singleFile && signed.resources.length === 1) {
    const only = signed.resources[0] as Resource;
    const bare = s.method === 'shards' ? (parseShardName(only.name)?.path ?? only.name) : only.name;
    if (bare === en.modelName) {
      expected.clear();
      for (const r of signed.resources)
        expected.set(
          s.method === 'shards' ? r.name.replace(/^.*(:[0-9]+:[0-9]+)$/s, '.$1') : '.',
          r,
        );
    }
  }
  const onlySet = new Set((options.only ?? []).map((n) => (en.singleFile ? '.' : n)));
  const partial = onlySet.size > 0;
  const hashType = s.hashType as FileHashAlgorithm;
  const jobs: HashJob[] = [];
  const names: string[] = [];
  const present = new Set<string>();
  const ignoredUnsigned: string[] = [];
  const failures: ManifestFailure[] = [];
  let total = 0;
  for (const f of en.files) {
    if (partial && !onlySet.has(f.name)) continue;
    if (s.method === 'files') {
      present.add(f.name);
      if (!expected.has(f.name)) {
        if (options.ignoreUnsignedFiles) ignoredUnsigned.push(f.name);
        else failures.push({ code: 'EXTRA_FILE', name: f.name });
        continue;
      }
      jobs.push({ path: f.path, start: 0, end: -1, algorithm: hashType });
      names.push(f.name);
      total += f.size;
    } else {
      const shardSize = s.shardSize ?? DEFAULT_SHARD_SIZE;
      let anyExpected = false;
      for (let start = 0; start < f.size; start += shardSize) {
        const end = Math.min(f.size, start + shardSize);
        const name = `${f.name}:${start}:${end}`;
        present.add(name);
        if (!expected.has(name)) {
          if (!options.ignoreUnsignedFiles) failures.push({ code: 'EXTRA_FILE', name });
          continue;
        }
        anyExpected = true;
        jobs.push({ path: f.path, start, end, algorithm: hashType });
        names.push(name);
        total += end - start;
      }
      if (!anyExpected && options.ignoreUnsignedFiles && f.size > 0) ignoredUnsigned.push(f.name);
    }
  }
  for (const name of onlySet) {
    const hit = [...expected.keys()].some((k) =>
      s.method === 'shards' ? parseShardName(k)?.path === name : k === name,
    );
    if (!hit) failures.push({ code: 'MISSING_FILE', name });
  }
  for (const name of expected.keys()) {
    if (present.has(name)) continue;
    const fileName = s.method === 'shards' ? (parseShardName(name)?.path ?? name) : name;
    if (partial && !onlySet.has(fileName)) continue;
    failures.push({ code: 'MISSING_FILE', name });
  }
  const hashed = await hashJobs(jobs, {
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    totalBytes: total,
    ...(options.onProgress ? { onProgress: (b: number) => options.onProgress?.(b, total) } : {}),
  });
  hashed.forEach((h, i) => {
    const name = names[i] as string;
    const exp = expected.get(name) as Resource;
    if (exp.digest !== h.digest)
      failures.push({ code: 'DIGEST_MISMATCH', name, expected: exp.digest, actual: h.digest });
  });
  failures.sort((a, b) => compareResourceNames(a.name, b.name, false));
  return {
    ...base,
    ok: failures.length === 0,
    method: sig.method,
    keyFingerprint: sig.keyFingerprint,
    ...(sig.certificateSubject !== undefined ? { certificateSubject: sig.certificateSubject } : {}),
    modelName: signed.modelName,
    rootDigest: signed.rootDigest,
    ...(signed.merkleRoot !== undefined ? { merkleRoot: signed.merkleRoot } : {}),
    serialization: s,
    legacyPredicate: signed.legacy,
    checked: names.length,
    failures,
    ignoredUnsigned,
    partial,
    bytesHashed: total,
    warnings: en.warnings,
  };
}

/** True if a payload carries the deprecated v0.2 predicate (whose signatures used a buggy PAE). */
function isLegacyPayload(payload: Buffer): boolean {
  try {
    const v = JSON.parse(payload.toString('utf8')) as unknown;
    return isObject(v) && v['predicateType'] === OMS_LEGACY_PREDICATE_TYPE;
  } catch {
    return false;
  }
}

/** Read a bundle file with the size limit. */
export function readBundleFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ProvenanceError('NOT_FOUND', 'cannot read signature bundle', {
      where: { file: path },
      cause: e,
    });
  }
}
