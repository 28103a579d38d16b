/**
 * The registry: the library behind `customs serve`. Accepts signed statements (OMS manifests,
 * lineage, training data, evaluations) from enrolled keys only, logs a compact leaf per statement
 * in the transparency log with the full bundle stored beside it, and answers lookups by digest or
 * name, lineage graph queries with an inclusion proof per edge, and offline receipts.
 */
import type { KeyObject } from 'node:crypto';
import {
  ProvenanceError,
  loadPublicKey,
  parseBundle,
  parseJson,
  parseStatement,
  publicKeyPem,
  keyFingerprint,
} from '../provenance/index.js';
import { formatTlogProof, parseCheckpoint } from '../tlog/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { RegistryError } from './errors.js';
import { MAX_STATEMENT_BYTES } from './limits.js';
import {
  MAX_INDEXED_NAME,
  prepareSubmission,
  subjectsOf,
  submissionFingerprint,
} from './prepare.js';
import { PreparePool } from './prepare-pool.js';

export { MAX_STATEMENT_BYTES } from './limits.js';
/** Results per lookup. */
export const MAX_LOOKUP_RESULTS = 1000;
/** Nodes visited by one lineage query. */
export const MAX_LINEAGE_NODES = 1000;
/** Depth of one lineage query. */
export const MAX_LINEAGE_DEPTH = 64;

/** Summary of a logged statement. */
export interface StatementSummary {
  readonly statementDigest: string;
  readonly index: number;
  readonly predicateType: string;
  readonly subjects: readonly { readonly name?: string; readonly digest: string }[];
  readonly signer: string;
}

/** Result of a submission. */
export interface SubmitResult extends StatementSummary {
  readonly leafHash: string;
  readonly duplicate: boolean;
  readonly treeSize: number;
  readonly checkpoint: string;
}

/** A lineage edge with its proof of inclusion in the log. */
export interface LineageEdge {
  readonly child: string;
  readonly parent: string;
  readonly relation: string;
  readonly statementDigest: string;
  readonly index: number;
  readonly leafHash: string;
  /** Inclusion proof (base64 hashes) against the returned checkpoint. */
  readonly proof: readonly string[];
}

/** Answer to a lineage query. */
export interface LineageResult {
  readonly root: string;
  readonly direction: 'ancestors' | 'descendants';
  readonly nodes: readonly {
    readonly digest: string;
    readonly names: readonly string[];
    readonly depth: number;
  }[];
  readonly edges: readonly LineageEdge[];
  readonly treeSize: number;
  readonly checkpoint: string;
  readonly truncated: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Normalise `sha256:<hex>` / `<hex>` digests; `BAD_REQUEST` otherwise. */
export function normaliseDigest(d: string): string {
  const h = d.startsWith('sha256:') ? d.slice(7) : d;
  if (!HEX64.test(h))
    throw new RegistryError(
      'BAD_REQUEST',
      `not a sha256 digest: ${JSON.stringify(d.slice(0, 80))}`,
    );
  return h;
}

/** How long an enrolled key stays cached: bounds how late another process's revocation is seen. */
export const KEY_CACHE_MS = 5000;
/** Keys cached at most. */
const KEY_CACHE_SIZE = 10_000;

/** The registry over a transparency log. */
export class Registry {
  readonly log: TransparencyLog;
  private readonly keys = new Map<string, { key: Promise<KeyObject | null>; at: number }>();

  private readonly pool: PreparePool | undefined;

  /** `verifyWorkers` > 0 verifies submissions in that many worker threads. */
  constructor(log: TransparencyLog, options: { verifyWorkers?: number } = {}) {
    this.log = log;
    this.pool =
      (options.verifyWorkers ?? 0) > 0 ? new PreparePool(options.verifyWorkers ?? 0) : undefined;
  }

  /** The enrolled, unrevoked key with this fingerprint (cached for {@link KEY_CACHE_MS}). */
  private enrolledKey(fingerprint: string): Promise<KeyObject | null> {
    const now = Date.now();
    const c = this.keys.get(fingerprint);
    if (c && now - c.at < KEY_CACHE_MS) return c.key;
    // Cache the promise so a burst of submissions by one signer shares a single lookup.
    const key = this.log.store
      .getKey(fingerprint)
      .then((rec) => (rec && rec.revokedAt === null ? loadPublicKey(rec.pem) : null));
    if (this.keys.size >= KEY_CACHE_SIZE) this.keys.clear();
    this.keys.set(fingerprint, { key, at: now });
    key.catch(() => this.keys.delete(fingerprint));
    return key;
  }

