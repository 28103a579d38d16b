/**
 * Model enumeration and the OMS file manifest (OpenSSF Model Signing spec v1.0 §6): canonical
 * relative POSIX paths, default and user ignore paths, symlink policy, `files` and `shards`
 * serialisation, the SHA-256 root digest over the resource digests, plus this tool's extension:
 * an RFC 6962 Merkle root over `(name, size, algorithm, digest)` leaves that lets a runtime verify
 * only the files it loads, with a logarithmic proof per file.
 *
 * Resource order follows the reference implementation (`model_signing.manifest`: sorted by path
 * components, then shard start and end as integers) so that our payload equals the Python
 * tool's; verification accepts any order, as the reference verifier does.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { ProvenanceError } from './errors.js';
import { canonicalJson } from './json.js';
import { hashJobs } from './hashing.js';
import type { FileHashAlgorithm, HashJob } from './hashing.js';
import {
  CompactRange,
  inclusionProof,
  leafHash,
  treeRoot,
  verifyInclusion,
} from '../tlog/index.js';

/** Paths excluded by default (OMS §6.2), matched as top-level components only. */
export const DEFAULT_IGNORE_PATHS: readonly string[] = [
  '.git',
  '.gitattributes',
  '.github',
  '.gitignore',
];
/** Default shard size (OMS §6.3.2). */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;
/** Files accepted in one model (bounds memory for hostile trees). */
export const MAX_FILES = 1_000_000;
/** Directory depth accepted (bounds recursion on hostile trees). */
export const MAX_DEPTH = 256;
/** Resources accepted in a signed manifest (files × shards). */
export const MAX_RESOURCES = 2_000_000;
/** Smallest shard size accepted (a 1-byte shard would make the manifest explode). */
export const MIN_SHARD_SIZE = 1024;
/** Digest-set key under which the manifest Merkle root is recorded in the subject. */
export const MERKLE_DIGEST_KEY = 'customs_merkle_v1';

/** One enumerated regular file. */
export interface ModelFile {
  /** Canonical relative path (`.` for a single-file model). */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  /** Change-detection fingerprint for incremental re-hashing. */
  readonly stamp: string;
}

/** An OMS resource descriptor with its size (our `annotations.size`). */
export interface Resource {
  readonly name: string;
  readonly digest: string;
  readonly algorithm: string;
  readonly size?: number;
}

/** OMS serialization parameters. */
export interface Serialization {
  readonly method: 'files' | 'shards';
  readonly hashType: string;
  readonly shardSize?: number;
  readonly allowSymlinks: boolean;
  readonly ignorePaths?: readonly string[];
}

/** Options for enumerating a model. */
export interface EnumerateOptions {
  readonly modelPath: string;
  /** Extra paths to exclude, relative to the model root (no globs). */
  readonly ignorePaths?: readonly string[];
  /** Exclude `.git`, `.gitattributes`, `.github`, `.gitignore` (default true). */
  readonly ignoreGitPaths?: boolean;
  readonly allowSymlinks?: boolean;
  /** Absolute paths always excluded (the signature file and its cache). */
  readonly excludeAbsolute?: readonly string[];
}

/** Result of enumeration. */
export interface Enumeration {
  readonly modelName: string;
  readonly singleFile: boolean;
  readonly files: readonly ModelFile[];
  /** Ignore paths to record in the predicate (relative). */
  readonly recordedIgnorePaths: readonly string[];
  readonly warnings: readonly string[];
}

