/**
 * A transparency-log witness (c2sp.org/tlog-witness `add-checkpoint`) issuing Ed25519 v1
 * cosignatures (c2sp.org/tlog-cosignature). For each known log origin it keeps the latest
 * checkpoint it cosigned, updated atomically (one SQLite transaction per request) so that two
 * racing requests cannot roll its view back. A validly signed checkpoint that contradicts what it
 * cosigned — same size with another root, or no valid consistency proof — is refused and recorded
 * as evidence, with both notes, for anyone to re-check offline. An older checkpoint is merely
 * answered 409 (it is not evidence of anything).
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LogError } from './errors.js';
import { EMPTY_ROOT, HASH_SIZE, verifyConsistency } from './merkle.js';
import {
  SIG_TYPE_COSIGNATURE_V1,
  decodeBase64Strict,
  ed25519RawPublicKey,
  ed25519Verifier,
  formatVKey,
  parseNote,
  verifyNote,
} from './note.js';
import type { NoteVerifier } from './note.js';
import { parseCheckpointBody } from './checkpoint.js';
import { cosign, cosignerKey } from './cosignature.js';
import type { CosignerKey } from './cosignature.js';

/** Largest add-checkpoint request body (63 proof lines + a checkpoint with many signatures). */
export const MAX_ADD_CHECKPOINT_BYTES = 128 * 1024;
/** Proof lines a client may send (tlog-witness: "MUST NOT send more than 63"). */
export const MAX_PROOF_LINES = 63;
/** Evidence records kept per origin (bounds storage if a log misbehaves repeatedly). */
export const MAX_EVIDENCE_PER_ORIGIN = 10_000;

/** A witness's answer to add-checkpoint. */
export interface WitnessResponse {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422;
  readonly body: string;
  readonly contentType: string;
}

/** A recorded piece of evidence of log misbehaviour. */
export interface Evidence {
  readonly id: number;
  readonly origin: string;
  readonly receivedAt: number;
  /**
   * `split-view`: two log-signed roots for one tree size — cryptographic proof of a fork.
   * `inconsistent-proof`: a log-signed checkpoint arrived with no valid consistency proof from
   * the cosigned one — a refused request to investigate (a bug or an attack), not itself proof.
   */
  readonly kind: 'split-view' | 'inconsistent-proof';
  readonly detail: string;
  /** The checkpoint the witness had cosigned (log-signed note + our cosignature). */
  readonly cosigned: string;
  /** The conflicting log-signed checkpoint it was shown. */
  readonly presented: string;
  /** The full add-checkpoint request body. */
  readonly request: string;
}

/** Options for {@link Witness}. */
export interface WitnessOptions {
  /** Witness key name (e.g. `witness.example/w1`). */
  readonly name: string;
  /** Ed25519 private key of the witness. */
  readonly privateKey: KeyObject;
  /** Logs this witness follows: origin and its verifier keys (vkeys, type 0x01). */
  readonly logs: readonly { readonly origin: string; readonly vkeys: readonly string[] }[];
  /** SQLite file for the witness state, or `:memory:`. */
  readonly dbPath: string;
  /** Clock in seconds (tests). */
  readonly now?: () => number;
}

interface Parsed {
  readonly oldSize: number;
  readonly proof: Buffer[];
  readonly checkpoint: string;
}

function sizeText(n: number): string {
  return `${n}\n`;
}

/** Parse an add-checkpoint body; throws `BAD_NOTE`-style errors for a 400. */
export function parseAddCheckpoint(body: string): Parsed {
  if (Buffer.byteLength(body) > MAX_ADD_CHECKPOINT_BYTES)
    throw new LogError('LIMIT_EXCEEDED', 'request body too large');
  const blank = body.indexOf('\n\n');
  if (blank < 0) throw new LogError('BAD_NOTE', 'missing blank line before the checkpoint');
  const head = body.slice(0, blank).split('\n');
  const m = /^old (0|[1-9][0-9]{0,15})$/.exec(head[0] ?? '');
  if (!m) throw new LogError('BAD_NOTE', 'first line must be "old <size>"');
  const oldSize = Number(m[1]);
  if (!Number.isSafeInteger(oldSize)) throw new LogError('BAD_NOTE', 'old size too large');
  if (head.length - 1 > MAX_PROOF_LINES)
    throw new LogError('BAD_NOTE', `more than ${MAX_PROOF_LINES} proof lines`);
  const proof = head.slice(1).map((l) => {
    const h = decodeBase64Strict(l, 'proof line');
    if (h.length !== HASH_SIZE) throw new LogError('BAD_NOTE', 'proof line is not a 32-byte hash');
    return h;
  });
  return { oldSize, proof, checkpoint: body.slice(blank + 2) };
}

/** The witness state machine (transport-independent; see the server for HTTP). */
export class Witness {
  readonly name: string;
  readonly vkey: string;
  private readonly key: CosignerKey;
  private readonly logs: Map<string, NoteVerifier[]>;
  private readonly db: Db;
  private readonly now: () => number;

