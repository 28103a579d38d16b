/** `customs wm-keygen`: create a watermark key file (32 random bytes, JSON, mode 0600). */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { generateKey, keyToJson } from '../../watermark/index.js';
import { out, printJson } from '../io.js';

/** Register `customs wm-keygen`. */
export function register(program: Command): void {
  program
    .command('wm-keygen')
    .description(
      'create a watermark key file (keep it secret; publish its id to timestamp the key)',
    )
    .requiredOption('-o, --out <file>', 'key file to write')
    .option('--label <text>', 'a label stored in the file')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'print JSON')
    .action((o: { out: string; label?: string; force?: boolean; json?: boolean }) => {
      if (existsSync(o.out) && !o.force)
        throw new UsageError('USAGE', `${o.out} exists (use --force to overwrite)`);
      const key = generateKey(o.label ?? null);
      writeFileSync(o.out, `${JSON.stringify(keyToJson(key), null, 2)}\n`, { mode: 0o600 });
      chmodSync(o.out, 0o600);
      if (o.json) printJson({ keyId: key.id, file: o.out });
      else
        out(
          `watermark key ${key.id} written to ${o.out} (keep it secret; the id can be published)`,
        );
    });
}
