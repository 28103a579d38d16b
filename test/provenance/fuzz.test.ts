/**
 * Bad input is normal input: every parser of untrusted bytes in this area either succeeds or
 * throws a typed CustomsError — never a TypeError, RangeError or a hang — on random and mutated
 * inputs (fast-check).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CustomsError } from '../../src/errors.js';
import {
  generateSigningKey,
  lineageStatement,
  loadPrivateKey,
  parseBundle,
  parseOmsPayload,
  parseStatement,
  signStatement,
} from '../../src/provenance/index.js';
import {
  decodeEntryBundle,
  generateNoteKey,
  leafHash,
  parseAddCheckpoint,
  parseCheckpoint,
  parseNote,
  parsePolicy,
  parseTilePath,
  parseTlogProof,
  parseVKey,
  signCheckpoint,
} from '../../src/tlog/index.js';
import { parseRegistryLeaf } from '../../src/server/index.js';

function typedOrOk(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    assert.ok(
      e instanceof CustomsError,
      `untyped error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );
  }
}

const gen = generateSigningKey();
const bundleJson = signStatement({
  statement: lineageStatement({
    subject: { name: 'm', digest: 'a'.repeat(64) },
    parents: [{ digest: 'b'.repeat(64), name: 'p', relation: 'merge' }],
  }),
  privateKey: loadPrivateKey(gen.privateKeyPem),
}).bundleJson;
const logKey = generateNoteKey('fuzz.example/log');
const checkpoint = signCheckpoint(
  { origin: 'fuzz.example/log', size: 5, rootHash: leafHash(Buffer.from('x')), extensions: [] },
  [logKey.signer],
);
const proof = `c2sp.org/tlog-proof@v1\nextra eyJ9\nindex 3\n${leafHash(Buffer.from('a')).toString('base64')}\n\n${checkpoint}`;

/** Mutate a seed string: flip, insert, delete, truncate, duplicate. */
const mutated = (seed: string): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 }), fc.string({ maxLength: 4 })), {
      minLength: 1,
      maxLength: 6,
    })
    .map((ops) => {
      let s = seed;
      for (const [pos, op, ins] of ops) {
        const i = s.length === 0 ? 0 : pos % s.length;
        if (op === 0) s = s.slice(0, i) + ins + s.slice(i + 1);
        else if (op === 1) s = s.slice(0, i) + ins + s.slice(i);
        else if (op === 2) s = s.slice(0, i) + s.slice(i + 1 + (pos % 7));
        else if (op === 3) s = s.slice(0, i);
        else s = s + s.slice(0, i % 64);
      }
      return s;
    });

test('bundle, statement and OMS parsers: typed errors only', () => {
  fc.assert(
    fc.property(fc.oneof(mutated(bundleJson), fc.string(), fc.json()), (s) => {
      typedOrOk(() => parseBundle(s));
      typedOrOk(() => parseStatement(s));
      typedOrOk(() => parseOmsPayload(Buffer.from(s)));
    }),
    { numRuns: 400 },
  );
  const payload = parseBundle(bundleJson).envelope.payload.toString('utf8');
  fc.assert(
    fc.property(mutated(payload), (s) => {
      typedOrOk(() => parseStatement(s));
      typedOrOk(() => parseOmsPayload(Buffer.from(s)));
    }),
    { numRuns: 300 },
  );
});

test('note, checkpoint, receipt, policy, tile and witness parsers: typed errors only', () => {
  fc.assert(
    fc.property(fc.oneof(mutated(checkpoint), fc.string()), (s) => {
      typedOrOk(() => parseNote(s));
      typedOrOk(() => parseCheckpoint(s));
      typedOrOk(() => parseAddCheckpoint(`old 3\n\n${s}`));
      typedOrOk(() => parseVKey(s));
    }),
    { numRuns: 400 },
  );
  fc.assert(
    fc.property(fc.oneof(mutated(proof), fc.string()), (s) => {
      typedOrOk(() => parseTlogProof(s));
      typedOrOk(() => parsePolicy(s));
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.oneof(mutated('tile/1/x001/234.p/17'), fc.string()), (s) => {
      typedOrOk(() => parseTilePath(s));
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      typedOrOk(() => decodeEntryBundle(b));
      typedOrOk(() => parseRegistryLeaf(b));
      typedOrOk(() => parseNote(b));
    }),
    { numRuns: 300 },
  );
});
