import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FormatError } from '../../src/errors.js';
import {
  encodeGguf,
  GGUF_VALUE_TYPE,
  parseGguf,
  readGgufRange,
  quantize,
  ggufGet,
  type GgufWriteEntry,
} from '../../src/formats/gguf/index.js';
import { FileSource, MemorySource } from '../../src/sources/index.js';
import { randomFloats } from '../helpers/fixtures.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FormatError, `not a FormatError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

const ALL_TYPES: GgufWriteEntry[] = [
  { key: 'u8', type: GGUF_VALUE_TYPE.UINT8, value: 200 },
  { key: 'i8', type: GGUF_VALUE_TYPE.INT8, value: -100 },
  { key: 'u16', type: GGUF_VALUE_TYPE.UINT16, value: 60000 },
  { key: 'i16', type: GGUF_VALUE_TYPE.INT16, value: -30000 },
  { key: 'u32', type: GGUF_VALUE_TYPE.UINT32, value: 4000000000 },
  { key: 'i32', type: GGUF_VALUE_TYPE.INT32, value: -2000000000 },
  { key: 'f32', type: GGUF_VALUE_TYPE.FLOAT32, value: 0.5 },
  { key: 'f64', type: GGUF_VALUE_TYPE.FLOAT64, value: 0.1 },
  { key: 'bool', type: GGUF_VALUE_TYPE.BOOL, value: true },
  { key: 'str', type: GGUF_VALUE_TYPE.STRING, value: 'héllo' },
  { key: 'u64', type: GGUF_VALUE_TYPE.UINT64, value: 2n ** 60n },
  { key: 'i64', type: GGUF_VALUE_TYPE.INT64, value: -5n },
  { key: 'arr', type: GGUF_VALUE_TYPE.ARRAY, arrayType: GGUF_VALUE_TYPE.STRING, value: ['a', 'b'] },
  {
    key: 'arr_i32',
    type: GGUF_VALUE_TYPE.ARRAY,
    arrayType: GGUF_VALUE_TYPE.INT32,
    value: [1, -2, 3],
  },
];

test('v2 and v3 round trip with every metadata type and custom alignment', async () => {
  for (const version of [2, 3] as const) {
    const x = randomFloats(64, 3);
    const bytes = encodeGguf({
      version,
      alignment: 64,
      metadata: [
        { key: 'general.architecture', type: GGUF_VALUE_TYPE.STRING, value: 'llama' },
        ...ALL_TYPES,
      ],
      tensors: [
        { name: 'a', dims: [32, 2], typeId: 8, data: quantize(8, x) },
        { name: 'b', dims: [64], typeId: 0, data: quantize(0, x) },
      ],
    });
    const f = await parseGguf(new MemorySource('t.gguf', bytes));
    assert.equal(f.version, version);
    assert.equal(f.alignment, 64);
    assert.equal(f.dataOffset % 64, 0);
    assert.equal(ggufGet(f, 'u8'), 200);
    assert.equal(ggufGet(f, 'i8'), -100);
    assert.equal(ggufGet(f, 'u32'), 4000000000);
    assert.equal(ggufGet(f, 'i32'), -2000000000);
    assert.equal(ggufGet(f, 'f32'), 0.5);
    assert.equal(ggufGet(f, 'f64'), 0.1);
    assert.equal(ggufGet(f, 'bool'), true);
    assert.equal(ggufGet(f, 'str'), 'héllo');
    assert.equal(ggufGet(f, 'u64'), 2n ** 60n);
    assert.equal(ggufGet(f, 'i64'), -5);
    assert.deepEqual(ggufGet(f, 'arr'), ['a', 'b']);
    assert.deepEqual(ggufGet(f, 'arr_i32'), [1, -2, 3]);
    const b = f.tensors.get('b');
    assert.ok(b);
    assert.deepEqual(await readGgufRange(f, b, 0, 64), x);
    const a = f.tensors.get('a');
    assert.ok(a);
    const full = await readGgufRange(f, a, 0, 64);
    const mid = await readGgufRange(f, a, 5, 40); // unaligned range spanning blocks
    assert.deepEqual(mid, full.subarray(5, 45));
  }
});

test('zoo GGUF files parse', async () => {
  for (const name of ['x-finetune-q8_0.gguf', 'base-y-q4_0.gguf']) {
    const src = await FileSource.open(join(ZOO, name));
    const f = await parseGguf(src);
    assert.equal(f.version, 3);
    assert.equal(ggufGet(f, 'general.architecture'), 'llama');
    assert.equal(f.tensors.size, 30);
    await src.close();
  }
});

function mutate(bytes: Uint8Array, at: number, write: (dv: DataView) => void): Uint8Array {
  const c = bytes.slice();
  write(new DataView(c.buffer, at));
  return c;
}

