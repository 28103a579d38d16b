/**
 * `customs simulate-traffic`: write a labelled synthetic API traffic log (benign personas and
 * extraction campaigns) with its ground truth in a separate file. Exit codes: 0 ok, 2 usage error.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { CustomsError } from '../../errors.js';
import { PERSONA_KEYS, simulateTraffic, type PersonaMix } from '../../monitor/index.js';
import { diag, parseIntOption, parseNumberOption, printJson, out } from '../io.js';

interface SimFlags {
  records: string;
  seed: string;
  out: string;
  truth?: string;
  bank: string;
  days: string;
  gzip?: boolean;
  malformed: string;
  mixing?: string;
  mix?: string;
  json?: boolean;
}

/** Largest simulated log (a bound on disk use, not on memory: generation streams). */
export const MAX_SIM_RECORDS = 1_000_000_000;

function parseMix(s: string): Partial<PersonaMix> {
  const outMix: Partial<PersonaMix> = {};
  for (const part of s.split(',')) {
    const [k, v] = part.split('=');
    const key = PERSONA_KEYS.find((m) => m === k);
    if (!key || v === undefined)
      throw new CustomsError(
        'USAGE',
        `option --mix: expected key=weight pairs over ${PERSONA_KEYS.join(', ')}, got "${part}"`,
      );
    outMix[key] = parseNumberOption(`--mix ${k}`, v, 0, 1e7);
  }
  return outMix;
}

/** Register the command. */
export function register(program: Command): void {
  program
    .command('simulate-traffic')
    .description(
      'write a synthetic API traffic log with benign personas and extraction campaigns, plus ground truth',
    )
    .requiredOption('--records <n>', 'number of log lines')
    .requiredOption('--out <file>', 'output JSONL file')
    .option('--seed <n>', 'random seed', '1')
    .option('--truth <file>', 'ground-truth JSON (default: <out>.truth.json)')
    .option('--bank <A|B>', 'text bank: A (development) or B (held out)', 'A')
    .option('--days <n>', 'length of the log in days', '14')
    .option('--gzip', 'gzip the log')
    .option('--malformed <fraction>', 'fraction of lines written malformed', '0')
    .option(
      '--mixing <rates>',
      'comma-separated extraction mixing rates of hydra clusters (e.g. 0.05,0.1)',
    )
    .option('--mix <pairs>', 'benign persona weights, e.g. chat=8000,licensed=20')
    .option('--json', 'print the truth summary as JSON')
    .action(async (flags: SimFlags) => {
      const records = parseIntOption('--records', flags.records, 1, MAX_SIM_RECORDS);
      const seed = parseIntOption('--seed', flags.seed, 0, 2 ** 32 - 1);
      const days = parseIntOption('--days', flags.days, 1, 3650);
      const malformed = parseNumberOption('--malformed', flags.malformed, 0, 1);
      if (flags.bank !== 'A' && flags.bank !== 'B')
        throw new CustomsError('USAGE', `option --bank: expected A or B, got "${flags.bank}"`);
      const mixing = flags.mixing
        ?.split(',')
        .map((x) => parseNumberOption('--mixing', x, 0.001, 0.95));
      const file = createWriteStream(flags.out);
      let sink: Writable = file;
      if (flags.gzip) {
        const gz = createGzip();
        gz.pipe(file);
        sink = gz;
      }
      const truth = await simulateTraffic(
        {
          records,
          seed,
          days,
          bank: flags.bank,
          malformed,
          ...(mixing ? { attack: { mixing } } : {}),
          ...(flags.mix ? { mix: parseMix(flags.mix) } : {}),
        },
        async (chunk) => {
          if (!sink.write(chunk)) await once(sink, 'drain');
        },
      );
      sink.end();
      await once(file, 'close');
      const truthFile = flags.truth ?? `${flags.out.replace(/\.jsonl(\.gz)?$/, '')}.truth.json`;
      writeFileSync(truthFile, `${JSON.stringify(truth)}\n`);
      const attacks = truth.campaigns.filter((c) => c.label === 'attack');
      const summary = {
        out: flags.out,
        truth: truthFile,
        records: truth.records,
        accounts: truth.accounts.length,
        attackCampaigns: attacks.length,
        attackAccounts: truth.accounts.filter((a) => a.label === 'attack').length,
        malformedLines: truth.malformedLines.length,
      };
      if (flags.json) printJson(summary);
      else {
        out(
          `${summary.records} records, ${summary.accounts} accounts (${summary.attackAccounts} in ${summary.attackCampaigns} attack campaigns) -> ${flags.out}`,
        );
        diag(`ground truth -> ${truthFile}`);
      }
    });
}
