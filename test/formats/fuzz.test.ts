/**
 * Fuzzing the readers with mutated zoo files (fast-check). Property: parsing and reading every
 * tensor either succeeds or throws one of our typed errors — never another exception, never a
 * hang (each case has a deadline), never an allocation beyond the named limits (a case that
 * tried would exceed the deadline or crash the process). Fixed budget so CI time is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CustomsError } from '../../src/errors.js';
import { parseSafetensors, readSafetensorsRange } from '../../src/formats/index.js';
import { parseGguf, readGgufRange } from '../../src/formats/gguf/index.js';
import { MemorySource } from '../../src/sources/index.js';
import { openModel } from '../../src/model/index.js';
import { tempDir } from '../helpers/fixtures.js';

const ZOO = join(import.meta.dirname, '../../../shared/zoo');
/** Cases per property; with ~10 ms per case this keeps the file under ~30 s on 2 cores. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
const DEADLINE_MS = 5000;

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'u64'; at: number; value: bigint }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'byte'; at: number; value: number };

function mutation(headerBytes: number): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: headerBytes - 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('byte' as const), at, value: fc.nat({ max: 255 }) }),
    fc.record({
      kind: fc.constant('u64' as const),
      at,
      value: fc.oneof(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n),
      ),
    }),
    fc.record({
      kind: fc.constant('u32' as const),
      at,
      value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 4, 9, 31, 255, 0xffffffff)),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
  );
}

function apply(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of ms) {
    if (m.kind === 'truncate') {
      b = b.subarray(0, Math.min(m.at, b.length));
      continue;
    }
    if (m.at >= b.length) continue;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (m.kind === 'flip') b[m.at] = (b[m.at] ?? 0) ^ (1 << m.bit);
    else if (m.kind === 'byte') b[m.at] = m.value;
    else if (m.kind === 'u64' && m.at + 8 <= b.length) dv.setBigUint64(m.at, m.value, true);
    else if (m.kind === 'u32' && m.at + 4 <= b.length) dv.setUint32(m.at, m.value >>> 0, true);
  }
  return b;
}

async function withDeadline<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, rej) => {
    timer = setTimeout(
      () => rej(new Error(`case exceeded ${DEADLINE_MS} ms (hang?)`)),
      DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function onlyTypedErrors(run: () => Promise<void>): Promise<void> {
  try {
    await withDeadline(run());
  } catch (e) {
    if (!(e instanceof CustomsError)) throw e;
  }
}

test('mutated safetensors never escape the typed errors', async () => {
  const orig = readFileSync(join(ZOO, 'x-finetune/model.safetensors'));
  const headerLen = Number(new DataView(orig.buffer, orig.byteOffset).getBigUint64(0, true)) + 8;
  await fc.assert(
    fc.asyncProperty(
      fc.array(mutation(headerLen + 64), { minLength: 1, maxLength: 4 }),
      async (ms) => {
        const bytes = apply(new Uint8Array(orig), ms);
        await onlyTypedErrors(async () => {
          const f = await parseSafetensors(new MemorySource('fuzz.safetensors', bytes));
          for (const t of f.tensors.values()) await readSafetensorsRange(f, t, 0, t.elements);
        });
      },
    ),
    { numRuns: RUNS, seed: 20261123 },
  );
});

test('mutated GGUF never escapes the typed errors', async () => {
  for (const name of ['x-finetune-q8_0.gguf', 'base-y-q4_0.gguf']) {
    const orig = new Uint8Array(readFileSync(join(ZOO, name)));
    const f0 = await parseGguf(new MemorySource(name, orig));
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation(f0.dataOffset + 64), { minLength: 1, maxLength: 4 }),
        async (ms) => {
          const bytes = apply(orig, ms);
          await onlyTypedErrors(async () => {
            const f = await parseGguf(new MemorySource('fuzz.gguf', bytes));
            for (const t of f.tensors.values()) await readGgufRange(f, t, 0, t.elements);
          });
        },
      ),
      { numRuns: RUNS, seed: 7 },
    );
  }
});

test('mutated model directories (config, index, weights) never escape the typed errors', async () => {
  const base = tempDir();
  const configText = readFileSync(join(ZOO, 'x-continued/config.json'), 'utf8');
  const indexText = readFileSync(join(ZOO, 'x-continued/model.safetensors.index.json'), 'utf8');
  const shard = readFileSync(join(ZOO, 'x-continued/model-00003-of-00003.safetensors'));
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: configText.length - 1 }),
      fc.nat({ max: indexText.length - 1 }),
      fc.string({ maxLength: 3 }),
      fc.array(mutation(600), { maxLength: 2 }),
      async (ci, ii, junk, ms) => {
        const dir = join(base, String(n++));
        mkdirSync(dir);
        writeFileSync(
          join(dir, 'config.json'),
          configText.slice(0, ci) + junk + configText.slice(ci + junk.length),
        );
        writeFileSync(
          join(dir, 'model.safetensors.index.json'),
          indexText.slice(0, ii) + junk + indexText.slice(ii + junk.length),
        );
        copyFileSync(
          join(ZOO, 'x-continued/model-00001-of-00003.safetensors'),
          join(dir, 'model-00001-of-00003.safetensors'),
        );
        copyFileSync(
          join(ZOO, 'x-continued/model-00002-of-00003.safetensors'),
          join(dir, 'model-00002-of-00003.safetensors'),
        );
        writeFileSync(
          join(dir, 'model-00003-of-00003.safetensors'),
          apply(new Uint8Array(shard), ms),
        );
        await onlyTypedErrors(async () => {
          const m = await openModel(dir);
          try {
            for (const layer of m.roles.layers)
              for (const r of [layer.q, layer.k, layer.down, layer.attnNorm])
                if (r) await m.readRef(r);
            await m.readRef(m.roles.lmHead);
          } finally {
            await m.close();
          }
        });
      },
    ),
    { numRuns: Math.max(20, Math.floor(RUNS / 5)), seed: 11 },
  );
  assert.ok(n > 0);
});
