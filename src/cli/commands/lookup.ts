/**
 * `customs lookup`: statements about a model (by digest, name or OMS bundle) from a registry,
 * or its lineage graph (`--lineage ancestors|descendants`). With `--log-vkey`, every lineage edge's
 * inclusion proof is checked against the log-signed checkpoint before anything is printed.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseBundle, parseStatement } from '../../provenance/index.js';
import { RegistryClient } from '../../server/index.js';
import { ed25519Verifier, verifyCheckpoint, verifyInclusion } from '../../tlog/index.js';
import { out, printJson, table } from '../io.js';
import { intOption, readInput } from './provenance-shared.js';

interface Opts {
  server: string;
  name?: string;
  lineage?: string;
  depth?: string;
  logVkey?: string;
  limit?: string;
  json?: boolean;
}

/** Register `customs lookup`. */
export function register(program: Command): void {
  program
    .command('lookup')
    .description('look up statements or the lineage graph of a model in a registry')
    .argument('[model]', 'sha256:<digest>, or an OMS bundle file (model.sig)')
    .requiredOption('--server <url>', 'registry URL')
    .option('--name <name>', 'look up by subject name instead')
    .option('--lineage <direction>', 'ancestors | descendants')
    .option('--depth <n>', 'lineage depth (1..64)')
    .option(
      '--log-vkey <vkey>',
      'log verifier key: check every lineage edge proof against the signed checkpoint',
    )
    .option('--limit <n>', 'results (1..1000)')
    .option('--json', 'print JSON')
    .action(async (model: string | undefined, o: Opts) => {
      const client = new RegistryClient(o.server);
      let digest: string | undefined;
      if (model !== undefined) {
        if (/^(sha256:)?[0-9a-f]{64}$/.test(model)) digest = model;
        else if (existsSync(model)) {
          const st = parseStatement(
            parseBundle(readInput(model, 'bundle'), model).envelope.payload,
            model,
          );
          digest = st.subject[0]?.digest?.['sha256'];
        } else throw new UsageError('USAGE', `${model}: not a digest and no such file`);
      }
      if (o.lineage !== undefined) {
        if (digest === undefined) throw new UsageError('USAGE', '--lineage needs a model digest');
        if (o.lineage !== 'ancestors' && o.lineage !== 'descendants')
          throw new UsageError('USAGE', '--lineage must be ancestors or descendants');
        const g = await client.lineage(
          digest,
          o.lineage,
          o.depth !== undefined ? intOption('--depth', o.depth, 1, 64) : undefined,
        );
        let proven = false;
        if (o.logVkey !== undefined) {
          const cp = verifyCheckpoint(g.checkpoint, [ed25519Verifier(o.logVkey)]);
          for (const e of g.edges) {
            verifyInclusion({
              index: e.index,
              size: cp.size,
              leafHash: Buffer.from(e.leafHash, 'hex'),
              proof: e.proof.map((p) => Buffer.from(p, 'base64')),
              root: cp.rootHash,
            });
          }
          proven = true;
        }
        if (o.json) printJson({ ...g, proofsVerified: proven });
        else {
          const names = new Map(g.nodes.map((n) => [n.digest, n.names[0] ?? '']));
          out(
            table(
              g.edges.map((e) => [
                names.get(e.child) || e.child.slice(0, 12),
                e.relation,
                names.get(e.parent) || e.parent.slice(0, 12),
                String(e.index),
              ]),
              ['model', 'relation', 'base model', 'log index'],
            ),
          );
          out(
            `${g.nodes.length} models, ${g.edges.length} edges at tree size ${g.treeSize}${proven ? '; every edge proven against the signed checkpoint' : ''}${g.truncated ? ' (truncated)' : ''}`,
          );
        }
        return;
      }
      if (digest === undefined && o.name === undefined)
        throw new UsageError('USAGE', 'give a model digest, an OMS bundle or --name');
      const results = await client.lookup({
        ...(digest !== undefined ? { digest } : {}),
        ...(o.name !== undefined && digest === undefined ? { name: o.name } : {}),
        ...(o.limit !== undefined ? { limit: intOption('--limit', o.limit, 1, 1000) } : {}),
      });
      if (o.json) printJson({ results });
      else
        out(
          table(
            results.map((r) => [
              String(r.index),
              r.predicateType,
              r.subjects.map((s) => s.name ?? s.digest.slice(0, 12)).join(', '),
              r.statementDigest.slice(0, 16),
            ]),
            ['index', 'predicate', 'subjects', 'statement'],
          ),
        );
    });
}