  /** Enrol a signer's public key (PEM). Returns its fingerprint (the OMS key hint). */
  async enroll(args: {
    pem: string;
    name?: string;
    enrolledBy?: string;
  }): Promise<{ fingerprint: string; name: string | null }> {
    let key: KeyObject;
    try {
      key = loadPublicKey(args.pem, { file: 'enrolment' });
    } catch (e) {
      throw new RegistryError('BAD_REQUEST', e instanceof Error ? e.message : 'bad public key', {
        cause: e,
      });
    }
    const fingerprint = keyFingerprint(key);
    const name = args.name ?? null;
    if (name !== null && (name.length > 256 || [...name].some((ch) => ch.charCodeAt(0) < 0x20)))
      throw new RegistryError('BAD_REQUEST', 'key name must be ≤ 256 printable characters');
    await this.log.store.putKey({
      fingerprint,
      pem: publicKeyPem(key),
      name,
      enrolledBy: args.enrolledBy ?? null,
    });
    this.keys.delete(fingerprint);
    return { fingerprint, name };
  }

  /** Revoke an enrolled key (future submissions by it are refused; logged entries stay). */
  async revoke(fingerprint: string): Promise<boolean> {
    const done = await this.log.store.revokeKey(fingerprint);
    this.keys.delete(fingerprint);
    return done;
  }

  /** Verify and log a statement bundle. */
  async submit(body: string | Uint8Array): Promise<SubmitResult> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (bytes.length > MAX_STATEMENT_BYTES) {
      throw new RegistryError(
        'PAYLOAD_TOO_LARGE',
        `statement of ${bytes.length} bytes exceeds ${MAX_STATEMENT_BYTES}`,
      );
    }
    const json = parseJson(bytes, { file: 'submission', maxBytes: MAX_STATEMENT_BYTES });
    const fingerprint = submissionFingerprint(json);
    const key = await this.enrolledKey(fingerprint);
    if (!key)
      throw new RegistryError(
        'UNKNOWN_KEY',
        `signer key ${fingerprint} is not enrolled (or was revoked)`,
      );
    const p = this.pool
      ? await this.pool.prepare(bytes, publicKeyPem(key), fingerprint)
      : prepareSubmission(json as Record<string, unknown>, key, fingerprint);
    const r = await this.log.append({
      data: Buffer.from(p.leaf),
      blob: { digest: p.statementDigest, data: Buffer.from(p.canonical) },
      terms: p.terms,
      edges: p.edges,
    });
    return {
      statementDigest: p.statementDigest,
      index: r.index,
      predicateType: p.predicateType,
      subjects: p.subjects,
      signer: fingerprint,
      leafHash: r.leafHash.toString('hex'),
      duplicate: r.duplicate,
      treeSize: r.treeSize,
      checkpoint: r.checkpoint,
    };
  }

  /** Stop the verification workers (the log is closed by its owner). */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** The stored bundle (canonical JSON) of a statement. */
  async statement(digest: string): Promise<{ bundle: Buffer; index: number }> {
    const d = normaliseDigest(digest);
    const index = await this.log.store.entryForBlob(d);
    const bundle = await this.log.store.getBlob(d);
    if (index === undefined || !bundle) throw new RegistryError('NOT_FOUND', `no statement ${d}`);
    return { bundle, index };
  }

  private async summarise(indices: readonly number[]): Promise<StatementSummary[]> {
    const out: StatementSummary[] = [];
    for (const index of indices) {
      const e = await this.log.entry(index);
      if (!e || e.blobDigest === null) continue;
      const blob = await this.log.store.getBlob(e.blobDigest);
      if (!blob) continue;
      const b = parseBundle(blob, 'stored statement');
      const st = parseStatement(b.envelope.payload, 'stored statement');
      out.push({
        statementDigest: e.blobDigest,
        index,
        predicateType: st.predicateType,
        subjects: subjectsOf(st),
        signer: b.material.kind === 'publicKey' ? (b.material.hint ?? '') : '',
      });
    }
    return out;
  }

