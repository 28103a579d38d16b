/**
 * The provenance commands through the CLI entry point (in-process): keygen, sign, verify (model,
 * statement, receipt-needs-policy), attest and export — exit codes 0 / 1 / 2 and JSON output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdtempSync,
  mkdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
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
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = undefined;
  }
}

test('keygen → sign → verify → tamper → attest → export, with exit codes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-cli-'));
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    mkdirSync('model');
    writeFileSync('model/weights.bin', Buffer.alloc(4096, 7));
    writeFileSync('model/config.json', '{"a":1}');
    assert.equal((await run(['keygen', '-o', 'k'])).code, 0);
    assert.equal((await run(['keygen', '-o', 'k'])).code, 2, 'refuses to overwrite');
    const s = await run([
      'sign',
      'model',
      '--key',
      'k.pem',
      '--signature',
      'model.sig',
      '--workers',
      '0',
      '--json',
    ]);
    assert.equal(s.code, 0, s.stderr);
    const signed = JSON.parse(s.stdout) as { rootDigest: string; resources: number };
    assert.equal(signed.resources, 2);
    const ok = await run([
      'verify',
      'model',
      '--signature',
      'model.sig',
      '--key',
      'k.pub',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { ok: boolean }).ok, true);
    appendFileSync('model/config.json', ' ');
    const bad = await run(['verify', 'model', '--signature', 'model.sig', '--key', 'k.pub']);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /DIGEST_MISMATCH config\.json/);
    const part = await run([
      'verify',
      'model',
      '--signature',
      'model.sig',
      '--key',
      'k.pub',
      '--only',
      'weights.bin',
    ]);
    assert.equal(part.code, 0, 'partial verification of an intact file');
    // Input errors exit 2.
    assert.equal((await run(['verify', 'nope', '--key', 'k.pub'])).code, 2);
    assert.equal(
      (await run(['verify', 'model', '--signature', 'model.sig', '--key', 'model/config.json']))
        .code,
      2,
    );
    writeFileSync('garbage.sig', '{"mediaType": 1}');
    assert.equal(
      (await run(['verify', 'model', '--signature', 'garbage.sig', '--key', 'k.pub'])).code,
      2,
    );
    assert.equal((await run(['sign', 'model', '--key', 'k.pem', '--method', 'bogus'])).code, 2);
    // Statements.
    const digest = signed.rootDigest;
    const a = await run([
      'attest',
      'lineage',
      '--subject',
      'model.sig',
      '--base',
      `digest=${'b'.repeat(64)},name=org/base,relation=adapter`,
      '--key',
      'k.pem',
      '-o',
      'lin.json',
      '--json',
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(
      (
        await run([
          'attest',
          'lineage',
          '--subject',
          'model.sig',
          '--base',
          'digest=xyz,name=a,relation=adapter',
          '--key',
          'k.pem',
        ])
      ).code,
      2,
    );
    assert.equal(
      (
        await run([
          'attest',
          'data',
          '--subject',
          digest,
          '--name',
          'mine',
          '--dataset',
          'name=corpus,basis=consent,license=cc0',
          '--key',
          'k.pem',
          '-o',
          'data.json',
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await run([
          'attest',
          'data',
          '--subject',
          `sha256:${'c'.repeat(64)}`,
          '--name',
          'other',
          '--dataset',
          'name=x',
          '--key',
          'k.pem',
          '-o',
          'other.json',
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await run([
          'attest',
          'data',
          '--subject',
          digest,
          '--name',
          'mine',
          '--dataset',
          'name=x,basis=scraped',
          '--key',
          'k.pem',
        ])
      ).code,
      2,
    );
    const ev = await run([
      'attest',
      'eval',
      '--subject',
      'model.sig',
      '--evaluator',
      'https://eval.example',
      '--result',
      'PASSED',
      '--metric',
      'name=acc,value=0.5,task=t,dataset=d',
      '--key',
      'k.pem',
      '-o',
      'ev.json',
    ]);
    assert.equal(ev.code, 0, ev.stderr);
    const vs = await run(['verify', 'lin.json', '--key', 'k.pub', '--json']);
    assert.equal(vs.code, 0, vs.stdout);
    assert.equal(
      (JSON.parse(vs.stdout) as { predicateType: string }).predicateType,
      'https://slsa.dev/provenance/v1',
    );
    await run(['keygen', '-o', 'other']);
    assert.equal((await run(['verify', 'lin.json', '--key', 'other.pub'])).code, 1);
    const hf = await run(['export', 'lin.json', 'ev.json', '--format', 'hf', '--key', 'k.pub']);
    assert.equal(hf.code, 0, hf.stderr);
    assert.match(hf.stdout, /base_model: "org\/base"\nbase_model_relation: adapter/);
    const spdx = await run([
      'export',
      'lin.json',
      '--format',
      'spdx',
      '--key',
      'k.pub',
      '-o',
      'sbom.json',
    ]);
    assert.equal(spdx.code, 0);
    assert.equal(
      (JSON.parse(readFileSync('sbom.json', 'utf8')) as Record<string, unknown>)['@context'],
      'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
    );
    assert.equal(
      (await run(['export', 'lin.json', '--format', 'cyclonedx', '--key', 'other.pub'])).code,
      1,
      'unverifiable statements are not exported',
    );
    const both = await run([
      'export',
      'lin.json',
      'data.json',
      '--format',
      'cyclonedx',
      '--key',
      'k.pub',
    ]);
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /"name": "corpus"/);
    assert.equal(
      (await run(['export', 'lin.json', 'other.json', '--format', 'hf', '--key', 'k.pub'])).code,
      2,
      'statements about two models',
    );
    // A receipt needs a policy.
    writeFileSync('r.tlog-proof', 'c2sp.org/tlog-proof@v1\nindex 0\n\nx\n');
    assert.equal((await run(['verify', 'r.tlog-proof'])).code, 2);
    writeFileSync('policy.txt', 'quorum none\n');
    assert.equal((await run(['verify', 'r.tlog-proof', '--policy', 'policy.txt'])).code, 2);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
