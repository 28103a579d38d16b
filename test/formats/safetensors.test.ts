import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, SourceError } from '../../src/errors.js';
import {
  encodeSafetensors,
  parseSafetensors,
  readSafetensorsRange,
  FP8_E4M3_TABLE,
  FP8_E5M2_TABLE,
  f32ToF16,
  f32ToBf16,
  type SafetensorsDtype,
} from '../../src/formats/index.js';
import { FileSource, MemorySource } from '../../src/sources/index.js';
import { tempDir } from '../helpers/fixtures.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');

function header(obj: unknown, dataBytes = 0, lenOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(obj));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, lenOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(
      e instanceof FormatError || e instanceof SourceError,
      `not a typed error: ${String(e)}`,
    );
    assert.equal(e.code, code, (e as Error).message);
    return true;
  });
}

test('parses a zoo model and reads a row range lazily', async () => {
  const src = await FileSource.open(join(ZOO, 'base-x/model.safetensors'));
  const f = await parseSafetensors(src);
  const t = f.tensors.get('model.layers.0.self_attn.k_proj.weight');
  assert.ok(t);
  assert.deepEqual(t.shape, [48, 96]);
  assert.equal(t.dtype, 'F32');
  const all = await readSafetensorsRange(f, t, 0, t.elements);
  const part = await readSafetensorsRange(f, t, 96 * 5, 96 * 2);
  assert.deepEqual(part, all.subarray(96 * 5, 96 * 7));
  await src.close();
});

test('decodes every dtype', async () => {
  const vals = [0, 1, -2, 0.5, 3];
  const enc: Record<SafetensorsDtype, Uint8Array> = {
    F64: new Uint8Array(Float64Array.from(vals).buffer),
    F32: new Uint8Array(Float32Array.from(vals).buffer),
    F16: new Uint8Array(Uint16Array.from(vals.map(f32ToF16)).buffer),
    BF16: new Uint8Array(Uint16Array.from(vals.map(f32ToBf16)).buffer),
    I64: new Uint8Array(BigInt64Array.from([0n, 1n, -2n, 0n, 3n]).buffer),
    I32: new Uint8Array(Int32Array.from([0, 1, -2, 0, 3]).buffer),
    I16: new Uint8Array(Int16Array.from([0, 1, -2, 0, 3]).buffer),
    I8: new Uint8Array(Int8Array.from([0, 1, -2, 0, 3]).buffer),
    U64: new Uint8Array(BigUint64Array.from([0n, 1n, 2n, 0n, 3n]).buffer),
    U32: new Uint8Array(Uint32Array.from([0, 1, 2, 0, 3]).buffer),
    U16: new Uint8Array(Uint16Array.from([0, 1, 2, 0, 3]).buffer),
    U8: Uint8Array.from([0, 1, 2, 0, 3]),
    BOOL: Uint8Array.from([0, 1, 1, 0, 1]),
    // E4M3: 0x38 = 1.0, 0xC0 = −2.0, 0x30 = 0.5, 0x44 = 3.0 ; E5M2: 0x3C = 1.0, 0xC0 = −2.0, 0x38 = 0.5, 0x42 = 3.0
    F8_E4M3: Uint8Array.from([0x00, 0x38, 0xc0, 0x30, 0x44]),
    F8_E5M2: Uint8Array.from([0x00, 0x3c, 0xc0, 0x38, 0x42]),
  };
  const ints = [0, 1, -2, 0, 3];
  const expected: Record<string, number[]> = {
    I64: ints,
    I32: ints,
    I16: ints,
    I8: ints,
    U64: [0, 1, 2, 0, 3],
    U32: [0, 1, 2, 0, 3],
    U16: [0, 1, 2, 0, 3],
    U8: [0, 1, 2, 0, 3],
    BOOL: [0, 1, 1, 0, 1],
  };
  const bytes = encodeSafetensors(
    Object.entries(enc).map(([dtype, data]) => ({
      name: dtype,
      dtype: dtype as SafetensorsDtype,
      shape: [5],
      data,
    })),
  );
  const f = await parseSafetensors(new MemorySource('all-dtypes', bytes));
  for (const dtype of Object.keys(enc)) {
    const t = f.tensors.get(dtype);
    assert.ok(t);
    assert.deepEqual([...(await readSafetensorsRange(f, t, 0, 5))], expected[dtype] ?? vals, dtype);
  }
  assert.equal(FP8_E4M3_TABLE[0x7e], 448); // E4M3FN max
  assert.ok(Number.isNaN(FP8_E4M3_TABLE[0x7f]));
  assert.equal(FP8_E5M2_TABLE[0x7c], Infinity);
  assert.equal(FP8_E5M2_TABLE[0x7b], 57344);
});

