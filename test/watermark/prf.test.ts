import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createPrf,
  decoyKey,
  deriveSubkey,
  keyFromSecret,
  keyToJson,
  loadKeyFile,
  MessageSet,
  packMessage,
  parseKeyFile,
  uniformAt,
  weightedBernoulliPValue,
  WatermarkError,
  generateKey,
} from '../../src/watermark/index.js';
import { binomialSf } from '../../src/stats/index.js';
import { tempDir } from '../helpers/fixtures.js';

const KEY = keyFromSecret(Uint8Array.from({ length: 32 }, (_, i) => i));

/**
 * Test vectors of customs-wm/v1 for the key 00 01 … 1f, computed independently with Python's
 * `hmac`/`hashlib` and the `cryptography` package's AES (see docs/watermark.md, "Test vectors").
 */
const VECTORS = [
  {
    domain: 'gumbel:h=4',
    h: 4,
    window: [72, 101, 108, 108],
    token: 111,
    subkey: 'd2f2ff6657e899f9ed38d121aa25c6a9e9182caa767274edf55106d7ddbc98d0',
    msg: '044800006500006c00006c00006f0000',
    aes: '0e56a7919c5b3ed6e405690bc942a522',
    uAes: 0.05600974373770112,
    hmac: '67483898d97f2c8c87d44f19e6850c65',
    uHmac: 0.4034457562606774,
  },
  {
    domain: 'gumbel:h=4',
    h: 4,
    window: [1000, 70000, 3, 16777215],
    token: 123456,
    subkey: 'd2f2ff6657e899f9ed38d121aa25c6a9e9182caa767274edf55106d7ddbc98d0',
    msg: '04e80300701101030000ffffff40e201',
    aes: '8e0777d3868f9ee9095e0513bbd09108',
    uAes: 0.5548014537258141,
    hmac: '2bdff892fd9403b80daa3a2e783549fa',
    uHmac: 0.1713862761367438,
  },
  {
    domain: 'kgw-lefthash:h=1',
    h: 1,
    window: [72],
    token: 105,
    subkey: 'c8e427229aedb0f703621816e01e257b5c7cf697ff6147e40e894eb9a5bf5e11',
    msg: '01480000690000000000000000000000',
    aes: 'cc29f78ad108871f0f89653b4673fda7',
    uAes: 0.7975153650195654,
    hmac: 'c7d38df61fbd67863918d5da8f9a1d02',
    uHmac: 0.7805718160523063,
  },
  {
    domain: 'synthid:h=8',
    h: 8,
    window: [1, 2, 3, 4, 5, 6, 7, 8],
    token: 9,
    subkey: '746cb0318af464c1d7a42d4bc98c92c85b80f589673eccc73e03f8ec15c3d948',
    msg: '0801000002000003000004000005000006000007000008000009000000000000',
    aes: '5610bcc79c91d34072ba6f2fd6ee734c',
    uAes: 0.3361928927739151,
    hmac: '5ca605b34eeb907bc84f9f75e1e25a9a',
    uHmac: 0.3619082987560616,
  },
];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('customs-wm/v1 PRF matches the published test vectors (AES CBC-MAC and HMAC)', () => {
  assert.equal(KEY.id, 'a3f81e5ec5c375b8');
  for (const v of VECTORS) {
    assert.equal(hex(deriveSubkey(KEY, v.domain)), v.subkey);
    const aes = createPrf(KEY, v.domain, v.h, 'aes');
    const hm = createPrf(KEY, v.domain, v.h, 'hmac');
    const buf = new Uint8Array(aes.messageBytes);
    packMessage(buf, 0, v.h, v.window, 0, v.token);
    assert.equal(hex(buf), v.msg);
    const a = aes.evaluate(buf, 1);
    assert.equal(hex(a.subarray(0, 16)), v.aes);
    assert.equal(uniformAt(a, 0), v.uAes);
    const b = hm.evaluate(buf, 1);
    assert.equal(hex(b.subarray(0, 16)), v.hmac);
    assert.equal(uniformAt(b, 0), v.uHmac);
  }
  // Batches give the same values as single evaluations, for one- and multi-block messages.
  for (const h of [1, 4, 8]) {
    const prf = createPrf(KEY, `t:h=${h}`, h, 'aes');
    const n = 50;
    const seq = Array.from({ length: n + h }, (_, i) => (i * 7919) % 70000);
    const batch = new Uint8Array(n * prf.messageBytes);
    for (let i = 0; i < n; i++)
      packMessage(batch, i * prf.messageBytes, h, seq, i, seq[i + h] ?? 0);
    const all = Uint8Array.from(prf.evaluate(batch, n));
    for (const i of [0, 17, 49]) {
      const one = prf.evaluate(batch.subarray(i * prf.messageBytes, (i + 1) * prf.messageBytes), 1);
      assert.equal(hex(one.subarray(0, 16)), hex(all.subarray(i * 16, i * 16 + 16)));
    }
  }
});

