/**
 * Helpers shared by the provenance, log and registry commands (keygen, sign, verify, attest,
 * export, witness, serve, submit, lookup, receipt): reading key files and tokens, parsing
 * `key=value` option lists, progress lines on stderr.
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { ProvenanceError, loadPrivateKey, loadPublicKey } from '../../provenance/index.js';
import { diag } from '../io.js';

/** Largest file read by these helpers (keys, tokens, policies, small JSON inputs). */
export const MAX_SMALL_FILE_BYTES = 16 * 1024 * 1024;

/** Read a file, mapping errors to a typed NOT_FOUND naming it. */
export function readInput(path: string, what: string): Buffer {
  try {
    const b = readFileSync(path);
    if (b.length > MAX_SMALL_FILE_BYTES)
      throw new ProvenanceError('LIMIT_EXCEEDED', `${what} exceeds ${MAX_SMALL_FILE_BYTES} bytes`, {
        where: { file: path },
      });
    return b;
  } catch (e) {
    if (e instanceof ProvenanceError) throw e;
    throw new ProvenanceError('NOT_FOUND', `cannot read ${what}`, {
      where: { file: path },
      cause: e,
    });
  }
}

/** Load a private signing key; the password comes from an environment variable, never argv. */
export function privateKeyFrom(path: string, passwordEnv?: string): KeyObject {
  const password = passwordEnv !== undefined ? process.env[passwordEnv] : undefined;
  if (passwordEnv !== undefined && password === undefined)
    throw new UsageError('USAGE', `environment variable ${passwordEnv} is not set`);
  return loadPrivateKey(readInput(path, 'private key'), {
    file: path,
    ...(password !== undefined ? { password } : {}),
  });
}

/** Load public keys (PEM files; a private key PEM also yields its public half). */
export function publicKeysFrom(paths: readonly string[]): KeyObject[] {
  return paths.map((p) => {
    const b = readInput(p, 'public key');
    return loadPublicKey(b, { file: p });
  });
}

/** Collect repeated option values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parse `k=v,k2=v2` (values may not contain commas; use `--input` JSON for those). */
export function parseKv(spec: string, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0)
      throw new UsageError(
        'USAGE',
        `${option}: expected key=value pairs separated by commas, got ${JSON.stringify(part)}`,
      );
    const k = part.slice(0, i).trim();
    if (k in out) throw new UsageError('USAGE', `${option}: ${k} given twice`);
    out[k] = part.slice(i + 1).trim();
  }
  return out;
}

/** Writer token from a file or `CUSTOMS_WRITER_TOKEN`. */
export function writerToken(file?: string): string | undefined {
  if (file !== undefined) {
    const t = readInput(file, 'token file').toString('utf8').split('\n')[0]?.trim() ?? '';
    if (t === '') throw new UsageError('USAGE', `${file}: empty token file`);
    return t;
  }
  return process.env['CUSTOMS_WRITER_TOKEN'];
}

/** A throttled progress printer for byte counts (stderr, only when it is a terminal). */
export function progressPrinter(label: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (!process.stderr.isTTY || (now - last < 500 && done < total)) return;
    last = now;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    diag(
      `${label}: ${pct}% (${(done / 2 ** 20).toFixed(0)} / ${(total / 2 ** 20).toFixed(0)} MiB)`,
    );
  };
}

/** Parse a positive integer option. */
export function intOption(name: string, v: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(v))
    throw new UsageError('USAGE', `${name}: expected an integer, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError('USAGE', `${name}: expected an integer in [${min}, ${max}], got ${v}`);
  return n;
}
