/**
 * `npm run bench:read` — reader throughput (issue 2):
 *  1. streaming a multi-GB BF16 safetensors model to float32 rows, as a ratio to the raw
 *     sequential read rate of the same file measured in the same run (goal ≥ 0.8);
 *  2. GGUF Q4_K and Q8_0 dequantization rate on one core (goal ≥ 1 GB/s/core);
 *  3. peak RSS while scanning the multi-GB file (goal ≤ 1 GB whatever the model size).
 * The model (Llama-3.2-1B shapes, ~2.5 GB) is generated once under bench/data/.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { openModel } from '../src/model/index.js';
import { dequantize, GGML_TYPE_ID, GGML_TYPES, quantize } from '../src/formats/gguf/index.js';
import { ensureBf16Model, LLAMA_1B, loadLine, machine, peakRss, rawRead, time } from './common.js';

const GB = 1e9;

async function scanModel(dir: string): Promise<{ bytes: number; checksum: number }> {
  const m = await openModel(dir);
  let bytes = 0;
  let checksum = 0;
  try {
    const refs = [m.roles.embedding, ...(m.roles.finalNorm ? [m.roles.finalNorm] : [])];
    for (const L of m.roles.layers)
      for (const r of [L.attnNorm, L.q, L.k, L.v, L.o, L.mlpNorm, L.gate, L.up, L.down])
        if (r) refs.push(r);
    for (const r of refs) {
      for await (const { data } of m.iterateRows(r)) {
        bytes += data.length * 2; // bytes of BF16 source consumed
        checksum += data[data.length - 1] ?? 0; // touch the output so nothing is optimised away
      }
    }
  } finally {
    await m.close();
  }
  return { bytes, checksum };
}

function dequantRate(typeName: string, mib = 256): { inGBps: number; outGBps: number } {
  const id = GGML_TYPE_ID[typeName] ?? -1;
  const info = GGML_TYPES.get(id);
  if (!info) throw new Error(typeName);
  const src = new Float32Array(1 << 20);
  for (let i = 0; i < src.length; i++) src[i] = Math.sin(i * 0.37) * 0.05;
  const blocks = quantize(id, src); // 1 Mi elements
  const reps = Math.max(1, Math.round((mib * 2 ** 20) / (src.length * 4)));
  const out = new Float32Array(src.length);
  dequantize(id, blocks, src.length, out); // warm up the JIT
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) dequantize(id, blocks, src.length, out);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { inGBps: (blocks.length * reps) / s / GB, outGBps: (src.length * 4 * reps) / s / GB };
}

const dir = await ensureBf16Model('llama-1b-bf16', LLAMA_1B);
const file = join(dir, 'model.safetensors');

/**
 * Evict the file from the page cache (POSIX_FADV_DONTNEED through GNU dd, no root needed), so
 * that a "cold" measurement reads the storage as a model larger than memory would. Returns false
 * where dd cannot do it; cold rounds are then skipped and said to be.
 */
function dropCache(f: string): boolean {
  const r = spawnSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
  return r.status === 0;
}

const load0 = loadavg();
const rows: string[] = [];
const ratios: { cold: number[]; warm: number[] } = { cold: [], warm: [] };
const canDrop = dropCache(file);
for (const mode of canDrop ? (['cold', 'warm'] as const) : (['warm'] as const)) {
  if (mode === 'warm') await rawRead(file); // warm the page cache for both measurements
  for (let round = 0; round < 3; round++) {
    if (mode === 'cold') dropCache(file);
    const raw = await time(() => rawRead(file));
    if (mode === 'cold') dropCache(file);
    const ours = await time(() => scanModel(dir));
    const rawRate = raw.value / raw.seconds / GB;
    const ourRate = ours.value.bytes / ours.seconds / GB;
    ratios[mode].push(ourRate / rawRate);
    rows.push(
      `| ${mode} | ${round + 1} | ${(raw.value / GB).toFixed(2)} GB | ${rawRate.toFixed(2)} GB/s | ${ourRate.toFixed(2)} GB/s | ${(ourRate / rawRate).toFixed(2)} |`,
    );
  }
}
const q4k = dequantRate('Q4_K');
const q80 = dequantRate('Q8_0');
const q6k = dequantRate('Q6_K');
const peak = peakRss();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] ?? NaN;
const load1 = loadavg();
console.log(`machine: ${machine()}`);
console.log(`${loadLine(load0, load1)} (the read rounds)`);
console.log('| page cache | round | file | raw sequential read | BF16 → f32 rows (ours) | ratio |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
if (!canDrop) console.log('\n(cold rounds skipped: dd iflag=nocache could not evict the file)');
console.log(
  `\nmedian ratio: cold ${median(ratios.cold).toFixed(2)}, warm ${median(ratios.warm).toFixed(2)} (goal ≥ 0.8)`,
);
console.log('\n| GGUF type | input (quantized) GB/s/core | output (f32) GB/s/core |');
console.log('|---|---|---|');
for (const [n, r] of [
  ['Q4_K', q4k],
  ['Q8_0', q80],
  ['Q6_K', q6k],
] as const)
  console.log(`| ${n} | ${r.inGBps.toFixed(2)} | ${r.outGBps.toFixed(2)} |`);
console.log(
  `\npeak RSS over the whole run (VmHWM): ${(peak / 2 ** 20).toFixed(0)} MiB (goal ≤ 1024 MiB)`,
);
