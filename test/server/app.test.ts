/**
 * The registry HTTP API through `app.request()` on both stores: enrolment, submission (and every
 * way it must be refused), lookups, lineage with proofs, tiles, receipts verified offline with
 * witness cosignatures and a k-of-n policy, a witness refusing a split view, limits, OpenAPI.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRegistryApp,
  createWitnessApp,
  Registry,
  verifyReceipt,
} from '../../src/server/index.js';
import type { LogRecord, LineageResult, SubmitResult } from '../../src/server/index.js';
import {
  Cosigner,
  TransparencyLog,
  Witness,
  SIG_TYPE_COSIGNATURE_V1,
  generateNoteKey,
  leafHash,
  parseCheckpoint,
  signCheckpoint,
  simplePolicy,
  verifyCheckpoint,
  ed25519Verifier,
  verifyInclusion,
  decodeEntryBundle,
} from '../../src/tlog/index.js';
import {
  generateSigningKey,
  lineageStatement,
  loadPrivateKey,
  signStatement,
  trainingDataStatement,
} from '../../src/provenance/index.js';
import type { KeyObject } from 'node:crypto';
import type { LogStore } from '../../src/tlog/store/types.js';
import { postgresKind, postgresUnavailable, sqliteKind } from '../tlog/store-harness.js';

const ORIGIN = 'registry.test/log';
const TOKEN = 'writer-token-for-tests';
const D = (c: string): string => c.repeat(64);

interface Ctx {
  app: ReturnType<typeof createRegistryApp>;
  log: TransparencyLog;
  logKey: ReturnType<typeof generateNoteKey>;
  signer: KeyObject;
  signerPem: string;
  records: LogRecord[];
}

async function setup(
  make: () => LogStore,
  opts: { writeRate?: { perSecond: number; burst: number } } = {},
): Promise<Ctx> {
  const logKey = generateNoteKey(ORIGIN);
  const log = await TransparencyLog.open({
    store: make(),
    origin: ORIGIN,
    signer: logKey.signer,
    maxDelayMs: 1,
  });
  const records: LogRecord[] = [];
  const app = createRegistryApp({
    registry: new Registry(log),
    logVKey: logKey.vkey,
    writerTokens: [TOKEN],
    logger: (r) => records.push(r),
    ...(opts.writeRate ? { writeRate: opts.writeRate } : {}),
  });
  const gen = generateSigningKey();
  return {
    app,
    log,
    logKey,
    signer: loadPrivateKey(gen.privateKeyPem),
    signerPem: gen.publicKeyPem,
    records,
  };
}

const post = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

async function enroll(ctx: Ctx, pem = ctx.signerPem): Promise<Response> {
  return ctx.app.request(
    '/v1/keys',
    post(JSON.stringify({ publicKey: pem, name: 'alice' }), { authorization: `Bearer ${TOKEN}` }),
  );
}

function lineageBundle(
  ctx: Ctx,
  child: string,
  parent: string,
  relation: 'finetune' | 'quantized' = 'finetune',
  name = `m-${child.slice(0, 4)}`,
): string {
  return signStatement({
    statement: lineageStatement({
      subject: { name, digest: child },
      parents: [{ digest: parent, name: `m-${parent.slice(0, 4)}`, relation }],
    }),
    privateKey: ctx.signer,
  }).bundleJson;
}

for (const kindName of ['sqlite', 'postgres'] as const) {
  describe(`registry API on ${kindName}`, async () => {
    const skip = kindName === 'postgres' ? await postgresUnavailable() : undefined;
    const kind = () => (kindName === 'sqlite' ? sqliteKind() : postgresKind());

    test(
      'enrolment, submission, refusals, lookup, lineage, tiles',
      { skip: skip ?? false },
      async () => {
        const k = kind();
        const ctx = await setup(() => k.make());
        try {
          // Enrolment needs the writer token.
          assert.equal(
            (await ctx.app.request('/v1/keys', post(JSON.stringify({ publicKey: ctx.signerPem }))))
              .status,
            401,
          );
          assert.equal(
            (
              await ctx.app.request(
                '/v1/keys',
                post(JSON.stringify({ publicKey: ctx.signerPem }), {
                  authorization: 'Bearer nope',
                }),
              )
            ).status,
            401,
          );
          assert.equal(
            (
              await ctx.app.request(
                '/v1/keys',
                post('{"publicKey":"not a pem"}', { authorization: `Bearer ${TOKEN}` }),
              )
            ).status,
            400,
          );
          // A statement from a key that is not enrolled yet is refused.
          const b1 = lineageBundle(ctx, D('1'), D('0'));
          const r0 = await ctx.app.request('/v1/statements', post(b1));
          assert.equal(r0.status, 403);
          assert.equal(((await r0.json()) as { code: string }).code, 'UNKNOWN_KEY');
          assert.equal((await enroll(ctx)).status, 201);
          const r1 = await ctx.app.request('/v1/statements', post(b1));
          assert.equal(r1.status, 201);
          const s1 = (await r1.json()) as SubmitResult;
          assert.equal(s1.index, 0);
          // Replay: deduplicated, 409 with the existing entry.
          const r1b = await ctx.app.request('/v1/statements', post(b1));
          assert.equal(r1b.status, 409);
          assert.equal(((await r1b.json()) as { result: SubmitResult }).result.index, 0);
          // Tampered signature / payload, malformed JSON, wrong envelope, oversize, unknown key.
          const tampered = JSON.parse(b1) as {
            dsseEnvelope: { signatures: { sig: string }[]; payload: string };
          };
          const sigBytes = Buffer.from(tampered.dsseEnvelope.signatures[0]?.sig ?? '', 'base64');
          sigBytes[10] = (sigBytes[10] ?? 0) ^ 0xff;
          (tampered.dsseEnvelope.signatures[0] as { sig: string }).sig =
            sigBytes.toString('base64');
          assert.equal(
            (await ctx.app.request('/v1/statements', post(JSON.stringify(tampered)))).status,
            403,
          );
          assert.equal(
            (await ctx.app.request('/v1/statements', post('{"mediaType":'))).status,
            400,
          );
          assert.equal(
            (
              await ctx.app.request(
                '/v1/statements',
                post('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'),
              )
            ).status,
            400,
          );
          assert.equal(
            (await ctx.app.request('/v1/statements', post('x'.repeat(5 * 1024 * 1024)))).status,
            413,
          );
          const stranger = loadPrivateKey(generateSigningKey().privateKeyPem);
          const sb = signStatement({
            statement: lineageStatement({
              subject: { name: 'x', digest: D('9') },
              parents: [{ digest: D('8'), name: 'y', relation: 'finetune' }],
            }),
            privateKey: stranger,
          });
          assert.equal((await ctx.app.request('/v1/statements', post(sb.bundleJson))).status, 403);
          // A chain 0 ← 1 ← 2 (quantized) and 1 ← 3; plus a training-data statement about 1.
          for (const [c, p, rel] of [
            [D('2'), D('1'), 'quantized'],
            [D('3'), D('1'), 'finetune'],
          ] as const) {
            assert.equal(
              (await ctx.app.request('/v1/statements', post(lineageBundle(ctx, c, p, rel)))).status,
              201,
            );
          }
          const td = signStatement({
            statement: trainingDataStatement({
              subject: { name: 'm-1111', digest: D('1') },
              datasets: [{ name: 'web', collection: { basis: 'consent' } }],
            }),
            privateKey: ctx.signer,
          });
          assert.equal((await ctx.app.request('/v1/statements', post(td.bundleJson))).status, 201);
          // Lookup by digest and by name.
          const lk = (await (
            await ctx.app.request(`/v1/lookup?digest=sha256:${D('1')}`)
          ).json()) as { results: { predicateType: string }[] };
          assert.deepEqual(lk.results.map((r) => r.predicateType).sort(), [
            'https://model-customs.dev/attestation/training-data/v1',
            'https://slsa.dev/provenance/v1',
          ]);
          const byName = (await (await ctx.app.request('/v1/lookup?name=m-2222')).json()) as {
            results: unknown[];
          };
          assert.equal(byName.results.length, 1);
          assert.equal((await ctx.app.request('/v1/lookup?digest=zzz')).status, 400);
          assert.equal((await ctx.app.request('/v1/lookup')).status, 400);
          // Lineage both ways, every edge proven against the returned checkpoint.
          const desc = (await (
            await ctx.app.request(`/v1/lineage/${D('0')}?direction=descendants`)
          ).json()) as LineageResult;
          assert.deepEqual(desc.nodes.map((n) => n.digest).sort(), [
            D('0'),
            D('1'),
            D('2'),
            D('3'),
          ]);
          assert.equal(desc.edges.length, 3);
          const cp = verifyCheckpoint(desc.checkpoint, [ed25519Verifier(ctx.logKey.vkey)], ORIGIN);
          for (const e of desc.edges) {
            verifyInclusion({
              index: e.index,
              size: cp.size,
              leafHash: Buffer.from(e.leafHash, 'hex'),
              proof: e.proof.map((p) => Buffer.from(p, 'base64')),
              root: cp.rootHash,
            });
            // The statement the edge points to is retrievable and its leaf matches.
            const st = await ctx.app.request(`/v1/statements/${e.statementDigest}`);
            assert.equal(st.status, 200);
          }
          assert.equal(desc.edges.find((e) => e.child === D('2'))?.relation, 'quantized');
          const anc = (await (
            await ctx.app.request(`/v1/lineage/${D('2')}?direction=ancestors`)
          ).json()) as LineageResult;
          assert.deepEqual(
            anc.nodes.map((n) => [n.digest, n.depth]),
            [
              [D('2'), 0],
              [D('1'), 1],
              [D('0'), 2],
            ],
          );
          // Tiles: checkpoint, level-0 partial tile, entry bundle; hostile paths refused.
          const cpText = await (await ctx.app.request('/checkpoint')).text();
          const size = parseCheckpoint(cpText).size;
          assert.equal(size, 4);
          const tile = await ctx.app.request(`/tile/0/000.p/${size}`);
          assert.equal(tile.status, 200);
          assert.equal((await tile.arrayBuffer()).byteLength, size * 32);
          const eb = await ctx.app.request(`/tile/entries/000.p/${size}`);
          const entries = decodeEntryBundle(new Uint8Array(await eb.arrayBuffer()));
          assert.deepEqual(leafHash(entries[0] ?? Buffer.alloc(0)).toString('hex'), s1.leafHash);
          for (const p of [
            '/tile/0/000',
            '/tile/0/../../etc/passwd',
            '/tile/0/%2e%2e/000',
            '/tile/99/000',
            '/tile/0/000.p/300',
          ]) {
            const r = await ctx.app.request(p);
            assert.ok(r.status === 400 || r.status === 404, `${p} → ${r.status}`);
          }
          assert.equal((await ctx.app.request('/v1/statements/..%2F..%2Fetc')).status, 400);
          assert.equal((await ctx.app.request('/v1/entries/-1')).status, 400);
          assert.equal((await ctx.app.request(`/v1/statements/${D('f')}`)).status, 404);
          // OpenAPI, health, structured logs.
          const oa = (await (await ctx.app.request('/openapi.json')).json()) as {
            openapi: string;
            paths: Record<string, unknown>;
          };
          assert.equal(oa.openapi, '3.1.0');
          assert.ok('/v1/statements' in oa.paths);
          assert.equal(
            ((await (await ctx.app.request('/healthz')).json()) as { treeSize: number }).treeSize,
            4,
          );
          assert.ok(ctx.records.some((r) => r.msg === 'request' && r['status'] === 409));
          // Revocation stops further submissions.
          const fp = s1.signer;
          assert.equal(
            (
              await ctx.app.request(`/v1/keys/${fp}`, {
                method: 'DELETE',
                headers: { authorization: `Bearer ${TOKEN}` },
              })
            ).status,
            200,
          );
          assert.equal(
            (await ctx.app.request('/v1/statements', post(lineageBundle(ctx, D('4'), D('1')))))
              .status,
            403,
          );
        } finally {
          await ctx.log.close();
          await k.cleanup();
        }
      },
    );

    test(
      'witness cosigning, k-of-n receipts verified offline, split view refused with evidence',
      { skip: skip ?? false },
      async () => {
        const k = kind();
        const ctx = await setup(() => k.make());
        const wkeys = [0, 1, 2].map((i) => generateNoteKey(`w${i}.test`, SIG_TYPE_COSIGNATURE_V1));
        const witnesses = wkeys.map(
          (w) =>
            new Witness({
              name: w.name,
              privateKey: w.privateKey,
              logs: [{ origin: ORIGIN, vkeys: [ctx.logKey.vkey] }],
              dbPath: ':memory:',
            }),
        );
        const wapps = witnesses.map((w) => createWitnessApp(w, () => undefined));
        try {
          assert.equal((await enroll(ctx)).status, 201);
          const bundle = lineageBundle(ctx, D('a'), D('b'));
          const s = (await (
            await ctx.app.request('/v1/statements', post(bundle))
          ).json()) as SubmitResult;
          await ctx.app.request('/v1/statements', post(lineageBundle(ctx, D('c'), D('a'))));
          // Witness 2 is down: only two cosign.
          const fetchShim = async (
            url: string,
            init: { method: string; body: string },
          ): Promise<{ status: number; text(): Promise<string> }> => {
            const i = Number(/w(\d)/.exec(url)?.[1]);
            if (i === 2) throw new Error('connection refused');
            const r = await (wapps[i] as ReturnType<typeof createWitnessApp>).request(
              '/add-checkpoint',
              { method: init.method, body: init.body },
            );
            return { status: r.status, text: () => r.text() };
          };
          const cos = new Cosigner({
            log: ctx.log,
            witnesses: wkeys.map((w, i) => ({ url: `http://w${i}.test`, vkey: w.vkey })),
            fetch: fetchShim,
          });
          const round = await cos.round();
          assert.deepEqual([...round.cosigned].sort(), ['w0.test', 'w1.test']);
          assert.equal(round.failed.length, 1);
          // A second round after growth uses consistency proofs from the witnesses' sizes.
          await ctx.app.request('/v1/statements', post(lineageBundle(ctx, D('d'), D('a'))));
          const r2 = await cos.round();
          assert.equal(r2.cosigned.length, 2);
          const receipt = await (await ctx.app.request(`/v1/receipts/${s.statementDigest}`)).text();
          const policy2 = simplePolicy({
            logVKeys: [ctx.logKey.vkey],
            witnessVKeys: wkeys.map((w) => w.vkey),
            threshold: 2,
          });
          const v = verifyReceipt({ receipt, policy: policy2, bundle });
          assert.equal(v.ok, true, JSON.stringify(v));
          assert.deepEqual(v.witnesses, ['w0', 'w1']);
          assert.equal(v.statementChecked, true);
          // 3-of-3 is not met; a different statement does not match the receipt.
          const v3 = verifyReceipt({
            receipt,
            policy: simplePolicy({
              logVKeys: [ctx.logKey.vkey],
              witnessVKeys: wkeys.map((w) => w.vkey),
              threshold: 3,
            }),
          });
          assert.equal(v3.ok, false);
          assert.equal(v3.error?.code, 'QUORUM');
          const other = verifyReceipt({
            receipt,
            policy: policy2,
            bundle: lineageBundle(ctx, D('e'), D('b')),
          });
          assert.equal(other.ok, false);
          // Split view: the log key signs a different tree of an already cosigned size.
          const w0 = witnesses[0] as Witness;
          const cosigned = parseCheckpoint(await (await ctx.app.request('/checkpoint')).text());
          const forged = signCheckpoint(
            {
              origin: ORIGIN,
              size: cosigned.size,
              rootHash: leafHash(Buffer.from('fork')),
              extensions: [],
            },
            [ctx.logKey.signer],
          );
          const res = w0.addCheckpoint(`old ${cosigned.size}\n\n${forged}`);
          assert.equal(res.status, 422);
          const ev = w0.evidence();
          assert.equal(ev[0]?.kind, 'split-view');
          assert.ok(ev[0]?.presented.includes(forged.split('\n')[2] ?? ''));
          // Other refusals: wrong old size (409 with the size), unknown origin, bad signature.
          const conflict = w0.addCheckpoint(`old 1\n\n${forged}`);
          assert.equal(conflict.status, 409);
          assert.equal(conflict.body, `${cosigned.size}\n`);
          assert.equal(conflict.contentType, 'text/x.tlog.size');
          const stranger = generateNoteKey('stranger.test/log');
          assert.equal(
            w0.addCheckpoint(
              `old 0\n\n${signCheckpoint({ origin: 'stranger.test/log', size: 1, rootHash: leafHash(Buffer.from('x')), extensions: [] }, [stranger.signer])}`,
            ).status,
            404,
          );
          const impostor = generateNoteKey(ORIGIN);
          assert.equal(
            w0.addCheckpoint(
              `old ${cosigned.size}\n\n${signCheckpoint({ origin: ORIGIN, size: cosigned.size + 1, rootHash: leafHash(Buffer.from('x')), extensions: [] }, [impostor.signer])}`,
            ).status,
            403,
          );
          assert.equal(w0.addCheckpoint('garbage').status, 400);
          const wr = await (wapps[0] as ReturnType<typeof createWitnessApp>).request('/evidence');
          assert.equal(((await wr.json()) as { evidence: unknown[] }).evidence.length, 1);
        } finally {
          for (const w of witnesses) w.close();
          await ctx.log.close();
          await k.cleanup();
        }
      },
    );
  });
}

test('rate limits answer 429 with Retry-After', async () => {
  const k = sqliteKind();
  const ctx = await setup(() => k.make(), { writeRate: { perSecond: 1, burst: 2 } });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await ctx.app.request('/v1/statements', post('{}'))).status);
    assert.deepEqual(codes.slice(2), [429, 429]);
    const r = await ctx.app.request('/v1/statements', post('{}'));
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  } finally {
    await ctx.log.close();
    await k.cleanup();
  }
});
