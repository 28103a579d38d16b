/**
 * `customs submit <bundle...> --server URL`: log signed statements in a registry. Prints the
 * log index and statement digest of each; `--receipts <dir>` saves an offline receipt per
 * statement. A statement already logged is reported as such (exit 0). Exit 1 if the registry
 * refuses a signature or key, 2 for malformed input or an unreachable server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { RegistryClient } from '../../server/index.js';
import type { SubmitResult } from '../../server/index.js';
import { out, printJson, table } from '../io.js';
import { readInput } from './provenance-shared.js';

/** Register `customs submit`. */
export function register(program: Command): void {
  program
    .command('submit')
    .description('submit signed statements (OMS, lineage, data, eval bundles) to a registry')
    .argument('<bundles...>', 'statement bundle files')
    .requiredOption('--server <url>', 'registry URL')
    .option('--receipts <dir>', 'save an offline receipt per statement here')
    .option('--json', 'print JSON')
    .action(async (bundles: string[], o: { server: string; receipts?: string; json?: boolean }) => {
      const client = new RegistryClient(o.server);
      const results: (SubmitResult & { file: string; receipt?: string })[] = [];
      for (const file of bundles) {
        const r = await client.submit(readInput(file, 'bundle'));
        let receipt: string | undefined;
        if (o.receipts !== undefined) {
          mkdirSync(o.receipts, { recursive: true });
          receipt = join(o.receipts, `${r.statementDigest}.tlog-proof`);
          writeFileSync(receipt, await client.receipt(r.statementDigest));
        }
        results.push({ ...r, file, ...(receipt !== undefined ? { receipt } : {}) });
      }
      if (o.json) printJson({ results });
      else
        out(
          table(
            results.map((r) => [
              r.file,
              String(r.index),
              r.duplicate ? 'already logged' : 'logged',
              r.statementDigest,
            ]),
            ['bundle', 'index', 'status', 'statement digest'],
          ),
        );
    });
}
