/**
 * `npm run bench:log`: transparency-log and signing benchmarks.
 *
 * 1. Sustained appends/s of signed statements through the registry (JSON + bundle parsing,
 *    enrolled-key lookup, ECDSA P-256 signature check, leaf building, batched durable commit) on
 *    SQLite and PostgreSQL, with many submissions in flight as a server would have.
 * 2. Checkpoint latency: time from a submission to its acknowledgement, which carries the signed
 *    checkpoint covering it (idle log and under load).
 * 3. Inclusion-proof latency (p50/p99) from the store.
 * 4. OMS hashing throughput as a ratio to `sha256sum` over the same files (page cache warm).
 *
 * Options: --n <statements> (default 20000), --stores sqlite,postgres, --hash-mib <MiB> (default
 * 1024), --skip-hash, --http (also measure end to end through the HTTP listener),
 * --verify-workers <n> (default: one per core). PostgreSQL uses CUSTOMS_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test)
 * in a throw-away schema.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createPublicKey, hash, randomBytes, sign, verify } from 'node:crypto';
import {
  generateSigningKey,
  lineageStatement,
  loadPrivateKey,
  signStatement,
  buildManifest,
} from '../src/provenance/index.js';
import { Registry, startRegistry } from '../src/server/index.js';
import { TransparencyLog, generateNoteKey, SqliteStore } from '../src/tlog/index.js';
import type { LogStore } from '../src/tlog/index.js';
import { PostgresStore } from '../src/tlog/store/postgres.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : def;
};
const N = Number(arg('--n', '20000'));
const STORES = arg('--stores', 'sqlite,postgres').split(',');
const HASH_MIB = Number(arg('--hash-mib', '1024'));
const PG_URL = process.env['CUSTOMS_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_FLIGHT = 512;
const VERIFY_WORKERS = Number(arg('--verify-workers', String(Math.max(1, cpus().length))));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const results: Record<string, unknown> = {
  machine: `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  n: N,
  loadAverageAtStart: loadavg().map((x) => +x.toFixed(2)),
};

// Calibration: single-thread rates of the primitives the log is built on, so figures taken on a
// busy shared machine can be compared with a quiet one.
{
  const g = generateSigningKey();
  const priv = loadPrivateKey(g.privateKeyPem);
  const pub = createPublicKey(g.publicKeyPem);
  const msg = Buffer.alloc(600, 1);
  const sig = sign('sha256', msg, priv);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    verify('sha256', msg, pub, sig);
    n++;
  }
  const ecdsa = Math.round(n / ((performance.now() - t0) / 1000));
  const node = Buffer.alloc(65, 2);
  n = 0;
  const t1 = performance.now();
  while (performance.now() - t1 < 300) {
    for (let i = 0; i < 1000; i++) hash('sha256', node, 'buffer');
    n += 1000;
  }
  results['calibration'] = {
    ecdsaP256VerifiesPerSecond: ecdsa,
    sha256NodeHashesPerSecond: Math.round(n / ((performance.now() - t1) / 1000)),
  };
  console.error('calibration', JSON.stringify(results['calibration']));
}

console.error(`signing ${N} lineage statements…`);
const gen = generateSigningKey();
const key = loadPrivateKey(gen.privateKeyPem);
const hex = (i: number): string => i.toString(16).padStart(64, '0');
const bundles: string[] = [];
for (let i = 0; i < N; i++) {
  bundles.push(
    signStatement({
      statement: lineageStatement({
        subject: { name: `bench/model-${i}`, digest: hex(i + 1) },
        parents: [
          { digest: hex(i + 10_000_000), name: `bench/base-${i % 100}`, relation: 'finetune' },
        ],
      }),
      privateKey: key,
    }).bundleJson,
  );
}

async function benchStore(
  name: string,
  store: LogStore,
  cleanup: () => Promise<void>,
): Promise<void> {
  const logKey = generateNoteKey('bench.example/log');
  const log = await TransparencyLog.open({
    store,
    origin: 'bench.example/log',
    signer: logKey.signer,
  });
  const reg = new Registry(log, { verifyWorkers: VERIFY_WORKERS });
  await reg.enroll({ pem: gen.publicKeyPem, name: 'bench' });
  // Warm up (worker threads start, JIT), then sustained throughput with IN_FLIGHT in flight.
  for (let i = 0; i < 50; i++) await reg.submit(bundles[i] as string);
  const lat: number[] = [];
  let next = 50;
  const end = N - 100;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < end) {
      const b = bundles[next++] as string;
      const t = performance.now();
      const r = await reg.submit(b);
      if (r.duplicate) throw new Error('unexpected duplicate');
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker()));
  const secs = (performance.now() - t0) / 1000;
  // Idle checkpoint latency: one submission at a time on a quiet log.
  const idle: number[] = [];
  for (let i = end; i < N; i++) {
    const t = performance.now();
    await reg.submit(bundles[i] as string);
    idle.push(performance.now() - t);
  }
  // Inclusion proofs.
  const size = log.current.size;
  const proof: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const idx = Math.floor(Math.random() * size);
    const t = performance.now();
    await log.inclusionProof(idx, size);
    proof.push(performance.now() - t);
  }
  results[name] = {
    appendsPerSecond: Math.round((end - 50) / secs),
    checkpointLatencyIdleMs: { p50: +pct(idle, 50).toFixed(2), p99: +pct(idle, 99).toFixed(2) },
    checkpointLatencyUnderLoadMs: { p50: +pct(lat, 50).toFixed(1), p99: +pct(lat, 99).toFixed(1) },
    inclusionProofMs: { p50: +pct(proof, 50).toFixed(3), p99: +pct(proof, 99).toFixed(3) },
    treeSize: size,
  };
  console.error(name, JSON.stringify(results[name]));
  await reg.close();
  await log.close();
  await cleanup();
}

for (const s of STORES) {
  if (s === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
    await benchStore(
      'sqlite',
      new SqliteStore({ path: join(dir, 'log.db'), writerThread: true }),
      () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    );
  } else if (s === 'postgres') {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const store = new PostgresStore({ url: PG_URL, schema });
    await benchStore('postgres', store, async () => {
      const s2 = new PostgresStore({ url: PG_URL, schema });
      await s2.dropSchema();
      await s2.close();
    });
  }
}

if (args.includes('--http')) {
  // End to end through `customs serve`'s listener (client and server share the machine).
  const dir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const svc = await startRegistry({
    dataDir: dir,
    origin: 'bench.example/http',
    port: 0,
    logger: () => undefined,
    writeRate: { perSecond: 1e9, burst: 1e9 },
  });
  await svc.registry.enroll({ pem: gen.publicKeyPem });
  const total = Math.min(N, 10000);
  let next = 0;
  const lat: number[] = [];
  for (let i = 0; i < 20; i++)
    await fetch(`${svc.url}/v1/statements`, { method: 'POST', body: bundles[next++] as string });
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const body = bundles[next++] as string;
      const t = performance.now();
      const r = await fetch(`${svc.url}/v1/statements`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      await r.arrayBuffer();
      if (r.status !== 201) throw new Error(`HTTP ${r.status}`);
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: 64 }, () => worker()));
  const secs = (performance.now() - t0) / 1000;
  results['http-sqlite'] = {
    appendsPerSecond: Math.round((total - 20) / secs),
    latencyMs: { p50: +pct(lat, 50).toFixed(1), p99: +pct(lat, 99).toFixed(1) },
    inFlight: 64,
  };
  console.error('http-sqlite', JSON.stringify(results['http-sqlite']));
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
}

if (!args.includes('--skip-hash')) {
  const dir = join(import.meta.dirname, 'data', 'hash');
  mkdirSync(dir, { recursive: true });
  const files = 4;
  const each = Math.floor((HASH_MIB * 2 ** 20) / files);
  for (let i = 0; i < files; i++) {
    const p = join(dir, `shard-${i}.bin`);
    if (!existsSync(p) || statSync(p).size !== each) {
      const chunk = randomBytes(2 ** 20);
      writeFileSync(p, '');
      for (let off = 0; off < each; off += chunk.length)
        writeFileSync(p, chunk.subarray(0, Math.min(chunk.length, each - off)), { flag: 'a' });
    }
  }
  const paths = Array.from({ length: files }, (_v, i) => join(dir, `shard-${i}.bin`));
  execFileSync('sha256sum', paths); // warm the page cache
  const time = (f: () => void): number => {
    const t = performance.now();
    f();
    return (performance.now() - t) / 1000;
  };
  const shaSecs = Math.min(
    time(() => execFileSync('sha256sum', paths)),
    time(() => execFileSync('sha256sum', paths)),
  );
  const oms: number[] = [];
  for (let r = 0; r < 2; r++) {
    const t = performance.now();
    await buildManifest({ modelPath: dir });
    oms.push((performance.now() - t) / 1000);
  }
  const omsSecs = Math.min(...oms);
  const bytes = each * files;
  results['hashing'] = {
    bytes,
    sha256sumMBps: Math.round(bytes / shaSecs / 1e6),
    omsMBps: Math.round(bytes / omsSecs / 1e6),
    ratio: +(shaSecs / omsSecs).toFixed(2),
    files,
  };
  console.error('hashing', JSON.stringify(results['hashing']));
}

results['loadAverageAtEnd'] = loadavg().map((x) => +x.toFixed(2));
console.log(JSON.stringify(results, null, 2));