/** Canonicalise a user-supplied relative path (OMS §6.1.2, §6.2.1); rejects globs, `..`, absolutes. */
export function canonicalRelativePath(p: string, what = 'path'): string {
  if (p.length === 0 || p.length > 4096)
    throw new ProvenanceError('BAD_PATH', `${what} must be 1..4096 characters`);
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p))
    throw new ProvenanceError('BAD_PATH', `${what} ${JSON.stringify(p)} must be relative`);
  if (/[*?[]/.test(p))
    throw new ProvenanceError(
      'BAD_PATH',
      `${what} ${JSON.stringify(p)} must not contain glob characters`,
    );
  if (p.includes('\0')) throw new ProvenanceError('BAD_PATH', `${what} contains a NUL byte`);
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.some((c) => c === '..'))
    throw new ProvenanceError('BAD_PATH', `${what} ${JSON.stringify(p)} must not contain ..`);
  if (parts.length === 0)
    throw new ProvenanceError('BAD_PATH', `${what} ${JSON.stringify(p)} names the model root`);
  return parts.join('/');
}

function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Split a shard resource name `path:start:end` (last two colon-separated integers). */
export function parseShardName(
  name: string,
): { path: string; start: number; end: number } | undefined {
  const m = /^(.*):(0|[1-9][0-9]{0,15}):([1-9][0-9]{0,15})$/s.exec(name);
  if (!m) return undefined;
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) return undefined;
  return { path: m[1] as string, start, end };
}

/** Order of the reference implementation: path components, then shard start, end. */
export function compareResourceNames(a: string, b: string, shards: boolean): number {
  const pa = shards ? parseShardName(a) : undefined;
  const pb = shards ? parseShardName(b) : undefined;
  const ca = (pa ? pa.path : a).split('/');
  const cb = (pb ? pb.path : b).split('/');
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const c = compareCodePoints(ca[i] as string, cb[i] as string);
    if (c !== 0) return c;
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  if (pa && pb) return pa.start !== pb.start ? pa.start - pb.start : pa.end - pb.end;
  return 0;
}

function stampOf(st: Stats): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
}

function isUnder(rel: string, prefix: string): boolean {
  return rel === prefix || rel.startsWith(`${prefix}/`);
}

