/**
 * RFC 6962 / 9162 Merkle tree against the public vectors of transparency-dev/merkle
 * (`testonly/constants.go`: leaves, node hashes, roots; `testdata/{inclusion,consistency}/*`:
 * happy paths and edge cases, transcribed below; the mutated variants of each happy path are
 * regenerated here the way `cmd/proofgen` makes them) plus property tests against a naive MTH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CompactRange,
  EMPTY_ROOT,
  consistencyProof,
  frontierNodes,
  inclusionProof,
  leafHash,
  nodeHash,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../src/tlog/merkle.js';
import type { NodeReader } from '../../src/tlog/merkle.js';
import { LogError } from '../../src/tlog/errors.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

// transparency-dev/merkle testonly/constants.go
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
const LEAF_HASHES = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
].map(hex);

// testdata/inclusion/{0..4}/happy-path.json
const INCLUSION = [
  {
    index: 0,
    size: 1,
    root: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=',
    leaf: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=',
    proof: [],
  },
  {
    index: 0,
    size: 8,
    root: 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=',
    leaf: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=',
    proof: [
      'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=',
      'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=',
      'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=',
    ],
  },
  {
    index: 5,
    size: 8,
    root: 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=',
    leaf: 'QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=',
    proof: [
      'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=',
      'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=',
      '037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=',
    ],
  },
  {
    index: 2,
    size: 3,
    root: 'rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=',
    leaf: 'ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=',
    proof: ['+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU='],
  },
  {
    index: 1,
    size: 5,
    root: 'Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=',
    leaf: 'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=',
    proof: [
      'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=',
      'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=',
      'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=',
    ],
  },
];

// testdata/consistency/{0..4}/happy-path.json
const CONSISTENCY = [
  {
    size1: 1,
    size2: 1,
    root1: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=',
    root2: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=',
    proof: [],
  },
  {
    size1: 1,
    size2: 8,
    root1: 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=',
    root2: 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=',
    proof: [
      'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=',
      'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=',
      'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=',
    ],
  },
  {
    size1: 6,
    size2: 8,
    root1: 'duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=',
    root2: 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=',
    proof: [
      'DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=',
      'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=',
      '037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=',
    ],
  },
  {
    size1: 2,
    size2: 5,
    root1: '+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=',
    root2: 'Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=',
    proof: [
      'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=',
      'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=',
    ],
  },
  {
    size1: 6,
    size2: 7,
    root1: 'duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=',
    root2: '3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw=',
    proof: [
      'DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=',
      'sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=',
      '037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=',
    ],
  },
];

// testdata/consistency/additional/*.json (desc, wantErr)
const EMPTY = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
const DC1 = 'ZG9uJ3QgY2FyZSAx';
const DC2 = 'ZG9uJ3QgY2FyZSAy';
const CONSISTENCY_EXTRA = [
  { size1: 0, size2: 1, root1: EMPTY, root2: EMPTY, proof: [EMPTY], wantErr: true },
  { size1: 0, size2: 0, root1: EMPTY, root2: DC2, proof: [], wantErr: true },
  { size1: 1, size2: 1, root1: EMPTY, root2: DC2, proof: [], wantErr: true },
  { size1: 2, size2: 1, root1: DC1, root2: DC2, proof: [], wantErr: true },
  { size1: 1, size2: 0, root1: DC1, root2: DC2, proof: [], wantErr: true },
  { size1: 0, size2: 1, root1: DC1, root2: DC2, proof: [], wantErr: true },
  { size1: 0, size2: 1, root1: EMPTY, root2: DC2, proof: [], wantErr: true },
  { size1: 1, size2: 1, root1: DC2, root2: DC2, proof: [], wantErr: false },
  { size1: 1, size2: 1, root1: DC1, root2: DC2, proof: [], wantErr: true },
  { size1: 0, size2: 0, root1: DC1, root2: DC1, proof: [], wantErr: true },
  { size1: 0, size2: 0, root1: DC1, root2: DC2, proof: [], wantErr: true },
  { size1: 1, size2: 2, root1: DC1, root2: DC2, proof: [], wantErr: true },
  { size1: 1, size2: 1, root1: EMPTY, root2: EMPTY, proof: [EMPTY], wantErr: true },
  { size1: 0, size2: 0, root1: EMPTY, root2: EMPTY, proof: [EMPTY], wantErr: true },
];
// testdata/inclusion/{additional,single-entry}/*.json
const SINGLE = 'DTrtAjFI/9KiWfvQzcf7PPl1ZYdg03dbgq9vkKrMLfw=';
const RANDOM_LEAF = 'q6yroAAAAAAAAAAAAAAAAAAAAAAAAAAAAGAGHgASNFY=';
const INCLUSION_EXTRA = [
  { index: 0, size: 0, root: EMPTY, leaf: RANDOM_LEAF, wantErr: true },
  { index: 0, size: 0, root: EMPTY, leaf: '', wantErr: true },
  { index: 0, size: 0, root: '', leaf: RANDOM_LEAF, wantErr: true },
  { index: 0, size: 1, root: SINGLE, leaf: '', wantErr: true },
  { index: 0, size: 1, root: '', leaf: '', wantErr: true },
  { index: 0, size: 1, root: '', leaf: SINGLE, wantErr: true },
  { index: 0, size: 1, root: SINGLE, leaf: SINGLE, wantErr: false },
];

function ok(f: () => void): boolean {
  try {
    f();
    return true;
  } catch (e) {
    assert.ok(e instanceof LogError, `expected LogError, got ${String(e)}`);
    return false;
  }
}

function naiveRoot(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0] as Buffer;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(naiveRoot(hashes.slice(0, k)), naiveRoot(hashes.slice(k)));
}

/** A reader over an in-memory leaf list (perfect subtrees computed naively). */
function reader(hashes: readonly Buffer[]): NodeReader {
  return (level, index) => {
    const span = 2 ** level;
    return naiveRoot(hashes.slice(index * span, (index + 1) * span));
  };
}

