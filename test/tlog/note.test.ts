/**
 * Signed notes, checkpoints, cosignatures, tiles, tlog-proof and tlog-policy. Known answers:
 * the C2SP signed-note example (c2sp.org/signed-note §Example) and the PeterNeumann key and
 * signature from the documentation of golang.org/x/mod/sumdb/note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ed25519Verifier,
  formatVKey,
  generateNoteKey,
  parseNote,
  parseNoteSigningKey,
  parseVKey,
  signNote,
  verifyNote,
  SIG_TYPE_COSIGNATURE_V1,
} from '../../src/tlog/note.js';
import {
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
} from '../../src/tlog/checkpoint.js';
import { cosign, cosignatureVerifier, cosignerKey } from '../../src/tlog/cosignature.js';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  parseTilePath,
  tilePath,
  tileWidthAt,
} from '../../src/tlog/tiles.js';
import { parsePolicy, simplePolicy, verifyCheckpointWithPolicy } from '../../src/tlog/policy.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from '../../src/tlog/proof.js';
import { CompactRange, inclusionProof, leafHash, treeRoot } from '../../src/tlog/merkle.js';
import { LogError } from '../../src/tlog/errors.js';
import type { LogErrorCode } from '../../src/tlog/errors.js';

const isCode =
  (code: LogErrorCode) =>
  (e: unknown): boolean =>
    e instanceof LogError && e.code === code;

test('C2SP signed-note example verifies; tampering is rejected', () => {
  const vkey = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
  const note =
    'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
  const v = verifyNote(parseNote(note), [ed25519Verifier(vkey)]);
  assert.equal(v.verified.length, 1);
  assert.throws(
    () =>
      verifyNote(parseNote(note.replace('example message', 'exemplary message')), [
        ed25519Verifier(vkey),
      ]),
    isCode('BAD_SIGNATURE'),
  );
  const other = generateNoteKey('example.com/bar');
  assert.throws(
    () => verifyNote(parseNote(note), [ed25519Verifier(other.vkey)]),
    isCode('UNKNOWN_KEY'),
  );
});

test('golang.org/x/mod/sumdb/note known answer: PeterNeumann key and signature', () => {
  const k = parseNoteSigningKey(
    'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
  );
  assert.equal(k.vkey, 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
  const text =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  assert.equal(
    signNote(text, [k.signer]),
    `${text}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
  );
  assert.equal(parseNoteSigningKey(k.skey).vkey, k.vkey);
});

test('malformed notes and keys are typed errors', () => {
  const bad = [
    'no blank line\n\u2014 a AAAAAAA=\n',
    'text\n\n- a AAAAAAAA\n',
    'text\n\n\u2014 a AAAA\n',
    'text\n\n\u2014 a !!!!\n',
    'text\u0001\n\n\u2014 a AAAAAAAA\n',
    'text\n\n\u2014 a AAAAAAAA',
    'text\n\n\u2014 a+b AAAAAAAA\n',
  ];
  for (const b of bad)
    assert.throws(
      () => parseNote(b),
      (e: unknown) => e instanceof LogError,
      JSON.stringify(b),
    );
  assert.throws(() => parseNote(Buffer.from([0x66, 0xff, 0x0a, 0x0a])), isCode('BAD_NOTE'));
  assert.throws(() => parseNote('a'.repeat(600 * 1024)), isCode('LIMIT_EXCEEDED'));
  assert.throws(
    () => parseVKey('name+00000000+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'),
    isCode('BAD_KEY'),
  );
  assert.throws(() => parseVKey('nonsense'), isCode('BAD_KEY'));
  assert.throws(() => parseNoteSigningKey('PRIVATE+KEY+x+00000000+AAAA'), isCode('BAD_KEY'));
});

test('checkpoints: sign, parse, verify, reject malformed bodies', () => {
  const log = generateNoteKey('example.com/log');
  const root = leafHash(Buffer.from('x'));
  const cp = signCheckpoint(
    { origin: 'example.com/log', size: 7, rootHash: root, extensions: [] },
    [log.signer],
  );
  const parsed = verifyCheckpoint(cp, [ed25519Verifier(log.vkey)], 'example.com/log');
  assert.equal(parsed.size, 7);
  assert.deepEqual(parsed.rootHash, root);
  assert.equal(formatCheckpoint(parsed), cp);
  assert.throws(
    () => verifyCheckpoint(cp, [ed25519Verifier(log.vkey)], 'other'),
    isCode('UNKNOWN_ORIGIN'),
  );
  for (const body of [
    'o\n07\nAAAA\n',
    'o\n-1\n' + root.toString('base64') + '\n',
    'o\n1\n' + 'AAAA' + '\n',
    'o\n1\n',
    '\n1\n' + root.toString('base64') + '\n',
  ]) {
    assert.throws(
      () => parseCheckpoint(`${body}\n\u2014 o AAAAAAAA\n`),
      isCode('BAD_CHECKPOINT'),
      JSON.stringify(body),
    );
  }
});

test('cosignatures (type 0x04) verify and bind timestamp and text', () => {
  const log = generateNoteKey('example.com/log');
  const w = generateNoteKey('witness.example/w1', SIG_TYPE_COSIGNATURE_V1);
  const ck = cosignerKey(w.name, w.privateKey);
  const cp = signCheckpoint(
    { origin: 'example.com/log', size: 1, rootHash: leafHash(Buffer.from('a')), extensions: [] },
    [log.signer],
  );
  const withCosig = cp + cosign(parseNote(cp).text, ck, 1_700_000_000);
  const v = verifyNote(parseNote(withCosig), [cosignatureVerifier(w.vkey)]);
  assert.equal(v.verified.length, 1);
  // Replaying the cosignature on another checkpoint fails.
  const cp2 = signCheckpoint(
    { origin: 'example.com/log', size: 2, rootHash: leafHash(Buffer.from('b')), extensions: [] },
    [log.signer],
  );
  const line = withCosig.slice(cp.length);
  assert.throws(
    () => verifyNote(parseNote(cp2 + line), [cosignatureVerifier(w.vkey)]),
    isCode('BAD_SIGNATURE'),
  );
  // A 0x01 key is not a cosignature key.
  assert.throws(() => cosignatureVerifier(log.vkey), isCode('BAD_KEY'));
  assert.equal(parseVKey(w.vkey).type, SIG_TYPE_COSIGNATURE_V1);
  assert.equal(formatVKey(w.name, SIG_TYPE_COSIGNATURE_V1, parseVKey(w.vkey).publicKey), w.vkey);
});

test('tile paths: spec examples, round trips and hostile paths', () => {
  assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
  assert.equal(tilePath({ level: 0, index: 1234067 }), 'tile/0/x001/x234/067');
  assert.equal(tilePath({ level: 'entries', index: 5, width: 17 }), 'tile/entries/005.p/17');
  for (const p of [
    'tile/0/x001/x234/067',
    'tile/entries/005.p/17',
    'tile/3/000',
    'tile/63/x999/999.p/255',
  ])
    assert.equal(tilePath(parseTilePath(p)), p);
  const hostile = [
    'tile/0/../../etc/passwd',
    'tile/0/%2e%2e/000',
    'tile/00/000',
    'tile/64/000',
    'tile/0/1234',
    'tile/0/001/002',
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/007',
    'tile/0/x001/x002/x003/x004/x005/x006/007',
    'tile/entries/000/',
    'tile/-1/000',
  ];
  for (const p of hostile) assert.throws(() => parseTilePath(p), isCode('BAD_TILE_PATH'), p);
  // Spec example: size 70,000 → 273 full L0 tiles, L0 partial 112, L1 full + partial 17, L2 partial 1.
  assert.equal(tileWidthAt(0, 272, 70000), 256);
  assert.equal(tileWidthAt(0, 273, 70000), 112);
  assert.equal(tileWidthAt(1, 0, 70000), 256);
  assert.equal(tileWidthAt(1, 1, 70000), 17);
  assert.equal(tileWidthAt(2, 0, 70000), 1);
  assert.equal(tileWidthAt(0, 274, 70000), 0);
});

test('entry bundles round-trip and reject truncation and oversize entries', () => {
  const entries = [Buffer.from(''), Buffer.from('abc'), Buffer.alloc(65535, 7)];
  assert.deepEqual(decodeEntryBundle(encodeEntryBundle(entries)), entries);
  assert.throws(() => encodeEntryBundle([Buffer.alloc(65536)]), isCode('ENTRY_TOO_LARGE'));
  assert.throws(() => decodeEntryBundle(Buffer.from([0, 5, 1, 2])), isCode('BAD_ENTRY'));
  assert.throws(() => decodeEntryBundle(Buffer.from([0])), isCode('BAD_ENTRY'));
});

test('policy k-of-n and offline tlog-proof receipts', () => {
  const log = generateNoteKey('example.com/log');
  const ws = [0, 1, 2].map((i) => generateNoteKey(`w${i}.example`, SIG_TYPE_COSIGNATURE_V1));
  const leaves = Array.from({ length: 13 }, (_v, i) => leafHash(Buffer.from(`entry ${i}`)));
  const cr = new CompactRange();
  const nodes = new Map<string, Uint8Array>();
  for (const l of leaves) for (const n of cr.append(l)) nodes.set(`${n.level}/${n.index}`, n.hash);
  const read = (level: number, index: number): Uint8Array =>
    nodes.get(`${level}/${index}`) as Uint8Array;
  const root = Buffer.from(treeRoot(13, read));
  const cp = signCheckpoint(
    { origin: 'example.com/log', size: 13, rootHash: root, extensions: [] },
    [log.signer],
  );
  const text = parseNote(cp).text;
  const cosigned =
    cp +
    cosign(text, cosignerKey(ws[0]?.name ?? '', (ws[0] ?? log).privateKey), 1_700_000_001) +
    cosign(text, cosignerKey(ws[2]?.name ?? '', (ws[2] ?? log).privateKey), 1_700_000_002);
  const policy = parsePolicy(
    simplePolicy({ logVKeys: [log.vkey], witnessVKeys: ws.map((w) => w.vkey), threshold: 2 }),
  );
  const receipt = formatTlogProof({
    index: 9,
    hashes: inclusionProof(9, 13, read).map((h) => Buffer.from(h)),
    checkpoint: cosigned,
  });
  const r = verifyTlogProof(parseTlogProof(receipt), leaves[9] as Buffer, policy);
  assert.deepEqual(r.witnesses, ['w0', 'w2']);
  assert.throws(
    () => verifyTlogProof(parseTlogProof(receipt), leaves[8] as Buffer, policy),
    isCode('BAD_PROOF'),
  );
  const strict = parsePolicy(
    simplePolicy({ logVKeys: [log.vkey], witnessVKeys: ws.map((w) => w.vkey), threshold: 3 }),
  );
  assert.throws(
    () => verifyTlogProof(parseTlogProof(receipt), leaves[9] as Buffer, strict),
    isCode('QUORUM'),
  );
  const noLog = parsePolicy(
    simplePolicy({
      logVKeys: [generateNoteKey('example.com/log').vkey],
      witnessVKeys: [],
      threshold: 0,
    }),
  );
  assert.throws(
    () => verifyTlogProof(parseTlogProof(receipt), leaves[9] as Buffer, noLog),
    isCode('UNKNOWN_KEY'),
  );
  // Nested groups: all(any(w0,w1), w2).
  const nested = parsePolicy(
    `log ${log.vkey}\nwitness a ${ws[0]?.vkey}\nwitness b ${ws[1]?.vkey}\nwitness c ${ws[2]?.vkey}\ngroup ab any a b\ngroup top all ab c\nquorum top\n`,
  );
  assert.equal(verifyCheckpointWithPolicy(cosigned, nested).quorumMet, true);
  // Malformed receipts and policies.
  assert.throws(
    () => parseTlogProof(receipt.replace('index 9', 'index 09')),
    isCode('BAD_RECEIPT'),
  );
  assert.throws(
    () => parseTlogProof(receipt.replace('c2sp.org/tlog-proof@v1', 'x')),
    isCode('BAD_RECEIPT'),
  );
  assert.throws(() => parsePolicy('quorum q\n'), isCode('BAD_POLICY'));
  assert.throws(
    () => parsePolicy(`witness a ${ws[0]?.vkey}\nwitness b ${ws[0]?.vkey}\nquorum a\n`),
    isCode('BAD_POLICY'),
  );
  assert.throws(
    () => parsePolicy(`witness a ${ws[0]?.vkey}\ngroup g 2 a\nquorum g\n`),
    isCode('BAD_POLICY'),
  );
});
