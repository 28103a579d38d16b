/**
 * C2SP signed notes (https://c2sp.org/signed-note): parsing, signing and verification, Ed25519
 * note keys (signature type 0x01), verifier keys ("vkeys") and the Go-compatible private-key
 * encoding `PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>` used by golang.org/x/mod/sumdb/note
 * and the transparency-dev tools, so keys move between this tool and theirs.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LogError } from './errors.js';

/** Reject notes above this size: a checkpoint with 64 post-quantum cosignatures stays below it. */
export const MAX_NOTE_BYTES = 512 * 1024;
/** Signature lines accepted per note; the spec requires at least 16 ("MUST accept ≥ 16"). */
export const MAX_NOTE_SIGNATURES = 100;
/** Signature type byte for plain Ed25519 note signatures (signed-note §Ed25519 signatures). */
export const SIG_TYPE_ED25519 = 0x01;
/** Signature type byte for timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature). */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

const EM_DASH = '\u2014';
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  readonly signature: Buffer;
  /** The full line without the trailing newline (kept verbatim for re-serialisation). */
  readonly line: string;
}

/** A parsed (not yet verified) signed note. */
export interface Note {
  /** Note text including its final newline, excluding the blank separator line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Something that can check note signatures for one (name, key ID). */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** True if `signature` is valid over `text` (the note text bytes). */
  verify(text: Buffer, signature: Buffer): boolean;
}

/** Something that can sign note text for one (name, key ID). */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Buffer): Buffer;
}

/** Key names are non-empty and contain no Unicode spaces or '+' (signed-note §Format). */
export function checkKeyName(name: string): void {
  if (name.length === 0 || name.length > 512 || /[\s+]/u.test(name) || hasControl(name)) {
    throw new LogError('BAD_KEY', `invalid note key name ${JSON.stringify(name)}`);
  }
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Key ID = first 4 bytes (big-endian) of SHA-256(name || 0x0A || type || public key). */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, type]))
    .update(publicKey)
    .digest();
  return h.readUInt32BE(0);
}

/** Strict standard base64 (RFC 4648 §4) decode: rejects other alphabets, whitespace, bad padding. */
export function decodeBase64Strict(s: string, what: string): Buffer {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new LogError('BAD_NOTE', `${what}: not canonical base64`);
  }
  const b = Buffer.from(s, 'base64');
  if (b.toString('base64') !== s) throw new LogError('BAD_NOTE', `${what}: not canonical base64`);
  return b;
}

function validUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Parse a signed note. Enforces: ≤ {@link MAX_NOTE_BYTES}, valid UTF-8, no control characters
 * other than newline, text ending in newline, a blank separator line, and well-formed signature
 * lines (em dash, space, key name, space, base64 of ≥ 5 bytes).
 */
export function parseNote(input: string | Uint8Array, where = 'note'): Note {
  let s: string;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > MAX_NOTE_BYTES) {
      throw new LogError('LIMIT_EXCEEDED', `${where}: note exceeds ${MAX_NOTE_BYTES} bytes`);
    }
    s = input;
  } else {
    if (input.length > MAX_NOTE_BYTES) {
      throw new LogError('LIMIT_EXCEEDED', `${where}: note exceeds ${MAX_NOTE_BYTES} bytes`);
    }
    const d = validUtf8(input);
    if (d === undefined) throw new LogError('BAD_NOTE', `${where}: note is not valid UTF-8`);
    s = d;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) {
      throw new LogError(
        'BAD_NOTE',
        `${where}: control character U+${c.toString(16).padStart(4, '0')} in note`,
        {
          where: { file: where, offset: i },
        },
      );
    }
  }
  const sep = s.lastIndexOf('\n\n');
  if (sep < 0) throw new LogError('BAD_NOTE', `${where}: no blank line before the signatures`);
  const text = s.slice(0, sep + 1);
  const sigBlock = s.slice(sep + 2);
  if (!sigBlock.endsWith('\n'))
    throw new LogError('BAD_NOTE', `${where}: signatures must end with a newline`);
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new LogError('LIMIT_EXCEEDED', `${where}: more than ${MAX_NOTE_SIGNATURES} signatures`);
  }
  const signatures: NoteSignature[] = lines.map((line, i) =>
    parseSignatureLine(line, `${where}: signature line ${i + 1}`),
  );
  return { text, signatures };
}