test('key files: JSON and hex accepted, malformed ones are BAD_KEY, ids checked, decoys distinct', async () => {
  const k = generateKey('prod');
  const json = JSON.stringify(keyToJson(k));
  const back = parseKeyFile(json);
  assert.equal(back.id, k.id);
  assert.equal(back.label, 'prod');
  assert.equal(parseKeyFile(Buffer.from(k.secret).toString('hex')).id, k.id);
  const bad = (t: string): void =>
    assert.throws(
      () => parseKeyFile(t),
      (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_KEY',
      t,
    );
  bad('');
  bad('abcd');
  bad('[]');
  bad('{"type":"customs-watermark-key","version":2,"key":"00"}');
  bad(JSON.stringify({ ...keyToJson(k), key: 'zz'.repeat(32) }));
  bad(JSON.stringify({ ...keyToJson(k), key: '00'.repeat(31) }));
  bad(JSON.stringify({ ...keyToJson(k), id: '0000000000000000' }));
  bad(JSON.stringify({ ...keyToJson(k), type: 'other' }));
  const dir = tempDir();
  writeFileSync(join(dir, 'k.json'), json);
  assert.equal((await loadKeyFile(join(dir, 'k.json'))).id, k.id);
  await assert.rejects(
    loadKeyFile(join(dir, 'missing')),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_KEY',
  );
  writeFileSync(join(dir, 'big'), 'x'.repeat(100_000));
  await assert.rejects(
    loadKeyFile(join(dir, 'big')),
    (e: unknown) => e instanceof WatermarkError && e.code === 'BAD_KEY',
  );
  const d1 = decoyKey(k, 1);
  const d2 = decoyKey(k, 2);
  assert.equal(d1.decoy, true);
  assert.notEqual(d1.id, d2.id);
  assert.notEqual(d1.id, k.id);
  assert.equal(decoyKey(k, 1).id, d1.id);
});

test('message set: exact membership, growth, no false hits', () => {
  const s = new MessageSet(16, 4);
  const buf = new Uint8Array(16);
  for (let i = 0; i < 5000; i++) {
    packMessage(buf, 0, 4, [i, i + 1, i + 2, i + 3], 0, i % 7);
    assert.equal(s.add(buf, 0), true);
    assert.equal(s.add(buf, 0), false);
  }
  assert.equal(s.size, 5000);
  packMessage(buf, 0, 4, [1, 2, 3, 4], 0, 1);
  assert.equal(s.has(buf, 0), true);
  packMessage(buf, 0, 4, [1, 2, 3, 4], 0, 2);
  assert.equal(s.has(buf, 0), false);
});

test('weighted Chernoff bound is ≥ the exact tail (brute force) and exact at the ends', () => {
  const w = [2.5, 1.5, 0.5];
  for (const n of [1, 2, 3]) {
    // exact distribution of Σ over n tokens × 3 fair bits with weights w
    const sums: number[] = [];
    const cells = n * w.length;
    for (let mask = 0; mask < 1 << cells; mask++) {
      let s = 0;
      for (let c = 0; c < cells; c++) if ((mask >> c) & 1) s += w[c % w.length] ?? 0;
      sums.push(s);
    }
    for (const s of [...new Set(sums)].sort((a, b) => a - b)) {
      const exact = sums.filter((x) => x >= s - 1e-12).length / sums.length;
      const bound = 10 ** weightedBernoulliPValue(s, n, w).log10;
      assert.ok(bound >= exact * (1 - 1e-9), `n=${n} s=${s}: bound ${bound} < exact ${exact}`);
    }
    const max = n * 4.5;
    assert.ok(Math.abs(10 ** weightedBernoulliPValue(max, n, w).log10 - 2 ** -cells) < 1e-12);
  }
  // With equal weights the bound is at least the exact binomial tail.
  const eq = [1, 1, 1, 1];
  for (const s of [30, 35, 40]) {
    assert.ok(weightedBernoulliPValue(s, 10, eq).log10 >= binomialSf(s, 40, 0.5).log10 - 1e-9);
  }
});
