/**
 * Running the registry and the witness as network services: open the store and keys, start the
 * node HTTP listener, cosigning rounds, graceful shutdown. Data directory layout (created on first
 * start, private files mode 0600): `log.db` (SQLite, unless `--db` points elsewhere), `log.key`
 * (note signing key), `log.vkey`, `writer.token` (when no token is configured).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import {
  Cosigner,
  TransparencyLog,
  Witness,
  generateNoteKey,
  openStore,
  parseNoteSigningKey,
  SIG_TYPE_COSIGNATURE_V1,
  LogError,
} from '../tlog/index.js';
import type { NoteKeyPair, WitnessEndpoint } from '../tlog/index.js';
import { Registry } from './registry.js';
import { createRegistryApp } from './app.js';
import type { LogRecord } from './app.js';
import type { Rate } from './rate-limit.js';
import { createWitnessApp } from './witness-app.js';

/** A running service. */
export interface RunningService {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/** Load a note signing key file, or create one named `name` (type 0x01 log, 0x04 witness). */
export function loadOrCreateNoteKey(
  path: string,
  name: string,
  type: number,
): NoteKeyPair & { created: boolean } {
  if (existsSync(path)) {
    const k = parseNoteSigningKey(readFileSync(path, 'utf8'));
    if (k.name !== name)
      throw new LogError(
        'BAD_KEY',
        `${path} holds a key for ${JSON.stringify(k.name)}, not ${JSON.stringify(name)}`,
      );
    if (k.type !== type)
      throw new LogError(
        'BAD_KEY',
        `${path} holds a key of type 0x${k.type.toString(16)}, expected 0x${type.toString(16)}`,
      );
    return { ...k, created: false };
  }
  const k = generateNoteKey(name, type);
  writePrivate(path, `${k.skey}\n`);
  writeFileSync(`${path.replace(/\.key$/, '')}.vkey`, `${k.vkey}\n`);
  return { ...k, created: true };
}

/** Options for {@link startRegistry}. */
export interface StartRegistryOptions {
  readonly dataDir: string;
  readonly origin: string;
  /** Store location (`sqlite:<path>`, a path, or `postgres://…`); default `<dataDir>/log.db`. */
  readonly db?: string;
  /** Log key file (default `<dataDir>/log.key`, created if missing). */
  readonly logKeyPath?: string;
  readonly writerTokens?: readonly string[];
  readonly host?: string;
  readonly port?: number;
  readonly witnesses?: readonly WitnessEndpoint[];
  readonly cosignIntervalMs?: number;
  readonly writeRate?: Rate;
  readonly readRate?: Rate;
  readonly maxBodyBytes?: number;
  readonly maxBatch?: number;
  readonly maxDelayMs?: number;
  readonly trustProxy?: boolean;
  /** Worker threads verifying submissions (default: one per core; 0 = main thread). */
  readonly verifyWorkers?: number;
  readonly logger?: (r: LogRecord) => void;
}

/** Start the registry: store, log, cosigner, HTTP listener. */
export async function startRegistry(o: StartRegistryOptions): Promise<
  RunningService & {
    readonly vkey: string;
    readonly tokenFile?: string;
    readonly registry: Registry;
  }
> {
  mkdirSync(o.dataDir, { recursive: true });
  const key = loadOrCreateNoteKey(o.logKeyPath ?? join(o.dataDir, 'log.key'), o.origin, 0x01);
  let tokens = [...(o.writerTokens ?? [])];
  let tokenFile: string | undefined;
  if (tokens.length === 0) {
    tokenFile = join(o.dataDir, 'writer.token');
    if (!existsSync(tokenFile))
      writePrivate(tokenFile, `${randomBytes(24).toString('base64url')}\n`);
    tokens = readFileSync(tokenFile, 'utf8')
      .split('\n')
      .map((t) => t.trim())
      .filter((t) => t !== '');
  }
  const store = await openStore(o.db ?? `sqlite:${join(o.dataDir, 'log.db')}`, {
    sqliteWriterThread: true,
  });
  const log = await TransparencyLog.open({
    store,
    origin: o.origin,
    signer: key.signer,
    ...(o.maxBatch !== undefined ? { maxBatch: o.maxBatch } : {}),
    ...(o.maxDelayMs !== undefined ? { maxDelayMs: o.maxDelayMs } : {}),
  });
  const registry = new Registry(log, {
    verifyWorkers: o.verifyWorkers ?? Math.max(1, cpus().length),
  });
  const clientAddress = (raw: unknown): string => {
    const c = raw as Context;
    if (o.trustProxy) {
      const xf = c.req.header('x-forwarded-for');
      if (xf) return xf.split(',')[0]?.trim() ?? 'unknown';
    }
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const app = createRegistryApp({
    registry,
    logVKey: key.vkey,
    writerTokens: tokens,
    clientAddress,
    ...(o.writeRate ? { writeRate: o.writeRate } : {}),
    ...(o.readRate ? { readRate: o.readRate } : {}),
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });
  let cosigner: Cosigner | undefined;
  if (o.witnesses && o.witnesses.length > 0) {
    cosigner = new Cosigner({ log, witnesses: o.witnesses });
    cosigner.start(o.cosignIntervalMs ?? 1000);
  }
  const server = serve({ fetch: app.fetch, port: o.port ?? 8080, hostname: o.host ?? '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    vkey: key.vkey,
    registry,
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    close: async () => {
      if (closed) return;
      closed = true;
      cosigner?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close();
      await registry.close();
    },
  };
}

/** Options for {@link startWitness}. */
export interface StartWitnessOptions {
  readonly dataDir: string;
  readonly name: string;
  /** Logs to follow: origin → vkeys. */
  readonly logs: readonly { readonly origin: string; readonly vkeys: readonly string[] }[];
  readonly keyPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly logger?: (r: LogRecord) => void;
}

/** Start a witness service. */
export async function startWitness(
  o: StartWitnessOptions,
): Promise<RunningService & { readonly vkey: string; readonly witness: Witness }> {
  mkdirSync(o.dataDir, { recursive: true });
  const key = loadOrCreateNoteKey(
    o.keyPath ?? join(o.dataDir, 'witness.key'),
    o.name,
    SIG_TYPE_COSIGNATURE_V1,
  );
  const witness = new Witness({
    name: o.name,
    privateKey: key.privateKey,
    logs: o.logs,
    dbPath: join(o.dataDir, 'witness.db'),
  });
  const app = createWitnessApp(witness, o.logger);
  const server = serve({ fetch: app.fetch, port: o.port ?? 8081, hostname: o.host ?? '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    vkey: witness.vkey,
    witness,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      witness.close();
    },
  };
}
