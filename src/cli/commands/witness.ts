/**
 * `customs witness`: run a transparency-log witness another party operates
 * (c2sp.org/tlog-witness): cosigns checkpoints of the logs it follows after checking consistency
 * with what it cosigned before, refuses split views and keeps the evidence (`--show-evidence`).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { Witness, parseNoteSigningKey, parseVKey } from '../../tlog/index.js';
import { startWitness } from '../../server/index.js';
import { out, printJson } from '../io.js';
import { collect, intOption, readInput } from './provenance-shared.js';

interface Opts {
  name?: string;
  log: string[];
  dataDir: string;
  key?: string;
  host: string;
  port: string;
  showEvidence?: boolean;
  quiet?: boolean;
}

/** Register `customs witness`. */
export function register(program: Command): void {
  program
    .command('witness')
    .description(
      'run a witness that cosigns log checkpoints (tlog-witness add-checkpoint) and records split views',
    )
    .option('--name <name>', 'witness key name, e.g. witness.example/w1 (default: from --key)')
    .option(
      '--log <vkey>',
      'verifier key of a log to follow; its key name is the log origin (repeatable)',
      collect,
      [],
    )
    .option('--data-dir <dir>', 'witness key and state', 'customs-witness')
    .option(
      '--key <file>',
      'witness key (PRIVATE+KEY… type 0x04; default <data-dir>/witness.key, created)',
    )
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'listen port (0 = any)', '8081')
    .option('--show-evidence', 'print recorded evidence of log misbehaviour and exit')
    .option('--quiet', 'no request logs')
    .action(async (o: Opts) => {
      const keyPath = o.key ?? join(o.dataDir, 'witness.key');
      const name =
        o.name ??
        (o.key !== undefined
          ? parseNoteSigningKey(readInput(o.key, 'witness key').toString('utf8')).name
          : undefined);
      if (name === undefined)
        throw new UsageError('USAGE', '--name is required (or --key with an existing key)');
      const byOrigin = new Map<string, string[]>();
      for (const v of o.log) {
        const k = parseVKey(v);
        byOrigin.set(k.name, [...(byOrigin.get(k.name) ?? []), k.text]);
      }
      const logs = [...byOrigin].map(([origin, vkeys]) => ({ origin, vkeys }));
      if (o.showEvidence) {
        const key = parseNoteSigningKey(readInput(keyPath, 'witness key').toString('utf8'));
        const w = new Witness({
          name,
          privateKey: key.privateKey,
          logs,
          dbPath: join(o.dataDir, 'witness.db'),
        });
        printJson({ evidence: w.evidence(1000) });
        w.close();
        return;
      }
      if (logs.length === 0) throw new UsageError('USAGE', 'at least one --log <vkey> is required');
      const svc = await startWitness({
        dataDir: o.dataDir,
        name,
        logs,
        keyPath,
        host: o.host,
        port: intOption('--port', o.port, 0, 65535),
        ...(o.quiet ? { logger: () => undefined } : {}),
      });
      out(JSON.stringify({ url: svc.url, name, vkey: svc.vkey }));
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
