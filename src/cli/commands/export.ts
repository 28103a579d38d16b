/**
 * `customs export`: render a model's signed statements as Hugging Face model-card YAML
 * (`base_model`, `base_model_relation`, `datasets`), HF `.eval_results` YAML, SPDX 3.0.1 JSON-LD
 * (AI + Dataset profiles) or a CycloneDX 1.6 ML-BOM. Statement signatures are verified first
 * (`--key`, or fetched statements from a registry whose log vouches for them).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import {
  parseBundle,
  parseStatement,
  provenanceView,
  toCycloneDx,
  toHuggingFaceCard,
  toHuggingFaceEvalResults,
  toSpdx,
  verifyStatementBundle,
} from '../../provenance/index.js';
import type { Statement } from '../../provenance/index.js';
import { RegistryClient, normaliseDigest } from '../../server/index.js';
import { diag, out } from '../io.js';
import { collect, publicKeysFrom, readInput } from './provenance-shared.js';

interface Opts {
  format: string;
  key: string[];
  unverified?: boolean;
  subject?: string;
  server?: string;
  supplier?: string;
  out?: string;
}

/** Register `customs export`. */
export function register(program: Command): void {
  program
    .command('export')
    .description('export signed statements to Hugging Face YAML, SPDX 3.0.1 or CycloneDX 1.6')
    .argument(
      '[bundles...]',
      'statement bundles (OMS, lineage, training data, evaluation) about one model',
    )
    .requiredOption('--format <f>', 'hf | hf-eval | spdx | cyclonedx')
    .option(
      '--key <pem>',
      'trusted signer public key (repeatable); bundles must verify',
      collect,
      [],
    )
    .option('--unverified', 'skip signature checks (the output says so)')
    .option('--subject <digest>', "model digest (default: the first statement's subject)")
    .option('--server <url>', 'fetch every statement about --subject from this registry')
    .option('--supplier <name>', 'organisation credited as supplier/creator (SPDX, CycloneDX)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (bundles: string[], o: Opts) => {
      if (!['hf', 'hf-eval', 'spdx', 'cyclonedx'].includes(o.format))
        throw new UsageError('USAGE', '--format must be hf, hf-eval, spdx or cyclonedx');
      const statements: Statement[] = [];
      const keys = publicKeysFrom(o.key);
      if (o.server !== undefined) {
        if (o.subject === undefined)
          throw new UsageError('USAGE', '--server needs --subject <digest>');
        const client = new RegistryClient(o.server);
        // The registry only logs statements whose signature verified against an enrolled key.
        for (const s of await client.lookup({ digest: normaliseDigest(o.subject), limit: 1000 })) {
          const b = parseBundle(await client.statement(s.statementDigest), s.statementDigest);
          statements.push(
            keys.length > 0
              ? verifyStatementBundle(b, { publicKeys: keys }, s.statementDigest).statement
              : parseStatement(b.envelope.payload),
          );
        }
      }
      for (const path of bundles) {
        const b = parseBundle(readInput(path, 'bundle'), path);
        if (o.unverified) statements.push(parseStatement(b.envelope.payload, path));
        else {
          if (keys.length === 0)
            throw new UsageError(
              'USAGE',
              'pass --key <signer.pub> to verify the bundles (or --unverified)',
            );
          statements.push(verifyStatementBundle(b, { publicKeys: keys }, path).statement);
        }
      }
      if (statements.length === 0) throw new UsageError('USAGE', 'no statements given');
      if (o.unverified) diag('warning: statements were NOT verified');
      const view = provenanceView(
        statements,
        o.subject !== undefined ? normaliseDigest(o.subject) : undefined,
      );
      const opts = o.supplier !== undefined ? { supplier: o.supplier } : {};
      const text =
        o.format === 'hf'
          ? toHuggingFaceCard(view)
          : o.format === 'hf-eval'
            ? toHuggingFaceEvalResults(view)
            : `${JSON.stringify(o.format === 'spdx' ? toSpdx(view, opts) : toCycloneDx(view, opts), null, 2)}\n`;
      if (o.out !== undefined) writeFileSync(o.out, text);
      else process.stdout.write(text);
      if (o.out !== undefined) out(`wrote ${o.out}`);
    });
}