  /** Statements about a subject digest, or whose subject has a name. */
  async lookup(q: { digest?: string; name?: string; limit?: number }): Promise<StatementSummary[]> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), MAX_LOOKUP_RESULTS);
    let term: string;
    if (q.digest !== undefined) term = `subject:${normaliseDigest(q.digest)}`;
    else if (q.name !== undefined && q.name.length > 0 && q.name.length <= MAX_INDEXED_NAME)
      term = `name:${q.name}`;
    else
      throw new RegistryError('BAD_REQUEST', 'lookup needs a digest or a name (≤ 512 characters)');
    return this.summarise(await this.log.store.lookupTerm(term, limit));
  }

  /** Ancestors or descendants of a model, each edge with an inclusion proof of its statement. */
  async lineage(q: {
    digest: string;
    direction: 'ancestors' | 'descendants';
    depth?: number;
  }): Promise<LineageResult> {
    const root = normaliseDigest(q.digest);
    const maxDepth = Math.min(Math.max(q.depth ?? MAX_LINEAGE_DEPTH, 1), MAX_LINEAGE_DEPTH);
    const head = this.log.current;
    const depthOf = new Map<string, number>([[root, 0]]);
    const edges: LineageEdge[] = [];
    const seenEdges = new Set<string>();
    let frontier = [root];
    let truncated = false;
    for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const node of frontier) {
        const stored = await this.log.store.edges(
          node,
          q.direction === 'ancestors' ? 'out' : 'in',
          MAX_LINEAGE_NODES + 1,
        );
        for (const e of stored) {
          if (e.index >= head.size) continue;
          const key = `${e.src}>${e.dst}>${e.label}>${e.index}`;
          if (seenEdges.has(key)) continue;
          seenEdges.add(key);
          const other = q.direction === 'ancestors' ? e.dst : e.src;
          if (!depthOf.has(other)) {
            if (depthOf.size >= MAX_LINEAGE_NODES) {
              truncated = true;
              continue;
            }
            depthOf.set(other, depth);
            next.push(other);
          }
          const entry = await this.log.entry(e.index);
          if (!entry) continue;
          const proof = await this.log.inclusionProof(e.index, head.size);
          edges.push({
            child: e.src,
            parent: e.dst,
            relation: e.label,
            statementDigest: entry.blobDigest ?? '',
            index: e.index,
            leafHash: entry.leafHash.toString('hex'),
            proof: proof.map((h) => h.toString('base64')),
          });
        }
      }
      frontier = next;
      if (depth === maxDepth && next.length > 0) truncated = true;
    }
    const nodes = [];
    for (const [digest, depth] of depthOf) {
      const names = new Set<string>();
      for (const s of await this.lookup({ digest, limit: 20 }))
        for (const x of s.subjects)
          if (x.digest === digest && x.name !== undefined) names.add(x.name);
      nodes.push({ digest, names: [...names], depth });
    }
    return {
      root,
      direction: q.direction,
      nodes,
      edges,
      treeSize: head.size,
      checkpoint: head.checkpoint,
      truncated,
    };
  }

  /**
   * An offline receipt (c2sp.org/tlog-proof) for a statement: the log entry in `extra`, the
   * inclusion proof, and the newest checkpoint covering it — the cosigned one when available.
   */
  async receipt(q: {
    statementDigest?: string;
    index?: number;
    preferCosigned?: boolean;
  }): Promise<{ receipt: string; index: number; treeSize: number; cosigned: boolean }> {
    let index = q.index;
    if (q.statementDigest !== undefined) index = (await this.statement(q.statementDigest)).index;
    if (index === undefined || !Number.isSafeInteger(index) || index < 0)
      throw new RegistryError('BAD_REQUEST', 'receipt needs a statement digest or an index');
    const entry = await this.log.entry(index);
    if (!entry) throw new RegistryError('NOT_FOUND', `no entry ${index}`);
    let note = this.log.current.checkpoint;
    let cosigned = false;
    if (q.preferCosigned ?? true) {
      const c = await this.log.store.latestCosignedCheckpoint();
      if (c && c.size > index) {
        note = c.note;
        cosigned = true;
      }
    }
    const size = parseCheckpoint(note).size;
    const proof = await this.log.inclusionProof(index, size);
    return {
      receipt: formatTlogProof({ extra: entry.data, index, hashes: proof, checkpoint: note }),
      index,
      treeSize: size,
      cosigned,
    };
  }
}

/** Map library errors raised while handling a submission to registry errors (HTTP semantics). */
export function asRegistryError(e: unknown): unknown {
  if (e instanceof ProvenanceError) {
    if (e.code === 'BAD_SIGNATURE' || e.code === 'KEY_MISMATCH')
      return new RegistryError('FORBIDDEN', e.message, { cause: e });
    if (e.code === 'LIMIT_EXCEEDED')
      return new RegistryError('PAYLOAD_TOO_LARGE', e.message, { cause: e });
    return new RegistryError('BAD_REQUEST', e.message, {
      cause: e,
      ...(e.where ? { where: e.where } : {}),
    });
  }
  return e;
}
