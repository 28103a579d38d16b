/**
 * `customs receipt <statement>`: fetch an offline receipt (c2sp.org/tlog-proof with the log
 * entry, inclusion proof and the newest cosigned checkpoint) for a statement from a registry,
 * optionally verifying it at once against a tlog-policy.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { bundleDigest, isObject, parseJson } from '../../provenance/index.js';
import { RegistryClient, verifyReceipt } from '../../server/index.js';
import { EXIT, out, printJson } from '../io.js';
import { readInput } from './provenance-shared.js';

/** Register `customs receipt`. */
export function register(program: Command): void {
  program
    .command('receipt')
    .description('fetch an offline receipt for a logged statement')
    .argument('<statement>', 'statement digest (sha256:<hex>) or the statement bundle file')
    .requiredOption('--server <url>', 'registry URL')
    .option('-o, --out <file>', 'write the receipt here (default: stdout)')
    .option('--no-cosigned', 'use the latest log checkpoint even if witnesses have not cosigned it')
    .option('--policy <file>', 'verify the receipt against this tlog-policy before writing it')
    .option('--json', 'print JSON')
    .action(
      async (
        statement: string,
        o: { server: string; out?: string; cosigned: boolean; policy?: string; json?: boolean },
      ) => {
        let digest: string;
        let bundle: Buffer | undefined;
        if (/^(sha256:)?[0-9a-f]{64}$/.test(statement)) digest = statement.replace(/^sha256:/, '');
        else if (existsSync(statement)) {
          bundle = readInput(statement, 'statement bundle');
          const v = parseJson(bundle, { file: statement });
          if (!isObject(v)) throw new UsageError('USAGE', `${statement}: not a bundle`);
          digest = bundleDigest(v);
        } else throw new UsageError('USAGE', `${statement}: not a digest and no such file`);
        const receipt = await new RegistryClient(o.server).receipt(digest, o.cosigned);
        if (o.policy !== undefined) {
          const v = verifyReceipt({
            receipt,
            policy: readInput(o.policy, 'policy').toString('utf8'),
            ...(bundle ? { bundle } : {}),
          });
          if (!v.ok) {
            if (o.json) printJson(v);
            else out(`receipt does not verify: ${v.error?.code ?? ''} ${v.error?.message ?? ''}`);
            process.exitCode = EXIT.FINDING;
            return;
          }
        }
        if (o.out !== undefined) {
          writeFileSync(o.out, receipt);
          if (o.json) printJson({ statementDigest: digest, receipt: o.out });
          else out(`wrote ${o.out}`);
        } else process.stdout.write(receipt);
      },
    );
}