/** Enumerate the regular files of a model per OMS §6.1–6.2. */
export function enumerateModel(options: EnumerateOptions): Enumeration {
  const root = resolve(options.modelPath);
  let st: Stats;
  try {
    st = lstatSync(root);
  } catch (e) {
    throw new ProvenanceError('NOT_FOUND', 'model path does not exist', {
      where: { file: options.modelPath },
      cause: e,
    });
  }
  const allowSymlinks = options.allowSymlinks ?? false;
  if (st.isSymbolicLink()) {
    if (!allowSymlinks)
      throw new ProvenanceError('SYMLINK', 'model path is a symbolic link (use --allow-symlinks)', {
        where: { file: options.modelPath },
      });
    st = statSync(root);
  }
  const modelName = basename(root);
  const warnings: string[] = [];
  const excluded = new Set((options.excludeAbsolute ?? []).map((p) => resolve(p)));
  if (st.isFile()) {
    return {
      modelName,
      singleFile: true,
      files: [{ name: '.', path: root, size: st.size, stamp: stampOf(st) }],
      recordedIgnorePaths: [],
      warnings,
    };
  }
  if (!st.isDirectory())
    throw new ProvenanceError('BAD_PATH', 'model path is neither a file nor a directory', {
      where: { file: options.modelPath },
    });
  const userIgnores = (options.ignorePaths ?? []).map((p) =>
    canonicalRelativePath(p, 'ignore path'),
  );
  const defaults = options.ignoreGitPaths === false ? [] : [...DEFAULT_IGNORE_PATHS];
  const relExcluded: string[] = [];
  for (const abs of excluded) {
    if (abs.startsWith(root + sep))
      relExcluded.push(
        abs
          .slice(root.length + 1)
          .split(sep)
          .join('/'),
      );
  }
  const ignores = [...new Set([...defaults, ...userIgnores, ...relExcluded])];
  const files: ModelFile[] = [];
  const visitedDirs = new Set<string>([realpathSync(root)]);
  const stack: { abs: string; rel: string; depth: number }[] = [{ abs: root, rel: '', depth: 0 }];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  while (stack.length > 0) {
    const dir = stack.pop() as { abs: string; rel: string; depth: number };
    if (dir.depth > MAX_DEPTH)
      throw new ProvenanceError('LIMIT_EXCEEDED', `directory nesting deeper than ${MAX_DEPTH}`, {
        where: { file: dir.abs },
      });
    let entries;
    try {
      entries = readdirSync(dir.abs, { encoding: 'buffer' });
    } catch (e) {
      throw new ProvenanceError('IO', 'cannot read directory', {
        where: { file: dir.abs },
        cause: e,
      });
    }
    for (const raw of entries) {
      let name: string;
      try {
        name = decoder.decode(raw);
      } catch {
        throw new ProvenanceError(
          'BAD_PATH',
          `file name is not valid UTF-8 (OMS §6.1.2): ${raw.toString('latin1')}`,
          { where: { file: dir.abs } },
        );
      }
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      const abs = join(dir.abs, name);
      if (ignores.some((ig) => isUnder(rel, ig)) || excluded.has(abs)) continue;
      let est = lstatSync(abs);
      if (est.isSymbolicLink()) {
        if (!allowSymlinks)
          throw new ProvenanceError(
            'SYMLINK',
            `symbolic link in model (use --allow-symlinks): ${rel}`,
            { where: { file: abs } },
          );
        let real: string;
        try {
          real = realpathSync(abs);
          est = statSync(abs);
        } catch (e) {
          throw new ProvenanceError('BAD_PATH', `broken symbolic link: ${rel}`, {
            where: { file: abs },
            cause: e,
          });
        }
        if (!real.startsWith(realpathSync(root) + sep))
          warnings.push(`symbolic link ${rel} points outside the model`);
        if (est.isDirectory()) {
          if (visitedDirs.has(real)) {
            warnings.push(`symbolic link cycle at ${rel} skipped`);
            continue;
          }
          visitedDirs.add(real);
        }
      }
      if (est.isDirectory()) {
        stack.push({ abs, rel, depth: dir.depth + 1 });
      } else if (est.isFile()) {
        if (files.length >= MAX_FILES)
          throw new ProvenanceError('LIMIT_EXCEEDED', `more than ${MAX_FILES} files`, {
            where: { file: options.modelPath },
          });
        files.push({ name: rel, path: abs, size: est.size, stamp: stampOf(est) });
      } else {
        throw new ProvenanceError('BAD_PATH', `not a regular file or directory: ${rel}`, {
          where: { file: abs },
        });
      }
    }
  }
  files.sort((a, b) => compareResourceNames(a.name, b.name, false));
  return {
    modelName,
    singleFile: false,
    files,
    recordedIgnorePaths: [...ignores].sort(compareCodePoints),
    warnings,
  };
}

/** Options for {@link buildManifest}. */
export interface ManifestOptions extends EnumerateOptions {
  readonly hashType?: FileHashAlgorithm;
  readonly method?: 'files' | 'shards';
  readonly shardSize?: number;
  /** Worker threads (0 = in-process). */
  readonly workers?: number;
  /** Digests to reuse for unchanged files, keyed by name → {stamp, digest}. */
  readonly reuse?: ReadonlyMap<
    string,
    { readonly stamp: string; readonly digest: string; readonly size: number }
  >;
  readonly onProgress?: (bytes: number, total: number) => void;
}

/** A computed manifest. */
export interface Manifest {
  readonly modelName: string;
  readonly singleFile: boolean;
  readonly resources: readonly Resource[];
  readonly serialization: Serialization;
  /** OMS root digest (hex SHA-256 over the raw resource digests, OMS §6.5.1). */
  readonly rootDigest: string;
  /** Our Merkle root over (name, size, algorithm, digest) leaves (hex). */
  readonly merkleRoot: string;
  readonly files: readonly ModelFile[];
  /** Bytes actually hashed (less than the model size when digests were reused). */
  readonly bytesHashed: number;
  readonly warnings: readonly string[];
}

