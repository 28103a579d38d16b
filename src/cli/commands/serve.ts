/**
 * `customs serve`: run the registry — transparency log (SQLite by default, PostgreSQL with
 * `--db postgres://…`), tlog-tiles read path, statement submission from enrolled keys, lookups,
 * lineage, receipts, optional witness cosigning. Prints one JSON line `{"url", "origin", "vkey"}`
 * on stdout when listening; structured request logs go to stderr. SIGINT/SIGTERM drain and stop.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseNoteSigningKey } from '../../tlog/index.js';
import type { WitnessEndpoint } from '../../tlog/index.js';
import { startRegistry } from '../../server/index.js';
import { diag, out } from '../io.js';
import { collect, intOption, readInput } from './provenance-shared.js';

interface Opts {
  dataDir: string;
  origin?: string;
  db?: string;
  host: string;
  port: string;
  logKey?: string;
  writerTokenFile?: string;
  witness: string[];
  cosignInterval: string;
  writeRate: string;
  readRate: string;
  maxBody?: string;
  batch?: string;
  batchDelay?: string;
  trustProxy?: boolean;
  verifyWorkers?: string;
  quiet?: boolean;
}

/** Register `customs serve`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'run the provenance registry (transparency log, tiles, submissions, lookups, receipts)',
    )
    .option('--data-dir <dir>', 'keys, tokens and the SQLite log live here', 'customs-registry')
    .option(
      '--origin <origin>',
      'log origin / key name, e.g. registry.example/log (default: from the existing log key, else localhost/customs)',
    )
    .option(
      '--db <location>',
      'sqlite:<path> (default <data-dir>/log.db) or postgres://user@host/db[?schema=s]',
    )
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'listen port (0 = any free port)', '8080')
    .option(
      '--log-key <file>',
      'log signing key (PRIVATE+KEY… note key; default <data-dir>/log.key, created)',
    )
    .option(
      '--writer-token-file <file>',
      'writer tokens for enrolment, one per line (default <data-dir>/writer.token, created)',
    )
    .option(
      '--witness <url=vkey>',
      'ask this witness to cosign checkpoints (repeatable)',
      collect,
      [],
    )
    .option('--cosign-interval <ms>', 'how often to ask witnesses when the tree grew', '1000')
    .option('--write-rate <n>', 'submissions per second per client', '200')
    .option('--read-rate <n>', 'reads per second per client', '2000')
    .option('--max-body <bytes>', 'largest statement accepted')
    .option('--batch <n>', 'entries per log batch')
    .option('--batch-delay <ms>', 'longest wait for a batch to fill')
    .option('--trust-proxy', 'take client addresses from X-Forwarded-For (behind a reverse proxy)')
    .option(
      '--verify-workers <n>',
      'worker threads verifying submissions (default: one per core; 0 = main thread)',
    )
    .option('--quiet', 'no request logs')
    .action(async (o: Opts) => {
      const keyPath = o.logKey ?? join(o.dataDir, 'log.key');
      let origin = o.origin;
      if (origin === undefined)
        origin = existsSync(keyPath)
          ? parseNoteSigningKey(readFileSync(keyPath, 'utf8')).name
          : 'localhost/customs';
      const witnesses: WitnessEndpoint[] = o.witness.map((w) => {
        const i = w.indexOf('=');
        if (i <= 0) throw new UsageError('USAGE', `--witness expects <url>=<vkey>, got ${w}`);
        return { url: w.slice(0, i), vkey: w.slice(i + 1) };
      });
      const tokens =
        o.writerTokenFile !== undefined
          ? readInput(o.writerTokenFile, 'writer token file')
              .toString('utf8')
              .split('\n')
              .map((t) => t.trim())
              .filter((t) => t !== '')
          : (process.env['CUSTOMS_WRITER_TOKENS'] ?? '')
              .split(',')
              .map((t) => t.trim())
              .filter((t) => t !== '');
      const rate = (name: string, v: string): { perSecond: number; burst: number } => {
        const n = intOption(name, v, 1, 10_000_000);
        return { perSecond: n, burst: n * 2 };
      };
      const svc = await startRegistry({
        dataDir: o.dataDir,
        origin,
        ...(o.db !== undefined ? { db: o.db } : {}),
        logKeyPath: keyPath,
        writerTokens: tokens,
        host: o.host,
        port: intOption('--port', o.port, 0, 65535),
        witnesses,
        cosignIntervalMs: intOption('--cosign-interval', o.cosignInterval, 50, 3_600_000),
        writeRate: rate('--write-rate', o.writeRate),
        readRate: rate('--read-rate', o.readRate),
        ...(o.maxBody !== undefined
          ? { maxBodyBytes: intOption('--max-body', o.maxBody, 1024, 64 * 1024 * 1024) }
          : {}),
        ...(o.batch !== undefined ? { maxBatch: intOption('--batch', o.batch, 1, 100_000) } : {}),
        ...(o.batchDelay !== undefined
          ? { maxDelayMs: intOption('--batch-delay', o.batchDelay, 0, 10_000) }
          : {}),
        trustProxy: o.trustProxy === true,
        ...(o.verifyWorkers !== undefined
          ? { verifyWorkers: intOption('--verify-workers', o.verifyWorkers, 0, 64) }
          : {}),
        ...(o.quiet ? { logger: () => undefined } : {}),
      });
      out(
        JSON.stringify({
          url: svc.url,
          origin,
          vkey: svc.vkey,
          ...(svc.tokenFile !== undefined ? { writerTokenFile: svc.tokenFile } : {}),
        }),
      );
      if (svc.tokenFile !== undefined) diag(`writer token for enrolment: ${svc.tokenFile}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void svc.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