test('malformed headers are typed errors naming the problem', async () => {
  const mem = (b: Uint8Array): MemorySource => new MemorySource('bad.safetensors', b);
  await expectCode(parseSafetensors(mem(new Uint8Array(4))), 'TRUNCATED');
  await expectCode(parseSafetensors(mem(header({}, 0, 1000n))), 'TRUNCATED');
  await expectCode(parseSafetensors(mem(header({}, 0, 2n ** 40n))), 'HEADER_TOO_LARGE');
  const badJson = header({});
  badJson[8] = 0x5b; // '['
  await expectCode(parseSafetensors(mem(badJson)), 'BAD_JSON');
  const badUtf8 = header({ a: 'xx' });
  badUtf8[13] = 0xff;
  await expectCode(parseSafetensors(mem(badUtf8)), 'BAD_UTF8');
  await expectCode(
    parseSafetensors(mem(header({ w: { dtype: 'Q9', shape: [1], data_offsets: [0, 1] } }, 1))),
    'UNKNOWN_DTYPE',
  );
  await expectCode(
    parseSafetensors(mem(header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 8))),
    'SHAPE_MISMATCH',
  );
  await expectCode(
    parseSafetensors(mem(header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4))),
    'OUT_OF_BOUNDS',
  );
  await expectCode(
    parseSafetensors(mem(header({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, 8))),
    'OUT_OF_BOUNDS',
  );
  await expectCode(
    parseSafetensors(
      mem(
        header(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          12,
        ),
      ),
    ),
    'OVERLAP',
  );
  await expectCode(
    parseSafetensors(
      mem(header({ w: { dtype: 'F32', shape: [2 ** 26, 2 ** 26], data_offsets: [0, 4] } }, 4)),
    ),
    'LIMIT_EXCEEDED',
  );
  await expectCode(
    parseSafetensors(mem(header({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4))),
    'BAD_HEADER',
  );
  const dupText =
    '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  const dup = new Uint8Array(8 + dupText.length + 4);
  new DataView(dup.buffer).setBigUint64(0, BigInt(dupText.length), true);
  dup.set(new TextEncoder().encode(dupText), 8);
  await expectCode(parseSafetensors(mem(dup)), 'DUPLICATE_NAME');
  const err = await parseSafetensors(
    mem(header({ 'lm_head.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 9999999] } }, 8)),
  ).catch((e: unknown) => e);
  assert.ok(err instanceof FormatError);
  assert.match(
    err.message,
    /bad\.safetensors: lm_head\.weight: offset \d+: tensor "lm_head\.weight" data_offsets \[0, 9999999\] exceed data size 8/,
  );
});

test('a file truncated after parsing is reported on read, not crashed on', async () => {
  const dir = tempDir();
  const p = join(dir, 'm.safetensors');
  writeFileSync(
    p,
    encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [4], data: new Uint8Array(16) }]),
  );
  const src = await FileSource.open(p);
  const f = await parseSafetensors(src);
  writeFileSync(p, new Uint8Array(10)); // shrink the file underneath
  const t = f.tensors.get('w');
  assert.ok(t);
  await assert.rejects(
    readSafetensorsRange(f, t, 0, 4),
    (e: unknown) => e instanceof SourceError && e.code === 'SHORT_READ',
  );
  await src.close();
});
