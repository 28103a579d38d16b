/**
 * Registry clients over real listeners (in-process services): a witness and a registry that asks
 * it to cosign, then `customs keygen --enroll`, `sign`, `attest`, `submit --receipts`, `lookup
 * --lineage --log-vkey` and `receipt --policy` through the CLI entry point, and an offline
 * `customs verify <receipt> --policy` with a 1-of-1 witness quorum.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { startRegistry, startWitness } from '../../src/server/index.js';
import { SIG_TYPE_COSIGNATURE_V1, generateNoteKey, simplePolicy } from '../../src/tlog/index.js';
import { createHash } from 'node:crypto';

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  process.stdout.write = (s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  };
  process.stderr.write = (s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  };
  process.exitCode = undefined;
  try {
    return { code: await runCli(args), stdout, stderr };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = undefined;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('registry + witness over HTTP, driven by the CLI', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-svc-'));
  const origin = 'cli.test/log';
  const P = (f: string): string => join(dir, f);
  // The witness needs the log's vkey: start the registry first without witnesses to create the key.
  const boot = await startRegistry({
    dataDir: join(dir, 'reg'),
    origin,
    port: 0,
    logger: () => undefined,
  });
  const logVKey = boot.vkey;
  await boot.close();
  const witness = await startWitness({
    dataDir: join(dir, 'wit'),
    name: 'w.cli.test',
    logs: [{ origin, vkeys: [logVKey] }],
    port: 0,
    logger: () => undefined,
  });
  const reg = await startRegistry({
    dataDir: join(dir, 'reg'),
    origin,
    port: 0,
    witnesses: [{ url: witness.url, vkey: witness.vkey }],
    cosignIntervalMs: 50,
    logger: () => undefined,
  });
  try {
    const token = readFileSync(join(dir, 'reg', 'writer.token'), 'utf8').trim();
    assert.equal(
      (
        await run(['keygen', '-o', P('alice'), '--enroll', reg.url, '--name', 'alice'], {
          CUSTOMS_WRITER_TOKEN: token,
        })
      ).code,
      0,
    );
    assert.equal(
      (
        await run(['keygen', '-o', P('mallory'), '--enroll', reg.url], {
          CUSTOMS_WRITER_TOKEN: 'wrong',
        })
      ).code,
      1,
      'bad writer token',
    );
    mkdirSync(P('base'));
    writeFileSync(P('base/w.bin'), 'base weights');
    mkdirSync(P('child'));
    writeFileSync(P('child/w.bin'), 'child weights');
    assert.equal(
      (
        await run([
          'sign',
          P('base'),
          '--key',
          P('alice.pem'),
          '--signature',
          P('base.sig'),
          '--workers',
          '0',
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await run([
          'sign',
          P('child'),
          '--key',
          P('alice.pem'),
          '--signature',
          P('child.sig'),
          '--workers',
          '0',
        ])
      ).code,
      0,
    );
    const base = JSON.parse(
      (await run(['lookup', P('base.sig'), '--server', reg.url, '--json'])).stdout,
    ) as { results: unknown[] };
    assert.deepEqual(base.results, []);
    const baseDigest = (
      JSON.parse(
        Buffer.from(
          (JSON.parse(readFileSync(P('base.sig'), 'utf8')) as { dsseEnvelope: { payload: string } })
            .dsseEnvelope.payload,
          'base64',
        ).toString(),
      ) as { subject: { digest: { sha256: string } }[] }
    ).subject[0]?.digest.sha256;
    assert.equal(
      (
        await run([
          'attest',
          'lineage',
          '--subject',
          P('child.sig'),
          '--base',
          `digest=sha256:${baseDigest ?? ''},name=base,relation=quantized`,
          '--key',
          P('alice.pem'),
          '-o',
          P('lin.json'),
        ])
      ).code,
      0,
    );
    const sub = await run([
      'submit',
      P('base.sig'),
      P('child.sig'),
      P('lin.json'),
      '--server',
      reg.url,
      '--receipts',
      P('receipts'),
      '--json',
    ]);
    assert.equal(sub.code, 0, sub.stderr);
    assert.equal(readdirSync(P('receipts')).length, 3);
    // A statement signed by a key that was never enrolled is refused (exit 1).
    assert.equal((await run(['keygen', '-o', P('eve')])).code, 0);
    assert.equal(
      (
        await run([
          'attest',
          'data',
          '--subject',
          P('child.sig'),
          '--dataset',
          'name=x',
          '--key',
          P('eve.pem'),
          '-o',
          P('eve.json'),
        ])
      ).code,
      0,
    );
    assert.equal(
      (await run(['submit', P('eve.json'), '--server', reg.url])).code,
      1,
      'statements from unknown keys are refused',
    );
    const lin = await run([
      'lookup',
      P('child.sig'),
      '--server',
      reg.url,
      '--lineage',
      'ancestors',
      '--log-vkey',
      logVKey,
    ]);
    assert.equal(lin.code, 0, lin.stderr);
    assert.match(lin.stdout, /quantized/);
    assert.match(lin.stdout, /every edge proven/);
    // Wait for the witness to cosign the current tree, then fetch a cosigned receipt.
    const size = reg.registry.log.current.size;
    for (let i = 0; i < 200; i++) {
      const c = await reg.registry.log.store.latestCosignedCheckpoint();
      if (c && c.size === size) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    writeFileSync(
      P('policy.txt'),
      simplePolicy({ logVKeys: [logVKey], witnessVKeys: [witness.vkey], threshold: 1 }),
    );
    const rc = await run([
      'receipt',
      P('lin.json'),
      '--server',
      reg.url,
      '--policy',
      P('policy.txt'),
      '-o',
      P('lin.tlog-proof'),
    ]);
    assert.equal(rc.code, 0, rc.stdout + rc.stderr);
    const v = await run([
      'verify',
      P('lin.tlog-proof'),
      '--policy',
      P('policy.txt'),
      '--statement',
      P('lin.json'),
      '--key',
      P('alice.pub'),
      '--json',
    ]);
    assert.equal(v.code, 0, v.stdout);
    const verdict = JSON.parse(v.stdout) as {
      witnesses: string[];
      quorumMet: boolean;
      statementChecked: boolean;
    };
    assert.deepEqual(verdict.witnesses, ['w0']);
    assert.equal(verdict.statementChecked, true);
    // Policy that requires a witness nobody has: quorum not met → exit 1.
    writeFileSync(
      P('strict.txt'),
      simplePolicy({
        logVKeys: [logVKey],
        witnessVKeys: [witness.vkey, generateNoteKey('other.w', SIG_TYPE_COSIGNATURE_V1).vkey],
        threshold: 2,
      }),
    );
    assert.equal((await run(['verify', P('lin.tlog-proof'), '--policy', P('strict.txt')])).code, 1);
    // The witness serves what it cosigned.
    const originHash = createHash('sha256').update(origin).digest('hex');
    const wcp = await fetch(`${witness.url}/${originHash}/checkpoint`);
    assert.equal(wcp.status, 200);
    assert.match(await wcp.text(), /— w\.cli\.test /);
  } finally {
    await reg.close();
    await witness.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
