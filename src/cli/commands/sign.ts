/**
 * `customs sign <model>`: write an OMS v1.0 signature bundle (Sigstore bundle v0.3, DSSE,
 * in-toto statement, `https://model_signing/signature/v1.0`) compatible with the Python
 * `model_signing` tool's private-key method. Hashing streams over worker threads.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseBundle, signModel } from '../../provenance/index.js';
import type { ParsedBundle } from '../../provenance/index.js';
import { diag, out, printJson } from '../io.js';
import { intOption, privateKeyFrom, progressPrinter } from './provenance-shared.js';

interface Opts {
  key: string;
  passwordEnv?: string;
  signature: string;
  method: string;
  shardSize?: string;
  hash: string;
  ignorePaths?: string[];
  ignoreGitPaths: boolean;
  allowSymlinks?: boolean;
  merkle: boolean;
  incremental?: boolean;
  workers?: string;
  json?: boolean;
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Register `customs sign`. */
export function register(program: Command): void {
  program
    .command('sign')
    .description('sign a model directory or file into an OMS (OpenSSF Model Signing v1.0) bundle')
    .argument('<model>', 'model directory or single model file')
    .requiredOption('--key <pem>', 'ECDSA private key (PEM); make one with `customs keygen`')
    .option('--password-env <var>', 'environment variable holding the key password')
    .option('--signature <file>', 'where to write the bundle', 'model.sig')
    .option('--method <method>', 'files | shards', 'files')
    .option('--shard-size <bytes>', 'shard size for --method shards (default 1000000000)')
    .option('--hash <alg>', 'sha256 | blake2b', 'sha256')
    .option('--ignore-paths <paths...>', 'extra paths to exclude, relative to the model root')
    .option('--no-ignore-git-paths', 'do not exclude .git, .gitattributes, .github, .gitignore')
    .option('--allow-symlinks', 'follow symbolic links (OMS plans to deprecate this)')
    .option(
      '--no-merkle',
      'omit the Merkle root and sizes (payload byte-identical to model_signing)',
    )
    .option(
      '--incremental',
      'reuse digests of unchanged files from the previous --signature (same key)',
    )
    .option('--workers <n>', 'hashing worker threads (0 = in-process; default one per core)')
    .option('--json', 'print JSON')
    .action(async (model: string, o: Opts) => {
      if (o.method !== 'files' && o.method !== 'shards')
        throw new UsageError('USAGE', '--method must be files or shards');
      if (o.hash !== 'sha256' && o.hash !== 'blake2b')
        throw new UsageError('USAGE', '--hash must be sha256 or blake2b');
      const privateKey = privateKeyFrom(o.key, o.passwordEnv);
      const stampsPath = `${o.signature}.stamps.json`;
      let previous: { bundle: ParsedBundle; stamps: Map<string, string> } | undefined;
      if (o.incremental && existsSync(o.signature) && existsSync(stampsPath)) {
        try {
          const stamps = JSON.parse(readFileSync(stampsPath, 'utf8')) as Record<string, unknown>;
          const map = new Map(
            Object.entries(stamps).filter((e): e is [string, string] => typeof e[1] === 'string'),
          );
          previous = { bundle: parseBundle(readFileSync(o.signature), o.signature), stamps: map };
        } catch (e) {
          diag(
            `warning: ignoring the previous signature for incremental signing (${e instanceof Error ? e.message : String(e)})`,
          );
        }
      }
      const signed = await signModel({
        modelPath: model,
        privateKey,
        signaturePath: o.signature,
        ...(o.incremental ? { stampsPath } : {}),
        method: o.method,
        hashType: o.hash,
        ...(o.shardSize !== undefined
          ? { shardSize: intOption('--shard-size', o.shardSize, 1024, Number.MAX_SAFE_INTEGER) }
          : {}),
        ...(o.ignorePaths ? { ignorePaths: o.ignorePaths } : {}),
        ignoreGitPaths: o.ignoreGitPaths,
        allowSymlinks: o.allowSymlinks === true,
        merkle: o.merkle,
        ...(o.workers !== undefined ? { workers: intOption('--workers', o.workers, 0, 64) } : {}),
        ...(previous ? { previous } : {}),
        onProgress: progressPrinter('hashing'),
      });
      atomicWrite(o.signature, signed.bundleJson);
      if (o.incremental) atomicWrite(stampsPath, JSON.stringify(signed.stamps));
      const m = signed.manifest;
      for (const w of m.warnings) diag(`warning: ${w}`);
      const summary = {
        signature: o.signature,
        model: m.modelName,
        rootDigest: `sha256:${m.rootDigest}`,
        ...(o.merkle ? { merkleRoot: m.merkleRoot } : {}),
        resources: m.resources.length,
        method: m.serialization.method,
        bytesHashed: m.bytesHashed,
      };
      if (o.json) printJson(summary);
      else
        out(
          `signed ${m.modelName}: ${m.resources.length} resources, root sha256:${m.rootDigest}\nwrote ${o.signature}`,
        );
    });
}