/** Parse one `— <name> <base64>` line (no trailing newline). */
export function parseSignatureLine(line: string, where = 'signature line'): NoteSignature {
  if (!line.startsWith(`${EM_DASH} `))
    throw new LogError('BAD_NOTE', `${where}: must start with an em dash and a space`);
  const rest = line.slice(2);
  const sp = rest.indexOf(' ');
  if (sp <= 0) throw new LogError('BAD_NOTE', `${where}: expected "<name> <signature>"`);
  const name = rest.slice(0, sp);
  const b64 = rest.slice(sp + 1);
  checkKeyName(name);
  const raw = decodeBase64Strict(b64, where);
  if (raw.length < 5) throw new LogError('BAD_NOTE', `${where}: signature shorter than a key ID`);
  return { name, keyId: raw.readUInt32BE(0), signature: raw.subarray(4), line };
}

/** Format a signature line (with trailing newline). */
export function formatSignatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const raw = Buffer.alloc(4 + signature.length);
  raw.writeUInt32BE(keyId >>> 0, 0);
  raw.set(signature, 4);
  return `${EM_DASH} ${name} ${raw.toString('base64')}\n`;
}

/** Serialise a note: text, blank line, signature lines. */
export function formatNote(note: Note): string {
  return `${note.text}\n${note.signatures.map((s) => `${s.line}\n`).join('')}`;
}

/** Sign note text (must end in newline) with each signer; returns the full signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n')) throw new LogError('BAD_NOTE', 'note text must end with a newline');
  const bytes = Buffer.from(text, 'utf8');
  let out = `${text}\n`;
  for (const s of signers) out += formatSignatureLine(s.name, s.keyId, s.sign(bytes));
  return out;
}

/** Outcome of verifying a note against a set of known keys. */
export interface VerifiedNote {
  readonly text: string;
  /** Signatures from known keys that verified. */
  readonly verified: readonly NoteSignature[];
  /** Signatures from unknown keys (ignored, kept for re-serialisation). */
  readonly unknown: readonly NoteSignature[];
}

/**
 * Verify a note: signatures from unknown (name, key ID) are ignored; a known key whose signature
 * fails rejects the whole note (`BAD_SIGNATURE`); no verified known signature → `UNKNOWN_KEY`.
 */
export function verifyNote(note: Note, verifiers: readonly NoteVerifier[]): VerifiedNote {
  const text = Buffer.from(note.text, 'utf8');
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const sig of note.signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!v) {
      unknown.push(sig);
      continue;
    }
    if (!v.verify(text, sig.signature)) {
      throw new LogError('BAD_SIGNATURE', `note signature by ${sig.name} does not verify`);
    }
    verified.push(sig);
  }
  if (verified.length === 0)
    throw new LogError('UNKNOWN_KEY', 'note has no signature from a known key');
  return { text: note.text, verified, unknown };
}

/** Node KeyObject for a raw 32-byte Ed25519 public key. */
export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32)
    throw new LogError('BAD_KEY', `Ed25519 public key must be 32 bytes, got ${raw.length}`);
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

/** Node KeyObject for a raw 32-byte Ed25519 seed. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32)
    throw new LogError('BAD_KEY', `Ed25519 seed must be 32 bytes, got ${seed.length}`);
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** Raw 32-byte public key of an Ed25519 KeyObject. */
export function ed25519RawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ type: 'spki', format: 'der' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** Split at the first `n - 1` plus signs; undefined if there are fewer. */
function splitPlus(s: string, n: number): string[] | undefined {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < n - 1; i++) {
    const j = rest.indexOf('+');
    if (j < 0) return undefined;
    out.push(rest.slice(0, j));
    rest = rest.slice(j + 1);
  }
  out.push(rest);
  return out;
}

/** Parsed verifier key `<name>+<hex id>+<base64(type || key)>`. */
export interface VKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Buffer;
  readonly text: string;
}