/** The resource `algorithm` string the reference tool writes (`sha256-sharded-<n>` for shards). */
export function resourceAlgorithm(
  hashType: string,
  method: 'files' | 'shards',
  shardSize?: number,
): string {
  return method === 'shards' ? `${hashType}-sharded-${shardSize ?? DEFAULT_SHARD_SIZE}` : hashType;
}

/** OMS root digest over resource digests in the given order. */
export function omsRootDigest(resources: readonly { readonly digest: string }[]): string {
  const h = createHash('sha256');
  for (const r of resources) h.update(Buffer.from(r.digest, 'hex'));
  return h.digest('hex');
}

/** Bytes of the Merkle leaf for a resource: JCS of {algorithm, digest, name, size}. */
export function manifestLeaf(r: {
  name: string;
  size: number;
  algorithm: string;
  digest: string;
}): Buffer {
  return Buffer.from(
    canonicalJson({ algorithm: r.algorithm, digest: r.digest, name: r.name, size: r.size }),
    'utf8',
  );
}

/** Merkle root (hex) over resources that all carry a size. */
export function manifestMerkleRoot(resources: readonly Resource[]): string {
  const cr = new CompactRange();
  for (const r of resources) {
    if (r.size === undefined)
      throw new ProvenanceError('BAD_PREDICATE', `resource ${r.name} has no size`);
    cr.append(
      leafHash(
        manifestLeaf({ name: r.name, size: r.size, algorithm: r.algorithm, digest: r.digest }),
      ),
    );
  }
  return Buffer.from(cr.root()).toString('hex');
}

/** Hash a model into an OMS manifest, in parallel, reusing digests of unchanged files. */
export async function buildManifest(options: ManifestOptions): Promise<Manifest> {
  const en = enumerateModel(options);
  const hashType = options.hashType ?? 'sha256';
  const method = options.method ?? 'files';
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  if (method === 'shards' && (!Number.isSafeInteger(shardSize) || shardSize < MIN_SHARD_SIZE)) {
    throw new ProvenanceError('BAD_INPUT', `shard size must be an integer ≥ ${MIN_SHARD_SIZE}`);
  }
  if (en.files.length === 0)
    throw new ProvenanceError('EMPTY_MODEL', 'the model has no files to sign (OMS §6.1)', {
      where: { file: options.modelPath },
    });
  const algorithm = resourceAlgorithm(hashType, method, shardSize);
  const jobs: HashJob[] = [];
  const slots: { name: string; size: number; reused?: string }[] = [];
  let total = 0;
  for (const f of en.files) {
    if (method === 'files') {
      const prev = options.reuse?.get(f.name);
      if (prev && prev.stamp === f.stamp && prev.size === f.size) {
        slots.push({ name: f.name, size: f.size, reused: prev.digest });
        continue;
      }
      jobs.push({ path: f.path, start: 0, end: -1, algorithm: hashType });
      slots.push({ name: f.name, size: f.size });
      total += f.size;
    } else {
      // Zero-byte files are omitted in shard mode (OMS §6.3.2).
      for (let start = 0; start < f.size; start += shardSize) {
        const end = Math.min(f.size, start + shardSize);
        const name = `${f.name}:${start}:${end}`;
        const prev = options.reuse?.get(name);
        if (prev && prev.stamp === f.stamp && prev.size === end - start) {
          slots.push({ name, size: end - start, reused: prev.digest });
          continue;
        }
        jobs.push({ path: f.path, start, end, algorithm: hashType });
        slots.push({ name, size: end - start });
        total += end - start;
      }
    }
    if (slots.length > MAX_RESOURCES)
      throw new ProvenanceError(
        'LIMIT_EXCEEDED',
        `more than ${MAX_RESOURCES} resources; use a larger shard size`,
      );
  }
  if (slots.length === 0)
    throw new ProvenanceError(
      'EMPTY_MODEL',
      'the model has only empty files; shard serialisation has nothing to sign',
    );
  const hashed = await hashJobs(jobs, {
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    totalBytes: total,
    ...(options.onProgress ? { onProgress: (b: number) => options.onProgress?.(b, total) } : {}),
  });
  let j = 0;
  const resources: Resource[] = slots.map((s) => {
    if (s.reused !== undefined) return { name: s.name, digest: s.reused, algorithm, size: s.size };
    const r = hashed[j++];
    if (!r) throw new ProvenanceError('IO', 'hashing produced fewer results than jobs');
    if (method === 'files' && r.size !== s.size) {
      throw new ProvenanceError('IO', `file changed size while hashing (${s.size} → ${r.size})`, {
        where: { file: s.name },
      });
    }
    return { name: s.name, digest: r.digest, algorithm, size: r.size };
  });
  resources.sort((a, b) => compareResourceNames(a.name, b.name, method === 'shards'));
  const serialization: Serialization = {
    method,
    hashType,
    ...(method === 'shards' ? { shardSize } : {}),
    allowSymlinks: options.allowSymlinks ?? false,
    ...(en.singleFile ? {} : { ignorePaths: en.recordedIgnorePaths }),
  };
  return {
    modelName: en.modelName,
    singleFile: en.singleFile,
    resources,
    serialization,
    rootDigest: omsRootDigest(resources),
    merkleRoot: manifestMerkleRoot(resources),
    files: en.files,
    bytesHashed: total,
    warnings: en.warnings,
  };
}

