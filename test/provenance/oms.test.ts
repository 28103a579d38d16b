/**
 * OMS signing and verification, including interop with the Python `model_signing` tool: the
 * bundles below are the public test vectors `scripts/tests/v1.0.0-elliptic-key/model.sig` and
 * `scripts/tests/v1.1.0-elliptic-key/model.sig` of sigstore/model-transparency (payload and
 * signature transcribed; the model files are the vectors' `signme-1` = "signme-1\n",
 * `signme-2` = "signme-2", `ignore-me` = empty), verified with the vectors' P-384 public key
 * `scripts/tests/keys/certificate/signing-key-pub.pem`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdtempSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  appendFileSync,
  unlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  generateSigningKey,
  keyFingerprint,
  loadPrivateKey,
  loadPublicKey,
  parseBundle,
  parseOmsPayload,
  resourceProof,
  signModel,
  verifyModel,
  verifyResourceProof,
  ProvenanceError,
  pythonJson,
  parseJson,
} from '../../src/provenance/index.js';
import type { ProvenanceErrorCode } from '../../src/provenance/index.js';

const V100_PAYLOAD =
  'ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAic2lnbm1lLTEiLAogICAgICAiZGlnZXN0IjogewogICAgICAgICJzaGEyNTYiOiAiYWZhNDhjODY3NGFmZTMzNGI4YTdkZWEzNGY3YjQ2YWIyNTZlOTI1NWVkZjhkYTIxMzI3OTIzNDFiNjY3YTQ1YiIKICAgICAgfQogICAgfQogIF0sCiAgInByZWRpY2F0ZVR5cGUiOiAiaHR0cHM6Ly9tb2RlbF9zaWduaW5nL3NpZ25hdHVyZS92MS4wIiwKICAicHJlZGljYXRlIjogewogICAgInNlcmlhbGl6YXRpb24iOiB7CiAgICAgICJtZXRob2QiOiAiZmlsZXMiLAogICAgICAiaGFzaF90eXBlIjogInNoYTI1NiIsCiAgICAgICJhbGxvd19zeW1saW5rcyI6IGZhbHNlCiAgICB9LAogICAgInJlc291cmNlcyI6IFsKICAgICAgewogICAgICAgICJuYW1lIjogIi4iLAogICAgICAgICJkaWdlc3QiOiAiYmM5YTcxN2RiNjA2NGEzMmNiZTllYWU2ZmM0MDY1MWRkNmQzNmVmMTc1NzE4M2Y1OTBlZmYyYjE3NjVkN2ViYyIsCiAgICAgICAgImFsZ29yaXRobSI6ICJzaGEyNTYiCiAgICAgIH0KICAgIF0KICB9Cn0=';
const V100_SIG =
  'MGQCMEobKzpAzukyAIQcDH8llYFrWCTFw6HCr1hbYUL5GqQfp3qfI6FKz+sShKTBwhXSOAIwPqpZvbcAV9xyn7Arqfx9bytQ1nLb+wS/Wec0uGECiFJlStdpBjxYocvnTXUAnFRi';
const V110_PAYLOAD =
  'ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAidjEuMS4wLWVsbGlwdGljLWtleSIsCiAgICAgICJkaWdlc3QiOiB7CiAgICAgICAgInNoYTI1NiI6ICI5Mjc0NTExMGIxYWI0MzY4NDcxY2JlMzE2NjRlMTAxNzRlOTU0YjExM2EzZGYzMzNkYjg2MDMxN2IyYzZkZWM0IgogICAgICB9CiAgICB9CiAgXSwKICAicHJlZGljYXRlVHlwZSI6ICJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLAogICJwcmVkaWNhdGUiOiB7CiAgICAicmVzb3VyY2VzIjogWwogICAgICB7CiAgICAgICAgImFsZ29yaXRobSI6ICJzaGEyNTYiLAogICAgICAgICJuYW1lIjogInNpZ25tZS0xIiwKICAgICAgICAiZGlnZXN0IjogImJjOWE3MTdkYjYwNjRhMzJjYmU5ZWFlNmZjNDA2NTFkZDZkMzZlZjE3NTcxODNmNTkwZWZmMmIxNzY1ZDdlYmMiCiAgICAgIH0sCiAgICAgIHsKICAgICAgICAiYWxnb3JpdGhtIjogInNoYTI1NiIsCiAgICAgICAgIm5hbWUiOiAic2lnbm1lLTIiLAogICAgICAgICJkaWdlc3QiOiAiMzJkY2IxZjhlMWFlNTJkNTk2M2U1NmE2YmEwNmFiNThiNDI0YzE1ZWQyYTZiNzBkMmZlY2ExZDA4OTM3MDAyOCIKICAgICAgfQogICAgXSwKICAgICJzZXJpYWxpemF0aW9uIjogewogICAgICAiYWxsb3dfc3ltbGlua3MiOiBmYWxzZSwKICAgICAgIm1ldGhvZCI6ICJmaWxlcyIsCiAgICAgICJoYXNoX3R5cGUiOiAic2hhMjU2IiwKICAgICAgImlnbm9yZV9wYXRocyI6IFsKICAgICAgICAiLmdpdCIsCiAgICAgICAgIm1vZGVsLnNpZyIsCiAgICAgICAgImlnbm9yZS1tZSIsCiAgICAgICAgIi5naXRhdHRyaWJ1dGVzIiwKICAgICAgICAiLmdpdGlnbm9yZSIsCiAgICAgICAgIi5naXRodWIiCiAgICAgIF0KICAgIH0KICB9Cn0=';
const V110_SIG =
  'MGUCMQCVqSw64cBnPHqbyadq+OIgwQSg7WW8Mztp3dJ++atQsxzbtwafJJ164u7WEXmx5hECMBSiShuN7OTLec6wLXpHUjFIQA/hhiBCjSzM9Q2cIUZpDmv+tWs1AkNxstJDbNl0lQ==';
const VECTOR_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEsu6rZGBTjxtvRWPMixT+3HyndV0J0Ybt
aHZUcO4DEK+OJHO/4e32bb/fbJKSpRgcBsIpKLcVijUomyFOERbd7u+BTPSUjGZD
Qq6J7lTvp/EAXQGOKxW9RP0MGX3qAkvi
-----END PUBLIC KEY-----
`;

const isCode =
  (code: ProvenanceErrorCode) =>
  (e: unknown): boolean =>
    e instanceof ProvenanceError && e.code === code;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'customs-oms-'));
}

function v110Dir(root: string): string {
  const dir = join(root, 'v1.1.0-elliptic-key');
  mkdirSync(dir);
  writeFileSync(join(dir, 'signme-1'), 'signme-1\n');
  writeFileSync(join(dir, 'signme-2'), 'signme-2');
  writeFileSync(join(dir, 'ignore-me'), '');
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      publicKey: { hint: 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e' },
      tlogEntries: [],
    },
    dsseEnvelope: {
      payload: V110_PAYLOAD,
      payloadType: 'application/vnd.in-toto+json',
      signatures: [{ sig: V110_SIG, keyid: '' }],
    },
  };
  writeFileSync(join(dir, 'model.sig'), JSON.stringify(bundle));
  return dir;
}

test('the vector key hint is SHA-256 of its PEM (OMS key method)', () => {
  assert.equal(
    keyFingerprint(loadPublicKey(VECTOR_PUBLIC_KEY)),
    'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e',
  );
});

test('verifies the Python v1.1.0 elliptic-key vector (hint, P-384, ignore_paths)', async () => {
  const root = tmp();
  try {
    const dir = v110Dir(root);
    const v = await verifyModel({
      modelPath: dir,
      bundle: join(dir, 'model.sig'),
      publicKeys: [loadPublicKey(VECTOR_PUBLIC_KEY)],
    });
    assert.equal(v.ok, true, JSON.stringify(v.failures));
    assert.equal(v.checked, 2);
    assert.equal(v.rootDigest, '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
    // Tampering with a signed file is a digest mismatch.
    appendFileSync(join(dir, 'signme-2'), 'x');
    const t = await verifyModel({
      modelPath: dir,
      bundle: join(dir, 'model.sig'),
      publicKeys: [loadPublicKey(VECTOR_PUBLIC_KEY)],
    });
    assert.equal(t.ok, false);
    assert.deepEqual(
      t.failures.map((f) => [f.code, f.name]),
      [['DIGEST_MISMATCH', 'signme-2']],
    );
    writeFileSync(join(dir, 'signme-2'), 'signme-2');
    // An unsigned extra file fails unless tolerated; a missing file fails.
    writeFileSync(join(dir, 'extra.bin'), 'e');
    const e1 = await verifyModel({
      modelPath: dir,
      bundle: join(dir, 'model.sig'),
      publicKeys: [loadPublicKey(VECTOR_PUBLIC_KEY)],
    });
    assert.deepEqual(
      e1.failures.map((f) => f.code),
      ['EXTRA_FILE'],
    );
    const e2 = await verifyModel({
      modelPath: dir,
      bundle: join(dir, 'model.sig'),
      publicKeys: [loadPublicKey(VECTOR_PUBLIC_KEY)],
      ignoreUnsignedFiles: true,
    });
    assert.equal(e2.ok, true);
    assert.deepEqual(e2.ignoredUnsigned, ['extra.bin']);
    unlinkSync(join(dir, 'extra.bin'));
    unlinkSync(join(dir, 'signme-1'));
    const m = await verifyModel({
      modelPath: dir,
      bundle: join(dir, 'model.sig'),
      publicKeys: [loadPublicKey(VECTOR_PUBLIC_KEY)],
    });
    assert.deepEqual(
      m.failures.map((f) => [f.code, f.name]),
      [['MISSING_FILE', 'signme-1']],
    );
    // Another key: key mismatch, reported as a failed verdict.
    const other = loadPublicKey(generateSigningKey().publicKeyPem);
    const k = await verifyModel({
      modelPath: dir,
      bundle: join(dir, 'model.sig'),
      publicKeys: [other],
    });
    assert.equal(k.ok, false);
    assert.equal(k.error?.code, 'KEY_MISMATCH');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('verifies the Python v1.0.0 vector (rawBytes PEM key, keyid null, single file named ".")', async () => {
  const root = tmp();
  try {
    const file = join(root, 'signme-1');
    writeFileSync(file, 'signme-1\n');
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        publicKey: {
          rawBytes: Buffer.from(VECTOR_PUBLIC_KEY).toString('base64'),
          keyDetails: 'PKIX_ECDSA_P384_SHA_384',
        },
      },
      dsseEnvelope: {
        payload: V100_PAYLOAD,
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ sig: V100_SIG, keyid: null }],
      },
    };
    const sigPath = join(root, 'model.sig');
    writeFileSync(sigPath, JSON.stringify(bundle, null, 1));
    const v = await verifyModel({
      modelPath: file,
      bundle: sigPath,
      publicKeys: [loadPublicKey(VECTOR_PUBLIC_KEY)],
    });
    assert.equal(v.ok, true, JSON.stringify(v));
    // Flipping one payload byte breaks the signature.
    const p = Buffer.from(V100_PAYLOAD, 'base64');
    p[40] = (p[40] ?? 0) ^ 1;
    writeFileSync(
      sigPath,
      JSON.stringify({
        ...bundle,
        dsseEnvelope: { ...bundle.dsseEnvelope, payload: p.toString('base64') },
      }),
    );
    const b = await verifyModel({
      modelPath: file,
      bundle: sigPath,
      publicKeys: [loadPublicKey(VECTOR_PUBLIC_KEY)],
    });
    assert.equal(b.error?.code, 'BAD_SIGNATURE');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("our payload for the v1.0.0 single-file model is byte-identical to the Python tool's", async () => {
  const root = tmp();
  try {
    const file = join(root, 'signme-1');
    writeFileSync(file, 'signme-1\n');
    const key = loadPrivateKey(generateSigningKey({ algorithm: 'ecdsa-p384' }).privateKeyPem);
    const s = await signModel({ modelPath: file, privateKey: key, merkle: false, workers: 0 });
    const payload = parseBundle(s.bundleJson).envelope.payload;
    assert.equal(payload.toString('base64'), V100_PAYLOAD);
    // The formatter reproduces the Python layout of the v1.1.0 payload too (key order preserved).
    const py = Buffer.from(V110_PAYLOAD, 'base64').toString('utf8');
    assert.equal(pythonJson(parseJson(py)), py);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('our manifest of the v1.1.0 model equals the Python manifest; Python-style bundle layout', async () => {
  const root = tmp();
  try {
    const dir = v110Dir(root);
    const gen = generateSigningKey();
    const key = loadPrivateKey(gen.privateKeyPem);
    const s = await signModel({
      modelPath: dir,
      privateKey: key,
      ignorePaths: ['ignore-me'],
      signaturePath: join(dir, 'model.sig'),
      merkle: false,
      workers: 0,
    });
    const ours = parseOmsPayload(parseBundle(s.bundleJson).envelope.payload);
    const theirs = parseOmsPayload(Buffer.from(V110_PAYLOAD, 'base64'));
    assert.equal(ours.rootDigest, theirs.rootDigest);
    assert.deepEqual(ours.resources, theirs.resources);
    assert.deepEqual(
      [...(ours.serialization.ignorePaths ?? [])].sort(),
      [...(theirs.serialization.ignorePaths ?? [])].sort(),
    );
    // Bundle shape as `model_signing` writes it: compact JSON, hint = SHA-256(PEM), keyid "".
    const b = JSON.parse(s.bundleJson) as Record<string, unknown>;
    assert.deepEqual(Object.keys(b), ['mediaType', 'verificationMaterial', 'dsseEnvelope']);
    assert.equal(s.bundleJson.includes(' '), false);
    assert.deepEqual(b['verificationMaterial'], {
      publicKey: { hint: createHash('sha256').update(gen.publicKeyPem).digest('hex') },
      tlogEntries: [],
    });
    assert.match(s.bundleJson, /"signatures":\[\{"sig":"[A-Za-z0-9+/=]+","keyid":""\}\]/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('round trip with shards, partial verification, Merkle proofs and incremental re-signing', async () => {
  const root = tmp();
  try {
    const dir = join(root, 'model');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(5000, 1));
    writeFileSync(join(dir, 'sub', 'b.bin'), Buffer.alloc(3000, 2));
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'config.json'), '{}');
    const gen = generateSigningKey();
    const key = loadPrivateKey(gen.privateKeyPem);
    const pub = loadPublicKey(gen.publicKeyPem);
    const sigPath = join(dir, 'model.sig');
    const s = await signModel({
      modelPath: dir,
      privateKey: key,
      method: 'shards',
      shardSize: 2048,
      signaturePath: sigPath,
      workers: 0,
    });
    writeFileSync(sigPath, s.bundleJson);
    const names = s.manifest.resources.map((r) => r.name);
    assert.deepEqual(names, [
      'a.bin:0:2048',
      'a.bin:2048:4096',
      'a.bin:4096:5000',
      'config.json:0:2',
      'sub/b.bin:0:2048',
      'sub/b.bin:2048:3000',
    ]);
    assert.ok(s.manifest.resources.every((r) => r.algorithm === 'sha256-sharded-2048'));
    assert.equal(
      (await verifyModel({ modelPath: dir, bundle: sigPath, publicKeys: [pub] })).ok,
      true,
    );
    // Partial: only config.json is hashed, even after another file was damaged.
    writeFileSync(join(dir, 'sub', 'b.bin'), Buffer.alloc(3000, 9));
    const part = await verifyModel({
      modelPath: dir,
      bundle: sigPath,
      publicKeys: [pub],
      only: ['config.json'],
    });
    assert.equal(part.ok, true);
    assert.equal(part.partial, true);
    assert.equal(part.bytesHashed, 2);
    const full = await verifyModel({ modelPath: dir, bundle: sigPath, publicKeys: [pub] });
    assert.deepEqual(
      full.failures.map((f) => f.name),
      ['sub/b.bin:0:2048', 'sub/b.bin:2048:3000'],
    );
    const miss = await verifyModel({
      modelPath: dir,
      bundle: sigPath,
      publicKeys: [pub],
      only: ['nope.bin'],
    });
    assert.deepEqual(
      miss.failures.map((f) => f.code),
      ['MISSING_FILE'],
    );
    // Merkle proof of one resource against the signed root.
    const signed = parseOmsPayload(parseBundle(s.bundleJson).envelope.payload);
    const proof = resourceProof(signed.resources, 'config.json:0:2');
    verifyResourceProof(proof, signed.merkleRoot ?? '');
    assert.throws(
      () =>
        verifyResourceProof(
          { ...proof, digest: proof.digest.replace(/^./, '0') },
          signed.merkleRoot ?? '',
        ),
      isCode('DIGEST_MISMATCH'),
    );
    // Incremental: files mode, then change one file and re-sign reusing the rest.
    const f1 = await signModel({
      modelPath: dir,
      privateKey: key,
      signaturePath: sigPath,
      workers: 0,
    });
    writeFileSync(sigPath, f1.bundleJson);
    writeFileSync(join(dir, 'config.json'), '{"a":1}');
    const f2 = await signModel({
      modelPath: dir,
      privateKey: key,
      signaturePath: sigPath,
      workers: 0,
      previous: { bundle: parseBundle(f1.bundleJson), stamps: new Map(Object.entries(f1.stamps)) },
    });
    assert.equal(f2.manifest.bytesHashed, 7);
    writeFileSync(sigPath, f2.bundleJson);
    assert.equal(
      (await verifyModel({ modelPath: dir, bundle: sigPath, publicKeys: [pub] })).ok,
      true,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('worker-thread hashing gives the same manifest as in-process hashing', async () => {
  const root = tmp();
  try {
    const dir = join(root, 'm');
    mkdirSync(dir);
    for (let i = 0; i < 3; i++)
      writeFileSync(join(dir, `w${i}.bin`), Buffer.alloc(40_000 + i, i + 3));
    const key = loadPrivateKey(generateSigningKey().privateKeyPem);
    const a = await signModel({ modelPath: dir, privateKey: key, workers: 0 });
    const { buildManifest } = await import('../../src/provenance/manifest.js');
    const b = await buildManifest({ modelPath: dir, workers: 2 });
    const { hashJobs } = await import('../../src/provenance/hashing.js');
    const r = await hashJobs(
      [{ path: join(dir, 'w0.bin'), start: 0, end: -1, algorithm: 'sha256' }],
      { workers: 2 },
    );
    assert.equal(r[0]?.digest, createHash('sha256').update(Buffer.alloc(40_000, 3)).digest('hex'));
    assert.deepEqual(a.manifest.resources, b.resources);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bad input: malformed bundles, symlinks, empty models, non-UTF-8 names', async () => {
  const root = tmp();
  try {
    const pub = loadPublicKey(VECTOR_PUBLIC_KEY);
    const bad: [string, ProvenanceErrorCode][] = [
      ['not json', 'BAD_JSON'],
      ['[]', 'BAD_BUNDLE'],
      ['{"mediaType":"x"}', 'BAD_BUNDLE'],
      [
        '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"00"}}}',
        'BAD_BUNDLE',
      ],
      [
        '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"00"}},"dsseEnvelope":{"payload":"%%%","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AA=="}]}}',
        'BAD_BASE64',
      ],
      [
        '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"00"}},"dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]}}',
        'BAD_DSSE',
      ],
      ['['.repeat(100) + ']'.repeat(100), 'LIMIT_EXCEEDED'],
    ];
    for (const [text, code] of bad)
      assert.throws(() => parseBundle(text), isCode(code), text.slice(0, 60));
    // A validly signed bundle whose payload is not an OMS statement.
    const gen = generateSigningKey();
    const { signEnvelope } = await import('../../src/provenance/dsse.js');
    const { buildKeyBundle } = await import('../../src/provenance/bundle.js');
    const env = signEnvelope({
      payload: Buffer.from('{"_type":"nope"}'),
      privateKey: loadPrivateKey(gen.privateKeyPem),
    });
    const sigPath = join(root, 'x.sig');
    writeFileSync(sigPath, JSON.stringify(buildKeyBundle(env, loadPublicKey(gen.publicKeyPem))));
    mkdirSync(join(root, 'm'));
    writeFileSync(join(root, 'm', 'f'), 'x');
    await assert.rejects(
      verifyModel({
        modelPath: join(root, 'm'),
        bundle: sigPath,
        publicKeys: [loadPublicKey(gen.publicKeyPem)],
      }),
      isCode('BAD_STATEMENT'),
    );
    void pub;
    // Symlinks are refused unless allowed; empty models are refused.
    const key = loadPrivateKey(gen.privateKeyPem);
    symlinkSync(join(root, 'm', 'f'), join(root, 'm', 'link'));
    await assert.rejects(
      signModel({ modelPath: join(root, 'm'), privateKey: key, workers: 0 }),
      isCode('SYMLINK'),
    );
    const ok = await signModel({
      modelPath: join(root, 'm'),
      privateKey: key,
      workers: 0,
      allowSymlinks: true,
    });
    assert.deepEqual(
      ok.manifest.resources.map((r) => r.name),
      ['f', 'link'],
    );
    mkdirSync(join(root, 'empty'));
    await assert.rejects(
      signModel({ modelPath: join(root, 'empty'), privateKey: key, workers: 0 }),
      isCode('EMPTY_MODEL'),
    );
    mkdirSync(join(root, 'latin'));
    writeFileSync(Buffer.from(join(root, 'latin') + '/\xe9t\xe9', 'latin1'), 'x');
    await assert.rejects(
      signModel({ modelPath: join(root, 'latin'), privateKey: key, workers: 0 }),
      isCode('BAD_PATH'),
    );
    await assert.rejects(
      signModel({
        modelPath: join(root, 'm'),
        privateKey: key,
        workers: 0,
        allowSymlinks: true,
        ignorePaths: ['../x'],
      }),
      isCode('BAD_PATH'),
    );
    await assert.rejects(
      signModel({
        modelPath: join(root, 'm'),
        privateKey: key,
        workers: 0,
        allowSymlinks: true,
        ignorePaths: ['*.bin'],
      }),
      isCode('BAD_PATH'),
    );
    await assert.rejects(
      signModel({ modelPath: join(root, 'missing'), privateKey: key, workers: 0 }),
      isCode('NOT_FOUND'),
    );
    assert.throws(
      () => loadPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      isCode('BAD_PEM'),
    );
    assert.throws(() => loadPublicKey('hello'), isCode('BAD_PEM'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