test('malformed GGUF headers are typed errors', async () => {
  const good = encodeGguf({
    metadata: [{ key: 'general.architecture', type: GGUF_VALUE_TYPE.STRING, value: 'llama' }],
    tensors: [{ name: 'w', dims: [32], typeId: 0, data: new Uint8Array(128) }],
  });
  const mem = (b: Uint8Array): MemorySource => new MemorySource('bad.gguf', b);
  await expectCode(parseGguf(mem(good.subarray(0, 10))), 'TRUNCATED');
  await expectCode(
    parseGguf(mem(mutate(good, 0, (d) => d.setUint32(0, 0x12345678, true)))),
    'BAD_MAGIC',
  );
  await expectCode(parseGguf(mem(mutate(good, 4, (d) => d.setUint32(0, 1, true)))), 'BAD_VERSION');
  await expectCode(
    parseGguf(mem(mutate(good, 8, (d) => d.setBigUint64(0, 2n ** 40n, true)))),
    'LIMIT_EXCEEDED',
  );
  await expectCode(
    parseGguf(mem(mutate(good, 16, (d) => d.setBigUint64(0, 2n ** 40n, true)))),
    'LIMIT_EXCEEDED',
  );
  await expectCode(
    parseGguf(mem(mutate(good, 24, (d) => d.setBigUint64(0, 2n ** 50n, true)))),
    'LIMIT_EXCEEDED',
  ); // key length
  await expectCode(
    parseGguf(mem(mutate(good, 24, (d) => d.setBigUint64(0, 5000n, true)))),
    'TRUNCATED',
  );
  // metadata value type 99
  await expectCode(
    parseGguf(mem(mutate(good, 24 + 8 + 20, (d) => d.setUint32(0, 99, true)))),
    'BAD_HEADER',
  );
  const tensorInfo = good.length - 128 - 32; // before padding and data: find the type field by re-encoding
  void tensorInfo;
  const badType = encodeGguf({
    metadata: [],
    tensors: [{ name: 'w', dims: [32], typeId: 0, data: new Uint8Array(128) }],
  });
  // layout: 24 header + name(8+1) + n_dims(4) + dim(8) → type at 45
  await expectCode(
    parseGguf(mem(mutate(badType, 45, (d) => d.setUint32(0, 77, true)))),
    'UNKNOWN_DTYPE',
  );
  await expectCode(
    parseGguf(mem(mutate(badType, 49, (d) => d.setBigUint64(0, 4096n, true)))),
    'OUT_OF_BOUNDS',
  );
  await expectCode(
    parseGguf(mem(mutate(badType, 49, (d) => d.setBigUint64(0, 3n, true)))),
    'BAD_ALIGNMENT',
  );
  await expectCode(
    parseGguf(mem(mutate(badType, 33, (d) => d.setUint32(0, 9, true)))),
    'BAD_HEADER',
  ); // n_dims
  await expectCode(
    parseGguf(mem(mutate(badType, 37, (d) => d.setBigUint64(0, 33n, true)))),
    'OUT_OF_BOUNDS',
  );
  const q8 = encodeGguf({
    metadata: [],
    tensors: [{ name: 'w', dims: [32], typeId: 8, data: new Uint8Array(34) }],
  });
  await expectCode(
    parseGguf(mem(mutate(q8, 37, (d) => d.setBigUint64(0, 33n, true)))),
    'SHAPE_MISMATCH',
  );
  const dup = encodeGguf({
    metadata: [],
    tensors: [
      { name: 'w', dims: [32], typeId: 0, data: new Uint8Array(128) },
      { name: 'w', dims: [32], typeId: 0, data: new Uint8Array(128) },
    ],
  });
  await expectCode(parseGguf(mem(dup)), 'DUPLICATE_NAME');
  const overlap = mutate(dup, 24 + 37 + 12, (d) => d.setBigUint64(0, 0n, true));
  void overlap;
  const twoNames = encodeGguf({
    metadata: [],
    tensors: [
      { name: 'a', dims: [32], typeId: 0, data: new Uint8Array(128) },
      { name: 'b', dims: [32], typeId: 0, data: new Uint8Array(128) },
    ],
  });
  // second tensor's offset field: 24 + (8+1+4+8+4+8) + (8+1+4+8+4) = 24 + 33 + 25 = 82
  await expectCode(
    parseGguf(mem(mutate(twoNames, 82, (d) => d.setBigUint64(0, 64n, true)))),
    'OVERLAP',
  );
  const dupKey = encodeGguf({
    metadata: [
      { key: 'k', type: GGUF_VALUE_TYPE.UINT8, value: 1 },
      { key: 'k', type: GGUF_VALUE_TYPE.UINT8, value: 2 },
    ],
    tensors: [],
  });
  await expectCode(parseGguf(mem(dupKey)), 'DUPLICATE_NAME');
  const badUtf = encodeGguf({
    metadata: [{ key: 'kk', type: GGUF_VALUE_TYPE.STRING, value: 'ab' }],
    tensors: [],
  });
  badUtf[24 + 8 + 2 + 4 + 8] = 0xff;
  await expectCode(parseGguf(mem(badUtf)), 'BAD_UTF8');
  const badAlign = encodeGguf({
    metadata: [{ key: 'general.alignment', type: GGUF_VALUE_TYPE.UINT32, value: 48 }],
    tensors: [],
  });
  await expectCode(parseGguf(mem(badAlign)), 'BAD_ALIGNMENT');
  const hugeArray = encodeGguf({
    metadata: [
      { key: 'a', type: GGUF_VALUE_TYPE.ARRAY, arrayType: GGUF_VALUE_TYPE.STRING, value: ['x'] },
    ],
    tensors: [],
  });
  // array count at 24 + 8+1 + 4 + 4 = 41
  await expectCode(
    parseGguf(mem(mutate(hugeArray, 41, (d) => d.setBigUint64(0, 10_000_000n, true)))),
    'TRUNCATED',
  );
  await expectCode(
    parseGguf(mem(mutate(hugeArray, 41, (d) => d.setBigUint64(0, 2n ** 62n, true)))),
    'LIMIT_EXCEEDED',
  );
});