/** Parse a vkey and check that its key ID matches the key material. */
export function parseVKey(text: string): VKey {
  const t = text.trim();
  // The key material is base64 and may itself contain '+': split at the first two only.
  const parts = splitPlus(t, 3);
  if (!parts) throw new LogError('BAD_KEY', 'verifier key must be <name>+<id>+<key>');
  const [name, idHex, b64] = parts as [string, string, string];
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex))
    throw new LogError('BAD_KEY', 'verifier key ID must be 8 lowercase hex digits');
  const raw = decodeBase64Strict(b64, 'verifier key');
  if (raw.length < 2) throw new LogError('BAD_KEY', 'verifier key material is empty');
  const type = raw[0] as number;
  const publicKey = raw.subarray(1);
  const keyId = Number.parseInt(idHex, 16);
  if (noteKeyId(name, type, publicKey) !== keyId) {
    throw new LogError('BAD_KEY', `verifier key ID ${idHex} does not match the key material`);
  }
  return { name, keyId, type, publicKey, text: t };
}

/** Format a vkey. */
export function formatVKey(name: string, type: number, publicKey: Uint8Array): string {
  checkKeyName(name);
  const id = noteKeyId(name, type, publicKey);
  return `${name}+${id.toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`;
}

/** A note verifier for a plain Ed25519 (type 0x01) vkey. */
export function ed25519Verifier(vkey: string | VKey): NoteVerifier {
  const k = typeof vkey === 'string' ? parseVKey(vkey) : vkey;
  if (k.type !== SIG_TYPE_ED25519) {
    throw new LogError(
      'BAD_KEY',
      `${k.name}: expected an Ed25519 (0x01) verifier key, got type 0x${k.type.toString(16)}`,
    );
  }
  const key = ed25519PublicKeyFromRaw(k.publicKey);
  return {
    name: k.name,
    keyId: k.keyId,
    verify: (text, signature) => signature.length === 64 && verify(null, text, key, signature),
  };
}

/** A note signing key: name, Ed25519 private key, and its public vkey. */
export interface NoteKeyPair {
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly signer: NoteSigner;
  readonly vkey: string;
  /** Go-compatible `PRIVATE+KEY+...` text. */
  readonly skey: string;
}

function keyPairFromSeed(name: string, seed: Buffer, type: number): NoteKeyPair {
  checkKeyName(name);
  const privateKey = ed25519PrivateKeyFromSeed(seed);
  const pub = ed25519RawPublicKey(privateKey);
  const keyId = noteKeyId(name, type, pub);
  const idHex = keyId.toString(16).padStart(8, '0');
  return {
    name,
    privateKey,
    signer: { name, keyId, sign: (text) => sign(null, text, privateKey) },
    vkey: formatVKey(name, type, pub),
    skey: `PRIVATE+KEY+${name}+${idHex}+${Buffer.concat([Buffer.from([type]), seed]).toString('base64')}`,
  };
}

/** Generate a fresh Ed25519 note key (type 0x01 for logs, 0x04 for cosigning witnesses). */
export function generateNoteKey(
  name: string,
  type: number = SIG_TYPE_ED25519,
  seed?: Uint8Array,
): NoteKeyPair {
  const s = seed
    ? Buffer.from(seed)
    : Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  return keyPairFromSeed(name, s, type);
}

/** Parse a `PRIVATE+KEY+<name>+<id>+<base64(type||seed)>` signing key. */
export function parseNoteSigningKey(text: string): NoteKeyPair & { readonly type: number } {
  const parts = splitPlus(text.trim(), 5);
  if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw new LogError('BAD_KEY', 'signing key must look like PRIVATE+KEY+<name>+<id>+<key>');
  }
  const name = parts[2] as string;
  const raw = decodeBase64Strict(parts[4] as string, 'signing key');
  if (raw.length !== 33)
    throw new LogError('BAD_KEY', 'signing key material must be 1 type byte + 32-byte seed');
  const type = raw[0] as number;
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) {
    throw new LogError('BAD_KEY', `unsupported signing key type 0x${type.toString(16)}`);
  }
  const kp = keyPairFromSeed(name, raw.subarray(1), type);
  if (kp.signer.keyId.toString(16).padStart(8, '0') !== parts[3]) {
    throw new LogError('BAD_KEY', 'signing key ID does not match the key material');
  }
  return { ...kp, type };
}
