/**
 * `npm run bench:compare` — fingerprint and compare a Llama-3.2-1B-shaped pair (BF16, ~2.5 GB
 * each, the child an obfuscated light fine-tune of the parent): wall time and peak RSS of
 * fingerprinting and comparing (goal ≤ 60 s total, ≤ 2 GB RSS on 2 cores), and the fingerprint's
 * read time against the raw sequential read time of the same files.
 * The measured phase runs in a fresh process so that its VmHWM excludes model generation.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { BENCH_DATA, loadLine, machine, peakRss, rawRead, time } from './common.js';

const dir = join(BENCH_DATA, 'compare-1b');

if (process.argv[2] !== '--measure') {
  const gen = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'compare-gen.ts'), dir],
    { stdio: 'inherit' },
  );
  if (gen.status !== 0) process.exit(gen.status ?? 1);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'compare.ts'), '--measure'],
    { stdio: 'inherit' },
  );
  process.exit(run.status ?? 1);
}

const { extractFingerprint, compareFingerprints, fingerprintToJson } =
  await import('../src/forensics/index.js');

const files = [join(dir, 'parent/model.safetensors'), join(dir, 'child/model.safetensors')];
await rawRead(files[0] ?? '');
await rawRead(files[1] ?? '');
const raw = await time(
  async () => (await rawRead(files[0] ?? '')) + (await rawRead(files[1] ?? '')),
);
const load0 = loadavg();
const cpu0 = process.cpuUsage();
const fa = await time(() => extractFingerprint({ model: join(dir, 'parent'), digest: false }));
const fb = await time(() => extractFingerprint({ model: join(dir, 'child'), digest: false }));
const cmp = await time(() => compareFingerprints(fa.value, fb.value));
const cpuUse = process.cpuUsage(cpu0);
const cpuSeconds = (cpuUse.user + cpuUse.system) / 1e6;
const load1 = loadavg();
const peak = peakRss();
const bytes = fa.value.model.bytes + fb.value.model.bytes;
const fpBytes = fingerprintToJson(fa.value).length;
const total = fa.seconds + fb.seconds + cmp.seconds;
console.log(`machine: ${machine()}`);
console.log('| phase | wall time |');
console.log('|---|---|');
console.log(
  `| raw sequential read of both files (${(bytes / 1e9).toFixed(2)} GB) | ${raw.seconds.toFixed(1)} s (${(bytes / raw.seconds / 1e9).toFixed(2)} GB/s) |`,
);
console.log(
  `| fingerprint parent | ${fa.seconds.toFixed(1)} s (read ${(fa.value.coverage.bytesRead / 1e9).toFixed(2)} GB) |`,
);
console.log(
  `| fingerprint child | ${fb.seconds.toFixed(1)} s (read ${(fb.value.coverage.bytesRead / 1e9).toFixed(2)} GB) |`,
);
console.log(`| compare | ${cmp.seconds.toFixed(1)} s |`);
console.log(`| **total (fingerprints + compare)** | **${total.toFixed(1)} s** (goal ≤ 60 s) |`);
console.log(
  `\nfingerprint time / raw read time of the same files: ${((fa.seconds + fb.seconds) / raw.seconds).toFixed(2)}×`,
);
console.log(
  `fingerprint bytes read / file bytes: ${(((fa.value.coverage.bytesRead + fb.value.coverage.bytesRead) / bytes) * 100).toFixed(1)}%`,
);
console.log(
  `fingerprint size: ${(fpBytes / 1e6).toFixed(1)} MB = ${((100 * fpBytes) / fa.value.model.bytes).toFixed(2)}% of the model`,
);
console.log(
  `CPU time of fingerprints + compare, all threads: ${cpuSeconds.toFixed(1)} s (${(cpuSeconds / 2).toFixed(1)} s of wall time if two cores were free)`,
);
console.log(loadLine(load0, load1));
console.log(`peak RSS (VmHWM): ${(peak / 2 ** 20).toFixed(0)} MiB (goal ≤ 2048 MiB)`);
console.log(
  `verdict: ${cmp.value.verdict}, log10 p = ${cmp.value.log10PValue.toFixed(1)}; transformations: ${cmp.value.transformations.map((t) => t.kind).join(', ')}`,
);
