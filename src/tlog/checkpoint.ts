/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed tree head of a log, a signed
 * note whose text is `<origin>\n<size>\n<base64 root>\n[extension lines…]`.
 */
import { LogError } from './errors.js';
import { HASH_SIZE } from './merkle.js';
import { decodeBase64Strict, formatNote, parseNote, signNote, verifyNote } from './note.js';
import type { Note, NoteSignature, NoteSigner, NoteVerifier } from './note.js';

/** Longest origin line accepted (keeps checkpoints small; real origins are short URLs). */
export const MAX_ORIGIN_LENGTH = 255;
/** Extension lines accepted in a checkpoint (the spec says NOT RECOMMENDED; we bound them). */
export const MAX_EXTENSION_LINES = 16;

/** The body of a checkpoint. */
export interface CheckpointBody {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly extensions: readonly string[];
}

/** A checkpoint with its signatures. */
export interface Checkpoint extends CheckpointBody {
  /** Note text (body), ending in newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Format the checkpoint body text. */
export function formatCheckpointBody(body: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}): string {
  checkOrigin(body.origin);
  if (!Number.isSafeInteger(body.size) || body.size < 0) {
    throw new LogError('BAD_CHECKPOINT', `tree size ${body.size} is not a non-negative integer`);
  }
  if (body.rootHash.length !== HASH_SIZE)
    throw new LogError('BAD_CHECKPOINT', 'root hash must be 32 bytes');
  const ext = body.extensions ?? [];
  for (const e of ext)
    if (e.length === 0 || e.includes('\n'))
      throw new LogError('BAD_CHECKPOINT', 'bad extension line');
  return (
    [body.origin, String(body.size), Buffer.from(body.rootHash).toString('base64'), ...ext].join(
      '\n',
    ) + '\n'
  );
}

function checkOrigin(origin: string): void {
  if (origin.length === 0 || origin.length > MAX_ORIGIN_LENGTH || origin.includes('\n')) {
    throw new LogError(
      'BAD_CHECKPOINT',
      `origin must be 1..${MAX_ORIGIN_LENGTH} characters on one line`,
    );
  }
}

/** Parse checkpoint note text (without signatures). */
export function parseCheckpointBody(text: string, where = 'checkpoint'): CheckpointBody {
  if (!text.endsWith('\n'))
    throw new LogError('BAD_CHECKPOINT', `${where}: text must end with a newline`);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3)
    throw new LogError('BAD_CHECKPOINT', `${where}: needs origin, size and root lines`);
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  checkOrigin(origin);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) {
    throw new LogError(
      'BAD_CHECKPOINT',
      `${where}: tree size ${JSON.stringify(sizeText.slice(0, 40))} is not a decimal without leading zeros`,
      {
        where: { file: where, line: 2 },
      },
    );
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size))
    throw new LogError('BAD_CHECKPOINT', `${where}: tree size too large`);
  let rootHash: Buffer;
  try {
    rootHash = decodeBase64Strict(rootText, `${where}: root hash`);
  } catch (e) {
    throw new LogError('BAD_CHECKPOINT', `${where}: root hash is not base64`, {
      cause: e,
      where: { file: where, line: 3 },
    });
  }
  if (rootHash.length !== HASH_SIZE)
    throw new LogError('BAD_CHECKPOINT', `${where}: root hash must be 32 bytes`);
  if (extensions.length > MAX_EXTENSION_LINES)
    throw new LogError('LIMIT_EXCEEDED', `${where}: too many extension lines`);
  for (const e of extensions)
    if (e.length === 0) throw new LogError('BAD_CHECKPOINT', `${where}: empty extension line`);
  return { origin, size, rootHash, extensions };
}

/** Parse a signed checkpoint (signatures are not verified here). */
export function parseCheckpoint(input: string | Uint8Array, where = 'checkpoint'): Checkpoint {
  let note: Note;
  try {
    note = parseNote(input, where);
  } catch (e) {
    if (e instanceof LogError && e.code === 'BAD_NOTE') {
      throw new LogError('BAD_CHECKPOINT', e.message, { cause: e });
    }
    throw e;
  }
  return { ...parseCheckpointBody(note.text, where), text: note.text, signatures: note.signatures };
}

/** Serialise a checkpoint with its signature lines. */
export function formatCheckpoint(cp: Checkpoint): string {
  return formatNote({ text: cp.text, signatures: cp.signatures });
}

/** Sign a checkpoint body with the log key(s). */
export function signCheckpoint(body: CheckpointBody, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpointBody(body), signers);
}

/**
 * Parse and verify a checkpoint against the log's verifier(s); the origin must equal
 * `expectedOrigin` when given. Returns the checkpoint with only its verified log signatures
 * separated from others (cosignatures stay in `signatures`).
 */
export function verifyCheckpoint(
  input: string | Uint8Array,
  logVerifiers: readonly NoteVerifier[],
  expectedOrigin?: string,
): Checkpoint {
  const cp = parseCheckpoint(input);
  if (expectedOrigin !== undefined && cp.origin !== expectedOrigin) {
    throw new LogError(
      'UNKNOWN_ORIGIN',
      `checkpoint origin ${JSON.stringify(cp.origin)} is not ${JSON.stringify(expectedOrigin)}`,
    );
  }
  verifyNote(cp, logVerifiers);
  return cp;
}