  constructor(o: WitnessOptions) {
    this.name = o.name;
    this.key = cosignerKey(o.name, o.privateKey);
    this.vkey = formatVKey(o.name, SIG_TYPE_COSIGNATURE_V1, ed25519RawPublicKey(o.privateKey));
    this.logs = new Map(o.logs.map((l) => [l.origin, l.vkeys.map((k) => ed25519Verifier(k))]));
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
    if (o.dbPath !== ':memory:') mkdirSync(dirname(o.dbPath), { recursive: true });
    this.db = new Database(o.dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS state (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS evidence (id INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT NOT NULL, received_at INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, cosigned TEXT NOT NULL, presented TEXT NOT NULL, request TEXT NOT NULL);
    `);
  }

  /** Handle an add-checkpoint request body. Never throws for bad input: maps it to a status. */
  addCheckpoint(body: string): WitnessResponse {
    const text = (status: WitnessResponse['status'], msg: string): WitnessResponse => ({
      status,
      body: `${msg}\n`,
      contentType: 'text/plain; charset=utf-8',
    });
    let req: Parsed;
    let cpText: string;
    let cp;
    try {
      req = parseAddCheckpoint(body);
      const note = parseNote(req.checkpoint, 'checkpoint');
      cpText = note.text;
      cp = parseCheckpointBody(note.text);
      const verifiers = this.logs.get(cp.origin);
      if (!verifiers) return text(404, `unknown log origin ${cp.origin}`);
      try {
        verifyNote(note, verifiers);
      } catch {
        return text(403, 'checkpoint is not validly signed by the log');
      }
    } catch (e) {
      return text(400, e instanceof Error ? e.message : 'bad request');
    }
    if (req.oldSize > cp.size)
      return text(400, `old size ${req.oldSize} exceeds checkpoint size ${cp.size}`);
    const origin = cp.origin;
    // Check-and-update in one immediate transaction: no interleaving can roll the state back.
    const tx = this.db.transaction((): WitnessResponse => {
      const row = this.db
        .prepare('SELECT size, root, note FROM state WHERE origin = ?')
        .get(origin) as { size: number; root: Buffer; note: string } | undefined;
      const curSize = row?.size ?? 0;
      const curRoot = row?.root ?? EMPTY_ROOT;
      if (req.oldSize !== curSize)
        return { status: 409, body: sizeText(curSize), contentType: 'text/x.tlog.size' };
      if (cp.size === 0 && !cp.rootHash.equals(EMPTY_ROOT))
        return text(422, 'a checkpoint of size 0 must have the empty root');
      if (req.oldSize === 0) {
        if (req.proof.length > 0)
          return text(422, 'the consistency proof from size 0 must be empty');
      } else if (req.oldSize === cp.size) {
        if (req.proof.length > 0)
          return text(422, 'the consistency proof between equal sizes must be empty');
        if (!cp.rootHash.equals(curRoot)) {
          this.recordEvidence(
            origin,
            'split-view',
            `two roots for size ${cp.size}`,
            row?.note ?? '',
            req.checkpoint,
            body,
          );
          return text(
            422,
            `root differs from the cosigned checkpoint of size ${cp.size}: split view recorded`,
          );
        }
      } else {
        try {
          verifyConsistency({
            size1: req.oldSize,
            size2: cp.size,
            proof: req.proof,
            root1: curRoot,
            root2: cp.rootHash,
          });
        } catch {
          this.recordEvidence(
            origin,
            'inconsistent-proof',
            `no valid consistency proof from ${req.oldSize} to ${cp.size}`,
            row?.note ?? '',
            req.checkpoint,
            body,
          );
          return text(
            422,
            `consistency proof from ${req.oldSize} to ${cp.size} does not verify: recorded`,
          );
        }
      }
      const line = cosign(cpText, this.key, this.now());
      const note = req.checkpoint + line;
      this.db
        .prepare(
          'INSERT INTO state (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, updated_at = excluded.updated_at',
        )
        .run(origin, cp.size, cp.rootHash, note, Date.now());
      return { status: 200, body: line, contentType: 'text/plain; charset=utf-8' };
    });
    return tx.immediate();
  }

  private recordEvidence(
    origin: string,
    kind: Evidence['kind'],
    detail: string,
    cosigned: string,
    presented: string,
    request: string,
  ): void {
    const n = (
      this.db.prepare('SELECT COUNT(*) AS n FROM evidence WHERE origin = ?').get(origin) as {
        n: number;
      }
    ).n;
    if (n >= MAX_EVIDENCE_PER_ORIGIN) return;
    // Evidence is written in its own statement so a refused request still leaves its trace.
    this.db
      .prepare(
        'INSERT INTO evidence (origin, received_at, kind, detail, cosigned, presented, request) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(origin, Date.now(), kind, detail, cosigned, presented, request);
  }

  /** Latest cosigned checkpoint for the log whose origin hashes (SHA-256, hex) to `originHash`. */
  latest(originHash: string): string | undefined {
    for (const origin of this.logs.keys()) {
      if (createHash('sha256').update(origin).digest('hex') === originHash) {
        const r = this.db.prepare('SELECT note FROM state WHERE origin = ?').get(origin) as
          { note: string } | undefined;
        return r?.note;
      }
    }
    return undefined;
  }

  /** Evidence of misbehaviour recorded so far (newest first). */
  evidence(limit = 100): Evidence[] {
    const rows = this.db
      .prepare('SELECT * FROM evidence ORDER BY id DESC LIMIT ?')
      .all(Math.min(Math.max(limit, 1), 1000)) as {
      id: number;
      origin: string;
      received_at: number;
      kind: Evidence['kind'];
      detail: string;
      cosigned: string;
      presented: string;
      request: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      origin: r.origin,
      receivedAt: r.received_at,
      kind: r.kind,
      detail: r.detail,
      cosigned: r.cosigned,
      presented: r.presented,
      request: r.request,
    }));
  }

  /** Close the state database. */
  close(): void {
    this.db.close();
  }
}