test('leaf hashes and roots match transparency-dev/merkle constants', () => {
  const lh = LEAVES.map((l) => leafHash(l));
  lh.forEach((h, i) => assert.equal(h.toString('hex'), (LEAF_HASHES[i] as Buffer).toString('hex')));
  for (let n = 0; n <= 8; n++) {
    assert.equal(
      Buffer.from(treeRoot(n, reader(lh))).toString('hex'),
      (ROOTS[n] as Buffer).toString('hex'),
      `root of size ${n}`,
    );
    const cr = new CompactRange();
    for (let i = 0; i < n; i++) cr.append(lh[i] as Buffer);
    assert.equal(Buffer.from(cr.root()).toString('hex'), (ROOTS[n] as Buffer).toString('hex'));
  }
});

test('inclusion vectors: happy paths verify, generated proofs equal the published ones, mutations fail', () => {
  const lh = LEAVES.map((l) => leafHash(l));
  for (const v of INCLUSION) {
    const proof = v.proof.map(b64);
    const args = { index: v.index, size: v.size, leafHash: b64(v.leaf), proof, root: b64(v.root) };
    assert.ok(
      ok(() => verifyInclusion(args)),
      `happy path ${v.index}/${v.size}`,
    );
    const gen = inclusionProof(v.index, v.size, reader(lh.slice(0, v.size))).map((h) =>
      Buffer.from(h).toString('base64'),
    );
    assert.deepEqual(gen, v.proof);
    // Mutations in the style of transparency-dev/merkle cmd/proofgen.
    const bad: (typeof args)[] = [
      { ...args, index: v.index + 1 },
      { ...args, index: v.index - 1 },
      { ...args, index: v.index ^ 2 },
      { ...args, size: v.size * 2 },
      { ...args, size: Math.floor(v.size / 2) },
      { ...args, leafHash: Buffer.from('WrongLeaf') },
      { ...args, root: EMPTY_ROOT },
      { ...args, root: leafHash(Buffer.from('random')) },
      { ...args, proof: [Buffer.from('garbage'), ...proof] },
      { ...args, proof: [...proof, Buffer.from('garbage')] },
      { ...args, proof: [args.root, ...proof] },
      { ...args, proof: [...proof, args.root] },
    ];
    if (proof.length > 0) {
      bad.push({ ...args, proof: proof.slice(1) });
      bad.push({ ...args, proof: [...proof.slice(0, 1), EMPTY_ROOT, ...proof.slice(1)] });
      for (let i = 0; i < proof.length; i++) {
        const m = proof.map((p) => Buffer.from(p));
        const t = m[i] as Buffer;
        t.writeUInt8((t.readUInt8(3) ^ 8) & 0xff, 3);
        bad.push({ ...args, proof: m });
      }
    }
    for (const b of bad) {
      if (b.index < 0) continue;
      assert.equal(
        ok(() => verifyInclusion(b)),
        false,
        `mutation of ${v.index}/${v.size} must fail`,
      );
    }
  }
  for (const v of INCLUSION_EXTRA) {
    const r = ok(() =>
      verifyInclusion({
        index: v.index,
        size: v.size,
        leafHash: b64(v.leaf),
        proof: [],
        root: b64(v.root),
      }),
    );
    assert.equal(r, !v.wantErr);
  }
});