/** A Merkle inclusion proof for one resource of a signed manifest. */
export interface ResourceProof {
  readonly name: string;
  readonly size: number;
  readonly algorithm: string;
  readonly digest: string;
  readonly index: number;
  readonly treeSize: number;
  /** Hex hashes, leaf sibling first. */
  readonly proof: readonly string[];
  readonly merkleRoot: string;
}

/** Proof that resource `name` is in the manifest's Merkle tree (for runtimes loading one file). */
export function resourceProof(resources: readonly Resource[], name: string): ResourceProof {
  const index = resources.findIndex((r) => r.name === name);
  if (index < 0)
    throw new ProvenanceError('NOT_FOUND', `no resource named ${JSON.stringify(name)}`);
  const leaves = resources.map((r) => {
    if (r.size === undefined)
      throw new ProvenanceError('BAD_PREDICATE', `resource ${r.name} has no size`);
    return leafHash(
      manifestLeaf({ name: r.name, size: r.size, algorithm: r.algorithm, digest: r.digest }),
    );
  });
  const nodes = new Map<string, Uint8Array>();
  const cr = new CompactRange();
  for (const l of leaves) for (const n of cr.append(l)) nodes.set(`${n.level}/${n.index}`, n.hash);
  const read = (level: number, i: number): Uint8Array => nodes.get(`${level}/${i}`) as Uint8Array;
  const r = resources[index] as Resource;
  return {
    name,
    size: r.size as number,
    algorithm: r.algorithm,
    digest: r.digest,
    index,
    treeSize: resources.length,
    proof: inclusionProof(index, resources.length, read).map((h) => Buffer.from(h).toString('hex')),
    merkleRoot: Buffer.from(treeRoot(resources.length, read)).toString('hex'),
  };
}

/** Check a resource proof against a trusted (signed) Merkle root; throws on mismatch. */
export function verifyResourceProof(p: ResourceProof, trustedRoot: string): void {
  if (p.merkleRoot !== trustedRoot)
    throw new ProvenanceError('ROOT_MISMATCH', 'proof is for a different Merkle root');
  try {
    verifyInclusion({
      index: p.index,
      size: p.treeSize,
      leafHash: leafHash(manifestLeaf(p)),
      proof: p.proof.map((h) => Buffer.from(h, 'hex')),
      root: Buffer.from(trustedRoot, 'hex'),
    });
  } catch (e) {
    throw new ProvenanceError(
      'DIGEST_MISMATCH',
      `resource ${p.name} is not in the signed manifest`,
      { cause: e },
    );
  }
}
