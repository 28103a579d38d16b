/**
 * The sequencing log on both stores (same suite): batching, dedup, proofs against checkpoints,
 * tiles, reopen, a second writer, side records. PostgreSQL runs against the real server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TransparencyLog } from '../../src/tlog/log.js';
import { EMPTY_ROOT, leafHash, verifyConsistency, verifyInclusion } from '../../src/tlog/merkle.js';
import { ed25519Verifier, generateNoteKey } from '../../src/tlog/note.js';
import { verifyCheckpoint } from '../../src/tlog/checkpoint.js';
import { decodeEntryBundle, splitTileHashes } from '../../src/tlog/tiles.js';
import { LogError } from '../../src/tlog/errors.js';
import { postgresKind, postgresUnavailable, sqliteKind } from './store-harness.js';
import type { StoreKind } from './store-harness.js';

const ORIGIN = 'test.example/log';

for (const kindName of ['sqlite', 'postgres'] as const) {
  describe(`log on ${kindName}`, async () => {
    const skip = kindName === 'postgres' ? await postgresUnavailable() : undefined;
    const kind = (): StoreKind => (kindName === 'sqlite' ? sqliteKind() : postgresKind());
    const key = generateNoteKey(ORIGIN);
    const verifier = ed25519Verifier(key.vkey);

    test('appends, proofs, dedup, tiles, reopen', { skip: skip ?? false }, async () => {
      const k = kind();
      try {
        let log = await TransparencyLog.open({
          store: k.make(),
          origin: ORIGIN,
          signer: key.signer,
          maxDelayMs: 2,
          maxBatch: 64,
        });
        const cp0 = verifyCheckpoint(log.current.checkpoint, [verifier], ORIGIN);
        assert.equal(cp0.size, 0);
        assert.deepEqual(cp0.rootHash, EMPTY_ROOT);
        const n = 300;
        const results = await Promise.all(
          Array.from({ length: n }, (_v, i) =>
            log.append({ data: Buffer.from(`entry ${i}`), terms: [`t:${i % 3}`] }),
          ),
        );
        assert.deepEqual(
          results.map((r) => r.index).sort((a, b) => a - b),
          Array.from({ length: n }, (_v, i) => i),
        );
        assert.equal(log.current.size, n);
        // Each acknowledgement carries a signed checkpoint covering the entry; the proof verifies.
        for (const r of results.filter((_r, i) => i % 37 === 0)) {
          const cp = verifyCheckpoint(r.checkpoint, [verifier], ORIGIN);
          assert.ok(cp.size > r.index);
          const proof = await log.inclusionProof(r.index, cp.size);
          verifyInclusion({
            index: r.index,
            size: cp.size,
            leafHash: r.leafHash,
            proof,
            root: cp.rootHash,
          });
        }
        // Consistency between every pair of distinct checkpoints handed out.
        const cps = [
          ...new Map(
            results.map((r) => [r.treeSize, verifyCheckpoint(r.checkpoint, [verifier])]),
          ).values(),
        ].sort((a, b) => a.size - b.size);
        for (let i = 1; i < cps.length; i++) {
          const a = cps[i - 1];
          const b = cps[i];
          if (!a || !b) continue;
          verifyConsistency({
            size1: a.size,
            size2: b.size,
            proof: await log.consistencyProof(a.size, b.size),
            root1: a.rootHash,
            root2: b.rootHash,
          });
        }
        // Dedup: the same bytes are not appended twice.
        const dup = await log.append({ data: Buffer.from('entry 7') });
        assert.equal(dup.duplicate, true);
        assert.equal(dup.index, results[7]?.index);
        assert.equal(log.current.size, n);
        const twice = await Promise.all([
          log.append({ data: Buffer.from('same') }),
          log.append({ data: Buffer.from('same') }),
        ]);
        assert.equal(twice[0].index, twice[1].index);
        assert.deepEqual(twice.map((t) => t.duplicate).sort(), [false, true]);
        await assert.rejects(
          log.append({ data: Buffer.alloc(70_000) }),
          (e: unknown) => e instanceof LogError && e.code === 'ENTRY_TOO_LARGE',
        );
        // Tiles: the full level-0 tile holds the first 256 leaf hashes; partial tiles exist.
        const t0 = await log.tile({ level: 0, index: 0 });
        assert.ok(t0);
        const hashes = splitTileHashes(t0);
        const e5 = await log.entry(5);
        assert.deepEqual(hashes[5], leafHash(e5?.data ?? Buffer.alloc(0)));
        const size = log.current.size;
        assert.equal(await log.tile({ level: 0, index: 1 }), undefined);
        const p1 = await log.tile({ level: 0, index: 1, width: size - 256 });
        assert.equal(p1?.length, (size - 256) * 32);
        const l1 = await log.tile({ level: 1, index: 0, width: 1 });
        assert.deepEqual(l1, await log.rootAt(256));
        const bundle = await log.tile({ level: 'entries', index: 1, width: 3 });
        assert.equal(decodeEntryBundle(bundle ?? Buffer.alloc(0)).length, 3);
        assert.equal(await log.tile({ level: 0, index: 1, width: 255 }), undefined);
        assert.deepEqual(
          await log.store.lookupTerm('t:1', 5),
          [1, 4, 7, 10, 13].map((i) => results[i]?.index).sort((a, b) => (a ?? 0) - (b ?? 0)),
        );
        const before = log.current;
        await log.close();
        // Reopen: same tree; new entries extend it consistently.
        log = await TransparencyLog.open({
          store: k.make(),
          origin: ORIGIN,
          signer: key.signer,
          maxDelayMs: 2,
        });
        assert.equal(log.current.size, before.size);
        assert.deepEqual(log.current.rootHash, before.rootHash);
        const more = await log.append({ data: Buffer.from('after reopen') });
        assert.equal(more.index, before.size);
        verifyConsistency({
          size1: before.size,
          size2: log.current.size,
          proof: await log.consistencyProof(before.size),
          root1: before.rootHash,
          root2: log.current.rootHash,
        });
        await assert.rejects(
          log.inclusionProof(0, log.current.size + 1),
          (e: unknown) => e instanceof LogError && e.code === 'OUT_OF_RANGE',
        );
        await log.close();
        await assert.rejects(
          log.append({ data: Buffer.from('x') }),
          (e: unknown) => e instanceof LogError && e.code === 'CLOSED',
        );
      } finally {
        await k.cleanup();
      }
    });

    test(
      'a second writer cannot fork the tree; a store belongs to one origin',
      { skip: skip ?? false },
      async () => {
        const k = kind();
        try {
          const a = await TransparencyLog.open({
            store: k.make(),
            origin: ORIGIN,
            signer: key.signer,
            maxDelayMs: 1,
          });
          const b = await TransparencyLog.open({
            store: k.make(),
            origin: ORIGIN,
            signer: key.signer,
            maxDelayMs: 1,
          });
          await a.append({ data: Buffer.from('from a') });
          await assert.rejects(
            b.append({ data: Buffer.from('from b') }),
            (e: unknown) => e instanceof LogError && e.code === 'CONFLICT',
          );
          await a.close();
          await b.close();
          const other = generateNoteKey('other.example/log');
          await assert.rejects(
            TransparencyLog.open({
              store: k.make(),
              origin: 'other.example/log',
              signer: other.signer,
            }),
            (e: unknown) => e instanceof LogError && e.code === 'CONFLICT',
          );
        } finally {
          await k.cleanup();
        }
      },
    );

    test(
      'side records: blobs, edges, keys, witness sizes, cosigned checkpoints',
      { skip: skip ?? false },
      async () => {
        const k = kind();
        const store = k.make();
        try {
          const log = await TransparencyLog.open({
            store,
            origin: ORIGIN,
            signer: key.signer,
            maxDelayMs: 1,
          });
          const r = await log.append({
            data: Buffer.from('s'),
            blob: { digest: 'ab'.repeat(32), data: Buffer.from('{"x":1}') },
            edges: [{ src: 'c', dst: 'p', label: 'finetune' }],
          });
          assert.equal((await store.getBlob('ab'.repeat(32)))?.toString(), '{"x":1}');
          assert.deepEqual(await store.edges('p', 'in', 10), [
            { src: 'c', dst: 'p', label: 'finetune', index: r.index },
          ]);
          assert.deepEqual(await store.edges('c', 'out', 10), [
            { src: 'c', dst: 'p', label: 'finetune', index: r.index },
          ]);
          await store.putKey({ fingerprint: 'f1', pem: 'PEM', name: 'alice', enrolledBy: 'admin' });
          assert.equal((await store.getKey('f1'))?.name, 'alice');
          assert.equal(await store.revokeKey('f1'), true);
          assert.notEqual((await store.getKey('f1'))?.revokedAt, null);
          assert.equal(await store.getWitnessSize('w'), 0);
          await store.setWitnessSize('w', 5);
          assert.equal(await store.getWitnessSize('w'), 5);
          assert.equal(await store.latestCosignedCheckpoint(), undefined);
          await store.storeCosignedCheckpoint(
            log.current.size,
            `${log.current.checkpoint}— w AAAAAAAA\n`,
          );
          assert.equal((await store.latestCosignedCheckpoint())?.size, log.current.size);
          await log.close();
        } finally {
          await k.cleanup();
        }
      },
    );
  });
}