test('consistency vectors: happy paths, generated proofs, mutations and edge cases', () => {
  const lh = LEAVES.map((l) => leafHash(l));
  for (const v of CONSISTENCY) {
    const proof = v.proof.map(b64);
    const args = {
      size1: v.size1,
      size2: v.size2,
      proof,
      root1: b64(v.root1),
      root2: b64(v.root2),
    };
    assert.ok(
      ok(() => verifyConsistency(args)),
      `happy path ${v.size1}->${v.size2}`,
    );
    const gen = consistencyProof(v.size1, v.size2, reader(lh.slice(0, v.size2))).map((h) =>
      Buffer.from(h).toString('base64'),
    );
    assert.deepEqual(gen, v.proof);
    const bad: (typeof args)[] = [
      { ...args, root1: EMPTY_ROOT },
      { ...args, root2: EMPTY_ROOT },
      { ...args, proof: [Buffer.from('garbage'), ...proof] },
      { ...args, proof: [...proof, Buffer.from('garbage')] },
      { ...args, proof: [args.root1, ...proof] },
      { ...args, proof: [...proof, args.root2] },
    ];
    if (v.size1 !== v.size2) {
      bad.push({ ...args, root1: args.root2, root2: args.root1 });
      bad.push(
        { ...args, size1: v.size1 + 1 },
        { ...args, size1: v.size1 - 1 },
        { ...args, size1: v.size1 ^ 2 },
      );
      bad.push({ ...args, size2: v.size2 * 2 }, { ...args, size2: Math.floor(v.size2 / 2) });
      bad.push({ ...args, proof: [] }, { ...args, proof: proof.slice(0, -1) });
      for (let i = 0; i < proof.length; i++) {
        const m = proof.map((p) => Buffer.from(p));
        const t = m[i] as Buffer;
        t.writeUInt8((t.readUInt8(4) ^ 1) & 0xff, 4);
        bad.push({ ...args, proof: m });
      }
    }
    for (const b of bad) {
      if (b.size1 < 0) continue;
      assert.equal(
        ok(() => verifyConsistency(b)),
        false,
        `mutation of ${v.size1}->${v.size2} must fail`,
      );
    }
  }
  for (const v of CONSISTENCY_EXTRA) {
    const r = ok(() =>
      verifyConsistency({
        size1: v.size1,
        size2: v.size2,
        proof: v.proof.map(b64),
        root1: b64(v.root1),
        root2: b64(v.root2),
      }),
    );
    assert.equal(r, !v.wantErr, JSON.stringify(v));
  }
});

test('property: generated proofs verify for random trees and fail for a different leaf', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (n, a, b) => {
      const leaves = Array.from({ length: n }, (_v, i) => leafHash(Buffer.from(`leaf ${i}`)));
      const read = reader(leaves);
      const root = treeRoot(n, read);
      assert.deepEqual(Buffer.from(root), naiveRoot(leaves));
      const i = a % n;
      const proof = inclusionProof(i, n, read);
      verifyInclusion({ index: i, size: n, leafHash: leaves[i] as Buffer, proof, root });
      assert.equal(
        ok(() =>
          verifyInclusion({ index: i, size: n, leafHash: leafHash(Buffer.from('x')), proof, root }),
        ),
        false,
      );
      const m = (b % n) + 1;
      const old = treeRoot(m, read);
      verifyConsistency({
        size1: m,
        size2: n,
        proof: consistencyProof(m, n, read),
        root1: old,
        root2: root,
      });
      if (m < n) {
        assert.equal(
          ok(() =>
            verifyConsistency({
              size1: m,
              size2: n,
              proof: consistencyProof(m, n, read),
              root1: leafHash(Buffer.from('x')),
              root2: root,
            }),
          ),
          false,
        );
      }
      // Frontier nodes rebuild the compact range exactly.
      const cr = CompactRange.fromFrontier(n, read);
      assert.deepEqual(Buffer.from(cr.root()), Buffer.from(root));
      assert.ok(frontierNodes(n).length <= Math.ceil(Math.log2(n + 1)));
    }),
    { numRuns: 150 },
  );
});

test('sizes and indices are range-checked', () => {
  assert.throws(
    () => inclusionProof(5, 5, reader([])),
    (e: unknown) => e instanceof LogError && e.code === 'OUT_OF_RANGE',
  );
  assert.throws(
    () => inclusionProof(-1, 5, reader([])),
    (e: unknown) => e instanceof LogError && e.code === 'OUT_OF_RANGE',
  );
  assert.throws(
    () => treeRoot(2 ** 60, reader([])),
    (e: unknown) => e instanceof LogError,
  );
  assert.throws(
    () => consistencyProof(6, 5, reader([])),
    (e: unknown) => e instanceof LogError && e.code === 'OUT_OF_RANGE',
  );
});
