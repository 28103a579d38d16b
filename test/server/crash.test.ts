/**
 * Crash safety of `customs serve`: a real listener in a child process (`node bin/customs.js
 * serve`) takes a burst of submissions, is killed with SIGKILL mid-burst, and restarted on the
 * same database. Every acknowledged entry must be present at the index it was acknowledged with,
 * and every checkpoint published before the crash must be consistent with every checkpoint
 * published after it. Runs on SQLite and on the real PostgreSQL server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  generateSigningKey,
  lineageStatement,
  loadPrivateKey,
  signStatement,
} from '../../src/provenance/index.js';
import { ed25519Verifier, verifyCheckpoint, verifyConsistency } from '../../src/tlog/index.js';
import type { Checkpoint } from '../../src/tlog/index.js';
import { postgresKind, postgresUnavailable } from '../tlog/store-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ORIGIN = 'crash.test/log';
const STATEMENTS = 700;
const KILL_AFTER_ACKS = 250;
const CONCURRENCY = 24;

interface Server {
  child: ChildProcess;
  url: string;
  vkey: string;
}

async function startServer(dataDir: string, db: string | undefined): Promise<Server> {
  const args = [
    'bin/customs.js',
    'serve',
    '--data-dir',
    dataDir,
    '--origin',
    ORIGIN,
    '--port',
    '0',
    '--quiet',
    '--write-rate',
    '1000000',
    '--read-rate',
    '1000000',
  ];
  if (db !== undefined) args.push('--db', db);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)}: ${stderr}`));
    });
  });
  const info = JSON.parse(line) as { url: string; vkey: string };
  return { child, url: info.url, vkey: info.vkey };
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

interface Ack {
  statementDigest: string;
  index: number;
  leafHash: string;
  checkpoint: string;
}

for (const kindName of ['sqlite', 'postgres'] as const) {
  describe(`kill -9 during a burst (${kindName})`, async () => {
    const skip = kindName === 'postgres' ? await postgresUnavailable() : undefined;

    test(
      'acknowledged entries survive; checkpoints stay consistent across the crash',
      { skip: skip ?? false, timeout: 240_000 },
      async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'customs-crash-'));
        const pgk = kindName === 'postgres' ? postgresKind() : undefined;
        const db = pgk?.location();
        const servers: ChildProcess[] = [];
        try {
          let srv = await startServer(dataDir, db);
          servers.push(srv.child);
          const verifier = ed25519Verifier(srv.vkey);
          const token = readFileSync(join(dataDir, 'writer.token'), 'utf8').trim();
          const gen = generateSigningKey();
          const enrol = await fetch(`${srv.url}/v1/keys`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ publicKey: gen.publicKeyPem }),
          });
          assert.equal(enrol.status, 201);
          const key = loadPrivateKey(gen.privateKeyPem);
          const hex = (i: number): string => i.toString(16).padStart(64, '0');
          const bundles = Array.from(
            { length: STATEMENTS },
            (_v, i) =>
              signStatement({
                statement: lineageStatement({
                  subject: { name: `m${i}`, digest: hex(i + 1) },
                  parents: [{ digest: hex(i + 100_000), name: `p${i}`, relation: 'finetune' }],
                }),
                privateKey: key,
              }).bundleJson,
          );
          const acks = new Map<string, Ack>();
          const published: string[] = [];
          let next = 0;
          let killed = false;
          const poll = setInterval(() => {
            void fetch(`${srv.url}/checkpoint`)
              .then(async (r) => (r.status === 200 ? published.push(await r.text()) : undefined))
              .catch(() => undefined);
          }, 20);
          const worker = async (): Promise<void> => {
            while (!killed && next < STATEMENTS) {
              const body = bundles[next++] as string;
              try {
                const r = await fetch(`${srv.url}/v1/statements`, {
                  method: 'POST',
                  body,
                  headers: { 'content-type': 'application/json' },
                });
                if (r.status === 201) {
                  const j = (await r.json()) as Ack;
                  acks.set(j.statementDigest, {
                    statementDigest: j.statementDigest,
                    index: j.index,
                    leafHash: j.leafHash,
                    checkpoint: j.checkpoint,
                  });
                  if (acks.size >= KILL_AFTER_ACKS && !killed) {
                    killed = true;
                    await kill9(srv.child);
                  }
                }
              } catch {
                // Connection reset by the kill: this submission was never acknowledged.
              }
            }
          };
          await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
          clearInterval(poll);
          assert.ok(killed, 'the server was killed mid-burst');
          assert.ok(acks.size >= KILL_AFTER_ACKS);
          const bySize = new Map<number, Checkpoint>();
          for (const t of new Set([...published, ...[...acks.values()].map((a) => a.checkpoint)])) {
            const cp = verifyCheckpoint(t, [verifier], ORIGIN);
            const seen = bySize.get(cp.size);
            // Two different roots for one size would be a fork: fail loudly.
            if (seen)
              assert.deepEqual(seen.rootHash, cp.rootHash, `one root per size (${cp.size})`);
            bySize.set(cp.size, cp);
          }
          const before = [...bySize.values()];

          // Restart on the same data and check every acknowledged entry.
          srv = await startServer(dataDir, db);
          servers.push(srv.child);
          for (const a of acks.values()) {
            const s = await fetch(`${srv.url}/v1/statements/${a.statementDigest}`);
            assert.equal(s.status, 200, `acknowledged statement ${a.statementDigest} is present`);
            assert.equal(s.headers.get('x-log-index'), String(a.index));
            const e = (await (await fetch(`${srv.url}/v1/entries/${a.index}`)).json()) as {
              leafHash: string;
            };
            assert.equal(e.leafHash, a.leafHash);
          }
          // Resubmit everything: what was committed but not acknowledged comes back as a duplicate.
          const after: string[] = [];
          let dups = 0;
          let cursor = 0;
          const resubmit = async (): Promise<void> => {
            while (cursor < STATEMENTS) {
              const i = cursor++;
              const r = await fetch(`${srv.url}/v1/statements`, {
                method: 'POST',
                body: bundles[i] as string,
                headers: { 'content-type': 'application/json' },
              });
              assert.ok(r.status === 201 || r.status === 409, `resubmission answered ${r.status}`);
              if (r.status === 409) dups++;
              const j = (await r.json()) as { result?: Ack } & Ack;
              const ack = j.result ?? j;
              const prev = acks.get(ack.statementDigest);
              if (prev)
                assert.equal(ack.index, prev.index, 'an acknowledged entry keeps its index');
              if (i % 100 === 0) after.push(await (await fetch(`${srv.url}/checkpoint`)).text());
            }
          };
          await Promise.all(Array.from({ length: CONCURRENCY }, () => resubmit()));
          assert.ok(dups >= acks.size);
          after.push(await (await fetch(`${srv.url}/checkpoint`)).text());
          const afterCps = after.map((t) => verifyCheckpoint(t, [verifier], ORIGIN));
          const final = afterCps[afterCps.length - 1] as Checkpoint;
          assert.equal(final.size, STATEMENTS);
          // Every checkpoint published before the crash is consistent with every one after it.
          for (const b of before) {
            for (const a of afterCps) {
              if (a.size < b.size) continue;
              const r = (await (
                await fetch(`${srv.url}/v1/proof/consistency?old=${b.size}&new=${a.size}`)
              ).json()) as { hashes: string[] };
              if (b.size === 0) continue;
              verifyConsistency({
                size1: b.size,
                size2: a.size,
                proof: r.hashes.map((h) => Buffer.from(h, 'base64')),
                root1: b.rootHash,
                root2: a.rootHash,
              });
            }
          }
          assert.equal(await stop(srv.child), 0, 'graceful shutdown on SIGTERM');
        } finally {
          for (const c of servers) await kill9(c);
          rmSync(dataDir, { recursive: true, force: true });
          await pgk?.cleanup();
        }
      },
    );
  });
}
